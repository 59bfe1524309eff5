"""Misbehaving endpoints next to healthy buckets, on every SDK path: never a setting, never a hang.

Each case mixes healthy buckets on a real local server (moto for boto3, SeaweedFS for the minio SDK,
gcp-storage-emulator for google-cloud-storage, Azurite for azure-storage-blob) with one bucket per
misbehaving mode (see ``tests/live/misbehaving.py``): the healthy ones get their right verdicts, every
misbehaving one is ``unknown`` with the endpoint named, and the whole run stays within one bucket's
deadline (``--timeout × (--retries + 1)``) plus start-up slack, with the reports written.
"""

from __future__ import annotations

import json
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gcready.model import BucketRef, Outcome, Provider
from gcready.probes import BucketOverride, ProbeOptions, probe_all
from tests.conftest import run_gcready
from tests.live.misbehaving import MisbehavingServer, Mode
from tests.live.servers import AZURITE_ACCOUNT, AZURITE_KEY, MOTO_KEYS, RunningServer, ref, unique

TIMEOUT = 2.0
RETRIES = 1
BOUND = TIMEOUT * (RETRIES + 1)  # the most one bucket may cost, whatever its endpoint does
PROBE_SLACK = 4.0  # building four SDK clients at once on a loaded two-core machine
CLI_SLACK = 12.0  # plus starting Python and importing the SDKs in a fresh process
SDKS = ("boto3", "minio", "gcs", "azure")
HOSTILE_SECRET = "hostile-secret-" + secrets.token_hex(8)
NO_METADATA = {"AWS_EC2_METADATA_DISABLED": "true", "NO_GCE_CHECK": "true"}

# What the bucket's access reading may be, by mode. The S3 paths' HeadBucket has no body to check, so
# an HTML or empty 200 passes it; every setting read after it is then refused as not S3's.
TIMED_OUT = {Outcome.TIMEOUT}
EXPECTED_ACCESS: dict[Mode, set[Outcome]] = {
    Mode.BLACKHOLE: TIMED_OUT,
    Mode.SLOW: TIMED_OUT,
    Mode.DRIP: TIMED_OUT,
    Mode.REFUSED: {Outcome.UNREACHABLE},
    Mode.GARBAGE: {Outcome.UNREACHABLE, Outcome.ERROR},
    Mode.UNAVAILABLE: {Outcome.THROTTLED, Outcome.ERROR},
    Mode.HTML_200: {Outcome.ERROR},
    Mode.EMPTY_200: {Outcome.ERROR},
    Mode.HUGE: {Outcome.ERROR},  # refused as too large, not read until the deadline
}
# The modes whose HEAD answer is a well-formed empty one, so an S3 HeadBucket passes; the reason its
# first setting read is refused for.
HEAD_PASSES = {
    Mode.HTML_200: "not an S3 answer",
    Mode.EMPTY_200: "not an S3 answer",
    Mode.HUGE: "answer too large",
}


@dataclass
class Case:
    """Healthy buckets of one SDK path (name → expected bucket-versioning verdict) and its environment."""

    sdk: str
    healthy: dict[str, str]
    refs: list[BucketRef]
    env: dict[str, str]
    args: list[str] = field(default_factory=list)  # how the CLI names the healthy buckets
    secrets: list[str] = field(default_factory=list)


