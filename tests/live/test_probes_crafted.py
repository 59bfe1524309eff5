"""Answers in a shape the providers do not document, through the real SDKs: never a verdict on them.

A scripted endpoint (``tests/live/misbehaving.py``) serves crafted bodies to boto3, the minio SDK,
google-cloud-storage and azure-storage-blob; the real servers (moto, gcp-storage-emulator) store
settings that only cover part of a bucket. Each state is then judged by the real checks: a value
gcready does not recognise exactly is ``unknown`` saying what was seen, and a lifecycle rule that
covers only some objects never makes noncurrent-expiry pass.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from gcready.model import BucketRef, BucketState, Evidence, Finding, Provider, Status
from gcready.pipeline import analyze
from gcready.probes import BucketOverride, ProbeOptions, probe_all
from gcready.requirements import load_builtin
from tests.live.misbehaving import Answer, ScriptedServer
from tests.live.servers import AZURITE_ACCOUNT, AZURITE_KEY, MOTO_KEYS, RunningServer, ref, unique
from tests.unit.test_blockers import SERVER, app

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
OPTIONS = ProbeOptions(timeout=3.0, retries=0)
NO_LOCK = Answer("404 Not Found", b"<Error><Code>ObjectLockConfigurationNotFoundError</Code></Error>")
NO_LIFECYCLE = Answer("404 Not Found", b"<Error><Code>NoSuchLifecycleConfiguration</Code></Error>")
LOCATION = Answer(body=f"<LocationConstraint {NS}>us-west-2</LocationConstraint>".encode())


def versioning(inner: str) -> Answer:
    return Answer(body=f"<VersioningConfiguration {NS}>{inner}</VersioningConfiguration>".encode())


ENABLED = versioning("<Status>Enabled</Status>")


def s3_routes(
    version: Answer = ENABLED, lock: Answer = NO_LOCK, lifecycle: Answer = NO_LIFECYCLE
) -> list[tuple[str, Answer]]:
    return [
        ("?versioning", version),
        ("?object-lock", lock),
        ("?lifecycle", lifecycle),
        ("?location", LOCATION),
        ("HEAD ", Answer(content_type=None)),
    ]


def verdicts(bucket: BucketRef, state: BucketState) -> dict[str, Finding]:
    """The finding of each bucket check on ``state``, as an audit of that bucket would give it."""
    evidence = Evidence(components=(app(),), signals=(SERVER,), buckets=(bucket,), bucket_states=(state,))
    report = analyze(evidence, load_builtin())
    return {f.check: f for f in report.findings if bucket.name in f.resource}


def probe_s3_path(sdk: str, server: ScriptedServer) -> tuple[BucketRef, BucketState]:
    name = unique("crafted")
    if sdk == "boto3":
        bucket = ref(Provider.AWS, name, credentials=("AKIDCRAFTED", "crafted-secret"))
        options = OPTIONS.with_override(name, BucketOverride(endpoint_url=server.endpoint))
    else:
        bucket = ref(
            Provider.S3_COMPATIBLE, name, endpoint=server.where, credentials=("ck", "crafted-secret")
        )
        options = OPTIONS
    (state,) = probe_all([bucket], options, {})
    return bucket, state


def crafted(routes: list[tuple[str, Answer]], probe: Callable[[ScriptedServer], Any]) -> Any:
    server = ScriptedServer(routes, lifetime=60)
    try:
        return probe(server)
    finally:
        server.close()


# ---------------------------------------------------------------- S3: versioning, MFA delete, Object Lock


@pytest.mark.parametrize("sdk", ["boto3", "minio"])
@pytest.mark.parametrize(
    "inner",
    [
        "<Status>enabled</Status>",
        "<Status>Enabeld</Status>",
        "<Status> Enabled </Status>",
        "<Status>Disabled</Status>",
        "<Status><x/>Enabled</Status>",
        "<Status>Suspended</Status><Status>Enabled</Status>",
    ],
)
def test_an_s3_versioning_status_s3_does_not_document_is_unknown_not_off(sdk: str, inner: str) -> None:
    bucket, state = crafted(s3_routes(versioning(inner)), lambda s: probe_s3_path(sdk, s))
    finding = verdicts(bucket, state)["bucket-versioning"]
    assert finding.status is Status.UNKNOWN, finding  # was FAIL "versioning is off" on boto3
    assert "value not understood" in finding.detail, finding.detail


@pytest.mark.parametrize("mfa", ["enabled", "Maybe"])
def test_an_mfa_delete_value_s3_does_not_document_is_unknown_not_off(mfa: str) -> None:
    routes = s3_routes(versioning(f"<Status>Enabled</Status><MfaDelete>{mfa}</MfaDelete>"))
    bucket, state = crafted(routes, lambda s: probe_s3_path("boto3", s))
    finding = verdicts(bucket, state)["mfa-delete"]
    assert finding.status is Status.UNKNOWN, finding  # was PASS "MFA delete is off"
    assert repr(mfa) in finding.detail, finding.detail


RETENTION = "<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>30</Days></DefaultRetention></Rule>"


@pytest.mark.parametrize("sdk", ["boto3", "minio"])
@pytest.mark.parametrize(
    "inner",
    [f"<ObjectLockEnabled>enabled</ObjectLockEnabled>{RETENTION}", RETENTION],
    ids=["lower", "missing"],
)
def test_object_lock_not_in_the_documented_shape_is_unknown(sdk: str, inner: str) -> None:
    lock = Answer(body=f"<ObjectLockConfiguration {NS}>{inner}</ObjectLockConfiguration>".encode())
    bucket, state = crafted(s3_routes(lock=lock), lambda s: probe_s3_path(sdk, s))
    finding = verdicts(bucket, state)["object-lock"]
    assert finding.status is Status.UNKNOWN, finding  # boto3 said PASS "not enabled", minio WARN


# ---------------------------------------------------------------- S3: lifecycle rules for part of a bucket


def lifecycle(rule_filter: str) -> Answer:
    return Answer(
        body=(
            f"<LifecycleConfiguration {NS}><Rule><ID>narrow</ID><Filter>{rule_filter}</Filter>"
            "<Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>"
            "</NoncurrentVersionExpiration><Expiration><ExpiredObjectDeleteMarker>true"
            "</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>"
        ).encode()
    )


TAG = "<Tag><Key>tmp</Key><Value>yes</Value></Tag>"
BIG = "<ObjectSizeGreaterThan>1000000000000</ObjectSizeGreaterThan>"


@pytest.mark.parametrize(
    ("sdk", "rule_filter", "status"),
    [
        ("boto3", TAG, Status.WARN),
        ("boto3", f"<And><Prefix></Prefix>{TAG}</And>", Status.WARN),
        ("boto3", BIG, Status.WARN),
        ("boto3", "<ObjectSizeLessThan>1</ObjectSizeLessThan>", Status.WARN),
        ("boto3", f"<And><Prefix></Prefix>{BIG}</And>", Status.WARN),
        ("minio", TAG, Status.WARN),
        ("minio", f"<And><Prefix></Prefix>{BIG}</And>", Status.UNKNOWN),  # the minio SDK drops the size
        ("boto3", "<Prefix></Prefix>", Status.PASS),
        ("minio", "<Prefix></Prefix>", Status.PASS),
    ],
)
def test_a_lifecycle_rule_for_part_of_the_bucket_does_not_pass(
    sdk: str, rule_filter: str, status: Status
) -> None:
    bucket, state = crafted(s3_routes(lifecycle=lifecycle(rule_filter)), lambda s: probe_s3_path(sdk, s))
    finding = verdicts(bucket, state)["noncurrent-expiry"]
    assert finding.status is status, finding


def test_moto_rules_filtered_by_tag_warn(
    moto_server: RunningServer, make_moto_bucket: Callable[..., str]
) -> None:
    tagged = {"Tag": {"Key": "tmp", "Value": "yes"}}
    both = {"And": {"Prefix": "", "Tags": [{"Key": "tmp", "Value": "yes"}]}}
    names = {
        make_moto_bucket(
            "tagrule",
            versioning="Enabled",
            lifecycle=[
                {
                    "ID": "only-some",
                    "Status": "Enabled",
                    "Filter": rule_filter,
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                    "Expiration": {"ExpiredObjectDeleteMarker": True},
                }
            ],
        ): rule_filter
        for rule_filter in (tagged, both)
    }
    env = {"AWS_ENDPOINT_URL": moto_server.endpoint, "AWS_ACCESS_KEY_ID": MOTO_KEYS[0]}
    env["AWS_SECRET_ACCESS_KEY"] = MOTO_KEYS[1]
    buckets = [ref(Provider.AWS, n, endpoint=moto_server.host_port) for n in names]
    for bucket, state in zip(buckets, probe_all(buckets, OPTIONS, env), strict=True):
        finding = verdicts(bucket, state)["noncurrent-expiry"]
        assert finding.status is Status.WARN, (names[bucket.name], finding)  # was PASS
        assert "only objects tagged tmp=yes" in finding.detail


# ---------------------------------------------------------------- GCS


JSON_TYPE = "application/json; charset=UTF-8"


def gcs_bucket(name: str, **fields: Any) -> Answer:
    resource = {"kind": "storage#bucket", "name": name, "location": "US", **fields}
    return Answer(body=json.dumps(resource).encode(), content_type=JSON_TYPE)


def probe_gcs_answer(**fields: Any) -> tuple[BucketRef, BucketState]:
    name = unique("gcrafted")
    bucket = ref(Provider.GCP, name)
    routes = [(f"/b/{name}", gcs_bucket(name, **fields))]

    def probe(server: ScriptedServer) -> tuple[BucketRef, BucketState]:
        (state,) = probe_all([bucket], OPTIONS, {"STORAGE_EMULATOR_HOST": server.endpoint})
        return bucket, state

    result: tuple[BucketRef, BucketState] = crafted(routes, probe)
    return result


@pytest.mark.parametrize("value", ["false", "no", 0, "true"])
def test_gcs_versioning_enabled_that_is_not_a_json_boolean_is_unknown(value: object) -> None:
    bucket, state = probe_gcs_answer(versioning={"enabled": value})
    finding = verdicts(bucket, state)["bucket-versioning"]
    assert finding.status is Status.UNKNOWN, finding  # "false" was PASS "versioning is on"
    assert f"versioning.enabled is {value!r}" in finding.detail, finding.detail


def test_gcs_is_locked_that_is_not_a_json_boolean_is_unknown() -> None:
    policy = {"retentionPeriod": "86400", "isLocked": "false"}
    bucket, state = probe_gcs_answer(versioning={"enabled": False}, retentionPolicy=policy)
    finding = verdicts(bucket, state)["gcs-retention-policy"]
    assert finding.status is Status.UNKNOWN, finding  # was WARN "Locked retention policy"


def test_gcs_emulator_storing_the_string_false_is_unknown(gcs_server: RunningServer) -> None:
    name = unique("strbool")
    base = f"{gcs_server.endpoint}/storage/v1/b"
    for url, method, body in (
        (f"{base}?project=test", "POST", {"name": name}),
        (f"{base}/{name}", "PATCH", {"versioning": {"enabled": "false"}}),
    ):
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
    bucket = ref(Provider.GCP, name)
    (state,) = probe_all([bucket], OPTIONS, {"STORAGE_EMULATOR_HOST": gcs_server.endpoint})
    assert verdicts(bucket, state)["bucket-versioning"].status is Status.UNKNOWN  # was PASS: READY


@pytest.mark.parametrize(
    "condition",
    [
        {"daysSinceNoncurrentTime": 1, "matchesSuffix": [".tmp"]},
        {"daysSinceNoncurrentTime": 1, "matchesStorageClass": ["ARCHIVE"]},
        {"isLive": True, "numNewerVersions": 1},
    ],
)
def test_gcs_lifecycle_rules_for_some_objects_or_live_ones_do_not_pass(condition: dict[str, Any]) -> None:
    rules = {"rule": [{"action": {"type": "Delete"}, "condition": condition}]}
    bucket, state = probe_gcs_answer(versioning={"enabled": True}, lifecycle=rules)
    assert verdicts(bucket, state)["noncurrent-expiry"].status is Status.WARN  # was PASS


# ---------------------------------------------------------------- Azure

CONTAINER = Answer(
    content_type=None, headers={"x-ms-has-immutability-policy": "false", "x-ms-has-legal-hold": "false"}
)


def service_properties(inner: str) -> Answer:
    return Answer(
        body=f'<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties>{inner}</StorageServiceProperties>'.encode()
    )


def probe_azure_answer(properties: Answer) -> tuple[BucketRef, BucketState]:
    name = unique("acrafted")
    bucket = ref(Provider.AZURE, name, account=AZURITE_ACCOUNT, credentials=("", AZURITE_KEY))
    routes = [
        ("restype=service", properties),
        ("restype=container", CONTAINER),
        ("restype=account", Answer(content_type=None, headers={"x-ms-account-kind": "StorageV2"})),
    ]

    def probe(server: ScriptedServer) -> tuple[BucketRef, BucketState]:
        key = f"{AZURITE_ACCOUNT}/{name}"
        options = OPTIONS.with_override(
            key, BucketOverride(endpoint_url=f"{server.endpoint}/{AZURITE_ACCOUNT}")
        )
        (state,) = probe_all([bucket], options, {})
        return bucket, state

    result: tuple[BucketRef, BucketState] = crafted(routes, probe)
    return result


@pytest.mark.parametrize(
    "inner",
    [
        "<Cors/>",
        "",
        "<deleteRetentionPolicy><enabled>true</enabled><days>7</days></deleteRetentionPolicy>",
        "<DeleteRetentionPolicy><Days>7</Days></DeleteRetentionPolicy>",
        "<DeleteRetentionPolicy><Enabled>true</Enabled><Days>0</Days></DeleteRetentionPolicy>",
    ],
    ids=["policy-missing", "empty-props", "lowercase-tag", "no-enabled", "enabled-days-0"],
)
def test_azure_soft_delete_not_stated_exactly_is_unknown(inner: str) -> None:
    bucket, state = probe_azure_answer(service_properties(inner))
    finding = verdicts(bucket, state)["bucket-versioning"]
    assert finding.status is Status.UNKNOWN, finding  # was FAIL "soft delete is off" (PASS for days 0)
    assert "DeleteRetentionPolicy" in finding.detail, finding.detail


def test_azure_documented_soft_delete_is_still_read() -> None:
    on = "<DeleteRetentionPolicy><Enabled>true</Enabled><Days>7</Days></DeleteRetentionPolicy>"
    bucket, state = probe_azure_answer(service_properties(on))
    assert verdicts(bucket, state)["bucket-versioning"].status is Status.PASS


# ---------------------------------------------------------------- bodies without end


@pytest.mark.parametrize("sdk", ["boto3", "minio", "gcs", "azure"])
def test_a_chunked_body_that_never_ends_is_refused_as_too_large(sdk: str) -> None:
    endless = Answer(chunked_forever=True)
    if sdk in ("boto3", "minio"):
        bucket, state = crafted(s3_routes(version=endless), lambda s: probe_s3_path(sdk, s))
        reading = state.setting("versioning")
    elif sdk == "gcs":
        name = unique("gendless")
        bucket = ref(Provider.GCP, name)
        state = crafted(
            [("/b/", endless)],
            lambda s: probe_all([bucket], OPTIONS, {"STORAGE_EMULATOR_HOST": s.endpoint})[0],
        )
        reading = state.access
    else:
        bucket, state = probe_azure_answer(endless)
        reading = state.setting("soft_delete")
    assert reading is not None and not reading.ok
    assert "answer too large" in reading.reason, reading  # read to 4 MiB, not until the deadline
