"""Report formats: each is a pure function ``Report -> str``; the CLI does the file I/O.

The formats are imported when first used, so ``gcready --help`` and text/JSON audits never pay for
jinja2 (only the HTML renderer imports it). What every format says the same way (the verdict sentence,
the counts, the grouping of findings by check) lives here.
"""

from __future__ import annotations

from typing import assert_never

from gcready.enums import Format as Format  # re-exported: a leaf, for the CLI
from gcready.model import BLOCKING_TIERS, STATUS_ORDER, DecidedBy, Finding, Origin, Report, Verdict
from gcready.report.context import RunContext


def render(
    report: Report,
    fmt: Format,
    *,
    color: bool = False,
    verbose: bool = False,
    context: RunContext | None = None,
) -> str:
    """Render a report in one format. ``color`` and ``verbose`` only affect text (ANSI on status tags;
    every finding in full instead of the short form). ``context`` holds what the run knows beyond the
    report (:class:`~gcready.report.context.RunTiming`…), for the formats that read it."""
    match fmt:
        case Format.TEXT:
            from gcready.report import text

            return text.render(report, color=color, verbose=verbose)
        case Format.JSON:
            from gcready.report import json_format

            return json_format.render(report)
        case Format.HTML:
            from gcready.report import html

            return html.render(report)
        case Format.SARIF:
            from gcready.report import sarif

            return sarif.render(report)
        case Format.JUNIT:
            from gcready.report import junit

            return junit.render(report)
        case Format.OPENMETRICS:
            from gcready.report import openmetrics

            return openmetrics.render(report, context)
        case _:
            assert_never(fmt)


# What each verdict means to the reader, in the words every format uses.
VERDICT_HEADLINES: dict[str, str] = {
    "pass": "READY for artifact garbage collection",
    "fail": "NOT READY for artifact garbage collection",
    "unknown": "CANNOT CONFIRM readiness for artifact garbage collection",
    "error": "INPUT ERROR: the audit could not read all its inputs",
}


def count_phrase(report: Report) -> str:
    """``1 input error, 2 fail, 1 unknown, 3 pass, 1 waived``: the non-zero counts, most serious first."""
    parts: list[str] = []
    if report.errors:
        n = len(report.errors)
        parts.append(f"{n} input error" + ("" if n == 1 else "s"))
    counts = report.counts()
    parts.extend(f"{counts[status]} {status.value}" for status in STATUS_ORDER if counts[status])
    if waived := len(report.waived()):
        parts.append(f"{waived} waived")  # accepted exceptions: shown, not counted above
    return ", ".join(parts) if parts else "no findings"


# `diagnose` on a deployment that meets the requirements but whose deletes are held by the storage side
# (immutability, legal hold, Object Lock…): "READY" alone would contradict the most likely cause below it.
BLOCKED_HEADLINE = "READY by the requirements, but deletes are held: {cause}"


def headline(report: Report) -> str:
    """The verdict sentence: ``NOT READY for artifact garbage collection — 1 fail, 1 unknown``."""
    verdict = report.verdict()
    if verdict is Verdict.PASS and report.diagnosis is not None:
        held = [c for c in report.diagnosis.causes if c.confirmed and c.tier in BLOCKING_TIERS]
        if held:
            return f"{BLOCKED_HEADLINE.format(cause=held[0].title)} — {count_phrase(report)}"
    return f"{VERDICT_HEADLINES[verdict]} — {count_phrase(report)}"


def group_by_check(findings: tuple[Finding, ...]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by check id, checks in the order they ran, findings in their own order."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.check, []).append(finding)
    return list(groups.items())


def decided_by_phrase(decided_by: DecidedBy) -> str:
    """How the deployment type was settled, for a reader."""
    return {
        DecidedBy.EVIDENCE: "decided by the evidence below",
        DecidedBy.OVERRIDE: "stated on the command line (--deployment)",
        DecidedBy.UNDECIDED: "not decided: the evidence does not tell",
    }[decided_by]


def first_location(finding: Finding) -> Origin | None:
    """Where to look first: the first piece of evidence with a line, else the first with an origin."""
    origins = [fact.origin for fact in finding.evidence if fact.origin is not None]
    return next((o for o in origins if o.line is not None), origins[0] if origins else None)
