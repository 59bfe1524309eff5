"""Waivers: accepted exceptions, each with a reason and an expiry date, applied after the checks.

A waiver is a ``[[waiver]]`` table in any TOML file (``gcready.toml`` or a file of its own)::

    [[waiver]]
    check = "bucket-versioning"        # a check id (gcready explain lists them)
    resource = "s3://legacy-*"         # the finding's resource, exactly or as an fnmatch glob
    reason = "Legal hold on the legacy bucket"
    expires = 2027-01-31               # a TOML date or "YYYY-MM-DD"; the waiver applies through that day
    ticket = "OPS-142"                 # optional
    owner = "platform"                 # optional
    deployment = "prod-*"              # optional: only in fleet deployments of this name or glob

:func:`apply` marks each finding that needs attention (fail, unknown, warn, error) and that a waiver
matches: the finding keeps its status and carries the waiver, and it counts towards neither the verdict nor
the exit code. An expired waiver (``expires`` before today, UTC) no longer applies and adds a ``warn``
(``waiver-expired``); a waiver that matches no such finding adds a ``warn`` (``waiver-stale``). In a fleet
run, :func:`apply_fleet` applies each waiver to the deployments its ``deployment`` key allows and calls it
stale only when it matches nothing in any of them. Everything here is pure: the caller reads the file and
says what day it is.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import overload

from gcready.model import Fact, Finding, Fix, FixKind, Origin, Report, Severity, Status, Waiver

EXPIRED_CHECK = "waiver-expired"
STALE_CHECK = "waiver-stale"
WAIVABLE = frozenset({Status.FAIL, Status.UNKNOWN, Status.WARN, Status.ERROR})
KEYS = ("check", "resource", "reason", "expires", "ticket", "owner", "deployment")
_REQUIRED = {
    "check": "a check id (gcready explain lists them)",
    "resource": "the finding's resource, or a glob such as s3://legacy-*",
    "reason": "why the finding is accepted",
    "expires": "a date, YYYY-MM-DD: every waiver ends",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_GLOB = re.compile(r"[*?\[]")  # what makes a resource an fnmatch pattern
_WAIVER_HEADER = re.compile(r"""^\s*\[\[\s*(waiver|"waiver"|'waiver')\s*\]\]\s*(#.*)?$""")
_ANY_HEADER = re.compile(r"""^\s*\[\[?\s*[\w."' -]+\s*\]\]?\s*(#.*)?$""")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$")


class WaiverError(ValueError):
    """A waivers file gcready cannot use: ``FILE:LINE: waiver N: message`` (exit 2)."""

    def __init__(self, source: str, line: int | None, index: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.index = index
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.source if self.line is None else f"{self.source}:{self.line}"
        which = f"waiver {self.index}: " if self.index is not None else ""
        return f"{place}: {which}{self.message}"


def known_check_ids() -> tuple[str, ...]:
    """The ids a waiver may name: every check of the catalog."""
    from gcready.checks import CATALOG

    return tuple(check.meta.id for check in CATALOG)


def load(path: str | Path, known: Iterable[str] | None = None) -> tuple[Waiver, ...]:
    """The waivers of a TOML file (none when it has no ``[[waiver]]`` table); :class:`WaiverError` if bad."""
    source = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise WaiverError(source, None, None, "not UTF-8 text") from None
    except OSError as exc:
        raise WaiverError(source, None, None, f"cannot read: {exc.strerror or exc}") from None
    return parse(text, source, known)


def parse(text: str, source: str, known: Iterable[str] | None = None) -> tuple[Waiver, ...]:
    """The ``[[waiver]]`` tables of TOML ``text`` read from ``source``, validated, in file order."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line = int(found.group(1)) if found else None
        raise WaiverError(source, line, None, f"not valid TOML: {_TOML_POSITION.sub('', message)}") from None
    tables = document.get("waiver")
    if tables is None:
        return ()
    lines = text.splitlines()
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise WaiverError(source, _key_line(lines, "waiver"), None, "waivers must be [[waiver]] tables")
    spans = _spans(lines, len(tables))
    ids = tuple(known) if known is not None else known_check_ids()
    return tuple(
        _waiver(table, source, index, spans[index - 1], lines, ids)
        for index, table in enumerate(tables, start=1)
    )


@dataclass(frozen=True)
class _Span:
    header: int | None  # 1-based line of the [[waiver]] header
    end: int  # 1-based line before which the table ends


def _spans(lines: list[str], count: int) -> list[_Span]:
    """Where each [[waiver]] table sits, so an error can name its line."""
    headers = [i for i, line in enumerate(lines, start=1) if _WAIVER_HEADER.match(line)]
    if len(headers) != count:  # an inline array (waiver = [{…}]): only its key's line is known
        at = _key_line(lines, "waiver")
        return [_Span(at, at + 1 if at else 0) for _ in range(count)]
    spans: list[_Span] = []
    for header in headers:
        end = next(
            (i for i in range(header + 1, len(lines) + 1) if _ANY_HEADER.match(lines[i - 1])), len(lines) + 1
        )
        spans.append(_Span(header, end))
    return spans


def _key_line(lines: list[str], key: str, start: int = 1, end: int | None = None) -> int | None:
    pattern = re.compile(rf"""^\s*({re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    stop = len(lines) + 1 if end is None else end
    return next((i for i in range(start, stop) if pattern.match(lines[i - 1])), None)


def _waiver(
    table: dict[str, object], source: str, index: int, span: _Span, lines: list[str], known: Sequence[str]
) -> Waiver:
    def line_of(key: str) -> int | None:
        if span.header is None:
            return None
        return _key_line(lines, key, span.header + 1, span.end) or span.header

    def fail(key: str | None, message: str) -> WaiverError:
        return WaiverError(source, line_of(key) if key else span.header, index, message)

    for key in table:
        if key not in KEYS:
            raise fail(key, f"unknown key {key!r} (known: {', '.join(KEYS)})")
    for key, what in _REQUIRED.items():
        if key not in table:
            raise fail(None, f"missing {key} ({what})")
    text: dict[str, str] = {}
    for key in ("check", "resource", "reason", "ticket", "owner", "deployment"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise fail(key, f"{key} must be a string, not {type(value).__name__}")
        if key in _REQUIRED and not value.strip():
            raise fail(key, f"{key} is empty ({_REQUIRED[key]})")
        if key == "deployment" and key in table and not value.strip():
            raise fail(key, "deployment is empty (a [[deployment]] name, or a glob such as prod-*)")
        text[key] = value.strip() if key != "resource" else value
    if text["check"] not in known:
        close = difflib.get_close_matches(text["check"], known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise fail("check", f"unknown check {text['check']!r} ({hint}gcready explain lists the check ids)")
    expires = _date(table["expires"])
    if expires is None:
        raise fail("expires", f"expires = {table['expires']!s} is not a date (YYYY-MM-DD)")
    return Waiver(
        check=text["check"],
        resource=text["resource"],
        reason=text["reason"],
        expires=expires,
        ticket=text["ticket"],
        owner=text["owner"],
        origin=Origin(source, span.header),
        deployment=text["deployment"],
    )


def _date(value: object) -> date | None:
    if isinstance(value, datetime):  # a date-time says an hour, and waivers end with a day
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_date(value: str) -> date | None:
    """A ``YYYY-MM-DD`` date, or None when ``value`` is not one (``2027-02-30``, ``31/01/2027``…)."""
    return _date(value)


def report_day(report: Report) -> date:
    """The day a report was made (UTC; ``SOURCE_DATE_EPOCH`` sets it): the default "today" of :func:`apply`."""
    return date.fromisoformat(report.generated_at[:10])


@overload
def apply(target: Report, waivers: Sequence[Waiver], today: date | None = None) -> Report: ...
@overload
def apply(target: Sequence[Finding], waivers: Sequence[Waiver], today: date) -> tuple[Finding, ...]: ...
def apply(
    target: Report | Sequence[Finding], waivers: Sequence[Waiver], today: date | None = None
) -> Report | tuple[Finding, ...]:
    """Findings (or a report) with each waived finding marked, plus a ``warn`` per expired or stale waiver.

    ``today`` decides expiry (a report's own day when not given). A finding already carrying a waiver is
    left as it is. The first unexpired waiver that matches a finding is the one it carries. This is a
    single run: a waiver limited to fleet deployments (``deployment``) waives nothing here.
    """
    if isinstance(target, Report):
        findings = _apply(target.findings, waivers, today or report_day(target))
        return replace(target, findings=findings)
    if today is None:
        raise TypeError("apply(findings, waivers, today): today is required for a list of findings")
    return _apply(tuple(target), waivers, today)


def _apply(findings: tuple[Finding, ...], waivers: Sequence[Waiver], today: date) -> tuple[Finding, ...]:
    if not waivers:
        return findings
    marked = _mark(findings, waivers, [i for i, w in enumerate(waivers) if w.applies_to(None)], today)
    out = list(marked.findings)
    out += [_expired(w, today) for w in waivers if w.expired(today)]
    out += [
        _stale(w, i in marked.passing, scoped_out=not w.applies_to(None))
        for i, w in enumerate(waivers)
        if not w.expired(today) and i not in marked.used
    ]
    return tuple(out)


def apply_fleet(
    reports: Sequence[tuple[str, Report]], waivers: Sequence[Waiver], today: date | None = None
) -> tuple[Report, ...]:
    """Each deployment's report (``(name, report)``, in the fleet's order) with the waivers applied.

    A waiver applies to the deployments its ``deployment`` filter allows (all when it has none); each of
    them warns of its expiry. It is stale only when it matches nothing in any deployment: that ``warn`` is
    added once, to the first deployment its filter allows, else to the fleet's first deployment (where an
    expired waiver that no deployment allows is reported too, so no waiver goes unmentioned).
    """
    if not waivers or not reports:
        return tuple(report for _, report in reports)
    names = [name for name, _ in reports]
    days = [today or report_day(report) for _, report in reports]
    used: set[int] = set()
    passing: set[int] = set()
    findings: list[list[Finding]] = []
    # each waiver's filter is matched against each name once (a glob per pair costs more than the rest)
    allows = [[k for k, name in enumerate(names) if waiver.applies_to(name)] for waiver in waivers]
    scoped: list[list[int]] = [[] for _ in names]
    for i, allowed in enumerate(allows):
        for k in allowed:
            scoped[k].append(i)
    for (_, report), day, own in zip(reports, days, scoped, strict=True):
        marked = _mark(report.findings, waivers, own, day)
        used |= marked.used
        passing |= marked.passing
        findings.append(list(marked.findings))
    for i, (waiver, allowed) in enumerate(zip(waivers, allows, strict=True)):
        for k in allowed:
            if waiver.expired(days[k]):
                findings[k].append(_expired(waiver, days[k]))
        home = allowed[0] if allowed else 0
        if not allowed and waiver.expired(days[0]):
            findings[0].append(_expired(waiver, days[0]))
        elif i not in used and not waiver.expired(days[home]):
            findings[home].append(_stale(waiver, i in passing, scoped_out=not allowed, fleet=True))
    return tuple(
        replace(report, findings=tuple(own)) for (_, report), own in zip(reports, findings, strict=True)
    )


@dataclass(frozen=True)
class _Marked:
    findings: tuple[Finding, ...]
    used: frozenset[int]  # waivers (by index) that matched a finding needing attention
    passing: frozenset[int]  # waivers that matched only findings that pass (or skip) now


def _mark(
    findings: tuple[Finding, ...], waivers: Sequence[Waiver], scoped: Sequence[int], today: date
) -> _Marked:
    """The findings of one deployment marked by the waivers (indices ``scoped``) that apply to it, and which
    waivers matched (no warns added)."""
    live = [(i, waivers[i]) for i in scoped if not waivers[i].expired(today)]
    # an exact resource is looked up, a glob is tried: a fleet's thousands of findings stay linear
    exact: dict[tuple[str, str], list[int]] = {}
    globs: dict[str, list[int]] = {}
    for i, waiver in live:
        if _GLOB.search(waiver.resource):
            globs.setdefault(waiver.check, []).append(i)
        else:
            exact.setdefault((waiver.check, waiver.resource), []).append(i)
    used: set[int] = set()
    passing: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        candidates = exact.get((finding.check, finding.resource), []) + [
            i for i in globs.get(finding.check, ()) if waivers[i].matches(finding.check, finding.resource)
        ]
        chosen: Waiver | None = None
        for i in sorted(candidates):  # file order: the first waiver written is the one carried
            if finding.status not in WAIVABLE:
                passing.add(i)
                continue
            used.add(i)
            chosen = chosen or waivers[i]
        out.append(replace(finding, waiver=chosen) if chosen and finding.waiver is None else finding)
    return _Marked(tuple(out), frozenset(used), frozenset(passing))


def _label(waiver: Waiver) -> str:
    where = f" in deployment {waiver.deployment}" if waiver.deployment else ""
    return f"{waiver.check} on {waiver.resource}{where}"


def _place(waiver: Waiver) -> str:
    return str(waiver.origin) if waiver.origin else "the waivers file"


def _fact(waiver: Waiver) -> Fact:
    return Fact("waiver", f"{_label(waiver)}: {waiver.describe()}", waiver.origin)


def _warning(waiver: Waiver, check: str, severity: Severity, title: str, detail: str, fix: Fix) -> Finding:
    """The warning a run gives about ``waiver`` itself (expired, or matching nothing), with the waiver as evidence."""
    return Finding(
        check=check,
        status=Status.WARN,
        severity=severity,
        title=title,
        detail=detail,
        resource=waiver.resource,
        evidence=(_fact(waiver),),
        fixes=(fix,),
    )


def _expired(waiver: Waiver, today: date) -> Finding:
    return _warning(
        waiver,
        EXPIRED_CHECK,
        Severity.MEDIUM,
        f"Waiver of {_label(waiver)} expired on {waiver.expires.isoformat()}",
        f"The waiver at {_place(waiver)} no longer applies (today is {today.isoformat()}): the findings it "
        f"covered count again. It said: {waiver.describe()}.",
        Fix(
            FixKind.CONSOLE,
            f"Fix the finding and delete the [[waiver]] at {_place(waiver)}, or, if the exception still "
            "holds, set a new expires date there (and say why in reason).",
            "renew or remove the waiver",
        ),
    )


def _stale(waiver: Waiver, passing: bool, *, scoped_out: bool = False, fleet: bool = False) -> Finding:
    if scoped_out:
        why = (
            f"no deployment of this run is named {waiver.deployment!r}"
            if fleet
            else f"it is limited to deployment {waiver.deployment!r}, and this run audits no named deployment"
        )
    elif passing:
        why = "the findings it names pass now"
    else:
        where = " in any deployment" if fleet else ""
        why = f"no finding of this run{where} has that check and resource"
    return _warning(
        waiver,
        STALE_CHECK,
        Severity.LOW,
        f"Waiver of {_label(waiver)} matches nothing",
        f"The waiver at {_place(waiver)} waived nothing in this run: {why}. A waiver left behind would "
        f"silently hide the same problem if it came back. It said: {waiver.describe()}.",
        Fix(FixKind.CONSOLE, f"Delete the [[waiver]] at {_place(waiver)}.", "remove the waiver"),
    )
