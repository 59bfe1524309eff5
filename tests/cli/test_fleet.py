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


# --- waivers, --baseline and --pushgateway across the fleet -------------------------------------------

ENV_FLAG = ("gc-env-flag", "app (WeightsAndBiases/wandb)")  # what FAILING fails


def _waiver(check: str, resource: str, *, expires: str = "2099-12-31", deployment: str | None = None) -> str:
    scope = f'deployment = "{deployment}"\n' if deployment is not None else ""
    return (
        f'\n[[waiver]]\ncheck = "{check}"\nresource = "{resource}"\nreason = "accepted"\n'
        f'expires = "{expires}"\n{scope}'
    )


def _by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d["report"] for d in data["deployments"]}


def _checks(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["check"] == check]


def test_a_waiver_limited_to_one_deployment_waives_its_failure_there_only(tmp_path: Path) -> None:
    entries = [f'name = "{n}"\ninputs = ["{FAILING}"]\n' for n in ("prod", "staging")]
    _fleet(
        tmp_path, *entries, top='offline = true\nformat = "json"\n' + _waiver(*ENV_FLAG, deployment="stag*")
    )
    result = invoke("audit")
    assert result.exit_code == 3, result.stderr  # prod still fails
    assert "not applied" not in result.stderr
    reports = _by_name(report_of(result))
    assert reports["staging"]["summary"]["verdict"] == "pass"
    (waived,) = _checks(reports["staging"], "gc-env-flag")
    assert waived["status"] == "fail" and waived["waiver"]["deployment"] == "stag*"
    assert reports["prod"]["summary"]["verdict"] == "fail"
    assert _checks(reports["prod"], "gc-env-flag")[0]["waiver"] is None
    assert not any(_checks(r, "waiver-stale") for r in reports.values())  # used in staging: not stale

    # the same fleet with prod passing: the waived staging failure no longer fails the run
    _fleet(
        tmp_path,
        f'name = "prod"\ninputs = ["{READY}"]\n',
        f'name = "staging"\ninputs = ["{FAILING}"]\n',
        top='offline = true\nformat = "json"\n' + _waiver(*ENV_FLAG, deployment="staging"),
    )
    passed = invoke("audit")
    assert passed.exit_code == 0, passed.stderr
    assert report_of(passed)["summary"]["deployments"] == {"prod": "pass", "staging": "pass"}


def test_a_waiver_is_stale_only_when_no_deployment_uses_it_and_warns_once(tmp_path: Path) -> None:
    waivers = (
        _waiver(*ENV_FLAG)  # used by b only: stale nowhere
        + _waiver("bucket-versioning", "s3://nowhere")  # matches nothing: once, in the first deployment
        + _waiver("bucket-versioning", "s3://elsewhere", deployment="b")  # once, in b
        + _waiver("bucket-versioning", "s3://gone", deployment="retired")  # no such deployment: the first
        + _waiver("object-lock", "s3://old", expires="2020-01-31", deployment="[ab]")  # expired: both warn
    )
    _fleet(
        tmp_path,
        f'name = "a"\ninputs = ["{READY}"]\n',
        f'name = "b"\ninputs = ["{FAILING}"]\n',
        f'name = "c"\ninputs = ["{READY}"]\n',
        top='offline = true\nformat = "json"\n' + waivers,
    )
    result = invoke("audit")
    assert result.exit_code == 0, result.stderr  # warnings only, and b's failure is waived
    reports = _by_name(report_of(result))
    stale = {name: sorted(f["resource"] for f in _checks(r, "waiver-stale")) for name, r in reports.items()}
    assert stale == {"a": ["s3://gone", "s3://nowhere"], "b": ["s3://elsewhere"], "c": []}
    gone = next(f for f in _checks(reports["a"], "waiver-stale") if f["resource"] == "s3://gone")
    assert "no deployment of this run is named 'retired'" in gone["detail"]
    expired = {name: len(_checks(r, "waiver-expired")) for name, r in reports.items()}
    assert expired == {"a": 1, "b": 1, "c": 0}


def test_waive_with_deployment_writes_a_waiver_the_fleet_run_honours(tmp_path: Path) -> None:
    _fleet(
        tmp_path,
        f'name = "prod"\ninputs = ["{READY}"]\n',
        f'name = "lab"\ninputs = ["{FAILING}"]\n',
        top='offline = true\nformat = "json"\n',
    )
    assert invoke("audit").exit_code == 3
    added = invoke(
        "waive",
        *ENV_FLAG,
        "--reason",
        "lab runs without GC",
        "--expires",
        "2099-01-31",
        "--deployment",
        "lab",
    )
    assert added.exit_code == 0, added.stderr
    assert 'deployment = "lab"' in (tmp_path / "gcready.toml").read_text()
    result = invoke("audit")
    assert result.exit_code == 0, result.stderr
    assert _checks(_by_name(report_of(result))["lab"], "gc-env-flag")[0]["waiver"]["reason"] == (
        "lab runs without GC"
    )
    assert (
        invoke("waive", *ENV_FLAG, "--reason", "x", "--expires", "2099-01-31", "--deployment", " ").exit_code
        == 2
    )


def test_a_waiver_for_a_deployment_waives_nothing_in_a_single_run(tmp_path: Path) -> None:
    toml(
        tmp_path,
        f'offline = true\nformat = "json"\ninputs = ["{FAILING}"]\n' + _waiver(*ENV_FLAG, deployment="lab"),
    )
    result = invoke("audit")
    assert result.exit_code == 3
    (stale,) = _checks(report_of(result), "waiver-stale")
    assert "limited to deployment 'lab'" in stale["detail"]


