"""Fleet runs: several deployments in one run, each gathered, probed and analysed on its own.

Deployments run on a bounded thread pool (``concurrency`` at a time); each one probes its buckets with
its own probe concurrency, as a single audit does. Nothing from one deployment's evidence is used to
judge another: each is one :func:`gcready.pipeline.analyze` of its own evidence. Waivers are the one
thing decided across the fleet (:func:`gcready.waivers.apply_fleet`): a waiver is stale only when it
matches nothing in any deployment.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from gcready import __version__
from gcready.model import DeploymentType, Evidence, Waiver
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
# Told of each deployment once its report is made: its name, evidence and seconds from gathering on.
Observe = Callable[[str, Evidence, float], None]


def audit(
    member: Member,
    requirements: Requirements,
    gather: Gather,
    *,
    command: str = "audit",
    observe: Observe | None = None,
) -> FleetMember:
    """One deployment's report: its evidence (gathered and probed by ``gather``), analysed alone."""
    started = time.monotonic()
    evidence = gather(member)
    report = analyze(
        evidence, requirements, override=member.deployment, command=command, offline=member.offline
    )
    if observe is not None:
        observe(member.name, evidence, time.monotonic() - started)
    return FleetMember(member.name, report)


def run(
    members: Sequence[Member],
    requirements: Requirements,
    gather: Gather,
    *,
    command: str = "audit",
    concurrency: int = DEFAULT_CONCURRENCY,
    waivers: Sequence[Waiver] = (),
    observe: Observe | None = None,
) -> Fleet:
    """Every member's report, at most ``concurrency`` deployments at a time, in the members' order,
    with the ``waivers`` applied across the fleet (``observe`` is told of each deployment as it ends)."""
    workers = max(1, min(concurrency, len(members)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gcready-fleet") as pool:
        # each deployment runs in a copy of this run's context: the same redactor sees every secret
        futures = [
            pool.submit(
                contextvars.copy_context().run,
                audit,
                m,
                requirements,
                gather,
                command=command,
                observe=observe,
            )
            for m in members
        ]
        done = tuple(f.result() for f in futures)
    if waivers:
        done = _waived(done, waivers, command)
    return Fleet(done, __version__, now_iso())


def _waived(
    members: tuple[FleetMember, ...], waivers: Sequence[Waiver], command: str
) -> tuple[FleetMember, ...]:
    """The members with the fleet's waivers applied; a diagnosis is ranked again without the waived."""
    from gcready.waivers import apply_fleet

    reports = apply_fleet([(m.name, m.report) for m in members], waivers)
    if command == "diagnose":
        from gcready.diagnosis import diagnose

        reports = tuple(replace(r, diagnosis=diagnose(r)) for r in reports)
    return tuple(FleetMember(m.name, r) for m, r in zip(members, reports, strict=True))
