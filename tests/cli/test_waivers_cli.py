"""Waivers from the command line: --waivers, gcready waive, and what a nightly run sees as days pass."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from gcready.cli.waive import CONFIG_META_KEY, config_in_use
from tests.conftest import FIXTURES, Run, run_gcready

GCS = FIXTURES / "scenarios" / "shared-cloud-ssc-gcs-not-versioned" / "inputs"  # bucket-versioning fails
MINIO = FIXTURES / "scenarios" / "dotenv-minio-onprem-versioning-suspended" / "inputs"  # a fail and a warn
FLAG = FIXTURES / "scenarios" / "operator-cr-aws-flag-missing" / "inputs"  # gc-env-flag fails

WAIVER = """\
[[waiver]]
check = "bucket-versioning"
resource = "gs://globex-*"
reason = "Bucket moves to the new project in January"
expires = 2027-01-31
ticket = "OPS-142"
owner = "platform"
"""


def _on(day: str) -> dict[str, str]:
    """The environment of a run on ``day`` (SOURCE_DATE_EPOCH: the report's time and the waivers' today)."""
    moment = datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)
    return {"SOURCE_DATE_EPOCH": str(int(moment.timestamp()))}


def _audit(*args: str, day: str = "2027-01-15", cwd: Path | None = None) -> Run:
    return run_gcready("audit", *args, "--offline", env=_on(day), cwd=cwd)


def _json(run: Run) -> dict[str, Any]:
    assert run.stdout, run.stderr
    document: dict[str, Any] = json.loads(run.stdout)
    return document


def test_a_waived_fail_exits_0_and_shows_as_waived(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVER, encoding="utf-8")
    assert _audit(str(GCS)).code == 3
    run = _audit(str(GCS), "--waivers", str(waivers))
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("gcready: READY for artifact garbage collection — ")
    assert "1 waived" in run.stdout.splitlines()[0]
    assert (
        "waived: Bucket moves to the new project in January (expires 2027-01-31, ticket OPS-142, owner platform)"
        in (run.stdout)
    )
    assert f"waiver at {waivers}:1" in run.stdout


def test_a_waived_fail_in_json_keeps_its_status_and_carries_the_waiver(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVER, encoding="utf-8")
    report = _json(_audit(str(GCS), "--waivers", str(waivers), "--format", "json"))
    (waived,) = [f for f in report["findings"] if f["waiver"]]
    assert waived["check"] == "bucket-versioning" and waived["status"] == "fail"
    assert waived["waiver"]["reason"] == "Bucket moves to the new project in January"
    assert waived["waiver"]["expires"] == "2027-01-31"
    assert waived["waiver"]["origin"] == {"source": str(waivers), "line": 1, "path": None}
    summary = report["summary"]
    assert (summary["verdict"], summary["exit_code"], summary["waived"]) == ("pass", 0, 1)
    assert summary["counts"]["fail"] == 0


def test_on_the_expiry_day_it_applies_and_the_day_after_the_fail_counts_again(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVER, encoding="utf-8")
    assert _audit(str(GCS), "--waivers", str(waivers), day="2027-01-31").code == 0
    run = _audit(str(GCS), "--waivers", str(waivers), "--format", "json", day="2027-02-01")
    assert run.code == 3, run.stderr
    report = _json(run)
    assert report["summary"]["waived"] == 0 and report["summary"]["counts"]["fail"] == 1
    (expired,) = [f for f in report["findings"] if f["check"] == "waiver-expired"]
    assert expired["status"] == "warn"
    assert expired["title"] == "Waiver of bucket-versioning on gs://globex-* expired on 2027-01-31"
    assert expired["evidence"][0]["origin"]["line"] == 1


def test_a_waiver_that_matches_nothing_warns_it_is_stale(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVER, encoding="utf-8")
    run = _audit(str(FLAG), "--waivers", str(waivers))
    assert run.code == 3  # the flag still fails: the waiver is about another bucket
    assert "[WARN] waiver-stale: Waiver of bucket-versioning on gs://globex-* matches nothing" in run.stdout
    assert _audit(str(FLAG), "--waivers", str(waivers), "--fail-on", "warn").code == 3


def test_one_glob_waives_the_fail_and_the_warn_of_a_bucket(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        "\n".join(
            f'[[waiver]]\ncheck = "{check}"\nresource = "s3://minio.example.internal:9000/*"\n'
            f'reason = "Old MinIO, replaced in Q1"\nexpires = 2027-03-31\n'
            for check in ("bucket-versioning", "noncurrent-expiry")
        ),
        encoding="utf-8",
    )
    run = _audit(str(MINIO), "--waivers", str(waivers), "--fail-on", "warn", "--format", "json")
    assert run.code == 0, run.stdout
    assert _json(run)["summary"]["waived"] == 2


def test_a_bad_waivers_file_is_one_line_naming_file_line_and_waiver(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        WAIVER + '\n[[waiver]]\ncheck = "bucket-versioning"\nresource = "gs://x"\n', encoding="utf-8"
    )
    run = _audit(str(GCS), "--waivers", str(waivers))
    assert run.code == 2
    assert run.stderr == f"gcready: {waivers}:9: waiver 2: missing reason (why the finding is accepted)\n"
    assert run.stdout == ""
    bad_date = tmp_path / "date.toml"
    bad_date.write_text(WAIVER.replace("expires = 2027-01-31", 'expires = "2027-02-30"'), encoding="utf-8")
    run = _audit(str(GCS), "--waivers", str(bad_date))
    assert (run.code, run.stderr) == (
        2,
        f"gcready: {bad_date}:5: waiver 1: expires = 2027-02-30 is not a date (YYYY-MM-DD)\n",
    )
    unknown = tmp_path / "check.toml"
    unknown.write_text(
        WAIVER.replace('check = "bucket-versioning"', 'check = "versioning"'), encoding="utf-8"
    )
    run = _audit(str(GCS), "--waivers", str(unknown))
    assert run.code == 2 and run.stderr.startswith(
        f"gcready: {unknown}:2: waiver 1: unknown check 'versioning'"
    )
    assert "Traceback" not in run.stderr
    missing = _audit(str(GCS), "--waivers", str(tmp_path / "nope.toml"))
    assert (missing.code, missing.stderr.count("\n")) == (2, 1) and "nope.toml: cannot read" in missing.stderr


CONFIG = """\
# gcready config for the nightly job: keep these comments
deployment = "shared-cloud-ssc"  # stated, the evidence agrees

