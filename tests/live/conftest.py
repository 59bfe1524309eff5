"""Fixtures for the live tests: real local storage servers, and buckets in known states on them.

Each server starts once per session, only when a test asks for it, and is stopped (by the PID this
session started) at the end. Buckets are made with each provider's own SDK, never through gcready.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import servers
from tests.live.misbehaving import MisbehavingServer, Mode
from tests.live.servers import MOTO_KEYS, RunningServer, unique

LIVE_DIR = Path(__file__).resolve().parent

# No live test may reach a real cloud, read the developer's cloud config, or hang on instance metadata.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if LIVE_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.live)


def _started(starter: Callable[[], RunningServer]) -> Iterator[RunningServer]:
    server = starter()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- servers (session, lazy)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[RunningServer]:
    yield from _started(servers.start_moto)


@pytest.fixture(scope="session")
def moto_iam_server() -> Iterator[RunningServer]:
    yield from _started(lambda: servers.start_moto(iam=True))


@pytest.fixture(scope="session")
def seaweedfs_keys() -> tuple[str, str]:
    return ("gcreadytest", "sw-" + secrets.token_urlsafe(24))


@pytest.fixture(scope="session")
def seaweedfs_server(seaweedfs_keys: tuple[str, str]) -> Iterator[RunningServer]:
    yield from _started(lambda: servers.start_seaweedfs(*seaweedfs_keys))


@pytest.fixture(scope="session")
def gcs_server() -> Iterator[RunningServer]:
    yield from _started(servers.start_gcs_emulator)


@pytest.fixture(scope="session")
def azurite_server() -> Iterator[RunningServer]:
    yield from _started(servers.start_azurite)


# ---------------------------------------------------------------- S3 (moto, SeaweedFS)


def _boto3_s3(endpoint: str, keys: tuple[str, str], region: str = "us-east-1") -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
        region_name=region,
        config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 2}),
    )


def _make_s3_bucket_factory(client: Any) -> Callable[..., str]:
    def make(
        prefix: str = "b",
        *,
        versioning: str | None = None,
        object_lock: dict[str, Any] | None = None,
        lifecycle: list[dict[str, Any]] | None = None,
        region: str | None = None,
    ) -> str:
        """Create a bucket; ``versioning`` is None (never set), "Enabled" or "Suspended"."""
        name = unique(prefix)
        kwargs: dict[str, Any] = {"Bucket": name}
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        if object_lock is not None:
            kwargs["ObjectLockEnabledForBucket"] = True
        client.create_bucket(**kwargs)
        if versioning == "Suspended":
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if versioning is not None:
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
        if object_lock:
            client.put_object_lock_configuration(
                Bucket=name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": object_lock},
                },
            )
        if lifecycle is not None:
            client.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": lifecycle}
            )
        return name

    return make


@pytest.fixture(scope="session")
def moto_s3(moto_server: RunningServer) -> Any:
    """A boto3 S3 client on moto (the AWS stand-in)."""
    return _boto3_s3(moto_server.endpoint, MOTO_KEYS)


@pytest.fixture(scope="session")
def make_moto_bucket(moto_s3: Any) -> Callable[..., str]:
    return _make_s3_bucket_factory(moto_s3)


@pytest.fixture(scope="session")
def moto_env() -> dict[str, str]:
    """The environment a probe of a moto bucket gets (no ambient AWS settings leak in)."""
    return {"AWS_ACCESS_KEY_ID": MOTO_KEYS[0], "AWS_SECRET_ACCESS_KEY": MOTO_KEYS[1]}


@pytest.fixture(scope="session")
def seaweedfs_s3(seaweedfs_server: RunningServer, seaweedfs_keys: tuple[str, str]) -> Any:
    """A boto3 S3 client on SeaweedFS with the server's keys."""
    return _boto3_s3(seaweedfs_server.endpoint, seaweedfs_keys)


@pytest.fixture(scope="session")
def make_seaweedfs_bucket(seaweedfs_s3: Any) -> Callable[..., str]:
    return _make_s3_bucket_factory(seaweedfs_s3)


