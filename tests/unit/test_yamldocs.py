"""YAML as Helm and kubectl read it (YAML 1.1 scalars), with the line of every key and item."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcready.goparse import parse_bool
from gcready.sources import collect
from gcready.sources.yamldocs import key_line, load_documents, read_documents


def test_lines_of_keys_items_and_documents() -> None:
    docs = load_documents("x.yaml", "a: 1\nb:\n  - x\n  - y\n---\nc: {d: 2}\n")
    first, second = docs
    assert (first.line, second.line) == (1, 6)
    assert key_line(first.data, "b") == 2
    assert key_line(first.data["b"], 1) == 4
    assert key_line(second.data["c"], "d") == 6


def test_repeated_key_the_later_wins_with_a_note_naming_its_line() -> None:
    # helm template writes such documents (operator-wandb's otel labels); Kubernetes reads them
    read = read_documents("dup.yaml", "global:\n  host: a\n  host: b\nother: 1\n")
    assert not read.errors
    (doc,) = read.docs
    assert doc.data["global"] == {"host": "b"}
    assert key_line(doc.data["global"], "host") == 3
    (note,) = doc.notes
    assert (note.origin.source, note.origin.line) == ("dup.yaml", 3)
    assert "'host'" in note.text and "line 2" in note.text


def test_repeated_key_in_a_file_is_a_note_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(
        "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'false'\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\n"
    )
    evidence = collect([str(path)])
    assert not evidence.errors
    assert any(n.origin.line == 4 and "repeated key" in n.text for n in evidence.notes)
    app = next(c for c in evidence.components if c.name.startswith("app"))
    flag = app.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "true"


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
