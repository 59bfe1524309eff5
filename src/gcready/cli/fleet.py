"""The command line's side of fleet runs: ``[[deployment]]`` entries as members, the run, the output.

Each entry sets its own ``inputs``, ``buckets`` / ``[[deployment.bucket]]``, ``deployment`` and
``offline``; what it does not set comes from the top of the file. What the command line or a
``GCREADY_*`` variable sets wins over both, for every deployment (as it wins over the file anywhere).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from gcready.cli.args import InputArgs, OutputArgs, ProbeArgs
from gcready.cli.configured import bucket_settings, loaded
from gcready.cli.drift_options import DriftRequest
from gcready.cli.output import emit, err, use_color, write
from gcready.cli.param_types import BucketOption
from gcready.fleet import Member
from gcready.model import DeploymentType, Evidence, ExitCode
from gcready.model.fleet import Fleet
from gcready.requirements import Requirements

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
) -> NoReturn:
    """Audit every deployment, write the fleet's report in the asked formats, keep it in ``--history``,
    exit with the worst code."""
    from gcready.fleet import run

    ctx = click.get_current_context()
    config = loaded(ctx)
    quiet_waivers = str(config.path) if config is not None and "waiver" not in config.data else None
    for message in not_applied(ctx.params, unused_waivers_file=quiet_waivers):
        err(message)
    by_name = {e.member.name: e for e in entries}

    def gather(member: Member) -> Evidence:
        entry = by_name[member.name]
        own = probes if not entry.bucket_options else replace(probes, bucket_options=entry.bucket_options)
        return gather_one(entry.inputs, own)

    fleet = run(
        [e.member for e in entries],
        requirements,
        gather,
        command=command,
        concurrency=concurrency,
    )
    code = fleet.exit_code(fail_on_warn=out.fail_on_warn)
    if len(fleet.members) == 1:  # one deployment: the single report, exactly as without a fleet
        report = fleet.members[0].report
        emit(report, out, code)
        drift.record(report)
    else:
        emit_fleet(fleet, out, code)
        record(fleet, drift)
    sys.exit(code)


def record(fleet: Fleet, drift: DriftRequest) -> None:
    """Keep the fleet's JSON report in the ``--history`` folder (the trend sums its deployments)."""
    from gcready.model.fleet import FleetMember
    from gcready.redact import redact, scrub
    from gcready.report import Format
    from gcready.report.fleet import render_fleet

    if drift.history is None:
        return
    redacted = replace(fleet, members=tuple(FleetMember(m.name, redact(m.report)) for m in fleet.members))
    drift.record_json(scrub(render_fleet(redacted, Format.JSON)), fleet.generated_at)


# Options whose work happens around a single report: a fleet run does not do it yet, and says so.
_SINGLE_REPORT_ONLY = ("baseline", "pushgateway", "waivers_file", "waivers")


def not_applied(params: Mapping[str, Any], *, unused_waivers_file: str | None = None) -> list[str]:
    """A warning for each option given that a fleet run does not apply, so none is silently dropped
    (``unused_waivers_file``: the config file as the default waivers file, when it holds no waiver)."""
    messages = []
    for name in _SINGLE_REPORT_ONLY:
        value = params.get(name)
        if value and not (name.startswith("waivers") and value == unused_waivers_file):
            option = "--waivers" if name.startswith("waivers") else f"--{name}"
            messages.append(f"warning: {option} is not applied to fleet runs ([[deployment]] entries) yet")
    return messages


def emit_fleet(fleet: Fleet, out: OutputArgs, code: ExitCode) -> None:
    """Write the fleet's report: every extra output, then the main one to ``--output`` or stdout."""
    from gcready.model.fleet import FleetMember
    from gcready.redact import redact, scrub
    from gcready.report import Format
    from gcready.report.fleet import fleet_headline, render_fleet

    # every value scrubbed before a format escapes it; scrub() on the text stays the net
    fleet = replace(fleet, members=tuple(FleetMember(m.name, redact(m.report)) for m in fleet.members))
    for member in fleet.members:
        for error in member.report.errors:
            err(f"{member.name}: error: {error}")
    for extra in out.extras:
        write(extra.path, scrub(render_fleet(fleet, extra.fmt, verbose=out.verbose)))
    if out.output:
        write(out.output, scrub(render_fleet(fleet, out.fmt, verbose=out.verbose)))
    else:
        colored = out.fmt is Format.TEXT and use_color(out.color)
        body = render_fleet(fleet, out.fmt, color=colored, verbose=out.verbose)
        click.echo(scrub(body), nl=False, color=colored)
    if not out.quiet and (out.output or out.fmt is not Format.TEXT):
        each = ", ".join(f"{name}: {verdict}" for name, verdict in fleet.verdicts().items())
        err(f"{fleet_headline(fleet)} ({each}); exit {code}")
