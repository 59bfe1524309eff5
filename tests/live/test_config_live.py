"""The nightly job as a platform team schedules it: ``gcready audit`` with a ``gcready.toml`` and no other
argument, against a real local S3 (moto). The endpoint, the probe options and the extra buckets come from
the config file alone; the process environment holds only the access keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import run_gcready
from tests.live.servers import MOTO_KEYS, RunningServer
from tests.live.test_cli_live import NO_METADATA, helm_values

KEYS_ONLY = {**NO_METADATA, "AWS_ACCESS_KEY_ID": MOTO_KEYS[0], "AWS_SECRET_ACCESS_KEY": MOTO_KEYS[1]}


def _statuses(report: dict[str, Any], check: str) -> dict[str, str]:
    return {f["resource"]: f["status"] for f in report["findings"] if f["check"] == check}


def test_the_config_alone_runs_the_nightly_audit_and_sees_a_change_between_runs(
    tmp_path: Path, moto_server: RunningServer, moto_s3: Any, make_moto_bucket: Callable[..., str]
) -> None:
    files = make_moto_bucket("nightly", versioning="Enabled")
    extra = make_moto_bucket("extra", versioning="Enabled")
    helm_values(tmp_path / "values.yaml", "aws", {"provider": "s3", "name": files, "region": "us-east-1"})
    (tmp_path / "gcready.toml").write_text(
        'inputs = ["values.yaml"]\n'
        'deployment = "customer-managed-cloud"\n'
        "quiet = true\n\n"
        "[outputs]\n"
        'json = "reports/gcready.json"\n'
        'html = "reports/gcready.html"\n\n'
        "[probe]\n"
        "timeout = 5\n"
        "retries = 1\n"
        f'endpoint-url = "{moto_server.endpoint}"\n\n'
        "[[bucket]]\n"
        f'url = "s3://{extra}"\n'
        'region = "us-east-1"\n'
    )
    first = run_gcready("audit", env=KEYS_ONLY, cwd=tmp_path)
    assert first.code == 0, first.stderr + first.stdout
    report = json.loads((tmp_path / "reports" / "gcready.json").read_text())
    versioning = _statuses(report, "bucket-versioning")
    assert len(versioning) == 2 and set(versioning.values()) == {"pass"}, versioning
    assert (tmp_path / "reports" / "gcready.html").read_text().startswith("<!DOCTYPE html>")

    # overnight, someone suspends versioning on the extra bucket: the next run fails on that bucket only
    moto_s3.put_bucket_versioning(Bucket=extra, VersioningConfiguration={"Status": "Suspended"})
    second = run_gcready("audit", env=KEYS_ONLY, cwd=tmp_path)
    assert second.code == 3, second.stderr
    versioning = _statuses(
        json.loads((tmp_path / "reports" / "gcready.json").read_text()), "bucket-versioning"
    )
    assert [status for resource, status in versioning.items() if extra in resource] == ["fail"]
    assert [status for resource, status in versioning.items() if files in resource] == ["pass"]


def test_a_fleet_probes_each_deployment_on_its_own(
    tmp_path: Path, moto_server: RunningServer, make_moto_bucket: Callable[..., str]
) -> None:
    good = make_moto_bucket("fleet-good", versioning="Enabled")
    bad = make_moto_bucket("fleet-bad")
    for name, bucket in (("good", good), ("bad", bad)):
        (tmp_path / name).mkdir()
        helm_values(tmp_path / name / "values.yaml", "aws", {"provider": "s3", "name": bucket})
    (tmp_path / "gcready.toml").write_text(
        'format = "json"\nfleet-concurrency = 2\n\n'
        f'[probe]\ntimeout = 5\nendpoint-url = "{moto_server.endpoint}"\nregion = "us-east-1"\n\n'
        '[[deployment]]\nname = "good"\ninputs = ["good"]\n\n'
        '[[deployment]]\nname = "bad"\ninputs = ["bad"]\n'
    )
    done = run_gcready("audit", env=KEYS_ONLY, cwd=tmp_path)
    assert done.code == 3, done.stderr
    fleet = json.loads(done.stdout)
    assert fleet["summary"]["deployments"] == {"good": "pass", "bad": "fail"}
    reports = {d["name"]: d["report"] for d in fleet["deployments"]}
    assert list(_statuses(reports["good"], "bucket-versioning").values()) == ["pass"]
    bad_buckets = _statuses(reports["bad"], "bucket-versioning")
    assert len(bad_buckets) == 1 and bad in next(iter(bad_buckets)), bad_buckets  # only its own bucket
