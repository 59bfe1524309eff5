"""Drift between two JSON reports: what changed from an older run to a newer one. Pure: text in, values out.

Both reports are ``gcready-report/1`` documents (one deployment) or both are ``gcready-fleet/1``
documents (several deployments, compared by name; deployments only one side has are listed as appeared
or disappeared, and an appeared deployment's findings are compared with nothing). Findings are matched
by ``(check, resource)``; the regression rule is :mod:`gcready.model.drift`'s.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gcready.limits import MAX_DEPTH, nesting_depth
from gcready.model import Status, worst
from gcready.model.drift import (
    DeploymentDrift,
    Drift,
    EvidenceChange,
    FindingChange,
    RunSide,
    change_kind,
)

REPORT_SCHEMA = "gcready-report/1"
FLEET_SCHEMA = "gcready-fleet/1"
_STATUSES = frozenset(s.value for s in Status)
_K = TypeVar("_K", bound=Hashable)


class ReportFileError(ValueError):
    """A file that is not a gcready JSON report; the message is one line naming the file."""


def load_document(text: str, source: str) -> dict[str, Any]:
    """A gcready JSON report (single or fleet) parsed and checked for what a comparison reads."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportFileError(f"{source}:{exc.lineno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise ReportFileError(f"{source}: not a gcready report: nested too deeply") from None
    if not isinstance(document, dict):
        raise ReportFileError(f"{source}: not a gcready report: the JSON is not an object")
    if nesting_depth(document) > MAX_DEPTH:
        raise ReportFileError(f"{source}: not a gcready report: nested deeper than {MAX_DEPTH} levels")
    schema = document.get("schema")
    if schema == REPORT_SCHEMA:
        _check_report(document, source)
    elif schema == FLEET_SCHEMA:
        deployments = document.get("deployments")
        if not isinstance(deployments, list):
            raise ReportFileError(f'{source}: not a gcready fleet report: no "deployments" list')
        names: set[str] = set()
        for index, entry in enumerate(deployments):
            where = f"{source}: deployments[{index}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
                raise ReportFileError(f"{where}: no name")
            if entry["name"] in names:
                raise ReportFileError(f"{where}: deployment {entry['name']!r} appears twice")
            names.add(entry["name"])
            report = entry.get("report")
            if not isinstance(report, dict) or report.get("schema") != REPORT_SCHEMA:
                raise ReportFileError(f'{where}: "report" is not a {REPORT_SCHEMA} object')
            _check_report(report, where)
    else:
        shown = json.dumps(schema)[:60] if schema is not None else "none"
        raise ReportFileError(
            f'{source}: not a gcready JSON report ("schema" is {shown}, not "{REPORT_SCHEMA}" or "{FLEET_SCHEMA}")'
        )
    return document


def _check_report(report: Mapping[str, Any], source: str) -> None:
    findings = report.get("findings")
    if not isinstance(findings, list):
        raise ReportFileError(f'{source}: not a gcready report: no "findings" list')
    for index, finding in enumerate(findings):
        where = f"{source}: findings[{index}]"
        if not isinstance(finding, dict):
            raise ReportFileError(f"{where}: not an object")
        for key in ("check", "resource"):
            if not isinstance(finding.get(key), str):
                raise ReportFileError(f'{where}: "{key}" is not a string')
        if finding.get("status") not in _STATUSES:
            raise ReportFileError(f'{where}: "status" is not one of {", ".join(sorted(_STATUSES))}')
        evidence = finding.get("evidence", [])
        if not isinstance(evidence, list) or not all(
            isinstance(f, dict) and isinstance(f.get("label"), str) and isinstance(f.get("value"), str)
            for f in evidence
        ):
            raise ReportFileError(f'{where}: "evidence" is not a list of label/value facts')


def is_fleet(document: Mapping[str, Any]) -> bool:
    """Whether a checked document is a fleet report (several deployments)."""
    return document.get("schema") == FLEET_SCHEMA


@dataclass(frozen=True)
class _Seen:
    """One finding key of one report: the worst status, a title, and its facts (label -> values)."""

    status: Status
    title: str
    facts: dict[str, str] = field(default_factory=dict)


def _findings(report: Mapping[str, Any]) -> dict[tuple[str, str], _Seen]:
    grouped: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for finding in report.get("findings", []):
        grouped.setdefault((finding["check"], finding["resource"]), []).append(finding)
    seen: dict[tuple[str, str], _Seen] = {}
    for key, group in grouped.items():
        status = worst([Status(f["status"]) for f in group])
        title = next((str(f.get("title", "")) for f in group if f["status"] == status.value), "")
        facts: dict[str, list[str]] = {}
        for finding in group:
            for fact in finding.get("evidence", []):
                values = facts.setdefault(fact["label"], [])
                if fact["value"] not in values:
                    values.append(fact["value"])
        seen[key] = _Seen(status, title, {label: ", ".join(values) for label, values in facts.items()})
    return seen


def _inventory(report: Mapping[str, Any] | None, part: str, key: str) -> list[str] | None:
    """The names an optional ``inventory`` list holds; None for a report written before it existed.

    A deployment absent from a run (``report`` None) had nothing.
    """
    if report is None:
        return []
    inventory = report.get("inventory")
    if not isinstance(inventory, dict) or not isinstance(inventory.get(part), list):
        return None
    return _unique(str(item.get(key)) for item in inventory[part] if isinstance(item, dict))


def _unique(items: Iterable[_K]) -> list[_K]:
    """Each item once, in first-seen order."""
    return list(dict.fromkeys(items))


def _errors(report: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for error in report.get("errors", []) or []:
        if isinstance(error, dict):
            place = str(error.get("source", ""))
            line = error.get("line")
            out.append(
                f"{place}:{line}: {error.get('message', '')}"
                if line
                else f"{place}: {error.get('message', '')}"
            )
    return _unique(out)


def _field(report: Mapping[str, Any] | None, section: str, key: str) -> str | None:
    """``report[section][key]`` as text (the verdict, the deployment type); None where it is absent."""
    if report is None:
        return None
    part = report.get(section)
    value = part.get(key) if isinstance(part, dict) else None
    return str(value) if value is not None else None


def _appeared_and_gone(
    old: Sequence[str] | None, new: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if old is None or new is None:
        return (), ()  # one side cannot say: nothing is claimed to have changed
    return tuple(n for n in new if n not in old), tuple(o for o in old if o not in new)


def compare_reports(
    name: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> DeploymentDrift:
    """The drift of one deployment; ``None`` on a side is "this deployment was not in that run"."""
    before = _findings(old) if old is not None else {}
    after = _findings(new) if new is not None else {}
    changes: list[FindingChange] = []
    evidence: dict[tuple[str, str, str | None, str | None], EvidenceChange] = {}
    for key in _unique([*after, *before]):
        was, now = before.get(key), after.get(key)
        old_status = was.status if was else None
        new_status = now.status if now else None
        if old_status != new_status:
            title = (now or was or _Seen(Status.SKIP, "")).title
            kind = change_kind(old_status, new_status)
            changes.append(FindingChange(kind, key[0], key[1], title, old_status, new_status))
        if was is None or now is None:
            continue
        for label in _unique([*was.facts, *now.facts]):
            a, b = was.facts.get(label), now.facts.get(label)
            if a != b:  # the same fact changed under several checks is listed once, under the first
                evidence.setdefault((key[1], label, a, b), EvidenceChange(key[0], key[1], label, a, b))
    empty: Mapping[str, Any] = {}
    buckets_new, buckets_gone = _appeared_and_gone(
        _inventory(old, "buckets", "label"), _inventory(new, "buckets", "label")
    )
    components_new, components_gone = _appeared_and_gone(
        _inventory(old, "components", "name"), _inventory(new, "components", "name")
    )
    old_errors, new_errors = _errors(old or empty), _errors(new or empty)
    return DeploymentDrift(
        name=name,
        old_verdict=_field(old, "summary", "verdict"),
        new_verdict=_field(new, "summary", "verdict"),
        old_type=_field(old, "deployment", "type"),
        new_type=_field(new, "deployment", "type"),
        findings=tuple(changes),
        evidence=tuple(evidence.values()),
        buckets_appeared=buckets_new,
        buckets_disappeared=buckets_gone,
        components_appeared=components_new,
        components_disappeared=components_gone,
        errors_appeared=tuple(e for e in new_errors if e not in old_errors),
        errors_disappeared=tuple(e for e in old_errors if e not in new_errors),
    )


def _side(document: Mapping[str, Any], source: str) -> RunSide:
    summary = document.get("summary")
    verdict = summary.get("verdict") if isinstance(summary, dict) else None
    return RunSide(source, str(document.get("generated_at", "")), str(verdict) if verdict else "")


def compare(
    old: Mapping[str, Any], new: Mapping[str, Any], *, old_source: str = "OLD", new_source: str = "NEW"
) -> Drift:
    """What changed from ``old`` to ``new`` (documents :func:`load_document` accepted)."""
    if is_fleet(old) != is_fleet(new):
        kinds = {True: "a fleet report", False: "a single-deployment report"}
        raise ReportFileError(
            f"{new_source}: is {kinds[is_fleet(new)]} but {old_source} is {kinds[is_fleet(old)]}: "
            "compare reports of the same kind"
        )
    sides = (_side(old, old_source), _side(new, new_source))
    if not is_fleet(new):
        return Drift(*sides, fleet=False, deployments=(compare_reports("", old, new),))
    before = {d["name"]: d["report"] for d in old["deployments"]}
    after = {d["name"]: d["report"] for d in new["deployments"]}
    names = _unique([*after, *before])
    return Drift(
        *sides,
        fleet=True,
        deployments=tuple(compare_reports(n, before.get(n), after.get(n)) for n in names),
        deployments_appeared=tuple(n for n in after if n not in before),
        deployments_disappeared=tuple(n for n in before if n not in after),
    )
