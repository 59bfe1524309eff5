#!/usr/bin/env python3
"""Start-up speed: `gcready --help`, an offline audit and an offline Terraform audit, as ratios to
`python3 -c pass`.

Goals: --help <= 2.0x, offline audit <= 3.0x, offline Terraform audit within 3.0x. Medians of N runs each,
interleaved so background load hits every command alike. Prints a table; exits 0 whatever it measures
(numbers are for people and notes, not a timed test).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


# As installed by pip, gcready's modules are byte-compiled; an environment that forbids writing
# bytecode (PYTHONDONTWRITEBYTECODE) would measure compiling our sources on every run instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=REPO, env=ENV)
    return time.perf_counter() - start


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
            samples[name].append(timed(cmd))
    base = statistics.median(samples["python3 -c pass"])
    print(f"{'command':<28}{'median ms':>10}{'ratio':>8}{'goal':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        goal = goals.get(name)
        verdict = "" if goal is None else ("  ok" if median / base <= goal else "  OVER")
        goal_text = f"{goal:.1f}x" if goal else ""
        print(f"{name:<28}{median * 1000:>10.1f}{median / base:>7.2f}x{goal_text:>7}{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
