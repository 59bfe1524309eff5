"""The demo's HTML report on one screen, measured in headless Chromium.

A support engineer opening the page at 1280×800 sees the verdict banner and, right under it, the first
failure with its first fix; the deployment evidence appears once; passes and skips are folded; nothing
scrolls sideways; no table header is cut mid-word; printed, the folds are open. At 360px (a phone, a
narrow split pane) the demo, a page with history and a fleet page still fit: the tables stack, one
labelled card per row, and the copy buttons stay whole and on screen. The measurements are
made by a small script appended to a copy of the report (never to the report itself), which writes them
as JSON into an attribute that ``--dump-dom`` returns.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from gcready.model import Report
from gcready.model.fleet import Fleet, FleetMember
from gcready.report import Format
from gcready.report.fleet import render_fleet
from tests.conftest import REPO, run_gcready
from tests.report.test_history_browser import history_page  # noqa: F401  (a fixture, used by name)
from tests.report.test_html_browser import (  # noqa: F401  (hostile_report: a fixture, used by name)
    CHROMIUM,
    _chromium,
    hostile_report,
    with_probe,
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (scripts/install-test-servers.sh installs it with apt-get)",
)

WIDTH, HEIGHT = 1280, 800

MEASURE = """<script>(function () {
  function box(el) {
    if (!el) return null;
    var r = el.getBoundingClientRect(), y = window.scrollY, x = window.scrollX;
    return {top: r.top + y, bottom: r.bottom + y, left: r.left + x, right: r.right + x};
  }
  function brokenWords(el) {  // words of el drawn on more than one line
    var out = [], walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), node;
    while ((node = walker.nextNode())) {
      var re = /\\S+/g, m;
      while ((m = re.exec(node.data))) {
        var range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        var tops = {};
        Array.prototype.forEach.call(range.getClientRects(), function (r) {
          if (r.width > 0) tops[Math.round(r.top)] = true;
        });
        if (Object.keys(tops).length > 1) out.push(m[0]);
      }
    }
    return out;
  }
  var d = document.documentElement, all = document.querySelectorAll(".finding");
  var first = document.querySelector("#attention .finding");
  var rows = function (sel) {
    return Array.prototype.map.call(document.querySelectorAll(sel), function (tr) {
      return tr.textContent.replace(/\\s+/g, " ").trim();
    });
  };
  var result = {
    viewport: [window.innerWidth, window.innerHeight],
    overflow: d.scrollWidth - d.clientWidth,
    scrollWidth: d.scrollWidth,
    copies: Array.prototype.map.call(document.querySelectorAll("figure.fix button.copy"), function (b) {
      return {box: box(b), shown: !b.hidden && b.getClientRects().length > 0};
    }),
    banner: box(document.querySelector("header.verdict")),
    first: first && {
      status: first.className,
      title: first.querySelector("h3").textContent,
      box: box(first),
      fix: box(first.querySelector("figure.fix pre")),
      fixText: first.querySelector("figure.fix pre code").textContent,
      copy: box(first.querySelector("figure.fix button.copy")),
      copyShown: !first.querySelector("figure.fix button.copy").hidden
    },
    order: Array.prototype.map.call(all, function (f) { return f.className; }),
    unfolded: Array.prototype.filter.call(all, function (f) {
      return /status-(pass|skip|info)/.test(f.className) && !f.parentElement.closest("details.fold");
    }).length,
    foldsOpen: Array.prototype.filter.call(document.querySelectorAll("details"), function (x) {
      return x.open;
    }).length,
    deploymentRows: rows("#deployment tbody tr"),
    otherRows: rows("tbody tr"),
    brokenHeaderWords: Array.prototype.concat.apply([], Array.prototype.map.call(
      document.querySelectorAll("th"), brokenWords)),
    brokenLabels: Array.prototype.concat.apply([], Array.prototype.map.call(
      document.querySelectorAll("figure.fix .kind, figure.fix button.copy"), brokenWords)),
    requirements: (function (t) {
      return t && {
        header: t.querySelector("thead").getClientRects().length > 0,
        width: box(t).right,
        labels: Array.prototype.map.call(t.querySelectorAll("tbody tr:first-child td"), function (c) {
          return getComputedStyle(c, "::before").content.replace(/^"|"$/g, "");
        })
      };
    })(document.querySelector("#requirements table")),
    dark: window.matchMedia("(prefers-color-scheme: dark)").matches,
    background: getComputedStyle(document.body).backgroundColor
  };
  d.setAttribute("data-measure", JSON.stringify(result));
})();</script>"""


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`gcready audit fixtures/demo --offline --html FILE`, as the README runs it."""
    out = tmp_path_factory.mktemp("demo") / "report.html"
    run = run_gcready("audit", "fixtures/demo", "--offline", "--html", str(out), cwd=REPO)
    assert run.code == 3, run.stderr  # the demo's one FAIL
    return out


