"""Drift as text, JSON and Markdown: regressions first and marked, user text made inert."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema

from gcready.model.drift import Drift
from gcready.report.drift import compare
from gcready.report.drift_formats import DriftFormat, render_drift, render_json, render_markdown, render_text
from tests.report.test_drift import BUCKET, finding, fleet, report


def _suspended() -> Drift:
    old = report(
        finding("bucket-versioning", "pass", BUCKET, ("S3 bucket versioning", "enabled")),
        finding("gc-env-flag", "fail", "app (WeightsAndBiases/wandb)"),
        buckets=(BUCKET, "s3://acme-wandb-old"),
    )
    new = report(
        finding("bucket-versioning", "fail", BUCKET, ("S3 bucket versioning", "suspended")),
        finding("gc-env-flag", "pass", "app (WeightsAndBiases/wandb)"),
        when="2026-12-01T02:00:00Z",
    )
    return compare(old, new, old_source="monday.json", new_source="tuesday.json")


def test_text_starts_with_the_count_and_marks_the_regression() -> None:
    text = render_text(_suspended())
    lines = text.splitlines()
    assert lines[0] == "gcready diff: 1 regression, 4 changes"
    assert "from monday.json (2026-11-30T02:00:00Z, fail)" in lines[1]
    assert text.index("New failures:") < text.index("Fixed:")
    assert "  REGRESSION [FAIL] bucket-versioning on s3://acme-wandb-artifacts" in text
    assert "S3 bucket versioning: enabled -> suspended" in text
    assert "Buckets disappeared:\n  s3://acme-wandb-old" in text
    assert "REGRESSION [PASS]" not in text


def test_no_change_says_so() -> None:
    doc = report(finding("bucket-versioning", "pass", BUCKET))
    assert render_text(compare(doc, doc)).splitlines()[0] == "gcready diff: no change"
    assert "Nothing changed." in render_markdown(compare(doc, doc))


def test_json_lists_every_change_with_its_regression_flag() -> None:
    out = json.loads(render_json(_suspended()))
    assert out["schema"] == "gcready-drift/1"
    assert out["regressed"] is True and out["regressions"] == 1
    [deployment] = out["deployments"]
    assert {(c["check"], c["kind"], c["regression"]) for c in deployment["findings"]} == {
        ("bucket-versioning", "new-failure", True),
        ("gc-env-flag", "fixed", False),
    }
    assert deployment["evidence"][0]["old"] == "enabled" and deployment["evidence"][0]["new"] == "suspended"
    assert deployment["buckets"] == {"appeared": [], "disappeared": ["s3://acme-wandb-old"]}


def test_markdown_is_for_a_ticket_with_regressions_in_bold() -> None:
    md = render_markdown(_suspended())
    assert md.startswith("## gcready diff: 1 regression, 4 changes\n")
    assert "- **regression** `bucket-versioning` on `s3://acme-wandb-artifacts`" in md
    assert "### New failures" in md and "### Fixed" in md and "### Evidence changed" in md


def test_markdown_keeps_hostile_names_inert() -> None:
    hostile = "s3://a`b|<img src=x onerror=alert(1)>"
    drift = compare(report(), report(finding("bucket-versioning", "fail", hostile, title="<b>x</b> | *y*")))
    md = render_markdown(drift)
    assert "``s3://a`b|<img src=x onerror=alert(1)>``" in md  # a code span: shown, never rendered
    assert r"\<b\>x\</b\> \| \*y\*" in md
    assert "<b>x</b>" not in md


def test_text_writes_out_control_characters() -> None:
    drift = compare(report(), report(finding("bucket-versioning", "fail", "s3://evil\x1b[2J\u202e")))
    text = render_text(drift)
    assert "\x1b" not in text and "\u202e" not in text
    assert "s3://evil\\u001b[2J\\u202e" in text


def test_fleet_text_names_each_changed_deployment() -> None:
    drift = compare(
        fleet(("prod", report(finding("bucket-versioning", "pass", BUCKET))), ("dev", report())),
        fleet(("prod", report(finding("bucket-versioning", "fail", BUCKET))), ("dev", report())),
    )
    text = render_drift(drift, DriftFormat.TEXT)
    assert "== prod (pass -> fail)" in text and "== dev" not in text
    assert "### Deployment `prod` (pass → fail)" in render_drift(drift, DriftFormat.MARKDOWN)


def test_json_validates_against_the_shipped_drift_schema() -> None:
    schema = json.loads(resources.files("gcready").joinpath("schemas/drift.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    single = _suspended()
    many = compare(
        fleet(("prod", report(finding("bucket-versioning", "pass", BUCKET))), ("gone", report())),
        fleet(
            ("prod", report(finding("bucket-versioning", "fail", BUCKET))),
            ("new", report(errors=("x.yaml",))),
        ),
    )
    for drift in (single, many):
        jsonschema.validate(json.loads(render_json(drift)), schema)
