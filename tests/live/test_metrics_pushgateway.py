"""Metrics as Prometheus reads them: ``--pushgateway`` against a real Pushgateway, ``--format openmetrics``
through Prometheus' own text parser.

The Pushgateway is Debian's ``prometheus-pushgateway`` (``scripts/install-test-servers.sh``), started on
127.0.0.1 for each test, in memory, and stopped by its PID. Where it is not installed, the tests that
need it skip and say why.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import FIXTURES, run_gcready
from tests.live.servers import (
    MOTO_KEYS,
    RunningServer,
    ServerMissingError,
    free_port,
    start_pushgateway,
)
from tests.report.test_openmetrics import Samples, value
from tests.report.test_openmetrics import parse as samples

FAILING = FIXTURES / "scenarios" / "operator-cr-aws-flag-missing" / "inputs"  # the flag is missing
READY = FIXTURES / "scenarios" / "operator-cr-aws-ready" / "inputs"
NO_METADATA = {"AWS_EC2_METADATA_DISABLED": "true", "NO_GCE_CHECK": "true"}


def _gateway(web_config: Path | None = None) -> Iterator[RunningServer]:
    try:
        server = start_pushgateway(web_config)
    except ServerMissingError as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pushgateway() -> Iterator[RunningServer]:
    """A fresh Pushgateway for each test, so no test sees another's groups."""
    yield from _gateway()


def scrape(server: RunningServer, auth: tuple[str, str] | None = None) -> Samples:
    request = urllib.request.Request(f"{server.endpoint}/metrics")
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return samples(response.read().decode("utf-8"))


def gcready(*args: str, env: dict[str, str] | None = None) -> Any:
    return run_gcready(*args, env={**NO_METADATA, **(env or {})})


def test_audit_pushes_its_verdict_and_findings_and_the_gateway_serves_them(
    pushgateway: RunningServer, tmp_path: Path
) -> None:
    report_file = tmp_path / "report.json"
    run = gcready(
        "audit", str(FAILING), "--offline", "--pushgateway", pushgateway.endpoint, "--json", str(report_file)
    )
    assert run.code == 3, run.stderr
    assert "pushgateway" not in run.stderr, run.stderr
    found = scrape(pushgateway)
    group = {"job": "gcready", "deployment": "default"}
    assert value(found, "gcready_ready", **group) == 0
    assert value(found, "gcready_verdict", verdict="fail", **group) == 1
    assert value(found, "gcready_verdict", verdict="pass", **group) == 0
    report = json.loads(report_file.read_text())
    assert report["findings"], "the fixture has findings"
    for finding in report["findings"]:
        labels = {"check": finding["check"], "resource": finding["resource"], "status": finding["status"]}
        assert value(found, "gcready_finding", **labels, **group) == 1
    assert value(found, "gcready_check", check="gc-env-flag", status="fail", **group) == 1
    for status, count in report["summary"]["counts"].items():
        assert value(found, "gcready_findings", status=status, **group) == count
    assert value(found, "gcready_probes", **group) == 0  # --offline: nothing probed
    assert value(found, "gcready_run_duration_seconds", **group) > 0
    assert value(found, "gcready_info", command="audit", deployment_type="customer-managed-cloud", **group)
    # The gateway took the push as one group: its own push_time_seconds says when.
    assert value(found, "push_time_seconds", **group) > 0
    pushed = [labels for name, rows in found.items() if name.startswith("gcready_") for labels, _ in rows]
    assert pushed and all(labels["deployment"] == "default" for labels in pushed)


def test_the_next_push_replaces_what_the_last_run_left(pushgateway: RunningServer) -> None:
    assert gcready("audit", str(FAILING), "--offline", "--pushgateway", pushgateway.endpoint).code == 3
    assert gcready("audit", str(READY), "--offline", "--pushgateway", pushgateway.endpoint).code == 0
    found = scrape(pushgateway)
    assert value(found, "gcready_ready", deployment="default") == 1
    assert value(found, "gcready_verdict", verdict="pass", deployment="default") == 1
    # The fixed failure is gone, not left behind beside the pass.
    flag = [labels["status"] for labels, _ in found["gcready_finding"] if labels["check"] == "gc-env-flag"]
    assert flag and set(flag) == {"pass"}


def test_diagnose_pushes_too(pushgateway: RunningServer) -> None:
    assert gcready("diagnose", str(FAILING), "--offline", "--pushgateway", pushgateway.endpoint).code == 3
    found = scrape(pushgateway)
    assert value(found, "gcready_info", command="diagnose", deployment="default") == 1
    assert value(found, "gcready_ready", deployment="default") == 0


