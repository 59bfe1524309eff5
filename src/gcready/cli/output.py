"""What the command line writes: one-line messages on stderr, atomic report files, the report itself,
progress on a terminal, and the exit codes."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from gcready.model import ExitCode

if TYPE_CHECKING:
    from gcready.model import Report
    from gcready.report.context import RunContext


def err(message: str) -> None:
    from gcready.redact import scrub

    click.echo(scrub(f"gcready: {message}"), err=True)


def die(message: str, code: ExitCode = ExitCode.INPUT) -> NoReturn:
    err(message)
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


def write(path: str, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as exc:
        die(f"{path}: cannot write: {exc.strerror or exc}")


def use_color(choice: bool | None) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


class Progress:
    """A one-line progress display on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.active = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.active:
            return
        line = f"probing buckets {done}/{total}  {label}"[:100]
        click.echo(f"\r\033[K{line}", err=True, nl=False)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)


def emit(
    report: Report,
    fmt: str,
    output: str | None,
    json_out: str | None,
    html_out: str | None,
    text_out: str | None,
    color: bool | None,
    quiet: bool,
    code: ExitCode,
    *,
    sarif_out: str | None = None,
    junit_out: str | None = None,
    verbose: bool = False,
    context: RunContext | None = None,
) -> None:
    from gcready.redact import redact, scrub
    from gcready.report import Format, render

    report = redact(report)  # every value scrubbed before a format escapes it; scrub() stays the net
    for error in report.errors:
        err(f"error: {error}")
    extra = [
        (Format.JSON, json_out),
        (Format.HTML, html_out),
        (Format.TEXT, text_out),
        (Format.SARIF, sarif_out),
        (Format.JUNIT, junit_out),
    ]
    for extra_fmt, path in extra:
        if path:
            write(path, scrub(render(report, extra_fmt, verbose=verbose, context=context)))
    main_fmt = Format(fmt)
    if output:
        write(output, scrub(render(report, main_fmt, verbose=verbose, context=context)))
    else:
        colored = main_fmt is Format.TEXT and use_color(color)
        text = render(report, main_fmt, color=colored, verbose=verbose, context=context)
        click.echo(scrub(text), nl=False, color=colored)
    if not quiet and (output or main_fmt is not Format.TEXT):
        from gcready.report import VERDICT_HEADLINES, count_phrase

        err(f"{VERDICT_HEADLINES[report.verdict()]} ({count_phrase(report)}); exit {code}")
