"""Why deletes are stuck, on real local servers: every blocker state they can hold, through the CLI.

Each case creates a bucket in a known state with the provider's own SDK, then runs ``python -m gcready
audit|diagnose`` in a subprocess with only the documented variables (``AWS_ENDPOINT_URL`` + keys for
moto, a W&B bucket URL with keys for SeaweedFS, ``STORAGE_EMULATOR_HOST`` for the GCS emulator, the
connection string or ``global.bucket.accessKey`` + ``--endpoint-url`` for Azurite).

The fix commands gcready prints are also run, as printed, against the same server (the AWS CLI from
the test extras; gcloud when the machine has it): a fix that does not change the setting, or after
which a re-audit does not pass, is a bug.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, run_gcready
from tests.live.servers import AZURITE_ACCOUNT, AZURITE_KEY, RunningServer, unique
from tests.live.test_cli_live import NO_METADATA, helm_values, moto_env, one_finding, seaweed_url

NVE_30: dict[str, Any] = {"NoncurrentVersionExpiration": {"NoncurrentDays": 30}}
MARKERS: dict[str, Any] = {"Expiration": {"ExpiredObjectDeleteMarker": True}}


def rule(rule_id: str, *, prefix: str = "", status: str = "Enabled", **parts: Any) -> dict[str, Any]:
    return {"ID": rule_id, "Status": status, "Filter": {"Prefix": prefix}, **parts}


FULL_RULE = rule("wandb-noncurrent", **NVE_30, **MARKERS)


# ---------------------------------------------------------------- helpers


def diagnose(*args: str, env: dict[str, str] | None = None) -> tuple[Run, dict[str, Any]]:
    """``gcready diagnose ARGS --format json``: the run and its parsed report (with ``diagnosis``)."""
    run = run_gcready(
        "diagnose", *args, "--format", "json", "--timeout", "5", env={**NO_METADATA, **(env or {})}
    )
    assert run.stdout.strip(), f"no report (exit {run.code}): {run.stderr}"
    assert "Traceback" not in run.stderr, run.stderr
    report = json.loads(run.stdout)
    assert report["diagnosis"] is not None
    return run, report


def causes(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(check, status, tier)`` of each ranked cause, in rank order."""
    return [
        (c["findings"][0]["check"], c["findings"][0]["status"], c["tier"])
        for c in report["diagnosis"]["causes"]
    ]


def top(report: dict[str, Any]) -> dict[str, Any]:
    first = report["diagnosis"]["causes"][0]
    assert first["rank"] == 1
    return dict(first)


def cli_fixes(finding: dict[str, Any]) -> list[str]:
    return [f["text"] for f in finding["fixes"] if f["kind"] == "cli"]


def all_fix_text(finding: dict[str, Any]) -> str:
    return "\n".join(f["text"] for f in finding["fixes"])


def aws_values(tmp_path: Path, name: str) -> Path:
    """operator-wandb values of an EKS install: the bucket in ``global.bucket``, the flag set."""
    return helm_values(
        tmp_path / "values.yaml", "aws", {"provider": "s3", "name": name, "region": "us-east-1"}
    )


def seaweed_env_file(tmp_path: Path, server: RunningServer, keys: tuple[str, str], name: str) -> Path:
    env_file = tmp_path / "wandb.env"
    env_file.write_text(
        "# docker run --env-file for wandb/local\n"
        f"BUCKET={seaweed_url(server, keys, name)}\n"
        "GORILLA_ARTIFACT_GC_ENABLED=true\n"
    )
    return env_file


# ================================================================= AWS S3 (moto)


