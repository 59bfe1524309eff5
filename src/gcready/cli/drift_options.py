"""``--baseline``, ``--history`` and ``--history-keep`` for ``audit`` and ``diagnose``: runs compared with runs.

``--baseline OLD.json`` gates the run on its regressions against that report only (the rule is
:mod:`gcready.model.drift`'s): what already failed there is still reported, and does not fail the run.
``--history DIR`` keeps the run's JSON report in DIR (see :mod:`gcready.cli.history`) and gives the
report the earlier runs, so the HTML shows what changed since the previous run and the trend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import click

from gcready.cli.options import option_group, path_option
from gcready.cli.output import die, err

if TYPE_CHECKING:
    from gcready.model import Report
    from gcready.model.drift import HistoryView

DEFAULT_KEEP = 30


# The three options, for a command whose body builds a :class:`DriftRequest` from its params (each
# also reads its GCREADY_<OPTION> variable, as every option of the commands does).
drift_options = option_group(
    path_option(
        "--baseline",
        metavar="OLD.json",
        dir_okay=False,
        help="An earlier JSON report: the exit code counts only regressions against it (a status "
        "that got worse, a new fail/error/unknown); what already failed there is still reported.",
    ),
    path_option(
        "--history",
        "history_dir",
        metavar="DIR",
        file_okay=False,
        help="Keep this run's JSON report in DIR (gcready-YYYYMMDDTHHMMSSZ.json); the HTML report "
        "then shows what changed since the previous run and the trend of pass/fail/unknown counts.",
    ),
    click.option(
        "--history-keep",
        metavar="N",
        type=click.IntRange(min=1),
        default=DEFAULT_KEEP,
        show_default=True,
        help="Runs kept in --history DIR, this one included; older ones are deleted.",
    ),
)


@dataclass(frozen=True)
class DriftRequest:
    """What the three options asked for, with the baseline report already read and checked."""

    baseline: str | None = None
    baseline_document: dict[str, Any] | None = None
    history: Path | None = None
    keep: int = DEFAULT_KEEP

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The three options from click's parameters; a bad baseline file is exit 2 before any work."""
        from gcready.cli.diff import read_report

        baseline = params.get("baseline")
        history = params.get("history_dir")
        keep = params.get("history_keep", DEFAULT_KEEP)
        document = read_report(str(baseline)) if baseline else None
        return cls(
            baseline=str(baseline) if baseline else None,
            baseline_document=document,
            history=Path(str(history)) if history else None,
            keep=int(keep) if isinstance(keep, int) else DEFAULT_KEEP,
        )

    def apply(self, report: Report) -> Report:
        """The report with its baseline comparison and its history attached (files are read, not written)."""
        if self.baseline_document is None and self.history is None:
            return report
        from gcready.model.drift import BaselineUse, tolerated_count
        from gcready.redact import redact
        from gcready.report.drift import ReportFileError, compare
        from gcready.report.json_format import to_dict

        current = to_dict(redact(report))
        if self.baseline_document is not None and self.baseline is not None:
            try:
                drift = compare(
                    self.baseline_document, current, old_source=self.baseline, new_source="this run"
                )
            except ReportFileError as exc:
                die(str(exc))
            use = BaselineUse(self.baseline, drift, tolerated_count(report, drift))
            report = replace(report, baseline=use)
        if self.history is not None:
            report = replace(report, history=self.history_view(self.history, current))
        return report

    def history_view(self, folder: Path, current: dict[str, Any]) -> HistoryView:
        """The runs kept in ``folder`` and the changes since the newest, for this run's JSON ``current``.

        ``current`` may be a single or a fleet report: a fleet run passes its fleet JSON here.
        """
        from gcready.cli import history
        from gcready.limits import InputReadError, read_text
        from gcready.model.drift import HistoryView
        from gcready.report.drift import ReportFileError, compare, load_document

        points = []
        previous: tuple[str, dict[str, Any]] | None = None
        # the trend shows what retention keeps; the previous run is compared even with --history-keep 1
        for entry in history.entries(folder)[-max(self.keep - 1, 1) :]:
            try:
                document = load_document(read_text(str(entry.path)), str(entry.path))
            except InputReadError as exc:
                err(f"history: skipped {entry.path}: {exc}")  # one bad file must not stop the nightly run
                continue
            except ReportFileError as exc:
                err(f"history: skipped {exc}")
                continue
            if self.keep > 1:
                points.append(history.run_point(document, entry.path.name))
            previous = (entry.path.name, document)
        points.append(history.run_point(current))
        if previous is None:
            return HistoryView(str(folder), tuple(points))
        name, document = previous
        try:
            changes = compare(document, current, old_source=name, new_source="this run")
        except ReportFileError:
            changes = None  # a fleet run after a single one: nothing to compare finding by finding
        when = str(document.get("generated_at", ""))
        return HistoryView(str(folder), tuple(points), previous=name, changes=changes, previous_at=when)

    def record(self, report: Report) -> None:
        """Keep the run's JSON report in the history folder, then delete the oldest beyond the count."""
        if self.history is None:
            return
        from gcready.redact import redact, scrub
        from gcready.report import Format, render

        self.record_json(scrub(render(redact(report), Format.JSON)), report.generated_at)

    def record_json(self, text: str, generated_at: str) -> None:
        """Keep one run's JSON text (single or fleet report) in the history folder, then apply retention."""
        if self.history is None:
            return
        from gcready.cli import history

        try:
            history.record(self.history, text, generated_at)
            history.prune(self.history, self.keep)
        except OSError as exc:
            die(f"{self.history}: cannot keep the history: {exc.strerror or exc}")

    def summarise(self, report: Report, code: int, quiet: bool) -> None:
        """The stderr line that says a baseline was used and how many regressions it found."""
        if quiet or report.baseline is None:
            return
        from gcready.report.drift_formats import baseline_phrase

        err(f"{baseline_phrase(report.baseline)}; exit {code}")
