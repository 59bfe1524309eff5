"""The parse cache: a cached parse is the same parse; a broken or disabled cache changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcready.sources.terraform.hcl import _cache_key, _parse_hcl, _parse_uncached

TEXT = """
resource "aws_s3_bucket" "files" {
  bucket = "acme-${var.env}-wandb"
  lifecycle_rule {
    enabled = true
  }
}
locals {
  env = merge({ A = "1" }, var.extra)
}
"""


def test_a_cached_parse_is_the_same_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCREADY_CACHE", str(tmp_path))
    first = _parse_hcl("main.tf", TEXT)
    stored = list(tmp_path.rglob("*.json"))
    assert len(stored) == 1 and stored[0].stem == _cache_key(TEXT)
    again = _parse_hcl("other/main.tf", TEXT)
    fresh = _parse_uncached("main.tf", TEXT)
    assert again.path == "other/main.tf"
    assert again.data == first.data == fresh.data
    assert again.lines == fresh.lines
    assert again.line("resource", "aws_s3_bucket", "files", "bucket") == 3


def test_a_broken_cache_entry_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCREADY_CACHE", str(tmp_path))
    _parse_hcl("main.tf", TEXT)
    [stored] = list(tmp_path.rglob("*.json"))
    stored.write_text("{not json")
    assert _parse_hcl("main.tf", TEXT).data == _parse_uncached("main.tf", TEXT).data


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCREADY_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _parse_hcl("main.tf", TEXT)
    assert not list(tmp_path.rglob("*"))


def test_the_cache_is_readable_by_its_user_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached parse holds what the .tf file holds (a license, a password): no other user may read it."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("GCREADY_CACHE", str(folder))
    _parse_hcl("main.tf", TEXT)
    assert folder.stat().st_mode & 0o077 == 0
    for entry in folder.rglob("*"):
        assert entry.stat().st_mode & 0o077 == 0, entry


def test_a_heredoc_means_the_same_once_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached parse keeps text only: a heredoc inside an expression is kept as a quoted template (not its
    bare lines, which would read as names), and a whole heredoc keeps its last newline, as Terraform's."""
    from gcready.sources.terraform.expr import NoNames, evaluate

    monkeypatch.setenv("GCREADY_CACHE", str(tmp_path))
    text = 'a = <<EOT\ntrue\nEOT\nb = trimspace(<<EOT\n  false value\nEOT\n)\nc = "${<<EOT\nq\nEOT\n}"\n'
    _parse_hcl("main.tf", text)
    cached = _parse_hcl("main.tf", text).data
    assert cached["a"] == "true\n"
    assert type(cached["b"]) is str and evaluate(cached["b"][2:-1], NoNames()) == "false value"
    assert evaluate(cached["c"][2:-1], NoNames()) == "q\n"
