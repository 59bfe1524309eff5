"""The ``gcready`` command line: parse options, call the pipeline, render, write, exit.

Exit codes: 0 ready; 3 a requirement fails; 5 no fail but something could not be seen (unknown);
4 warnings with ``--fail-on warn``; 2 bad input or usage; 1 internal error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from gcready import __version__

if TYPE_CHECKING:
    from gcready.model import Report, SourceKind

# Literal ids, so `gcready --help` needs no model import (a test keeps them equal to the enums).
DEPLOYMENT_IDS = (
    "shared-cloud",
    "shared-cloud-ssc",
    "dedicated-cloud",
    "dedicated-cloud-ssc",
    "customer-managed-cloud",
    "customer-managed-onprem",
)
SOURCE_KINDS = ("dotenv", "kubernetes", "wandb-cr", "helm-values", "bundle")

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_FAIL, EXIT_WARN, EXIT_UNKNOWN = 0, 1, 2, 3, 4, 5
FORMATS = ("text", "json", "html")

EPILOG = """\b
Exit codes:
  0  every applicable requirement passes
  3  a requirement fails
  5  no fail, but something could not be seen (unknown)
  4  warnings present and --fail-on warn
  2  bad input or usage (one line per problem on stderr)
  1  internal error
"""


def _err(message: str) -> None:
    from gcready.redact import scrub

    click.echo(scrub(f"gcready: {message}"), err=True)


def _die(message: str, code: int = EXIT_INPUT) -> NoReturn:
    _err(message)
    sys.exit(code)


def write_atomic(path: str, text: str) -> None:
    """Write a whole file or nothing: a temp file in the same folder, then rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _use_color(choice: bool | None) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _parse_kinds(values: Sequence[str]) -> tuple[dict[str, SourceKind], SourceKind | None]:
    from gcready.model import SourceKind

    kinds: dict[str, SourceKind] = {}
    default: SourceKind | None = None
    names = ", ".join(k.value for k in SourceKind)
    for value in values:
        path, sep, kind = value.rpartition("=") if "=" in value else ("", "", value)
        try:
            parsed = SourceKind(kind)
        except ValueError:
            _die(f"--kind {value}: unknown kind {kind!r} (one of: {names})")
        if sep:
            kinds[path] = parsed
        else:
            default = parsed
    return kinds, default


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
      gcready requirements                           # the requirements table
    """


def _audit_options(func: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=str)),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            metavar="[PATH=]KIND",
            help="Say what a file is when the guess from its content is wrong: dotenv, kubernetes, "
            "wandb-cr, helm-values, bundle. Without PATH= it applies to every file named.",
        ),
        click.option(
            "--deployment",
            type=click.Choice(DEPLOYMENT_IDS),
            help="State the deployment type; wins over the evidence (a disagreement is reported).",
        ),
        click.option(
            "--bucket",
            "buckets",
            multiple=True,
            metavar="URL",
            help="A bucket no configuration mentions, as a W&B bucket URL (s3://, gs://, az://, cw://). Repeatable.",
        ),
        click.option(
            "--environment/--no-environment",
            default=None,
            help="Read W&B variables from this process's environment (default: only when no PATHS are given).",
        ),
        click.option(
            "--requirements",
            "requirements_file",
            type=click.Path(path_type=Path),
            help="A requirements profile (TOML) to use instead of the built-in seed table.",
        ),
        click.option("--offline", is_flag=True, help="Contact no endpoint: judge only the evidence given."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load_requirements(path: Path | None) -> object:
    from gcready import requirements

    try:
        return requirements.load_file(path) if path is not None else requirements.load_builtin()
    except requirements.RequirementsError as exc:
        _die(str(exc))


@main.command(epilog=EPILOG)
@_audit_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Format written to stdout (or --output).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=str),
    help="Write the --format report to this file instead of stdout.",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(path_type=str),
    metavar="FILE",
    help="Also write a JSON report to FILE.",
)
@click.option(
    "--html",
    "html_out",
    type=click.Path(path_type=str),
    metavar="FILE",
    help="Also write an HTML report to FILE.",
)
@click.option(
    "--text",
    "text_out",
    type=click.Path(path_type=str),
    metavar="FILE",
    help="Also write a text report to FILE.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["fail", "warn"]),
    default="fail",
    show_default=True,
    help="With warn, warnings exit 4.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text report (default: on a terminal, unless NO_COLOR is set).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def audit(
    paths: tuple[str, ...],
    kinds: tuple[str, ...],
    deployment: str | None,
    buckets: tuple[str, ...],
    environment: bool | None,
    requirements_file: Path | None,
    offline: bool,
    fmt: str,
    output: str | None,
    json_out: str | None,
    html_out: str | None,
    text_out: str | None,
    fail_on: str,
    color: bool | None,
    quiet: bool,
) -> None:
    """Audit a deployment's readiness for artifact garbage collection.

    PATHS are files or folders (searched recursively): Helm values of the operator-wandb chart,
    the W&B operator resource, Kubernetes YAML (kubectl get -o yaml), env files, evidence bundles.
    Each file's kind is recognised from its content.
    """
    from gcready.model import DeploymentType
    from gcready.pipeline import Inputs, analyze, gather
    from gcready.requirements import Requirements

    reqs = _load_requirements(requirements_file)
    assert isinstance(reqs, Requirements)
    kind_map, default_kind = _parse_kinds(kinds)
    use_env = environment if environment is not None else not paths
    inputs = Inputs(
        paths=paths,
        kinds=kind_map,
        default_kind=default_kind,
        environ=dict(os.environ) if use_env else None,
        buckets=buckets,
    )
    evidence = gather(inputs)
    report = analyze(
        evidence,
        reqs,
        override=DeploymentType(deployment) if deployment else None,
        command="audit",
        offline=offline,
    )
    _emit(report, fmt, output, json_out, html_out, text_out, color, quiet)
    sys.exit(report.exit_code(fail_on_warn=fail_on == "warn"))


def _emit(
    report: Report,
    fmt: str,
    output: str | None,
    json_out: str | None,
    html_out: str | None,
    text_out: str | None,
    color: bool | None,
    quiet: bool,
) -> None:
    from gcready.redact import scrub
    from gcready.report import Format, render

    for error in report.errors:
        _err(f"error: {error}")
    extra = [(Format.JSON, json_out), (Format.HTML, html_out), (Format.TEXT, text_out)]
    for extra_fmt, path in extra:
        if path:
            write_atomic(path, scrub(render(report, extra_fmt)))
    main_fmt = Format(fmt)
    if output:
        write_atomic(output, scrub(render(report, main_fmt)))
    else:
        click.echo(
            scrub(render(report, main_fmt, color=main_fmt is Format.TEXT and _use_color(color))), nl=False
        )
    if not quiet and (output or main_fmt is not Format.TEXT):
        from gcready.report import VERDICT_HEADLINES, count_phrase

        _err(f"{VERDICT_HEADLINES[report.verdict()]} ({count_phrase(report)}); exit {report.exit_code()}")


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
    from gcready.requirements import Requirements, render_requirements

    reqs = _load_requirements(requirements_file)
    assert isinstance(reqs, Requirements)
    click.echo(render_requirements(reqs, fmt), nl=False)


def run() -> None:
    """Entry point with the last line of defence: an internal error is one line and exit 1."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _die("interrupted", 130)
    except Exception as exc:
        _die(f"internal error: {type(exc).__name__}: {exc}", EXIT_INTERNAL)