@pytest.fixture
def moto_restricted(moto_iam_server: RunningServer) -> Iterator[dict[str, Any]]:
    """A versioned bucket on IAM-enforcing moto and principals allowed everything on S3 but less.

    Set up unauthenticated, then IAM is enforced for the test and relaxed again afterwards. Yields
    ``{"bucket", "no_versioning": keys, "nothing": keys}``: ``no_versioning`` may do ``s3:*`` except
    ``s3:GetBucketVersioning``; ``nothing`` has no policy at all.
    """
    import boto3

    servers.moto_relax_iam(moto_iam_server)
    s3 = _boto3_s3(moto_iam_server.endpoint, MOTO_KEYS)
    iam = boto3.client(
        "iam",
        endpoint_url=moto_iam_server.endpoint,
        aws_access_key_id=MOTO_KEYS[0],
        aws_secret_access_key=MOTO_KEYS[1],
        region_name="us-east-1",
    )
    bucket = _make_s3_bucket_factory(s3)("iam", versioning="Enabled")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetBucketVersioning", "Resource": "*"},
        ],
    }
    users: dict[str, tuple[str, str]] = {}
    for label in ("no_versioning", "nothing"):
        user = unique(f"gcready-{label.replace('_', '-')}")
        iam.create_user(UserName=user)
        if label == "no_versioning":
            iam.put_user_policy(
                UserName=user, PolicyName="s3-but-versioning", PolicyDocument=json.dumps(policy)
            )
        key = iam.create_access_key(UserName=user)["AccessKey"]
        users[label] = (key["AccessKeyId"], key["SecretAccessKey"])
    servers.moto_enforce_iam(moto_iam_server)
    try:
        yield {"bucket": bucket, **users}
    finally:
        servers.moto_relax_iam(moto_iam_server)


# ---------------------------------------------------------------- GCS (gcp-storage-emulator)


@pytest.fixture(scope="session")
def gcs_env(gcs_server: RunningServer) -> dict[str, str]:
    return {"STORAGE_EMULATOR_HOST": gcs_server.endpoint}


@pytest.fixture(scope="session")
def gcs_client(gcs_server: RunningServer) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(
        project="test",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": gcs_server.endpoint},
    )


@pytest.fixture(scope="session")
def make_gcs_bucket(gcs_client: Any) -> Callable[..., str]:
    def make(prefix: str = "g", *, versioning: bool = False, soft_delete_seconds: int | None = None) -> str:
        """Create a bucket, then patch the settings (the emulator ignores them in the create body)."""
        name = unique(prefix)
        bucket = gcs_client.create_bucket(name)
        changed = False
        if versioning:
            bucket.versioning_enabled = True
            changed = True
        if soft_delete_seconds is not None:
            bucket.soft_delete_policy.retention_duration_seconds = soft_delete_seconds
            changed = True
        if changed:
            bucket.patch()
        return name

    return make


# ---------------------------------------------------------------- Azure (Azurite)


@pytest.fixture(scope="session")
def azurite_env(azurite_server: RunningServer) -> dict[str, str]:
    return {"AZURE_STORAGE_CONNECTION_STRING": servers.azurite_connection_string(azurite_server)}


@pytest.fixture(scope="session")
def azurite_service(azurite_server: RunningServer) -> Any:
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(servers.azurite_connection_string(azurite_server))


@pytest.fixture
def make_azure_container(azurite_service: Any) -> Callable[..., str]:
    """Create a container after setting the account's blob soft delete (``None`` = off, else days)."""

    def make(prefix: str = "c", *, soft_delete_days: int | None = None) -> str:
        from azure.storage.blob import RetentionPolicy

        policy = (
            RetentionPolicy(enabled=True, days=soft_delete_days)
            if soft_delete_days
            else RetentionPolicy(enabled=False)
        )
        azurite_service.set_service_properties(delete_retention_policy=policy)
        name = unique(prefix)
        azurite_service.create_container(name)
        return name

    return make


# ---------------------------------------------------------------- misbehaving endpoints


@pytest.fixture(scope="session")
def misbehaving() -> Iterator[dict[Mode, MisbehavingServer]]:
    """One local endpoint per :class:`Mode` (blackhole, refused, 503, garbage, HTML 200, empty 200, slow,
    drip), for the whole session; each is closed at the end (and stops by itself after its lifetime)."""
    started = {mode: MisbehavingServer(mode, delay=6.0, drip_interval=1.0) for mode in Mode}
    try:
        yield started
    finally:
        for server in started.values():
            server.close()
