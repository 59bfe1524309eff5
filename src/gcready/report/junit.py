"""JUnit XML: the audit as a CI test report (Jenkins, GitLab, Azure Pipelines, GitHub test reporters).

``<testsuites name="gcready">`` holds one ``<testsuite name="gcready.<check id>">`` per check of the
catalog the report carries (``Report.rules``; a check that produced no finding is an empty suite), and
one ``<testcase classname="gcready.<check id>" name="<resource>: <title>">`` per finding:

- ``fail`` → ``<failure type="fail">``; ``unknown`` and ``error`` → ``<error type="unknown|error">``
  (the audit could not decide: exit 5, or a broken check); the element's text holds the detail, what
  gcready would need, the evidence (``file:line``) and the fixes;
- ``skip`` → ``<skipped>`` with why the requirement does not apply;
- a waived finding (any status) → ``<skipped message="waived: reason (expires …)">``: accepted, so
  not a failure, and still listed; its own status stays in ``<property name="status">``;
- ``warn`` is **not** a failure: ``gcready audit`` exits 0 on warnings unless ``--fail-on warn``, and a
  CI report should not turn red where the gate stays green. The warning goes in ``<system-out>``
  (prefixed ``WARNING:``) and ``<property name="status" value="warn">``, so it is visible but passing;
- ``pass`` and ``info`` pass, with their detail and evidence in ``<system-out>``.

Counts on every suite (``tests``, ``failures``, ``errors``, ``skipped``) agree with its test cases.
Input errors (exit 2) are one extra suite, ``gcready.inputs``, with one ``<error>`` per bad input.
``<properties>`` carry the deployment type, how it was decided, the verdict and the exit code.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from gcready.model import Finding, Report, Status
from gcready.report import group_by_check, headline

# XML 1.0 forbids most control characters, even escaped: input files may hold them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _INVALID_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render(report: Report) -> str:
    """The report as a JUnit XML document (UTF-8 declaration, indented), with a trailing newline."""
    timestamp = report.generated_at
    groups = dict(group_by_check(report.findings))
    catalog = [rule.id for rule in report.rules]
    order = catalog + [c for c in groups if c not in set(catalog)]
    suites = [_suite(report, check_id, groups.get(check_id, []), timestamp) for check_id in order]
    if report.errors:
        suites.append(_input_errors(report, timestamp))
    return document(suites)


COUNTS = ("tests", "failures", "errors", "skipped")


def set_counts(suite: ET.Element, parts: Iterable[ET.Element]) -> None:
    """Set each of ``suite``'s counts (tests, failures, errors, skipped) to the sum of the ``parts``'."""
    totals = dict.fromkeys(COUNTS, 0)
    for part in parts:
        for key in COUNTS:
            totals[key] += int(part.get(key, "0"))
    for key, value in totals.items():
        suite.set(key, str(value))


def document(suites: Sequence[ET.Element]) -> str:
    """``<testsuites name="gcready">`` holding ``suites``, its counts theirs summed, as an indented XML
    document with its UTF-8 declaration and a trailing newline (a single report's, or a fleet's)."""
    root = ET.Element("testsuites", {"name": "gcready"})
    root.extend(suites)
    set_counts(root, suites)
    root.set("time", "0")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _properties(report: Report, parent: ET.Element) -> None:
    props = ET.SubElement(parent, "properties")
    deployment = report.deployment
    values = {
        "deployment.type": deployment.type.value if deployment.type is not None else "unknown",
        "deployment.decided_by": deployment.decided_by,
        "deployment.candidates": ",".join(sorted(t.value for t in deployment.candidates)),
        "verdict": report.verdict(),
        "headline": headline(report),
        "exit_code": str(report.exit_code()),
        "command": report.command,
        "offline": "true" if report.offline else "false",
        "requirements.version": report.requirements_version,
        "tool.version": report.tool_version,
    }
    for name, value in values.items():
        ET.SubElement(props, "property", {"name": name, "value": _x(value)})


def _suite(report: Report, check_id: str, findings: list[Finding], timestamp: str) -> ET.Element:
    suite = ET.Element("testsuite", {"name": f"gcready.{check_id}", "timestamp": timestamp, "time": "0"})
    _properties(report, suite)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    names: dict[str, int] = {}
    for finding in findings:
        counts["tests"] += 1
        name = _x(f"{finding.resource}: {finding.title}")
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            name += f" (#{names[name]})"
        case = ET.SubElement(
            suite, "testcase", {"classname": f"gcready.{check_id}", "name": name, "time": "0"}
        )
        case_props = ET.SubElement(case, "properties")
        for key, value in (
            ("status", finding.status.value),
            ("severity", finding.severity.value),
            ("resource", finding.resource),
            ("requirement", finding.requirement or ""),
            *((("waiver", finding.waiver.describe()),) if finding.waiver else ()),
        ):
            ET.SubElement(case_props, "property", {"name": key, "value": _x(value)})
        body = _x(_body(finding))
        summary = _x(f"{finding.title}" + (f": {finding.detail}" if finding.detail else ""))
        if finding.waiver is not None:
            counts["skipped"] += 1
            skipped = ET.SubElement(case, "skipped", {"message": _x(f"waived: {finding.waiver.describe()}")})
            skipped.text = body
        elif finding.status is Status.FAIL:
            counts["failures"] += 1
            failure = ET.SubElement(case, "failure", {"message": summary, "type": "fail"})
            failure.text = body
        elif finding.status in (Status.UNKNOWN, Status.ERROR):
            counts["errors"] += 1
            error = ET.SubElement(case, "error", {"message": summary, "type": finding.status.value})
            error.text = body
        elif finding.status is Status.SKIP:
            counts["skipped"] += 1
            skipped = ET.SubElement(case, "skipped", {"message": summary})
            skipped.text = body
        elif finding.status is Status.WARN:
            out = ET.SubElement(case, "system-out")
            out.text = "WARNING: " + body
        else:
            out = ET.SubElement(case, "system-out")
            out.text = body
    for key, count in counts.items():
        suite.set(key, str(count))
    return suite


def _body(finding: Finding) -> str:
    lines = [f"[{finding.status.value}] {finding.title}"]
    if finding.waiver is not None:
        where = f" [{finding.waiver.origin}]" if finding.waiver.origin else ""
        lines.append(f"waived: {finding.waiver.describe()}{where}")
    if finding.detail:
        lines.append(finding.detail)
    if finding.needs:
        lines.append(f"needs: {finding.needs}")
    if finding.evidence:
        lines.append("evidence:")
        for fact in finding.evidence:
            where = f"  [{fact.origin}]" if fact.origin is not None else ""
            lines.append(f"  {fact.label}: {fact.value}{where}")
    for fix in finding.fixes:
        title = f": {fix.title}" if fix.title else ""
        lines.append(f"fix ({fix.kind.value}){title}")
        lines += [f"    {line}" for line in fix.text.splitlines()]
    return "\n".join(lines)


def _input_errors(report: Report, timestamp: str) -> ET.Element:
    suite = ET.Element("testsuite", {"name": "gcready.inputs", "timestamp": timestamp, "time": "0"})
    _properties(report, suite)
    for error in report.errors:
        case = ET.SubElement(
            suite, "testcase", {"classname": "gcready.inputs", "name": _x(error.source), "time": "0"}
        )
        element = ET.SubElement(case, "error", {"message": _x(error.message), "type": "input"})
        element.text = _x(str(error))
    n = str(len(report.errors))
    suite.set("tests", n)
    suite.set("errors", n)
    suite.set("failures", "0")
    suite.set("skipped", "0")
    return suite
