"""Probe benchmark: N buckets (default 200) spread across the four real local storage servers.

Starts moto (AWS), SeaweedFS (S3-compatible / MinIO stand-in), gcp-storage-emulator and Azurite with
``tests/live/servers.py``, creates the buckets in mixed states with each provider's SDK, then measures
in the same run:

  (a) gcready: ``probe_all(buckets, ProbeOptions(...), environ, concurrency=C)`` on BucketRefs parsed
      from W&B bucket URLs (in a fresh subprocess, so its peak RSS is gcready's alone);
  (b) a bare SDK script making the same read calls per bucket, ThreadPoolExecutor at the same
      concurrency, one client per server built once;
  (c) gcready probing one bucket after another (concurrency=1);
  (d) the whole command line, ``gcready audit --bucket URL ×N --format openmetrics``: sources, probes,
      checks, redaction and rendering, for its wall time and peak RSS (``wait4`` of that process).

and prints wall times, gcready/bare (goal <= 1.3x), concurrent vs sequential speed-up (goal >= 8x) and
gcready's peak RSS (goal <= 200 MiB; VmHWM from /proc/self/status of the measuring subprocess, with
``ru_maxrss`` as a cross-check; and the command line's). Every server is stopped (by the PID started)
at the end.

    python benchmarks/probes.py                       # N=200, concurrency 16
    python benchmarks/probes.py -n 2000 --latency 30  # the fleet-scale goal (issue "periodic audits")
    python benchmarks/probes.py --quick               # N=40
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(REPO / "src") not in sys.path:
    sys.path.insert(1, str(REPO / "src"))

GOAL_RATIO = 1.3
GOAL_SPEEDUP = 8.0
GOAL_RSS_MIB = 200.0
KINDS = ("aws", "minio", "gcs", "azure")

# ---------------------------------------------------------------- measuring gcready (subprocess)


def _peak_rss_kib() -> dict[str, int]:
    """Peak resident set of this process: VmHWM (kernel high-water mark) and ru_maxrss (both KiB)."""
    hwm = 0
    rss = 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return {
        "vmhwm_kib": hwm,
        "vmrss_kib": rss,
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def measure_gcready(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Run in a fresh process: warm up, time probe_all concurrently, read peak RSS, then sequentially."""
    start_rss = _peak_rss_kib()
    from gcready.bucketurl import parse_bucket_url
    from gcready.model import Origin
    from gcready.probes import ProbeOptions, probe_all

    environ: dict[str, str] = dict(spec["environ"])
    refs = [parse_bucket_url(url, Origin("benchmark")) for url in spec["urls"]]
    warm = [parse_bucket_url(url, Origin("benchmark")) for url in spec["warmup_urls"]]
    options = ProbeOptions(timeout=float(spec["timeout"]), retries=1)
    concurrency = int(spec["concurrency"])

    probe_all(warm, options, environ, concurrency=concurrency)  # imports the SDKs, first connections
    after_warmup = _peak_rss_kib()

    started = time.perf_counter()
    states = probe_all(refs, options, environ, concurrency=concurrency)
    concurrent_s = time.perf_counter() - started
    peak = _peak_rss_kib()

    sequential_s = None
    if spec.get("sequential", True):
        started = time.perf_counter()
        probe_all(refs, options, environ, concurrency=1)
        sequential_s = time.perf_counter() - started

    outcomes = Counter(s.access.outcome.value for s in states)
    versioning: Counter[str] = Counter()
    for state in states:
        key = "soft_delete" if state.provider.value == "azure" else "versioning"
        reading = state.setting(key)
        if reading is None or not reading.ok:
            versioning[f"{state.provider.value}:unread"] += 1
        else:
            value = reading.value
            if isinstance(value, dict):
                value = "enabled" if value.get("enabled") else "disabled"
            versioning[f"{state.provider.value}:{value}"] += 1
    failures = [
        f"{s.provider.value}/{s.name}: {s.access.outcome.value} {s.access.reason}"
        for s in states
        if not s.access.ok
    ][:5]
    return {
        "concurrent_s": concurrent_s,
        "sequential_s": sequential_s,
        "rss_at_start": start_rss,
        "rss_after_warmup": after_warmup,
        "rss_peak": peak,
        "outcomes": dict(outcomes),
        "versioning": dict(versioning),
        "failures": failures,
    }


