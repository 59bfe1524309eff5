"""``gcready diff OLD.json NEW.json``: what changed between two runs, and exit 3 on a regression."""

from __future__ import annotations

import sys
from typing import Any

import click

from gcready.cli.options import output_option, quiet_option
from gcready.cli.output import die, err, write
from gcready.cli.param_types import LazyChoice
from gcready.enums import ExitCode


def read_report(path: str) -> dict[str, Any]:
    """A gcready JSON report from a file, or one line naming the file and exit 2."""
    from gcready.limits import InputReadError, read_text
    from gcready.report.drift import ReportFileError, load_document

    try:
        text = read_text(path)
    except InputReadError as exc:
        die(f"{path}:{exc.line}: {exc}" if exc.line else f"{path}: {exc}")
    try:
        return load_document(text, path)
    except ReportFileError as exc:
        die(str(exc))


def _drift_formats() -> list[str]:
    from gcready.report.drift_formats import DriftFormat

    return [f.value for f in DriftFormat]


@click.command(
    epilog="\b\nExit codes:\n  0  no regression\n  3  a regression (see the rule above)\n  2  bad input"
)
@click.argument("old", type=click.Path(path_type=str))
@click.argument("new", type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=LazyChoice(_drift_formats),
    default="text",
    show_default=True,
    help="text for a terminal, json for programs, markdown for a ticket or a pull-request comment.",
)
@output_option("Write to this file instead of stdout.")
@quiet_option
def diff(old: str, new: str, fmt: str, output: str | None, quiet: bool) -> None:
    """What changed from the JSON report OLD to the JSON report NEW.

    \b
    Lists new failures, fixed findings, other status changes, findings that appeared or disappeared,
    evidence whose value changed (e.g. S3 bucket versioning enabled -> suspended), and buckets and
    server components that appeared or disappeared. Findings are matched by (check, resource); fleet
    reports are compared deployment by deployment, by name.

    \b
    A regression is a finding whose status got worse (pass, skip, info < warn < unknown < fail,
    error), a new finding that is fail, error or unknown, or a new input error.
    """
    from gcready.redact import redact, scrub
    from gcready.report.drift import ReportFileError, compare
    from gcready.report.drift_formats import DriftFormat, render_drift, summary_line

    old_doc, new_doc = read_report(old), read_report(new)
    try:
        drift = compare(old_doc, new_doc, old_source=old, new_source=new)
    except ReportFileError as exc:
        die(str(exc))
    text = scrub(render_drift(redact(drift), DriftFormat(fmt)))
    code = ExitCode.FAIL if drift.regressed else ExitCode.OK
    if output:
        write(output, text)
    else:
        click.echo(text, nl=False)
    if not quiet and (output or fmt != DriftFormat.TEXT):
        err(f"diff {old} -> {new}: {summary_line(drift)}; exit {code.value}")
    sys.exit(code)
