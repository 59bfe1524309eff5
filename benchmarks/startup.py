#!/usr/bin/env python3
"""Start-up speed: `gcready --help`, an offline audit and an offline Terraform audit, as ratios to
`python3 -c pass`.

Goals: --help <= 2.0x, offline audit <= 3.0x, offline Terraform audit within 3.0x. Medians of N runs each,
interleaved so background load hits every command alike. Prints a table of wall-clock medians and, beside them, CPU-time medians
(user + system: less sensitive to other load on the machine); exits 0 whatever it measures
(numbers are for people and notes, not a timed test).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


# As installed by pip, gcready's modules are byte-compiled; an environment that forbids writing
# bytecode (PYTHONDONTWRITEBYTECODE) would measure compiling our sources on every run instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


CPU: dict[str, list[float]] = {}  # user + system seconds of each run, per command


def timed(cmd: list[str], name: str = "") -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=REPO, env=ENV)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time is what the command costs whatever else the machine runs; wall time is what a person waits
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(name, []).append(cpu)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=20)
    parser.add_argument(
        "--input", default=str(REPO / "fixtures" / "demo"), help="what the offline audit reads"
    )
    parser.add_argument(
        "--terraform",
        default=str(REPO / "fixtures" / "scenarios" / "terraform-local-module-versioned-bucket" / "inputs"),
        help="the Terraform tree the offline Terraform audit reads",
    )
    args = parser.parse_args()
    py = sys.executable
    commands = {
        "python3 -c pass": [py, "-c", "pass"],
        "gcready --help": [py, "-m", "gcready", "--help"],
        "gcready audit --offline": [
            py,
            "-m",
            "gcready",
            "audit",
            args.input,
            "--offline",
            "--format",
            "json",
        ],
        "gcready audit terraform": [
            py,
            "-m",
            "gcready",
            "audit",
            args.terraform,
            "--offline",
            "--format",
            "json",
        ],
    }
    goals = {"gcready --help": 2.0, "gcready audit --offline": 3.0, "gcready audit terraform": 3.0}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the file cache
        timed(cmd)
    for _ in range(args.runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd, name))
    base = statistics.median(samples["python3 -c pass"])
    cpu_base = statistics.median(CPU["python3 -c pass"])
    print(f"{'command':<28}{'median ms':>10}{'ratio':>8}{'goal':>7}{'':6}{'cpu ms':>8}{'cpu ratio':>10}")
    for name, values in samples.items():
        median = statistics.median(values)
        cpu = statistics.median(CPU[name])
        goal = goals.get(name)
        verdict = "" if goal is None else ("  ok" if median / base <= goal else "  OVER")
        goal_text = f"{goal:.1f}x" if goal else ""
        print(
            f"{name:<28}{median * 1000:>10.1f}{median / base:>7.2f}x{goal_text:>7}{verdict:<6}"
            f"{cpu * 1000:>8.1f}{cpu / cpu_base:>9.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
