"""A fleet's report in every format: an overall verdict, then each deployment in its own section.

Each section is the single-deployment format of that deployment's report, so a fleet reads the way
one audit does: text (an overall line, a table, then a header and the short report per deployment),
JSON (``gcready-fleet/1``, ``schemas/fleet.schema.json``, each deployment's ``gcready-report/1``),
OpenMetrics (one exposition, every sample labelled ``deployment="<name>"``),
HTML (one page: the table, then a section per deployment), SARIF (one run per deployment) and JUnit
(one test suite per deployment). Pure functions ``Fleet -> str``.
"""

from __future__ import annotations

import html as html_text
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, assert_never

from gcready.model import JSON
from gcready.model.drift import gate_exit_code
from gcready.model.fleet import Fleet, FleetMember
from gcready.report import VERDICT_HEADLINES, Format, count_phrase, headline, render

if TYPE_CHECKING:
    from gcready.report.context import RunContext

SCHEMA_ID = "gcready-fleet/1"


def render_fleet(
    fleet: Fleet,
    fmt: Format,
    *,
    color: bool = False,
    verbose: bool = False,
    contexts: Mapping[str, RunContext] | None = None,
) -> str:
    """The fleet's report in one format (``color`` and ``verbose`` only affect text; ``contexts``, each
    deployment's run information by name, only OpenMetrics)."""
    match fmt:
        case Format.TEXT:
            return text(fleet, color=color, verbose=verbose)
        case Format.JSON:
            return json.dumps(to_dict(fleet), indent=2, ensure_ascii=False) + "\n"
        case Format.HTML:
            return page(fleet)
        case Format.SARIF:
            return json.dumps(sarif(fleet), indent=2, ensure_ascii=False) + "\n"
        case Format.JUNIT:
            return junit(fleet)
        case Format.OPENMETRICS:
            from gcready.report.openmetrics import DeploymentRun
            from gcready.report.openmetrics import render_fleet as exposition

            # one exposition, each sample labelled with its deployment's name
            known = contexts or {}
            return exposition([DeploymentRun(m.name, m.report, known.get(m.name)) for m in fleet.members])
        case _:
            assert_never(fmt)


def fleet_headline(fleet: Fleet) -> str:
    """``NOT READY for artifact garbage collection — 3 deployments: 1 fail, 1 unknown, 1 pass``."""
    tally: dict[str, int] = {}
    for verdict in fleet.verdicts().values():
        tally[verdict] = tally.get(verdict, 0) + 1
    order = ("error", "fail", "unknown", "pass")
    parts = ", ".join(f"{tally[v]} {'input error' if v == 'error' else v}" for v in order if v in tally)
    n = len(fleet.members)
    return f"{VERDICT_HEADLINES[fleet.verdict()]} — {n} deployment{'' if n == 1 else 's'}: {parts}"


# --- text -----------------------------------------------------------------------------------------


def text(fleet: Fleet, *, color: bool = False, verbose: bool = False) -> str:
    """The overall line and a line per deployment, then each deployment's own text report."""
    width = max(len(m.name) for m in fleet.members)
    lines = [f"gcready fleet: {fleet_headline(fleet)} (exit {fleet.exit_code()})", ""]
    for member in fleet.members:
        report = member.report
        lines.append(
            f"  {member.name:<{width}}  {report.verdict():<7}  exit {gate_exit_code(report)}  {count_phrase(report)}"
        )
    out = "\n".join(lines) + "\n"
    for member in fleet.members:
        rule = "=" * max(0, 76 - len(member.name))
        out += f"\n== deployment {member.name} {rule}\n"
        out += render(member.report, Format.TEXT, color=color, verbose=verbose)
    return out


# --- JSON -----------------------------------------------------------------------------------------


def to_dict(fleet: Fleet) -> dict[str, JSON]:
    """The fleet as plain JSON values, in the documented shape (``gcready-fleet/1``)."""
    from gcready.report.json_format import TOOL_NAME
    from gcready.report.json_format import to_dict as report_dict

    return {
        "schema": SCHEMA_ID,
        "tool": {"name": TOOL_NAME, "version": fleet.tool_version},
        "generated_at": fleet.generated_at,
        "summary": {
            "verdict": fleet.verdict(),
            "exit_code": int(fleet.exit_code()),
            "deployments": dict(fleet.verdicts()),
        },
        "deployments": [{"name": m.name, "report": report_dict(m.report)} for m in fleet.members],
    }