def run_gcready_subprocess(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Re-invoke this script with --measure-gcready; the spec (holding keys) goes through stdin."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure-gcready"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"gcready measurement failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_cli(spec: Mapping[str, Any], out_dir: Path) -> dict[str, Any]:
    """(d): ``gcready audit`` on every bucket as a user runs it; its wall time, peak RSS and exit code."""
    argv = [sys.executable, "-m", "gcready", "audit", "--no-environment", "--deployment"]
    argv += ["customer-managed-cloud", "--concurrency", str(spec["concurrency"]), "--retries", "1"]
    argv += ["--timeout", str(spec["timeout"]), "--format", "openmetrics", "-o", str(out_dir / "cli.prom")]
    for url in spec["urls"]:
        argv += ["--bucket", url]
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(spec["environ"], AWS_EC2_METADATA_DISABLED="true", PYTHONPATH=str(REPO / "src"))
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    text = (out_dir / "cli.prom").read_text(encoding="utf-8") if (out_dir / "cli.prom").exists() else ""
    failed = next((line for line in text.splitlines() if line.startswith("gcready_probes_failed")), "")
    return {
        "wall_s": wall,
        "rss_mib": usage.ru_maxrss / 1024,
        "code": process.returncode,
        "probes_failed": failed.rsplit(" ", 1)[-1] if failed else "?",
        "stderr": stderr.strip().splitlines()[-1:] if stderr.strip() else [],
    }


# ---------------------------------------------------------------- bare SDK


def bare_sdk(
    targets: Sequence[tuple[str, str]], servers_info: Mapping[str, Any], concurrency: int, timeout: float
) -> Callable[[Sequence[tuple[str, str]]], list[bool]]:
    """A function probing (kind, name) pairs with plain SDK calls, one client per server built once."""
    import boto3
    import urllib3
    from azure.storage.blob import BlobServiceClient
    from botocore.config import Config
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage
    from minio import Minio

    s3 = boto3.client(
        "s3",
        endpoint_url=servers_info["moto_endpoint"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
        config=Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"total_max_attempts": 1},
            s3={"addressing_style": "path"},
            max_pool_connections=concurrency,
        ),
    )
    access, secret = servers_info["seaweed_keys"]
    mc = Minio(
        servers_info["seaweed_host_port"],
        access_key=access,
        secret_key=secret,
        secure=False,
        region="us-east-1",
        http_client=urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=timeout, read=timeout), maxsize=concurrency, retries=False
        ),
    )
    gcs = storage.Client(
        project="test",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": servers_info["gcs_endpoint"]},
    )
    blob = BlobServiceClient.from_connection_string(
        servers_info["azure_connection_string"],
        connection_timeout=timeout,
        read_timeout=timeout,
        retry_total=0,
    )

    def one(target: tuple[str, str]) -> bool:
        kind, name = target
        if kind == "aws":
            s3.head_bucket(Bucket=name)
            s3.get_bucket_versioning(Bucket=name)
            for call, missing in (
                (s3.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError"),
                (s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration"),
            ):
                try:
                    call(Bucket=name)
                except s3.exceptions.ClientError as exc:
                    if exc.response["Error"]["Code"] != missing:
                        raise
            s3.get_bucket_location(Bucket=name)
        elif kind == "minio":
            from minio.error import S3Error

            assert mc.bucket_exists(name)
            mc.get_bucket_versioning(name)
            for minio_call, missing in (
                (mc.get_object_lock_config, "ObjectLockConfigurationNotFoundError"),
                (mc.get_bucket_lifecycle, "NoSuchLifecycleConfiguration"),
            ):
                try:
                    minio_call(name)
                except S3Error as exc:
                    if exc.code != missing:
                        raise
        elif kind == "gcs":
            gcs.get_bucket(name, timeout=timeout)
        else:
            blob.get_service_properties()
            blob.get_container_client(name).get_container_properties()
            blob.get_account_information()
        return True

    def run(todo: Sequence[tuple[str, str]]) -> list[bool]:
        with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(todo)))) as pool:
            return list(pool.map(one, todo))

    return run


