"""JUnit XML: one suite per check, one test case per finding, counts that add up; parsed back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from gcready.checks import CATALOG
from gcready.model import Report
from gcready.report import Format, render


def _parse(report: Report) -> ET.Element:
    text = render(report, Format.JUNIT)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def _suite(root: ET.Element, check: str) -> ET.Element:
    suite = root.find(f"testsuite[@name='gcready.{check}']")
    assert suite is not None, check
    return suite


def test_one_suite_per_check_and_counts_add_up(any_report: Report) -> None:
    root = _parse(any_report)
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names[: len(CATALOG)] == [f"gcready.{c.meta.id}" for c in CATALOG]
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors", "-1")) == len(suite.findall("testcase/error"))
        assert int(suite.get("skipped", "-1")) == len(suite.findall("testcase/skipped"))
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "0")) for s in root.findall("testsuite"))
    findings = len(any_report.findings) + len(any_report.errors)
    assert int(root.get("tests", "-1")) == findings


def test_suites_follow_the_rules_the_report_carries(failing_report: Report) -> None:
    rules = tuple(reversed(failing_report.rules[:3]))
    names = [s.get("name") for s in _parse(replace(failing_report, rules=rules)).findall("testsuite")]
    # the carried rules' suites first, in their order, then checks only the findings name
    assert names == [
        "gcready.bucket-versioning",
        "gcready.gc-env-flag",
        "gcready.deployment-type",
        "gcready.ssc-provider",
    ]


def test_fail_is_a_failure_with_evidence_and_fixes(failing_report: Report) -> None:
    root = _parse(failing_report)
    (case,) = _suite(root, "gc-env-flag").findall("testcase")
    assert case.get("classname") == "gcready.gc-env-flag"
    assert (
        case.get("name") == "app (helm component): GORILLA_ARTIFACT_GC_ENABLED is not true on the app server"
    )
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "fail"
    assert "strconv.ParseBool" in (failure.get("message") or "")
    text = failure.text or ""
    assert "wandb-cr.yaml:27" in text  # evidence with file:line
    assert 'GORILLA_ARTIFACT_GC_ENABLED: "true"' in text and "other_wandb_env" in text  # fixes


def test_unknown_is_an_error_and_skip_is_skipped(failing_report: Report) -> None:
    root = _parse(failing_report)
    cases = _suite(root, "bucket-versioning").findall("testcase")
    assert [c.find("failure") is not None for c in cases] == [True, False]
    error = cases[1].find("error")
    assert error is not None and error.get("type") == "unknown"
    assert "s3:GetBucketVersioning" in (error.text or "")  # what gcready would need
    (skipped_case,) = _suite(root, "ssc-provider").findall("testcase")
    assert skipped_case.find("skipped") is not None
    assert _suite(root, "bucket-versioning").get("errors") == "1"


def test_warn_is_reported_but_not_a_failure(passing_report: Report) -> None:
    root = _parse(passing_report)
    (case,) = _suite(root, "noncurrent-expiry").findall("testcase")
    assert case.find("failure") is None and case.find("error") is None
    out = case.find("system-out")
    assert out is not None and (out.text or "").startswith("WARNING: ")
    props = {p.get("name"): p.get("value") for p in case.findall("properties/property")}
    assert props["status"] == "warn"
    assert root.get("failures") == "0" and root.get("errors") == "0"


def test_properties_name_the_deployment(failing_report: Report) -> None:
    root = _parse(failing_report)
    props = {
        p.get("name"): p.get("value") for p in _suite(root, "deployment-type").findall("properties/property")
    }
    assert props["deployment.type"] == "customer-managed-cloud"
    assert props["verdict"] == "fail" and props["exit_code"] == "3"


def test_input_errors_are_their_own_suite(input_error_report: Report) -> None:
    root = _parse(input_error_report)
    suite = _suite(root, "inputs")
    (case,) = suite.findall("testcase")
    error = case.find("error")
    assert error is not None and "values.yaml:14" in (error.text or "")
    assert suite.get("errors") == "1"


def test_control_characters_do_not_break_the_xml(failing_report: Report) -> None:
    finding = replace(failing_report.findings[1], detail="bad\x1b[31m value\x00")
    report = replace(failing_report, findings=(failing_report.findings[0], finding))
    root = _parse(report)
    failure = root.find(".//failure")
    assert failure is not None and "\\x1b" in (failure.text or "")


def test_cli_writes_junit_file(tmp_path: object) -> None:
    from pathlib import Path

    from tests.conftest import FIXTURES, run_gcready

    out = Path(str(tmp_path)) / "gcready.xml"
    case = FIXTURES / "scenarios" / "operator-cr-aws-flag-yes" / "inputs"
    run = run_gcready("audit", str(case), "--offline", "--junit", str(out), "--quiet")
    assert run.code == 3, run.stderr
    root = ET.parse(out).getroot()
    assert root.get("failures") == "1"
