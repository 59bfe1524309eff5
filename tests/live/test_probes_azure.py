"""The azure-storage-blob probe against Azurite (the devstoreaccount1 development account)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gcready.model import BucketState, Outcome, Provider
from gcready.probes import ProbeOptions, probe_bucket
from tests.live.servers import AZURITE_ACCOUNT, AZURITE_KEY, RunningServer, ref, unique

OPTIONS = ProbeOptions(timeout=5, retries=1)


def probe(name: str, env: dict[str, str], **kwargs: Any) -> BucketState:
    return probe_bucket(ref(Provider.AZURE, name, account=AZURITE_ACCOUNT, **kwargs), OPTIONS, env)


def value(state: BucketState, setting: str) -> Any:
    reading = state.setting(setting)
    assert reading is not None, f"{setting} not read: {state}"
    assert reading.outcome is Outcome.OK, f"{setting}: {reading}"
    return reading.value


@pytest.mark.parametrize(
    ("days", "expected"), [(None, {"enabled": False, "days": None}), (7, {"enabled": True, "days": 7})]
)
def test_blob_soft_delete_off_and_on(
    make_azure_container: Callable[..., str],
    azurite_env: dict[str, str],
    azurite_server: RunningServer,
    days: int | None,
    expected: dict[str, Any],
) -> None:
    state = probe(make_azure_container("sd", soft_delete_days=days), azurite_env)
    assert state.access.outcome is Outcome.OK, state.access
    assert value(state, "soft_delete") == expected
    assert state.endpoint == f"{azurite_server.endpoint}/{AZURITE_ACCOUNT}"
    assert AZURITE_KEY not in repr(state)


def test_key_from_the_bucket_url_with_an_endpoint_override(
    make_azure_container: Callable[..., str], azurite_server: RunningServer
) -> None:
    name = make_azure_container("key", soft_delete_days=3)
    options = ProbeOptions(timeout=5, retries=1, endpoint_url=f"{azurite_server.endpoint}/{AZURITE_ACCOUNT}")
    bucket = ref(Provider.AZURE, name, account=AZURITE_ACCOUNT, credentials=("", AZURITE_KEY))
    state = probe_bucket(bucket, options, {})
    assert value(state, "soft_delete") == {"enabled": True, "days": 3}
    assert AZURITE_KEY not in repr(state)


def test_wrong_key_is_denied_never_a_value(
    make_azure_container: Callable[..., str], azurite_server: RunningServer
) -> None:
    import base64

    name = make_azure_container("wrong", soft_delete_days=7)
    wrong = base64.b64encode(b"definitely not the devstoreaccount1 key!!").decode()
    options = ProbeOptions(timeout=5, retries=1, endpoint_url=f"{azurite_server.endpoint}/{AZURITE_ACCOUNT}")
    bucket = ref(Provider.AZURE, name, account=AZURITE_ACCOUNT, credentials=("", wrong))
    state = probe_bucket(bucket, options, {})
    assert state.access.outcome is Outcome.DENIED, state.access
    soft = state.setting("soft_delete")
    assert soft is not None and soft.outcome is Outcome.DENIED, soft
    assert not any(reading.ok for _, reading in state.settings)
    assert wrong not in repr(state) and AZURITE_KEY not in repr(state)


def test_missing_container_is_not_found(azurite_env: dict[str, str]) -> None:
    state = probe(unique("missing"), azurite_env)
    assert state.access.outcome is Outcome.NOT_FOUND, state.access
    assert not any(reading.ok for _, reading in state.settings)


def test_no_credentials_is_unknown_not_a_value() -> None:
    import importlib.util

    state = probe(unique("nocreds"), {})
    if importlib.util.find_spec("azure.identity") is None:
        assert state.access.outcome is Outcome.ERROR
        assert "AZURE_STORAGE_CONNECTION_STRING" in state.access.reason
    assert not any(reading.ok for _, reading in state.settings)


@pytest.mark.parametrize("source", ["AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN"])
def test_account_key_and_sas_from_the_environment(
    make_azure_container: Callable[..., str], azurite_server: RunningServer, source: str
) -> None:
    from datetime import UTC, datetime, timedelta

    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    name = make_azure_container("env", soft_delete_days=5)
    if source == "AZURE_STORAGE_KEY":
        secret = AZURITE_KEY
    else:
        secret = generate_account_sas(
            AZURITE_ACCOUNT,
            AZURITE_KEY,
            resource_types=ResourceTypes(service=True, container=True),
            permission=AccountSasPermissions(read=True, list=True),
            expiry=datetime.now(UTC) + timedelta(hours=1),
        )
    options = ProbeOptions(timeout=5, retries=1, endpoint_url=f"{azurite_server.endpoint}/{AZURITE_ACCOUNT}")
    state = probe_bucket(ref(Provider.AZURE, name, account=AZURITE_ACCOUNT), options, {source: secret})
    assert state.access.outcome is Outcome.OK, state.access
    assert value(state, "soft_delete") == {"enabled": True, "days": 5}
    assert secret not in repr(state)
    assert "sig=" not in repr(state)
