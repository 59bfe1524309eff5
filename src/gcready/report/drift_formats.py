"""Drift as a person or a program reads it: text (a terminal, a log), JSON, Markdown (a ticket, a PR comment).

Each is a pure function ``Drift -> str``. Regressions come first in every format, and each is marked, so
the reason ``gcready diff`` exited 3 is the first thing read. The strings here come from report files;
the CLI scrubs the output for secrets, and these renderers make control characters and Markdown
markup inert.
"""

from __future__ import annotations

import enum
import json
import re
from typing import assert_never

from gcready.model import JSON, Status, fields_json
from gcready.model.drift import BaselineUse, ChangeKind, DeploymentDrift, Drift, FindingChange, RunSide

DRIFT_SCHEMA = "gcready-drift/1"


class DriftFormat(enum.StrEnum):
    """``gcready diff --format`` choices."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def render_drift(drift: Drift, fmt: DriftFormat) -> str:
    """The drift in one format."""
    match fmt:
        case DriftFormat.TEXT:
            return render_text(drift)
        case DriftFormat.JSON:
            return render_json(drift)
        case DriftFormat.MARKDOWN:
            return render_markdown(drift)
        case _:
            assert_never(fmt)


# Findings in the order a reader needs them: what broke, then what got fixed, then the rest.
SECTIONS: tuple[tuple[ChangeKind, str], ...] = (
    (ChangeKind.NEW_FAILURE, "New failures"),
    (ChangeKind.STATUS, "Status changes"),
    (ChangeKind.APPEARED, "New findings"),
    (ChangeKind.FIXED, "Fixed"),
    (ChangeKind.DISAPPEARED, "No longer reported"),
)


def summary_line(drift: Drift) -> str:
    """``2 regressions, 5 changes``: the one-line answer."""
    count = drift.regression_count
    changes = (
        sum(_change_count(d) for d in drift.deployments)
        + len(drift.deployments_appeared)
        + len(drift.deployments_disappeared)
    )
    if not drift.changed:
        return "no change"
    regressions = f"{count} regression" + ("" if count == 1 else "s") if count else "no regression"
    return f"{regressions}, {changes} change" + ("" if changes == 1 else "s")


def _change_count(d: DeploymentDrift) -> int:
    lists = (
        d.findings,
        d.evidence,
        d.buckets_appeared,
        d.buckets_disappeared,
        d.components_appeared,
        d.components_disappeared,
        d.errors_appeared,
        d.errors_disappeared,
    )
    return sum(len(items) for items in lists) + (d.old_type != d.new_type)


def baseline_phrase(baseline: BaselineUse) -> str:
    """What a report says about its baseline: which, and how many regressions against it."""
    count = baseline.regressions
    when = f" of {baseline.drift.old.generated_at}" if baseline.drift.old.generated_at else ""
    found = f"{count} regression" + ("" if count == 1 else "s")
    tolerated = baseline.tolerated
    already = (
        f"; {tolerated} fail/unknown finding" + (" was" if tolerated == 1 else "s were") + " already there"
        if tolerated
        else ""
    )
    return f"Baseline {baseline.source}{when}: {found}{already}; only regressions decide the exit code"


# --- text --------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _clean(text: str) -> str:
    """Control and bidi characters written out, so a value cannot rewrite the terminal line."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _side(side: RunSide) -> str:
    parts = [p for p in (side.generated_at, side.verdict) if p]
    return _clean(side.source) + (f" ({', '.join(parts)})" if parts else "")


def _status(status: Status | None) -> str:
    return status.value if status is not None else "none"


def _text_change(change: FindingChange) -> str:
    mark = "REGRESSION " if change.regression else ""
    shown = change.new if change.new is not None else change.old
    tag = f"[{_status(shown).upper()}]"
    title = f": {_clean(change.title)}" if change.title else ""
    return (
        f"  {mark}{tag} {_clean(change.check)} on {_clean(change.resource)}{title}"
        f" ({_status(change.old)} -> {_status(change.new)})"
    )