NARROW = 360  # a phone, or a narrow split pane
# Headless Chromium will not open a window narrower than 500px, so a narrow screen is an iframe of that
# width; its document is laid out exactly as on such a screen, and its measurements are copied out on load.
FRAME = """<!DOCTYPE html><html><body style="margin:0"><iframe id="page" srcdoc="{page}"
style="border:0;width:{width}px;height:{height}px"></iframe><script>
window.addEventListener("load", function () {{
  var inner = document.getElementById("page").contentDocument.documentElement;
  document.documentElement.setAttribute("data-measure", inner.getAttribute("data-measure"));
}});</script></body></html>"""


def _measure(
    report: Path,
    tmp_path: Path,
    *,
    size: str = f"{WIDTH},{HEIGHT}",
    flags: tuple[str, ...] = (),
    narrow: int | None = None,
) -> Any:
    page = tmp_path / "measured.html"
    measured = with_probe(report.read_text(), MEASURE)
    if narrow is not None:
        measured = FRAME.format(page=html_lib.escape(measured, quote=True), width=narrow, height=HEIGHT)
    page.write_text(measured)
    dom = _chromium(tmp_path, *flags, "--dump-dom", page.as_uri(), size=size)
    found = re.search(r'data-measure="([^"]*)"', dom)
    assert found, "the measuring script did not run"
    return json.loads(html_lib.unescape(found.group(1)))


def test_banner_and_first_failure_with_its_fix_are_on_the_first_screen(
    demo_report: Path, tmp_path: Path
) -> None:
    m = _measure(demo_report, tmp_path)
    # --dump-dom's window keeps some of its height for the browser's own frame; the page is laid out at
    # the full width, and nothing in it depends on the height, so positions are measured from the top of
    # the page and compared with the 800px a 1280×800 screenshot shows (test_screenshot_at_1280x800).
    assert m["viewport"][0] == WIDTH
    assert m["banner"]["top"] >= 0 and m["banner"]["bottom"] <= HEIGHT
    first = m["first"]
    assert first is not None and "status-fail" in first["status"]
    assert "S3 bucket versioning is off" in first["title"]
    assert first["box"]["top"] < HEIGHT
    assert first["fix"]["bottom"] <= HEIGHT, f"the first fix ends at {first['fix']['bottom']}px"
    assert first["fixText"].startswith(
        "aws s3api put-bucket-versioning --bucket wandb-prod-file-storage-3k7q"
    )
    assert first["copyShown"] and first["copy"]["bottom"] <= HEIGHT  # its copy button, too
    assert m["overflow"] == 0


def test_what_needs_attention_comes_before_any_pass(demo_report: Path, tmp_path: Path) -> None:
    order = [re.sub(r".*status-(\w+).*", r"\1", c) for c in _measure(demo_report, tmp_path)["order"]]
    assert order[0] == "fail"
    assert order.count("fail") == 1 and order.count("pass") == 7 and order.count("skip") == 8


def test_passes_and_skips_are_folded(demo_report: Path, tmp_path: Path) -> None:
    m = _measure(demo_report, tmp_path)
    assert m["unfolded"] == 0 and m["foldsOpen"] == 0


def test_the_deployment_evidence_is_shown_once(demo_report: Path, tmp_path: Path) -> None:
    m = _measure(demo_report, tmp_path)
    deployment = m["deploymentRows"]
    assert deployment, "the deployment section lists its evidence"
    for row in deployment:
        assert m["otherRows"].count(row) == 1, f"shown more than once: {row}"


@pytest.mark.parametrize("width", [WIDTH, 800, 640])
def test_table_headers_do_not_break_mid_word(demo_report: Path, tmp_path: Path, width: int) -> None:
    m = _measure(demo_report, tmp_path, size=f"{width},{HEIGHT}")
    assert m["brokenHeaderWords"] == []