def _baseline_run(tmp_path: Path, *entries: tuple[str, Path], extra: str = "") -> Path:
    lines = [f'name = "{name}"\ninputs = ["{path}"]\n' for name, path in entries]
    _fleet(tmp_path, *lines, top=f'offline = true\nformat = "json"\n{extra}')
    return tmp_path / "gcready.toml"


def test_a_fleet_baseline_gates_each_deployment_on_its_own_regressions(tmp_path: Path) -> None:
    _baseline_run(tmp_path, ("prod", READY), ("staging", FAILING))
    assert invoke("audit", "--json", "baseline.json").exit_code == 3  # staging's known failure

    same = invoke("audit", "--baseline", "baseline.json")
    assert same.exit_code == 0, same.stderr  # nothing got worse
    data = report_of(same)
    assert data["summary"]["exit_code"] == 0
    staging = _by_name(data)["staging"]
    assert staging["summary"]["verdict"] == "fail"  # still reported
    assert (staging["baseline"]["regressions"], staging["baseline"]["tolerated"]) == (0, 1)
    assert "Baseline baseline.json: 0 regressions (prod: 0, staging: 0)" in same.stderr

    _baseline_run(tmp_path, ("prod", FAILING), ("staging", FAILING))  # prod lost the flag
    worse = invoke("audit", "--baseline", "baseline.json")
    assert worse.exit_code == 3, worse.stderr
    reports = _by_name(report_of(worse))
    assert reports["prod"]["baseline"]["changes"] == [
        {"check": "gc-env-flag", "resource": ENV_FLAG[1], "kind": "new-failure", "old": "pass", "new": "fail"}
    ]
    assert reports["prod"]["baseline"]["exit_code"] == 3 and reports["staging"]["baseline"]["exit_code"] == 0
    assert "(prod: 1, staging: 0)" in worse.stderr


def test_a_deployment_new_to_the_baseline_is_compared_with_an_empty_report(tmp_path: Path) -> None:
    _baseline_run(tmp_path, ("prod", READY), ("staging", READY))
    assert invoke("audit", "--json", "baseline.json").exit_code == 0
    _baseline_run(tmp_path, ("prod", READY), ("staging", READY), ("lab", READY))
    assert invoke("audit", "--baseline", "baseline.json").exit_code == 0
    _baseline_run(tmp_path, ("prod", READY), ("staging", READY), ("lab", FAILING))
    result = invoke("audit", "--baseline", "baseline.json")
    assert result.exit_code == 3  # every failure of a new deployment is new
    assert _by_name(report_of(result))["lab"]["baseline"]["regressions"] == 1


def test_a_single_report_baseline_of_a_fleet_run_is_one_line_and_exit_2(tmp_path: Path) -> None:
    assert invoke("audit", str(READY), "--offline", "--no-config", "--json", "single.json").exit_code == 0
    _baseline_run(tmp_path, ("prod", READY), ("staging", FAILING))
    result = invoke("audit", "--baseline", "single.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "single.json: is a single-deployment report" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_fleet_push_that_fails_is_one_line_and_turns_exit_0_into_1(tmp_path: Path) -> None:
    from tests.live.servers import free_port

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    _baseline_run(tmp_path, ("prod", READY), ("staging", READY), extra=f'pushgateway = "{url}"\n')
    ready = invoke("audit", "--timeout", "2")
    assert ready.exit_code == 1
    assert report_of(ready)["summary"]["exit_code"] == 0  # the report was written first
    assert [line for line in ready.stderr.splitlines() if "pushgateway" in line] == [
        next(line for line in ready.stderr.splitlines() if "push of deployment 'prod' failed" in line)
    ]
    _baseline_run(tmp_path, ("prod", READY), ("staging", FAILING), extra=f'pushgateway = "{url}"\n')
    assert invoke("audit", "--timeout", "2").exit_code == 3  # the verdict stands


def test_the_fleet_openmetrics_file_has_each_deployments_run_duration_and_probe_counts(
    tmp_path: Path,
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    _baseline_run(tmp_path, ("prod", READY), ("staging", FAILING))
    result = invoke("audit", "--format", "openmetrics")
    assert result.exit_code == 3
    rows = {
        (s.name, s.labels["deployment"]): s.value
        for family in text_string_to_metric_families(result.stdout)
        for s in family.samples
    }
    for name in ("prod", "staging"):
        assert rows[("gcready_run_duration_seconds", name)] > 0
        assert rows[("gcready_probes", name)] == 0  # offline: nothing probed
    assert (rows[("gcready_ready", "prod")], rows[("gcready_ready", "staging")]) == (1, 0)


def test_diagnose_in_a_fleet_does_not_rank_a_waived_failure(tmp_path: Path) -> None:
    entries = [f'name = "{n}"\ninputs = ["{FAILING}"]\n' for n in ("prod", "lab")]
    _fleet(tmp_path, *entries, top='offline = true\nformat = "json"\n' + _waiver(*ENV_FLAG, deployment="lab"))
    reports = _by_name(report_of(invoke("diagnose")))

    def ranked(report: dict[str, Any]) -> list[str]:
        return [f["check"] for cause in report["diagnosis"]["causes"] for f in cause["findings"]]

    assert "gc-env-flag" in ranked(reports["prod"]) and "gc-env-flag" not in ranked(reports["lab"])
