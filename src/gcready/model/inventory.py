"""What an audit saw, listed for comparing runs: the buckets and the server components.

A report carries this so that two reports can say which buckets and components appeared or
disappeared between them (``gcready diff``), without the reader re-deriving them from findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from gcready.model.bucket import Provider
from gcready.model.evidence import ComponentKind, Evidence


@dataclass(frozen=True)
class BucketSeen:
    """A bucket the audit judged, by the label reports use (no keys, no path)."""

    label: str
    provider: Provider


@dataclass(frozen=True)
class ComponentSeen:
    """A place where a W&B server process reads its environment."""

    name: str
    kind: ComponentKind
    runs_gc: bool


@dataclass(frozen=True)
class Inventory:
    """The buckets and server components a report judged, so a later run can say what appeared or went."""

    buckets: tuple[BucketSeen, ...] = ()
    components: tuple[ComponentSeen, ...] = ()


def inventory_of(evidence: Evidence) -> Inventory:
    """Each bucket and component of the evidence once, in the order first mentioned."""
    buckets: dict[str, BucketSeen] = {}
    for bucket in evidence.all_buckets():
        buckets.setdefault(bucket.label, BucketSeen(bucket.label, bucket.provider))
    components: dict[tuple[str, ComponentKind], ComponentSeen] = {}
    for component in evidence.components:
        key = (component.name, component.kind)
        components.setdefault(key, ComponentSeen(component.name, component.kind, component.runs_gc))
    return Inventory(tuple(buckets.values()), tuple(components.values()))
