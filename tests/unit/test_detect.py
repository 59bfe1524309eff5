"""Which deployment type the evidence describes (detect.py's rules)."""

from __future__ import annotations

import pytest

from gcready.detect import detect
from gcready.model import (
    BucketRef,
    BucketState,
    DeploymentType,
    Evidence,
    Origin,
    Outcome,
    Provider,
    Reading,
    Signal,
    SignalKind,
)

D = DeploymentType
HERE = Origin("values.yaml", 3)


def sig(kind: SignalKind, value: str) -> Signal:
    return Signal(kind, value, HERE)


def base_url(url: str) -> Signal:
    return sig(SignalKind.BASE_URL, url)


SERVER = sig(SignalKind.SERVER_CONFIG, "operator-wandb values")
AWS = BucketRef(Provider.AWS, "acme-wandb-files", HERE, "s3://acme-wandb-files")
GCS = BucketRef(Provider.GCP, "acme-wandb-gcs", HERE, "gs://acme-wandb-gcs")
AZURE = BucketRef(Provider.AZURE, "files", HERE, "az://acct/files", account="acct")
MINIO = BucketRef(
    Provider.S3_COMPATIBLE, "wandb", HERE, "s3://***@minio.local:9000/wandb", endpoint="minio.local:9000"
)


@pytest.mark.parametrize("url", ["https://api.wandb.ai", "https://api.wandb.ai/", "api.wandb.ai"])
def test_shared_cloud_address(url: str) -> None:
    dep = detect(Evidence(signals=(base_url(url),)))
    assert dep.type is D.SHARED_CLOUD
    assert dep.decided_by == "evidence"
    assert dep.conflicts == ()


def test_dedicated_cloud_address() -> None:
    dep = detect(Evidence(signals=(base_url("https://acme.wandb.io"),)))
    assert dep.type is D.DEDICATED_CLOUD


def test_custom_address_is_undecided() -> None:
    dep = detect(Evidence(signals=(base_url("https://wandb.acme-corp.com"),)))
    assert dep.type is None
    assert dep.decided_by == "undecided"
    assert dep.candidates == {
        D.DEDICATED_CLOUD,
        D.DEDICATED_CLOUD_SSC,
        D.CUSTOMER_MANAGED_CLOUD,
        D.CUSTOMER_MANAGED_ONPREM,
    }


def test_no_evidence_at_all_is_undecided_over_every_type() -> None:
    dep = detect(Evidence())
    assert dep.type is None
    assert dep.candidates == frozenset(DeploymentType)


def test_server_config_means_customer_managed() -> None:
    dep = detect(Evidence(signals=(SERVER,)))
    assert dep.type is None
    assert dep.candidates == {D.CUSTOMER_MANAGED_CLOUD, D.CUSTOMER_MANAGED_ONPREM}


def test_onprem_flag_means_customer_managed() -> None:
    dep = detect(Evidence(signals=(sig(SignalKind.ONPREM_FLAG, "GORILLA_ONPREM=true"),)))
    assert dep.candidates == {D.CUSTOMER_MANAGED_CLOUD, D.CUSTOMER_MANAGED_ONPREM}


def test_s3_compatible_bucket_means_onprem() -> None:
    dep = detect(Evidence(signals=(SERVER,), buckets=(MINIO,)))
    assert dep.type is D.CUSTOMER_MANAGED_ONPREM
    assert dep.conflicts == ()


@pytest.mark.parametrize("bucket", [AWS, GCS, AZURE], ids=lambda b: b.provider.value)
def test_cloud_bucket_and_server_config_means_customer_managed_cloud(bucket: BucketRef) -> None:
    dep = detect(Evidence(signals=(SERVER,), buckets=(bucket,)))
    assert dep.type is D.CUSTOMER_MANAGED_CLOUD
    assert dep.decided_by == "evidence"


def test_cloud_provider_means_customer_managed_cloud() -> None:
    dep = detect(Evidence(signals=(SERVER, sig(SignalKind.CLOUD_PROVIDER, "gcp"))))
    assert dep.type is D.CUSTOMER_MANAGED_CLOUD


def test_bucket_only_in_a_recorded_state_counts() -> None:
    state = BucketState(Provider.S3_COMPATIBLE, "wandb", HERE, Reading(Outcome.OK), endpoint="minio:9000")
    dep = detect(Evidence(signals=(SERVER,), bucket_states=(state,)))
    assert dep.type is D.CUSTOMER_MANAGED_ONPREM


def test_conflicting_signals_are_reported_and_stronger_wins() -> None:
    ev = Evidence(signals=(SERVER, sig(SignalKind.CLOUD_PROVIDER, "aws")), buckets=(MINIO,))
    dep = detect(ev)
    assert dep.type is D.CUSTOMER_MANAGED_ONPREM  # the bucket is stronger than global.cloudProvider
    assert len(dep.conflicts) == 1
    assert "cloud-provider" in dep.conflicts[0]
    assert "values.yaml:3" in dep.conflicts[0]


def test_shared_address_with_server_config_conflicts() -> None:
    dep = detect(Evidence(signals=(SERVER, base_url("https://api.wandb.ai"))))
    assert dep.conflicts
    assert dep.candidates == {D.CUSTOMER_MANAGED_CLOUD, D.CUSTOMER_MANAGED_ONPREM}


def test_override_wins_and_disagreement_is_reported() -> None:
    dep = detect(Evidence(signals=(SERVER,), buckets=(AWS,)), override=D.CUSTOMER_MANAGED_ONPREM)
    assert dep.type is D.CUSTOMER_MANAGED_ONPREM
    assert dep.candidates == {D.CUSTOMER_MANAGED_ONPREM}
    assert dep.decided_by == "override"
    assert any("--deployment customer-managed-onprem" in c for c in dep.conflicts)


def test_override_that_agrees_is_no_conflict() -> None:
    dep = detect(Evidence(signals=(SERVER,), buckets=(AWS,)), override=D.CUSTOMER_MANAGED_CLOUD)
    assert dep.type is D.CUSTOMER_MANAGED_CLOUD
    assert dep.conflicts == ()


def test_override_without_evidence_is_no_conflict() -> None:
    dep = detect(Evidence(), override=D.DEDICATED_CLOUD)
    assert dep.type is D.DEDICATED_CLOUD
    assert dep.conflicts == ()


def test_shared_address_without_bucket_is_plain_shared_cloud() -> None:
    dep = detect(Evidence(signals=(base_url("https://api.wandb.ai"),)))
    assert dep.type is D.SHARED_CLOUD
    assert dep.candidates == {D.SHARED_CLOUD}


def test_shared_address_with_aws_bucket_is_ssc() -> None:
    dep = detect(Evidence(signals=(base_url("https://api.wandb.ai"),), buckets=(AWS,)))
    assert dep.type is D.SHARED_CLOUD_SSC


def test_dedicated_address_with_gcs_bucket_is_ssc() -> None:
    dep = detect(Evidence(signals=(base_url("https://acme.wandb.io"),), buckets=(GCS,)))
    assert dep.type is D.DEDICATED_CLOUD_SSC


def test_declared_type_in_a_bundle() -> None:
    dep = detect(Evidence(signals=(sig(SignalKind.DECLARED, "dedicated-cloud-ssc"),), buckets=(AWS,)))
    assert dep.type is D.DEDICATED_CLOUD_SSC
    assert dep.decided_by == "evidence"
