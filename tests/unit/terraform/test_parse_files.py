"""Parsing many files at once: on several CPUs the parses, their lines, their order and their errors are
the same as one file after another, and the cache is used and filled the same way."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gcready.sources.terraform.hcl import ParsedFile, TerraformError, _HCLError, parse_files
from tests.conftest import REPO

BUCKET = """
resource "aws_s3_bucket" "files_{n}" {{
  bucket = "acme-${{var.env}}-{n}"
  tags   = merge({{ team = "ml" }}, var.tags)
}}
"""
BROKEN = 'resource "aws_s3_bucket" "x" {\n  bucket = \n}\n'


def _items(count: int, broken_at: int | None = None) -> list[tuple[str, str]]:
    items = [(f"m{n}/main.tf", BUCKET.format(n=n) * (n % 5 + 1)) for n in range(count)]
    if broken_at is not None:
        items[broken_at] = (f"m{broken_at}/main.tf", BROKEN)
    return items


def _shape(got: ParsedFile | TerraformError) -> object:
    if isinstance(got, ParsedFile):
        return (got.path, got.data, got.lines)
    return (type(got).__name__, str(got), getattr(got, "line", None))


def test_parallel_parses_equal_sequential_ones_in_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from gcready.sources.terraform import hcl

    if threading.active_count() > 1 and not os.environ.get("GCREADY_TEST_ALONE"):
        # gcready never forks while other threads run (a full test session has some): so this test runs
        # in a process of its own, where the parallel path is really taken
        node = f"{Path(__file__).resolve()}::test_parallel_parses_equal_sequential_ones_in_input_order"
        env = {**os.environ, "GCREADY_TEST_ALONE": "1", "PYTHONPATH": str(REPO / "src")}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
        return

    monkeypatch.setenv("GCREADY_CACHE", "off")
    items = _items(30, broken_at=17)
    one = parse_files(items, workers=1)
    calls: list[int] = []
    parallel = hcl._parse_in_parallel

    def counted(*args: object) -> object:
        calls.append(1)
        return parallel(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(hcl, "_parse_in_parallel", counted)
    two = parse_files(items, workers=2)
    assert calls == [1]  # the parses below did come from a worker and this process
    assert [_shape(g) for g in two] == [_shape(g) for g in one]
    assert [g.path for g in two if isinstance(g, ParsedFile)] == [p for p, _ in items if p != "m17/main.tf"]
    broken = two[17]
    assert isinstance(broken, _HCLError) and broken.line == 2, broken
    assert "not valid HCL" in str(broken)
    assert two[4].data["resource"][0]["aws_s3_bucket"]["files_4"]["bucket"] == "acme-${var.env}-4"  # type: ignore[union-attr]


def test_parallel_parses_fill_and_then_use_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCREADY_CACHE", str(tmp_path))
    items = _items(20)
    first = parse_files(items, workers=2)
    stored = list(tmp_path.rglob("*.json"))
    assert len(stored) == len({text for _, text in items})
    for entry in stored:
        entry.write_text(entry.read_text().replace("acme-", "cached-"))  # a hit is visible in the result
    again = parse_files(items, workers=2)
    assert [g.path for g in again if isinstance(g, ParsedFile)] == [p for p, _ in items]
    bucket = again[3].data["resource"][0]["aws_s3_bucket"]["files_3"]["bucket"]  # type: ignore[union-attr]
    assert bucket == "cached-${var.env}-3"
    assert [g.lines for g in again] == [g.lines for g in first]  # type: ignore[union-attr]


def test_without_a_worker_the_files_are_parsed_one_after_another(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that cannot start (a process limit) leaves the parses as they are, in this process."""
    import concurrent.futures

    class NoWorkers:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise OSError("Resource temporarily unavailable")

    monkeypatch.setenv("GCREADY_CACHE", "off")
    items = _items(20, broken_at=3)
    want = [_shape(g) for g in parse_files(items, workers=1)]
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", NoWorkers)
    assert [_shape(g) for g in parse_files(items, workers=2)] == want


def test_a_process_running_threads_is_not_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forking a process that runs threads can deadlock the child: such a process parses by itself."""
    import concurrent.futures
    import threading

    class Forbidden:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("a worker was started beside a running thread")

    monkeypatch.setenv("GCREADY_CACHE", "off")
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Forbidden)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        got = parse_files(_items(20), workers=2)
    finally:
        stop.set()
        thread.join()
    assert len(got) == 20 and all(isinstance(g, ParsedFile) for g in got)
