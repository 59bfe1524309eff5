"""The command line's side of fleet runs: ``[[deployment]]`` entries as members, the run, the output.

Each entry sets its own ``inputs``, ``buckets`` / ``[[deployment.bucket]]``, ``deployment`` and
``offline``; what it does not set comes from the top of the file. What the command line or a
``GCREADY_*`` variable sets wins over both, for every deployment (as it wins over the file anywhere).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from gcready.cli.configured import bucket_settings, loaded
from gcready.cli.options import BucketOption
from gcready.cli.output import emit, err, use_color, write
from gcready.fleet import Member
from gcready.model import DeploymentType, Evidence, ExitCode
from gcready.model.fleet import Fleet
from gcready.requirements import Requirements

# (paths, kinds, buckets, environment, offline, params) -> Evidence: the single audit's gathering
GatherOne = Callable[..., object]
_GIVEN = frozenset({ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT})


def members(ctx: click.Context, params: Mapping[str, Any]) -> list[tuple[Member, tuple[BucketOption, ...]]]:
    """The config's ``[[deployment]]`` entries as fleet members, each with its buckets' probe options;
    empty when the run is a single deployment."""
    config = loaded(ctx)
    entries = config.data.get("deployment") if config is not None else None
    if config is None or not isinstance(entries, list):
        return []

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) in _GIVEN

    _, top_options = bucket_settings(config, config.data)
    out: list[tuple[Member, tuple[BucketOption, ...]]] = []
    for entry in entries:
        own_buckets, own_options = bucket_settings(config, entry)
        paths = params["paths"]
        if "inputs" in entry and not given("paths"):
            paths = tuple(config.rebase(p) for p in entry["inputs"])
        buckets = params["buckets"]
        if ("buckets" in entry or "bucket" in entry) and not given("buckets"):
            buckets = own_buckets
        deployment = params["deployment"]
        if "deployment" in entry and not given("deployment"):
            deployment = entry["deployment"]
        offline = params["offline"]
        if "offline" in entry and not given("offline"):
            offline = entry["offline"]
        # command-line --bucket-option values replace the file's, as they do in a single run
        options = tuple(params["bucket_options"]) if given("bucket_options") else (*top_options, *own_options)
        member = Member(
            name=entry["name"],
            paths=tuple(paths),
            buckets=tuple(buckets),
            deployment=DeploymentType(deployment) if deployment else None,
            offline=bool(offline),
        )
        out.append((member, options))
    return out


def run_fleet(
    command: str,
    fleet_members: list[tuple[Member, tuple[BucketOption, ...]]],
    requirements: Requirements,
    params: dict[str, Any],
    gather_one: GatherOne,
) -> NoReturn:
    """Audit every member, write the fleet's report in the asked formats, exit with the worst code."""
    from gcready.fleet import run

    config = loaded(click.get_current_context())
    quiet_waivers = str(config.path) if config is not None and "waiver" not in config.data else None
    for message in not_applied(params, unused_waivers_file=quiet_waivers):
        err(message)
    options = {m.name: opts for m, opts in fleet_members}
    rest = {
        k: v for k, v in params.items() if k not in ("paths", "kinds", "buckets", "environment", "offline")
    }

    def gather(member: Member) -> Evidence:
        own = {**rest, "bucket_options": options[member.name]}  # a copy: gathering pops from it
        evidence = gather_one(
            member.paths, params["kinds"], member.buckets, params["environment"], member.offline, own
        )
        assert isinstance(evidence, Evidence)
        return evidence

    fleet = run(
        [m for m, _ in fleet_members],
        requirements,
        gather,
        command=command,
        concurrency=int(params.get("fleet_concurrency") or 1),
    )
    fail_on_warn = params.get("fail_on") == "warn"
    code = fleet.exit_code(fail_on_warn=fail_on_warn)
    if len(fleet.members) == 1:  # one deployment: the single report, exactly as without a fleet
        report = fleet.members[0].report
        emit(
            report,
            str(params["fmt"]),
            params.get("output"),
            params.get("json_out"),
            params.get("html_out"),
            params.get("text_out"),
            params.get("color"),
            bool(params.get("quiet")),
            code,
            sarif_out=params.get("sarif_out"),
            junit_out=params.get("junit_out"),
            verbose=bool(params.get("verbose")),
        )
        sys.exit(code)
    emit_fleet(fleet, params, code)
    sys.exit(code)


# Options whose work happens around a single report: a fleet run does not do it yet, and says so.
_SINGLE_REPORT_ONLY = ("history", "baseline", "pushgateway", "waivers_file", "waivers")


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


def emit_fleet(fleet: Fleet, params: Mapping[str, Any], code: ExitCode) -> None:
    """Write the fleet's report: the ``--format`` one to stdout or ``--output``, the others to their files."""
    from dataclasses import replace

    from gcready.model.fleet import FleetMember
    from gcready.redact import redact, scrub
    from gcready.report import Format
    from gcready.report.fleet import fleet_headline, render_fleet

    # every value scrubbed before a format escapes it; scrub() on the text stays the net
    fleet = replace(fleet, members=tuple(FleetMember(m.name, redact(m.report)) for m in fleet.members))
    for member in fleet.members:
        for error in member.report.errors:
            err(f"{member.name}: error: {error}")
    verbose = bool(params.get("verbose"))
    extra = [(fmt, params.get(f"{fmt.value}_out")) for fmt in Format]
    for fmt, path in extra:
        if path:
            write(str(path), scrub(render_fleet(fleet, fmt, verbose=verbose)))
    main_fmt = Format(str(params["fmt"]))
    output = params.get("output")
    if output:
        write(str(output), scrub(render_fleet(fleet, main_fmt, verbose=verbose)))
    else:
        colored = main_fmt is Format.TEXT and use_color(params.get("color"))
        body = render_fleet(fleet, main_fmt, color=colored, verbose=verbose)
        click.echo(scrub(body), nl=False, color=colored)
    if not params.get("quiet") and (output or main_fmt is not Format.TEXT):
        each = ", ".join(f"{name}: {verdict}" for name, verdict in fleet.verdicts().items())
        err(f"{fleet_headline(fleet)} ({each}); exit {code}")
