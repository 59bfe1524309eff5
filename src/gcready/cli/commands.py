"""The ``gcready`` command line: parse options, call the pipeline, render, write, exit.

Exit codes: 0 ready; 3 a requirement fails; 5 no fail but something could not be seen (unknown);
4 warnings with ``--fail-on warn``; 2 bad input or usage; 1 internal error.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from gcready import __version__
from gcready.cli.args import BundleArgs, InputArgs, OutputArgs, ProbeArgs, takes
from gcready.cli.configured import ConfigArgs, ConfiguredCommand, config_options, fleet_options
from gcready.cli.diff import diff
from gcready.cli.drift_options import DriftRequest, drift_options
from gcready.cli.options import (
    EPILOG,
    audit_options,
    bundle_options,
    probe_options,
    report_options,
    stacked,
)
from gcready.cli.output import ProgressDisplay, die, emit, err, write
from gcready.cli.push import PushRequest, pushgateway_option
from gcready.cli.waive import WaiverArgs, waive, waiver_options
from gcready.enums import ExitCode

if TYPE_CHECKING:
    from gcready.model import Evidence
    from gcready.requirements import Requirements

# A Terraform tree of more files than this shows its progress on a terminal (a small one is over at once).
TERRAFORM_PROGRESS_ABOVE = 20


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EPILOG
)
@click.version_option(__version__, "-V", "--version", prog_name="gcready")
def main() -> None:
    """Is this Weights & Biases deployment ready for artifact garbage collection?

    \b
    W&B only soft-deletes artifacts; a garbage collector later removes their files from the bucket.
    On self-managed installs that needs GORILLA_ARTIFACT_GC_ENABLED=true on the server and a
    versioned bucket (Azure: blob soft delete). gcready reads your configuration (Helm values, the
    W&B operator resource, Kubernetes manifests, env files, evidence bundles), recognises the
    deployment type, checks each requirement that applies, and tells you how to fix what fails.

    \b
    Examples:
      gcready audit values.yaml --offline            # pre-install check of Helm values
      gcready audit manifests/ --json report.json    # periodic audit, JSON kept
      gcready audit bundle.json --html report.html   # support: a customer's bundle
      gcready diagnose bundle.json                   # why are deletes stuck?
      gcready explain bucket-versioning              # what a check looks at and how to fix it
      gcready requirements                           # the requirements table
    """
    from gcready.redact import redaction_scope

    # One redactor per run: what this run's inputs hold is what its outputs are scrubbed of.
    click.get_current_context().with_resource(redaction_scope())


def _gather(inputs: InputArgs, probes: ProbeArgs) -> Evidence:
    """Evidence from the inputs, and from live probes unless --offline (progress shown on a terminal)."""
    from gcready.pipeline import gather, probe

    reading = ProgressDisplay("reading Terraform", more_than=TERRAFORM_PROGRESS_ABOVE)
    try:
        evidence = gather(inputs.inputs(os.environ), progress=reading)
    finally:
        reading.close()
    if inputs.offline:
        return evidence
    probing = ProgressDisplay("probing buckets")
    try:
        return probe(evidence, probes.options(), os.environ, concurrency=probes.concurrency, progress=probing)
    finally:
        probing.close()


def _load_requirements(path: Path | None) -> Requirements:
    from gcready import requirements

    try:
        return requirements.load_file(path) if path is not None else requirements.load_builtin()
    except requirements.RequirementsError as exc:
        die(str(exc))


def _report_command(
    inputs: InputArgs,
    probes: ProbeArgs,
    out: OutputArgs,
    drift: DriftRequest,
    waived: WaiverArgs,
    push: PushRequest,
    run: ConfigArgs,
) -> NoReturn:
    from gcready.model.drift import gate_exit_code
    from gcready.pipeline import analyze, probe_counts
    from gcready.report.context import RunContext, RunTiming

    command = str(click.get_current_context().command.name)  # audit or diagnose
    started = time.monotonic()
    reqs = _load_requirements(inputs.requirements_file)
    from gcready.cli.fleet import members, run_fleet

    fleet = members(click.get_current_context(), inputs)
    if fleet:  # the config's [[deployment]] entries: one report per deployment
        run_fleet(
            command,
            fleet,
            reqs,
            probes,
            out,
            _gather,
            drift,
            concurrency=run.fleet_concurrency,
            waivers=waived.load(),
            push=push,
        )
    waivers = waived.load()
    evidence = _gather(inputs, probes)
    report = analyze(
        evidence,
        reqs,
        override=inputs.deployment,
        command=command,
        offline=inputs.offline,
        waivers=waivers,
    )
    report = drift.apply(report)
    code = gate_exit_code(report, fail_on_warn=out.fail_on_warn)
    drift.record(report)
    context = RunContext().with_item(RunTiming(time.monotonic() - started)).with_item(probe_counts(evidence))
    emit(report, out, code, context)
    drift.summarise(report, code, out.quiet)
    code = push.push(report, code, context, probes.timeout)
    sys.exit(code)


# The option groups of ``audit`` and ``diagnose``, in the order --help lists them.
_REPORT_OPTIONS: tuple[Callable[[Callable[..., None]], Callable[..., None]], ...] = (
    audit_options,
    probe_options,
    report_options,
    drift_options,
    waiver_options,
    pushgateway_option,
    config_options,
    fleet_options,
)


def _report_cli(holder: Callable[[], None]) -> click.Command:
    """``audit`` and ``diagnose``: one option stack and one run; ``holder`` gives the name and help."""
    decorated: Callable[..., None] = takes(
        InputArgs, ProbeArgs, OutputArgs, DriftRequest, WaiverArgs, PushRequest, ConfigArgs
    )(_report_command)
    return main.command(holder.__name__, cls=ConfiguredCommand, epilog=EPILOG, help=holder.__doc__)(
        stacked(_REPORT_OPTIONS, decorated)
    )


@_report_cli
def audit() -> None:
    """Audit a deployment's readiness for artifact garbage collection.

    PATHS are files or folders (searched recursively): Helm values of the operator-wandb chart,
    the W&B operator resource, Kubernetes YAML (kubectl get -o yaml), env files, evidence bundles.
    Each file's kind is recognised from its content.

    Unless --offline, every bucket the inputs name (and each --bucket) that has no recorded state is
    probed live, read-only, with the credentials of this environment (AWS_PROFILE and the AWS chain,
    AWS_ENDPOINT_URL, Google ADC / GOOGLE_APPLICATION_CREDENTIALS / STORAGE_EMULATOR_HOST,
    AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_KEY / AZURE_STORAGE_SAS_TOKEN) or the keys inside a
    W&B bucket URL. Buckets a bundle already recorded are not probed again.
    """


@_report_cli
def diagnose() -> None:
    """Why are deletes stuck? The audit's evidence, ranked as causes, with proof and fixes.

    Same inputs, probes, formats and exit codes as `audit`. Causes are ranked from "garbage
    collection never runs here", through "it runs but the bucket holds the bytes" (Object Lock,
    retention, no noncurrent-version expiry, immutability…), to what only delays; then the causes
    no setting can show (files shared with other versions, protected aliases, GC being periodic,
    Dedicated Cloud's retention window), with how to check each.
    """


@main.command(cls=ConfiguredCommand)
@audit_options
@probe_options
@bundle_options
@config_options
@takes(InputArgs, ProbeArgs, BundleArgs, ConfigArgs)
def collect(inputs: InputArgs, probes: ProbeArgs, bundle: BundleArgs, _config: ConfigArgs) -> None:
    """Write a redacted evidence bundle: what the inputs say, plus each bucket's live settings.

    Send the bundle to support; `gcready audit BUNDLE` reaches the same verdicts offline. The bundle
    holds no secret: values of secret-looking variables, Secret values, URL credentials and keys are
    never written.

    Exit 0 when written with every bucket's settings; 5 when some bucket's settings could not be read
    (no credentials, denied, unreachable, timed out, or --offline): stderr and the bundle's ``unread``
    list say which and why, since such a bundle cannot prove the bucket requirements; 2 on bad input
    (the bundle is still written, and records each bad input, so `audit BUNDLE` exits 2 too).
    """
    from gcready.pipeline import declare, now_iso, unread_buckets
    from gcready.redact import redact, scrub
    from gcready.sources.bundle import dumps

    evidence = declare(_gather(inputs, probes), inputs.deployment)
    for error in evidence.errors:
        err(f"error: {error}")
    unread = unread_buckets(evidence, offline=inputs.offline)
    for label, reason in unread:
        err(scrub(f"unread: {label}: {reason}"))
    write(bundle.output, scrub(dumps(redact(evidence), now_iso(), unread)))
    if not bundle.quiet:
        total = len(evidence.all_buckets())
        err(
            f"wrote {bundle.output}: {len(evidence.inputs)} input(s), {len(evidence.components)} server "
            f"component(s), {total} bucket(s): settings read for {total - len(unread)}, "
            f"not read for {len(unread)}"
        )
    if evidence.errors:
        sys.exit(ExitCode.INPUT)
    sys.exit(ExitCode.UNKNOWN if unread else ExitCode.OK)


@main.command()
@click.argument("check_id", required=False)
def explain(check_id: str | None) -> None:
    """What a check looks at, why it matters for garbage collection, and how to fix it.

    Without CHECK_ID, lists every check id with its title.
    """
    from gcready.checks import CATALOG, by_id

    if check_id is None:
        width = max(len(c.meta.id) for c in CATALOG)
        for check in CATALOG:
            click.echo(f"{check.meta.id:<{width}}  {check.meta.title}")
        return
    found = by_id(check_id)
    if found is None:
        die(f"no check {check_id!r}; known: {', '.join(c.meta.id for c in CATALOG)}")
    meta = found.meta
    lines = [
        f"{meta.id}: {meta.title}",
        f"severity: {meta.severity.value}; requirement: {meta.requirement or '(beyond the requirements table)'}; "
        f"diagnosis tier: {meta.tier.value}",
        "",
        "What it looks at:",
        f"  {meta.description}",
        "",
        "Why it matters for garbage collection:",
        f"  {meta.why}",
    ]
    from gcready.remediation import example_fixes

    if meta.examples:
        lines += ["", "Fixes (example names; reports print them with your bucket, endpoint and region):"]
        for fix in example_fixes(meta.examples):
            title = f": {fix.title}" if fix.title else ""
            lines.append(f"  ({fix.kind.value}){title}")
            lines += [f"      {line}" for line in fix.text.splitlines()]
    click.echo("\n".join(lines))


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option(
    "--requirements",
    "requirements_file",
    type=click.Path(path_type=Path),
    help="Print this profile instead of the built-in one.",
)
def requirements(fmt: str, requirements_file: Path | None) -> None:
    """Print the requirements table: which deployment types need the env var and bucket versioning."""
    from gcready.requirements import render_requirements

    reqs = _load_requirements(requirements_file)
    click.echo(render_requirements(reqs, fmt), nl=False)


main.add_command(diff)
main.add_command(waive)


def run() -> None:
    """Entry point with the last line of defence: an internal error is one line and exit 1."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        die("interrupted", ExitCode.INTERRUPTED)
    except Exception as exc:
        die(f"internal error: {type(exc).__name__}: {exc}", ExitCode.INTERNAL)
