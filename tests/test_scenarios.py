"""Acceptance scenarios: every folder under fixtures/scenarios is a case (add a case by adding a folder).

Each case holds ``inputs/`` and ``case.yaml`` with the expected deployment type, the worst status of
each check id, the exit code, and the secrets that must appear in no output format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, run_gcready

CASES = sorted(p for p in (FIXTURES / "scenarios").iterdir() if (p / "case.yaml").is_file())


def test_there_are_scenarios() -> None:
    assert len(CASES) >= 10


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def case(request: pytest.FixtureRequest) -> tuple[Path, dict[str, object]]:
    path: Path = request.param
    return path, yaml.safe_load((path / "case.yaml").read_text())


def test_verdicts(case: tuple[Path, dict[str, object]]) -> None:
    path, spec = case
    args = [str(a) for a in spec.get("args") or []]  # type: ignore[union-attr]
    run = run_gcready("audit", str(path / "inputs"), "--offline", "--format", "json", *args)
    expect = spec["expect"]
    assert isinstance(expect, dict)
    assert run.stdout, run.stderr
    report = json.loads(run.stdout)
    assert report["deployment"]["type"] == expect["deployment_type"], report["deployment"]
    checks = report["summary"]["checks"]
    assert {k: checks.get(k) for k in expect["checks"]} == expect["checks"], [
        (f["check"], f["status"], f["title"]) for f in report["findings"]
    ]
    assert run.code == expect["exit_code"], run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("fmt", ["text", "text-verbose", "json", "html", "sarif", "junit"])
def test_no_secret_in_any_format(case: tuple[Path, dict[str, object]], fmt: str) -> None:
    path, spec = case
    secrets = [str(s) for s in spec.get("secrets") or []]  # type: ignore[union-attr]
    args = [str(a) for a in spec.get("args") or []]  # type: ignore[union-attr]
    if fmt == "text-verbose":
        args, fmt = [*args, "--verbose"], "text"
    run = run_gcready("audit", str(path / "inputs"), "--offline", "--format", fmt, *args)
    assert run.stdout
    for secret in secrets:
        assert secret not in run.stdout, f"{secret!r} leaked into {fmt} output"
        assert secret not in run.stderr, f"{secret!r} leaked into stderr"


def test_demo_reaches_its_documented_verdicts() -> None:
    """The README's main job audits fixtures/demo; fixtures/demo-case.yaml says what it must find."""
    spec = yaml.safe_load((FIXTURES / "demo-case.yaml").read_text())
    run = run_gcready("audit", str(FIXTURES / "demo"), "--offline", "--format", "json")
    report = json.loads(run.stdout)
    expect = spec["expect"]
    assert report["deployment"]["type"] == expect["deployment_type"]
    checks = report["summary"]["checks"]
    assert {k: checks.get(k) for k in expect["checks"]} == expect["checks"]
    assert run.code == expect["exit_code"]
    for secret in spec.get("secrets") or []:
        assert str(secret) not in run.stdout