def _inventory_changes(d: DeploymentDrift) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The buckets and components that appeared or disappeared, each list under its heading."""
    return (
        ("Buckets appeared", d.buckets_appeared),
        ("Buckets disappeared", d.buckets_disappeared),
        ("Components appeared", d.components_appeared),
        ("Components disappeared", d.components_disappeared),
    )


def _text_deployment(d: DeploymentDrift, indent: str = "") -> list[str]:
    lines: list[str] = []
    if d.old_type != d.new_type and d.old_type is not None and d.new_type is not None:
        lines += [f"Deployment type: {_clean(d.old_type)} -> {_clean(d.new_type)}", ""]
    for heading, items in (
        ("New input errors (REGRESSION)", d.errors_appeared),
        ("Input errors gone", d.errors_disappeared),
    ):
        if items:
            lines += [f"{heading}:", *(f"  {_clean(i)}" for i in items), ""]
    for kind, heading in SECTIONS:
        changes = d.of_kind(kind)
        if changes:
            ordered = sorted(changes, key=lambda c: not c.regression)
            lines += [f"{heading}:", *(_text_change(c) for c in ordered), ""]
    if d.evidence:
        lines.append("Evidence changed:")
        for e in d.evidence:
            lines.append(
                f"  {_clean(e.resource)}: {_clean(e.label)}: {_clean(e.old or '(none)')} -> {_clean(e.new or '(none)')}"
                f"  [{_clean(e.check)}]"
            )
        lines.append("")
    for heading, names in _inventory_changes(d):
        if names:
            lines += [f"{heading}:", *(f"  {_clean(n)}" for n in names), ""]
    return [f"{indent}{line}" if line else "" for line in lines]


def render_text(drift: Drift) -> str:
    """Drift for a terminal: the summary first, then each kind of change; regressions marked."""
    lines = [
        f"gcready diff: {summary_line(drift)}",
        f"  from {_side(drift.old)}",
        f"  to   {_side(drift.new)}",
        "",
    ]
    if drift.fleet:
        for heading, names in (
            ("Deployments appeared", drift.deployments_appeared),
            ("Deployments disappeared", drift.deployments_disappeared),
        ):
            if names:
                lines += [f"{heading}: {', '.join(_clean(n) for n in names)}", ""]
        for d in drift.deployments:
            if not d.changed:
                continue
            verdicts = f"{d.old_verdict or 'absent'} -> {d.new_verdict or 'absent'}"
            lines += [f"== {_clean(d.name)} ({verdicts})", *_text_deployment(d, "  ")]
    else:
        lines += _text_deployment(drift.deployments[0])
    return "\n".join(lines).rstrip("\n") + "\n"


# --- JSON --------------------------------------------------------------------------------------------


def _json_change(change: FindingChange) -> dict[str, JSON]:
    return {
        "kind": change.kind.value,
        **fields_json(change, "check", "resource", "title"),
        "old": change.old.value if change.old is not None else None,
        "new": change.new.value if change.new is not None else None,
        "regression": change.regression,
    }


def _json_deployment(d: DeploymentDrift) -> dict[str, JSON]:
    return {
        **fields_json(d, "name", "old_verdict", "new_verdict", "old_type", "new_type"),
        "regressions": len(d.regressions) + len(d.errors_appeared),
        "findings": [_json_change(c) for c in d.findings],
        "evidence": [
            {"check": e.check, "resource": e.resource, "label": e.label, "old": e.old, "new": e.new}
            for e in d.evidence
        ],
        "buckets": {"appeared": list(d.buckets_appeared), "disappeared": list(d.buckets_disappeared)},
        "components": {
            "appeared": list(d.components_appeared),
            "disappeared": list(d.components_disappeared),
        },
        "errors": {"appeared": list(d.errors_appeared), "disappeared": list(d.errors_disappeared)},
    }


def to_dict(drift: Drift) -> dict[str, JSON]:
    """Drift as plain JSON values (``gcready-drift/1``)."""
    return {
        "schema": DRIFT_SCHEMA,
        "old": {
            "source": drift.old.source,
            "generated_at": drift.old.generated_at,
            "verdict": drift.old.verdict,
        },
        "new": {
            "source": drift.new.source,
            "generated_at": drift.new.generated_at,
            "verdict": drift.new.verdict,
        },
        **fields_json(drift, "fleet", "regressed"),
        "regressions": drift.regression_count,
        "deployments_appeared": list(drift.deployments_appeared),
        "deployments_disappeared": list(drift.deployments_disappeared),
        "deployments": [_json_deployment(d) for d in drift.deployments],
    }


def render_json(drift: Drift) -> str:
    """Drift as indented JSON with a trailing newline."""
    return json.dumps(to_dict(drift), indent=2, ensure_ascii=False) + "\n"


# --- Markdown ----------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")  # the rest are special only at a line start


def _md(text: str) -> str:
    """Plain text that Markdown shows as written: markup and HTML escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", _clean(text).replace("\n", " "))


