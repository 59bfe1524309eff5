"""``gcready diff`` and ``audit --baseline`` as a platform team runs them: exit codes and what they print."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import run_gcready

DEMO_BUCKET = "s3://wandb-prod-file-storage-3k7q"


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's JSON report: bucket-versioning fails on the demo bucket, everything else passes or skips."""
    out = tmp_path_factory.mktemp("demo") / "today.json"
    run = run_gcready("audit", "fixtures/demo", "--offline", "--json", str(out), "--quiet")
    assert run.code == 3, run.stderr
    return out


def _edited(source: Path, target: Path, status: str, versioning: str) -> Path:
    """The demo report as an earlier run would have written it, with the bucket's versioning different."""
    doc: dict[str, Any] = json.loads(source.read_text())
    for finding in doc["findings"]:
        if finding["check"] == "bucket-versioning":
            finding["status"] = status
            for fact in finding["evidence"]:
                if fact["label"] == "S3 bucket versioning":
                    fact["value"] = versioning
    doc["generated_at"] = "2026-11-30T02:00:00Z"
    target.write_text(json.dumps(doc))
    return target


def test_diff_of_a_report_with_itself_exits_0(demo_json: Path) -> None:
    run = run_gcready("diff", str(demo_json), str(demo_json))
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("gcready diff: no change\n")


def test_diff_exits_3_on_a_regression_and_names_it(demo_json: Path, tmp_path: Path) -> None:
    yesterday = _edited(demo_json, tmp_path / "yesterday.json", "pass", "enabled")
    run = run_gcready("diff", str(yesterday), str(demo_json))
    assert run.code == 3, run.stderr
    assert f"REGRESSION [FAIL] bucket-versioning on {DEMO_BUCKET}" in run.stdout
    assert "S3 bucket versioning: enabled -> disabled" in run.stdout


def test_diff_exits_0_when_the_newer_report_is_better(demo_json: Path, tmp_path: Path) -> None:
    tomorrow = _edited(demo_json, tmp_path / "tomorrow.json", "pass", "enabled")
    run = run_gcready(
        "diff", str(demo_json), str(tomorrow), "--format", "json", "-o", str(tmp_path / "d.json")
    )
    assert run.code == 0, run.stderr
    written = json.loads((tmp_path / "d.json").read_text())
    assert written["regressed"] is False
    assert [(c["kind"], c["old"], c["new"]) for c in written["deployments"][0]["findings"]] == [
        ("fixed", "fail", "pass")
    ]
    assert run.stdout == "" and "no regression, 2 changes; exit 0" in run.stderr


def test_diff_markdown_for_a_pull_request(demo_json: Path, tmp_path: Path) -> None:
    yesterday = _edited(demo_json, tmp_path / "yesterday.json", "pass", "enabled")
    run = run_gcready("diff", str(yesterday), str(demo_json), "--format", "markdown", "--quiet")
    assert run.code == 3 and run.stderr == ""
    assert run.stdout.startswith("## gcready diff: 1 regression")
    assert f"- **regression** `bucket-versioning` on `{DEMO_BUCKET}`" in run.stdout


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("global:\n  cloudProvider: aws\n", "not JSON"),
        ('{"format": "gcready-bundle", "version": 1}', "not a gcready JSON report"),
        ('{"schema": "gcready-report/1", "findings": "none"}', 'no "findings" list'),
    ],
)
def test_a_file_that_is_not_a_report_is_one_line_and_exit_2(
    demo_json: Path, tmp_path: Path, content: str, reason: str
) -> None:
    bad = tmp_path / "values.yaml"
    bad.write_text(content)
    run = run_gcready("diff", str(demo_json), str(bad))
    assert run.code == 2
    assert run.stdout == ""
    [line] = run.stderr.splitlines()
    assert line.startswith(f"gcready: {bad}") and reason in line
    assert "Traceback" not in run.stderr


def test_a_missing_file_is_exit_2(demo_json: Path, tmp_path: Path) -> None:
    run = run_gcready("diff", str(tmp_path / "nope.json"), str(demo_json))
    assert run.code == 2 and "nope.json: cannot read" in run.stderr


def test_baseline_with_the_failure_already_in_it_passes_the_gate(demo_json: Path, tmp_path: Path) -> None:
    run = run_gcready("audit", "fixtures/demo", "--offline", "--baseline", str(demo_json))
    assert run.code == 0, run.stderr
    # the failure is still reported, and the report says why the gate passed
    assert "[FAIL] bucket-versioning" in run.stdout
    assert (
        f"Baseline {demo_json} of " in run.stdout
        and ": 0 regressions; 1 fail/unknown finding was already" in run.stdout
    )
    assert "0 regressions" in run.stderr and run.stderr.rstrip().endswith("exit 0")


def test_baseline_where_the_bucket_was_versioned_fails_the_gate(demo_json: Path, tmp_path: Path) -> None:
    good = _edited(demo_json, tmp_path / "last-good.json", "pass", "enabled")
    out = tmp_path / "report.json"
    run = run_gcready("audit", "fixtures/demo", "--offline", "--baseline", str(good), "--json", str(out))
    assert run.code == 3, run.stderr
    assert f"gcready: Baseline {good} of 2026-11-30T02:00:00Z: 1 regression" in run.stderr
    document = json.loads(out.read_text())
    schema = json.loads(resources.files("gcready").joinpath("schemas/report.schema.json").read_text("utf-8"))
    jsonschema.validate(document, schema)
    assert document["baseline"]["regressions"] == 1 and document["baseline"]["exit_code"] == 3
    assert document["baseline"]["changes"] == [
        {
            "check": "bucket-versioning",
            "resource": DEMO_BUCKET,
            "kind": "new-failure",
            "old": "pass",
            "new": "fail",
        }
    ]


def test_a_bad_baseline_is_exit_2_before_any_audit(tmp_path: Path) -> None:
    bad = tmp_path / "last-good.json"
    bad.write_text("{")
    run = run_gcready("audit", "fixtures/demo", "--offline", "--baseline", str(bad))
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.splitlines() == [
        f"gcready: {bad}:1: not JSON: Expecting property name enclosed in double quotes"
    ]


def test_baseline_also_reads_its_environment_variable(demo_json: Path) -> None:
    run = run_gcready("diagnose", "fixtures/demo", "--offline", env={"GCREADY_BASELINE": str(demo_json)})
    assert run.code == 0, run.stderr
    assert "0 regressions" in run.stdout
