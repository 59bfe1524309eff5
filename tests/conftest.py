"""Shared test helpers: run the real CLI in a subprocess-free way (click's runner) or as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_gcready(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run ``python -m gcready`` as a user would, in a clean environment unless told otherwise."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR"}}
    base["PYTHONPATH"] = str(REPO / "src")  # this checkout's gcready, whichever one is installed
    base.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "gcready", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd or REPO,
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def gcready() -> object:
    return run_gcready


@pytest.fixture(autouse=True)
def _own_redactor() -> Iterator[object]:
    """Each test is one run: what it reads is remembered by its own redactor, not by the next test's."""
    from gcready.redact import redaction_scope

    with redaction_scope() as redactor:
        yield redactor