@pytest.fixture
def fleet_page(tmp_path: Path, failing_report: Report, passing_report: Report) -> Path:
    """One page of three deployments, as `gcready audit --config` of a fleet writes it."""
    fleet = Fleet(
        (
            FleetMember("prod", passing_report),
            FleetMember("staging eu-west-1 (acme-wandb-artifacts)", failing_report),
            FleetMember("lab", passing_report),
        ),
        "0.1.0",
        "2026-12-01T00:00:00Z",
    )
    out = tmp_path / "fleet.html"
    out.write_text(render_fleet(fleet, Format.HTML), encoding="utf-8")
    return out


@pytest.mark.parametrize("page", ["demo_report", "history_page", "fleet_page", "hostile_report"])
def test_nothing_scrolls_sideways_at_360px(page: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    m = _measure(request.getfixturevalue(page), tmp_path, narrow=NARROW)
    assert m["viewport"][0] == NARROW, "the page was not laid out at the narrow width"
    assert m["scrollWidth"] <= NARROW, f"the page is {m['scrollWidth']}px wide"
    assert m["brokenHeaderWords"] == [] and m["brokenLabels"] == []


@pytest.mark.parametrize("page", ["demo_report", "fleet_page"])
def test_copy_buttons_stay_on_screen_at_360px(
    page: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    m = _measure(request.getfixturevalue(page), tmp_path, narrow=NARROW)
    copies = m["copies"]
    assert copies and all(c["shown"] for c in copies), copies
    for c in copies:  # whole, inside the screen, and big enough to tap
        assert c["box"]["left"] >= 0 and c["box"]["right"] <= NARROW, c
        assert c["box"]["right"] - c["box"]["left"] >= 40 and c["box"]["bottom"] - c["box"]["top"] >= 18, c


def test_the_requirements_table_stacks_at_360px(demo_report: Path, tmp_path: Path) -> None:
    """Each requirement row becomes a card whose cells are labelled, so no column is lost."""
    wide = _measure(demo_report, tmp_path)
    narrow = _measure(demo_report, tmp_path, narrow=NARROW)
    assert wide["requirements"]["header"] and not narrow["requirements"]["header"]
    assert narrow["requirements"]["labels"] == [
        "Deployment type",
        "Env var GORILLA_ARTIFACT_GC_ENABLED=true",
        "Bucket versioning",
        "Note",
    ]
    assert narrow["requirements"]["width"] <= NARROW


def test_dark_mode_follows_the_system(demo_report: Path, tmp_path: Path) -> None:
    light = _measure(demo_report, tmp_path)
    dark = _measure(demo_report, tmp_path, flags=("--force-dark-mode",))
    if not dark["dark"]:
        pytest.skip("this Chromium does not report prefers-color-scheme: dark with --force-dark-mode")
    assert light["background"] == "rgb(255, 255, 255)"
    assert dark["background"] != light["background"]


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_prints_with_every_fold_open(demo_report: Path, tmp_path: Path) -> None:
    """Printed without scripts, the passes and skips still print: the print stylesheet opens the folds."""
    source = demo_report.read_text()
    assert "details::details-content" in source
    no_script = tmp_path / "no-script.html"
    no_script.write_text(re.sub(r"<script>.*?</script>", "", source, flags=re.S))
    folded = tmp_path / "folded.html"  # the same page without the print rule that opens the folds
    folded.write_text(no_script.read_text().replace("details::details-content", "details::x-none"))
    sizes = {}
    for page in (no_script, folded):
        pdf = tmp_path / f"{page.stem}.pdf"
        _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        sizes[page.stem] = _pages(data)
    assert sizes["no-script"] > sizes["folded"] >= 1, sizes


def test_screenshot_at_1280x800(demo_report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    _chromium(tmp_path, f"--screenshot={shot}", demo_report.as_uri(), size=f"{WIDTH},{HEIGHT}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (WIDTH, HEIGHT)
    keep = Path(__file__).resolve().parents[2] / ".cache" / "html-demo-1280x800.png"
    keep.parent.mkdir(exist_ok=True)
    keep.write_bytes(data)  # for a person to look at (not committed)