def _code(text: str) -> str:
    """A code span that holds any text, backticks included (the fence is longer than any run inside)."""
    text = _clean(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_change(change: FindingChange) -> str:
    mark = "**regression** " if change.regression else ""
    title = f": {_md(change.title)}" if change.title else ""
    return (
        f"- {mark}{_code(change.check)} on {_code(change.resource)}{title} "
        f"({_status(change.old)} → **{_status(change.new)}**)"
    )


def _md_deployment(d: DeploymentDrift, level: str) -> list[str]:
    lines: list[str] = []
    if d.old_type != d.new_type and d.old_type is not None and d.new_type is not None:
        lines += [f"Deployment type: {_code(d.old_type)} → {_code(d.new_type)}", ""]
    if d.errors_appeared:
        lines += [
            f"{level} New input errors (regression)",
            "",
            *(f"- {_code(e)}" for e in d.errors_appeared),
            "",
        ]
    if d.errors_disappeared:
        lines += [f"{level} Input errors gone", "", *(f"- {_code(e)}" for e in d.errors_disappeared), ""]
    for kind, heading in SECTIONS:
        changes = d.of_kind(kind)
        if changes:
            ordered = sorted(changes, key=lambda c: not c.regression)
            lines += [f"{level} {heading}", "", *(_md_change(c) for c in ordered), ""]
    if d.evidence:
        lines += [f"{level} Evidence changed", ""]
        lines += [
            f"- {_code(e.resource)} {_md(e.label)}: {_code(e.old or '(none)')} → {_code(e.new or '(none)')}"
            for e in d.evidence
        ]
        lines.append("")
    for heading, names in _inventory_changes(d):
        if names:
            lines += [f"{level} {heading}", "", *(f"- {_code(n)}" for n in names), ""]
    return lines


def render_markdown(drift: Drift) -> str:
    """Drift for a ticket or a pull-request comment (GitHub-flavoured Markdown)."""
    lines = [
        f"## gcready diff: {_md(summary_line(drift))}",
        "",
        f"From {_code(drift.old.source)} ({_md(drift.old.generated_at or 'undated')}, {_md(drift.old.verdict or 'no verdict')})"
        f" to {_code(drift.new.source)} ({_md(drift.new.generated_at or 'undated')}, {_md(drift.new.verdict or 'no verdict')}).",
        "",
    ]
    if not drift.changed:
        lines.append("Nothing changed.")
    elif drift.fleet:
        if drift.deployments_appeared:
            lines += [f"Deployments appeared: {', '.join(_code(n) for n in drift.deployments_appeared)}", ""]
        if drift.deployments_disappeared:
            lines += [
                f"Deployments disappeared: {', '.join(_code(n) for n in drift.deployments_disappeared)}",
                "",
            ]
        for d in drift.deployments:
            if d.changed:
                verdicts = f"{d.old_verdict or 'absent'} → {d.new_verdict or 'absent'}"
                lines += [f"### Deployment {_code(d.name)} ({_md(verdicts)})", "", *_md_deployment(d, "####")]
    else:
        lines += _md_deployment(drift.deployments[0], "###")
    return "\n".join(lines).rstrip("\n") + "\n"
