"""The ``--history`` page in headless Chromium: the trend chart is drawn, fits the page, follows dark mode."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_gcready
from tests.report.test_html_browser import CHROMIUM, _chromium, with_probe

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (scripts/install-test-servers.sh installs it with apt-get)",
)

MEASURE = """<script>(function () {
  var d = document.documentElement, svg = document.querySelector("#history svg");
  var r = svg.getBoundingClientRect();
  var style = function (sel, prop) { return getComputedStyle(document.querySelector(sel))[prop]; };
  document.querySelectorAll("#history details").forEach(function (x) { x.open = true; });
  var right = 0;
  document.querySelectorAll("#history, #history *").forEach(function (e) {
    right = Math.max(right, e.getBoundingClientRect().right);
  });
  d.setAttribute("data-measure", JSON.stringify({
    overflow: right - d.clientWidth,  // the history section only: what sticks out past the window
    svg: [r.width, r.height],
    points: document.querySelectorAll("#history svg .point").length,
    axis: style("#history svg .axis", "stroke"),
    label: style("#history svg text", "fill"),
    fail: style("#history svg .series-fail", "stroke"),
    pass: style("#history svg .series-pass", "stroke"),
    body: getComputedStyle(document.body).color,
    dark: window.matchMedia("(prefers-color-scheme: dark)").matches
  }));
})();</script>"""


@pytest.fixture(scope="module")
def history_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("history")
    for night in ("1795939200", "1796025600", "1796112000"):  # three nights, 08:00 UTC
        run = run_gcready(
            "audit", "fixtures/demo", "--offline", "--quiet", "--history", str(folder / "runs"),
            "--html", str(folder / "report.html"), env={"SOURCE_DATE_EPOCH": night}, cwd=REPO,
        )  # fmt: skip
        assert run.code == 3, run.stderr
    return folder / "report.html"


def _measure(page: Path, tmp_path: Path, *flags: str, size: str = "1280,900") -> Any:
    copy = tmp_path / "measured.html"
    copy.write_text(with_probe(page.read_text(), MEASURE))
    dom = _chromium(tmp_path, *flags, "--dump-dom", copy.as_uri(), size=size)
    found = re.search(r'data-measure="([^"]*)"', dom)
    assert found, "the measuring script did not run"
    return json.loads(html_lib.unescape(found.group(1)))


@pytest.mark.parametrize("size", ["1280,900", "390,844"])
def test_the_chart_and_the_runs_fit_the_page(history_page: Path, tmp_path: Path, size: str) -> None:
    m = _measure(history_page, tmp_path, size=size)
    assert m["overflow"] <= 0
    width, height = m["svg"]
    assert width > 300 and height > 90
    assert m["points"] == 9  # three runs, three series
    assert m["axis"] == m["body"] == m["label"]  # axes and labels are the text colour (currentColor)
    assert m["fail"] != m["pass"]


def test_the_chart_follows_dark_mode(history_page: Path, tmp_path: Path) -> None:
    light = _measure(history_page, tmp_path)
    dark = _measure(history_page, tmp_path, "--force-dark-mode")
    if not dark["dark"]:
        pytest.skip("this Chromium does not report prefers-color-scheme: dark with --force-dark-mode")
    assert dark["axis"] == dark["body"] != light["axis"]
    assert dark["fail"] != light["fail"]  # the series take the dark palette's status colours


def test_the_history_page_prints(history_page: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "history.pdf"
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", history_page.as_uri())
    assert pdf.read_bytes().startswith(b"%PDF")
