"""What the command line writes: one-line messages on stderr, atomic report files, the report itself,
progress on a terminal, and the exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from gcready.enums import ExitCode, Format

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from gcready.cli.args import OutputArgs
    from gcready.model import Report
    from gcready.report.context import RunContext


def err(message: str) -> None:
    """One line on stderr, prefixed ``gcready:``, scrubbed of secrets."""
    from gcready.redact import scrub

    click.echo(scrub(f"gcready: {message}"), err=True)


def die(message: str, code: ExitCode = ExitCode.INPUT) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    err(message)
    sys.exit(code)


def write_atomic(path: str, text: str) -> None:
    """Write a whole file or nothing: a temp file in the same folder, then rename."""
    import tempfile  # here, not at the top: `gcready --help` writes no file

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
    """Write a file atomically; a failure is one line and exit 2."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        die(f"{path}: cannot write: {exc.strerror or exc}")


def use_color(choice: bool | None) -> bool:
    """Colour the text report? ``--color/--no-color`` if given, else on a terminal unless ``NO_COLOR``."""
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


class ProgressDisplay:
    """A click progress bar on stderr, only when stderr is a terminal and the work has more than
    ``more_than`` steps.

    Called as ``progress(done, total, label)``; the bar appears on the first call that qualifies.
    """

    def __init__(self, label: str, *, more_than: int = 0) -> None:
        self.label = label
        self.more_than = more_than
        self.active = sys.stderr.isatty()
        self.bar: ProgressBar[str] | None = None

    def __call__(self, done: int, total: int, item: str) -> None:
        if not self.active or total <= self.more_than:
            return
        from gcready.redact import scrub

        if self.bar is None:
            self.bar = click.progressbar(
                length=total,
                label=self.label,
                file=sys.stderr,
                show_pos=True,
                show_eta=False,
                item_show_func=_item,
            )
            self.bar.__enter__()
        self.bar.length = max(total, self.bar.length or 0)  # a reader may find more work as it goes
        self.bar.update(done - self.bar.pos, scrub(item))

    def close(self) -> None:
        """Finish the bar's line, if one was shown."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _item(item: str | None) -> str | None:
    return item[-60:] if item else item  # the end of a long path or URL says the most


def write_outputs(out: OutputArgs, render_as: Callable[[Format, bool], str]) -> bool:
    """Every extra output (atomically), then the main one to --output or stdout, each scrubbed again.

    ``render_as(fmt, color)`` renders the (already redacted) report; the answer is whether the one-line
    summary belongs on stderr (the report did not go to a terminal as text, and --quiet was not given).
    """
    from gcready.redact import scrub

    for extra in out.extras:
        write(extra.path, scrub(render_as(extra.fmt, False)))
    if out.output:
        write(out.output, scrub(render_as(out.fmt, False)))
    else:
        colored = out.fmt is Format.TEXT and use_color(out.color)
        click.echo(scrub(render_as(out.fmt, colored)), nl=False, color=colored)
    return not out.quiet and bool(out.output or out.fmt is not Format.TEXT)


def emit(report: Report, out: OutputArgs, code: ExitCode, context: RunContext | None = None) -> None:
    """Write the report: every extra output (atomically), then the main one to --output or stdout, and
    the one-line summary on stderr. ``context`` is what the run knows beyond the report, for the formats."""
    from gcready.redact import redact
    from gcready.report import render

    report = redact(report)  # every value scrubbed before a format escapes it; scrub() stays the net
    for error in report.errors:
        err(f"error: {error}")

    def render_as(fmt: Format, color: bool) -> str:
        return render(report, fmt, color=color, verbose=out.verbose, context=context)

    if write_outputs(out, render_as):
        from gcready.report import VERDICT_HEADLINES, count_phrase

        err(f"{VERDICT_HEADLINES[report.verdict()]} ({count_phrase(report)}); exit {code}")