[probe]
timeout = 10  # seconds
"""


def test_waive_appends_keeps_comments_and_the_next_run_honours_it(tmp_path: Path) -> None:
    config = tmp_path / "gcready.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert _audit(str(GCS), cwd=tmp_path).code == 3
    added = run_gcready(
        "waive",
        "bucket-versioning",
        "gs://globex-genomics-wandb",
        "--reason",
        "Bucket moves to the new project in January",
        "--expires",
        "2027-01-31",
        "--ticket",
        "OPS-142",
        env=_on("2027-01-10"),
        cwd=tmp_path,
    )
    assert added.code == 0, added.stderr
    text = config.read_text(encoding="utf-8")
    assert text.startswith(CONFIG)  # every comment and line of the file is kept, the waiver comes after
    assert text[len(CONFIG) :] == (
        "\n[[waiver]]\n"
        'check = "bucket-versioning"\n'
        'resource = "gs://globex-genomics-wandb"\n'
        'reason = "Bucket moves to the new project in January"\n'
        "expires = 2027-01-31\n"
        'ticket = "OPS-142"\n\n'
    )
    assert added.stdout.startswith("Added to gcready.toml:7:\n[[waiver]]\n")
    # the config file in the current folder is the waivers file when --waivers is not given
    assert _audit(str(GCS), cwd=tmp_path, day="2027-01-20").code == 0
    assert _audit(str(GCS), cwd=tmp_path, day="2027-02-01").code == 3
    # a second waiver goes after the first; both are read
    again = run_gcready(
        "waive",
        "gc-env-flag",
        "app*",
        "--reason",
        "r",
        "--expires",
        "2027-02-28",
        env=_on("2027-01-10"),
        cwd=tmp_path,
    )
    assert again.code == 0 and again.stdout.startswith("Added to gcready.toml:14:")
    assert config.read_text(encoding="utf-8").count("[[waiver]]") == 2


def test_waive_creates_the_file_with_config_and_refuses_bad_input(tmp_path: Path) -> None:
    target = tmp_path / "ops" / "waivers.toml"
    args = ("waive", "object-lock", "s3://archive", "--reason", "Compliance lock", "--owner", "legal")
    made = run_gcready(*args, "--expires", "2027-01-01", "--config", str(target), env=_on("2026-12-01"))
    assert made.code == 0, made.stderr
    assert 'owner = "legal"' in target.read_text(encoding="utf-8")
    past = run_gcready(*args, "--expires", "2026-11-30", "--config", str(target), env=_on("2026-12-01"))
    assert (past.code, past.stderr) == (
        2,
        "gcready: waive: --expires 2026-11-30 is in the past (today is 2026-12-01, UTC)\n",
    )
    today = run_gcready(*args, "--expires", "2026-12-01", "--config", str(target), env=_on("2026-12-01"))
    assert today.code == 0  # a waiver for today only is allowed: it applies through its expiry day
    bad = run_gcready(*args, "--expires", "2027-02-30", "--config", str(target), env=_on("2026-12-01"))
    assert bad.code == 2 and "is not a date (YYYY-MM-DD)" in bad.stderr
    unknown = run_gcready(
        "waive", "object-lok", "x", "--reason", "r", "--expires", "2027-01-01", cwd=tmp_path
    )
    assert unknown.code == 2 and unknown.stderr.startswith("gcready: waive: unknown check 'object-lok'")
    assert not (tmp_path / "gcready.toml").exists()
    assert target.read_text(encoding="utf-8").count("[[waiver]]") == 2  # refused ones wrote nothing


def test_waive_refuses_to_touch_a_broken_file(tmp_path: Path) -> None:
    config = tmp_path / "gcready.toml"
    config.write_text('timeout = \n[[waiver]]\ncheck = "object-lock"\n', encoding="utf-8")
    run = run_gcready("waive", "object-lock", "x", "--reason", "r", "--expires", "2099-01-01", cwd=tmp_path)
    assert (run.code, run.stderr) == (2, "gcready: gcready.toml:1: not valid TOML: Invalid value\n")
    assert config.read_text(encoding="utf-8") == 'timeout = \n[[waiver]]\ncheck = "object-lock"\n'


def test_diagnose_does_not_rank_a_waived_fail_as_the_cause(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVER, encoding="utf-8")
    run = run_gcready(
        "diagnose",
        str(GCS),
        "--offline",
        "--waivers",
        str(waivers),
        "--format",
        "json",
        env=_on("2027-01-15"),
    )
    assert run.code == 0, run.stderr
    report = _json(run)
    assert all(not c["findings"][0]["waiver"] for c in report["diagnosis"]["causes"])
    assert not report["diagnosis"]["headline"].startswith("Most likely cause: ")


def test_gcready_config_names_the_waivers_file_and_waivers_wins_over_it(tmp_path: Path) -> None:
    config = tmp_path / "nightly.toml"
    config.write_text(CONFIG + "\n" + WAIVER, encoding="utf-8")
    env = {**_on("2027-01-15"), "GCREADY_CONFIG": str(config)}
    assert run_gcready("audit", str(GCS), "--offline", env=env).code == 0
    empty = tmp_path / "none.toml"
    empty.write_text("# no waivers here\n", encoding="utf-8")
    assert run_gcready("audit", str(GCS), "--offline", "--waivers", str(empty), env=env).code == 3


def test_a_config_loader_records_the_file_it_read_for_the_waivers() -> None:
    @click.command()
    def probe() -> None:
        click.get_current_context().meta[CONFIG_META_KEY] = "ops/gcready.toml"
        click.echo(config_in_use({"config": "ignored.toml"}))

    assert CliRunner().invoke(probe).output == "ops/gcready.toml\n"


def test_no_config_means_no_implied_waivers_file(tmp_path: Path) -> None:
    (tmp_path / "gcready.toml").write_text(CONFIG + "\n" + WAIVER, encoding="utf-8")
    assert _audit(str(GCS), cwd=tmp_path).code == 0
    env = {**_on("2027-01-15"), "GCREADY_NO_CONFIG": "1"}
    assert run_gcready("audit", str(GCS), "--offline", env=env, cwd=tmp_path).code == 3
