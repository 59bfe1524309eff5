"""Fleet benchmark: D deployments × B buckets each, audited from one ``gcready.toml``, against moto.

Starts moto (``tests/live/servers.py``) behind a latency proxy (``--latency`` ms per request, as a real
endpoint is tens of milliseconds away), creates the buckets with boto3, writes one Helm values file per
deployment and a fleet config naming them, then times in the same run:

  (a) ``gcready audit`` of the fleet with ``--fleet-concurrency 1`` (one deployment after another);
  (b) the same with ``--fleet-concurrency K`` (default 4);
  (c) D separate ``gcready audit values.yaml`` processes, one after another (one cron line each).

Each is a fresh subprocess; its peak RSS is read from ``ru_maxrss`` of the waited child. moto is stopped
by the PID started at the end.

    python benchmarks/fleet.py                       # D=8, B=4, latency 30 ms, K=4
    python benchmarks/fleet.py -d 16 -b 2 -k 8
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(REPO / "src") not in sys.path:
    sys.path.insert(1, str(REPO / "src"))

from benchmarks.probes import LatencyProxy  # noqa: E402
from tests.live import servers  # noqa: E402


def _timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, float]:
    """(wall seconds, exit code, peak RSS MiB) of one gcready process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gcready", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage: its peak RSS alone
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, proc.returncode, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-d", "--deployments", type=int, default=8)
    parser.add_argument("-b", "--buckets", type=int, default=4, help="buckets per deployment")
    parser.add_argument("-k", "--fleet-concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=30.0, help="milliseconds added per request")
    args = parser.parse_args()

    import boto3

    moto = servers.start_moto()
    proxy = LatencyProxy("127.0.0.1", moto.port, args.latency / 1000)
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=moto.endpoint,
            aws_access_key_id=servers.MOTO_KEYS[0],
            aws_secret_access_key=servers.MOTO_KEYS[1],
            region_name="us-east-1",
        )
        work = Path(tempfile.mkdtemp(prefix="gcready-fleet-bench-"))
        endpoint = f"http://127.0.0.1:{proxy.port}"
        extra: list[list[str]] = []  # each deployment's buckets beyond the one its values name
        config = ["[probe]", "timeout = 10", f'endpoint-url = "{endpoint}"', 'region = "us-east-1"', ""]
        for d in range(args.deployments):
            folder = work / f"d{d}"
            folder.mkdir()
            names = []
            for b in range(args.buckets):
                name = servers.unique(f"fleet{d}-{b}")
                s3.create_bucket(Bucket=name)
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
                names.append(name)
            extra.append(names[1:])
            (folder / "values.yaml").write_text(
                "global:\n  cloudProvider: aws\n"
                f"  bucket:\n    provider: s3\n    name: {names[0]}\n    region: us-east-1\n"
                '  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: "true"\n'
            )
            config += [f'[[deployment]]\nname = "d{d}"\ninputs = ["d{d}"]']
            config += ["buckets = [" + ", ".join(f'"s3://{n}"' for n in names[1:]) + "]", ""]
        (work / "gcready.toml").write_text("\n".join(config))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(REPO / "src"),
            "AWS_ACCESS_KEY_ID": servers.MOTO_KEYS[0],
            "AWS_SECRET_ACCESS_KEY": servers.MOTO_KEYS[1],
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        base = ["audit", "--format", "json", "-q"]
        one, code1, rss1 = _timed([*base, "--fleet-concurrency", "1"], work, env)
        many, codek, rssk = _timed([*base, "--fleet-concurrency", str(args.fleet_concurrency)], work, env)
        separate = 0.0
        codes_separate: set[int] = set()
        rss_sep = 0.0
        for d in range(args.deployments):
            buckets = [f"--bucket=s3://{n}" for n in extra[d]]
            seconds, code_one, rss = _timed(
                [
                    "audit",
                    "--no-config",
                    f"d{d}",
                    *buckets,
                    "--endpoint-url",
                    endpoint,
                    "--region",
                    "us-east-1",
                    "-q",
                ],
                work,
                env,
            )
            separate += seconds
            codes_separate.add(code_one)
            rss_sep = max(rss_sep, rss)
        total = args.deployments * args.buckets
        print(
            f"{args.deployments} deployments x {args.buckets} buckets ({total} probes), latency {args.latency:g} ms"
        )
        print(f"  fleet, --fleet-concurrency 1: {one:6.2f} s  exit {code1}  peak RSS {rss1:5.0f} MiB")
        print(
            f"  fleet, --fleet-concurrency {args.fleet_concurrency}: {many:6.2f} s  exit {codek}  peak RSS {rssk:5.0f} MiB"
            f"  ({one / many:.1f}x faster)"
        )
        print(
            f"  {args.deployments} separate processes (the same buckets): {separate:6.2f} s  peak RSS {rss_sep:5.0f} MiB"
        )
        return 0 if code1 == codek == 0 and codes_separate == {0} else 1
    finally:
        proxy.close()
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
