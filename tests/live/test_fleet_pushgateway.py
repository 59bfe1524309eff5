"""A fleet run's ``--pushgateway`` against a real Pushgateway: each deployment in its own group, scraped.

Debian's ``prometheus-pushgateway`` is started on 127.0.0.1 for each test (see
``tests/live/test_metrics_pushgateway.py``); where it is not installed, the tests skip and say why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import run_gcready
from tests.live.servers import MOTO_KEYS, RunningServer
from tests.live.test_metrics_pushgateway import FAILING, NO_METADATA, READY, _gateway, scrape, value


@pytest.fixture
def gateway() -> Iterator[RunningServer]:
    """A fresh Pushgateway for each test."""
    yield from _gateway()


def _config(folder: Path, gateway: RunningServer, deployments: str, extra: str = "") -> None:
    (folder / "gcready.toml").write_text(
        f'pushgateway = "{gateway.endpoint}"\nquiet = true\n{extra}{deployments}', encoding="utf-8"
    )


def _deployment(name: str, inputs: Path, *, offline: bool = True, buckets: str = "") -> str:
    return f'\n[[deployment]]\nname = "{name}"\ninputs = ["{inputs}"]\noffline = {str(offline).lower()}\n{buckets}'


def test_every_deployment_is_pushed_to_its_own_group(gateway: RunningServer, tmp_path: Path) -> None:
    fleet = _deployment("prod", READY) + _deployment("staging", FAILING) + _deployment("lab", READY)
    _config(tmp_path, gateway, fleet, extra=f'[outputs]\njson = "{tmp_path / "fleet.json"}"\n')
    run = run_gcready("audit", env=NO_METADATA, cwd=tmp_path)
    assert run.code == 3, run.stderr
    assert "pushgateway" not in run.stderr, run.stderr
    found = scrape(gateway)
    ready = {labels["deployment"]: v for labels, v in found["gcready_ready"]}
    assert ready == {"prod": 1, "staging": 0, "lab": 1}  # one gcready_ready per deployment
    assert all(labels["job"] == "gcready" for labels, _ in found["gcready_ready"])
    for name in ("prod", "staging", "lab"):
        assert value(found, "push_time_seconds", job="gcready", deployment=name) > 0  # a group each
        assert value(found, "gcready_run_duration_seconds", deployment=name) > 0
    assert value(found, "gcready_check", check="gc-env-flag", status="fail", deployment="staging") == 1
    assert value(found, "gcready_check", check="gc-env-flag", status="pass", deployment="prod") == 1
    data = json.loads((tmp_path / "fleet.json").read_text())
    assert data["summary"]["deployments"] == {"prod": "pass", "staging": "fail", "lab": "pass"}

    # the next night staging's failure is waived: its group is replaced, the others stay one each
    waiver = (
        '\n[[waiver]]\ncheck = "gc-env-flag"\nresource = "app (WeightsAndBiases/wandb)"\n'
        'reason = "accepted"\nexpires = "2099-12-31"\ndeployment = "staging"\n'
    )
    _config(tmp_path, gateway, fleet + waiver)
    assert run_gcready("audit", env=NO_METADATA, cwd=tmp_path).code == 0
    again = scrape(gateway)
    assert {labels["deployment"]: v for labels, v in again["gcready_ready"]} == {
        "prod": 1,
        "staging": 1,
        "lab": 1,
    }


def test_probe_counts_are_per_deployment(
    gateway: RunningServer,
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    tmp_path: Path,
) -> None:
    versioned = make_moto_bucket("fleet-metrics", versioning="Enabled")
    env = {
        **NO_METADATA,
        "AWS_ENDPOINT_URL": moto_server.endpoint,
        "AWS_ACCESS_KEY_ID": MOTO_KEYS[0],
        "AWS_SECRET_ACCESS_KEY": MOTO_KEYS[1],
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    buckets = f'buckets = ["s3://{versioned}", "s3://no-such-bucket-for-fleet-metrics"]\n'
    fleet = _deployment("live", READY, offline=False, buckets=buckets) + _deployment("offline", READY)
    _config(tmp_path, gateway, fleet, extra="[probe]\nretries = 0\n")
    run = run_gcready("audit", env=env, cwd=tmp_path)
    assert run.code in (3, 5), run.stderr
    found = scrape(gateway)
    assert value(found, "gcready_probes", deployment="live") == 2
    assert value(found, "gcready_probes_failed", deployment="live") == 1
    assert value(found, "gcready_probes", deployment="offline") == 0
    assert value(found, "gcready_ready", deployment="offline") == 1