def test_probe_counts_reach_the_gateway(
    pushgateway: RunningServer,
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    tmp_path: Path,
) -> None:
    versioned = make_moto_bucket("metrics", versioning="Enabled")
    env = {
        "AWS_ENDPOINT_URL": moto_server.endpoint,
        "AWS_ACCESS_KEY_ID": MOTO_KEYS[0],
        "AWS_SECRET_ACCESS_KEY": MOTO_KEYS[1],
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    run = gcready(
        "audit",
        "--no-environment",
        "--deployment",
        "customer-managed-cloud",
        "--bucket",
        f"s3://{versioned}",
        "--bucket",
        "s3://no-such-bucket-for-metrics",
        "--retries",
        "0",
        "--pushgateway",
        pushgateway.endpoint,
        "-o",
        str(tmp_path / "report.txt"),
        env=env,
    )
    assert run.code in (3, 5), run.stderr
    found = scrape(pushgateway)
    assert value(found, "gcready_probes", deployment="default") == 2
    assert value(found, "gcready_probes_failed", deployment="default") == 1
    assert value(found, "gcready_ready", deployment="default") == 0
    status = value(
        found, "gcready_finding", check="bucket-versioning", resource=f"s3://{versioned}", status="pass"
    )
    assert status == 1


def test_the_openmetrics_file_is_what_prometheus_text_parser_reads(tmp_path: Path) -> None:
    prom = tmp_path / "gcready.prom"
    run = gcready("audit", str(FAILING), "--offline", "--format", "openmetrics", "-o", str(prom), "--quiet")
    assert run.code == 3, run.stderr
    text = prom.read_text(encoding="utf-8")
    # What node_exporter's textfile collector reads: text format 0.0.4, no OpenMetrics EOF, no timestamps.
    assert text.endswith("\n") and "# EOF" not in text
    families = list(text_string_to_metric_families(text))
    assert {f.type for f in families} == {"gauge"}
    assert all(s.timestamp is None for f in families for s in f.samples)
    found = samples(text)
    assert value(found, "gcready_ready", deployment="default") == 0
    assert value(found, "gcready_finding", check="gc-env-flag", status="fail", deployment="default") == 1
    assert value(found, "gcready_findings", status="fail", deployment="default") == 1
    assert value(found, "gcready_last_run_timestamp_seconds", deployment="default") > 1.7e9


def test_a_failed_push_is_one_line_that_never_shows_the_urls_password() -> None:
    password = "pg-Secret-4711-value"
    dead = f"http://metrics:{password}@127.0.0.1:{free_port()}"  # nothing listens there
    failing = gcready("audit", str(FAILING), "--offline", "--pushgateway", dead, "--quiet")
    assert failing.code == 3, failing.stderr  # the verdict's exit code stands
    ready = gcready("audit", str(READY), "--offline", "--pushgateway", dead, "--quiet")
    assert ready.code == 1, ready.stderr  # a run that lost its metrics does not look successful
    for run in (failing, ready):
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "push of deployment 'default' failed" in lines[0], run.stderr
        assert "metrics:***@127.0.0.1" in lines[0]
        assert password not in run.stderr + run.stdout
        assert "Traceback" not in run.stderr


@pytest.fixture
def guarded_pushgateway(tmp_path: Path) -> Iterator[tuple[RunningServer, tuple[str, str]]]:
    """A Pushgateway that wants HTTP basic auth (bcrypt-hashed password, as the exporter toolkit reads it)."""
    crypt = pytest.importorskip("crypt", reason="the crypt module hashes the gateway's bcrypt password")
    user, password = "gcready", "gw-Pass-2718-secret"
    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
    if not hashed or not hashed.startswith("$2"):
        pytest.skip("this libc's crypt() cannot make bcrypt hashes")
    config = tmp_path / "web.yml"
    config.write_text(f"basic_auth_users:\n  {user}: '{hashed}'\n")
    for server in _gateway(config):
        yield server, (user, password)


def test_credentials_in_the_url_are_sent_as_basic_auth_and_never_shown(
    guarded_pushgateway: tuple[RunningServer, tuple[str, str]],
) -> None:
    server, (user, password) = guarded_pushgateway
    host = server.endpoint.split("://", 1)[1]
    run = gcready("audit", str(READY), "--offline", "--pushgateway", f"http://{user}:{password}@{host}")
    assert run.code == 0, run.stderr
    assert value(scrape(server, (user, password)), "gcready_ready", deployment="default") == 1
    wrong = gcready("audit", str(READY), "--offline", "--pushgateway", f"http://{user}:not-{password}@{host}")
    assert wrong.code == 1
    assert "HTTP 401" in wrong.stderr and password not in wrong.stderr + wrong.stdout