# --- HTML -----------------------------------------------------------------------------------------

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_SCRIPT = re.compile(r"<script>.*?</script>\s*", re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_ID = re.compile(r'\bid="([^"]*)"')


def anchor(name: str, position: int) -> str:
    """An HTML id for a deployment: its name in safe characters, made unique by its position."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "deployment"
    return f"d{position}-{slug}"


def page(fleet: Fleet) -> str:
    """One HTML page: the fleet's verdict and a table of its deployments, then one section each.

    Each section is that deployment's own HTML report (its body, ids prefixed so they stay unique);
    the head, style, Content-Security-Policy and script come once, from the single-report renderer.
    """
    documents = [render(m.report, Format.HTML) for m in fleet.members]
    first = documents[0]
    head = first[: first.index("<body")]
    head = _TITLE.sub(
        f"<title>gcready fleet: {html_text.escape(fleet_headline(fleet))}</title>", head, count=1
    )
    script = _SCRIPT.search(first)
    verdict = fleet.verdict()
    parts = [
        head,
        "<body>\n",
        f'<header class="verdict verdict-{verdict}" role="status">\n',
        f"  <h1>gcready fleet: {html_text.escape(fleet_headline(fleet))}</h1>\n",
        f'  <p class="muted">{len(fleet.members)} deployments · {html_text.escape(fleet.generated_at)}'
        f" · exit code {fleet.exit_code()}</p>\n</header>\n",
        _summary_table(fleet),
    ]
    for position, (member, document) in enumerate(zip(fleet.members, documents, strict=True)):
        ident = anchor(member.name, position)
        found = _BODY.search(document)
        body = _SCRIPT.sub("", found.group(1) if found else "")
        body = _ID.sub(_prefixed(ident), body)
        parts.append(
            f'<section class="deployment" id="{ident}">\n'
            f"<h2>Deployment {html_text.escape(member.name)}</h2>\n{body}</section>\n"
        )
    if script:
        parts.append(script.group(0))
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _prefixed(prefix: str) -> Callable[[re.Match[str]], str]:
    return lambda match: f'id="{prefix}-{match.group(1)}"'


def _summary_table(fleet: Fleet) -> str:
    rows = []
    for position, member in enumerate(fleet.members):
        report = member.report
        rows.append(
            f'    <tr><td><a href="#{anchor(member.name, position)}">{html_text.escape(member.name)}</a></td>'
            f'<td><span class="badge status-{report.verdict()}">{report.verdict()}</span></td>'
            f"<td>{html_text.escape(headline(report))}</td><td>{gate_exit_code(report)}</td></tr>\n"
        )
    return (
        '<section id="fleet">\n  <h2>Deployments</h2>\n  <table>\n'
        "    <thead><tr><th>Deployment</th><th>Verdict</th><th>Headline</th><th>Exit</th></tr></thead>\n"
        f"    <tbody>\n{''.join(rows)}    </tbody>\n  </table>\n</section>\n"
    )


# --- SARIF ----------------------------------------------------------------------------------------


def sarif(fleet: Fleet) -> dict[str, JSON]:
    """A SARIF 2.1.0 log with one run per deployment, each named by ``automationDetails.id``."""
    from gcready.report.sarif import SARIF_SCHEMA, SARIF_VERSION
    from gcready.report.sarif import to_dict as sarif_dict

    runs: list[JSON] = []
    for member in fleet.members:
        log = sarif_dict(member.report)
        run = log["runs"][0]  # type: ignore[index]
        assert isinstance(run, dict)
        run["automationDetails"] = {"id": f"gcready/{member.name}/"}
        properties = run.setdefault("properties", {})
        assert isinstance(properties, dict)
        properties["deployment"] = member.name
        runs.append(run)
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": runs}


# --- JUnit ----------------------------------------------------------------------------------------


def junit(fleet: Fleet) -> str:
    """JUnit XML with one ``<testsuite name="gcready.<deployment>">`` per deployment.

    Each suite holds that deployment's test cases (classname ``gcready.<deployment>.<check id>``) and its
    report's properties; its counts agree with its cases, and the root's with the suites.
    """
    from gcready.report.junit import document

    return document([_member_suite(member) for member in fleet.members])


def _member_suite(member: FleetMember) -> ET.Element:
    from gcready.report.junit import set_counts

    single = ET.fromstring(render(member.report, Format.JUNIT).encode("utf-8"))
    suites = single.findall("testsuite")
    suite = ET.Element(
        "testsuite",
        {"name": f"gcready.{member.name}", "timestamp": member.report.generated_at, "time": "0"},
    )
    properties = suites[0].find("properties") if suites else None
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", {"name": "deployment", "value": member.name})
    if properties is not None:
        props.extend(list(properties))
    for part in suites:
        for case in part.findall("testcase"):
            case.set(
                "classname", f"gcready.{member.name}.{case.get('classname', '').removeprefix('gcready.')}"
            )
            suite.append(case)
    set_counts(suite, suites)
    return suite
