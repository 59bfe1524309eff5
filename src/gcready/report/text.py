"""The text report, for a terminal and for logs.

The first line is the verdict, so ``gcready audit ... | head -1`` answers the question. By default the
report fits on a screen: what needs attention (errors, fails, unknowns, warnings, most serious first), each
with its reason, location and first fix; passes one line each; skips and infos summed up in one line.
``verbose`` shows every block, with all evidence and every fix. Nothing is wrapped:
commands and Terraform blocks keep their lines so they can be copied, and every line of a fix is indented
by the same amount so its own indentation survives. Colour (ANSI) goes on status tags only and only when
asked; the CLI decides (``NO_COLOR``, not a tty, ``--color/--no-color``).
"""

from __future__ import annotations

import re

import click

from gcready.model import (
    STATUS_ORDER,
    DecidedBy,
    DeploymentType,
    Fact,
    Finding,
    Origin,
    Report,
    RequirementView,
    Severity,
    Status,
    worst,
)
from gcready.report import count_phrase, decided_by_phrase, first_location, group_by_check, headline

# Colour per status (click.style): bold for what blocks readiness, plain colour for the rest.
_COLORS: dict[Status, tuple[str | None, bool]] = {
    Status.ERROR: ("magenta", True),
    Status.FAIL: ("red", True),
    Status.UNKNOWN: ("yellow", True),
    Status.WARN: ("yellow", False),
    Status.PASS: ("green", False),
    Status.INFO: ("cyan", False),
    Status.SKIP: (None, False),
}

# Control characters from input files must not reach a terminal (escape sequences), except tab/newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_STEP = "  "


