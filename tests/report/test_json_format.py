"""The JSON report is a public contract: it validates against the shipped schema, says what the audit said."""

from __future__ import annotations

import copy
import dataclasses
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from gcready.model import DeploymentType, Fact, FixKind, Report, Severity, SourceKind, Status
from gcready.report import Format, json_format, render

SCHEMA: dict[str, Any] = json.loads(
    resources.files("gcready").joinpath("schemas/report.schema.json").read_text("utf-8")
)


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _errors(document: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(document)]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_rendered_output_validates_against_the_schema(any_report: Report) -> None:
    document = json.loads(render(any_report, Format.JSON))
    assert _errors(document) == []


def test_output_is_indented_ends_with_a_newline_and_is_stable(failing_report: Report) -> None:
    out = json_format.render(failing_report)
    assert out.endswith("}\n")
    assert out.startswith('{\n  "schema": "gcready-report/1",\n')
    assert json_format.render(failing_report) == out
    assert json.loads(out) == json_format.to_dict(failing_report)


def test_top_level_keys_come_in_the_documented_order(failing_report: Report) -> None:
    assert list(json_format.to_dict(failing_report)) == [
        "schema", "tool", "generated_at", "command", "offline", "requirements", "deployment",
        "applicable", "findings", "summary", "inputs", "errors", "notes", "diagnosis", "inventory", "baseline",
    ]  # fmt: skip


def test_failing_audit_round_trips_statuses_exit_code_and_checks(failing_report: Report) -> None:
    document = json.loads(json_format.render(failing_report))
    assert [f["status"] for f in document["findings"]] == ["pass", "fail", "fail", "unknown", "skip"]
    assert document["summary"]["verdict"] == "fail"
    assert document["summary"]["exit_code"] == 3
    assert document["summary"]["checks"] == {
        "deployment-type": "pass",
        "gc-env-flag": "fail",
        "bucket-versioning": "fail",
        "ssc-provider": "skip",
    }
    assert document["summary"]["counts"] == {
        "pass": 1, "fail": 2, "warn": 0, "unknown": 1, "error": 0, "skip": 1, "info": 0,
    }  # fmt: skip
    assert document["deployment"]["type"] == "customer-managed-cloud"
    assert document["deployment"]["conflicts"] and document["deployment"]["decided_by"] == "evidence"
    assert document["applicable"] == [
        {
            "deployment": "customer-managed-cloud",
            "label": "Customer-managed cloud",
            "env_var": True,
            "versioning": True,
            "note": "",
        }
    ]


def test_evidence_keeps_its_origin(failing_report: Report) -> None:
    flag = json.loads(json_format.render(failing_report))["findings"][1]
    assert flag["evidence"] == [
        {
            "label": "GORILLA_ARTIFACT_GC_ENABLED",
            "value": "yes",
            "origin": {
                "source": "wandb-cr.yaml",
                "line": 27,
                "path": "spec.values.global.extraEnv.GORILLA_ARTIFACT_GC_ENABLED",
            },
        }
    ]


def test_fixes_keep_kind_title_and_verbatim_text(failing_report: Report) -> None:
    document = json.loads(json_format.render(failing_report))
    texts = [fix["text"] for finding in document["findings"] for fix in finding["fixes"]]
    assert texts == [fix.text for finding in failing_report.findings for fix in finding.fixes]
    assert document["findings"][1]["fixes"][0]["kind"] == "helm"


def test_unknown_finding_carries_what_it_needs(failing_report: Report) -> None:
    unknown = json_format.to_dict(failing_report)["findings"][3]
    assert isinstance(unknown, dict)
    assert unknown["status"] == "unknown"
    assert "s3:GetBucketVersioning" in str(unknown["needs"])


def test_passing_audit_exits_zero_even_with_a_warning(passing_report: Report) -> None:
    summary = json.loads(json_format.render(passing_report))["summary"]
    assert summary["verdict"] == "pass"
    assert summary["exit_code"] == 0
    assert summary["counts"]["warn"] == 1
    assert summary["checks"]["noncurrent-expiry"] == "warn"


def test_input_error_audit(input_error_report: Report) -> None:
    document = json.loads(json_format.render(input_error_report))
    assert document["summary"]["verdict"] == "error"
    assert document["summary"]["exit_code"] == 2
    assert document["errors"] == [
        {
            "source": "values.yaml",
            "line": 14,
            "message": "not valid YAML: mapping values are not allowed here",
        }
    ]
    assert document["deployment"]["type"] == "unknown"
    assert document["deployment"]["decided_by"] == "undecided"
    # In the requirements table's order, whatever order the frozenset iterates in.
    assert document["deployment"]["candidates"] == ["customer-managed-cloud", "customer-managed-onprem"]
    assert [row["deployment"] for row in document["applicable"]] == document["deployment"]["candidates"]
    assert document["offline"] is True


def test_fact_without_origin_is_null(failing_report: Report) -> None:
    deployment = dataclasses.replace(failing_report.deployment, evidence=(Fact("declared", "bundle"),))
    document = json_format.to_dict(dataclasses.replace(failing_report, deployment=deployment))
    assert _errors(document) == []
    evidence = document["deployment"]
    assert isinstance(evidence, dict)
    assert evidence["evidence"] == [{"label": "declared", "value": "bundle", "origin": None}]


def test_non_ascii_text_stays_readable(failing_report: Report) -> None:
    finding = dataclasses.replace(failing_report.findings[1], detail="Valor «yes» no es un booleano")
    report = dataclasses.replace(failing_report, findings=(finding,))
    assert "«yes»" in json_format.render(report)


@pytest.mark.parametrize(
    ("where", "bad"),
    [
        (("findings", 1, "status"), "failed"),
        (("findings", 1, "fixes", 0, "kind"), "ansible"),
        (("deployment", "type"), "saas"),
        (("summary", "exit_code"), 1),
        (("summary", "counts", "pass"), -1),
        (("generated_at",), "yesterday"),
    ],
)
def test_schema_rejects_values_outside_the_contract(
    failing_report: Report, where: tuple[str | int, ...], bad: object
) -> None:
    document: Any = copy.deepcopy(json_format.to_dict(failing_report))
    target = document
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = bad
    assert _errors(document)


@pytest.mark.parametrize("where", [(), ("tool",), ("findings", 0), ("findings", 1, "evidence", 0, "origin")])
def test_schema_rejects_unknown_keys(failing_report: Report, where: tuple[str | int, ...]) -> None:
    document: Any = copy.deepcopy(json_format.to_dict(failing_report))
    target = document
    for key in where:
        target = target[key]
    target["surprise"] = True
    assert _errors(document)


def test_schema_enums_match_the_model() -> None:
    defs = SCHEMA["$defs"]
    assert defs["status"]["enum"] == [s.value for s in Status]
    assert defs["severity"]["enum"] == [s.value for s in Severity]
    assert defs["deploymentId"]["enum"] == [t.value for t in DeploymentType]
    assert defs["fix"]["properties"]["kind"]["enum"] == [k.value for k in FixKind]
    assert SCHEMA["properties"]["inputs"]["items"]["properties"]["kind"]["enum"] == [
        k.value for k in SourceKind
    ]
    assert list(SCHEMA["properties"]["summary"]["properties"]["counts"]["properties"]) == [
        s.value for s in Status
    ]