# ---------------------------------------------------------------- servers and buckets


def create_buckets(n: int, info: Mapping[str, Any]) -> list[tuple[str, str]]:
    """N buckets round-robin over the four servers, in mixed states; returns (kind, name) pairs."""
    import boto3
    from azure.storage.blob import BlobServiceClient, RetentionPolicy
    from botocore.config import Config
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage
    from tests.live.servers import unique

    def s3_client(endpoint: str, keys: tuple[str, str]) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=keys[0],
            aws_secret_access_key=keys[1],
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, max_pool_connections=8),
        )

    moto = s3_client(info["moto_endpoint"], ("testing", "testing"))
    seaweed = s3_client(info["seaweed_endpoint"], info["seaweed_keys"])
    gcs = storage.Client(
        project="test",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": info["gcs_endpoint"]},
    )
    blob = BlobServiceClient.from_connection_string(info["azure_connection_string"])
    # Blob soft delete is an account-wide setting: on for the whole Azurite account.
    blob.set_service_properties(delete_retention_policy=RetentionPolicy(enabled=True, days=7))
    rule = {
        "ID": "noncurrent",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
    }

    def make(index: int) -> tuple[str, str]:
        kind = KINDS[index % 4]
        state = (index // 4) % 3  # 0 never versioned, 1 enabled, 2 suspended (GCS: on/off)
        name = unique(f"bench-{kind}")
        if kind in ("aws", "minio"):
            client = moto if kind == "aws" else seaweed
            client.create_bucket(Bucket=name)
            if state:
                client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            if state == 2:
                client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
            if index % 5 == 0:
                client.put_bucket_lifecycle_configuration(
                    Bucket=name, LifecycleConfiguration={"Rules": [rule]}
                )
        elif kind == "gcs":
            bucket = gcs.create_bucket(name)
            if state == 1:
                bucket.versioning_enabled = True
                bucket.patch()
        else:
            blob.create_container(name)
        return kind, name

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(make, range(n)))


def url_of(kind: str, name: str, info: Mapping[str, Any]) -> str:
    """The W&B bucket URL a user would configure for this bucket."""
    if kind == "aws":
        return f"s3://{name}"
    if kind == "minio":
        key, secret = info["seaweed_keys"]
        return f"s3://{key}:{secret}@{info['seaweed_host_port']}/{name}?tls=false"
    if kind == "gcs":
        return f"gs://{name}"
    return f"az://devstoreaccount1/{name}"


# ---------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


class LatencyProxy:
    """A loopback TCP proxy that holds each client->server chunk for ``latency`` seconds.

    Loopback servers answer in microseconds, so probing is CPU-bound and concurrency buys little on
    two cores; real storage endpoints are tens of milliseconds away. With ``--latency`` both gcready and
    the bare SDK script go through one of these per server, which is what the speed-up goal is about.
    """

    def __init__(self, target_host: str, target_port: int, latency: float) -> None:
        import socket
        import threading

        self.target = (target_host, target_port)
        self.latency = latency
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=30)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, upstream, self.latency), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, 0.0), daemon=True).start()

    @staticmethod
    def _pump(src: Any, dst: Any, delay: float) -> None:
        import socket

        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if delay:
                    time.sleep(delay)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            # shutdown() before close(): it wakes the other direction's recv() and sends each peer its FIN.
            # A bare close() leaves that recv() holding the socket open, so a client would keep a pooled
            # connection the server had closed and fail on it later: a proxy artefact, not the probe's.
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()

    def close(self) -> None:
        self.closed = True
        self.listener.close()