def _healthy(request: pytest.FixtureRequest, sdk: str) -> Case:
    """Start (once per session) the real server of ``sdk`` and make its healthy buckets."""
    if sdk == "boto3":
        moto: RunningServer = request.getfixturevalue("moto_server")
        make: Callable[..., str] = request.getfixturevalue("make_moto_bucket")
        on, off = make("ok", versioning="Enabled"), make("off")
        env = {
            "AWS_ENDPOINT_URL": moto.endpoint,
            "AWS_ACCESS_KEY_ID": MOTO_KEYS[0],
            "AWS_SECRET_ACCESS_KEY": MOTO_KEYS[1],
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        refs = [ref(Provider.AWS, n, endpoint=moto.host_port) for n in (on, off)]
        return Case(
            sdk,
            {on: "pass", off: "fail"},
            refs,
            env,
            [a for n in (on, off) for a in ("--bucket", f"s3://{n}")],
        )
    if sdk == "minio":
        weed: RunningServer = request.getfixturevalue("seaweedfs_server")
        keys: tuple[str, str] = request.getfixturevalue("seaweedfs_keys")
        make = request.getfixturevalue("make_seaweedfs_bucket")
        on, off = make("ok", versioning="Enabled"), make("off")
        refs = [ref(Provider.S3_COMPATIBLE, n, endpoint=weed.host_port, credentials=keys) for n in (on, off)]
        args = [
            a
            for n in (on, off)
            for a in ("--bucket", f"s3://{keys[0]}:{keys[1]}@{weed.host_port}/{n}?tls=false")
        ]
        return Case(sdk, {on: "pass", off: "fail"}, refs, {}, args, [keys[1]])
    if sdk == "gcs":
        env = dict(request.getfixturevalue("gcs_env"))
        make = request.getfixturevalue("make_gcs_bucket")
        on, off = make("ok", versioning=True), make("off")
        refs = [ref(Provider.GCP, n) for n in (on, off)]
        return Case(
            sdk,
            {on: "pass", off: "fail"},
            refs,
            env,
            [a for n in (on, off) for a in ("--bucket", f"gs://{n}")],
        )
    env = dict(request.getfixturevalue("azurite_env"))
    make = request.getfixturevalue("make_azure_container")
    on = make("ok", soft_delete_days=7)  # blob soft delete is account-wide: one healthy container
    refs = [ref(Provider.AZURE, on, account=AZURITE_ACCOUNT)]
    return Case(sdk, {on: "pass"}, refs, env, ["--bucket", f"az://{AZURITE_ACCOUNT}/{on}"], [AZURITE_KEY])


def _hostile_name(mode: Mode) -> str:
    return unique(f"h-{mode.value}")


def _hostile_ref(sdk: str, name: str, server: MisbehavingServer) -> tuple[BucketRef, str | None]:
    """A bucket on ``server`` for ``sdk``, and the override key that points it there (None: its URL does)."""
    if sdk == "boto3":
        return ref(Provider.AWS, name, credentials=("AKIDHOSTILE", HOSTILE_SECRET)), name
    if sdk == "minio":
        return ref(
            Provider.S3_COMPATIBLE, name, endpoint=server.where, credentials=("hkey", HOSTILE_SECRET)
        ), None
    if sdk == "gcs":
        return ref(Provider.GCP, name), name
    return ref(Provider.AZURE, name, account=AZURITE_ACCOUNT, credentials=("", AZURITE_KEY)), (
        f"{AZURITE_ACCOUNT}/{name}"
    )


def _override_url(sdk: str, server: MisbehavingServer) -> str:
    return f"{server.endpoint}/{AZURITE_ACCOUNT}" if sdk == "azure" else server.endpoint


def _hostile_args(sdk: str, name: str, server: MisbehavingServer) -> list[str]:
    """How a user names that bucket on the command line."""
    if sdk == "minio":
        return ["--bucket", f"s3://hkey:{HOSTILE_SECRET}@{server.where}/{name}?tls=false"]
    url = {"boto3": f"s3://{name}", "gcs": f"gs://{name}", "azure": f"az://{AZURITE_ACCOUNT}/{name}"}[sdk]
    key = f"{AZURITE_ACCOUNT}/{name}" if sdk == "azure" else name
    return ["--bucket", url, "--bucket-option", f"{key}:endpoint-url={_override_url(sdk, server)}"]


def _verdict_setting(sdk: str) -> str:
    return "soft_delete" if sdk == "azure" else "versioning"


# ---------------------------------------------------------------- the probes themselves


@pytest.mark.parametrize("sdk", SDKS)
def test_misbehaving_endpoints_give_no_setting_and_cost_one_deadline(
    request: pytest.FixtureRequest, misbehaving: dict[Mode, MisbehavingServer], sdk: str
) -> None:
    case = _healthy(request, sdk)
    options = ProbeOptions(timeout=TIMEOUT, retries=RETRIES)
    hostile: list[tuple[Mode, BucketRef]] = []
    for mode, server in misbehaving.items():
        bucket, key = _hostile_ref(sdk, _hostile_name(mode), server)
        if key is not None:
            options = options.with_override(key, BucketOverride(endpoint_url=_override_url(sdk, server)))
        hostile.append((mode, bucket))
    buckets = [*case.refs, *(b for _, b in hostile)]

    started = time.monotonic()
    states = probe_all(buckets, options, case.env, concurrency=len(buckets))
    elapsed = time.monotonic() - started

    assert elapsed < BOUND + PROBE_SLACK, f"took {elapsed:.1f} s"
    setting = _verdict_setting(sdk)
    by_name = {s.name: s for s in states}
    for name, verdict in case.healthy.items():
        state = by_name[name]
        assert state.access.outcome is Outcome.OK, state.access
        reading = state.setting(setting)
        assert reading is not None and reading.ok, reading
        if sdk == "azure":
            assert reading.value == {"enabled": True, "days": 7}
        else:
            assert reading.value == ("enabled" if verdict == "pass" else "disabled"), reading
    for mode, bucket in hostile:
        state = by_name[bucket.name]
        where = misbehaving[mode].where
        ok_settings = [name for name, reading in state.settings if reading.ok]
        assert ok_settings == [], f"{mode}: settings read from a misbehaving endpoint: {ok_settings}"
        first = state.access if not state.access.ok else state.settings[0][1]
        expected = EXPECTED_ACCESS[mode]
        assert first.outcome in expected, (mode, state.access, state.settings)
        if state.access.ok:  # only an S3 HeadBucket may pass, and only for a well-formed empty answer
            assert sdk in ("boto3", "minio") and mode in HEAD_PASSES, state.access
            reading = state.setting(setting)
            assert reading is not None and HEAD_PASSES[mode] in reading.reason, reading
        if mode is Mode.HUGE:
            assert "answer too large" in first.reason, first.reason
        assert where in first.reason, (mode, first.reason)
        if first.outcome is Outcome.TIMEOUT:
            assert f"{TIMEOUT:g} s" in first.reason, first.reason
        assert HOSTILE_SECRET not in repr(state)
        assert AZURITE_KEY not in repr(state)


# ---------------------------------------------------------------- the CLI, several buckets at once


@pytest.mark.parametrize("sdk", SDKS)
def test_audit_with_misbehaving_endpoints_writes_every_verdict_in_time(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    misbehaving: dict[Mode, MisbehavingServer],
    sdk: str,
) -> None:
    case = _healthy(request, sdk)
    hostile = {mode: _hostile_name(mode) for mode in misbehaving}
    env_file = tmp_path / "wandb.env"
    env_file.write_text("GORILLA_ARTIFACT_GC_ENABLED=true\n")
    deployment = "customer-managed-onprem" if sdk == "minio" else "customer-managed-cloud"
    out = {kind: tmp_path / f"report.{kind}" for kind in ("json", "html", "xml", "sarif")}
    args = [
        "audit",
        str(env_file),
        "--kind",
        "dotenv",
        "--deployment",
        deployment,
        *case.args,
        *(a for mode, name in hostile.items() for a in _hostile_args(sdk, name, misbehaving[mode])),
        "--timeout",
        f"{TIMEOUT:g}",
        "--retries",
        str(RETRIES),
        "--concurrency",
        "16",
        "--format",
        "json",
        "--output",
        str(out["json"]),
        "--html",
        str(out["html"]),
        "--junit",
        str(out["xml"]),
        "--sarif",
        str(out["sarif"]),
    ]

    started = time.monotonic()
    run = run_gcready(*args, env={**NO_METADATA, **case.env})
    elapsed = time.monotonic() - started

    assert elapsed < BOUND + CLI_SLACK, f"took {elapsed:.1f} s: {run.stderr}"
    for kind, path in out.items():
        assert path.is_file() and path.stat().st_size > 0, f"no {kind} report: {run.stderr}"
    report: dict[str, Any] = json.loads(out["json"].read_text())
    ET.parse(out["xml"])  # a JUnit file CI can read
    json.loads(out["sarif"].read_text())
    assert "<html" in out["html"].read_text().lower()

    findings = report["findings"]

    def about(name: str) -> list[dict[str, Any]]:
        return [f for f in findings if name in f["resource"]]

    for name, verdict in case.healthy.items():
        versioning = [f for f in about(name) if f["check"] == "bucket-versioning"]
        assert [f["status"] for f in versioning] == [verdict], versioning
    for mode, name in hostile.items():
        mine = about(name)
        versioning = [f for f in mine if f["check"] == "bucket-versioning"]
        assert [f["status"] for f in versioning] == ["unknown"], (mode, versioning)
        assert misbehaving[mode].where in json.dumps(versioning), (mode, versioning)
        if EXPECTED_ACCESS[mode] == TIMED_OUT:  # the deadline that ran out is named too
            assert f"within {TIMEOUT:g} s" in json.dumps(versioning), (mode, versioning)
        passed = [f["check"] for f in mine if f["status"] == "pass"]
        assert passed == [], f"{mode}: pass from a misbehaving endpoint: {passed}"
        # Every bucket check (versioning, object lock, MFA delete, holds…) says it could not tell.
        assert len(mine) >= 3 and {f["status"] for f in mine} == {"unknown"}, (mode, mine)
    assert report["summary"]["checks"]["bucket-versioning"] in ("fail", "unknown")
    expected_code = 3 if "fail" in case.healthy.values() else 5
    assert run.code == expected_code, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("gcready: "), run.stderr  # the summary, no SDK noise
    texts = run.stdout + run.stderr + "".join(p.read_text() for p in out.values())
    for secret in (HOSTILE_SECRET, *case.secrets):
        assert secret not in texts, "a secret leaked into the output"


# ---------------------------------------------------------------- the per-bucket deadline


@pytest.mark.parametrize("provider", [Provider.AWS, Provider.S3_COMPATIBLE])
def test_a_slow_endpoint_costs_at_most_the_bucket_deadline(provider: Provider) -> None:
    """Each answer comes just inside ``--timeout``, so only the bucket's overall deadline stops it."""
    server = MisbehavingServer(Mode.SLOW, delay=TIMEOUT * 0.75, lifetime=60)
    try:
        bucket = ref(provider, "slow-bucket", endpoint=server.where, credentials=("AKID", HOSTILE_SECRET))
        started = time.monotonic()
        (state,) = probe_all([bucket], ProbeOptions(timeout=TIMEOUT, retries=RETRIES), {})
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert elapsed < BOUND + 1.0, f"took {elapsed:.1f} s"
    assert state.access.ok  # HeadBucket's empty 200 came in time
    readings = dict(state.settings)
    assert not any(r.ok for r in readings.values()), readings
    assert "not an S3 answer" in readings["versioning"].reason  # the second answer, also in time
    late = [r for r in readings.values() if r.outcome is Outcome.TIMEOUT]
    assert late, readings
    for reading in late:
        assert f"{BOUND:g} s deadline" in reading.reason and server.where in reading.reason, reading
    assert len(server.requests) <= 3  # nothing was asked once the deadline had passed
