"""Parsing many files at once: on several CPUs the parses, their lines, their order and their errors are
the same as one file after another, and the cache is used and filled the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcready.sources.terraform.hcl import ParsedFile, TerraformError, _HCLError, parse_files

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
    monkeypatch.setenv("GCREADY_CACHE", "off")
    items = _items(30, broken_at=17)
    one = parse_files(items, workers=1)
    two = parse_files(items, workers=2)
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