@pytest.mark.parametrize(("mode", "severity"), [("COMPLIANCE", "high"), ("GOVERNANCE", "medium")])
def test_moto_object_lock_default_retention_is_storage_held(
    tmp_path: Path,
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    mode: str,
    severity: str,
) -> None:
    # a lifecycle that frees noncurrent versions, so the lock is the only thing holding storage
    name = make_moto_bucket(
        "lock", versioning="Enabled", object_lock={"Mode": mode, "Days": 3}, lifecycle=[FULL_RULE]
    )
    run, report = diagnose(str(aws_values(tmp_path, name)), env=moto_env(moto_server))
    finding = one_finding(report, "object-lock", name)
    assert finding["status"] == "warn", finding
    assert mode in finding["title"] and "3 day(s)" in finding["title"], finding
    assert finding["severity"] == severity
    assert one_finding(report, "noncurrent-expiry", name)["status"] == "pass"
    assert run.code == 0, run.stderr  # warnings never change the exit code
    assert causes(report)[0] == ("object-lock", "warn", "storage-held"), causes(report)
    assert report["diagnosis"]["headline"].startswith("Most likely cause: Object Lock")
    text = all_fix_text(finding)
    assert f"--bucket {name}" in text
    assert ("--bypass-governance-retention" in text) is (mode == "GOVERNANCE")


def test_moto_object_lock_without_default_retention_is_information(
    tmp_path: Path, moto_server: RunningServer, moto_s3: Any
) -> None:
    name = unique("lockonly")
    moto_s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    moto_s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [FULL_RULE]})
    run, report = diagnose(str(aws_values(tmp_path, name)), env=moto_env(moto_server))
    assert one_finding(report, "object-lock", name)["status"] == "info"
    assert not [c for c in causes(report) if c[0] == "object-lock"], causes(report)
    assert run.code == 0, run.stderr


def test_moto_suspended_versioning_fails_and_ranks_first(
    tmp_path: Path, moto_server: RunningServer, make_moto_bucket: Callable[..., str]
) -> None:
    name = make_moto_bucket("susp", versioning="Suspended", lifecycle=[FULL_RULE])
    run, report = diagnose(str(aws_values(tmp_path, name)), env=moto_env(moto_server))
    finding = one_finding(report, "bucket-versioning", name)
    assert finding["status"] == "fail" and "suspended" in finding["title"].lower(), finding
    assert run.code == 3, run.stderr
    assert report["summary"]["checks"]["gc-env-flag"] == "pass"
    first = top(report)
    assert (first["tier"], first["findings"][0]["check"]) == ("gc-cannot-delete", "bucket-versioning")
    assert any(f"--bucket {name}" in c and "Status=Enabled" in c for c in cli_fixes(first["findings"][0]))


@pytest.mark.parametrize(
    ("rules", "status", "says"),
    [
        pytest.param([FULL_RULE], "pass", "30 day(s)", id="noncurrent-and-markers"),
        pytest.param(
            [rule("old", **NVE_30), rule("markers", **MARKERS)], "pass", "30 day(s)", id="two-rules"
        ),
        pytest.param([rule("old", **NVE_30)], "warn", "delete markers", id="no-marker-cleanup"),
        pytest.param(
            [rule("expire", Expiration={"Days": 365})], "warn", "no lifecycle rule", id="current-only"
        ),
        pytest.param(
            [rule("off", status="Disabled", **NVE_30, **MARKERS)], "warn", "disabled", id="disabled"
        ),
        pytest.param(
            [rule("logs", prefix="logs/", **NVE_30, **MARKERS)], "warn", "prefix logs/", id="other-prefix"
        ),
        pytest.param(None, "warn", "no lifecycle rule", id="no-lifecycle"),
    ],
)
def test_moto_noncurrent_expiry(
    tmp_path: Path,
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    rules: list[dict[str, Any]] | None,
    status: str,
    says: str,
) -> None:
    name = make_moto_bucket("nce", versioning="Enabled", lifecycle=rules)
    run, report = diagnose(str(aws_values(tmp_path, name)), env=moto_env(moto_server))
    finding = one_finding(report, "noncurrent-expiry", name)
    assert finding["status"] == status, finding
    assert says.lower() in f"{finding['title']} {finding['detail']}".lower(), finding
    assert run.code == 0, run.stderr
    assert one_finding(report, "bucket-versioning", name)["status"] == "pass"
    if status == "pass":
        assert causes(report) == [], causes(report)
        assert finding["fixes"] == []
    else:
        assert causes(report)[0] == ("noncurrent-expiry", "warn", "storage-held"), causes(report)


