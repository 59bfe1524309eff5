"""The command line's side of fleet runs: ``[[deployment]]`` entries as members, the run, the output.

Each entry sets its own ``inputs``, ``buckets`` / ``[[deployment.bucket]]``, ``deployment`` and
``offline``; what it does not set comes from the top of the file. What the command line or a
``GCREADY_*`` variable sets wins over both, for every deployment (as it wins over the file anywhere).
Waivers apply across the fleet; ``--baseline`` (a fleet report) gates each deployment on its own
regressions; ``--pushgateway`` pushes each deployment to its own group.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

from gcready.cli.args import InputArgs, OutputArgs, ProbeArgs
from gcready.cli.configured import bucket_settings, loaded
from gcready.cli.drift_options import DriftRequest
from gcready.cli.output import die, emit, err, write_outputs
from gcready.cli.param_types import BucketOption
from gcready.cli.push import PushRequest
from gcready.fleet import Member
from gcready.model import DeploymentType, Evidence, ExitCode, Waiver
from gcready.model.fleet import Fleet, FleetMember
from gcready.requirements import Requirements

if TYPE_CHECKING:
    from gcready.report.context import RunContext

# The single audit's gathering and probing, for one deployment's arguments.
GatherOne = Callable[[InputArgs, ProbeArgs], Evidence]
_GIVEN = frozenset({ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT})


@dataclass(frozen=True)
class FleetEntry:
    """One ``[[deployment]]`` entry as the run uses it: the member, and its arguments."""

    member: Member
    inputs: InputArgs
    bucket_options: tuple[BucketOption, ...]


def members(ctx: click.Context, inputs: InputArgs) -> list[FleetEntry]:
    """The config's ``[[deployment]]`` entries, each with the arguments it runs with; empty when the run
    is a single deployment."""
    config = loaded(ctx)
    entries = config.data.get("deployment") if config is not None else None
    if config is None or not isinstance(entries, list):
        return []

    def own(entry: Mapping[str, Any], key: str, param: str) -> bool:
        """Whether the entry's ``key`` applies: it sets it, and neither command line nor variable does."""
        return key in entry and ctx.get_parameter_source(param) not in _GIVEN

    _, top_options = bucket_settings(config, config.data)
    cli_options = ctx.get_parameter_source("bucket_options") in _GIVEN
    out: list[FleetEntry] = []
    for entry in entries:
        own_buckets, own_options = bucket_settings(config, entry)
        theirs = inputs
        if own(entry, "inputs", "paths"):
            theirs = replace(theirs, paths=tuple(config.rebase(p) for p in entry["inputs"]))
        if ("buckets" in entry or "bucket" in entry) and ctx.get_parameter_source("buckets") not in _GIVEN:
            theirs = replace(theirs, buckets=own_buckets)
        if own(entry, "deployment", "deployment"):
            theirs = replace(theirs, deployment=DeploymentType(entry["deployment"]))
        if own(entry, "offline", "offline"):
            theirs = replace(theirs, offline=bool(entry["offline"]))
        # command-line --bucket-option values replace the file's, as they do in a single run
        options = () if cli_options else (*top_options, *own_options)
        member = Member(entry["name"], theirs.paths, theirs.buckets, theirs.deployment, theirs.offline)
        out.append(FleetEntry(member, theirs, options))
    return out


def run_fleet(
    command: str,
    entries: list[FleetEntry],
    requirements: Requirements,
    probes: ProbeArgs,
    out: OutputArgs,
    gather_one: GatherOne,
    drift: DriftRequest,
    *,
    concurrency: int,
    waivers: Sequence[Waiver] = (),
    push: PushRequest | None = None,
) -> NoReturn:
    """Audit every deployment, write the fleet's report in the asked formats, keep it in ``--history``,
    push its metrics, exit with the worst gate code of the deployments."""
    from gcready.fleet import run
    from gcready.pipeline import probe_counts
    from gcready.report.context import RunContext, RunTiming

    check_baseline(drift, len(entries))
    by_name = {e.member.name: e for e in entries}
    contexts: dict[str, RunContext] = {}
    lock = threading.Lock()

    def gather(member: Member) -> Evidence:
        entry = by_name[member.name]
        own = probes if not entry.bucket_options else replace(probes, bucket_options=entry.bucket_options)
        return gather_one(entry.inputs, own)

    def observe(name: str, evidence: Evidence, seconds: float) -> None:
        context = RunContext().with_item(RunTiming(seconds)).with_item(probe_counts(evidence))
        with lock:
            contexts[name] = context

    fleet = run(
        [e.member for e in entries],
        requirements,
        gather,
        command=command,
        concurrency=concurrency,
        waivers=waivers,
        observe=observe,
    )
    fleet = with_baseline(fleet, drift)
    code = fleet.exit_code(fail_on_warn=out.fail_on_warn)
    if len(fleet.members) == 1:  # one deployment: the single report, exactly as without a fleet
        only = fleet.members[0]
        emit(only.report, out, code, contexts.get(only.name))
        drift.record(only.report)
        drift.summarise(only.report, code, out.quiet)
    else:
        emit_fleet(fleet, out, code, contexts)
        record(fleet, drift)
        summarise_baseline(fleet, drift, code, out.quiet)
    if push is not None:
        code = push.push_fleet(fleet, code, contexts, probes.timeout)
    sys.exit(code)


