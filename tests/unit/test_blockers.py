"""Checks for what keeps storage from being freed ("why are deletes stuck?"), on hand-built evidence."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from gcready.checks import CATALOG
from gcready.checks.data_retention_period import go_duration_seconds
from gcready.model import (
    JSON,
    BucketRef,
    BucketState,
    Component,
    ComponentKind,
    DeploymentType,
    EnvValue,
    Evidence,
    Finding,
    FixKind,
    Origin,
    Outcome,
    Provider,
    Reading,
    Report,
    Severity,
    Signal,
    SignalKind,
    Status,
    Tier,
)
from gcready.model.placement import HelmValues, OperatorV1
from gcready.pipeline import Inputs, analyze, gather
from gcready.remediation.bucket.common import endpoint_url
from gcready.requirements import load_builtin
from gcready.waivers import load as load_waivers
from tests.conftest import FIXTURES, REPO

D = DeploymentType
HERE = Origin("values.yaml", 4)
FLAG = "GORILLA_ARTIFACT_GC_ENABLED"
SERVER = Signal(SignalKind.SERVER_CONFIG, "operator-wandb values", HERE)
AWS = BucketRef(Provider.AWS, "acme-wandb-files", HERE, "s3://acme-wandb-files", region="eu-west-3")
MINIO = BucketRef(
    Provider.S3_COMPATIBLE,
    "wandb-artifacts",
    HERE,
    "s3://minio.lab.internal:9000/wandb-artifacts",
    endpoint="minio.lab.internal:9000",
    region="us-east-1",
    tls=False,
)
GCS = BucketRef(Provider.GCP, "acme-wandb-gcs", HERE, "gs://acme-wandb-gcs", region="europe-west1")
AZURE = BucketRef(Provider.AZURE, "wandb-files", HERE, "az://acmestore/wandb-files", account="acmestore")
NOT_OK = [o for o in Outcome if o is not Outcome.OK]
BUCKET_CHECKS = (
    "object-lock",
    "mfa-delete",
    "noncurrent-expiry",
    "gcs-retention-policy",
    "azure-immutability",
    "azure-management-plane",
    "soft-delete-hold",
)
SERVER_CHECKS = ("gc-flag-components", "data-retention-period", "glue-gc-flag")


def ok(value: JSON) -> Reading:
    return Reading(Outcome.OK, value)


def state(bucket: BucketRef, access: Reading | None = None, **settings: Reading) -> BucketState:
    return BucketState(
        provider=bucket.provider,
        name=bucket.name,
        origin=Origin("bundle.json"),
        access=access or Reading(Outcome.OK),
        account=bucket.account,
        endpoint=bucket.endpoint,
        settings=tuple(settings.items()),
        observed_at="2026-11-20T10:00:00Z",
    )


def app(flag: str | None = "true", name: str = "app (Helm values)", runs_gc: bool = True) -> Component:
    env = () if flag is None else (EnvValue(FLAG, flag, Origin("values.yaml", 9, "global.extraEnv." + FLAG)),)
    return Component(
        name,
        ComponentKind.HELM_COMPONENT,
        Origin("values.yaml", 3, name.split()[0]),
        env=env,
        runs_gc=runs_gc,
        placement=HelmValues("values.yaml", name.split()[0]),
    )


def run(
    *states: BucketState,
    bucket: BucketRef = AWS,
    components: tuple[Component, ...] | None = None,
    override: DeploymentType | None = None,
) -> Report:
    ev = Evidence(
        components=(app(),) if components is None else components,
        signals=(SERVER,),
        buckets=(bucket,),
        bucket_states=states,
    )
    return analyze(ev, load_builtin(), override=override)


def one(report: Report, check: str) -> Finding:
    found = [f for f in report.findings if f.check == check]
    assert len(found) == 1, found
    return found[0]


def text_of(finding: Finding) -> str:
    return "\n".join(fix.text for fix in finding.fixes)


VERSIONED = ok("enabled")
RULE_OK = {
    "id": "expire",
    "enabled": True,
    "prefix": "",
    "noncurrent_days": 30,
    "expired_object_delete_marker": True,
    "expiration_days": None,
}


# ------------------------------------------------------------------------------------------ catalog


def test_catalog_order_and_tiers() -> None:
    ids = [c.meta.id for c in CATALOG]
    assert ids[:4] == ["deployment-type", "gc-env-flag", "bucket-versioning", "ssc-provider"]
    assert set(ids[4:]) == set(BUCKET_CHECKS) | set(SERVER_CHECKS)
    tiers = {c.meta.id: c.meta.tier for c in CATALOG}
    assert tiers["object-lock"] is Tier.STORAGE_HELD
    assert tiers["noncurrent-expiry"] is Tier.STORAGE_HELD
    assert tiers["soft-delete-hold"] is Tier.DELAY
    assert tiers["data-retention-period"] is Tier.DELAY
    assert tiers["azure-management-plane"] is Tier.STORAGE_HELD
    assert tiers["glue-gc-flag"] is Tier.CONTEXT
    assert tiers["gc-flag-components"] is Tier.GC_NEVER_RUNS
    assert all(c.meta.requirement is None for c in CATALOG[4:])


# ------------------------------------------------------------------------------------- object-lock


def lock(
    enabled: bool, mode: str | None = None, days: int | None = None, years: int | None = None
) -> Reading:
    return ok({"enabled": enabled, "mode": mode, "days": days, "years": years})


def test_object_lock_with_default_retention_warns_with_mode_and_days() -> None:
    finding = one(
        run(state(AWS, versioning=VERSIONED, object_lock=lock(True, "GOVERNANCE", 30))), "object-lock"
    )
    assert finding.status is Status.WARN
    assert "GOVERNANCE" in finding.title and "30 day" in finding.title
    assert "s3:BypassGovernanceRetention" in finding.detail
    assert "acme-wandb-files" in text_of(finding) and "--region eu-west-3" in text_of(finding)
    assert finding.resource == AWS.label


def test_object_lock_compliance_is_high_and_says_it_cannot_be_shortened() -> None:
    finding = one(run(state(AWS, object_lock=lock(True, "COMPLIANCE", years=1))), "object-lock")
    assert finding.status is Status.WARN
    assert finding.severity is Severity.HIGH
    assert "1 year" in finding.title
    assert "shorten" in finding.detail


def test_object_lock_without_default_retention_is_info() -> None:
    assert one(run(state(AWS, object_lock=lock(True))), "object-lock").status is Status.INFO


def test_object_lock_off_passes() -> None:
    finding = one(run(state(AWS, object_lock=lock(False))), "object-lock")
    assert finding.status is Status.PASS
    assert finding.fixes == ()


def test_object_lock_not_supported_by_the_endpoint_is_skipped() -> None:
    reading = Reading(Outcome.NOT_SUPPORTED, reason="NotImplemented")
    assert one(run(state(MINIO, object_lock=reading), bucket=MINIO), "object-lock").status is Status.SKIP


def test_minio_object_lock_fix_uses_mc_and_the_http_endpoint() -> None:
    finding = one(run(state(MINIO, object_lock=lock(True, "COMPLIANCE", 7)), bucket=MINIO), "object-lock")
    text = text_of(finding)
    assert "mc alias set wandb http://minio.lab.internal:9000 ACCESS_KEY SECRET_KEY" in text
    assert "mc retention clear --default wandb/wandb-artifacts" in text
    assert "--endpoint-url http://minio.lab.internal:9000" in text


# -------------------------------------------------------------------------------------- mfa-delete


def test_mfa_delete_enabled_warns_disabled_passes() -> None:
    warn = one(run(state(AWS, mfa_delete=ok("enabled"))), "mfa-delete")
    assert warn.status is Status.WARN
    assert "lifecycle" in warn.detail
    assert "MFADelete=Disabled" in text_of(warn) and "acme-wandb-files" in text_of(warn)
    assert one(run(state(AWS, mfa_delete=ok("disabled"))), "mfa-delete").status is Status.PASS


def test_mfa_delete_only_judges_aws() -> None:
    finding = one(run(state(MINIO, mfa_delete=ok("enabled")), bucket=MINIO), "mfa-delete")
    assert finding.status is Status.SKIP


# ------------------------------------------------------------------------------- noncurrent-expiry


def test_versioned_bucket_without_noncurrent_rule_warns() -> None:
    finding = one(run(state(AWS, versioning=VERSIONED, lifecycle=ok([]))), "noncurrent-expiry")
    assert finding.status is Status.WARN
    assert finding.severity is Severity.HIGH
    assert "delete marker" in finding.detail


def test_noncurrent_rule_passes_with_its_days() -> None:
    finding = one(run(state(AWS, versioning=VERSIONED, lifecycle=ok([RULE_OK]))), "noncurrent-expiry")
    assert finding.status is Status.PASS
    assert "30 day" in finding.title


@pytest.mark.parametrize(
    "rule",
    [
        # hand-written bundles (fixtures/scenarios)
        {"id": "x", "status": "Enabled", "prefix": "", "noncurrent_version_expiration_days": 14,
         "expired_object_delete_marker": True},
        # the S3 API's own document
        {"ID": "x", "Status": "Enabled", "Filter": {"Prefix": ""},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 14}, "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ],
)  # fmt: skip
def test_every_lifecycle_shape_is_understood(rule: dict[str, JSON]) -> None:
    finding = one(run(state(AWS, versioning=VERSIONED, lifecycle=ok([rule]))), "noncurrent-expiry")
    assert finding.status is Status.PASS, finding
    assert "14 day" in finding.title


def test_noncurrent_rule_without_delete_marker_cleanup_is_a_lower_warning() -> None:
    rule = {**RULE_OK, "expired_object_delete_marker": None}
    finding = one(run(state(AWS, versioning=VERSIONED, lifecycle=ok([rule]))), "noncurrent-expiry")
    assert finding.status is Status.WARN
    assert finding.severity is Severity.LOW
    assert "ExpiredObjectDeleteMarker" in text_of(finding)


@pytest.mark.parametrize(
    "rule",
    [{**RULE_OK, "enabled": False}, {**RULE_OK, "prefix": "logs/"}, {**RULE_OK, "noncurrent_days": None}],
)
def test_disabled_foreign_prefix_or_non_noncurrent_rules_do_not_count(rule: dict[str, JSON]) -> None:
    finding = one(run(state(AWS, versioning=VERSIONED, lifecycle=ok([rule]))), "noncurrent-expiry")
    assert finding.status is Status.WARN
    assert "1 other rule" in " ".join(f.title for f in finding.fixes)


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        # the probes' shape
        ({**RULE_OK, "tags": ["tmp=yes"]}, "only objects tagged tmp=yes"),
        ({**RULE_OK, "object_size_greater_than": 10**12}, "only objects larger than 1000000000000 bytes"),
        ({**RULE_OK, "object_size_less_than": 1}, "only objects smaller than 1 bytes"),
        # the S3 API's own document
        ({"ID": "t", "Status": "Enabled", "Filter": {"Tag": {"Key": "tmp", "Value": "yes"}},
          "NoncurrentVersionExpiration": {"NoncurrentDays": 1}, "Expiration": {"ExpiredObjectDeleteMarker": True}},
         "only objects tagged tmp=yes"),
        ({"ID": "a", "Status": "Enabled",
          "Filter": {"And": {"Prefix": "", "Tags": [{"Key": "k", "Value": "v"}], "ObjectSizeGreaterThan": 5}},
          "NoncurrentVersionExpiration": {"NoncurrentDays": 1}, "Expiration": {"ExpiredObjectDeleteMarker": True}},
         "only objects tagged k=v and objects larger than 5 bytes"),
    ],
)  # fmt: skip
def test_s3_rules_limited_by_tag_or_size_do_not_cover_the_bucket(rule: dict[str, JSON], said: str) -> None:
    # S3 applies such a rule only to matching objects: W&B's files are not tagged and come in every size.
    finding = one(run(state(AWS, versioning=VERSIONED, lifecycle=ok([rule]))), "noncurrent-expiry")
    assert finding.status is Status.WARN, finding
    assert said in finding.detail


@pytest.mark.parametrize(
    ("condition", "said"),
    [
        ({"daysSinceNoncurrentTime": 1, "matchesSuffix": [".tmp"]}, "only objects whose name ends in .tmp"),
        ({"daysSinceNoncurrentTime": 1, "matchesStorageClass": ["ARCHIVE"]}, "only objects in storage class ARCHIVE"),
        ({"noncurrentTimeBefore": "2024-01-01"}, "only versions that became noncurrent before 2024-01-01"),
        ({"isLive": True, "numNewerVersions": 1}, "No lifecycle rule expires noncurrent versions"),
    ],
)  # fmt: skip
def test_gcs_rules_limited_to_some_objects_or_to_live_ones_do_not_count(
    condition: dict[str, JSON], said: str
) -> None:
    # GCS ANDs a rule's conditions; isLive: true matches live versions only, never a noncurrent one.
    rule = {"action": {"type": "Delete"}, "condition": condition}
    finding = one(
        run(state(GCS, versioning=VERSIONED, lifecycle=ok([rule])), bucket=GCS), "noncurrent-expiry"
    )
    assert finding.status is Status.WARN, finding
    assert said in finding.title + finding.detail


def test_a_gcs_condition_gcready_does_not_know_is_not_understood() -> None:
    rule = {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 1, "matchesFuture": ["x"]}}
    finding = one(
        run(state(GCS, versioning=VERSIONED, lifecycle=ok([rule])), bucket=GCS), "noncurrent-expiry"
    )
    assert finding.status is Status.UNKNOWN


def test_prefixed_rule_counts_when_it_covers_the_wandb_path() -> None:
    bucket = BucketRef(Provider.AWS, "shared", HERE, "s3://shared/wandb", path="wandb", region="us-east-1")
    rule = {**RULE_OK, "prefix": "wandb/"}
    finding = one(
        run(state(bucket, versioning=VERSIONED, lifecycle=ok([rule])), bucket=bucket), "noncurrent-expiry"
    )
    assert finding.status is Status.PASS


def test_suspended_versioning_still_needs_the_rule() -> None:
    finding = one(run(state(AWS, versioning=ok("suspended"), lifecycle=ok([]))), "noncurrent-expiry")
    assert finding.status is Status.WARN
    assert "suspended" in finding.detail


def test_versioning_off_skips_noncurrent_expiry() -> None:
    report = run(state(AWS, versioning=ok("disabled"), lifecycle=ok([])))
    assert one(report, "noncurrent-expiry").status is Status.SKIP
    assert one(report, "bucket-versioning").status is Status.FAIL


@pytest.mark.parametrize("outcome", NOT_OK)
def test_lifecycle_not_read_is_unknown(outcome: Outcome) -> None:
    reading = Reading(
        outcome, [], permission="s3:GetLifecycleConfiguration" if outcome is Outcome.DENIED else ""
    )
    finding = one(run(state(AWS, versioning=VERSIONED, lifecycle=reading)), "noncurrent-expiry")
    assert finding.status is Status.UNKNOWN
    assert finding.needs
    if outcome is Outcome.DENIED:
        assert "s3:GetLifecycleConfiguration" in finding.needs


def test_s3_lifecycle_fix_is_a_runnable_command_with_a_valid_document() -> None:
    finding = one(run(state(AWS, versioning=VERSIONED, lifecycle=ok([]))), "noncurrent-expiry")
    (command,) = [f.text for f in finding.fixes if "put-bucket-lifecycle-configuration" in f.text]
    argv = shlex.split(command)
    assert argv[:3] == ["aws", "s3api", "put-bucket-lifecycle-configuration"]
    assert argv[argv.index("--bucket") + 1] == "acme-wandb-files"
    assert argv[argv.index("--region") + 1] == "eu-west-3"
    assert "--endpoint-url" not in argv  # AWS's own endpoint comes from --region
    document = json.loads(argv[argv.index("--lifecycle-configuration") + 1])
    (rule,) = document["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert rule["Expiration"] == {"ExpiredObjectDeleteMarker": True}
    assert "Filter" in rule
    assert "noncurrent_version_expiration" in text_of(finding)  # Terraform


def test_minio_lifecycle_fixes_name_the_endpoint_with_http() -> None:
    finding = one(
        run(state(MINIO, versioning=VERSIONED, lifecycle=ok([])), bucket=MINIO), "noncurrent-expiry"
    )
    text = text_of(finding)
    assert "mc alias set wandb http://minio.lab.internal:9000 ACCESS_KEY SECRET_KEY" in text
    assert "mc ilm rule add --noncurrent-expire-days 30 wandb/wandb-artifacts" in text
    (command,) = [f.text for f in finding.fixes if f.text.startswith("aws s3api")]
    argv = shlex.split(command)
    assert argv[argv.index("--endpoint-url") + 1] == "http://minio.lab.internal:9000"
    assert (
        "NoncurrentVersionExpiration"
        in json.loads(argv[argv.index("--lifecycle-configuration") + 1])["Rules"][0]
    )
    assert 'resource "minio_ilm_policy"' in text


def test_endpoint_scheme_follows_tls_and_recorded_urls() -> None:
    assert endpoint_url(MINIO) == "http://minio.lab.internal:9000"
    secure = BucketRef(Provider.S3_COMPATIBLE, "b", HERE, "s3://h:9000/b", endpoint="h:9000", tls=True)
    assert endpoint_url(secure) == "https://h:9000"
    recorded = BucketRef(Provider.S3_COMPATIBLE, "b", HERE, "x", endpoint="http://127.0.0.1:8333")
    assert endpoint_url(recorded) == "http://127.0.0.1:8333"
    assert endpoint_url(BucketRef(Provider.COREWEAVE, "b", HERE, "cw://b")) == "https://cwobject.com"
    assert endpoint_url(AWS) is None


def test_gcs_noncurrent_rule_passes_and_missing_rule_warns_with_gcloud() -> None:
    rule = {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 10}}
    passed = one(run(state(GCS, versioning=VERSIONED, lifecycle=ok([rule])), bucket=GCS), "noncurrent-expiry")
    assert passed.status is Status.PASS and "10 day" in passed.title
    newer = {"action": {"type": "Delete"}, "condition": {"numNewerVersions": 2, "isLive": False}}
    assert (
        one(
            run(state(GCS, versioning=VERSIONED, lifecycle=ok([newer])), bucket=GCS), "noncurrent-expiry"
        ).status
        is Status.PASS
    )
    live = {"action": {"type": "Delete"}, "condition": {"age": 365}}
    warn = one(run(state(GCS, versioning=VERSIONED, lifecycle=ok([live])), bucket=GCS), "noncurrent-expiry")
    assert warn.status is Status.WARN
    text = text_of(warn)
    assert "gcloud storage buckets update gs://acme-wandb-gcs --lifecycle-file=lifecycle.json" in text
    document = text.split("<<'EOF'\n", 1)[1].split("\nEOF", 1)[0]
    condition = json.loads(document)["rule"][0]["condition"]
    assert condition["daysSinceNoncurrentTime"] == 30 and condition["isLive"] is False
    assert 'location = "EUROPE-WEST1"' in text and "days_since_noncurrent_time" in text


# ---------------------------------------------------------------------------- gcs-retention-policy


def test_gcs_retention_policy_verdicts() -> None:
    assert one(run(state(GCS, retention=ok(None)), bucket=GCS), "gcs-retention-policy").status is Status.PASS
    open_policy = one(
        run(state(GCS, retention=ok({"seconds": 86400 * 30, "locked": False})), bucket=GCS),
        "gcs-retention-policy",
    )
    assert open_policy.status is Status.WARN and open_policy.severity is Severity.MEDIUM
    assert "30 day" in open_policy.title
    assert "gcloud storage buckets update gs://acme-wandb-gcs --clear-retention-period" in text_of(
        open_policy
    )
    locked = one(
        run(state(GCS, versioning=VERSIONED, retention=ok({"seconds": 3600, "locked": True})), bucket=GCS),
        "gcs-retention-policy",
    )
    assert locked.status is Status.WARN and locked.severity is Severity.HIGH
    assert "can't be combined" in locked.detail
    assert "--clear-retention-period" not in text_of(locked)


# -------------------------------------------------------------------------------- soft-delete-hold


def test_gcs_soft_delete_is_information_about_a_delay() -> None:
    on = ok({"enabled": True, "days": 7, "seconds": 604800})
    finding = one(run(state(GCS, soft_delete=on), bucket=GCS), "soft-delete-hold")
    assert finding.status is Status.INFO
    assert "7 day" in finding.title and "billed" in finding.detail
    off = ok({"enabled": False, "days": 0, "seconds": 0})
    assert one(run(state(GCS, soft_delete=off), bucket=GCS), "soft-delete-hold").status is Status.PASS
    long = ok({"enabled": True, "days": 90, "seconds": 90 * 86400})
    assert "--soft-delete-duration=7d" in text_of(
        one(run(state(GCS, soft_delete=long), bucket=GCS), "soft-delete-hold")
    )


def test_azure_blob_soft_delete_is_info_and_off_is_left_to_bucket_versioning() -> None:
    on = one(
        run(state(AZURE, soft_delete=ok({"enabled": True, "days": 14})), bucket=AZURE), "soft-delete-hold"
    )
    assert on.status is Status.INFO and "14 day" in on.title and "required" in on.detail
    report = run(state(AZURE, soft_delete=ok({"enabled": False, "days": None})), bucket=AZURE)
    assert one(report, "soft-delete-hold").status is Status.SKIP
    assert one(report, "bucket-versioning").status is Status.FAIL


def test_soft_delete_not_recorded_is_a_skip_but_denied_stays_unknown() -> None:
    # a delay seen nowhere must not read as one that was seen (info); a denied read is still unknown
    unrecorded = one(run(state(GCS), bucket=GCS), "soft-delete-hold")
    assert unrecorded.status is Status.SKIP and "not recorded" in unrecorded.title
    assert one(run(state(GCS), bucket=GCS), "gcs-retention-policy").status is Status.INFO
    denied = Reading(Outcome.DENIED, reason="403", permission="storage.buckets.get")
    assert one(run(state(GCS, soft_delete=denied), bucket=GCS), "soft-delete-hold").status is Status.UNKNOWN


# ------------------------------------------------------------------------------ azure-immutability


def test_azure_immutability_verdicts() -> None:
    none = ok({"immutability_policy": False, "legal_hold": False})
    assert one(run(state(AZURE, immutability=none), bucket=AZURE), "azure-immutability").status is Status.PASS
    held = one(
        run(state(AZURE, immutability=ok({"immutability_policy": True, "legal_hold": True})), bucket=AZURE),
        "azure-immutability",
    )
    assert held.status is Status.WARN
    text = text_of(held)
    assert "--account-name acmestore --container-name wandb-files" in text
    assert "legal-hold clear" in text and "immutability-policy delete" in text


# -------------------------------------------------------------------------- azure-management-plane


def test_management_plane_not_recorded_says_what_access_is_needed() -> None:
    finding = one(
        run(state(AZURE, soft_delete=ok({"enabled": True, "days": 7})), bucket=AZURE),
        "azure-management-plane",
    )
    assert finding.status is Status.INFO  # see checks/azure_management_plane.py NOT_RECORDED_STATUS
    assert "azure-mgmt-storage" in finding.needs and "--azure-subscription" in finding.needs
    assert "managementPolicies/read" in finding.needs


def test_blob_versioning_without_a_version_delete_policy_warns() -> None:
    st = state(
        AZURE,
        blob_versioning=ok({"enabled": True}),
        container_soft_delete=ok({"enabled": True, "days": 7}),
        management_policy=ok({"rules": []}),
    )
    finding = one(run(st, bucket=AZURE), "azure-management-plane")
    assert finding.status is Status.WARN
    text = text_of(finding)
    assert "az storage account management-policy create --account-name acmestore" in text
    policy = json.loads(text.split("<<'EOF'\n", 1)[1].split("\nEOF", 1)[0])
    rule = policy["rules"][0]
    assert rule["definition"]["actions"]["version"]["delete"]["daysAfterCreationGreaterThan"] == 30
    assert rule["definition"]["filters"]["prefixMatch"] == ["wandb-files/"]
    assert "azurerm_storage_management_policy" in text


def test_blob_versioning_with_a_version_delete_policy_passes() -> None:
    rule = {
        "name": "old-versions",
        "enabled": True,
        "type": "Lifecycle",
        "definition": {
            "actions": {"version": {"delete": {"daysAfterCreationGreaterThan": 14}}},
            "filters": {"blobTypes": ["blockBlob"]},
        },
    }
    st = state(AZURE, blob_versioning=ok({"enabled": True}), management_policy=ok({"rules": [rule]}))
    finding = one(run(st, bucket=AZURE), "azure-management-plane")
    assert finding.status is Status.PASS and "14 day" in finding.title
    off = state(AZURE, blob_versioning=ok({"enabled": False}))
    assert one(run(off, bucket=AZURE), "azure-management-plane").status is Status.PASS


@pytest.mark.parametrize("outcome", NOT_OK)
def test_management_plane_reading_not_ok_is_unknown(outcome: Outcome) -> None:
    st = state(AZURE, blob_versioning=Reading(outcome, {"enabled": True}))
    assert one(run(st, bucket=AZURE), "azure-management-plane").status is Status.UNKNOWN


# ------------------------------------------------------------- outcomes that never decide, and scope

WARN_STATES: list[tuple[str, BucketRef, str, Reading]] = [
    ("object-lock", AWS, "object_lock", lock(True, "GOVERNANCE", 30)),
    ("mfa-delete", AWS, "mfa_delete", ok("enabled")),
    ("noncurrent-expiry", AWS, "lifecycle", ok([])),
    ("noncurrent-expiry", MINIO, "lifecycle", ok([])),
    ("noncurrent-expiry", GCS, "lifecycle", ok([])),
    ("gcs-retention-policy", GCS, "retention", ok({"seconds": 100, "locked": False})),
    ("gcs-retention-policy", GCS, "retention", ok({"seconds": 100, "locked": True})),
    ("azure-immutability", AZURE, "immutability", ok({"immutability_policy": True, "legal_hold": False})),
    ("azure-immutability", AZURE, "immutability", ok({"immutability_policy": False, "legal_hold": True})),
    ("azure-management-plane", AZURE, "blob_versioning", ok({"enabled": True})),
]


def _warn_state(bucket: BucketRef, setting: str, reading: Reading) -> BucketState:
    extra: dict[str, Reading] = {"versioning": VERSIONED}
    if setting == "blob_versioning":
        extra = {"management_policy": ok({"rules": []})}
    return state(bucket, **{**extra, setting: reading})


@pytest.mark.parametrize(("check", "bucket", "setting", "reading"), WARN_STATES)
def test_every_warning_has_a_cli_and_a_terraform_fix_for_the_real_bucket(
    check: str, bucket: BucketRef, setting: str, reading: Reading
) -> None:
    finding = one(run(_warn_state(bucket, setting, reading), bucket=bucket), check)
    assert finding.status is Status.WARN, finding
    kinds = {fix.kind for fix in finding.fixes}
    assert FixKind.CLI in kinds and FixKind.TERRAFORM in kinds
    text = text_of(finding)
    assert bucket.name in text or (bucket.account and bucket.account in text)
    if bucket.region and bucket.provider is Provider.AWS:
        assert bucket.region in text
    if bucket.endpoint:
        assert f"http://{bucket.endpoint}" in text
    assert finding.resource == bucket.label
    assert all(fact.origin is not None for fact in finding.evidence)


@pytest.mark.parametrize("outcome", NOT_OK)
@pytest.mark.parametrize(("check", "bucket", "setting", "reading"), WARN_STATES)
def test_a_setting_not_read_ok_never_passes_or_warns(
    check: str, bucket: BucketRef, setting: str, reading: Reading, outcome: Outcome
) -> None:
    bad = Reading(outcome, reading.value, reason="x")
    finding = one(run(_warn_state(bucket, setting, bad), bucket=bucket), check)
    assert finding.status not in (Status.PASS, Status.WARN), finding
    if outcome is not Outcome.NOT_SUPPORTED or check in ("noncurrent-expiry", "azure-management-plane"):
        assert finding.status is Status.UNKNOWN


@pytest.mark.parametrize("outcome", NOT_OK)
@pytest.mark.parametrize(("check", "bucket", "setting", "reading"), WARN_STATES)
def test_a_bucket_not_reached_never_passes_or_warns(
    check: str, bucket: BucketRef, setting: str, reading: Reading, outcome: Outcome
) -> None:
    st = _warn_state(bucket, setting, reading)
    unreached = BucketState(
        st.provider, st.name, st.origin, Reading(outcome, reason="no"), st.account, settings=st.settings
    )
    assert one(run(unreached, bucket=bucket), check).status is Status.UNKNOWN


@pytest.mark.parametrize("bucket", [AWS, MINIO, GCS, AZURE])
def test_no_recorded_state_is_unknown_for_the_checks_that_apply(bucket: BucketRef) -> None:
    report = run(bucket=bucket)
    for finding in report.findings:
        if finding.check in BUCKET_CHECKS and finding.status is not Status.SKIP:
            assert finding.status is Status.UNKNOWN, finding
            assert finding.needs


def test_setting_missing_from_a_recorded_state_is_info_with_needs() -> None:
    # A bundle that records only versioning keeps the exit code it had before these checks.
    report = run(state(AWS, versioning=VERSIONED))
    for check in ("object-lock", "mfa-delete", "noncurrent-expiry"):
        finding = one(report, check)
        assert finding.status is Status.INFO and finding.needs, finding
    assert report.exit_code() == 0
    gcs = one(run(state(GCS, versioning=VERSIONED), bucket=GCS), "soft-delete-hold")
    assert gcs.status is Status.SKIP and gcs.needs  # an info here would read as a delay in diagnose


def test_other_providers_and_cloud_types_skip() -> None:
    report = run(state(AWS, versioning=VERSIONED, lifecycle=ok([RULE_OK])))
    for check in ("gcs-retention-policy", "azure-immutability", "azure-management-plane", "soft-delete-hold"):
        assert one(report, check).status is Status.SKIP
    shared = analyze(
        Evidence(signals=(Signal(SignalKind.BASE_URL, "https://api.wandb.ai", HERE),)), load_builtin()
    )
    for check in BUCKET_CHECKS:
        assert one(shared, check).status is Status.SKIP


def test_warnings_and_information_never_change_the_exit_code() -> None:
    st = state(
        AWS,
        versioning=VERSIONED,
        mfa_delete=ok("enabled"),
        object_lock=lock(True, "COMPLIANCE", 365),
        lifecycle=ok([]),
    )
    report = run(st)
    assert {f.status for f in report.findings if f.check in BUCKET_CHECKS} >= {Status.WARN}
    assert report.exit_code() == 0
    assert report.exit_code(fail_on_warn=True) == 4


# -------------------------------------------------------------------------------------- server side


def test_flag_set_in_glue_but_not_in_app_warns_naming_both() -> None:
    glue = Component(
        "glue (WeightsAndBiases/wandb)",
        ComponentKind.HELM_COMPONENT,
        Origin("cr.yaml", 30, "spec.values.glue"),
        env=(EnvValue(FLAG, "true", Origin("cr.yaml", 33, f"spec.values.glue.extraEnv.{FLAG}")),),
        runs_gc=False,
        placement=OperatorV1("wandb", "", "cr.yaml", "glue"),
    )
    components = (
        Component(
            "app (WeightsAndBiases/wandb)",
            ComponentKind.HELM_COMPONENT,
            Origin("cr.yaml", 20, "spec.values.app"),
            runs_gc=True,
            placement=OperatorV1("wandb", "", "cr.yaml", "app"),
        ),
        glue,
    )
    report = run(state(AWS, versioning=VERSIONED), components=components)
    finding = one(report, "gc-flag-components")
    assert finding.status is Status.WARN
    assert (
        "glue (WeightsAndBiases/wandb)" in finding.title and "app (WeightsAndBiases/wandb)" in finding.title
    )
    patch = [f.text for f in finding.fixes if f.text.startswith("kubectl patch")]
    assert patch
    body = json.loads(shlex.split(patch[0])[-1])
    assert body == {"spec": {"values": {"app": {"extraEnv": {FLAG: "true"}}}}}
    kinds = {fix.kind for fix in finding.fixes}
    assert FixKind.CLI in kinds and FixKind.TERRAFORM in kinds
    assert one(report, "gc-env-flag").status is Status.FAIL  # the table's check decides the exit code


def test_app_level_false_overriding_global_true_is_fixed_at_the_app_level() -> None:
    app_false = Component(
        "app (Helm values)",
        ComponentKind.HELM_COMPONENT,
        Origin("values.yaml", 20, "app"),
        env=(EnvValue(FLAG, "false", Origin("values.yaml", 22, f"app.extraEnv.{FLAG}")),),
        placement=HelmValues("values.yaml", "app"),
    )
    glue = Component(
        "glue (Helm values)",
        ComponentKind.HELM_COMPONENT,
        Origin("values.yaml", 30, "glue"),
        env=(EnvValue(FLAG, "true", Origin("values.yaml", 5, f"global.extraEnv.{FLAG}")),),
        runs_gc=False,
        placement=HelmValues("values.yaml", "glue"),
    )
    finding = one(run(components=(app_false, glue)), "gc-flag-components")
    assert finding.status is Status.WARN
    assert any(f"--set-string app.extraEnv.{FLAG}=true" in fix.text for fix in finding.fixes)


def test_flag_consistent_passes_and_no_components_skip() -> None:
    glue = app("true", "glue (Helm values)", runs_gc=False)
    report = run(components=(app("true"), glue))
    assert one(report, "gc-flag-components").status is Status.PASS
    assert one(run(components=()), "gc-flag-components").status is Status.SKIP


def test_glue_flag_is_information_and_absent_skips() -> None:
    glue = Component(
        "glue (Helm values)",
        ComponentKind.HELM_COMPONENT,
        HERE,
        env=(EnvValue("GORILLA_GLUE_ARTIFACT_GC_ENABLED", "false", Origin("values.yaml", 40)),),
        runs_gc=False,
    )
    finding = one(run(components=(app(), glue)), "glue-gc-flag")
    assert finding.status is Status.INFO
    assert "'false'" in finding.title and "unconfirmed" in finding.detail
    assert one(run(), "glue-gc-flag").status is Status.SKIP


def test_data_retention_period_is_a_delay_with_its_value() -> None:
    value = EnvValue("GORILLA_DATA_RETENTION_PERIOD", "168h", Origin("values.yaml", 11, "global.extraEnv"))
    comps = tuple(
        Component(n, ComponentKind.HELM_COMPONENT, HERE, env=(value,), runs_gc=n.startswith("app"))
        for n in ("app (Helm values)", "glue (Helm values)")
    )
    finding = one(run(components=comps), "data-retention-period")
    assert finding.status is Status.INFO
    assert "168h" in finding.title and "7 day" in finding.title
    assert "delay" in finding.detail
    assert len(finding.evidence) == 1  # one place set it, shared by two components
    assert one(run(), "data-retention-period").status is Status.SKIP


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("168h", 604800.0), ("1h30m", 5400.0), ("24h0m0s", 86400.0), ("0", 0.0), ("7d", None), ("", None)],
)
def test_go_durations(text: str, seconds: float | None) -> None:
    assert go_duration_seconds(text) == seconds


# ----------------------------------------------------------------- existing scenarios keep their codes

CASES = sorted(p for p in (FIXTURES / "scenarios").iterdir() if (p / "case.yaml").is_file())


@pytest.mark.parametrize("path", CASES, ids=[c.name for c in CASES])
def test_scenario_exit_codes_are_unchanged(path: Path) -> None:
    spec = yaml.safe_load((path / "case.yaml").read_text())
    args = [str(a) for a in spec.get("args") or []]
    override = D(args[args.index("--deployment") + 1]) if "--deployment" in args else None
    fail_on_warn = "--fail-on" in args and args[args.index("--fail-on") + 1] == "warn"
    waivers = load_waivers(REPO / args[args.index("--waivers") + 1]) if "--waivers" in args else ()
    evidence = gather(Inputs(paths=(str(path / "inputs"),)))
    report = analyze(evidence, load_builtin(), override=override, waivers=waivers)
    assert report.exit_code(fail_on_warn=fail_on_warn) == spec["expect"]["exit_code"], [
        (f.check, f.status.value, f.title) for f in report.findings if f.status is not Status.SKIP
    ]


def test_scenario_lifecycle_bundles_are_understood() -> None:
    evidence = gather(Inputs(paths=(str(FIXTURES / "scenarios" / "operator-cr-aws-ready" / "inputs"),)))
    report = analyze(evidence, load_builtin())
    assert one(report, "noncurrent-expiry").status is Status.PASS
    assert one(report, "object-lock").status is Status.PASS
    assert one(report, "mfa-delete").status is Status.PASS
    assert one(report, "data-retention-period").status is Status.INFO


def test_azure_soft_delete_fix_has_a_data_plane_command_for_the_endpoint_probed() -> None:
    from dataclasses import replace

    from gcready.checks.blocker_common import as_probed
    from gcready.model.remedy import EnableVersioning
    from gcready.remediation import fixes_for

    def data_plane(bucket: BucketRef) -> str:
        (command,) = [f.text for f in fixes_for(EnableVersioning(bucket)) if "delete-policy update" in f.text]
        return command

    assert data_plane(AZURE) == (
        "az storage blob service-properties delete-policy update --account-name acmestore "
        "--enable true --days-retained 7"
    )
    azurite = BucketState(
        Provider.AZURE,
        "wandb-files",
        HERE,
        Reading(Outcome.OK, True),
        account="acmestore",
        endpoint="http://127.0.0.1:10000/acmestore",
    )
    assert "--blob-endpoint http://127.0.0.1:10000/acmestore " in data_plane(as_probed(AZURE, azurite))
    public = replace(azurite, endpoint="https://acmestore.blob.core.windows.net")
    assert "--blob-endpoint" not in data_plane(as_probed(AZURE, public))


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (None, "gcloud"),
        ("https://storage.googleapis.com", "gcloud"),
        (
            "https://storage-wandb.p.googleapis.com",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE=https://storage-wandb.p.googleapis.com/ gcloud",
        ),
        (
            "http://127.0.0.1:9023",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE=http://127.0.0.1:9023/ CLOUDSDK_AUTH_DISABLE_CREDENTIALS=true "
            "gcloud",
        ),
    ],
)
def test_gcloud_commands_carry_the_endpoint_probed(endpoint: str | None, expected: str) -> None:
    from dataclasses import replace

    from gcready.remediation.bucket.common import gcloud

    assert gcloud(replace(GCS, endpoint=endpoint)) == expected