def test_moto_versioned_bucket_without_lifecycle_is_the_top_storage_held_cause(
    tmp_path: Path, moto_server: RunningServer, make_moto_bucket: Callable[..., str]
) -> None:
    name = make_moto_bucket("nolc", versioning="Enabled")
    run, report = diagnose(str(aws_values(tmp_path, name)), env=moto_env(moto_server))
    finding = one_finding(report, "noncurrent-expiry", name)
    assert finding["status"] == "warn" and finding["severity"] == "high", finding
    first = top(report)
    assert first["tier"] == "storage-held" and first["confirmed"] is True
    assert first["findings"][0]["check"] == "noncurrent-expiry"
    assert report["diagnosis"]["headline"].startswith("Most likely cause: No lifecycle rule")
    assert run.code == 0, run.stderr


# ---------------------------------------------------------------- AWS: a stuck-deletes scenario, endpoint in the fixes


@pytest.mark.parametrize("form", ["AWS_ENDPOINT_URL", "--endpoint-url", "--bucket-option"])
def test_moto_stuck_deletes_fixes_name_the_bucket_and_the_endpoint_probed(
    tmp_path: Path, moto_server: RunningServer, make_moto_bucket: Callable[..., str], form: str
) -> None:
    """ "We deleted 40 TB and the bucket didn't shrink": versioned, COMPLIANCE-locked, no lifecycle.

    The bucket was read through a non-AWS endpoint; a fix command without it would target real AWS.
    """
    name = make_moto_bucket("stuck", versioning="Enabled", object_lock={"Mode": "COMPLIANCE", "Days": 30})
    env = {**moto_env(moto_server)}
    args = [str(aws_values(tmp_path, name))]
    if form != "AWS_ENDPOINT_URL":
        del env["AWS_ENDPOINT_URL"]
        args += (
            ["--endpoint-url", moto_server.endpoint]
            if form == "--endpoint-url"
            else ["--bucket-option", f"{name}:endpoint-url={moto_server.endpoint}"]
        )
    run, report = diagnose(*args, env=env)
    assert run.code == 0, run.stderr
    assert causes(report)[:2] == [
        ("object-lock", "warn", "storage-held"),
        ("noncurrent-expiry", "warn", "storage-held"),
    ], causes(report)
    for cause in report["diagnosis"]["causes"][:2]:
        commands = [c for c in cli_fixes(cause["findings"][0]) if c.startswith("aws s3api")]
        assert commands, cause
        for command in commands:
            assert f"--bucket {name}" in command, command
            assert f"--endpoint-url {moto_server.endpoint}" in command, command


def test_moto_versioning_fix_names_the_endpoint_and_region_probed(
    tmp_path: Path, moto_server: RunningServer, make_moto_bucket: Callable[..., str]
) -> None:
    name = make_moto_bucket("plain")
    run, report = diagnose(str(aws_values(tmp_path, name)), env=moto_env(moto_server))
    assert run.code == 3, run.stderr
    first = top(report)
    assert (first["tier"], first["findings"][0]["check"]) == ("gc-cannot-delete", "bucket-versioning")
    (command,) = [c for c in cli_fixes(first["findings"][0]) if c.startswith("aws s3api")]
    assert f"--bucket {name}" in command
    assert "--region us-east-1" in command, command
    assert f"--endpoint-url {moto_server.endpoint}" in command, command


# ---------------------------------------------------------------- fixes that really work (AWS CLI on moto)


