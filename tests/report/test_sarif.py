"""SARIF 2.1.0: validated against the official OASIS schema (vendored: no network at test time)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gcready.checks import CATALOG
from gcready.model import Origin, Report, Status
from gcready.report import Format, render
from gcready.report.sarif import FINGERPRINT_KEY, file_of
from tests.conftest import FIXTURES, run_gcready

SCHEMA_PATH = Path(__file__).with_name("sarif-2.1.0.schema.json")


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _log(report: Report) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(report, Format.SARIF))
    return log


def test_valid_against_the_official_schema(
    any_report: Report, validator: jsonschema.protocols.Validator
) -> None:
    errors = sorted(validator.iter_errors(_log(any_report)), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_scenario_outputs_are_valid(validator: jsonschema.protocols.Validator) -> None:
    for case in ("operator-cr-aws-flag-yes", "kubectl-flag-from-secret", "bad-yaml-beside-good-inputs"):
        run = run_gcready(
            "audit", str(FIXTURES / "scenarios" / case / "inputs"), "--offline", "--format", "sarif"
        )
        assert run.stdout, run.stderr
        errors = list(validator.iter_errors(json.loads(run.stdout)))
        assert not errors, (case, [e.message for e in errors[:3]])


def test_one_rule_per_check(failing_report: Report) -> None:
    driver = _log(failing_report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "gcready" and driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [c.meta.id for c in CATALOG]
    by_id = {r["id"]: r for r in rules}
    flag = by_id["gc-env-flag"]
    meta = next(c.meta for c in CATALOG if c.meta.id == "gc-env-flag")
    assert flag["shortDescription"]["text"] == meta.title
    assert flag["fullDescription"]["text"] == meta.description
    assert meta.why in flag["help"]["text"] and meta.why in flag["help"]["markdown"]
    assert "other_wandb_env" in flag["help"]["text"]  # the example fixes
    assert flag["defaultConfiguration"]["level"] == "error"
    assert "gcready" in flag["properties"]["tags"]


def test_rules_come_from_the_report_not_the_catalog(failing_report: Report) -> None:
    renamed = replace(failing_report.rules[1], title="Title the report carries")
    driver = _log(replace(failing_report, rules=(renamed,)))["runs"][0]["tool"]["driver"]
    # the carried rule first, with its metadata; then bare rules for the other checks the findings name
    assert driver["rules"][0]["id"] == "gc-env-flag"
    assert driver["rules"][0]["shortDescription"]["text"] == "Title the report carries"
    assert [r["id"] for r in driver["rules"][1:]] == ["deployment-type", "bucket-versioning", "ssc-provider"]
    assert driver["rules"][1] == {
        "id": "deployment-type",
        "name": "DeploymentType",
        "shortDescription": {"text": "deployment-type"},
    }


def test_results_levels_and_kinds(failing_report: Report, passing_report: Report) -> None:
    results = _log(failing_report)["runs"][0]["results"]
    # pass and skip findings are not results
    assert [(r["ruleId"], r["kind"], r["level"]) for r in results] == [
        ("gc-env-flag", "fail", "error"),
        ("bucket-versioning", "fail", "error"),
        ("bucket-versioning", "open", "none"),  # unknown: insufficient information
    ]
    rules = _log(failing_report)["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    (warn,) = _log(passing_report)["runs"][0]["results"]
    assert (warn["ruleId"], warn["kind"], warn["level"]) == ("noncurrent-expiry", "fail", "warning")
    assert warn["properties"]["status"] == "warn"


def test_message_locations_and_fixes(failing_report: Report) -> None:
    flag = _log(failing_report)["runs"][0]["results"][0]
    assert flag["message"]["text"].startswith("[fail] GORILLA_ARTIFACT_GC_ENABLED is not true")
    assert "wandb-cr.yaml:27" in flag["message"]["text"]
    (location,) = flag["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "wandb-cr.yaml"},
        "region": {"startLine": 27},
    }
    assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("spec.values.global.extraEnv")
    assert "fixes" not in flag  # a SARIF fix needs artifactChanges; ours are instructions
    fixes = flag["properties"]["fixes"]
    assert [f["kind"] for f in fixes] == ["helm", "terraform"]
    for fix in fixes:
        assert fix["text"].splitlines()[0] in flag["message"]["markdown"]
    unknown = _log(failing_report)["runs"][0]["results"][2]
    assert "Needs: s3:GetBucketVersioning" in unknown["message"]["text"]
    # the live reading is not a file; the .env line is
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in unknown["locations"]]
    assert uris == [".env"]


def test_fingerprints_are_stable_and_distinct(failing_report: Report) -> None:
    first = [r["partialFingerprints"][FINGERPRINT_KEY] for r in _log(failing_report)["runs"][0]["results"]]
    changed = replace(
        failing_report,
        generated_at="2030-01-01T00:00:00Z",
        findings=tuple(replace(f, detail=f.detail + " (reworded)") for f in failing_report.findings),
    )
    second = [r["partialFingerprints"][FINGERPRINT_KEY] for r in _log(changed)["runs"][0]["results"]]
    assert first == second
    assert len(set(first)) == len(first)


def test_terraform_address_is_a_logical_location(failing_report: Report) -> None:
    finding = replace(
        failing_report.findings[2],
        evidence=(
            failing_report.findings[2]
            .evidence[0]
            .__class__(
                "bucket",
                "s3://acme-wandb-artifacts",
                Origin("infra/main.tf", 12, "aws_s3_bucket.file_storage"),
            ),
        ),
    )
    report = replace(failing_report, findings=(finding,))
    (result,) = _log(report)["runs"][0]["results"]
    (location,) = result["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "infra/main.tf"
    assert location["logicalLocations"] == [
        {"fullyQualifiedName": "aws_s3_bucket.file_storage", "kind": "resource"}
    ]


def test_input_errors_are_notifications(input_error_report: Report) -> None:
    run = _log(input_error_report)["runs"][0]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 14
    assert run["properties"]["verdict"] == "error"
    assert run["results"][0]["kind"] == "open"


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        (Origin("wandb-cr.yaml", 3), "wandb-cr.yaml"),
        (Origin("bundle.json"), "bundle.json"),
        (Origin("environment", None, "WANDB_BASE_URL"), None),
        (Origin("live:s3", None, "GetBucketVersioning"), None),
        (Origin("probe", None, "https://s3.amazonaws.com"), None),
        (Origin("--bucket"), None),
    ],
)
def test_which_origins_are_files(origin: Origin, expected: str | None) -> None:
    assert file_of(origin) == expected


def test_cli_writes_sarif_file(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    out = tmp_path / "gcready.sarif"
    case = FIXTURES / "scenarios" / "operator-cr-aws-flag-yes" / "inputs"
    run = run_gcready("audit", str(case), "--offline", "--sarif", str(out), "--quiet")
    assert run.code == 3, run.stderr
    log = json.loads(out.read_text())
    assert not list(validator.iter_errors(log))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["gc-env-flag"]
    assert Status.FAIL.value == log["runs"][0]["results"][0]["properties"]["status"]


_CASES = sorted(p for p in (FIXTURES / "scenarios").iterdir() if (p / "case.yaml").is_file())


@pytest.mark.parametrize("case", _CASES, ids=[c.name for c in _CASES])
@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_no_secret_in_sarif_or_junit(case: Path, fmt: str) -> None:
    """The scenario secrets stay out of the machine formats too (tests/test_scenarios.py covers the rest)."""
    import yaml

    spec = yaml.safe_load((case / "case.yaml").read_text())
    args = [str(a) for a in spec.get("args") or []]
    run = run_gcready("audit", str(case / "inputs"), "--offline", "--format", fmt, *args)
    assert run.stdout
    for secret in [str(s) for s in spec.get("secrets") or []]:
        assert secret not in run.stdout, f"{secret!r} leaked into {fmt} output"
