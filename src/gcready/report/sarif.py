"""SARIF 2.1.0: findings for code-scanning dashboards (GitHub code scanning, Azure DevOps, VS Code…).

One run. ``tool.driver.rules`` holds one rule per check of the catalog, as the report carries it
(``Report.rules``: title, description, why it matters, example fixes, default level from the check's
severity). ``results`` holds the findings that
need attention; pass, skip and info findings are not results.

- ``fail`` and ``error`` → ``kind: fail``, ``level: error``; ``warn`` → ``kind: fail``,
  ``level: warning``; ``unknown`` → ``kind: open`` (SARIF: "insufficient information to decide"), and
  since SARIF §3.27.10 allows no level other than ``none`` for a kind other than ``fail``, its level is
  ``none``. gcready's own status is in ``properties.status`` either way.
- Locations are the evidence origins that name a file: ``artifactLocation.uri`` is the path as gcready
  was given it, ``region.startLine`` the line; the key path inside the file (``spec.values.global…``,
  or a Terraform resource address) is a logical location.
- Fixes: a SARIF ``fix`` must carry ``artifactChanges`` (byte-exact replacements). gcready's fixes are
  commands, Terraform blocks and Helm values to apply, not edits of the inputs, so they go in
  ``properties.fixes`` and in ``message.markdown``.
- A waived finding is still a result, with ``suppressions: [{"kind": "external", "status": "accepted",
  "justification": reason}]`` (the waiver lives in a file beside the inputs) located at the waiver's line;
  expiry, ticket and owner are in the suppression's ``properties``.
- ``partialFingerprints`` hash the check id and the resource, so a finding keeps its identity across
  runs while its value or wording changes.

Nothing here points at a network location: no ``informationUri``, no ``helpUri``.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

from gcready.model import JSON, Fact, Finding, Origin, Report, Rule, Severity, Status, Waiver, fields_json
from gcready.remediation import example_fixes
from gcready.report import headline

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "gcreadyFinding/v1"

RESULT_STATUSES = (Status.FAIL, Status.ERROR, Status.WARN, Status.UNKNOWN)
_LEVEL = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning", Status.UNKNOWN: "none"}
_KIND = {Status.FAIL: "fail", Status.ERROR: "fail", Status.WARN: "fail", Status.UNKNOWN: "open"}
_DEFAULT_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# Sources that are not files: the process environment, live probes, the command line.
_NOT_A_FILE = re.compile(
    r"^(environment|probe|example|command line|collect .*|-.*|[A-Za-z][\w+.-]+:(?![\\/]).*)$"
)
_TERRAFORM_SUFFIXES = (".tf", ".tfvars", ".tf.json", ".tfvars.json", ".tfplan.json", ".tfstate")


def render(report: Report) -> str:
    """The report as a SARIF 2.1.0 log, indented, with a trailing newline."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


def to_dict(report: Report) -> dict[str, JSON]:
    rules, index = _rules(report)
    results: list[JSON] = []
    seen: dict[str, int] = {}
    for finding in report.findings:
        if finding.status in RESULT_STATUSES:
            results.append(_result(finding, index[finding.check], seen))
    counts = report.counts()
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gcready",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "shortDescription": {
                            "text": "Is this Weights & Biases deployment ready for artifact garbage collection?"
                        },
                        "rules": rules,
                    }
                },
                "invocations": [_invocation(report)],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {
                    **fields_json(report, "command", "offline"),
                    "generatedAt": report.generated_at,
                    "headline": headline(report),
                    "verdict": report.verdict(),
                    "exitCode": report.exit_code(),
                    "deploymentType": report.deployment.type.value
                    if report.deployment.type is not None
                    else "unknown",
                    "deploymentDecidedBy": report.deployment.decided_by,
                    "requirements": {
                        "version": report.requirements_version,
                        "origin": report.requirements_origin,
                    },
                    "counts": {status.value: counts[status] for status in Status},
                    "waived": len(report.waived()),
                },
            }
        ],
    }


# --- rules --------------------------------------------------------------------------------------


