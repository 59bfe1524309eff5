"""The HTML report in a real browser (Debian's headless Chromium), built from hostile inputs.

File names, env values and bucket names are user text: an audit of them must not run their script,
must wrap their long unbroken values, and must show bidi controls as ``\\u202e`` rather than obey them.
``scripts/install-test-servers.sh`` installs ``chromium``; where it cannot, these tests skip and say so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_gcready

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (scripts/install-test-servers.sh installs it with apt-get)",
)

MARK = "data-pwned"
IMG = f"\"><img src=x onerror=\"document.documentElement.setAttribute('{MARK}','img')\">"
SCRIPT = f"<script>document.title='PWNED';document.documentElement.setAttribute('{MARK}','script')</script>"
LONG = "s3-" + "x" * 1500  # no break point anywhere
RLO = "\u202e"
# Measures the page after layout; appended to a copy of the report only (the report's CSP allows inline
# scripts, which is exactly why its data must never become one).
PROBE = (
    "<script>var d=document.documentElement;"
    "d.setAttribute('data-overflow', String(d.scrollWidth - d.clientWidth));"
    "d.setAttribute('data-title', document.title);</script>"
)


def with_probe(report: str, probe: str) -> str:
    """A copy of the page with a test's measuring script added before ``</body>``.

    The report's CSP allows only its own script (by hash), so the copy allows inline scripts: what such a
    test checks is the escaping, which must hold by itself (the CSP is tested on the unchanged page).
    """
    relaxed = re.sub(r"script-src 'sha256-[^']*'", "script-src 'unsafe-inline'", report)
    assert relaxed != report, "the report's CSP no longer names its script by hash"
    return relaxed.replace("</body>", probe + "</body>")


def _chromium(tmp_path: Path, *args: str, size: str = "900,1600") -> str:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--window-size={size}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`gcready audit --html` of a folder whose names and values are attacks."""
    folder = tmp_path_factory.mktemp("hostile")
    env = folder / f"wandb{IMG}.env"
    env.write_text(
        f"GORILLA_ARTIFACT_GC_ENABLED={SCRIPT}\n"
        f"GORILLA_DATA_RETENTION_PERIOD={LONG}\n"
        f"GORILLA_ONPREM=true\n"
        f"BUCKET=s3://minio.lab:9000/wandb-{RLO}selif\n",
        encoding="utf-8",
    )
    out = folder / "report.html"
    # a process of its own, as a user runs it (in-process runs share the secret ledger of earlier tests)
    result = run_gcready(
        "audit",
        "--offline",
        "--no-environment",
        str(env),
        "--bucket",
        f"s3://{LONG}",
        "--html",
        str(out),
        "--format",
        "json",
        "-o",
        str(folder / "report.json"),
    )
    assert result.code in (3, 5), result.stderr
    report = json.loads((folder / "report.json").read_text())
    shown = json.dumps(report)
    assert "PWNED" in shown and LONG in shown  # the payloads really are in the report's data
    return out


def test_no_script_from_the_data_runs(hostile_report: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(with_probe(hostile_report.read_text(), PROBE))
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert 'data-title="gcready: ' in dom  # the probe ran, so scripts do run in this page
    assert 'data-title="PWNED' not in dom and MARK + "=" not in dom
    assert "<img" not in dom  # the payload is text, not an element
    assert "&lt;script&gt;document.title='PWNED'" in dom or "&lt;script&gt;document.title=&#39;PWNED" in dom


def test_long_values_wrap(hostile_report: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(with_probe(hostile_report.read_text(), PROBE))
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert LONG in dom.replace("\n", "")
    assert 'data-overflow="0"' in dom, "the page scrolls sideways: a long value does not wrap"


def test_bidi_controls_are_shown_escaped(hostile_report: Path, tmp_path: Path) -> None:
    dom = _chromium(tmp_path, "--dump-dom", hostile_report.as_uri())
    assert RLO not in dom
    assert "wandb-\\u202eselif" in dom


def test_screenshot(hostile_report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--screenshot={shot}", hostile_report.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width == 900  # the window asked for (overflow itself is measured in test_long_values_wrap)
    keep = Path(__file__).resolve().parents[2] / ".cache" / "html-report-screenshot.png"
    keep.parent.mkdir(exist_ok=True)
    keep.write_bytes(data)  # for a person to look at (not committed)


def test_fix_labels_stay_whole_beside_a_long_title(hostile_report: Path, tmp_path: Path) -> None:
    """A fix titled with a long file name wraps its title, not its kind label or its copy button."""
    from tests.report.test_html_layout import _measure

    m = _measure(hostile_report, tmp_path, size="900,1600")
    assert m["brokenLabels"] == [] and m["brokenHeaderWords"] == []
    assert m["overflow"] == 0


def test_the_csp_runs_the_reports_own_script_and_no_other(hostile_report: Path, tmp_path: Path) -> None:
    """Were escaping ever to fail, an injected script would still not run: the CSP names the report's
    one script by its hash. The page is unchanged but for that injected script."""
    source = hostile_report.read_text()
    assert "unsafe-inline'" not in source.split("script-src", 1)[1].split('"', 1)[0]
    injected = "<script>document.title='INJECTED';document.body.setAttribute('data-ran','yes')</script>"
    page = tmp_path / "page.html"
    page.write_text(source.replace("</body>", injected + "</body>"))
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert 'data-ran="yes"' not in dom and "<title>INJECTED" not in dom
    # the report's own script ran under the same policy: its copy buttons are shown
    buttons = re.findall(r'<button[^>]*class="copy"[^>]*>', dom)
    assert buttons and not any("hidden" in b for b in buttons), buttons