@pytest.fixture(scope="session")
def aws_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding an ``aws`` that runs the AWS CLI from PyPI on this interpreter."""
    # awscli is in the test extras: missing means the test command was not used, which must not pass
    assert importlib.util.find_spec("awscli") is not None, (
        "awscli is not installed (pip install -e '.[test]')"
    )
    bindir = tmp_path_factory.mktemp("aws-cli")
    wrapper = bindir / "aws"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m awscli "$@"\n')
    wrapper.chmod(0o755)
    return bindir


def run_printed(command: str, aws_cli: Path, home: Path, env: dict[str, str]) -> None:
    """Run a printed fix exactly as printed (a shell command line), with the AWS CLI on PATH."""
    home.mkdir(exist_ok=True)
    full_env = {
        "PATH": f"{aws_cli}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        **env,
    }
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=full_env, timeout=60, check=False
    )
    assert done.returncode == 0, f"printed fix failed ({done.returncode}):\n{command}\n{done.stderr}"


def printed_aws_fix(finding: dict[str, Any], verb: str) -> str:
    (command,) = [c for c in cli_fixes(finding) if c.startswith(f"aws s3api {verb} ")]
    shlex.split(command)  # balanced quoting
    return command


def test_printed_versioning_fix_enables_versioning_on_moto(
    tmp_path: Path,
    moto_server: RunningServer,
    moto_s3: Any,
    make_moto_bucket: Callable[..., str],
    aws_cli: Path,
) -> None:
    name = make_moto_bucket("fixver")
    values = aws_values(tmp_path, name)
    run, report = diagnose(str(values), env=moto_env(moto_server))
    assert run.code == 3 and top(report)["findings"][0]["check"] == "bucket-versioning", causes(report)
    command = printed_aws_fix(one_finding(report, "bucket-versioning", name), "put-bucket-versioning")
    run_printed(command, aws_cli, tmp_path / "home", moto_env(moto_server))
    assert moto_s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
    again, report = diagnose(str(values), env=moto_env(moto_server))
    assert one_finding(report, "bucket-versioning", name)["status"] == "pass"
    assert again.code == 0, again.stderr
    assert "bucket-versioning" not in [c[0] for c in causes(report)]


def test_printed_lifecycle_fix_expires_noncurrent_versions_on_moto(
    tmp_path: Path,
    moto_server: RunningServer,
    moto_s3: Any,
    make_moto_bucket: Callable[..., str],
    aws_cli: Path,
) -> None:
    name = make_moto_bucket("fixlc", versioning="Enabled")
    values = aws_values(tmp_path, name)
    _, report = diagnose(str(values), env=moto_env(moto_server))
    finding = one_finding(report, "noncurrent-expiry", name)
    assert finding["status"] == "warn", finding
    command = printed_aws_fix(finding, "put-bucket-lifecycle-configuration")
    argv = shlex.split(command)
    document = json.loads(argv[argv.index("--lifecycle-configuration") + 1])  # valid JSON as printed
    assert document["Rules"][0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    run_printed(command, aws_cli, tmp_path / "home", moto_env(moto_server))
    (stored,) = moto_s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert stored["Status"] == "Enabled"
    assert stored["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert stored["Expiration"]["ExpiredObjectDeleteMarker"] is True
    again, report = diagnose(str(values), env=moto_env(moto_server))
    assert one_finding(report, "noncurrent-expiry", name)["status"] == "pass"
    assert causes(report) == [], causes(report)
    assert again.code == 0, again.stderr


def test_printed_object_lock_fix_removes_the_default_retention_on_moto(
    tmp_path: Path,
    moto_server: RunningServer,
    moto_s3: Any,
    make_moto_bucket: Callable[..., str],
    aws_cli: Path,
) -> None:
    name = make_moto_bucket(
        "fixlock", versioning="Enabled", object_lock={"Mode": "GOVERNANCE", "Days": 10}, lifecycle=[FULL_RULE]
    )
    values = aws_values(tmp_path, name)
    _, report = diagnose(str(values), env=moto_env(moto_server))
    finding = one_finding(report, "object-lock", name)
    assert finding["status"] == "warn", finding
    command = printed_aws_fix(finding, "put-object-lock-configuration")
    run_printed(command, aws_cli, tmp_path / "home", moto_env(moto_server))
    config = moto_s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
    assert config["ObjectLockEnabled"] == "Enabled"
    assert not (config.get("Rule") or {}).get("DefaultRetention"), config
    again, report = diagnose(str(values), env=moto_env(moto_server))
    assert one_finding(report, "object-lock", name)["status"] == "info"  # lock stays on, no default
    assert causes(report) == [], causes(report)
    assert again.code == 0, again.stderr


# ================================================================= S3-compatible (SeaweedFS through the minio probe)


@pytest.mark.parametrize("mode", ["COMPLIANCE", "GOVERNANCE"])
def test_seaweedfs_object_lock_retention(
    tmp_path: Path,
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    make_seaweedfs_bucket: Callable[..., str],
    mode: str,
) -> None:
    name = make_seaweedfs_bucket(
        "lock", versioning="Enabled", object_lock={"Mode": mode, "Days": 4}, lifecycle=[FULL_RULE]
    )
    env_file = seaweed_env_file(tmp_path, seaweedfs_server, seaweedfs_keys, name)
    run, report = diagnose(str(env_file), "--kind", "dotenv")
    assert report["deployment"]["type"] == "customer-managed-onprem"
    finding = one_finding(report, "object-lock", name)
    assert finding["status"] == "warn", finding
    assert mode in finding["title"] and "4 day(s)" in finding["title"], finding
    assert causes(report)[0] == ("object-lock", "warn", "storage-held"), causes(report)
    text = all_fix_text(finding)
    assert f"mc alias set wandb {seaweedfs_server.endpoint} ACCESS_KEY SECRET_KEY" in text
    assert f"mc retention clear --default wandb/{name}" in text
    assert run.code == 0, run.stderr
    for secret in seaweedfs_keys:
        assert secret not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("rules", "status"),
    [
        pytest.param([FULL_RULE], "pass", id="noncurrent-and-markers"),
        pytest.param([rule("old", **NVE_30)], "warn", id="no-marker-cleanup"),
        pytest.param([rule("expire", Expiration={"Days": 90})], "warn", id="current-only"),
        pytest.param(None, "warn", id="no-lifecycle"),
    ],
)
def test_seaweedfs_noncurrent_expiry(
    tmp_path: Path,
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    make_seaweedfs_bucket: Callable[..., str],
    rules: list[dict[str, Any]] | None,
    status: str,
) -> None:
    name = make_seaweedfs_bucket("nce", versioning="Enabled", lifecycle=rules)
    env_file = seaweed_env_file(tmp_path, seaweedfs_server, seaweedfs_keys, name)
    run, report = diagnose(str(env_file), "--kind", "dotenv")
    finding = one_finding(report, "noncurrent-expiry", name)
    assert finding["status"] == status, finding
    assert run.code == 0, run.stderr
    if status == "warn":
        assert causes(report)[0] == ("noncurrent-expiry", "warn", "storage-held")
        text = all_fix_text(finding)
        assert f"--endpoint-url {seaweedfs_server.endpoint}" in text
        assert f"mc ilm rule add --noncurrent-expire-days 30 wandb/{name}" in text


def test_seaweedfs_stuck_deletes_suspended_versioning_and_its_printed_fix_works(
    tmp_path: Path,
    seaweedfs_server: RunningServer,
    seaweedfs_keys: tuple[str, str],
    seaweedfs_s3: Any,
    make_seaweedfs_bucket: Callable[..., str],
    aws_cli: Path,
) -> None:
    """On-prem MinIO stand-in, flag set, versioning suspended: GC cannot delete; the printed fix works."""
    name = make_seaweedfs_bucket("susp", versioning="Suspended", lifecycle=[FULL_RULE])
    env_file = seaweed_env_file(tmp_path, seaweedfs_server, seaweedfs_keys, name)
    run, report = diagnose(str(env_file), "--kind", "dotenv")
    assert run.code == 3, run.stderr
    first = top(report)
    assert (first["tier"], first["findings"][0]["check"]) == ("gc-cannot-delete", "bucket-versioning")
    commands = cli_fixes(first["findings"][0])
    assert any(f"mc version enable wandb/{name}" in c for c in commands), commands
    command = printed_aws_fix(first["findings"][0], "put-bucket-versioning")
    assert f"--endpoint-url {seaweedfs_server.endpoint}" in command and f"--bucket {name}" in command
    keys = {"AWS_ACCESS_KEY_ID": seaweedfs_keys[0], "AWS_SECRET_ACCESS_KEY": seaweedfs_keys[1]}
    run_printed(command, aws_cli, tmp_path / "home", {**keys, "AWS_DEFAULT_REGION": "us-east-1"})
    assert seaweedfs_s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
    again, report = diagnose(str(env_file), "--kind", "dotenv")
    assert one_finding(report, "bucket-versioning", name)["status"] == "pass"
    assert again.code == 0, again.stderr


# ================================================================= GCS (gcp-storage-emulator)


def gcs_values(tmp_path: Path, name: str) -> Path:
    return helm_values(tmp_path / "values.yaml", "gcp", {"provider": "gcs", "name": name})


@pytest.mark.parametrize(
    ("seconds", "status", "says"),
    [(None, "info", "7 day(s)"), (0, "pass", "off"), (30 * 86400, "info", "30 day(s)")],
)
def test_gcs_soft_delete_hold(
    tmp_path: Path,
    gcs_env: dict[str, str],
    make_gcs_bucket: Callable[..., str],
    seconds: int | None,
    status: str,
    says: str,
) -> None:
    name = make_gcs_bucket("sd", versioning=True, soft_delete_seconds=seconds)
    run, report = diagnose(str(gcs_values(tmp_path, name)), env=gcs_env)
    finding = one_finding(report, "soft-delete-hold", name)
    assert finding["status"] == status, finding
    assert says in finding["title"], finding
    delays = [c for c in causes(report) if c[0] == "soft-delete-hold"]
    assert delays == ([("soft-delete-hold", "info", "delay")] if status == "info" else []), causes(report)
    # a window longer than 7 days comes with a fix that shortens it (to 7 days, not off)
    assert bool(finding["fixes"]) is (seconds == 30 * 86400)
    if finding["fixes"]:
        assert f"gcloud storage buckets update gs://{name} --soft-delete-duration=7d" in all_fix_text(finding)
    assert run.code == 0, run.stderr


def test_gcs_noncurrent_expiry(
    tmp_path: Path, gcs_env: dict[str, str], gcs_client: Any, make_gcs_bucket: Callable[..., str]
) -> None:
    bare = make_gcs_bucket("nolc", versioning=True)
    ruled = make_gcs_bucket("lc", versioning=True)
    bucket = gcs_client.get_bucket(ruled)
    bucket.add_lifecycle_delete_rule(days_since_noncurrent_time=14, is_live=False)
    bucket.patch()
    for name, status in ((bare, "warn"), (ruled, "pass")):
        run, report = diagnose(str(gcs_values(tmp_path, name)), env=gcs_env)
        finding = one_finding(report, "noncurrent-expiry", name)
        assert finding["status"] == status, finding
        assert run.code == 0, run.stderr
        if status == "pass":
            assert "14 day(s)" in finding["title"], finding
        else:
            assert causes(report)[0] == ("noncurrent-expiry", "warn", "storage-held"), causes(report)


def test_gcs_unlocked_retention_policy_on_a_versioned_bucket(
    tmp_path: Path, gcs_env: dict[str, str], gcs_client: Any, make_gcs_bucket: Callable[..., str]
) -> None:
    name = make_gcs_bucket("ret", versioning=True)
    bucket = gcs_client.get_bucket(name)
    bucket.retention_period = 2 * 86400
    bucket.add_lifecycle_delete_rule(days_since_noncurrent_time=30, is_live=False)
    bucket.patch()
    run, report = diagnose(str(gcs_values(tmp_path, name)), env=gcs_env)
    finding = one_finding(report, "gcs-retention-policy", name)
    assert finding["status"] == "warn", finding
    assert "2 day(s)" in finding["title"] and "Locked" not in finding["title"], finding
    assert "versioning" in finding["detail"], finding
    assert causes(report)[0] == ("gcs-retention-policy", "warn", "storage-held"), causes(report)
    assert f"gs://{name}" in all_fix_text(finding)
    assert run.code == 0, run.stderr


def test_gcs_stuck_deletes_versioned_without_lifecycle_long_soft_delete(
    tmp_path: Path, gcs_env: dict[str, str], make_gcs_bucket: Callable[..., str]
) -> None:
    """GKE install, flag set, versioning on (as W&B asks), no lifecycle rule, 30-day soft delete."""
    name = make_gcs_bucket("stuck", versioning=True, soft_delete_seconds=30 * 86400)
    run, report = diagnose(str(gcs_values(tmp_path, name)), env=gcs_env)
    assert run.code == 0, run.stderr
    assert report["deployment"]["type"] == "customer-managed-cloud"
    assert causes(report) == [
        ("noncurrent-expiry", "warn", "storage-held"),
        ("soft-delete-hold", "info", "delay"),
    ], causes(report)
    first = top(report)["findings"][0]
    commands = cli_fixes(first)
    assert any(
        f"gcloud storage buckets update gs://{name} --lifecycle-file=lifecycle.json" in c for c in commands
    )
    heredoc = commands[0].split("<<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
    rule_doc = json.loads(heredoc)["rule"][0]
    assert rule_doc["action"] == {"type": "Delete"} and rule_doc["condition"]["isLive"] is False


def run_printed_gcloud(command: str, home: Path) -> None:
    """Run a printed gcloud fix exactly as printed, with an empty gcloud configuration."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "CLOUDSDK_CONFIG": str(home / "gcloud"),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
    }
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, cwd=home, timeout=120, check=False
    )
    assert done.returncode == 0, f"printed fix failed ({done.returncode}):\n{command}\n{done.stderr}"


