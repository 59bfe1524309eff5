"""Fleet runs: several deployments in one run, each gathered, probed and analysed on its own.

Deployments run on a bounded thread pool (``concurrency`` at a time); each one probes its buckets with
its own probe concurrency, as a single audit does. Nothing from one deployment's evidence is used to
judge another: each is one :func:`gcready.pipeline.analyze` of its own evidence.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from gcready import __version__
from gcready.model import DeploymentType, Evidence
from gcready.model.fleet import Fleet, FleetMember
from gcready.pipeline import analyze, now_iso
from gcready.requirements import Requirements

DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class Member:
    """What one deployment of a fleet is made of: its inputs, buckets, stated type and mode."""

    name: str
    paths: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()
    deployment: DeploymentType | None = None
    offline: bool = False


Gather = Callable[[Member], Evidence]


def audit(
    member: Member, requirements: Requirements, gather: Gather, *, command: str = "audit"
) -> FleetMember:
    """One deployment's report: its evidence (gathered and probed by ``gather``), analysed alone."""
    evidence = gather(member)
    report = analyze(
        evidence, requirements, override=member.deployment, command=command, offline=member.offline
    )
    if command == "diagnose":
        from gcready.diagnosis import diagnose

        report = replace(report, diagnosis=diagnose(report))
    return FleetMember(member.name, report)


def run(
    members: Sequence[Member],
    requirements: Requirements,
    gather: Gather,
    *,
    command: str = "audit",
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Fleet:
    """Every member's report, at most ``concurrency`` deployments at a time, in the members' order."""
    workers = max(1, min(concurrency, len(members)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gcready-fleet") as pool:
        # each deployment runs in a copy of this run's context: the same redactor sees every secret
        futures = [
            pool.submit(contextvars.copy_context().run, audit, m, requirements, gather, command=command)
            for m in members
        ]
        done = tuple(f.result() for f in futures)
    return Fleet(done, __version__, now_iso())
