"""`gcready diagnose`: the top-ranked cause for realistic stuck-delete scenarios, and its contract."""

from __future__ import annotations

import json

import jsonschema
import pytest

from gcready.schemas_access import load_schema
from tests.conftest import FIXTURES, run_gcready

SCENARIOS = FIXTURES / "scenarios"


def diagnose(case: str, *args: str) -> tuple[int, dict[str, object]]:
    run = run_gcready("diagnose", str(SCENARIOS / case / "inputs"), "--offline", "--format", "json", *args)
    assert "Traceback" not in run.stderr
    return run.code, json.loads(run.stdout)


@pytest.mark.parametrize(
    ("case", "check", "status", "tier"),
    [
        ("operator-cr-aws-flag-yes", "gc-env-flag", "fail", "gc-never-runs"),
        ("helm-gcp-app-extraenv-false-overrides-global", "gc-env-flag", "fail", "gc-never-runs"),
        ("dotenv-minio-onprem-versioning-suspended", "bucket-versioning", "fail", "gc-cannot-delete"),
        ("helm-azure-blob-soft-delete-off", "bucket-versioning", "fail", "gc-cannot-delete"),
        ("shared-cloud-ssc-gcs-not-versioned", "bucket-versioning", "fail", "gc-cannot-delete"),
        ("kubectl-flag-from-secret", "gc-env-flag", "unknown", "gc-never-runs"),
    ],
)
def test_top_ranked_cause(case: str, check: str, status: str, tier: str) -> None:
    _, report = diagnose(case)
    diagnosis = report["diagnosis"]
    assert isinstance(diagnosis, dict)
    top = diagnosis["causes"][0]
    assert (top["findings"][0]["check"], top["findings"][0]["status"], top["tier"]) == (check, status, tier)
    assert top["confirmed"] is (status != "unknown")
    if status != "unknown":
        assert top["title"] in diagnosis["headline"]


def test_confirmed_causes_rank_before_unconfirmed_ones() -> None:
    _, report = diagnose("operator-cr-aws-flag-missing")
    causes = report["diagnosis"]["causes"]  # type: ignore[index]
    confirmed = [c["confirmed"] for c in causes]
    assert confirmed == sorted(confirmed, reverse=True)
    assert [c["rank"] for c in causes] == list(range(1, len(causes) + 1))


def test_a_ready_deployment_has_no_cause_and_lists_what_gcready_cannot_see() -> None:
    code, report = diagnose("operator-cr-aws-ready")
    diagnosis = report["diagnosis"]
    assert code == 0
    # the scenario sets GORILLA_DATA_RETENTION_PERIOD: a delay, the only cause left
    assert [c["tier"] for c in diagnosis["causes"]] == ["delay"]  # type: ignore[index]
    assert "Nothing on the storage side" in diagnosis["headline"]  # type: ignore[index]
    titles = [u["title"] for u in diagnosis["unseen"]]  # type: ignore[index]
    assert any("shared with other artifact versions" in t for t in titles)
    assert any("aliases" in t for t in titles)


def test_dedicated_cloud_mentions_its_retention_window() -> None:
    _, report = diagnose("dedicated-ssc-aws-versioned")
    titles = [u["title"] for u in report["diagnosis"]["unseen"]]  # type: ignore[index]
    assert any("retention window" in t for t in titles)


def test_same_exit_code_as_audit_and_schema_valid() -> None:
    for case in ("operator-cr-aws-flag-missing", "kubectl-flag-from-secret", "operator-cr-aws-ready"):
        code, report = diagnose(case)
        audit = run_gcready("audit", str(SCENARIOS / case / "inputs"), "--offline", "--format", "json")
        assert code == audit.code
        jsonschema.validate(report, load_schema("report.schema.json"))


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_text_and_html_show_the_ranked_causes(fmt: str) -> None:
    run = run_gcready(
        "diagnose", str(SCENARIOS / "operator-cr-aws-flag-yes" / "inputs"), "--offline", "--format", fmt
    )
    assert run.code == 3
    assert "Why deletes are stuck" in run.stdout
    assert "silent failure" in run.stdout


def test_explain_prints_what_a_check_looks_at_and_its_fixes() -> None:
    run = run_gcready("explain", "bucket-versioning")
    assert run.code == 0
    assert "aws s3api put-bucket-versioning" in run.stdout
    assert "Why it matters" in run.stdout
    listing = run_gcready("explain")
    assert "gc-env-flag" in listing.stdout
    unknown = run_gcready("explain", "no-such-check")
    assert unknown.code == 2
    assert len(unknown.stderr.strip().splitlines()) == 1
