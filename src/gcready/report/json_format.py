"""The JSON report: gcready's public, machine-readable contract (``schemas/report.schema.json``).

Keys come out in a fixed order (the order written here, checks in the order they ran), so two runs on
the same inputs differ only in ``generated_at``. Bump ``SCHEMA_ID`` when a change could break a reader;
adding an optional key is not such a change.
"""

from __future__ import annotations

import json

from gcready.model import (
    JSON,
    Deployment,
    DeploymentType,
    Diagnosis,
    Finding,
    Fix,
    Report,
    RequirementView,
    Status,
    fields_json,
)
from gcready.model.drift import BaselineUse, gate_exit_code

SCHEMA_ID = "gcready-report/1"
TOOL_NAME = "gcready"


def to_dict(report: Report) -> dict[str, JSON]:
    """The report as plain JSON values, in the documented shape."""
    counts = report.counts()
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        **fields_json(report, "generated_at", "command", "offline"),
        "requirements": {
            "version": report.requirements_version,
            "origin": report.requirements_origin,
            "env_var": report.env_var,
        },
        "deployment": _deployment(report.deployment),
        "applicable": [requirement_to_json(view) for view in report.applicable],
        "findings": [_finding(finding) for finding in report.findings],
        "summary": {
            "verdict": report.verdict(),
            "exit_code": report.exit_code(fail_on_warn=False),
            "counts": {status.value: counts[status] for status in Status},
            "checks": {check: status.value for check, status in report.check_statuses().items()},
            "waived": len(report.waived()),
        },
        "inputs": [{"path": i.path, "kind": i.kind.value} for i in report.inputs],
        "errors": [{"source": e.source, "line": e.line, "message": e.message} for e in report.errors],
        "notes": [{"text": n.text, "origin": n.origin.to_json()} for n in report.notes],
        "diagnosis": _diagnosis(report.diagnosis) if report.diagnosis is not None else None,
        "inventory": {
            "buckets": [{"label": b.label, "provider": b.provider.value} for b in report.inventory.buckets],
            "components": [
                {"name": c.name, "kind": c.kind.value, "runs_gc": c.runs_gc}
                for c in report.inventory.components
            ],
        },
        "baseline": _baseline(report, report.baseline) if report.baseline is not None else None,
    }


def _baseline(report: Report, baseline: BaselineUse) -> dict[str, JSON]:
    """The baseline the gate was judged against, and the regressions it found."""
    return {
        "source": baseline.source,
        "generated_at": baseline.drift.old.generated_at,
        **fields_json(baseline, "regressions", "tolerated"),
        "exit_code": gate_exit_code(report).value,
        "changes": [
            {
                **fields_json(c, "check", "resource"),
                "kind": c.kind.value,
                "old": c.old.value if c.old is not None else None,
                "new": c.new.value if c.new is not None else None,
            }
            for c in baseline.drift.regressions
        ],
    }


def _diagnosis(diagnosis: Diagnosis) -> dict[str, JSON]:
    return {
        "headline": diagnosis.headline,
        "causes": [
            {
                **fields_json(cause, "rank", "tier", "title", "explanation", "confirmed"),
                "findings": [_finding(f) for f in cause.findings],
            }
            for cause in diagnosis.causes
        ],
        "unseen": [
            {"title": u.title, "detail": u.detail, "how_to_check": u.how_to_check} for u in diagnosis.unseen
        ],
    }


def render(report: Report) -> str:
    """The report as indented JSON with a trailing newline."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


def _deployment(deployment: Deployment) -> dict[str, JSON]:
    return {
        "type": deployment.type.value if deployment.type is not None else "unknown",
        # A frozenset has no order of its own: list them in the requirements table's order.
        "candidates": [t.value for t in DeploymentType if t in deployment.candidates],
        "decided_by": deployment.decided_by,
        "evidence": [fact.to_json() for fact in deployment.evidence],
        "conflicts": list(deployment.conflicts),
    }


def requirement_to_json(view: RequirementView) -> dict[str, JSON]:
    """A requirements-table row that applies to the report's deployment."""
    return {
        "deployment": view.deployment.value,
        **fields_json(view, "label", "env_var", "versioning", "note"),
    }


def finding_core(finding: Finding) -> dict[str, JSON]:
    """What a finding says: its check, status, severity, title, detail and resource (the JSON report's
    findings and the HTML page's start with these)."""
    return {
        "check": finding.check,
        "status": finding.status.value,
        "severity": finding.severity.value,
        **fields_json(finding, "title", "detail", "resource"),
    }


def _finding(finding: Finding) -> dict[str, JSON]:
    return {
        **finding_core(finding),
        **fields_json(finding, "requirement", "needs"),
        "evidence": [fact.to_json() for fact in finding.evidence],
        "fixes": [fix_to_json(fix) for fix in finding.fixes],
        "waiver": finding.waiver.to_json() if finding.waiver is not None else None,
    }


def fix_to_json(fix: Fix) -> dict[str, JSON]:
    """A fix: its kind, title and text."""
    return {"kind": fix.kind.value, "title": fix.title, "text": fix.text}