def _rules(report: Report) -> tuple[list[JSON], dict[str, int]]:
    """One rule per catalog check the report carries, then any check id a finding names that it does not."""
    metas: list[Rule | str] = list(report.rules)
    known = {rule.id for rule in report.rules}
    for finding in report.findings:
        if finding.check not in known:
            known.add(finding.check)
            metas.append(finding.check)
    rules: list[JSON] = []
    index: dict[str, int] = {}
    for position, meta in enumerate(metas):
        if isinstance(meta, str):
            rules.append({"id": meta, "name": _pascal(meta), "shortDescription": {"text": meta}})
            index[meta] = position
            continue
        index[meta.id] = position
        rules.append(_rule(meta))
    return rules, index


def _rule(meta: Rule) -> dict[str, JSON]:
    text = [meta.why]
    markdown = [meta.why]
    if meta.examples:
        text += ["", "Fixes (example names; reports print them for the deployment found):"]
        markdown += ["", "**Fixes** (example names; reports print them for the deployment found):"]
        for fix in example_fixes(meta.examples):
            title = fix.title or fix.kind.value
            text += [f"- ({fix.kind.value}) {title}:", *(f"    {line}" for line in fix.text.splitlines())]
            markdown += [f"- {title} ({fix.kind.value}):", "", _fence(fix.text, "    "), ""]
    tags: list[JSON] = ["gcready", "garbage-collection", meta.tier.value]
    if meta.requirement:
        tags.append(f"requirement:{meta.requirement}")
    return {
        "id": meta.id,
        "name": _pascal(meta.id),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.description},
        "help": {"text": "\n".join(text).strip(), "markdown": "\n".join(markdown).strip()},
        "defaultConfiguration": {"level": _DEFAULT_LEVEL[meta.severity]},
        "properties": {
            "tags": tags,
            "severity": meta.severity.value,
            "requirement": meta.requirement,
            "tier": meta.tier.value,
        },
    }


def _pascal(check_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_.\s]+", check_id) if part)


# --- results ------------------------------------------------------------------------------------


def _result(finding: Finding, rule_index: int, seen: dict[str, int]) -> dict[str, JSON]:
    result: dict[str, JSON] = {
        "ruleId": finding.check,
        "ruleIndex": rule_index,
        "kind": _KIND[finding.status],
        "level": _LEVEL[finding.status],
        "message": {"text": _message_text(finding), "markdown": _message_markdown(finding)},
    }
    locations = _locations(finding)
    if locations:
        result["locations"] = locations
    result["partialFingerprints"] = {FINGERPRINT_KEY: _fingerprint(finding, seen)}
    if finding.waiver is not None:
        result["suppressions"] = [_suppression(finding.waiver)]
    result["properties"] = {
        "status": finding.status.value,
        "severity": finding.severity.value,
        **fields_json(finding, "resource", "requirement", "needs"),
        "fixes": [{"kind": f.kind.value, "title": f.title, "text": f.text} for f in finding.fixes],
    }
    return result


def _suppression(waiver: Waiver) -> dict[str, JSON]:
    suppression: dict[str, JSON] = {
        "kind": "external",
        "status": "accepted",
        "justification": waiver.reason,
    }
    path = file_of(waiver.origin)
    if path is not None and waiver.origin is not None:
        physical: dict[str, JSON] = {"artifactLocation": {"uri": uri(path)}}
        if waiver.origin.line is not None and waiver.origin.line >= 1:
            physical["region"] = {"startLine": waiver.origin.line}
        suppression["location"] = {"physicalLocation": physical}
    suppression["properties"] = {
        "expires": waiver.expires.isoformat(),
        **fields_json(waiver, "ticket", "owner", "resource"),
    }
    return suppression


def _fingerprint(finding: Finding, seen: dict[str, int]) -> str:
    """Stable across runs: the check and the resource (a repeat within one run gets its ordinal)."""
    key = f"{finding.check}\x00{finding.resource}"
    seen[key] = seen.get(key, 0) + 1
    if seen[key] > 1:
        key += f"\x00{seen[key]}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _where(origin: Origin | None) -> str:
    return f" ({origin})" if origin is not None else ""


