"""Drift between two JSON reports: each kind of change, fleets by name, and the regression rule."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from gcready.model import Fact, Origin, Report, Status
from gcready.model.drift import ChangeKind, Drift, is_regression
from gcready.report.drift import ReportFileError, compare, load_document
from gcready.report.json_format import to_dict

BUCKET = "s3://acme-wandb-artifacts"
APP = "Deployment/wandb-app container app"


def finding(
    check: str, status: str, resource: str, *facts: tuple[str, str], title: str = ""
) -> dict[str, Any]:
    return {
        "check": check,
        "status": status,
        "severity": "high",
        "title": title or f"{check} on {resource}",
        "detail": "",
        "resource": resource,
        "requirement": None,
        "needs": "",
        "evidence": [{"label": label, "value": value, "origin": None} for label, value in facts],
        "fixes": [],
    }


def report(
    *findings: dict[str, Any],
    buckets: tuple[str, ...] = (BUCKET,),
    components: tuple[str, ...] = (APP,),
    errors: tuple[str, ...] = (),
    when: str = "2026-11-30T02:00:00Z",
    inventory: bool = True,
) -> dict[str, Any]:
    """A gcready-report/1 document in the shape the JSON format writes."""
    statuses = [f["status"] for f in findings]
    verdict = (
        "error"
        if errors
        else "fail"
        if "fail" in statuses
        else "unknown"
        if "unknown" in statuses
        else "pass"
    )
    doc: dict[str, Any] = {
        "schema": "gcready-report/1",
        "generated_at": when,
        "deployment": {"type": "customer-managed-cloud"},
        "findings": list(findings),
        "summary": {
            "verdict": verdict,
            "counts": {s: statuses.count(s) for s in ("pass", "fail", "unknown")},
        },
        "errors": [{"source": e, "line": 3, "message": "not valid YAML"} for e in errors],
    }
    if inventory:
        doc["inventory"] = {
            "buckets": [{"label": b, "provider": "aws"} for b in buckets],
            "components": [{"name": c, "kind": "k8s-container", "runs_gc": True} for c in components],
        }
    return doc


def fleet(*deployments: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": "gcready-fleet/1",
        "generated_at": "2026-12-01T02:00:00Z",
        "summary": {"verdict": "fail"},
        "deployments": [{"name": name, "report": doc} for name, doc in deployments],
    }


def only(drift: Drift) -> list[tuple[ChangeKind, str, str | None, str | None, bool]]:
    return [
        (c.kind, c.check, c.old.value if c.old else None, c.new.value if c.new else None, c.regression)
        for d in drift.deployments
        for c in d.findings
    ]


def test_identical_reports_have_no_change_and_no_regression() -> None:
    doc = report(finding("bucket-versioning", "fail", BUCKET, ("S3 bucket versioning", "disabled")))
    drift = compare(doc, json.loads(json.dumps(doc)))
    assert not drift.changed and not drift.regressed and drift.regression_count == 0


def test_versioning_suspended_is_a_new_failure_with_its_evidence_change() -> None:
    old = report(finding("bucket-versioning", "pass", BUCKET, ("S3 bucket versioning", "enabled")))
    new = report(finding("bucket-versioning", "fail", BUCKET, ("S3 bucket versioning", "suspended")))
    drift = compare(old, new)
    assert only(drift) == [(ChangeKind.NEW_FAILURE, "bucket-versioning", "pass", "fail", True)]
    [change] = drift.deployments[0].evidence
    assert (change.resource, change.label, change.old, change.new) == (
        BUCKET,
        "S3 bucket versioning",
        "enabled",
        "suspended",
    )
    assert drift.regressed and drift.regression_count == 1


def test_a_fixed_finding_is_listed_and_is_no_regression() -> None:
    old = report(finding("gc-env-flag", "fail", APP, ("GORILLA_ARTIFACT_GC_ENABLED", "yes")))
    new = report(finding("gc-env-flag", "pass", APP, ("GORILLA_ARTIFACT_GC_ENABLED", "true")))
    drift = compare(old, new)
    assert only(drift) == [(ChangeKind.FIXED, "gc-env-flag", "fail", "pass", False)]
    assert not drift.regressed


@pytest.mark.parametrize(
    ("old", "new", "kind", "regression"),
    [
        ("warn", "unknown", ChangeKind.STATUS, True),  # could not be read any more: worse than a warning
        ("unknown", "warn", ChangeKind.STATUS, False),
        ("unknown", "fail", ChangeKind.NEW_FAILURE, True),
        ("fail", "unknown", ChangeKind.STATUS, False),
        ("fail", "error", ChangeKind.STATUS, False),  # same rank: listed, not a regression
        ("pass", "skip", ChangeKind.STATUS, False),
        ("skip", "warn", ChangeKind.STATUS, True),
        ("warn", "pass", ChangeKind.FIXED, False),
    ],
)
def test_status_changes_follow_the_regression_rule(
    old: str, new: str, kind: ChangeKind, regression: bool
) -> None:
    drift = compare(report(finding("object-lock", old, BUCKET)), report(finding("object-lock", new, BUCKET)))
    assert only(drift) == [(kind, "object-lock", old, new, regression)]
    assert drift.regressed is regression


@pytest.mark.parametrize(
    ("status", "kind", "regression"),
    [
        ("fail", ChangeKind.NEW_FAILURE, True),
        ("error", ChangeKind.NEW_FAILURE, True),
        ("unknown", ChangeKind.APPEARED, True),
        ("warn", ChangeKind.APPEARED, False),
        ("pass", ChangeKind.APPEARED, False),
    ],
)
def test_a_new_finding_regresses_only_when_fail_error_or_unknown(
    status: str, kind: ChangeKind, regression: bool
) -> None:
    drift = compare(report(), report(finding("noncurrent-expiry", status, BUCKET)))
    assert only(drift) == [(kind, "noncurrent-expiry", None, status, regression)]


def test_a_failing_finding_that_disappears_is_listed_not_counted() -> None:
    drift = compare(report(finding("mfa-delete", "fail", BUCKET)), report())
    assert only(drift) == [(ChangeKind.DISAPPEARED, "mfa-delete", "fail", None, False)]
    assert drift.changed and not drift.regressed


def test_findings_are_matched_by_check_and_resource_not_by_position() -> None:
    a = finding("bucket-versioning", "fail", "s3://a")
    b = finding("bucket-versioning", "pass", "s3://b")
    drift = compare(report(a, b), report(b, a))
    assert not drift.changed


def test_same_check_on_another_resource_is_a_new_finding() -> None:
    old = report(finding("bucket-versioning", "fail", "s3://a"))
    new = report(finding("bucket-versioning", "fail", "s3://b"))
    assert sorted(only(compare(old, new))) == [
        (ChangeKind.DISAPPEARED, "bucket-versioning", "fail", None, False),
        (ChangeKind.NEW_FAILURE, "bucket-versioning", None, "fail", True),
    ]


def test_several_findings_with_one_key_are_judged_by_the_worst() -> None:
    old = report(finding("gc-env-flag", "pass", APP), finding("gc-env-flag", "pass", APP))
    new = report(finding("gc-env-flag", "pass", APP), finding("gc-env-flag", "fail", APP))
    assert only(compare(old, new)) == [(ChangeKind.NEW_FAILURE, "gc-env-flag", "pass", "fail", True)]


def test_buckets_and_components_that_appeared_or_disappeared() -> None:
    old = report(buckets=("s3://a", "s3://b"), components=("app (WeightsAndBiases/wandb)",))
    new = report(buckets=("s3://b", "s3://c"), components=(APP,))
    d = compare(old, new).deployments[0]
    assert (d.buckets_appeared, d.buckets_disappeared) == (("s3://c",), ("s3://a",))
    assert (d.components_appeared, d.components_disappeared) == ((APP,), ("app (WeightsAndBiases/wandb)",))


def test_a_report_without_an_inventory_claims_no_bucket_change() -> None:
    d = compare(report(inventory=False), report(buckets=("s3://new",))).deployments[0]
    assert d.buckets_appeared == () and d.buckets_disappeared == ()


def test_a_new_input_error_is_a_regression_and_a_gone_one_is_not() -> None:
    broken = compare(report(), report(errors=("values.yaml",)))
    assert broken.regressed and broken.deployments[0].errors_appeared == ("values.yaml:3: not valid YAML",)
    healed = compare(report(errors=("values.yaml",)), report())
    assert healed.changed and not healed.regressed


def test_evidence_changes_of_one_fact_under_several_checks_are_listed_once() -> None:
    fact = ("Versioning", "enabled")
    old = report(
        finding("noncurrent-expiry", "pass", BUCKET, fact), finding("object-lock", "pass", BUCKET, fact)
    )
    changed = ("Versioning", "suspended")
    new = report(
        finding("noncurrent-expiry", "pass", BUCKET, changed), finding("object-lock", "pass", BUCKET, changed)
    )
    assert [(e.check, e.old, e.new) for e in compare(old, new).deployments[0].evidence] == [
        ("noncurrent-expiry", "enabled", "suspended")
    ]


def test_real_reports_compare_through_their_json(failing_report: Report) -> None:
    """The JSON the report format writes is what drift reads: the versioning fact flips, the finding is fixed."""
    fixed = tuple(
        dataclasses.replace(
            f,
            status=Status.PASS,
            evidence=(Fact("versioning", "enabled", Origin("live:s3", None, "GetBucketVersioning")),),
        )
        if f.resource == "s3://acme-wandb-artifacts"
        else f
        for f in failing_report.findings
    )
    old = json.loads(json.dumps(to_dict(failing_report)))
    new = json.loads(json.dumps(to_dict(dataclasses.replace(failing_report, findings=fixed))))
    drift = compare(old, new)
    assert only(drift) == [(ChangeKind.FIXED, "bucket-versioning", "fail", "pass", False)]
    labels = {(e.label, e.old, e.new) for e in drift.deployments[0].evidence}
    assert ("versioning", "disabled", "enabled") in labels
    assert ("bucket", "s3://acme-wandb-artifacts", None) in labels


def test_fleets_are_compared_deployment_by_deployment_by_name() -> None:
    prod_old = report(finding("bucket-versioning", "pass", BUCKET))
    prod_new = report(finding("bucket-versioning", "fail", BUCKET))
    staging = report(finding("gc-env-flag", "fail", APP))
    drift = compare(
        fleet(("staging", staging), ("prod", prod_old), ("legacy", report())),
        fleet(
            ("prod", prod_new), ("staging", staging), ("eu", report(finding("gc-env-flag", "unknown", APP)))
        ),
    )
    assert drift.fleet
    assert drift.deployments_appeared == ("eu",) and drift.deployments_disappeared == ("legacy",)
    by_name = {d.name: d for d in drift.deployments}
    assert not by_name["staging"].changed  # order in the file does not matter, the name does
    assert [c.kind for c in by_name["prod"].regressions] == [ChangeKind.NEW_FAILURE]
    assert [c.new for c in by_name["eu"].regressions] == [
        Status.UNKNOWN
    ]  # a new deployment's unknown regresses
    assert by_name["legacy"].new_verdict is None and not by_name["legacy"].regressed
    assert drift.regression_count == 2


def test_a_fleet_is_not_compared_with_a_single_report() -> None:
    with pytest.raises(ReportFileError, match="NEW: is a fleet report but OLD is a single-deployment report"):
        compare(report(), fleet(("prod", report())))


def test_regression_rule_ranks() -> None:
    ranks = ["pass", "warn", "unknown", "fail"]
    for i, old in enumerate(ranks):
        for j, new in enumerate(ranks):
            assert is_regression(Status(old), Status(new)) is (j > i), (old, new)
    assert not is_regression(Status.FAIL, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"schema": "gcready-report/1",\n "findings": [}', r"^old\.json:2: not JSON: "),
        ("[1, 2]", r"^old\.json: not a gcready report: the JSON is not an object$"),
        (
            '{"format": "gcready-bundle", "version": 1}',
            r'^old\.json: not a gcready JSON report \("schema" is none',
        ),
        ('{"schema": "gcready-report/1"}', r'^old\.json: not a gcready report: no "findings" list$'),
        (
            '{"schema": "gcready-report/1", "findings": [{"check": "x", "resource": "r", "status": "ok"}]}',
            r'^old\.json: findings\[0\]: "status" is not one of ',
        ),
        (
            '{"schema": "gcready-fleet/1", "deployments": [{"report": {}}]}',
            r"^old\.json: deployments\[0\]: no name$",
        ),
        ("[" * 100 + "]" * 100, r"^old\.json: not a gcready report"),
    ],
)
def test_a_file_that_is_not_a_report_is_one_line_naming_it(text: str, message: str) -> None:
    with pytest.raises(ReportFileError, match=message) as caught:
        load_document(text, "old.json")
    assert "\n" not in str(caught.value)


def test_a_fleet_with_a_name_twice_is_refused() -> None:
    doc = fleet(("prod", report()), ("prod", report()))
    with pytest.raises(ReportFileError, match="deployment 'prod' appears twice"):
        load_document(json.dumps(doc), "fleet.json")
