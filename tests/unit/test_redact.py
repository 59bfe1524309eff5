"""Secrets never reach an output: ``scrub`` is the last net, ``is_secret_name`` the first."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from gcready.redact import LEDGER, MASK, display_env_value, is_secret_name, redact_url, scrub

PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
PEM = f"-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dV\n-----END PRIVATE KEY-----\n"


def test_url_userinfo_removed() -> None:
    text = "BUCKET=s3://minio-user-77:Mini0-Pa55-word@minio.local:9000/wandb failed"
    out = scrub(text)
    assert "minio-user-77" not in out
    assert "Mini0-Pa55-word" not in out
    assert "minio.local:9000/wandb" in out  # the rest stays readable
    assert MASK in out


def test_mysql_dsn_password_removed() -> None:
    out = scrub("connecting to mysql://wandb:hunter2-Mysql-Pw@db.internal:3306/wandb_local")
    assert "hunter2-Mysql-Pw" not in out
    assert "db.internal:3306" in out


def test_azure_connection_string_account_key_removed() -> None:
    key = "q8VZrT6x0eS1Lm2Nw3Xk4Pj5Yh6Ug7Tf8Re9Wd0Sc1Bx2Az3==+/"
    text = f"DefaultEndpointsProtocol=https;AccountName=acmewandb;AccountKey={key};EndpointSuffix=core.windows.net"
    out = scrub(text)
    assert key not in out
    assert "AccountName=acmewandb" in out


def test_shared_access_signature_removed() -> None:
    sas = "sv=2022-11-02&ss=b&srt=sco&sp=rwdlac&se=2026-01-01T00:00:00Z&sig=AbCdEf0123456789%2BxyzSIGvalue%3D"
    text = f"BlobEndpoint=https://acmewandb.blob.core.windows.net/;SharedAccessSignature={sas}"
    out = scrub(text)
    assert "AbCdEf0123456789" not in out
    assert "SharedAccessSignature=" in out


def test_sig_in_sas_url_removed() -> None:
    url = (
        "https://acmewandb.blob.core.windows.net/wandb?sv=2022-11-02&sr=c&sig=Zx9Yw8Vu7Ts6Rq5Po4%2BNm3Lk2%3D"
    )
    out = scrub(url)
    assert "Zx9Yw8Vu7Ts6Rq5Po4" not in out
    assert "acmewandb.blob.core.windows.net/wandb" in out


def test_raw_pem_private_key_removed() -> None:
    out = scrub(f'{{"private_key": "{PEM}"}}')
    assert PEM_BODY not in out
    assert "MzEfYyjiWA4R4" not in out


def test_json_escaped_pem_private_key_removed() -> None:
    escaped = PEM.replace("\n", "\\n")
    out = scrub(f'{{"private_key": "{escaped}"}}')
    assert PEM_BODY not in out


def test_urlencoded_pem_private_key_removed() -> None:
    encoded = quote(PEM, safe="")
    assert encoded.startswith("-----BEGIN%20PRIVATE%20KEY-----")
    out = scrub(f"note: {encoded} was here")
    assert PEM_BODY not in out
    assert quote(PEM_BODY, safe="") not in out
    assert "was here" in out


def test_aws_access_key_id_removed() -> None:
    out = scrub("credentials for AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A rejected")
    assert "AKIAIOSFODNN7EXAMPLE" not in out
    assert "ASIAY34FZKBOKMUTVV7A" not in out
    assert "rejected" in out


def test_remembered_values_removed_anywhere() -> None:
    secret = f"lic-{uuid.uuid4().hex}"
    LEDGER.remember(secret)
    out = scrub(f"the license is {secret}, really")
    assert secret not in out
    assert "really" in out


def test_trivial_values_are_not_remembered() -> None:
    # Remembering "true" would blank every "true" in a report: the verdict would become unreadable.
    LEDGER.remember("true")
    LEDGER.remember("abc")
    assert scrub("GORILLA_ARTIFACT_GC_ENABLED=true abc") == "GORILLA_ARTIFACT_GC_ENABLED=true abc"


def test_redact_url_masks_userinfo_and_remembers_it() -> None:
    user, pw = f"u{uuid.uuid4().hex[:8]}", f"p{uuid.uuid4().hex}"
    shown = redact_url(f"s3://{user}:{pw}@minio.local:9000/wandb?region=us-east-1")
    assert shown == f"s3://{MASK}@minio.local:9000/wandb?region=us-east-1"
    assert pw not in scrub(f"later someone printed {pw}")


@pytest.mark.parametrize(
    "name",
    [
        "WANDB_API_KEY",
        "LICENSE",
        "GORILLA_LICENSE",
        "MYSQL_PASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "BUCKET_SECRET_KEY",
        "BUCKET_ACCESS_KEY",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_KEY",
        "GORILLA_SESSION_KEY",
        "wandb_api_key",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "GORILLA_ARTIFACT_GC_ENABLED",
        "GORILLA_GLUE_ARTIFACT_GC_ENABLED",
        "BUCKET",
        "GORILLA_FILE_STORE",
        "WANDB_BASE_URL",
        "HOST",
        "GORILLA_DATA_RETENTION_PERIOD",
        "GORILLA_ONPREM",
    ],
)
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_named_env_value_is_not_kept() -> None:
    value, redacted = display_env_value("MYSQL_PASSWORD", "Sup3r-Secret-Mysql")
    assert value is None
    assert redacted is True
    assert "Sup3r-Secret-Mysql" not in scrub("echo Sup3r-Secret-Mysql")


def test_gc_flag_value_is_kept() -> None:
    assert display_env_value("GORILLA_ARTIFACT_GC_ENABLED", "true") == ("true", False)


def test_bucket_url_env_value_keeps_only_the_redacted_form() -> None:
    value, redacted = display_env_value("BUCKET", "s3://acc-9911:SeCrEt-9911-xyz@minio.local:9000/wandb")
    assert redacted is True
    assert value is not None
    assert "SeCrEt-9911-xyz" not in value
    assert "minio.local:9000/wandb" in value
