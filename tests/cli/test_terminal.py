"""On a terminal: a progress bar on stderr for probes and long Terraform trees, colour unless NO_COLOR.
Redirected: neither. The terminal here is a real pseudo-terminal the command writes to."""

from __future__ import annotations

import json
import os
import pty
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import BUNDLE, VALUES
from tests.conftest import REPO

ANSI = re.compile(r"\x1b\[")
BASE = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
# Credentials for the probe's client (never used: the endpoint refuses the connection); no metadata lookups.
AWS = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "example",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def on_terminal(
    args: list[str], *, env: dict[str, str] | None = None, stdout_too: bool = False
) -> tuple[int, str]:
    """Run gcready with stderr (and stdout, if asked) on a pseudo-terminal; what the terminal showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gcready", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave if stdout_too else subprocess.DEVNULL,
        stderr=slave,
        env={**BASE, "PYTHONPATH": str(REPO / "src"), **(env or {})},
    )
    os.close(slave)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(timeout=120), shown.decode("utf-8", "replace")


def redirected(args: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gcready", *args],
        capture_output=True,
        text=True,
        env={**BASE, "PYTHONPATH": str(REPO / "src"), **(env or {})},
        timeout=120,
        check=False,
    )


def terraform_tree(folder: Path, files: int) -> str:
    folder.mkdir()
    for i in range(files):
        (folder / f"bucket_{i:02}.tf").write_text(
            f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "acme-{i}"\n}}\n'
        )
    return str(folder)


def refused_endpoint() -> str:
    """A loopback port nothing listens on: a probe there fails at once, without any network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_long_terraform_tree_shows_its_progress_on_a_terminal(tmp_path: Path) -> None:
    tree = terraform_tree(tmp_path / "tf", 25)
    code, shown = on_terminal(["audit", tree, "--offline", "-q", "-o", str(tmp_path / "r.txt")])
    assert code in (3, 5), shown
    assert "reading Terraform" in shown
    assert re.search(r"\b26/26\b", shown), shown  # 25 files, then the one root
    assert "Traceback" not in shown


def test_a_short_terraform_tree_shows_no_progress(tmp_path: Path) -> None:
    tree = terraform_tree(tmp_path / "tf", 5)
    code, shown = on_terminal(["audit", tree, "--offline", "-q", "-o", str(tmp_path / "r.txt")])
    assert code in (3, 5)
    assert shown == ""


def test_no_progress_when_stderr_is_redirected(tmp_path: Path) -> None:
    tree = terraform_tree(tmp_path / "tf", 25)
    done = redirected(["audit", tree, "--offline", "-q", "-o", str(tmp_path / "r.txt")])
    assert done.returncode in (3, 5)
    assert done.stderr == ""
    args = ["audit", tree, "-q", "--bucket", "s3://acme-files", "--endpoint-url", refused_endpoint()]
    done = redirected([*args, "--retries", "0", "--timeout", "2", "-o", str(tmp_path / "r2.txt")], env=AWS)
    assert done.returncode == 5
    assert done.stderr == ""


def test_probes_show_their_progress_on_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = ["audit", str(tmp_path), "--bucket", "s3://acme-files", "--bucket", "s3://acme-logs"]
    args += [
        "--endpoint-url",
        refused_endpoint(),
        "--retries",
        "0",
        "--timeout",
        "2",
        "-q",
        "--format",
        "json",
    ]
    code, shown = on_terminal([*args, "-o", str(out)], env=AWS)
    assert code == 5, shown
    assert "probing buckets" in shown and re.search(r"\b2/2\b", shown), shown
    assert "reading Terraform" not in shown
    states = json.loads(out.read_text())["findings"]
    assert any(f["status"] == "unknown" for f in states)  # the refused probes are unknown, never a pass


@pytest.fixture
def ready(tmp_path: Path) -> list[str]:
    values, bundle = tmp_path / "values.yaml", tmp_path / "bucket.bundle.json"
    values.write_text(VALUES)
    bundle.write_text(json.dumps(BUNDLE))
    return [str(values), str(bundle)]


def test_the_text_report_is_coloured_on_a_terminal_unless_no_color(ready: list[str]) -> None:
    code, shown = on_terminal(["audit", *ready, "--offline"], stdout_too=True)
    assert code == 0
    assert "\x1b[32m[PASS]\x1b[0m" in shown  # green, through click.style
    code, shown = on_terminal(["audit", *ready, "--offline"], env={"NO_COLOR": "1"}, stdout_too=True)
    assert code == 0 and "[PASS]" in shown
    assert not ANSI.search(shown)
    code, shown = on_terminal(["audit", *ready, "--offline", "--no-color"], stdout_too=True)
    assert code == 0 and not ANSI.search(shown)
