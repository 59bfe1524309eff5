"""Fleet runs from a config's ``[[deployment]]`` entries: one report per deployment in every format,
the worst exit code, top-level keys as defaults, the command line over both."""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from gcready.fleet import Member, run
from gcready.model import Evidence
from gcready.requirements import load_builtin
from tests.cli.test_config import FAILING, READY, WARNS, invoke, report_of, toml
from tests.conftest import FIXTURES, run_gcready
from tests.report.test_fleet import fleet_validator

FLEET = FIXTURES / "fleet" / "gcready.toml"
NAMES = ["prod", "staging", "onprem-lab"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_the_fixture_fleet_in_every_format(tmp_path: Path) -> None:
    """The fixture's three deployments (pass, fail, unknown) in one run: exit 3, each in its own section."""
    out = tmp_path / "out"
    result = invoke(
        "audit", "--config", str(FLEET), "--format", "text",
        "--json", str(out / "f.json"), "--html", str(out / "f.html"),
        "--sarif", str(out / "f.sarif"), "--junit", str(out / "f.xml"),
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    text = result.stdout
    assert text.startswith("gcready fleet: NOT READY for artifact garbage collection — 3 deployments: ")
    sections = [text.index(f"== deployment {name} ") for name in NAMES]
    assert sections == sorted(sections)
    assert "READY for artifact" in text[sections[0] : sections[1]]
    assert "[FAIL] gc-env-flag" in text[sections[1] : sections[2]]
    assert "CANNOT CONFIRM" in text[sections[2] :]

    data = json.loads((out / "f.json").read_text())
    assert not list(fleet_validator().iter_errors(data))
    assert data["summary"] == {
        "verdict": "fail",
        "exit_code": 3,
        "deployments": {"prod": "pass", "staging": "fail", "onprem-lab": "unknown"},
    }
    lab = data["deployments"][2]["report"]["deployment"]
    assert (lab["type"], lab["decided_by"]) == (
        "customer-managed-onprem",
        "override",
    )  # its own deployment key
    assert all(d["report"]["offline"] for d in data["deployments"])  # the top-level offline = true

    page = (out / "f.html").read_text()
    assert page.count("<html") == 1
    assert [page.index(f"<h2>Deployment {n}</h2>") for n in NAMES] == sorted(
        page.index(f"<h2>Deployment {n}</h2>") for n in NAMES
    )
    sarif = json.loads((out / "f.sarif").read_text())
    assert [r["automationDetails"]["id"] for r in sarif["runs"]] == [f"gcready/{n}/" for n in NAMES]
    assert [len(r["results"]) for r in sarif["runs"]][:2] == [0, 1]  # prod has nothing, staging one fail
    junit = ET.fromstring((out / "f.xml").read_text())
    assert [s.get("name") for s in junit.findall("testsuite")] == [f"gcready.{n}" for n in NAMES]
    assert [s.get("failures") for s in junit.findall("testsuite")] == ["0", "1", "0"]


def test_the_fleet_json_on_stdout_and_the_summary_line_on_stderr() -> None:
    result = invoke("audit", "--config", str(FLEET), "--format", "json")
    assert result.exit_code == 3
    assert report_of(result)["schema"] == "gcready-fleet/1"
    assert result.stderr.strip().endswith("(prod: pass, staging: fail, onprem-lab: unknown); exit 3")


def _fleet(folder: Path, *entries: str, top: str = "offline = true\n") -> Path:
    return toml(folder, top + "".join(f"\n[[deployment]]\n{e}" for e in entries))


@pytest.mark.parametrize(
    ("inputs", "code"),
    [
        ([READY, READY], 0),
        ([READY, WARNS], 0),
        ([READY, FAILING], 3),
        ([FAILING, FIXTURES / "scenarios" / "bad-yaml-beside-good-inputs" / "inputs", READY], 2),
        ([FIXTURES / "scenarios" / "operator-v2-alone-flag-unknown" / "inputs", READY], 5),
    ],
)
def test_the_exit_code_is_the_worst_of_the_deployments(tmp_path: Path, inputs: list[Path], code: int) -> None:
    entries = [f'name = "d{i}"\ninputs = ["{p}"]\n' for i, p in enumerate(inputs)]
    _fleet(tmp_path, *entries)
    result = invoke("audit", "--format", "json")
    assert result.exit_code == code, result.stderr
    assert report_of(result)["summary"]["exit_code"] == code


def test_fail_on_warn_applies_to_every_deployment(tmp_path: Path) -> None:
    _fleet(tmp_path, f'name = "a"\ninputs = ["{READY}"]\n', f'name = "b"\ninputs = ["{WARNS}"]\n')
    assert invoke("audit", "-q").exit_code == 0
    assert invoke("audit", "-q", "--fail-on", "warn").exit_code == 4


def test_an_input_error_names_its_deployment_on_stderr(tmp_path: Path) -> None:
    bad = FIXTURES / "scenarios" / "bad-yaml-beside-good-inputs" / "inputs"
    _fleet(tmp_path, f'name = "good"\ninputs = ["{READY}"]\n', f'name = "broken"\ninputs = ["{bad}"]\n')
    result = invoke("audit", "-q")
    assert result.exit_code == 2
    assert result.stderr.startswith("gcready: broken: error: ") and "good:" not in result.stderr


def test_top_level_keys_are_defaults_and_the_command_line_wins_over_every_deployment(tmp_path: Path) -> None:
    _fleet(
        tmp_path,
        'name = "own"\ndeployment = "customer-managed-onprem"\n',
        'name = "default"\n',
        top=f'offline = true\ninputs = ["{READY}"]\nformat = "json"\n',
    )
    data = report_of(invoke("audit"))
    types = [d["report"]["deployment"]["type"] for d in data["deployments"]]
    assert types == ["customer-managed-onprem", "customer-managed-cloud"]
    assert all(d["report"]["inputs"] for d in data["deployments"])  # the top-level inputs for both
    stated = report_of(invoke("audit", "--deployment", "dedicated-cloud"))
    assert [d["report"]["deployment"]["type"] for d in stated["deployments"]] == ["dedicated-cloud"] * 2


def test_one_deployment_writes_the_single_report_as_today(tmp_path: Path) -> None:
    _fleet(tmp_path, f'name = "only"\ninputs = ["{FAILING}"]\n', top='offline = true\nformat = "json"\n')
    result = invoke("audit")
    assert result.exit_code == 3
    assert report_of(result)["schema"] == "gcready-report/1"


def test_diagnose_ranks_causes_per_deployment(tmp_path: Path) -> None:
    _fleet(tmp_path, f'name = "a"\ninputs = ["{READY}"]\n', f'name = "b"\ninputs = ["{FAILING}"]\n')
    data = report_of(invoke("diagnose", "--format", "json"))
    diagnoses = [d["report"]["diagnosis"] for d in data["deployments"]]
    assert diagnoses[0] is not None and diagnoses[1]["causes"][0]["findings"][0]["check"] == "gc-env-flag"


def test_as_a_process_the_fleet_config_alone_is_the_whole_job(tmp_path: Path) -> None:
    done = run_gcready("audit", "--config", str(FLEET), "--format", "json", cwd=tmp_path)
    assert done.code == 3, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert list(data["summary"]["deployments"]) == NAMES


def test_deployments_run_at_most_fleet_concurrency_at_a_time() -> None:
    lock = threading.Lock()
    running = 0
    peak = 0

    def gather(member: Member) -> Evidence:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return Evidence()

    members = [Member(f"d{i}", offline=True) for i in range(6)]
    fleet = run(members, load_builtin(), gather, concurrency=2)
    assert peak == 2
    assert [m.name for m in fleet.members] == [f"d{i}" for i in range(6)]  # the config's order
    peak = 0
    one = run(members[:3], load_builtin(), gather, concurrency=1)
    assert len(one.members) == 3 and peak == 1


def test_options_a_fleet_run_does_not_apply_yet_are_named_not_dropped() -> None:
    from gcready.cli.fleet import not_applied

    params = {
        "baseline": "old.json",
        "history_dir": "h",
        "pushgateway": "http://127.0.0.1:9091",
        "timeout": 3,
    }
    assert not_applied(params) == [
        "warning: --baseline is not applied to fleet runs ([[deployment]] entries) yet",
        "warning: --pushgateway is not applied to fleet runs ([[deployment]] entries) yet",
    ]
    # the config file as the default waivers file says nothing when it holds no [[waiver]]
    assert not_applied({"waivers_file": "gcready.toml"}, unused_waivers_file="gcready.toml") == []
    assert len(not_applied({"waivers_file": "accepted.toml"}, unused_waivers_file="gcready.toml")) == 1


def test_history_keeps_each_fleet_run_as_its_fleet_report(tmp_path: Path) -> None:
    _fleet(
        tmp_path,
        f'name = "a"\ninputs = ["{READY}"]\n',
        f'name = "b"\ninputs = ["{FAILING}"]\n',
        top='offline = true\nhistory = "history"\nhistory-keep = 5\nquiet = true\n',
    )
    for epoch in ("1800000000", "1800086400"):
        assert invoke("audit", env={"SOURCE_DATE_EPOCH": epoch}).exit_code == 3
    kept = sorted((tmp_path / "history").glob("*.json"))
    assert len(kept) == 2
    for path in kept:
        document = json.loads(path.read_text())
        assert document["schema"] == "gcready-fleet/1"
        assert document["summary"]["deployments"] == {"a": "pass", "b": "fail"}
