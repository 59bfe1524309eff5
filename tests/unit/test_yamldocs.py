"""YAML as Helm and kubectl read it (YAML 1.1 scalars), with the line of every key and item."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcready.goparse import parse_bool
from gcready.sources import collect
from gcready.sources.yamldocs import YAMLInputError, key_line, load_documents


def test_lines_of_keys_items_and_documents() -> None:
    docs = load_documents("x.yaml", "a: 1\nb:\n  - x\n  - y\n---\nc: {d: 2}\n")
    first, second = docs
    assert (first.line, second.line) == (1, 6)
    assert key_line(first.data, "b") == 2
    assert key_line(first.data["b"], 1) == 4
    assert key_line(second.data["c"], "d") == 6


def test_duplicate_key_is_an_input_error_with_its_line() -> None:
    with pytest.raises(YAMLInputError) as caught:
        load_documents("dup.yaml", "global:\n  host: a\n  host: b\n")
    assert caught.value.error.line == 3
    assert "duplicate key" in caught.value.error.message


def test_merge_keys_and_aliases() -> None:
    (doc,) = load_documents("m.yaml", "base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n")
    assert doc.data["child"] == {"x": 1, "y": 2}


@pytest.mark.parametrize(("written", "server_reads_true"), [("yes", True), ('"yes"', False), ("true", True)])
def test_helm_values_flag_as_helm_renders_it(tmp_path: Path, written: str, server_reads_true: bool) -> None:
    # Helm parses values as YAML 1.1: an unquoted yes is the boolean true, rendered "true";
    # a quoted "yes" is a string the Go server does not accept.
    values = tmp_path / "values.yaml"
    values.write_text(f"global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: {written}\n")
    evidence = collect([str(values)])
    app = next(c for c in evidence.components if c.name.startswith("app"))
    value = app.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert value is not None and value.value is not None
    assert (parse_bool(value.value) is True) is server_reads_true
