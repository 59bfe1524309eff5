"""Waived findings in every format: shown with the reason, expiry, ticket and owner, never counted."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gcready.model import Origin, Report, Status, Waiver
from gcready.redact import redact
from gcready.report import Format, render
from gcready.waivers import EXPIRED_CHECK, STALE_CHECK, apply

SARIF_SCHEMA = Path(__file__).with_name("sarif-2.1.0.schema.json")
REPORT_SCHEMA = json.loads(
    resources.files("gcready").joinpath("schemas/report.schema.json").read_text("utf-8")
)

FLAG = Waiver(
    "gc-env-flag",
    "app (helm component)",
    "Flag ships with the 0.60 upgrade",
    date(2025, 3, 31),
    ticket="OPS-142",
    owner="platform",
    origin=Origin("gcready.toml", 12),
)
BUCKETS = Waiver(
    "bucket-versioning",
    "s3://acme-wandb-*",
    "Buckets move to the new account",
    date(2025, 3, 14),
    owner="storage",
)
EXPIRED = Waiver("object-lock", "s3://old", "Old lock", date(2025, 1, 31), origin=Origin("gcready.toml", 30))
STALE = Waiver("mfa-delete", "s3://gone", "Gone bucket", date(2026, 1, 1), origin=Origin("gcready.toml", 40))


@pytest.fixture
def waived_report(failing_report: Report) -> Report:
    """The failing report with every fail and unknown waived (one waiver expires on the report's day)."""
    return apply(failing_report, [FLAG, BUCKETS])


@pytest.fixture
def mixed_report(failing_report: Report) -> Report:
    """Only the buckets waived, plus an expired and a stale waiver: the flag still fails."""
    return apply(failing_report, [BUCKETS, EXPIRED, STALE])


def test_the_gate_ignores_waived_findings(waived_report: Report, mixed_report: Report) -> None:
    assert (waived_report.verdict(), waived_report.exit_code()) == ("pass", 0)
    assert [f.status for f in waived_report.waived()] == [Status.FAIL, Status.FAIL, Status.UNKNOWN]
    assert (mixed_report.verdict(), mixed_report.exit_code()) == ("fail", 3)
    assert [f.check for f in mixed_report.findings[-2:]] == [EXPIRED_CHECK, STALE_CHECK]


# --- text ---------------------------------------------------------------------------------------


def test_text_shows_a_waived_line_with_reason_expiry_ticket_and_owner(waived_report: Report) -> None:
    out = render(waived_report, Format.TEXT)
    first = out.splitlines()[0]
    assert first.startswith("gcready: READY for artifact garbage collection — ") and first.endswith(
        "3 waived"
    )
    assert "Waived (accepted; not counted towards the verdict):" in out
    assert (
        "waived: Flag ships with the 0.60 upgrade (expires 2025-03-31, ticket OPS-142, owner platform)" in out
    )
    assert "waiver at gcready.toml:12" in out
    assert "waived: Buckets move to the new account (expires 2025-03-14, owner storage)" in out
    # a waived finding is listed once, under Waived, with its own status; never as needing attention
    assert out.count("[FAIL] gc-env-flag:") == 1
    assert out.index("[FAIL] gc-env-flag:") > out.index("Waived (accepted")


def test_verbose_text_marks_each_waived_finding(waived_report: Report) -> None:
    out = render(waived_report, Format.TEXT, verbose=True)
    assert "gc-env-flag [FAIL] (waived)" in out
    assert out.count("waived: ") == 3


def test_text_names_expired_and_stale_waivers_as_warnings(mixed_report: Report) -> None:
    out = render(mixed_report, Format.TEXT)
    assert out.splitlines()[0].endswith("1 fail, 2 warn, 1 pass, 1 skip, 2 waived")
    assert "[WARN] waiver-expired: Waiver of object-lock on s3://old expired on 2025-01-31" in out
    assert "[WARN] waiver-stale: Waiver of mfa-delete on s3://gone matches nothing" in out
    assert "at gcready.toml:30" in out and "at gcready.toml:40" in out


# --- JSON ---------------------------------------------------------------------------------------


def test_json_carries_the_waiver_and_validates(waived_report: Report, mixed_report: Report) -> None:
    validator = jsonschema.Draft202012Validator(
        REPORT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for report in (waived_report, mixed_report):
        document = json.loads(render(report, Format.JSON))
        assert [e.message for e in validator.iter_errors(document)] == []
    document = json.loads(render(waived_report, Format.JSON))
    flag = next(f for f in document["findings"] if f["check"] == "gc-env-flag")
    assert flag["status"] == "fail"
    assert flag["waiver"] == {
        "check": "gc-env-flag",
        "resource": "app (helm component)",
        "reason": "Flag ships with the 0.60 upgrade",
        "expires": "2025-03-31",
        "ticket": "OPS-142",
        "owner": "platform",
        "origin": {"source": "gcready.toml", "line": 12, "path": None},
    }
    assert next(f for f in document["findings"] if f["check"] == "ssc-provider")["waiver"] is None
    summary = document["summary"]
    assert summary["waived"] == 3 and summary["counts"]["fail"] == 0 and summary["counts"]["unknown"] == 0
    assert (summary["verdict"], summary["exit_code"]) == ("pass", 0)
    # every finding of the check is waived: its own worst status stands, never a pass
    assert summary["checks"]["bucket-versioning"] == "fail"


def test_a_schema_without_the_waiver_keys_would_reject_them(waived_report: Report) -> None:
    """The schema change is what lets the keys through: the old finding definition refuses them."""
    old = json.loads(json.dumps(REPORT_SCHEMA))
    del old["$defs"]["finding"]["properties"]["waiver"]
    document = json.loads(render(waived_report, Format.JSON))
    assert list(jsonschema.Draft202012Validator(old).iter_errors(document))


# --- HTML ---------------------------------------------------------------------------------------


def _section(page: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


def test_html_has_a_waived_badge_with_the_reason(waived_report: Report) -> None:
    page = render(waived_report, Format.HTML)
    waived = _section(page, "waived")
    assert waived.count('<span class="badge badge-waived">waived</span>') == 3
    assert "waived: Flag ships with the 0.60 upgrade (expires 2025-03-31)" in waived
    assert "<dt>Ticket</dt><dd>OPS-142</dd>" in waived and "<dt>Owner</dt><dd>platform</dd>" in waived
    assert "<code>gcready.toml:12</code>" in waived
    assert "gc-env-flag" not in _section(page, "attention")
    assert "Nothing needs attention" in _section(page, "attention")


def test_html_escapes_the_reason(failing_report: Report) -> None:
    hostile = Waiver("gc-env-flag", "app*", "<script>alert(1)</script>", date(2025, 3, 31))
    page = render(apply(failing_report, [hostile]), Format.HTML)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- SARIF --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def _results(report: Report) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = json.loads(render(report, Format.SARIF))["runs"][0]["results"]
    return results


def test_sarif_suppressions_are_external_accepted_with_the_reason(
    waived_report: Report, mixed_report: Report, sarif_validator: jsonschema.protocols.Validator
) -> None:
    for report in (waived_report, mixed_report):
        log = json.loads(render(report, Format.SARIF))
        assert [e.message for e in sarif_validator.iter_errors(log)] == []
    flag = next(r for r in _results(waived_report) if r["ruleId"] == "gc-env-flag")
    (suppression,) = flag["suppressions"]
    assert {k: suppression[k] for k in ("kind", "status", "justification")} == {
        "kind": "external",
        "status": "accepted",
        "justification": "Flag ships with the 0.60 upgrade",
    }
    assert suppression["location"]["physicalLocation"] == {
        "artifactLocation": {"uri": "gcready.toml"},
        "region": {"startLine": 12},
    }
    assert suppression["properties"]["expires"] == "2025-03-31"
    unwaived = next(r for r in _results(mixed_report) if r["ruleId"] == "gc-env-flag")
    assert "suppressions" not in unwaived and unwaived["level"] == "error"
    assert {r["ruleId"] for r in _results(mixed_report) if r["properties"]["status"] == "warn"} == {
        EXPIRED_CHECK,
        STALE_CHECK,
    }


# --- JUnit --------------------------------------------------------------------------------------


def test_junit_skips_waived_findings_with_the_reason(waived_report: Report) -> None:
    root = ET.fromstring(render(waived_report, Format.JUNIT).split("\n", 1)[1])
    assert (root.get("failures"), root.get("errors")) == ("0", "0")
    suite = next(s for s in root if s.get("name") == "gcready.gc-env-flag")
    (case,) = suite.findall("testcase")
    assert case.find("failure") is None
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.get("message") == (
        "waived: Flag ships with the 0.60 upgrade (expires 2025-03-31, ticket OPS-142, owner platform)"
    )
    status = case.find("properties/property[@name='status']")
    assert status is not None and status.get("value") == "fail"  # its own status, kept
    assert suite.get("skipped") == "1" and suite.get("failures") == "0"


def test_junit_counts_an_unwaived_fail_as_a_failure(mixed_report: Report) -> None:
    root = ET.fromstring(render(mixed_report, Format.JUNIT).split("\n", 1)[1])
    assert root.get("failures") == "1"  # the flag; both bucket findings are skipped as waived


# --- secrets ------------------------------------------------------------------------------------


def test_a_secret_in_a_waiver_never_reaches_an_output(failing_report: Report, _own_redactor: Any) -> None:
    _own_redactor.remember("hunter2-prod-key")
    leaky = Waiver(
        "gc-env-flag", "app*", "key hunter2-prod-key rotated", date(2025, 3, 31), ticket="hunter2-prod-key"
    )
    report = redact(apply(failing_report, [leaky]))
    for fmt in Format:
        assert "hunter2-prod-key" not in render(report, fmt), fmt
