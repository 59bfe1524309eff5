"""The HTML report: one self-contained file a support engineer can read, print and attach to a ticket.

Laid out like the short text report: the verdict banner, then what needs attention (input errors,
fails, unknowns, warnings, most serious first), each with its reason, location and fixes; then the
deployment and its evidence, once; passes and skips/infos folded in ``<details>`` (opened for printing).

Inline CSS and a few lines of inline JS (copy buttons), nothing fetched from anywhere. Every piece of
report data goes through Jinja's autoescaping; the template never marks report data ``|safe``. Invisible
characters (bidi controls, zero-width) are written out as ``\\uXXXX`` first, and long unbroken values wrap. jinja2 is
imported here, inside :func:`render`, so other formats never pay for it.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from gcready.model import JSON, DeploymentType, Fact, Finding, Origin, Report, Status, fields_json
from gcready.model.drift import gate_exit_code
from gcready.report import VERDICT_HEADLINES, count_phrase, decided_by_phrase, first_location, headline
from gcready.report.history_view import baseline_context, history_context
from gcready.report.json_format import finding_core, fix_to_json, requirement_to_json
from gcready.report.text import by_severity

if TYPE_CHECKING:
    import jinja2

TEMPLATE = "report.html.j2"


def render(report: Report) -> str:
    """The report as one HTML document."""
    script, digest = _script()
    return _environment().get_template(TEMPLATE).render(**_context(report), script=script, script_hash=digest)


@functools.cache
def _script() -> tuple[Any, str]:
    """The page's one script (copy buttons, folds opened for print) and its CSP hash.

    The Content-Security-Policy allows exactly this script by its SHA-256, not ``'unsafe-inline'``: were
    escaping ever to let input text become a ``<script>``, the browser would still refuse to run it.
    """
    import base64
    import hashlib
    from importlib.resources import files

    import markupsafe

    text = (files("gcready.report") / "templates" / "report.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return markupsafe.Markup(text), digest  # static, shipped with gcready: not input text


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("gcready.report", "templates"),
        autoescape=True,  # explicit: every template here is HTML, whatever its file name
        finalize=show_invisible,  # every value printed, before escaping
        undefined=jinja2.StrictUndefined,  # a typo in the template fails the tests, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# Characters that change how text around them is shown without being seen themselves: bidi controls
# (a bucket name with U+202E reads backwards), zero-width and other format characters, C0/C1 controls.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def show_invisible(value: object) -> object:
    """Text with its invisible characters written out (``\\u202e``), so the reader sees what is there."""
    if not isinstance(value, str) or hasattr(value, "__html__"):
        return value  # markup a macro already built from finalized values
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", value)


def _origin(origin: Origin | None) -> str:
    return str(origin) if origin is not None else ""


def _fact(fact: Fact) -> dict[str, str]:
    return {"label": fact.label, "value": fact.value, "origin": _origin(fact.origin)}


_ATTENTION = (Status.ERROR, Status.FAIL, Status.UNKNOWN, Status.WARN)


def _location(finding: Finding) -> str:
    """Where to look first, as the text report says it."""
    return _origin(first_location(finding))


def _finding(finding: Finding, deployment_evidence: tuple[Fact, ...] = ()) -> dict[str, Any]:
    return {
        **finding_core(finding),
        "requirement": finding.requirement or "",
        "needs": finding.needs,
        "reason": next((line for line in finding.detail.splitlines() if line.strip()), ""),
        "location": _location(finding),
        # the deployment's own evidence is shown once, in the deployment section
        "evidence": [_fact(fact) for fact in finding.evidence if fact not in deployment_evidence],
        "evidence_elsewhere": any(fact in deployment_evidence for fact in finding.evidence),
        "fixes": [fix_to_json(fix) for fix in finding.fixes],
        "waiver": _waiver(finding),
    }


def _waiver(finding: Finding) -> dict[str, JSON] | None:
    waiver = finding.waiver
    if waiver is None:
        return None
    return {
        "reason": waiver.reason,
        "expires": waiver.expires.isoformat(),
        **fields_json(waiver, "ticket", "owner", "resource"),
        "origin": _origin(waiver.origin),
    }


def _context(report: Report) -> dict[str, Any]:
    """Plain strings, lists and dicts for the template: no enums, no methods to call from Jinja."""
    deployment = report.deployment
    verdict = report.verdict()
    type_label = ""
    if deployment.type is not None:
        type_label = next((v.label for v in report.applicable if v.deployment is deployment.type), "")
    evidence = deployment.evidence
    diagnosed = [f for c in report.diagnosis.causes for f in c.findings] if report.diagnosis else []
    attention = by_severity([f for f in report.counted() if f.status in _ATTENTION and f not in diagnosed])
    return {
        "verdict": verdict,
        "verdict_headline": VERDICT_HEADLINES[verdict],
        "headline": headline(report),
        "counts_phrase": count_phrase(report),
        "exit_code": gate_exit_code(report),
        **fields_json(
            report,
            "tool_version",
            "generated_at",
            "command",
            "offline",
            "requirements_version",
            "requirements_origin",
            "env_var",
        ),
        "deployment": {
            "type": deployment.type.value if deployment.type is not None else "unknown",
            "label": type_label,
            "decided_by": decided_by_phrase(deployment.decided_by),
            "candidates": (
                [t.value for t in DeploymentType if t in deployment.candidates]
                if deployment.type is None
                else []
            ),
            "evidence": [_fact(fact) for fact in deployment.evidence],
            "conflicts": list(deployment.conflicts),
        },
        "applicable": [requirement_to_json(view) for view in report.applicable],
        "any_findings": bool(report.findings),
        "attention": [_finding(f, evidence) for f in attention],
        "waived": [_finding(f, evidence) for f in by_severity(list(report.waived()))],
        "passed": [_finding(f, evidence) for f in report.findings if f.status is Status.PASS],
        "others": [_finding(f, evidence) for f in report.findings if f.status in (Status.INFO, Status.SKIP)],
        "other_counts": ", ".join(
            f"{n} {status.value}"
            for status in (Status.INFO, Status.SKIP)
            if (n := sum(1 for f in report.findings if f.status is status))
        ),
        "notes": [{"text": note.text, "origin": _origin(note.origin)} for note in report.notes],
        "errors": [
            {"place": e.source if e.line is None else f"{e.source}:{e.line}", "message": e.message}
            for e in report.errors
        ],
        "inputs": [{"path": i.path, "kind": i.kind.value} for i in report.inputs],
        "diagnosis": _diagnosis(report, evidence),
        "baseline": baseline_context(report.baseline),
        "history": history_context(report.history),
    }


def _diagnosis(report: Report, evidence: tuple[Fact, ...]) -> dict[str, Any] | None:
    diagnosis = report.diagnosis
    if diagnosis is None:
        return None
    return {
        "headline": diagnosis.headline,
        "causes": [
            {
                **fields_json(c, "rank", "tier", "title", "explanation", "confirmed"),
                "findings": [_finding(f, evidence) for f in c.findings],
            }
            for c in diagnosis.causes
        ],
        "unseen": [
            {"title": u.title, "detail": u.detail, "how_to_check": u.how_to_check} for u in diagnosis.unseen
        ],
    }
