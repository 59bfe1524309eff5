"""The google-cloud-storage probe against gcp-storage-emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gcready.model import BucketState, Outcome, Provider
from gcready.probes import ProbeOptions, probe_bucket
from tests.live.servers import ref, unique

OPTIONS = ProbeOptions(timeout=5, retries=1)


def probe(name: str, env: dict[str, str]) -> BucketState:
    return probe_bucket(ref(Provider.GCP, name), OPTIONS, env)


def value(state: BucketState, setting: str) -> Any:
    reading = state.setting(setting)
    assert reading is not None, f"{setting} not read: {state}"
    assert reading.outcome is Outcome.OK, f"{setting}: {reading}"
    return reading.value


@pytest.mark.parametrize("versioning", [False, True])
def test_versioning_off_and_on(
    make_gcs_bucket: Callable[..., str], gcs_env: dict[str, str], versioning: bool
) -> None:
    state = probe(make_gcs_bucket("ver", versioning=versioning), gcs_env)
    assert state.access.outcome is Outcome.OK, state.access
    assert value(state, "versioning") == ("enabled" if versioning else "disabled")
    assert state.endpoint == gcs_env["STORAGE_EMULATOR_HOST"]
    assert state.origin.path == gcs_env["STORAGE_EMULATOR_HOST"]


def test_soft_delete_default_is_seven_days(
    make_gcs_bucket: Callable[..., str], gcs_env: dict[str, str]
) -> None:
    state = probe(make_gcs_bucket("sd"), gcs_env)
    assert value(state, "soft_delete") == {"enabled": True, "days": 7, "seconds": 604800}
    assert value(state, "retention") is None
    assert value(state, "lifecycle") == []
    assert isinstance(value(state, "location"), str)


def test_soft_delete_turned_off_and_changed(
    make_gcs_bucket: Callable[..., str], gcs_env: dict[str, str]
) -> None:
    off = probe(make_gcs_bucket("sd-off", soft_delete_seconds=0), gcs_env)
    assert value(off, "soft_delete") == {"enabled": False, "days": 0, "seconds": 0}
    longer = probe(make_gcs_bucket("sd-14", versioning=True, soft_delete_seconds=14 * 86400), gcs_env)
    assert value(longer, "soft_delete") == {"enabled": True, "days": 14, "seconds": 14 * 86400}
    assert value(longer, "versioning") == "enabled"


def test_missing_bucket_is_not_found(gcs_env: dict[str, str]) -> None:
    state = probe(unique("missing"), gcs_env)
    assert state.access.outcome is Outcome.NOT_FOUND, state.access
    assert not any(reading.ok for _, reading in state.settings)
