"""The minio-SDK probe against SeaweedFS, a real S3-compatible server standing in for MinIO/on-prem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gcready.model import BucketState, Outcome, Provider
from gcready.probes import ProbeOptions, probe_bucket
from tests.live.servers import RunningServer, ref, unique

OPTIONS = ProbeOptions(timeout=5, retries=1)


def probe(server: RunningServer, name: str, keys: tuple[str, str]) -> BucketState:
    bucket = ref(Provider.S3_COMPATIBLE, name, endpoint=server.host_port, credentials=keys)
    return probe_bucket(bucket, OPTIONS, {})


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
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    make_seaweedfs_bucket: Callable[..., str],
    status: str | None,
    expected: str,
) -> None:
    name = make_seaweedfs_bucket("ver", versioning=status)
    state = probe(seaweedfs_server, name, seaweedfs_keys)
    assert state.access.outcome is Outcome.OK, state.access
    assert value(state, "versioning") == expected
    assert state.provider is Provider.S3_COMPATIBLE
    assert state.endpoint == seaweedfs_server.endpoint
    assert seaweedfs_keys[1] not in repr(state)


def test_object_lock_and_lifecycle_read_back(
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    make_seaweedfs_bucket: Callable[..., str],
) -> None:
    rules = [
        {
            "ID": "expire-noncurrent",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 14},
        }
    ]
    locked = make_seaweedfs_bucket("lock", object_lock={"Mode": "COMPLIANCE", "Days": 2})
    plain = make_seaweedfs_bucket("lc", versioning="Enabled", lifecycle=rules)

    locked_state = probe(seaweedfs_server, locked, seaweedfs_keys)
    assert value(locked_state, "versioning") == "enabled"  # object lock implies versioning
    assert value(locked_state, "object_lock") == {
        "enabled": True,
        "mode": "COMPLIANCE",
        "days": 2,
        "years": None,
    }

    plain_state = probe(seaweedfs_server, plain, seaweedfs_keys)
    assert value(plain_state, "object_lock")["enabled"] is False
    (rule,) = value(plain_state, "lifecycle")
    assert rule["id"] == "expire-noncurrent"
    assert rule["enabled"] is True
    assert rule["noncurrent_days"] == 14


def test_wrong_secret_is_never_a_value(
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    make_seaweedfs_bucket: Callable[..., str],
) -> None:
    name = make_seaweedfs_bucket("wrong", versioning="Enabled")
    wrong = "not-the-secret-" + unique("x")
    state = probe(seaweedfs_server, name, (seaweedfs_keys[0], wrong))
    assert state.access.outcome in (Outcome.DENIED, Outcome.ERROR), state.access
    versioning = state.setting("versioning")
    assert versioning is not None and versioning.outcome in (Outcome.DENIED, Outcome.ERROR), versioning
    assert not any(reading.ok for _, reading in state.settings)
    assert wrong not in repr(state)
    assert seaweedfs_keys[1] not in repr(state)


def test_missing_bucket_is_not_found(
    seaweedfs_server: RunningServer, seaweedfs_keys: tuple[str, str]
) -> None:
    state = probe(seaweedfs_server, unique("missing"), seaweedfs_keys)
    assert state.access.outcome is Outcome.NOT_FOUND, state.access
    assert not any(reading.ok for _, reading in state.settings)
