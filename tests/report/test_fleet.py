"""A fleet's report in every format: each deployment in its own section, the worst verdict on top."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from gcready.model import ExitCode, Report
from gcready.model.fleet import Fleet, FleetMember
from gcready.report import Format, render
from gcready.report.fleet import render_fleet
from tests.conftest import REPO
from tests.report.test_html_browser import CHROMIUM, _chromium

SCHEMAS = REPO / "src" / "gcready" / "schemas"
SARIF_SCHEMA = Path(__file__).with_name("sarif-2.1.0.schema.json")


def fleet_validator() -> jsonschema.protocols.Validator:
    """The fleet schema, with the report schema it refers to for each deployment."""
    fleet = json.loads((SCHEMAS / "fleet.schema.json").read_text())
    report = json.loads((SCHEMAS / "report.schema.json").read_text())
    registry: Registry[Any] = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in (fleet, report)]
    )
    jsonschema.Draft202012Validator.check_schema(fleet)
    return jsonschema.Draft202012Validator(fleet, registry=registry)


@pytest.fixture
def fleet(failing_report: Report, passing_report: Report, input_error_report: Report) -> Fleet:
    return Fleet(
        (
            FleetMember("prod", passing_report),
            FleetMember("staging eu", failing_report),
            FleetMember("lab", input_error_report),
        ),
        "0.1.0",
        "2026-12-01T00:00:00Z",
    )


def test_the_exit_code_and_verdict_are_the_worst(
    failing_report: Report, passing_report: Report, input_error_report: Report
) -> None:
    def of(*reports: Report) -> Fleet:
        return Fleet(tuple(FleetMember(f"d{i}", r) for i, r in enumerate(reports)), "0", "t")

    assert of(passing_report, passing_report).exit_code() is ExitCode.OK
    assert of(passing_report, failing_report).exit_code() is ExitCode.FAIL
    assert of(failing_report, input_error_report, passing_report).exit_code() is ExitCode.INPUT
    assert of(passing_report, failing_report).verdict() == "fail"
    assert of(input_error_report, failing_report).verdict() == "error"


def test_text_has_an_overall_line_then_a_section_per_deployment(fleet: Fleet) -> None:
    text = render_fleet(fleet, Format.TEXT)
    first = text.splitlines()[0]
    assert first.startswith("gcready fleet: INPUT ERROR") and "3 deployments" in first and "(exit 2)" in first
    headers = re.findall(r"^== deployment (.+?) =+$", text, re.M)
    assert headers == ["prod", "staging eu", "lab"]
    for member in fleet.members:
        assert render(member.report, Format.TEXT) in text  # each section is that deployment's own report


def test_json_follows_the_fleet_contract_and_its_schema(fleet: Fleet) -> None:
    data = json.loads(render_fleet(fleet, Format.JSON))
    errors = [f"{list(e.path)}: {e.message}" for e in fleet_validator().iter_errors(data)]
    assert not errors, errors[:5]
    assert data["schema"] == "gcready-fleet/1"
    assert data["summary"] == {
        "verdict": "error",
        "exit_code": 2,
        "deployments": {"prod": "pass", "staging eu": "fail", "lab": "error"},
    }
    assert [d["report"]["summary"]["verdict"] for d in data["deployments"]] == ["pass", "fail", "error"]
    assert all(d["report"]["schema"] == "gcready-report/1" for d in data["deployments"])


def test_the_fleet_schema_rejects_a_deployment_without_its_report(fleet: Fleet) -> None:
    data = json.loads(render_fleet(fleet, Format.JSON))
    del data["deployments"][1]["report"]["findings"]
    assert list(fleet_validator().iter_errors(data))


def test_html_is_one_page_with_a_summary_table_and_a_section_per_deployment(fleet: Fleet) -> None:
    page = render_fleet(fleet, Format.HTML)
    assert page.count("<html") == 1 and page.count("<body") == 1 and page.count("<script>") == 1
    summary = page[page.index('<section id="fleet">') : page.index('<section class="deployment"')]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [name for _, name in links] == ["prod", "staging eu", "lab"]
    sections = re.findall(r'<section class="deployment" id="([^"]+)">\s*<h2>Deployment ([^<]+)</h2>', page)
    assert sections == links  # each row links to its own section, in the fleet's order
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids repeat across sections"
    # the Content-Security-Policy still names the one script by its hash
    single = render(fleet.members[0].report, Format.HTML)
    csp = re.search(r"script-src '([^']+)'", single)
    assert csp is not None and csp.group(1) in page
    banner = page[page.index("<header") : page.index("</header>")]
    assert 'class="verdict verdict-error"' in banner and "INPUT ERROR" in banner  # the worst, on top


def test_sarif_has_one_valid_run_per_deployment(fleet: Fleet) -> None:
    log = json.loads(render_fleet(fleet, Format.SARIF))
    schema = json.loads(SARIF_SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [e.message for e in validator.iter_errors(log)]
    assert not errors, errors[:3]
    assert [r["automationDetails"]["id"] for r in log["runs"]] == [
        "gcready/prod/",
        "gcready/staging eu/",
        "gcready/lab/",
    ]
    singles = [json.loads(render(m.report, Format.SARIF))["runs"][0]["results"] for m in fleet.members]
    assert [r["results"] for r in log["runs"]] == singles


def test_junit_has_one_suite_per_deployment_with_counts_that_add_up(fleet: Fleet) -> None:
    root = ET.fromstring(render_fleet(fleet, Format.JUNIT))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["gcready.prod", "gcready.staging eu", "gcready.lab"]
    for suite, member in zip(suites, fleet.members, strict=True):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("errors", "-1")) == sum(1 for c in cases if c.find("error") is not None)
        assert int(suite.get("skipped", "-1")) == sum(1 for c in cases if c.find("skipped") is not None)
        single = ET.fromstring(render(member.report, Format.JUNIT))
        assert len(cases) == int(single.get("tests", "-1"))
        names = {
            p.get("name"): p.get("value") for p in suite.iter("property") if p.get("name") == "deployment"
        }
        assert names == {"deployment": member.name}
    assert int(root.get("failures", "-1")) == sum(int(s.get("failures", "0")) for s in suites)
    staging = suites[1]
    assert (
        staging.find("testcase/failure") is not None
    )  # the failing deployment's failure is in its own suite
    assert suites[0].find("testcase/failure") is None


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/install-test-servers.sh installs it)"
)
def test_the_fleet_page_runs_its_one_script_under_its_csp_in_a_browser(fleet: Fleet, tmp_path: Path) -> None:
    page = tmp_path / "fleet.html"
    page.write_text(render_fleet(fleet, Format.HTML), encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    buttons = re.findall(r'<button[^>]*class="copy"[^>]*>', dom)
    # the failing deployment's fixes have copy buttons, shown by the page's own script
    assert buttons and not any("hidden" in b for b in buttons), buttons
    assert dom.count('<section class="deployment"') == 3


def test_openmetrics_is_one_exposition_labelled_by_deployment(fleet: Fleet) -> None:
    text = render_fleet(fleet, Format.OPENMETRICS)
    ready = sorted(line for line in text.splitlines() if line.startswith("gcready_ready{"))
    assert ready == [
        'gcready_ready{deployment="lab"} 0.0',
        'gcready_ready{deployment="prod"} 1.0',
        'gcready_ready{deployment="staging eu"} 0.0',
    ]
    assert text.count("# TYPE gcready_ready gauge") == 1  # one family, not one per deployment
