"""``--history DIR``: dated, sortable, never-overwritten reports, retention, and the page that shows them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gcready.cli import history
from tests.conftest import run_gcready

EPOCH = "1796112000"  # 2026-12-01T08:00:00Z
STAMPED = "gcready-20261201T080000Z"


def _audit(folder: Path, *extra: str, epoch: str = EPOCH) -> int:
    run = run_gcready(
        "audit", "fixtures/demo", "--offline", "--history", str(folder), "--quiet", *extra,
        env={"SOURCE_DATE_EPOCH": epoch},
    )  # fmt: skip
    assert run.code == 3, run.stderr
    return run.code


def test_stamp_of_a_report_time() -> None:
    assert history.stamp_of("2026-12-01T12:00:00Z") == "20261201T120000Z"
    assert history.stamp_of("2026-12-01T13:00:00+01:00") == "20261201T120000Z"


def test_names_sort_in_run_order_even_with_a_same_second_suffix(tmp_path: Path) -> None:
    for name in [
        "gcready-20261201T120000Z_002.json",
        "gcready-20261130T235959Z.json",
        "gcready-20261201T120000Z.json",
        "gcready-20261201T120000Z_001.json",
        "notes.txt",
        "gcready-latest.json",
    ]:
        (tmp_path / name).write_text("{}")
    names = [e.path.name for e in history.entries(tmp_path)]
    assert names == sorted(names)  # what `ls` shows is the run order
    assert names == [
        "gcready-20261130T235959Z.json",
        "gcready-20261201T120000Z.json",
        "gcready-20261201T120000Z_001.json",
        "gcready-20261201T120000Z_002.json",
    ]


def test_record_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "gcready-20261201T120000Z.json").write_text("first")
    path = history.record(tmp_path, "second", "2026-12-01T12:00:00Z")
    assert path.name == "gcready-20261201T120000Z_001.json"
    assert (tmp_path / "gcready-20261201T120000Z.json").read_text() == "first"
    assert path.read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "gcready-20261201T120000Z.json",
        "gcready-20261201T120000Z_001.json",
    ]  # no temporary file left behind


def test_prune_deletes_the_oldest_and_nothing_else(tmp_path: Path) -> None:
    for day in range(1, 6):
        (tmp_path / f"gcready-202612{day:02d}T020000Z.json").write_text("{}")
    (tmp_path / "README").write_text("kept")
    deleted = history.prune(tmp_path, 2)
    assert [p.name for p in deleted] == [f"gcready-202612{d:02d}T020000Z.json" for d in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README",
        "gcready-20261204T020000Z.json",
        "gcready-20261205T020000Z.json",
    ]


def test_each_run_is_kept_under_its_time_and_retention_keeps_n(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    for _ in range(3):
        _audit(folder, "--history-keep", "2")
    assert sorted(p.name for p in folder.iterdir()) == [f"{STAMPED}_001.json", f"{STAMPED}_002.json"]
    kept = json.loads((folder / f"{STAMPED}_002.json").read_text())
    assert kept["schema"] == "gcready-report/1" and kept["generated_at"] == "2026-12-01T08:00:00Z"


def test_the_html_shows_the_trend_with_one_point_per_run_and_the_changes(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    # an earlier night, when the bucket was still versioned
    _audit(folder, epoch="1795939200")  # 2026-11-29T08:00:00Z
    earlier = folder / "gcready-20261129T080000Z.json"
    doc = json.loads(earlier.read_text())
    for finding in doc["findings"]:
        if finding["check"] == "bucket-versioning":
            finding["status"] = "pass"
            finding["evidence"][-1]["value"] = "enabled"
    doc["summary"]["counts"].update({"pass": 8, "fail": 0})
    earlier.write_text(json.dumps(doc))
    _audit(folder, epoch="1796025600")  # 2026-11-30
    page = tmp_path / "report.html"
    _audit(folder, "--html", str(page))
    html = page.read_text()
    section = html[html.index('<section id="history">') : html.index('<section id="deployment">')]
    for series in ("fail", "unknown", "pass"):
        assert section.count(f'class="point point-{series}"') == 3  # three runs kept
    fail_ys = [float(y) for y in re.findall(r'class="point point-fail" x="[\d.]+" y="([\d.]+)"', section)]
    assert fail_ys[0] > fail_ys[1] == fail_ys[2]  # 0 fails, then 1: higher on the chart is more
    assert "Compared with <code>gcready-20261130T080000Z.json</code>" in section
    assert "Nothing changed since the previous run." in section
    assert "<svg" in section and "xlink:href" not in section and "<image" not in section


def test_the_html_of_a_run_after_a_change_lists_it(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    _audit(folder, epoch="1796025600")
    [previous] = folder.iterdir()
    doc = json.loads(previous.read_text())
    for finding in doc["findings"]:
        if finding["check"] == "bucket-versioning":
            finding["status"] = "pass"
            finding["evidence"][-1]["value"] = "enabled"
    previous.write_text(json.dumps(doc))
    page = tmp_path / "report.html"
    _audit(folder, "--html", str(page))
    html = page.read_text()
    assert "<h2>Changed since the previous run</h2>" in html
    assert '<li class="regression">Regression, new failure:' in html
    assert '<code>enabled</code> <span class="arrow">→</span> <code>disabled</code>' in html


def test_the_first_run_says_there_is_nothing_to_compare_yet(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    _audit(tmp_path / "history", "--html", str(page))
    html = page.read_text()
    assert "This is the first run kept in" in html
    assert html.count('class="point point-pass"') == 1


def test_a_damaged_history_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "gcready-20261130T080000Z.json").write_text("{ truncated")
    run = run_gcready(
        "audit", "fixtures/demo", "--offline", "--history", str(folder), "--quiet",
        env={"SOURCE_DATE_EPOCH": EPOCH},
    )  # fmt: skip
    assert run.code == 3
    assert f"gcready: history: skipped {folder / 'gcready-20261130T080000Z.json'}:1: not JSON" in run.stderr
    assert (folder / f"{STAMPED}.json").exists()


def test_keep_1_still_compares_with_the_previous_run(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    _audit(folder, epoch="1796025600")
    page = tmp_path / "report.html"
    _audit(folder, "--history-keep", "1", "--html", str(page))
    html = page.read_text()
    assert "Compared with <code>gcready-20261130T080000Z.json</code> (2026-11-30T08:00:00Z)" in html
    assert html.count('class="point point-fail"') == 1  # the trend is what is kept: this run
    assert [p.name for p in folder.iterdir()] == [f"{STAMPED}.json"]


@pytest.mark.parametrize("keep", ["0", "-1", "many"])
def test_history_keep_must_be_a_positive_count(tmp_path: Path, keep: str) -> None:
    run = run_gcready(
        "audit", "fixtures/demo", "--offline", "--history", str(tmp_path), "--history-keep", keep
    )
    assert run.code == 2 and "--history-keep" in run.stderr


def test_a_fleet_run_counts_every_deployment_in_the_trend() -> None:
    def single(passed: int, failed: int, unknown: int) -> dict[str, object]:
        return {"summary": {"counts": {"pass": passed, "fail": failed, "unknown": unknown, "skip": 4}}}

    fleet = {
        "schema": "gcready-fleet/1",
        "generated_at": "2026-12-01T02:00:00Z",
        "summary": {"verdict": "fail"},
        "deployments": [
            {"name": "prod", "report": single(5, 1, 0)},
            {"name": "dev", "report": single(3, 0, 2)},
        ],
    }
    point = history.run_point(fleet, "gcready-20261201T020000Z.json")
    assert (point.passed, point.failed, point.unknown, point.verdict) == (8, 1, 2, "fail")
