"""A bucket-like resource as the settings readers see it, the readings they give, and what several
settings resources of one bucket say together: one whose ``count`` / ``for_each`` is not known, or two
that disagree, leave the setting unknown (Terraform applies them in no set order)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gcready.model import JSON, Note, Origin, Outcome, Provider, Reading
from gcready.sources.terraform.values import COMPUTED, Ref, Unknown


@dataclass
class BucketCandidate:
    """One bucket-like resource with the settings the tree declares for it."""

    provider: Provider
    address: str
    name: Any  # str or Unknown/Ref
    origin: Origin
    settings: dict[str, Reading]
    account: Any = None
    endpoint: str | None = None
    account_address: str | None = None  # Azure: the storage account resource
    tied: bool = False  # the W&B deployment uses it
    notes: list[Note] = field(default_factory=list)

    def resolved_name(self) -> str | None:
        return self.name if isinstance(self.name, str) and self.name else None

    def resolved_account(self) -> str | None:
        return self.account if isinstance(self.account, str) and self.account else None


@dataclass
class Resource:
    rtype: str
    name: str
    address: str
    body: dict[str, Any]  # evaluated
    origin: Origin
    references: dict[str, list[str]] = field(default_factory=dict)  # plan JSON: attr → referenced addresses
    uncertain: str | None = None  # why whether it is created at all is not known (an unknown count)


def _ok(value: JSON, reason: str = "") -> Reading:
    return Reading(Outcome.OK, value, reason)


def _computed(value: Any, what: str) -> Reading:
    reason = value.reason if isinstance(value, Unknown | Ref) else f"{COMPUTED}: {what}"
    return Reading(Outcome.ERROR, None, reason)


def _unknown_block(body: Any, *names: str) -> Unknown | Ref | None:
    """The unknown a nested block path of an evaluated body holds (an unknown ``dynamic`` block or
    an expression), or None when every level is known or absent."""
    node = body
    for name in names:
        if isinstance(node, Unknown | Ref):
            return node
        if isinstance(node, list):
            for item in node:
                if isinstance(item, Unknown | Ref):
                    return item
            node = node[0] if node else None
        if not isinstance(node, dict):
            return None
        node = node.get(name)
    if isinstance(node, Unknown | Ref):
        return node
    if isinstance(node, list):
        return next((item for item in node if isinstance(item, Unknown | Ref)), None)
    return None


def agreed(configs: list[Resource], read: Callable[[Resource], Reading], what: str) -> Reading:
    """The reading of a bucket's settings resources (``aws_s3_bucket_lifecycle_configuration``, …), at
    least one: unknown when one may not be created or when they say different things."""
    maybe = next((c for c in configs if c.uncertain), None)
    if maybe is not None:
        return _computed(
            Unknown(
                f"{COMPUTED}: whether {maybe.address}, which sets the {what}, is created ({maybe.uncertain})"
            ),
            "",
        )
    readings = [read(c) for c in configs]
    doubt = next((r for r in readings if r.outcome is not Outcome.OK), None)
    if doubt is not None:
        return doubt
    if any(r.value != readings[0].value for r in readings[1:]):
        return disagreeing(configs, f"the {what}")
    return readings[-1]


def disagreeing(configs: list[Resource], what: str) -> Reading:
    """Unknown: several resources set ``what`` of one bucket to different things."""
    names = " and ".join(c.address for c in configs)
    return _computed(
        Unknown(
            f"{COMPUTED}: {names} {'both' if len(configs) == 2 else 'all'} set {what}, differently; "
            "Terraform applies them in no set order, so what the bucket ends with is not known (keep one)"
        ),
        "",
    )