def test_printed_gcloud_fixes_change_the_bucket_on_the_emulator(
    tmp_path: Path, gcs_env: dict[str, str], gcs_client: Any, make_gcs_bucket: Callable[..., str]
) -> None:
    """The gcloud commands name the emulator the bucket was probed through, and work as printed."""
    if shutil.which("gcloud") is None:
        pytest.skip("gcloud (Google Cloud CLI) is not installed on this machine")
    name = make_gcs_bucket("gfix")
    values = gcs_values(tmp_path, name)
    run, report = diagnose(str(values), env=gcs_env)
    assert run.code == 3, run.stderr
    (versioning,) = [c for c in cli_fixes(one_finding(report, "bucket-versioning", name)) if "gcloud" in c]
    override = f"CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE={gcs_env['STORAGE_EMULATOR_HOST']}/"
    assert versioning.startswith(override), versioning
    run_printed_gcloud(versioning, tmp_path / "home")
    assert gcs_client.get_bucket(name).versioning_enabled is True

    run, report = diagnose(str(values), env=gcs_env)
    assert one_finding(report, "bucket-versioning", name)["status"] == "pass"
    expiry = one_finding(report, "noncurrent-expiry", name)
    assert expiry["status"] == "warn", expiry
    lifecycle = cli_fixes(expiry)[0]
    run_printed_gcloud(lifecycle, tmp_path / "home")
    (rule_set,) = gcs_client.get_bucket(name).lifecycle_rules
    assert rule_set["condition"]["daysSinceNoncurrentTime"] == 30

    run, report = diagnose(str(values), env=gcs_env)
    assert one_finding(report, "noncurrent-expiry", name)["status"] == "pass"
    assert run.code == 0, run.stderr