def _message_text(finding: Finding) -> str:
    parts = [f"[{finding.status.value}] {finding.title}"]
    if finding.detail:
        parts.append(finding.detail)
    if finding.needs:
        parts.append(f"Needs: {finding.needs}")
    located = [f"{fact.label}: {fact.value}{_where(fact.origin)}" for fact in finding.evidence]
    if located:
        parts.append("Evidence: " + "; ".join(located))
    if finding.fixes:
        parts.append(f"{len(finding.fixes)} fix(es): see properties.fixes")
    return "\n".join(parts)


def _message_markdown(finding: Finding) -> str:
    lines = [f"**{_md(finding.title)}** ({finding.status.value}, {finding.severity.value})"]
    if finding.detail:
        lines += ["", _md(finding.detail)]
    if finding.needs:
        lines += ["", f"**Needs:** {_md(finding.needs)}"]
    if finding.evidence:
        lines += ["", "**Evidence:**", ""]
        for fact in finding.evidence:
            where = f" — `{fact.origin}`" if fact.origin is not None else ""
            lines.append(f"- {_md(fact.label)}: `{_tick(fact.value)}`{where}")
    if finding.fixes:
        lines += ["", "**Fixes:**", ""]
        for fix in finding.fixes:
            title = _md(fix.title) if fix.title else fix.kind.value
            lines += [f"- {title} ({fix.kind.value}):", "", _fence(fix.text, "    "), ""]
    return "\n".join(lines).strip()


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def _tick(text: str) -> str:
    return text.replace("`", "'")


def _fence(text: str, indent: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    body = [fence, *text.splitlines(), fence]
    return "\n".join(indent + line if line else line for line in body)


# --- locations ----------------------------------------------------------------------------------


def file_of(origin: Origin | None) -> str | None:
    """The file an origin names, or None for the environment, live probes and the command line."""
    if origin is None or not origin.source:
        return None
    if origin.line is None and _NOT_A_FILE.match(origin.source):
        return None
    return origin.source


def uri(path: str) -> str:
    """A path as a SARIF uri-reference: the path as given, ``/`` separated, percent-encoded."""
    return quote(path.replace("\\", "/"), safe="/:@!$&'()*+,;=-._~")


def _locations(finding: Finding) -> list[JSON]:
    locations: list[JSON] = []
    seen: set[tuple[str, int | None, str | None]] = set()
    for fact in finding.evidence:
        path = file_of(fact.origin)
        if path is None or fact.origin is None:
            continue
        key = (path, fact.origin.line, fact.origin.path)
        if key in seen:
            continue
        seen.add(key)
        physical: dict[str, JSON] = {"artifactLocation": {"uri": uri(path)}}
        if fact.origin.line is not None and fact.origin.line >= 1:
            physical["region"] = {"startLine": fact.origin.line}
        location: dict[str, JSON] = {
            "id": len(locations),
            "physicalLocation": physical,
            "message": {"text": _fact_text(fact)},
        }
        if fact.origin.path:
            terraform = path.endswith(_TERRAFORM_SUFFIXES) or _looks_like_tf_address(fact.origin.path)
            location["logicalLocations"] = [
                {"fullyQualifiedName": fact.origin.path, "kind": "resource" if terraform else "property"}
            ]
        locations.append(location)
    if not locations and finding.resource:
        locations.append(
            {"id": 0, "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}]}
        )
    return locations


def _fact_text(fact: Fact) -> str:
    return f"{fact.label}: {fact.value}"


def _looks_like_tf_address(path: str) -> bool:
    return bool(re.match(r"^(module\.[\w-]+(\[[^\]]*\])?\.)*(data\.)?[a-z][a-z0-9]*_[\w-]+\.[\w-]+", path))


def _invocation(report: Report) -> dict[str, JSON]:
    notifications: list[JSON] = []
    for error in report.errors:
        note: dict[str, JSON] = {"level": "error", "message": {"text": str(error)}}
        path = file_of(Origin(error.source, error.line))
        if path is not None:
            physical: dict[str, JSON] = {"artifactLocation": {"uri": uri(path)}}
            if error.line is not None and error.line >= 1:
                physical["region"] = {"startLine": error.line}
            note["locations"] = [{"physicalLocation": physical}]
        notifications.append(note)
    invocation: dict[str, JSON] = {
        "executionSuccessful": True,
        "exitCode": report.exit_code(),
        "toolExecutionNotifications": notifications,
    }
    return invocation