def _through_proxies(info: dict[str, Any], latency: float, proxies: list[LatencyProxy]) -> dict[str, Any]:
    """A copy of ``info`` whose endpoints go through latency proxies."""
    from urllib.parse import urlparse

    out = dict(info)

    def proxied(endpoint: str) -> str:
        parsed = urlparse(endpoint)
        proxy = LatencyProxy(parsed.hostname or "127.0.0.1", parsed.port or 80, latency)
        proxies.append(proxy)
        return f"{parsed.scheme}://127.0.0.1:{proxy.port}"

    out["moto_endpoint"] = proxied(info["moto_endpoint"])
    seaweed = proxied(info["seaweed_endpoint"])
    out["seaweed_endpoint"] = seaweed
    out["seaweed_host_port"] = seaweed.split("://", 1)[1]
    out["gcs_endpoint"] = proxied(info["gcs_endpoint"])
    conn = info["azure_connection_string"]
    blob = conn.split("BlobEndpoint=", 1)[1].split(";", 1)[0]
    account_path = "/" + blob.split("://", 1)[1].split("/", 1)[1] if "/" in blob.split("://", 1)[1] else ""
    base = blob[: len(blob) - len(account_path)] if account_path else blob
    out["azure_connection_string"] = conn.replace(blob, proxied(base) + account_path)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--buckets", type=int, default=200, help="buckets in total (default 200)")
    parser.add_argument("--concurrency", type=int, default=16, help="buckets probed at once (default 16)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per storage call (default 10)")
    parser.add_argument("--quick", action="store_true", help="N=40")
    parser.add_argument("--no-sequential", action="store_true", help="skip (c), the sequential run")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="put each server behind a loopback proxy adding MS milliseconds per request (e.g. 30, "
        "like a cloud endpoint); default 0: the bare loopback servers",
    )
    parser.add_argument("--measure-gcready", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure_gcready:
        result = measure_gcready(json.loads(sys.stdin.read()))
        print(json.dumps(result))
        return 0

    n = 40 if args.quick else args.buckets
    if n < 4:
        parser.error("--buckets must be at least 4 (one per server)")
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

    from tests.live import servers

    started_servers: list[Any] = []
    proxies: list[LatencyProxy] = []
    try:
        t0 = time.perf_counter()
        keys = ("benchkey", "bench-" + secrets.token_urlsafe(18))
        for starter in (
            servers.start_moto,
            lambda: servers.start_seaweedfs(*keys),
            servers.start_gcs_emulator,
            servers.start_azurite,
        ):
            started_servers.append(starter())
        moto, seaweed, gcs, azurite = started_servers
        info: dict[str, Any] = {
            "moto_endpoint": moto.endpoint,
            "seaweed_endpoint": seaweed.endpoint,
            "seaweed_host_port": seaweed.host_port,
            "seaweed_keys": keys,
            "gcs_endpoint": gcs.endpoint,
            "azure_connection_string": servers.azurite_connection_string(azurite),
        }
        print(f"servers up in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

        t0 = time.perf_counter()
        targets = create_buckets(n + 4, info)
        warmup, targets = targets[:4], targets[4:]
        print(f"{n} buckets (+4 warm-up) created in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

        if args.latency > 0:
            info = _through_proxies(info, args.latency / 1000, proxies)
            print(f"each server behind a {args.latency:g} ms latency proxy", file=sys.stderr)
        environ = {
            "AWS_ENDPOINT_URL": info["moto_endpoint"],
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "STORAGE_EMULATOR_HOST": info["gcs_endpoint"],
            "AZURE_STORAGE_CONNECTION_STRING": info["azure_connection_string"],
        }
        spec = {
            "urls": [url_of(k, b, info) for k, b in targets],
            "warmup_urls": [url_of(k, b, info) for k, b in warmup],
            "environ": environ,
            "timeout": args.timeout,
            "concurrency": args.concurrency,
            "sequential": not args.no_sequential,
        }

        # (a) and (c): gcready, in a fresh process.
        print("measuring gcready (concurrent, then sequential)…", file=sys.stderr)
        gc = run_gcready_subprocess(spec)

        # (d): the whole command line, in a fresh process.
        print("measuring the gcready command line…", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="gcready-bench-") as out_dir:
            cli = run_cli(spec, Path(out_dir))

        # (b): the bare SDK script, here.
        bare = bare_sdk(targets, info, args.concurrency, args.timeout)
        bare(warmup)
        t0 = time.perf_counter()
        bare(targets)
        bare_s = time.perf_counter() - t0
        bare_seq_s = None
        if not args.no_sequential:
            # Reference only: how much concurrency can buy at all on this machine (servers share the CPUs).
            bare_one = bare_sdk(targets, info, 1, args.timeout)
            t0 = time.perf_counter()
            bare_one(targets)
            bare_seq_s = time.perf_counter() - t0

        counts = Counter(k for k, _ in targets)
        ratio = gc["concurrent_s"] / bare_s
        peak_mib = gc["rss_peak"]["vmhwm_kib"] / 1024
        rows = [
            ("buckets", f"{n}  ({', '.join(f'{k} {counts[k]}' for k in KINDS)})", ""),
            ("concurrency", str(args.concurrency), ""),
            ("added latency per request", f"{args.latency:g} ms", ""),
            ("gcready wall time (concurrent)", f"{gc['concurrent_s']:.2f} s", ""),
            ("bare SDK wall time (concurrent)", f"{bare_s:.2f} s", ""),
            (
                "ratio gcready / bare",
                f"{ratio:.2f}x",
                f"goal <= {GOAL_RATIO}x  {verdict(ratio <= GOAL_RATIO)}",
            ),
        ]
        if gc["sequential_s"] is not None:
            speedup = gc["sequential_s"] / gc["concurrent_s"]
            rows += [
                ("gcready wall time (sequential)", f"{gc['sequential_s']:.2f} s", ""),
                (
                    "speed-up concurrent / sequential",
                    f"{speedup:.1f}x",
                    f"goal >= {GOAL_SPEEDUP:g}x  {verdict(speedup >= GOAL_SPEEDUP)}",
                ),
            ]
        if bare_seq_s is not None:
            rows.append(
                (
                    "  (reference: bare SDK sequential)",
                    f"{bare_seq_s:.2f} s = {bare_seq_s / bare_s:.1f}x its concurrent time",
                    "",
                )
            )
        rows += [
            (
                "gcready peak RSS (VmHWM)",
                f"{peak_mib:.1f} MiB",
                f"goal <= {GOAL_RSS_MIB:g} MiB  {verdict(peak_mib <= GOAL_RSS_MIB)}",
            ),
            (
                "  (ru_maxrss / after warm-up / at start)",
                f"{gc['rss_peak']['ru_maxrss_kib'] / 1024:.1f} / "
                f"{gc['rss_after_warmup']['vmhwm_kib'] / 1024:.1f} / "
                f"{gc['rss_at_start']['vmhwm_kib'] / 1024:.1f} MiB",
                "",
            ),
            (
                "gcready audit CLI (d): wall / peak RSS",
                f"{cli['wall_s']:.2f} s / {cli['rss_mib']:.1f} MiB",
                f"goal <= {GOAL_RSS_MIB:g} MiB  {verdict(cli['rss_mib'] <= GOAL_RSS_MIB)}",
            ),
            (
                "  (exit code / probes failed)",
                f"{cli['code']} / {cli['probes_failed']}",
                " ".join(cli["stderr"]),
            ),
            ("gcready access outcomes", json.dumps(gc["outcomes"], sort_keys=True), ""),
            ("gcready settings read", json.dumps(gc["versioning"], sort_keys=True), ""),
        ]
        width = max(len(r[0]) for r in rows)
        print(f"cpus: {os.cpu_count()}  python: {sys.version.split()[0]}")
        for label, value, goal in rows:
            print(f"{label:<{width}}  {value:<24} {goal}".rstrip())
        for failure in gc["failures"]:
            print(f"  not read: {failure}")
        return 0
    finally:
        for proxy in proxies:
            proxy.close()
        for server in reversed(started_servers):
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
