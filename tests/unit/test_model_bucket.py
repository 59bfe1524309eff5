"""One provider table: how every report, check and probe names a bucket and reaches its endpoint."""

from __future__ import annotations

import pytest

from gcready.bucketurl import parse_bucket_url
from gcready.model import (
    PROVIDERS,
    BucketState,
    Evidence,
    Origin,
    Provider,
    bucket_label,
    default_endpoint,
    endpoint_host,
    endpoint_url,
    host_port,
    is_aws_host,
    provider_words,
    public_endpoint,
)
from gcready.probes.options import ProbeOptions
from gcready.probes.s3 import s3_endpoint_url
from gcready.probes.state import ok


def test_every_provider_has_a_row() -> None:
    assert set(PROVIDERS) == set(Provider)
    assert {p: PROVIDERS[p].scheme for p in Provider} == {
        Provider.AWS: "s3",
        Provider.GCP: "gs",
        Provider.AZURE: "az",
        Provider.S3_COMPATIBLE: "s3",
        Provider.COREWEAVE: "cw",
    }


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("s3://wandb-prod/some/path", "s3://wandb-prod"),
        (
            "s3://AKIDEXAMPLE:wJalr/XUtn+FEMI@minio.acme.lan:9000/wandb/files?tls=true",
            "s3://minio.acme.lan:9000/wandb",
        ),
        ("gs://sa@proj.iam.gserviceaccount.com:a%2Bkey@wandb-gcs/p", "gs://wandb-gcs"),
        ("az://:bXlrZXk=@acmestore/wandb-container/path", "az://acmestore/wandb-container"),
        ("cw://KEY:SECRET@cwobject.com/wandb-cw?tls=true", "cw://cwobject.com/wandb-cw"),
    ],
)
def test_a_bucket_is_labelled_without_path_or_keys(url: str, label: str) -> None:
    ref = parse_bucket_url(url, Origin("values.yaml", 3))
    assert ref.label == label
    assert "SECRET" not in ref.label and "wJalr" not in ref.label


def test_a_state_only_bucket_is_labelled_by_host_not_by_the_probed_url() -> None:
    # a bundle can record the state of a bucket no configuration names: the probe wrote its endpoint URL
    state = BucketState(
        Provider.S3_COMPATIBLE, "wandb", Origin("probe"), ok(True), endpoint="http://127.0.0.1:9000"
    )
    (bucket,) = Evidence(bucket_states=(state,)).all_buckets()
    assert bucket.label == bucket.display == "s3://127.0.0.1:9000/wandb"
    assert Evidence(bucket_states=(state,)).state_of(bucket) is state
    assert (
        bucket_label(Provider.AZURE, "wandb", account="acmestore", endpoint="ignored:1")
        == "az://acmestore/wandb"
    )


def test_endpoints() -> None:
    assert endpoint_url(Provider.S3_COMPATIBLE, "minio.lan:9000", tls=False) == "http://minio.lan:9000"
    assert endpoint_url(Provider.S3_COMPATIBLE, "minio.lan:9000") == "https://minio.lan:9000"
    assert endpoint_url(Provider.S3_COMPATIBLE) is None  # no default: the user must give one
    assert endpoint_url(Provider.AZURE, account="acmestore") == "https://acmestore.blob.core.windows.net"
    assert default_endpoint(Provider.COREWEAVE) == "https://cwobject.com"
    assert public_endpoint("https://user:pw@h.example:9000/base/?x=1#f") == "https://h.example:9000/base"
    assert host_port("http://[::1]/") == "[::1]:80" and host_port("h.example") == "h.example:443"
    assert endpoint_host("HTTP://Minio.Lan:9000/") == "minio.lan:9000"
    assert is_aws_host("s3.eu-west-1.amazonaws.com") and is_aws_host("https://s3.cn-north-1.amazonaws.com.cn")
    assert not is_aws_host("amazonaws.com.evil.example:443")


def test_s3_endpoint_order() -> None:
    cw = parse_bucket_url("cw://wandb-cw", Origin("x"))
    aws = parse_bucket_url("s3://wandb-prod", Origin("x"))
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}
    assert s3_endpoint_url(aws, ProbeOptions(), {}) is None  # boto3 picks AWS's regional endpoint
    assert s3_endpoint_url(aws, ProbeOptions(), env) == "http://127.0.0.1:5000"
    assert s3_endpoint_url(cw, ProbeOptions(), {}) == "https://cwobject.com"
    assert s3_endpoint_url(cw, ProbeOptions(endpoint_url="http://o:1"), env) == "http://o:1"


def test_provider_words_follow_the_enum() -> None:
    assert provider_words([Provider.S3_COMPATIBLE, Provider.AWS]) == "AWS S3 / S3-compatible (MinIO…)"
    assert provider_words([]) == ""
