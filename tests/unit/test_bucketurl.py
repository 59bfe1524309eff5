"""Bucket references from every URL form W&B writes, and from Helm ``global.bucket``."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

import pytest

from gcready.bucketurl import BucketURLError, parse_bucket_url, parse_helm_bucket
from gcready.model import BucketRef, Origin, Provider
from gcready.redact import scrub

HERE = Origin("values.yaml", 7, "global.bucket")
ACCESS = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY"  # URL-encoded, as a URL must carry a "/"
SECRET_PLAIN = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n"
    "-----END PRIVATE KEY-----\n"
)
PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
AZURE_KEY = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNA=="


def parse(url: str):  # type: ignore[no-untyped-def]
    return parse_bucket_url(url, HERE)


def revealed(ref: BucketRef) -> tuple[str, str] | None:
    """The keys a probe would use (the only place a credential is revealed)."""
    return None if ref.credentials is None else (ref.credentials[0].reveal(), ref.credentials[1].reveal())


def test_plain_s3_bucket_is_aws() -> None:
    ref = parse("s3://acme-wandb-files")
    assert ref.provider is Provider.AWS
    assert ref.name == "acme-wandb-files"
    assert ref.path is None
    assert ref.endpoint is None
    assert ref.had_credentials is False
    assert ref.credentials is None
    assert ref.origin == HERE
    assert ref.label == "s3://acme-wandb-files"


def test_s3_bucket_with_path() -> None:
    ref = parse("s3://acme-wandb-files/prod/artifacts/")
    assert ref.provider is Provider.AWS
    assert ref.name == "acme-wandb-files"
    assert ref.path == "prod/artifacts"


def test_s3_with_keys_and_aws_regional_endpoint() -> None:
    ref = parse(f"s3://{ACCESS}:{SECRET}@s3.us-west-2.amazonaws.com/acme-wandb?region=us-west-2")
    assert ref.provider is Provider.AWS
    assert ref.name == "acme-wandb"
    assert ref.endpoint == "s3.us-west-2.amazonaws.com"
    assert ref.region == "us-west-2"
    assert ref.had_credentials is True
    assert revealed(ref) == (ACCESS, SECRET_PLAIN)


def test_s3_compatible_minio_with_port_and_tls() -> None:
    ref = parse(f"s3://{ACCESS}:{SECRET}@minio.example.internal:9000/wandb?region=us-east-1&tls=true")
    assert ref.provider is Provider.S3_COMPATIBLE
    assert ref.name == "wandb"
    assert ref.endpoint == "minio.example.internal:9000"
    assert ref.region == "us-east-1"
    assert ref.tls is True
    assert ref.label == "s3://minio.example.internal:9000/wandb"


def test_s3_compatible_on_an_ip_address() -> None:
    ref = parse("s3://minioadmin:minio-S3cret-pw@10.0.0.5:9000/bucket")
    assert ref.provider is Provider.S3_COMPATIBLE
    assert ref.name == "bucket"
    assert ref.endpoint == "10.0.0.5:9000"
    assert ref.tls is None
    assert "minio-S3cret-pw" not in ref.display


def test_tls_false_is_read() -> None:
    ref = parse("s3://k3yAccess:k3ySecret@minio.svc.cluster.local:9000/wandb?tls=false")
    assert ref.tls is False


def test_plain_gcs_bucket() -> None:
    ref = parse("gs://acme-wandb-gcs")
    assert ref.provider is Provider.GCP
    assert ref.name == "acme-wandb-gcs"
    assert ref.had_credentials is False


def test_gcs_with_service_account_and_urlencoded_private_key() -> None:
    email = "wandb-sa@acme-proj.iam.gserviceaccount.com"
    url = f"gs://{email}:{quote(PEM, safe='')}@acme-wandb-gcs"
    ref = parse(url)
    assert ref.provider is Provider.GCP
    assert ref.name == "acme-wandb-gcs"
    assert ref.had_credentials is True
    assert revealed(ref) == (email, PEM)
    assert PEM_BODY not in ref.display
    assert quote(PEM_BODY, safe="") not in ref.display
    assert "PRIVATE" not in ref.display


def test_azure_account_container_path() -> None:
    ref = parse("az://acmewandbstore/wandb-files/prod")
    assert ref.provider is Provider.AZURE
    assert ref.account == "acmewandbstore"
    assert ref.name == "wandb-files"
    assert ref.path == "prod"
    assert ref.label == "az://acmewandbstore/wandb-files"


def test_azure_with_access_key() -> None:
    ref = parse(f"az://:{quote(AZURE_KEY, safe='')}@acmewandbstore/wandb-files")
    assert ref.provider is Provider.AZURE
    assert ref.account == "acmewandbstore"
    assert ref.name == "wandb-files"
    assert ref.had_credentials is True
    assert revealed(ref) == ("", AZURE_KEY)
    assert AZURE_KEY not in ref.display
    assert quote(AZURE_KEY, safe="") not in ref.display


def test_coreweave_with_keys_and_tls() -> None:
    ref = parse(f"cw://{ACCESS}:{SECRET}@cwobject.com/acme-wandb?tls=true")
    assert ref.provider is Provider.COREWEAVE
    assert ref.name == "acme-wandb"
    assert ref.endpoint == "cwobject.com"
    assert ref.tls is True
    assert ref.had_credentials is True


@pytest.mark.parametrize(
    "url",
    [
        "s3://$(BUCKET_ACCESS_KEY):$(BUCKET_SECRET_KEY)@$(BUCKET_NAME)/$(BUCKET_PATH)",
        "s3://{{ .Values.global.bucket.name }}",
    ],
)
def test_helm_template_form_is_an_error(url: str) -> None:
    with pytest.raises(BucketURLError, match="unresolved"):
        parse(url)


@pytest.mark.parametrize(
    "url",
    ["not a bucket", "acme-wandb-files", "s3://", "ftp://host/bucket", "az://acct", "https://"],
)
def test_garbage_is_an_error(url: str) -> None:
    with pytest.raises(BucketURLError):
        parse(url)


def test_error_message_does_not_carry_the_keys() -> None:
    url = f"ftp://{ACCESS}:{SECRET}@host/bucket"
    with pytest.raises(BucketURLError) as info:
        parse(url)
    assert SECRET not in str(info.value)
    assert SECRET_PLAIN not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        f"s3://{ACCESS}:{SECRET}@s3.us-west-2.amazonaws.com/acme-wandb?region=us-west-2",
        f"s3://{ACCESS}:{SECRET}@minio.example.internal:9000/wandb?region=us-east-1&tls=true",
        f"cw://{ACCESS}:{SECRET}@cwobject.com/acme-wandb?tls=true",
        f"gs://sa@p.iam.gserviceaccount.com:{SECRET}@bucket",
        f"az://:{SECRET}@acct/container",
    ],
)
def test_display_and_repr_never_hold_the_keys(url: str) -> None:
    ref = parse(url)
    assert ref.credentials is not None  # kept in memory for probes
    for shown in (ref.display, ref.label, repr(ref), str(ref)):
        assert SECRET not in shown
        assert SECRET_PLAIN not in shown
    assert ACCESS not in ref.display


def test_credentials_do_not_change_bucket_identity() -> None:
    a = parse(f"s3://{ACCESS}:{SECRET}@minio.example.internal:9000/wandb")
    b = parse("s3://other:otherSecret@minio.example.internal:9000/wandb")
    assert a.key == b.key


# Helm global.bucket ------------------------------------------------------------------------------


def test_helm_s3_aws_name_and_region() -> None:
    ref = parse_helm_bucket({"provider": "s3", "name": "acme-wandb-files", "region": "us-east-1"}, HERE)
    assert ref is not None
    assert ref.provider is Provider.AWS
    assert ref.name == "acme-wandb-files"
    assert ref.region == "us-east-1"
    assert ref.endpoint is None


def test_helm_s3_minio_name_is_endpoint_path_is_bucket() -> None:
    settings = {
        "provider": "s3",
        "name": "minio.minio.svc.cluster.local:9000",
        "path": "wandb",
        "accessKey": "minio-access-1234",
        "secretKey": "minio-Secret-5678",
    }
    ref = parse_helm_bucket(settings, HERE)
    assert ref is not None
    assert ref.provider is Provider.S3_COMPATIBLE
    assert ref.endpoint == "minio.minio.svc.cluster.local:9000"
    assert ref.name == "wandb"
    assert ref.had_credentials is True
    assert "minio-Secret-5678" not in ref.display
    assert "minio-Secret-5678" not in repr(ref)


def test_helm_gcs() -> None:
    ref = parse_helm_bucket({"provider": "gcs", "name": "acme-wandb-gcs"}, HERE)
    assert ref is not None
    assert ref.provider is Provider.GCP
    assert ref.name == "acme-wandb-gcs"


def test_helm_azure_name_is_account_path_is_container() -> None:
    ref = parse_helm_bucket({"provider": "az", "name": "acmewandbstore", "path": "wandb-files"}, HERE)
    assert ref is not None
    assert ref.provider is Provider.AZURE
    assert ref.account == "acmewandbstore"
    assert ref.name == "wandb-files"


@pytest.mark.parametrize("settings", [{"provider": "s3"}, {"provider": "s3", "name": ""}, {"name": None}])
def test_helm_without_name_is_no_bucket(settings: dict[str, object]) -> None:
    assert parse_helm_bucket(settings, HERE) is None


def test_helm_unknown_provider_is_an_error() -> None:
    with pytest.raises(BucketURLError):
        parse_helm_bucket({"provider": "dropbox", "name": "x"}, HERE)


# --- credentials by the providers' rules: a secret may hold / + = @ : % ? # --------------------------------

RAW_AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # as AWS issues it: with "/"
RAW_AZURE_KEY = "q8VZrT6x0e/S1Lm2+Nw3Xk4Pj5Yh6Ug7Tf8Re9Wd0Sc1Bx2Az3Ef4Gh5Ij6Kl7Mn8Op9Qr0St1Uv2Wx3Yz4A=="


def test_aws_secret_with_slash_is_not_read_as_the_endpoint() -> None:
    ref = parse(f"s3://{ACCESS}:{RAW_AWS_SECRET}@minio.internal:9000/wandb")
    assert ref.provider is Provider.S3_COMPATIBLE
    assert ref.endpoint == "minio.internal:9000"  # not the access key id: a probe would resolve it
    assert ref.name == "wandb"
    assert ref.path is None
    assert revealed(ref) == (ACCESS, RAW_AWS_SECRET)
    assert ref.display == "s3://***@minio.internal:9000/wandb"
    assert ACCESS not in ref.label + ref.display


def test_azure_key_with_slash_plus_equals_unencoded() -> None:
    ref = parse(f"az://:{RAW_AZURE_KEY}@acmewandbstore/wandb-files/prod")
    assert ref.provider is Provider.AZURE
    assert ref.account == "acmewandbstore"
    assert ref.name == "wandb-files"
    assert ref.path == "prod"
    assert revealed(ref) == ("", RAW_AZURE_KEY)
    for part in RAW_AZURE_KEY.split("/"):
        assert part not in ref.display


@pytest.mark.parametrize("secret", ["se@cr/et+K=y", "a:b:c/d?e#f@g", "p%2Fq@r?s=t#u"])
def test_userinfo_ends_at_the_last_at_before_the_host(secret: str) -> None:
    ref = parse(f"s3://{ACCESS}:{secret}@10.0.0.5:9000/bucket/pre/fix?region=eu-west-1&tls=true")
    assert ref.endpoint == "10.0.0.5:9000"
    assert ref.name == "bucket"
    assert ref.path == "pre/fix"
    assert ref.region == "eu-west-1"
    assert ref.tls is True
    assert revealed(ref) == (ACCESS, unquote(secret))
    assert secret not in ref.display and unquote(secret) not in ref.display


def test_url_encoded_secret_is_decoded_for_the_probe_and_hidden_in_both_forms() -> None:
    encoded = quote(RAW_AWS_SECRET, safe="")
    ref = parse(f"s3://{ACCESS}:{encoded}@s3.eu-west-1.amazonaws.com/acme?region=eu-west-1")
    assert revealed(ref) == (ACCESS, RAW_AWS_SECRET)
    out = scrub(f"{ref.display} {encoded} {RAW_AWS_SECRET}")
    assert encoded not in out and RAW_AWS_SECRET not in out and ACCESS not in out


def test_an_at_sign_in_a_path_is_not_userinfo() -> None:
    ref = parse("s3://acme-wandb/releases/v1@2026")
    assert ref.name == "acme-wandb"
    assert ref.path == "releases/v1@2026"
    assert ref.had_credentials is False


def test_gcs_service_account_email_is_not_remembered_as_a_secret() -> None:
    email = "wandb-sa@acme-proj.iam.gserviceaccount.com"
    ref = parse(f"gs://{email}:{quote(PEM, safe='')}@acme-wandb-gcs")
    assert revealed(ref) == (email, PEM)
    assert scrub(f"grant storage.admin to {email}") == f"grant storage.admin to {email}"


def test_credentials_are_secret_values_never_shown() -> None:
    ref = parse(f"cw://{ACCESS}:{RAW_AWS_SECRET}@cwobject.com/acme-wandb?tls=true")
    assert ref.credentials is not None
    shown = f"{ref} {ref.credentials} {ref.credentials[1]} {ref.credentials[1]!r}"
    assert RAW_AWS_SECRET not in shown and ACCESS not in shown
    with pytest.raises(TypeError):
        json.dumps(list(ref.credentials))
