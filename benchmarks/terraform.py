#!/usr/bin/env python3
"""Offline audit of W&B's three published Terraform repositories, timed, beside Checkov on the same trees.

For each repository: `gcready audit REPO --offline` with a warm parse cache (the usual case: the tree was
read before), with the cache off (a first run; its CPU seconds too, which a loaded shared machine
blurs less than the wall time), and `checkov -d REPO --framework terraform` when a
`checkov` is found (--checkov PATH, else $CHECKOV, else on PATH; Checkov is not a dependency: install it
in a virtual environment of its own). Medians of N runs,
interleaved so background load hits every command alike. Goals: gcready under 1.0 s per repository and at
least 15x faster than Checkov. Prints a table; exits 0 whatever it measures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REALWORLD = next(
    (
        p
        for p in (REPO.parent / "shared" / "realworld", REPO.parent.parent / "shared" / "realworld")
        if p.is_dir()
    ),
    REPO.parent / "shared" / "realworld",
)
REPOS = ("terraform-aws-wandb", "terraform-google-wandb", "terraform-azurerm-wandb")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Wall seconds of one run; its CPU seconds (user + system, workers included) go to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=REPO, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument(
        "--checkov",
        default=os.environ.get("CHECKOV") or shutil.which("checkov"),
        help="the checkov executable (default: $CHECKOV, else checkov on PATH)",
    )
    parser.add_argument("--checkov-runs", type=int, default=1, help="Checkov is slow: runs of it per tree")
    args = parser.parse_args()
    if not (REALWORLD / REPOS[0]).is_dir():
        print(f"W&B's Terraform repositories are not at {REALWORLD}")
        return 0
    py = sys.executable
    cache = tempfile.mkdtemp(prefix="gcready-cache-")
    warm = {**ENV, "GCREADY_CACHE": cache}
    cold = {**ENV, "GCREADY_CACHE": "off"}
    rows = []
    for repo in REPOS:
        tree = str(REALWORLD / repo)
        audit = [py, "-m", "gcready", "audit", tree, "--offline", "--format", "json"]
        timed(audit, warm)  # fills the cache
        samples: dict[str, list[float]] = {"warm": [], "cold": [], "cold cpu": []}
        for _ in range(args.runs):
            samples["warm"].append(timed(audit, warm))
            samples["cold"].append(timed(audit, cold, samples["cold cpu"]))
        checkov = None
        if args.checkov:
            cmd = [args.checkov, "-d", tree, "--framework", "terraform", "--quiet", "--compact", "-o", "json"]
            checkov = statistics.median(timed(cmd, ENV) for _ in range(args.checkov_runs))
        medians = [statistics.median(samples[k]) for k in ("warm", "cold", "cold cpu")]
        rows.append((repo, *medians, checkov))
    shutil.rmtree(cache, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"{'tree':<26}{'gcready warm s':>15}{'cold s':>8}{'cold cpu s':>11}{'checkov s':>11}", end="")
    print(f"{'x warm':>8}{'x cold':>8}  goal <1.0 s, >=15x (load average {load:.1f})")
    for repo, w, c, cpu, k in rows:
        ratio_w = f"{k / w:.1f}" if k else "-"
        ratio_c = f"{k / c:.1f}" if k else "-"
        ks = f"{k:.2f}" if k else "-"
        print(f"{repo:<26}{w:>15.2f}{c:>8.2f}{cpu:>11.2f}{ks:>11}{ratio_w:>8}{ratio_c:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
