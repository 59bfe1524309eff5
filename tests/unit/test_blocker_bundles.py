"""``gcready diagnose`` on the ``stuck-*`` scenarios: states no local server can hold, as bundles.

Each folder under ``fixtures/scenarios/stuck-*`` is also an acceptance case for ``tests/test_scenarios.py``
(deployment type, worst status per check, exit code, secrets). Here the same inputs go through
``gcready diagnose`` and the answer is checked: the top-ranked cause (check id and tier), the causes
after it, and that the fixes name the real bucket, account and workload.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, run_gcready

SCENARIOS = FIXTURES / "scenarios"

# case → (check id, tier) of the top-ranked cause, then the other causes in rank order
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "stuck-gcs-locked-retention-policy": [
        ("bucket-versioning", "gc-cannot-delete"),
        ("gcs-retention-policy", "storage-held"),
        ("soft-delete-hold", "delay"),
    ],
    "stuck-gcs-versioning-with-retention-policy": [
        ("gcs-retention-policy", "storage-held"),
        ("soft-delete-hold", "delay"),
    ],
    "stuck-azure-container-legal-hold": [
        ("azure-immutability", "storage-held"),
        ("soft-delete-hold", "delay"),
    ],
    "stuck-azure-immutability-policy": [
        ("azure-immutability", "storage-held"),
        ("soft-delete-hold", "delay"),
    ],
    "stuck-azure-blob-versioning-no-version-policy": [
        ("azure-management-plane", "storage-held"),
        ("soft-delete-hold", "delay"),
    ],
    "stuck-azure-blob-versioning-with-version-policy": [
        ("soft-delete-hold", "delay"),
    ],
    "stuck-aws-mfa-delete": [
        # both hold storage; which ranks first is asserted separately (see the MFA test below)
        ("*", "storage-held"),
        ("*", "storage-held"),
    ],
    "stuck-kubectl-flag-in-glue-not-app": [
        ("gc-env-flag", "gc-never-runs"),
        ("gc-flag-components", "gc-never-runs"),
    ],
}


def diagnose(case: str, fmt: str = "json") -> tuple[int, dict[str, Any]]:
    spec = yaml.safe_load((SCENARIOS / case / "case.yaml").read_text())
    args = [str(a) for a in spec.get("args") or []]
    run = run_gcready("diagnose", str(SCENARIOS / case / "inputs"), "--offline", "--format", fmt, *args)
    assert run.stdout, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code == spec["expect"]["exit_code"], run.stderr  # diagnose exits as audit does
    return run.code, json.loads(run.stdout) if fmt == "json" else {"text": run.stdout}


def ranked(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["findings"][0]["check"], c["tier"]) for c in report["diagnosis"]["causes"]]


def cause(report: dict[str, Any], check: str) -> dict[str, Any]:
    (found,) = [c for c in report["diagnosis"]["causes"] if c["findings"][0]["check"] == check]
    return dict(found)


def fix_text(finding: dict[str, Any], kind: str | None = None) -> str:
    return "\n".join(f["text"] for f in finding["fixes"] if kind is None or f["kind"] == kind)


def test_every_stuck_scenario_is_covered() -> None:
    on_disk = {p.name for p in SCENARIOS.glob("stuck-*") if (p / "case.yaml").is_file()}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_top_ranked_cause(case: str) -> None:
    _, report = diagnose(case)
    got = ranked(report)
    want = EXPECTED[case]
    assert len(got) == len(want), got
    for (check, tier), (want_check, want_tier) in zip(got, want, strict=True):
        assert tier == want_tier, got
        assert want_check in ("*", check), got
    causes = report["diagnosis"]["causes"]
    assert [c["rank"] for c in causes] == list(range(1, len(causes) + 1))
    assert all(c["confirmed"] for c in causes), "every cause here was read from the bundle"
    top = causes[0]
    if top["tier"] == "delay":
        assert report["diagnosis"]["headline"].startswith("Nothing on the storage side keeps the bytes")
    else:
        assert report["diagnosis"]["headline"] == f"Most likely cause: {top['title']}"
    assert report["diagnosis"]["unseen"], "the causes no setting shows are always listed"


def test_locked_gcs_retention_policy_says_locked_and_proposes_a_new_bucket() -> None:
    _, report = diagnose("stuck-gcs-locked-retention-policy")
    versioning = cause(report, "bucket-versioning")["findings"][0]
    assert "gcloud storage buckets update gs://nordlicht-wandb-artifacts --versioning" in fix_text(versioning)
    held = cause(report, "gcs-retention-policy")["findings"][0]
    assert held["status"] == "warn" and held["severity"] == "high"
    assert held["title"].startswith("Locked retention policy of 365 day(s) on gs://nordlicht-wandb-artifacts")
    assert "neither removed nor shortened" in held["detail"]
    cli = fix_text(held, "cli")
    assert "gcloud storage buckets create gs://nordlicht-wandb-artifacts-v2 --location=EUROPE-WEST4" in cli
    assert "--clear-retention-period" not in cli  # impossible on a locked policy


def test_gcs_versioning_with_unlocked_retention_policy_can_be_cleared() -> None:
    _, report = diagnose("stuck-gcs-versioning-with-retention-policy")
    held = cause(report, "gcs-retention-policy")["findings"][0]
    assert held["title"].startswith("Retention policy of 90 day(s) on gs://helix-wandb-files")
    assert held["severity"] == "medium"
    assert "can't be combined with a retention policy" in held["detail"]
    assert "gcloud storage buckets update gs://helix-wandb-files --clear-retention-period" in fix_text(
        held, "cli"
    )


@pytest.mark.parametrize(
    ("case", "account", "container", "what", "commands"),
    [
        (
            "stuck-azure-container-legal-hold",
            "fabrikamwandb",
            "wandb-files",
            "a legal hold",
            ["az storage container legal-hold clear"],
        ),
        (
            "stuck-azure-immutability-policy",
            "tailspinmlstore",
            "wandb",
            "an immutability policy",
            ["az storage container immutability-policy delete"],
        ),
    ],
)
def test_azure_immutability_fixes_name_the_account_and_container(
    case: str, account: str, container: str, what: str, commands: list[str]
) -> None:
    _, report = diagnose(case)
    held = cause(report, "azure-immutability")["findings"][0]
    assert held["title"] == f"az://{account}/{container} has {what}: GC cannot delete its blobs"
    cli = fix_text(held, "cli")
    for command in commands:
        assert f"{command} --account-name {account} --container-name {container}" in cli, cli


def test_azure_blob_versioning_without_version_policy_gives_a_policy_for_the_container() -> None:
    _, report = diagnose("stuck-azure-blob-versioning-no-version-policy")
    held = cause(report, "azure-management-plane")["findings"][0]
    assert held["status"] == "warn"
    assert "contosoresearchml" in held["title"]
    cli = fix_text(held, "cli")
    assert "az storage account management-policy create --account-name contosoresearchml" in cli
    document = json.loads(cli.split("<<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0])
    (rule,) = document["rules"]
    assert rule["definition"]["filters"]["prefixMatch"] == ["wandb-artifacts/"]
    assert rule["definition"]["actions"]["version"]["delete"]["daysAfterCreationGreaterThan"] == 30
    evidence = {e["label"]: e["value"] for e in held["evidence"]}
    assert "Container soft delete" in evidence


def test_azure_blob_versioning_with_version_policy_leaves_only_the_soft_delete_delay() -> None:
    code, report = diagnose("stuck-azure-blob-versioning-with-version-policy")
    assert code == 0
    passed = [f for f in report["findings"] if f["check"] == "azure-management-plane"]
    assert [f["status"] for f in passed] == ["pass"]
    assert "delete-previous-versions" in passed[0]["detail"]
    assert "7 day(s)" in cause(report, "soft-delete-hold")["title"]


def test_mfa_delete_bucket_lists_both_storage_held_causes() -> None:
    _, report = diagnose("stuck-aws-mfa-delete")
    mfa = cause(report, "mfa-delete")["findings"][0]
    assert mfa["status"] == "warn"
    cli = fix_text(mfa, "cli")
    assert "aws s3api put-bucket-versioning --bucket oakridge-wandb-artifacts --region us-east-2" in cli
    assert "MFADelete=Disabled" in cli
    lifecycle = cause(report, "noncurrent-expiry")["findings"][0]
    assert "--bucket oakridge-wandb-artifacts --region us-east-2" in fix_text(lifecycle, "cli")


def test_mfa_delete_ranks_before_the_lifecycle_rule_it_forbids() -> None:
    """AWS refuses a lifecycle configuration with expiration on an MFA-delete bucket (mfa-delete's own
    detail says so): the lifecycle fix can only work once MFA delete is off, so MFA delete is the cause
    to fix first and must rank first."""
    _, report = diagnose("stuck-aws-mfa-delete")
    assert ranked(report)[0] == ("mfa-delete", "storage-held"), ranked(report)


def test_flag_in_glue_not_app_names_glue_and_fixes_the_app_workload() -> None:
    code, report = diagnose("stuck-kubectl-flag-in-glue-not-app")
    assert code == 3
    misplaced = cause(report, "gc-flag-components")["findings"][0]
    assert misplaced["status"] == "warn"
    assert "Deployment/wandb-glue container glue" in misplaced["title"]
    assert "Deployment/wandb-app container app" in misplaced["title"]
    evidence = {e["label"]: e["value"] for e in misplaced["evidence"]}
    assert evidence.get("GORILLA_ARTIFACT_GC_ENABLED in Deployment/wandb-glue container glue") == "'true'", (
        evidence
    )
    assert (
        "kubectl set env deployment/wandb-app -n wandb -c app GORILLA_ARTIFACT_GC_ENABLED=true"
        in fix_text(misplaced, "cli")
    )


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_text_report_shows_the_ranked_causes(case: str) -> None:
    _, report = diagnose(case)
    _, text = diagnose(case, fmt="text")
    assert report["diagnosis"]["causes"][0]["title"] in text["text"]