# ================================================================= Azure Blob (Azurite)


@pytest.mark.parametrize(("days", "status"), [(4, "info"), (None, "skip")])
def test_azure_blob_soft_delete_hold(
    tmp_path: Path,
    azurite_env: dict[str, str],
    make_azure_container: Callable[..., str],
    days: int | None,
    status: str,
) -> None:
    name = make_azure_container("sd", soft_delete_days=days)
    values = helm_values(tmp_path / "values.yaml", "azure", None)
    run, report = diagnose(str(values), "--bucket", f"az://{AZURITE_ACCOUNT}/{name}", env=azurite_env)
    hold = one_finding(report, "soft-delete-hold", name)
    assert hold["status"] == status, hold
    versioning = one_finding(report, "bucket-versioning", name)
    assert one_finding(report, "azure-immutability", name)["status"] == "pass"
    if days:
        assert f"{days} day(s)" in hold["title"], hold
        assert versioning["status"] == "pass"
        assert causes(report) == [("soft-delete-hold", "info", "delay")], causes(report)
        assert run.code == 0, run.stderr
    else:
        assert versioning["status"] == "fail"
        assert causes(report)[0] == ("bucket-versioning", "fail", "gc-cannot-delete"), causes(report)
        assert run.code == 3, run.stderr
    assert AZURITE_KEY not in run.stdout + run.stderr


