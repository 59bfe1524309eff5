"""The ``gcready`` CLI against real local storage servers, run as a user would run it.

Every case runs ``python -m gcready`` in a subprocess with a clean environment plus only the documented
variables (``AWS_ENDPOINT_URL`` + AWS keys for moto, W&B bucket URLs with keys for SeaweedFS,
``STORAGE_EMULATOR_HOST`` for the GCS emulator, ``AZURE_STORAGE_CONNECTION_STRING`` for Azurite).
Buckets are created and read back with each provider's own SDK, never through gcready.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, Run, run_gcready
from tests.live.servers import AZURITE_ACCOUNT, AZURITE_KEY, MOTO_KEYS, RunningServer, free_port, unique

GC_FLAG = {"GORILLA_ARTIFACT_GC_ENABLED": "true"}
BUNDLE_SCHEMA = REPO / "src" / "gcready" / "schemas" / "bundle.schema.json"
# No subprocess may reach a real cloud or wait on instance metadata.
NO_METADATA = {"AWS_EC2_METADATA_DISABLED": "true", "NO_GCE_CHECK": "true"}


# ---------------------------------------------------------------- helpers


def yaml_text(data: Any, indent: int = 0) -> str:
    """A tiny YAML writer for nested dicts of strings (enough for Helm values)."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines.append(yaml_text(value, indent + 2).rstrip("\n"))
        else:
            lines.append(f"{pad}{key}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def helm_values(path: Path, cloud: str, bucket: dict[str, str] | None, *, gc: bool = True) -> Path:
    """operator-wandb values: ``global.cloudProvider``, ``global.bucket``, ``global.extraEnv``."""
    glob: dict[str, Any] = {"host": "https://wandb.example.internal", "cloudProvider": cloud}
    if bucket is not None:
        glob["bucket"] = bucket
    if gc:
        glob["extraEnv"] = dict(GC_FLAG)
    path.write_text(yaml_text({"global": glob}))
    return path


def audit(*args: str, env: dict[str, str] | None = None) -> tuple[Run, dict[str, Any]]:
    """``gcready audit ARGS --format json``: the run and its parsed report."""
    run = run_gcready("audit", *args, "--format", "json", env={**NO_METADATA, **(env or {})})
    assert run.stdout.strip(), f"no report (exit {run.code}): {run.stderr}"
    return run, json.loads(run.stdout)


def findings(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["check"] == check]


def one_finding(report: dict[str, Any], check: str, resource_has: str = "") -> dict[str, Any]:
    found = [f for f in findings(report, check) if resource_has in f["resource"]]
    assert len(found) == 1, f"{check} {resource_has!r}: {json.dumps(report['findings'], indent=1)}"
    return found[0]


def text_of(finding: dict[str, Any]) -> str:
    return f"{finding['title']} {finding['detail']} {finding.get('needs', '')}".lower()


def moto_env(server: RunningServer) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": server.endpoint,
        "AWS_ACCESS_KEY_ID": MOTO_KEYS[0],
        "AWS_SECRET_ACCESS_KEY": MOTO_KEYS[1],
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def seaweed_url(server: RunningServer, keys: tuple[str, str], bucket: str) -> str:
    return f"s3://{keys[0]}:{keys[1]}@{server.host_port}/{bucket}?tls=false"


@pytest.fixture
def blackhole() -> Iterator[str]:
    """``127.0.0.1:PORT`` of a socket that completes TCP handshakes but never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


# ---------------------------------------------------------------- AWS (moto) through Helm values


@pytest.mark.parametrize(
    ("versioning", "code", "status", "word"),
    [("Enabled", 0, "pass", "on"), (None, 3, "fail", "off"), ("Suspended", 3, "fail", "suspended")],
)
def test_helm_aws_bucket_versioning(
    tmp_path: Path,
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    versioning: str | None,
    code: int,
    status: str,
    word: str,
) -> None:
    name = make_moto_bucket("helm", versioning=versioning)
    values = helm_values(
        tmp_path / "values.yaml", "aws", {"provider": "s3", "name": name, "region": "us-east-1"}
    )
    run, report = audit(str(values), "--timeout", "5", env=moto_env(moto_server))
    assert run.code == code, run.stderr
    assert report["deployment"]["type"] == "customer-managed-cloud"
    assert report["summary"]["checks"]["gc-env-flag"] == "pass"
    finding = one_finding(report, "bucket-versioning", name)
    assert finding["status"] == status, finding
    assert word in finding["title"].lower(), finding
    assert report["summary"]["exit_code"] == code


def test_missing_bucket_is_unknown_not_fail(tmp_path: Path, moto_server: RunningServer) -> None:
    name = unique("never-created")
    values = helm_values(tmp_path / "values.yaml", "aws", {"provider": "s3", "name": name})
    run, report = audit(str(values), "--timeout", "5", env=moto_env(moto_server))
    finding = one_finding(report, "bucket-versioning", name)
    assert finding["status"] == "unknown", finding
    assert "not found" in text_of(finding), finding
    assert run.code == 5, run.stderr
    assert report["summary"]["checks"]["bucket-versioning"] == "unknown"


# ---------------------------------------------------------------- S3-compatible (SeaweedFS) through a dotenv


@pytest.mark.parametrize(("versioning", "code", "status"), [("Enabled", 0, "pass"), (None, 3, "fail")])
def test_dotenv_minio_bucket_url(
    tmp_path: Path,
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    make_seaweedfs_bucket: Callable[..., str],
    versioning: str | None,
    code: int,
    status: str,
) -> None:
    name = make_seaweedfs_bucket("env", versioning=versioning)
    env_file = tmp_path / "wandb.env"
    env_file.write_text(
        "# docker run --env-file\n"
        f"BUCKET={seaweed_url(seaweedfs_server, seaweedfs_keys, name)}\n"
        "GORILLA_ARTIFACT_GC_ENABLED=true\n"
    )
    run, report = audit(str(env_file), "--kind", "dotenv", "--timeout", "5")
    assert report["deployment"]["type"] == "customer-managed-onprem", report["deployment"]
    finding = one_finding(report, "bucket-versioning", name)
    assert finding["status"] == status, finding
    assert run.code == code, run.stderr
    for secret in seaweedfs_keys:
        assert secret not in run.stdout + run.stderr


# ---------------------------------------------------------------- GCS (gcp-storage-emulator)


@pytest.mark.parametrize(("versioning", "code", "status"), [(True, 0, "pass"), (False, 3, "fail")])
def test_helm_gcs_bucket_versioning(
    tmp_path: Path,
    gcs_env: dict[str, str],
    make_gcs_bucket: Callable[..., str],
    versioning: bool,
    code: int,
    status: str,
) -> None:
    name = make_gcs_bucket("helm", versioning=versioning)
    values = helm_values(tmp_path / "values.yaml", "gcp", {"provider": "gcs", "name": name})
    run, report = audit(str(values), "--timeout", "5", env=gcs_env)
    assert report["deployment"]["type"] == "customer-managed-cloud"
    finding = one_finding(report, "bucket-versioning", name)
    assert finding["status"] == status, finding
    assert run.code == code, run.stderr


# ---------------------------------------------------------------- Azure (Azurite)


@pytest.mark.parametrize(("days", "code", "status"), [(7, 0, "pass"), (None, 3, "fail")])
def test_helm_azure_blob_soft_delete(
    tmp_path: Path,
    azurite_env: dict[str, str],
    make_azure_container: Callable[..., str],
    days: int | None,
    code: int,
    status: str,
) -> None:
    name = make_azure_container("helm", soft_delete_days=days)
    values = helm_values(tmp_path / "values.yaml", "azure", None)
    bucket = f"az://{AZURITE_ACCOUNT}/{name}"
    run, report = audit(str(values), "--bucket", bucket, "--timeout", "5", env=azurite_env)
    assert report["deployment"]["type"] == "customer-managed-cloud"
    finding = one_finding(report, "bucket-versioning", name)
    assert finding["status"] == status, finding
    assert run.code == code, run.stderr
    assert AZURITE_KEY not in run.stdout + run.stderr


def test_helm_azure_access_key_is_used_by_the_probe(
    tmp_path: Path,
    azurite_server: RunningServer,
    make_azure_container: Callable[..., str],
) -> None:
    """``global.bucket.accessKey`` is the storage account key the server uses (the chart's
    AZURE_STORAGE_KEY): the probe must use it like the key of ``az://:KEY@account/container``,
    and it must never be shown."""
    name = make_azure_container("helmkey", soft_delete_days=2)
    bucket = {"provider": "az", "name": AZURITE_ACCOUNT, "path": name, "accessKey": AZURITE_KEY}
    values = helm_values(tmp_path / "values.yaml", "azure", bucket)
    endpoint = f"{azurite_server.endpoint}/{AZURITE_ACCOUNT}"
    run, report = audit(str(values), "--endpoint-url", endpoint, "--timeout", "5")
    assert AZURITE_KEY not in run.stdout + run.stderr
    finding = one_finding(report, "bucket-versioning", name)
    assert finding["status"] == "pass", finding
    assert run.code == 0, run.stderr


# ---------------------------------------------------------------- dead endpoints


@pytest.mark.parametrize("dead", ["closed", "blackhole"])
@pytest.mark.parametrize("form", ["bucket-option", "bucket-url"])
def test_dead_endpoint_is_unknown_and_does_not_hold_up_the_good_bucket(
    tmp_path: Path,
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    blackhole: str,
    dead: str,
    form: str,
) -> None:
    """A dead endpoint next to a good bucket: the good one passes, the dead one is unknown, quickly.

    ``bucket-option`` is the documented per-bucket override ``--bucket-option NAME:endpoint-url=URL``;
    ``bucket-url`` names the dead endpoint inside a W&B bucket URL instead.
    """
    good = make_moto_bucket("good", versioning="Enabled")
    gone = unique("dead")
    where = blackhole if dead == "blackhole" else f"127.0.0.1:{free_port()}"
    values = helm_values(tmp_path / "values.yaml", "aws", {"provider": "s3", "name": good})
    if form == "bucket-option":
        dead_args = ["--bucket", f"s3://{gone}", "--bucket-option", f"{gone}:endpoint-url=http://{where}"]
    else:
        dead_args = ["--bucket", f"s3://deadkey:dead-secret-value@{where}/{gone}?tls=false"]
    started = time.monotonic()
    run, report = audit(str(values), *dead_args, "--timeout", "2", env=moto_env(moto_server))
    elapsed = time.monotonic() - started
    assert one_finding(report, "bucket-versioning", good)["status"] == "pass"
    finding = one_finding(report, "bucket-versioning", gone)
    assert finding["status"] == "unknown", finding
    expected = "timed out" if dead == "blackhole" else "unreachable"
    assert expected in text_of(finding), finding
    assert report["summary"]["checks"]["bucket-versioning"] == "unknown"
    assert run.code == 5, run.stderr
    assert elapsed < 20, f"took {elapsed:.1f} s"
    assert "dead-secret-value" not in run.stdout + run.stderr


# ---------------------------------------------------------------- collect → bundle → audit


@pytest.fixture
def mixed_deployment(
    tmp_path: Path,
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    make_seaweedfs_bucket: Callable[..., str],
    gcs_env: dict[str, str],
    make_gcs_bucket: Callable[..., str],
    azurite_env: dict[str, str],
    make_azure_container: Callable[..., str],
) -> dict[str, Any]:
    """An on-prem env file with a SeaweedFS bucket URL (keys inside) plus one bucket on each other server.

    The SeaweedFS bucket is unversioned (fail), the others are versioned, so the live audit exits 3.
    """
    minio_bucket = make_seaweedfs_bucket("mixed")
    aws_bucket = make_moto_bucket("mixed", versioning="Enabled")
    gcs_bucket = make_gcs_bucket("mixed", versioning=True)
    container = make_azure_container("mixed", soft_delete_days=5)
    env_file = tmp_path / "wandb.env"
    env_file.write_text(
        f"BUCKET={seaweed_url(seaweedfs_server, seaweedfs_keys, minio_bucket)}\n"
        "GORILLA_ARTIFACT_GC_ENABLED=true\n"
    )
    args = [
        str(env_file),
        "--kind",
        "dotenv",
        "--deployment",
        "customer-managed-onprem",
        "--bucket",
        f"s3://{aws_bucket}",
        "--bucket",
        f"gs://{gcs_bucket}",
        "--bucket",
        f"az://{AZURITE_ACCOUNT}/{container}",
        "--timeout",
        "5",
    ]
    env = {**moto_env(moto_server), **gcs_env, **azurite_env}
    secrets = [
        seaweedfs_keys[0],
        seaweedfs_keys[1],
        AZURITE_KEY,
        azurite_env["AZURE_STORAGE_CONNECTION_STRING"],
    ]
    return {
        "args": args,
        "env": env,
        "secrets": secrets,
        "minio": minio_bucket,
        "aws": aws_bucket,
        "gcs": gcs_bucket,
        "azure": container,
    }


def _no_secret(where: str, text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret ({secret[:4]}…) leaked into {where}"


def test_collect_then_offline_audit_reaches_the_same_verdicts(
    tmp_path: Path, mixed_deployment: dict[str, Any]
) -> None:
    import jsonschema

    args, env, secrets = mixed_deployment["args"], mixed_deployment["env"], mixed_deployment["secrets"]
    out = tmp_path / "out"
    live, live_report = audit(
        *args,
        "--json",
        str(out / "live.json"),
        "--html",
        str(out / "live.html"),
        "--text",
        str(out / "live.txt"),
        env=env,
    )
    assert live.code == 3, live.stderr
    checks = live_report["summary"]["checks"]
    assert checks["bucket-versioning"] == "fail"
    statuses = {f["resource"]: f["status"] for f in findings(live_report, "bucket-versioning")}
    assert len(statuses) == 4, statuses
    for key in ("aws", "gcs", "azure"):
        assert [s for r, s in statuses.items() if mixed_deployment[key] in r] == ["pass"], statuses
    assert [s for r, s in statuses.items() if mixed_deployment["minio"] in r] == ["fail"], statuses

    bundle = tmp_path / "bundle.json"
    collected = run_gcready("collect", *args, "--output", str(bundle), env={**NO_METADATA, **env})
    assert collected.code == 0, collected.stderr
    data = json.loads(bundle.read_text())
    jsonschema.validate(data, json.loads(BUNDLE_SCHEMA.read_text()))
    assert len(data["bucket_states"]) == 4
    assert all(s["access"]["outcome"] == "ok" for s in data["bucket_states"]), data["bucket_states"]

    # A support engineer's machine: no credentials, no endpoints, nothing but the bundle.
    offline = run_gcready("audit", str(bundle), "--offline", "--format", "json")
    assert offline.stdout.strip(), offline.stderr
    offline_report = json.loads(offline.stdout)
    assert offline.code == live.code
    assert offline_report["summary"]["checks"] == checks
    assert offline_report["deployment"]["type"] == live_report["deployment"]["type"]
    assert offline_report["summary"]["exit_code"] == live_report["summary"]["exit_code"]
    assert {f["resource"]: f["status"] for f in findings(offline_report, "bucket-versioning")} == statuses

    _no_secret("the bundle", bundle.read_text(), secrets)
    _no_secret("collect's stderr", collected.stdout + collected.stderr, secrets)
    _no_secret("the live JSON on stdout", live.stdout, secrets)
    _no_secret("the live audit's stderr", live.stderr, secrets)
    for report_file in sorted(out.iterdir()):
        _no_secret(report_file.name, report_file.read_text(), secrets)
    _no_secret("the offline audit", offline.stdout + offline.stderr, secrets)


def test_audit_of_a_bundle_does_not_probe_recorded_buckets_again(
    tmp_path: Path,
    mixed_deployment: dict[str, Any],
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    blackhole: str,
) -> None:
    bundle = tmp_path / "bundle.json"
    args, env = mixed_deployment["args"], mixed_deployment["env"]
    collected = run_gcready("collect", *args, "--output", str(bundle), env={**NO_METADATA, **env})
    assert collected.code == 0, collected.stderr
    recorded = run_gcready("audit", str(bundle), "--offline", "--format", "json")
    expected = json.loads(recorded.stdout)

    # The world changes after the bundle was taken: the unversioned SeaweedFS bucket is now versioned.
    s3 = _seaweed_client(seaweedfs_server, seaweedfs_keys)
    s3.put_bucket_versioning(Bucket=mixed_deployment["minio"], VersioningConfiguration={"Status": "Enabled"})
    # …and every credential and endpoint points nowhere (a silent socket, a closed port).
    nowhere = {
        "AWS_ENDPOINT_URL": f"http://{blackhole}",
        "AWS_ACCESS_KEY_ID": "AKIDNOWHERE",
        "AWS_SECRET_ACCESS_KEY": "nowhere-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "STORAGE_EMULATOR_HOST": f"http://{blackhole}",
        "AZURE_STORAGE_CONNECTION_STRING": (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{free_port()}/{AZURITE_ACCOUNT};"
        ),
    }
    started = time.monotonic()
    run, report = audit(str(bundle), "--timeout", "2", env=nowhere)
    elapsed = time.monotonic() - started
    assert report["offline"] is False
    assert report["summary"]["checks"] == expected["summary"]["checks"]
    assert report["summary"]["checks"]["bucket-versioning"] == "fail"  # the bundle's verdict
    assert [f["status"] for f in findings(report, "bucket-versioning")] == [
        f["status"] for f in findings(expected, "bucket-versioning")
    ]
    assert run.code == recorded.code == 3, run.stderr
    assert elapsed < 15, f"took {elapsed:.1f} s: were recorded buckets probed again?"


def _seaweed_client(server: RunningServer, keys: tuple[str, str]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )


# ---------------------------------------------------------------- read-only


def test_an_audit_changes_no_bucket_setting(
    tmp_path: Path,
    moto_server: RunningServer,
    moto_s3: Any,
    make_moto_bucket: Callable[..., str],
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    seaweedfs_s3: Any,
    make_seaweedfs_bucket: Callable[..., str],
    gcs_env: dict[str, str],
    gcs_client: Any,
    make_gcs_bucket: Callable[..., str],
    azurite_env: dict[str, str],
    azurite_service: Any,
    make_azure_container: Callable[..., str],
) -> None:
    rules = [
        {
            "ID": "old-versions",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        }
    ]
    aws = make_moto_bucket("ro", versioning="Suspended", lifecycle=rules)
    minio = make_seaweedfs_bucket("ro", versioning="Enabled", lifecycle=rules)
    gcs = make_gcs_bucket("ro", versioning=False)
    container = make_azure_container("ro", soft_delete_days=3)

    def snapshot() -> dict[str, Any]:
        def s3_state(client: Any, bucket: str) -> Any:
            versioning = client.get_bucket_versioning(Bucket=bucket).get("Status")
            lifecycle = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
            return versioning, lifecycle

        blob = azurite_service.get_service_properties()["delete_retention_policy"]
        bucket = gcs_client.get_bucket(gcs)
        return {
            "aws": s3_state(moto_s3, aws),
            "minio": s3_state(seaweedfs_s3, minio),
            "gcs": (bucket.versioning_enabled, bucket.soft_delete_policy.retention_duration_seconds),
            "azure": (blob.enabled, blob.days, azurite_service.get_container_client(container).exists()),
        }

    before = snapshot()
    env_file = tmp_path / "wandb.env"
    env_file.write_text(f"BUCKET={seaweed_url(seaweedfs_server, seaweedfs_keys, minio)}\n")
    run, report = audit(
        str(env_file),
        "--kind",
        "dotenv",
        "--bucket",
        f"s3://{aws}",
        "--bucket",
        f"gs://{gcs}",
        "--bucket",
        f"az://{AZURITE_ACCOUNT}/{container}",
        "--timeout",
        "5",
        env={**moto_env(moto_server), **gcs_env, **azurite_env},
    )
    assert len(findings(report, "bucket-versioning")) == 4, run.stderr
    assert snapshot() == before
    assert before["aws"][0] == "Suspended" and before["minio"][0] == "Enabled"
