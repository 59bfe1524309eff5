"""The README's "Scheduling the nightly audit" section, run as a platform team would schedule it.

The section's blocks are read from the README itself: the shared ``gcready.toml``, the Kubernetes objects
(read-only RBAC, the ConfigMap holding the config, the CronJob), the systemd units and the CI workflow. Their
shape is checked (what the RBAC allows, that every form runs the same ``gcready audit``), then a week of
nightly runs is simulated with that config against a real S3 stand-in (moto) and a real Prometheus
Pushgateway: the bucket's versioning is suspended mid-week, a waiver is added with ``gcready waive`` and
runs out, versioning comes back. Each night's exit code, history file, drift and pushed metrics are
compared with what changed.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import tomllib
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import FIXTURES, REPO, run_gcready
from tests.live.servers import RunningServer, ServerMissingError, start_pushgateway

SECTION = "## Scheduling the nightly audit"
CR_FIXTURE = FIXTURES / "scenarios" / "operator-cr-aws-ready" / "inputs" / "wandb-cr.yaml"
FIXTURE_BUCKET = "acme-wandb-prod-files"
README_BUCKET = "wandb-prod-artifacts"
READ_VERBS = {"get", "list", "watch"}


def _section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else len(text)]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), flags=re.S)


def _config_text() -> str:
    (toml_block,) = _blocks("toml")
    return toml_block


def _kubernetes() -> list[dict[str, Any]]:
    (manifest,) = [b for b in _blocks("yaml") if "kind: CronJob" in b]
    return [doc for doc in yaml.safe_load_all(manifest) if doc]


def _workflow() -> dict[str, Any]:
    (workflow,) = [b for b in _blocks("yaml") if "jobs:" in b]
    loaded: dict[str, Any] = yaml.safe_load(workflow)
    return loaded


def _ini(name: str) -> dict[str, str]:
    (unit,) = [b for b in _blocks("ini") if b.startswith(f"# /etc/systemd/system/{name}")]
    return dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))


# ------------------------------------------------------------------ the blocks, as written


def test_the_config_is_one_the_cronjob_mounts_and_gcready_accepts(tmp_path: Path) -> None:
    config = _config_text()
    config_map = next(d for d in _kubernetes() if d["kind"] == "ConfigMap")
    assert tomllib.loads(config_map["data"]["gcready.toml"]) == tomllib.loads(config)
    # gcready itself reads it: a config it rejected would be exit 2 naming the key
    # the cluster's Pushgateway is not reachable from here: this run checks the file, not the push
    offline = re.sub(r"(?m)^pushgateway = .*$", "", config)
    (tmp_path / "gcready.toml").write_text(offline, encoding="utf-8")
    shutil.copy(CR_FIXTURE, tmp_path / "cluster.yaml")
    done = run_gcready("audit", "--offline", "--format", "json", cwd=tmp_path)
    assert done.code in (0, 3, 5), done.stderr
    assert json.loads(done.stdout)["inputs"][0]["path"].endswith("cluster.yaml")


def test_the_rbac_only_reads() -> None:
    roles = [d for d in _kubernetes() if d["kind"] in {"Role", "ClusterRole"}]
    assert roles
    for role in roles:
        for rule in role["rules"]:
            assert set(rule["verbs"]) <= READ_VERBS, rule
            assert "secrets" not in rule["resources"]
    binding = next(d for d in _kubernetes() if d["kind"] == "RoleBinding")
    cronjob = next(d for d in _kubernetes() if d["kind"] == "CronJob")
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert binding["subjects"][0]["name"] == pod["serviceAccountName"]
    assert binding["roleRef"]["name"] == roles[0]["metadata"]["name"]


def test_every_form_runs_the_same_audit() -> None:
    cronjob = next(d for d in _kubernetes() if d["kind"] == "CronJob")
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (dump,) = pod["initContainers"]
    (audit,) = pod["containers"]
    assert "kubectl get weightsandbiases" in dump["args"][0] and dump["args"][0].endswith("> cluster.yaml")
    assert audit["args"][0].endswith("&& gcready audit")
    assert dump["workingDir"] == audit["workingDir"]
    service = _ini("gcready.service")
    assert shlex.split(service["ExecStart"])[1:] == ["audit"]
    assert "kubectl get weightsandbiases" in service["ExecStartPre"]
    assert set(service["SuccessExitStatus"].split()) == {"3", "5"}
    timer = _ini("gcready.timer")
    assert timer["OnCalendar"] and timer["Persistent"] == "true"
    runs = [step.get("run", "") for step in _workflow()["jobs"]["audit"]["steps"]]
    assert "gcready audit" in runs
    assert any("gcready diff" in run and "--format markdown" in run for run in runs)


# ------------------------------------------------------------------ a week of nights


@pytest.fixture
def pushgateway() -> Iterator[RunningServer]:
    try:
        server = start_pushgateway()
    except ServerMissingError as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


def _ready_series(gateway: RunningServer) -> dict[str, float]:
    with urllib.request.urlopen(f"{gateway.endpoint}/metrics", timeout=10) as response:
        text = response.read().decode()
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "gcready_ready" and sample.labels.get("job") == "gcready":
                out[sample.labels["deployment"]] = sample.value
    return out


def _epoch(day: int) -> str:
    return str(int(datetime(2027, 3, day, 2, 17, tzinfo=UTC).timestamp()))


def test_a_week_of_nightly_runs(
    tmp_path: Path,
    moto_server: RunningServer,
    moto_s3: Any,
    make_moto_bucket: Callable[..., str],
    moto_env: dict[str, str],
    pushgateway: RunningServer,
) -> None:
    noncurrent = [
        {
            "ID": "expire-noncurrent",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        }
    ]
    bucket = make_moto_bucket("nightly", versioning="Enabled", lifecycle=noncurrent)
    # the folder the CronJob works in: the dump its init container wrote, the config it copied in
    work = tmp_path / "run"
    work.mkdir()
    (work / "cluster.yaml").write_text(
        CR_FIXTURE.read_text(encoding="utf-8").replace(FIXTURE_BUCKET, bucket), encoding="utf-8"
    )
    config = _config_text().replace(README_BUCKET, bucket).replace('"eu-west-1"', '"us-east-1"')
    config = re.sub(r'pushgateway = "[^"]*"', f'pushgateway = "{pushgateway.endpoint}"', config)
    (work / "gcready.toml").write_text(config, encoding="utf-8")
    history = work / "history"

    def night(day: int) -> int:
        env = {**moto_env, "SOURCE_DATE_EPOCH": _epoch(day), "GCREADY_ENDPOINT_URL": moto_server.endpoint}
        done = run_gcready("audit", env=env, cwd=work)  # the CronJob's command: the config does the rest
        assert "Traceback" not in done.stderr
        return done.code

    def newest() -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(sorted(history.glob("gcready-*.json"))[-1].read_text())
        return loaded

    def status_of(report: dict[str, Any], check: str) -> list[tuple[str, bool]]:
        return [(f["status"], f.get("waiver") is not None) for f in report["findings"] if f["check"] == check]

    # Monday: everything in place
    assert night(1) == 0
    assert _ready_series(pushgateway) == {"default": 1.0}
    assert status_of(newest(), "bucket-versioning") == [("pass", False)]

    # Tuesday: someone suspends versioning on the bucket
    moto_s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert night(2) == 3
    assert _ready_series(pushgateway) == {"default": 0.0}
    monday, tuesday = sorted(history.glob("gcready-*.json"))
    drift = run_gcready("diff", str(monday), str(tuesday), "--format", "json")
    assert drift.code == 3, drift.stderr
    assert "suspended" in drift.stdout and "bucket-versioning" in drift.stdout
    markdown = run_gcready("diff", str(monday), str(tuesday), "--format", "markdown")
    assert markdown.code == 3 and "bucket-versioning" in markdown.stdout

    # Wednesday: the team accepts it until Thursday while the change is reverted
    resource = next(f["resource"] for f in tuesday_findings(tuesday) if f["check"] == "bucket-versioning")
    waive = run_gcready(
        "waive",
        "bucket-versioning",
        resource,
        "--reason",
        "Versioning suspended during the storage migration (OPS-77)",
        "--expires",
        "2027-03-04",
        "--ticket",
        "OPS-77",
        env={"SOURCE_DATE_EPOCH": _epoch(3)},
        cwd=work,
    )
    assert waive.code == 0, waive.stderr
    assert night(3) == 0
    assert status_of(newest(), "bucket-versioning") == [("fail", True)]
    assert night(4) == 0  # the expiry day itself still counts

    # Friday: the waiver has run out; the failure counts again and the expiry is named
    assert night(5) == 3
    friday = newest()
    assert status_of(friday, "bucket-versioning") == [("fail", False)]
    assert [f["status"] for f in friday["findings"] if f["check"] == "waiver-expired"] == ["warn"]
    assert _ready_series(pushgateway) == {"default": 0.0}

    # Saturday: versioning is back
    moto_s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert night(6) == 0
    assert _ready_series(pushgateway) == {"default": 1.0}
    *_, friday_file, saturday_file = sorted(history.glob("gcready-*.json"))
    fixed = run_gcready("diff", str(friday_file), str(saturday_file), "--format", "json")
    assert fixed.code == 0, fixed.stderr

    # six nights kept, in order; the HTML page shows the trend; the textfile metrics parse
    assert len(list(history.glob("gcready-*.json"))) == 6
    page = (work / "reports" / "gcready.html").read_text(encoding="utf-8")
    assert "<svg" in page
    metrics = (work / "reports" / "gcready.prom").read_text(encoding="utf-8")
    ready = [
        s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
        if s.name == "gcready_ready"
    ]
    assert ready == [1.0]


def tuesday_findings(path: Path) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(path.read_text())["findings"]
    return loaded