def check_baseline(drift: DriftRequest, deployments: int) -> None:
    """Exit 2 before any work when a single report is the baseline of a run of several deployments."""
    from gcready.report.drift import is_fleet

    document = drift.baseline_document
    if document is not None and deployments > 1 and not is_fleet(document):
        die(
            f"{drift.baseline}: is a single-deployment report, but this run audits {deployments} "
            "deployments ([[deployment]] entries): give a fleet report (gcready-fleet/1) as --baseline"
        )


def with_baseline(fleet: Fleet, drift: DriftRequest) -> Fleet:
    """Each deployment compared, by name, with the same deployment of the baseline fleet report (one that
    is new there, with nothing); a single-report baseline of a one-deployment run as in a single run."""
    document, source = drift.baseline_document, drift.baseline
    if document is None or source is None:
        return fleet
    from gcready.model.drift import BaselineUse, tolerated_count
    from gcready.report.drift import ReportFileError, compare, is_fleet
    from gcready.report.fleet import to_dict

    if not is_fleet(document):  # check_baseline let it through: the run has one deployment
        only = replace(drift, history=None)
        return replace(fleet, members=tuple(FleetMember(m.name, only.apply(m.report)) for m in fleet.members))
    current = to_dict(_redacted(fleet))
    try:
        changes = compare(document, current, old_source=source, new_source="this run")
    except ReportFileError as exc:
        die(str(exc))
    members = []
    for member in fleet.members:
        own = changes.of_deployment(member.name)
        use = BaselineUse(source, own, tolerated_count(member.report, own))
        members.append(FleetMember(member.name, replace(member.report, baseline=use)))
    return replace(fleet, members=tuple(members))


def summarise_baseline(fleet: Fleet, drift: DriftRequest, code: int, quiet: bool) -> None:
    """The stderr line that says a baseline was used, and each deployment's regressions against it."""
    if quiet or drift.baseline is None:
        return
    uses = [(m.name, m.report.baseline) for m in fleet.members if m.report.baseline is not None]
    total = sum(use.regressions for _, use in uses)
    each = ", ".join(f"{name}: {use.regressions}" for name, use in uses)
    noun = "regression" if total == 1 else "regressions"
    err(
        f"Baseline {drift.baseline}: {total} {noun} ({each}); only regressions decide the exit code; exit {code}"
    )


def _redacted(fleet: Fleet) -> Fleet:
    """The fleet with every deployment's report redacted (before a format escapes any value)."""
    from gcready.redact import redact

    return replace(fleet, members=tuple(FleetMember(m.name, redact(m.report)) for m in fleet.members))


def record(fleet: Fleet, drift: DriftRequest) -> None:
    """Keep the fleet's JSON report in the ``--history`` folder (the trend sums its deployments)."""
    from gcready.redact import scrub
    from gcready.report import Format
    from gcready.report.fleet import render_fleet

    if drift.history is None:
        return
    redacted = _redacted(fleet)
    drift.record_json(scrub(render_fleet(redacted, Format.JSON)), fleet.generated_at)


def emit_fleet(
    fleet: Fleet, out: OutputArgs, code: ExitCode, contexts: Mapping[str, RunContext] | None = None
) -> None:
    """Write the fleet's report: every extra output, then the main one to ``--output`` or stdout."""
    from gcready.report import Format
    from gcready.report.fleet import fleet_headline, render_fleet

    # every value scrubbed before a format escapes it; scrub() on the text stays the net
    fleet = _redacted(fleet)
    for member in fleet.members:
        for error in member.report.errors:
            err(f"{member.name}: error: {error}")

    def render_as(fmt: Format, color: bool) -> str:
        return render_fleet(fleet, fmt, color=color, verbose=out.verbose, contexts=contexts)

    if write_outputs(out, render_as):
        each = ", ".join(f"{name}: {verdict}" for name, verdict in fleet.verdicts().items())
        err(f"{fleet_headline(fleet)} ({each}); exit {code}")