_ATTENTION = (Status.ERROR, Status.FAIL, Status.UNKNOWN, Status.WARN)
_SEVERITY_ORDER = tuple(Severity)  # critical first


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    """The report as plain text; ``color`` adds ANSI colours to the status tags.

    ``verbose`` gives every finding in full (all evidence, every fix); the default is the short form.
    """
    if not verbose:
        return _short(report, color)
    lines: list[str] = [f"gcready: {_clean(headline(report))}", *_baseline(report), ""]
    lines += _diagnosis(report, color)
    lines += _deployment(report)
    lines += _requirements(report)
    lines += _findings(report, color)
    lines += _notes(report)
    lines += _errors(report)
    lines += _footer(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def _baseline(report: Report) -> list[str]:
    """The line saying the run was gated against a baseline, and how many regressions it found."""
    if report.baseline is None:
        return []
    from gcready.report.drift_formats import baseline_phrase

    return [_clean(baseline_phrase(report.baseline))]


def _tag(status: Status, color: bool) -> str:
    tag = f"[{status.value.upper()}]"
    if not color:
        return tag
    fg, bold = _COLORS[status]
    return click.style(tag, fg=fg, bold=bold or None, dim=fg is None or None)


def _clean(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _origin(origin: Origin | None) -> str:
    return f"  [{_clean(str(origin))}]" if origin is not None else ""


def _block(text: str, indent: str) -> list[str]:
    """Each line of ``text`` behind the same indent (blank lines stay blank, so nothing trails)."""
    return [f"{indent}{line}" if line.strip() else "" for line in _clean(text).splitlines()]


def _fact(fact: Fact, indent: str) -> list[str]:
    first, *rest = _clean(fact.value).splitlines() or [""]
    out = [f"{indent}{_clean(fact.label)}: {first}{_origin(fact.origin)}"]
    out += [f"{indent}{_STEP * 2}{line}" for line in rest]
    return out


def _type_named(report: Report) -> str:
    """The decided deployment type with its label; ``""`` when no type was decided."""
    deployment = report.deployment
    if deployment.type is None:
        return ""
    label = next((v.label for v in report.applicable if v.deployment is deployment.type), "")
    return f"{deployment.type.value} ({label})" if label else deployment.type.value


def _deployment(report: Report) -> list[str]:
    deployment = report.deployment
    named = _type_named(report) or "unknown"
    lines = [f"Deployment: {named}, {decided_by_phrase(deployment.decided_by)}"]
    if deployment.type is None and deployment.candidates:
        names = [t.value for t in DeploymentType if t in deployment.candidates]
        lines.append(f"{_STEP}could be: {', '.join(names)}")
    for fact in deployment.evidence:
        lines += _fact(fact, _STEP)
    if deployment.conflicts:
        lines.append("Conflicting evidence:")
        for conflict in deployment.conflicts:
            first, *rest = _clean(conflict).splitlines() or [""]
            lines.append(f"{_STEP}! {first}")
            lines += [f"{_STEP}  {line}" for line in rest]
    lines.append("")
    return lines


def _requirements(report: Report) -> list[str]:
    where = f"profile {report.requirements_version}, {report.requirements_origin}"
    if not report.applicable:
        return [f"Requirements ({_clean(where)}): none apply until the deployment type is known", ""]
    heading = (
        "Requirements that apply" if len(report.applicable) == 1 else "Requirements of each candidate type"
    )
    lines = [f"{heading} ({_clean(where)}):"]
    for view in report.applicable:
        lines.append(f"{_STEP}{_clean(view.label)} ({view.deployment.value}): {_row(view, report.env_var)}")
        if view.note:
            lines += _block(view.note, _STEP * 2)
    lines.append("")
    return lines


def _row(view: RequirementView, env_var: str) -> str:
    env = "required" if view.env_var else "not required"
    versioning = "required" if view.versioning else "not required"
    return f"{env_var}=true {env}; bucket versioning {versioning}"


def _diagnosis(report: Report, color: bool) -> list[str]:
    """`gcready diagnose`: the ranked causes first, each with its evidence and fixes."""
    diagnosis = report.diagnosis
    if diagnosis is None:
        return []
    lines = ["Why deletes are stuck:", f"{_STEP}{_clean(diagnosis.headline)}", ""]
    for cause in diagnosis.causes:
        mark = "" if cause.confirmed else " (not confirmed)"
        lines.append(f"{cause.rank}. [{cause.tier}]{mark} {_clean(cause.title)}")
        lines += _block(cause.explanation, _STEP * 2)
        for finding in cause.findings:
            lines += _finding(finding, color)
        lines.append("")
    if diagnosis.unseen:
        lines.append("Causes gcready cannot see from storage or configuration, and how to check them:")
        for unseen in diagnosis.unseen:
            lines.append(f"{_STEP}- {_clean(unseen.title)}")
            lines += _block(unseen.detail, _STEP * 2)
            lines += _block("how to check: " + unseen.how_to_check, _STEP * 2)
        lines.append("")
    return lines


def _findings(report: Report, color: bool) -> list[str]:
    if not report.findings:
        return ["No findings: no check ran.", ""]
    lines = [f"Findings ({count_phrase(report)}):", ""]
    for check, findings in group_by_check(report.findings):
        counted = [f.status for f in findings if f.waiver is None]
        status = worst(counted or [f.status for f in findings])
        lines.append(f"{_clean(check)} {_tag(status, color)}" + ("" if counted else " (waived)"))
        for finding in findings:
            lines += _finding(finding, color)
        lines.append("")
    return lines


def _finding(finding: Finding, color: bool) -> list[str]:
    tag = _tag(finding.status, color)
    # Body lines sit under the title, past the tag (the width of "[UNKNOWN] " at most).
    body = _STEP * 2
    lines = [f"{_STEP}{tag} {_clean(finding.title)}"]
    if finding.resource:
        lines.append(f"{body}resource: {_clean(finding.resource)}")
    meta = [f"severity: {finding.severity.value}"]
    if finding.requirement:
        meta.append(f"requirement: {_clean(finding.requirement)}")
    lines.append(f"{body}{'; '.join(meta)}")
    lines += _waived_lines(finding, body)
    if finding.detail:
        lines += _block(finding.detail, body)
    if finding.evidence:
        lines.append(f"{body}evidence:")
        for fact in finding.evidence:
            lines += _fact(fact, body + _STEP)
    if finding.needs:
        lines.append(f"{body}needs: {_clean(finding.needs)}")
    for fix in finding.fixes:
        title = f": {_clean(fix.title)}" if fix.title else ""
        lines.append(f"{body}fix ({fix.kind.value}){title}")
        lines += _block(fix.text, body + _STEP * 2)
    return lines


def _notes(report: Report) -> list[str]:
    if not report.notes:
        return []
    lines = ["Notes:"]
    for note in report.notes:
        first, *rest = _clean(note.text).splitlines() or [""]
        lines.append(f"{_STEP}- {first}{_origin(note.origin)}")
        lines += [f"{_STEP}  {line}" for line in rest]
    lines.append("")
    return lines


def _errors(report: Report) -> list[str]:
    if not report.errors:
        return []
    lines = ["Input errors (fix these, then run again):"]
    lines += [f"{_STEP}- {_clean(str(error))}" for error in report.errors]
    lines.append("")
    return lines


def _footer(report: Report) -> list[str]:
    lines: list[str] = []
    if report.inputs:
        inputs = ", ".join(f"{_clean(i.path)} ({i.kind.value})" for i in report.inputs)
        lines.append(f"Inputs: {inputs}")
    mode = "offline" if report.offline else "live"
    lines.append(f"gcready {report.tool_version} {report.command}, {mode}, {_clean(report.generated_at)}")
    return lines


def by_severity(findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    """Most serious first: by status (error, fail, unknown, warn…), then severity, then as found."""
    return sorted(findings, key=lambda f: (STATUS_ORDER.index(f.status), _SEVERITY_ORDER.index(f.severity)))


def _short(report: Report, color: bool) -> str:
    lines: list[str] = [f"gcready: {_clean(headline(report))}", *_baseline(report)]
    if report.errors:
        lines.append("Input errors (fix these, then run again):")
        lines += [f"{_STEP}- {_clean(str(error))}" for error in report.errors]
    if report.errors and not report.inputs:  # nothing was read: the errors are the whole story
        lines += _footer(report)
        return "\n".join(lines) + "\n"
    lines += _short_deployment(report)
    if report.diagnosis is not None:
        lines += _short_diagnosis(report, color)
    # in diagnose, what a cause already showed is not repeated; every other fail or unknown still is
    shown = [f for c in report.diagnosis.causes for f in c.findings] if report.diagnosis else []
    counted = report.counted()
    attention = by_severity([f for f in counted if f.status in _ATTENTION and f not in shown])
    if attention:
        lines.append("" if report.diagnosis is None else "Also needs attention:")
        for finding in attention:
            lines += _short_finding(finding, color)
    lines += _short_waived(report, color)
    passed = [f for f in report.findings if f.status is Status.PASS]
    if passed:
        lines += ["", "Passed:"]
        lines += [
            f"{_STEP}{_tag(f.status, color)} {_clean(f.check)}: {_clean(f.title)}{_resource_suffix(f)}"
            f"{_origin(first_location(f))}"
            for f in passed
        ]
    rest = [f for f in report.findings if f.status in (Status.INFO, Status.SKIP)]
    if rest:
        counts = ", ".join(
            f"{sum(1 for f in rest if f.status is status)} {status.value}"
            for status in (Status.INFO, Status.SKIP)
            if any(f.status is status for f in rest)
        )
        checks = ", ".join(dict.fromkeys(_clean(f.check) for f in rest))
        lines += ["", f"Not shown ({counts}): {checks}; --verbose shows them"]
    if report.notes:
        n = len(report.notes)
        lines.append(f"{n} note{'' if n == 1 else 's'} on the inputs; --verbose shows them")
    lines.append("")
    lines += _footer(report)
    return "\n".join(lines) + "\n"


def _short_deployment(report: Report) -> list[str]:
    deployment = report.deployment
    named = _type_named(report)
    if not named:
        names = [t.value for t in DeploymentType if t in deployment.candidates]
        named = "unknown" + (f" (could be: {', '.join(names)})" if names else "")
    how = {
        DecidedBy.EVIDENCE: "from the evidence",
        DecidedBy.OVERRIDE: "stated with --deployment",
        DecidedBy.UNDECIDED: "not decided by the evidence",
    }[deployment.decided_by]
    lines = [f"Deployment: {named}, {how}"]
    lines += [f"{_STEP}! {_clean(c.splitlines()[0] if c else '')}" for c in deployment.conflicts]
    if len(report.applicable) == 1:
        lines.append(f"Requires: {_row(report.applicable[0], report.env_var)}")
    elif not report.applicable:
        lines.append("Requires: nothing until the deployment type is known")
    return lines


def _short_diagnosis(report: Report, color: bool) -> list[str]:
    diagnosis = report.diagnosis
    assert diagnosis is not None
    lines = ["", f"Why deletes are stuck: {_clean(diagnosis.headline)}"]
    for cause in diagnosis.causes:
        mark = "" if cause.confirmed else " (not confirmed)"
        for i, finding in enumerate(cause.findings):
            first, *rest = _short_finding(finding, color)
            lines.append(f"{cause.rank}. [{cause.tier}]{mark} {first}" if i == 0 else first)
            lines += rest
    if diagnosis.unseen:
        titles = "; ".join(_clean(u.title) for u in diagnosis.unseen)
        lines.append(f"Not visible in any setting (--verbose says how to check each): {titles}")
    return lines


def _resource_suffix(finding: Finding) -> str:
    if (
        not finding.resource
        or finding.resource in finding.title
        or finding.resource in ("deployment", "bucket")
    ):
        return ""
    return f" ({_clean(finding.resource)})"


def _short_finding(finding: Finding, color: bool) -> list[str]:
    body = _STEP * 2
    lines = [
        f"{_tag(finding.status, color)} {_clean(finding.check)}: {_clean(finding.title)}{_resource_suffix(finding)}"
    ]
    reason = next((line for line in finding.detail.splitlines() if line.strip()), "")
    if reason:
        lines.append(f"{body}{_clean(reason)}")
    where = first_location(finding)
    if where is not None:
        lines.append(f"{body}at {_clean(str(where))}")
    if finding.needs:
        lines.append(f"{body}needs: {_clean(finding.needs)}")
    if finding.fixes:
        fix = finding.fixes[0]
        title = f": {_clean(fix.title)}" if fix.title else ""
        lines.append(f"{body}fix ({fix.kind.value}){title}")
        lines += _block(fix.text, body + _STEP * 2)
        kinds = [f.kind.value for f in finding.fixes[1:]]
        if kinds:
            counted = [f"{kinds.count(k)} {k}" if kinds.count(k) > 1 else k for k in dict.fromkeys(kinds)]
            lines.append(f"{body}other fixes: {', '.join(counted)} (--verbose, or the HTML report)")
    return lines


def _waived_lines(finding: Finding, indent: str) -> list[str]:
    """``waived: reason (expires …, ticket …, owner …)`` and where the waiver is written."""
    if finding.waiver is None:
        return []
    lines = [f"{indent}waived: {_clean(finding.waiver.describe())}"]
    if finding.waiver.origin is not None:
        lines.append(f"{indent}waiver at {_clean(str(finding.waiver.origin))}")
    return lines


def _short_waived(report: Report, color: bool) -> list[str]:
    """Accepted exceptions, one block each: what was found, and the waiver that accepts it."""
    waived = by_severity(list(report.waived()))
    if not waived:
        return []
    lines = ["", "Waived (accepted; not counted towards the verdict):"]
    for f in waived:
        lines.append(
            f"{_STEP}{_tag(f.status, color)} {_clean(f.check)}: {_clean(f.title)}{_resource_suffix(f)}"
        )
        lines += _waived_lines(f, _STEP * 3)
    return lines
