"""What the HTML report shows of ``--history`` and ``--baseline``: the changes since the previous run, the
trend of pass/fail/unknown counts as an inline SVG chart (geometry computed here, drawn by the template),
and the baseline line. Plain strings, numbers, lists and dicts for the template.

The chart uses ``currentColor`` for axes and text and the report's CSS variables for the series, so it
follows dark mode; each series also has its own dash pattern and marker shape, so it reads in grey on paper.
"""

from __future__ import annotations

from typing import Any

from gcready.model import fields_json
from gcready.model.drift import BaselineUse, ChangeKind, DeploymentDrift, Drift, HistoryView, RunPoint
from gcready.report.drift_formats import SECTIONS, baseline_phrase, summary_line

# Chart box, in SVG user units (the SVG scales to the page width).
WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 28, 34
SERIES: tuple[tuple[str, str], ...] = (("fail", "fail"), ("unknown", "unknown"), ("pass", "pass"))


def baseline_context(baseline: BaselineUse | None) -> str:
    """The banner's sentence about the baseline, or empty."""
    return baseline_phrase(baseline) if baseline is not None else ""


def history_context(history: HistoryView | None) -> dict[str, Any] | None:
    """The history section's data, or None without ``--history``."""
    if history is None:
        return None
    return {
        "folder": history.folder,
        "previous": history.previous or "",
        "previous_at": history.previous_at,
        "comparable": history.changes is not None,
        "changes": _changes(history.changes) if history.changes is not None else None,
        "chart": chart(history.runs),
        "runs": [
            {
                "when": r.generated_at,
                "current": not r.source,
                "verdict": r.verdict,
                "pass": r.passed,
                "fail": r.failed,
                "unknown": r.unknown,
            }
            for r in history.runs
        ],
    }


def _changes(drift: Drift) -> dict[str, Any]:
    findings: list[dict[str, Any]] = []
    evidence: list[dict[str, str]] = []
    others: list[str] = []
    for d in drift.deployments:
        findings += _finding_changes(d, drift.fleet)
        prefix = f"{d.name}: " if drift.fleet else ""
        evidence += [
            {
                "where": prefix + e.resource,
                "label": e.label,
                "old": e.old if e.old is not None else "(none)",
                "new": e.new if e.new is not None else "(none)",
            }
            for e in d.evidence
        ]
        for words, names in (
            ("Bucket appeared", d.buckets_appeared),
            ("Bucket disappeared", d.buckets_disappeared),
            ("Component appeared", d.components_appeared),
            ("Component disappeared", d.components_disappeared),
            ("New input error", d.errors_appeared),
            ("Input error gone", d.errors_disappeared),
        ):
            others += [f"{prefix}{words}: {name}" for name in names]
        if d.old_type != d.new_type and d.old_type and d.new_type:
            others.append(f"{prefix}Deployment type: {d.old_type} → {d.new_type}")
    others += [f"Deployment appeared: {n}" for n in drift.deployments_appeared]
    others += [f"Deployment disappeared: {n}" for n in drift.deployments_disappeared]
    return {
        "summary": summary_line(drift),
        "regressions": drift.regression_count,
        "findings": findings,
        "evidence": evidence,
        "others": others,
        "any": bool(findings or evidence or others),
    }


_ONE_CHANGE: dict[ChangeKind, str] = {
    ChangeKind.NEW_FAILURE: "new failure",
    ChangeKind.STATUS: "status changed",
    ChangeKind.APPEARED: "new finding",
    ChangeKind.FIXED: "fixed",
    ChangeKind.DISAPPEARED: "no longer reported",
}


def _finding_changes(d: DeploymentDrift, fleet: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind, _ in SECTIONS:
        for c in sorted(d.of_kind(kind), key=lambda c: not c.regression):
            out.append(
                {
                    "kind": _ONE_CHANGE[kind],
                    **fields_json(c, "regression", "check"),
                    "resource": (f"{d.name}: " if fleet else "") + c.resource,
                    "title": c.title,
                    "old": c.old.value if c.old is not None else "",
                    "new": c.new.value if c.new is not None else "",
                }
            )
    return out


def chart(runs: tuple[RunPoint, ...]) -> dict[str, Any]:
    """Polyline points and markers for each series, the y-axis ticks and the x labels: one point per run."""
    n = len(runs)
    top = max([1, *(max(r.passed, r.failed, r.unknown) for r in runs)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + (plot_w / 2 if n == 1 else i * plot_w / (n - 1)), 1)

    def y(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    series = []
    for name, status in SERIES:
        values = [{"pass": r.passed, "fail": r.failed, "unknown": r.unknown}[status] for r in runs]
        points = [
            {"x": x(i), "y": y(v), "value": v, "label": f"{runs[i].generated_at or 'this run'}: {v} {status}"}
            for i, v in enumerate(values)
        ]
        series.append(
            {"name": name, "points": points, "line": " ".join(f"{p['x']},{p['y']}" for p in points)}
        )
    ticks = sorted({0, top, top // 2})
    # the first and last labels hang inwards, so neither is cut at the chart's edge
    anchors = ["start", *["middle"] * (n - 2), "end"] if n > 1 else ["middle"]
    labels = [{"x": x(i), "text": _day(r.generated_at), "anchor": anchors[i]} for i, r in enumerate(runs)]
    if n > 8:  # at most about eight dates under the axis, always the first and the last
        step = -(-n // 8)
        labels = [label for i, label in enumerate(labels) if i % step == 0 or i == n - 1]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "series": series,
        "ticks": [{"y": y(t), "text": str(t)} for t in ticks],
        "labels": labels,
        "label_y": HEIGHT - BOTTOM + 16,
        "runs": n,
        "description": _description(runs),
    }


def _day(generated_at: str) -> str:
    """``2026-12-01T12:00:00Z`` -> ``12-01 12:00``: short enough for an axis label."""
    if len(generated_at) >= 16 and generated_at[4] == "-" and generated_at[10] == "T":
        return f"{generated_at[5:10]} {generated_at[11:16]}"
    return generated_at[:11] or "this run"


def _description(runs: tuple[RunPoint, ...]) -> str:
    """The chart in words, for screen readers and for its title."""
    first, last = runs[0], runs[-1]
    runs_word = "run" if len(runs) == 1 else "runs"
    return (
        f"pass, fail and unknown findings over {len(runs)} {runs_word}: "
        f"from {first.passed} pass, {first.failed} fail, {first.unknown} unknown "
        f"to {last.passed} pass, {last.failed} fail, {last.unknown} unknown"
    )
