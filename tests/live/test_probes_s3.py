"""The boto3 probe against moto, the AWS S3 stand-in: what a user would see for each bucket state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gcready.model import BucketState, Outcome, Provider
from gcready.probes import ProbeOptions, probe_bucket
from tests.live.servers import MOTO_KEYS, RunningServer, ref, unique

OPTIONS = ProbeOptions(timeout=5, retries=1)


def probe(server: RunningServer, name: str, env: dict[str, str], **kwargs: Any) -> BucketState:
    bucket = ref(Provider.AWS, name, endpoint=server.host_port, **kwargs)
    return probe_bucket(bucket, OPTIONS, env)


def value(state: BucketState, setting: str) -> Any:
    reading = state.setting(setting)
    assert reading is not None, f"{setting} not read: {state}"
    assert reading.outcome is Outcome.OK, f"{setting}: {reading}"
    return reading.value


@pytest.mark.parametrize(
    ("status", "expected"),
    [(None, "disabled"), ("Enabled", "enabled"), ("Suspended", "suspended")],
)
def test_versioning_states_read_back(
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    moto_env: dict[str, str],
    status: str | None,
    expected: str,
) -> None:
    name = make_moto_bucket("ver", versioning=status)
    state = probe(moto_server, name, moto_env)
    assert state.access.outcome is Outcome.OK
    assert value(state, "versioning") == expected
    assert value(state, "mfa_delete") == "disabled"
    assert state.provider is Provider.AWS and state.name == name
    assert state.endpoint == moto_server.endpoint
    assert state.origin.source == "probe" and state.origin.path == moto_server.endpoint
    assert state.observed_at and state.observed_at.endswith("Z")


def test_plain_bucket_has_no_lock_no_lifecycle_and_a_location(
    moto_server: RunningServer, make_moto_bucket: Callable[..., str], moto_env: dict[str, str]
) -> None:
    name = make_moto_bucket("plain", region="eu-west-1")
    state = probe(moto_server, name, moto_env, region="eu-west-1")
    assert value(state, "object_lock") == {"enabled": False, "mode": None, "days": None, "years": None}
    assert value(state, "lifecycle") == []
    assert value(state, "location") == "eu-west-1"


def test_object_lock_default_retention_read_back(
    moto_server: RunningServer, make_moto_bucket: Callable[..., str], moto_env: dict[str, str]
) -> None:
    name = make_moto_bucket("lock", versioning="Enabled", object_lock={"Mode": "GOVERNANCE", "Days": 5})
    state = probe(moto_server, name, moto_env)
    assert value(state, "versioning") == "enabled"
    assert value(state, "object_lock") == {"enabled": True, "mode": "GOVERNANCE", "days": 5, "years": None}


def test_lifecycle_noncurrent_expiration_read_back(
    moto_server: RunningServer, make_moto_bucket: Callable[..., str], moto_env: dict[str, str]
) -> None:
    rules = [
        {
            "ID": "expire-noncurrent",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        },
        {
            "ID": "delete-markers",
            "Status": "Disabled",
            "Filter": {"Prefix": "artifacts/"},
            "Expiration": {"ExpiredObjectDeleteMarker": True},
        },
    ]
    name = make_moto_bucket("lc", versioning="Enabled", lifecycle=rules)
    lifecycle = value(probe(moto_server, name, moto_env), "lifecycle")
    by_id = {rule["id"]: rule for rule in lifecycle}
    assert by_id["expire-noncurrent"]["enabled"] is True
    assert by_id["expire-noncurrent"]["noncurrent_days"] == 30
    assert by_id["expire-noncurrent"]["prefix"] == ""
    assert by_id["delete-markers"]["enabled"] is False
    assert by_id["delete-markers"]["expired_object_delete_marker"] is True
    assert by_id["delete-markers"]["prefix"] == "artifacts/"


def test_missing_bucket_is_not_found_and_nothing_else_is_claimed(
    moto_server: RunningServer, moto_env: dict[str, str]
) -> None:
    state = probe(moto_server, unique("missing"), moto_env)
    assert state.access.outcome is Outcome.NOT_FOUND
    assert not any(reading.ok for _, reading in state.settings)
    assert state.setting("versioning") is None


def test_keys_from_the_bucket_url_are_used_and_never_shown(
    moto_server: RunningServer, make_moto_bucket: Callable[..., str]
) -> None:
    name = make_moto_bucket("keys", versioning="Enabled")
    secret = "url-secret-" + unique("s")
    state = probe(moto_server, name, {}, credentials=(MOTO_KEYS[0], secret))
    assert value(state, "versioning") == "enabled"
    assert secret not in repr(state)


def test_principal_without_get_bucket_versioning_is_denied_by_name(
    moto_iam_server: RunningServer, moto_restricted: dict[str, Any]
) -> None:
    bucket = moto_restricted["bucket"]
    state = probe(moto_iam_server, bucket, {}, credentials=moto_restricted["no_versioning"])
    versioning = state.setting("versioning")
    assert versioning is not None
    assert versioning.outcome is Outcome.DENIED, versioning
    assert versioning.permission == "s3:GetBucketVersioning"
    assert versioning.value is None
    assert "s3:GetBucketVersioning" in versioning.reason
    # What the principal may read still comes back.
    assert state.access.outcome is Outcome.OK
    assert value(state, "lifecycle") == []
    assert value(state, "object_lock")["enabled"] is False
    assert moto_restricted["no_versioning"][1] not in repr(state)


def test_principal_with_no_policy_gets_denied_everywhere_never_a_value(
    moto_iam_server: RunningServer, moto_restricted: dict[str, Any]
) -> None:
    state = probe(moto_iam_server, moto_restricted["bucket"], {}, credentials=moto_restricted["nothing"])
    assert state.access.outcome is Outcome.DENIED
    assert state.settings, "settings are still attempted after a denied HeadBucket"
    for setting, reading in state.settings:
        assert reading.outcome is Outcome.DENIED, (setting, reading)
        assert reading.permission.startswith("s3:"), (setting, reading)
        assert reading.value is None
