"""Every finding read from a file names ``file:line`` in every format (text, JSON, HTML, SARIF, JUnit)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import FIXTURES, run_gcready

CASE = FIXTURES / "scenarios" / "operator-cr-aws-flag-yes" / "inputs"
CR = "wandb-cr.yaml"
FLAG_LINE = 29  # spec.values.global.extraEnv.GORILLA_ARTIFACT_GC_ENABLED: "yes"
BUCKET_LINE = 38  # spec.values.global.bucket.name


def _audit(fmt: str) -> str:
    run = run_gcready("audit", str(CASE), "--offline", "--format", fmt)
    assert run.code == 3, run.stderr
    assert run.stdout
    return run.stdout


@pytest.mark.parametrize("fmt", ["text", "html", "sarif", "junit"])
def test_flag_location_in_every_format(fmt: str) -> None:
    """The failing flag is named ``wandb-cr.yaml:29`` in the readable text of each format."""
    out = _audit(fmt)
    assert f"{CR}:{FLAG_LINE}" in out


@pytest.mark.parametrize("fmt", ["text", "html", "junit"])
def test_passing_findings_are_located_too(fmt: str) -> None:
    """Formats that show passing findings locate them as well (SARIF only has results to act on)."""
    assert f"{CR}:{BUCKET_LINE}" in _audit(fmt)


def test_json_origin_fields() -> None:
    """JSON keeps the contract's structured origin: ``{source, line, path}``."""
    report = json.loads(_audit("json"))
    for check, line in (("gc-env-flag", FLAG_LINE), ("bucket-versioning", BUCKET_LINE)):
        (finding,) = [f for f in report["findings"] if f["check"] == check]
        origins = [e["origin"] for e in finding["evidence"] if e["origin"]]
        assert any(o["source"].endswith(CR) and o["line"] == line for o in origins), check


def test_sarif_physical_location() -> None:
    log = json.loads(_audit("sarif"))
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "gc-env-flag"]
    physical = [loc["physicalLocation"] for loc in result["locations"] if "physicalLocation" in loc]
    assert any(
        p["artifactLocation"]["uri"].endswith(CR) and p["region"]["startLine"] == FLAG_LINE for p in physical
    )


def test_junit_failure_text() -> None:
    root = ET.fromstring(_audit("junit"))
    failures = root.findall(".//testsuite[@name='gcready.gc-env-flag']/testcase/failure")
    assert len(failures) == 1
    assert f"{CR}:{FLAG_LINE}" in (failures[0].text or "")
