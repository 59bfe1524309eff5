"""``--pushgateway URL``: a URL that cannot be a Pushgateway is a usage error before anything runs."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, run_gcready

READY = FIXTURES / "scenarios" / "operator-cr-aws-ready" / "inputs"


@pytest.mark.parametrize(
    "url",
    [
        "pushgateway.monitoring:9091",  # no scheme
        "ftp://pushgateway.monitoring",
        "http://",
        "http://push gateway:9091",
        "http://metrics:pg-Secret-0815@pushgateway:port",
    ],
)
def test_a_bad_url_is_exit_2_on_one_line_with_its_credentials_masked(url: str) -> None:
    run = run_gcready("audit", str(READY), "--offline", "--pushgateway", url)
    assert run.code == 2, run.stderr
    assert "Invalid value for '--pushgateway'" in run.stderr
    assert not run.stdout  # rejected before any audit ran
    assert "pg-Secret-0815" not in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("command", ["audit", "diagnose"])
def test_both_report_commands_offer_it(command: str) -> None:
    assert "--pushgateway URL" in run_gcready(command, "--help", env={"COLUMNS": "200"}).stdout