def test_azure_stuck_deletes_blob_soft_delete_off(
    tmp_path: Path, azurite_server: RunningServer, make_azure_container: Callable[..., str]
) -> None:
    """AKS install as terraform-azurerm-wandb writes it (account key in ``global.bucket``): soft delete off."""
    name = make_azure_container("stuck", soft_delete_days=None)
    bucket = {"provider": "az", "name": AZURITE_ACCOUNT, "path": name, "accessKey": AZURITE_KEY}
    values = helm_values(tmp_path / "values.yaml", "azure", bucket)
    run, report = diagnose(str(values), "--endpoint-url", f"{azurite_server.endpoint}/{AZURITE_ACCOUNT}")
    assert run.code == 3, run.stderr
    first = top(report)
    finding = first["findings"][0]
    assert (first["tier"], finding["check"]) == ("gc-cannot-delete", "bucket-versioning")
    assert name in finding["resource"], finding
    commands = cli_fixes(finding)
    assert any(
        f"az storage account blob-service-properties update -n {AZURITE_ACCOUNT}" in c
        and "--enable-delete-retention true" in c
        for c in commands
    ), commands
    # the data-plane form names the endpoint probed, so it runs as printed against this Azurite
    assert (
        f"az storage blob service-properties delete-policy update --account-name {AZURITE_ACCOUNT} "
        f"--blob-endpoint {azurite_server.endpoint}/{AZURITE_ACCOUNT} --enable true --days-retained 7"
    ) in commands, commands
    assert report["summary"]["checks"]["azure-management-plane"] == "info"
    assert AZURITE_KEY not in run.stdout + run.stderr


def test_missing_bucket_confirms_no_blocker(tmp_path: Path, moto_server: RunningServer) -> None:
    """A bucket that does not exist: every blocker check is unknown, no cause is confirmed."""
    name = unique("never")
    run, report = diagnose(str(aws_values(tmp_path, name)), env=moto_env(moto_server))
    for check in ("object-lock", "mfa-delete", "noncurrent-expiry"):
        assert one_finding(report, check, name)["status"] == "unknown"
    assert report["diagnosis"]["causes"], report["diagnosis"]
    assert not any(c["confirmed"] for c in report["diagnosis"]["causes"]), causes(report)
    assert report["diagnosis"]["headline"].startswith("Nothing confirmed yet"), report["diagnosis"]
    assert run.code == 5, run.stderr
