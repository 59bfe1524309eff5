"""YAML as Helm and kubectl read it (YAML 1.1 scalars), with the line of every key and item."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gcready.goparse import parse_bool
from gcready.sources import collect
from gcready.sources.yamldocs import MAX_ALIAS_NODES, MAX_DEPTH, key_line, load_documents, read_documents
from tests.conftest import REPO, run_gcready


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
    (doc,) = load_documents("m.yaml", "base: &b {x: 1}\nchild:\n  <<: *b\n  z: 2\n")
    assert doc.data["child"] == {"x": 1, "z": 2}


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


def test_a_broken_document_is_an_error_for_itself_only() -> None:
    text = "a: 1\n---\nb: [unclosed\nc: 2\n---\n# Source: chart/templates/cm.yaml\nd: 3\n"
    read = read_documents("multi.yaml", text)
    assert [d.data for d in read.docs] == [{"a": 1}, {"d": 3}]
    (error,) = read.errors
    assert error.source == "multi.yaml" and error.line == 4
    assert "not valid YAML" in error.message
    assert read.docs[1].line == 7  # lines stay those of the whole file
    assert read.docs[1].template == "chart/templates/cm.yaml"


def test_broken_document_beside_good_ones_in_a_manifest(tmp_path: Path) -> None:
    good = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wandb\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: app\n          image: wandb/local:0.60.0\n          env:\n"
        "            - name: GORILLA_ARTIFACT_GC_ENABLED\n              value: 'true'\n"
    )
    path = tmp_path / "rendered.yaml"
    path.write_text("kind: ConfigMap\napiVersion: v1\ndata: {a: [}\n---\n" + good)
    evidence = collect([str(path)])
    (error,) = evidence.errors
    assert (error.source, error.line) == (str(path), 3)
    (app,) = evidence.components
    flag = app.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "true"


def test_source_comment_names_the_template_of_each_document() -> None:
    text = "---\n# Source: operator-wandb/templates/a.yaml\nkind: A\n---\nkind: B\n---\n# Source: x/b.yaml\nkind: C\n"
    read = read_documents("r.yaml", text)
    assert [d.template for d in read.docs] == ["operator-wandb/templates/a.yaml", None, "x/b.yaml"]


LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_is_refused_quickly_naming_file_and_limit() -> None:
    started = time.monotonic()
    read = read_documents("laughs.yaml", LAUGHS)
    assert time.monotonic() - started < 2
    assert read.docs == ()
    (error,) = read.errors
    assert error.source == "laughs.yaml" and error.line is not None
    assert f"{MAX_ALIAS_NODES:,}" in error.message and "aliases" in error.message


def test_billion_laughs_through_the_cli_is_one_input_error_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    run = run_gcready("audit", str(path), "--offline", "--json", str(tmp_path / "r.json"))
    assert run.code == 2
    assert "Traceback" not in run.stderr + run.stdout
    assert f"{path}:" in run.stdout + run.stderr
    assert (tmp_path / "r.json").stat().st_size < 200_000


def test_moderate_aliases_are_read() -> None:
    (doc,) = load_documents("ok.yaml", "base: &b {x: [1, 2, 3]}\none: *b\ntwo: *b\nthree: {<<: *b, z: 1}\n")
    assert doc.data["two"] == {"x": [1, 2, 3]}
    assert doc.data["three"] == {"x": [1, 2, 3], "z": 1}


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
        "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 2)) + "  " * (MAX_DEPTH + 2) + "v: 1\n",
        "deep: &d " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\nmore: [[[*d]]]\n",
        "a: &a [1, *a]\n",
    ],
    ids=["flow", "block", "alias-deepens", "recursive-alias"],
)
def test_nesting_beyond_the_limit_and_recursive_aliases_are_errors(text: str) -> None:
    read = read_documents("deep.yaml", text)
    (error,) = read.errors
    assert error.source == "deep.yaml"
    assert str(MAX_DEPTH) in error.message or "contains it" in error.message


def _realworld_yaml() -> list[Path]:
    for base in (REPO.parent, REPO.parent.parent):
        root = base / "shared" / "realworld"
        if root.is_dir():
            return sorted(
                p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".snap") and p.is_file()
            )
    return []


def test_limits_leave_every_realworld_yaml_file_alone() -> None:
    files = _realworld_yaml()
    if not files:
        pytest.skip("shared/realworld (W&B's published charts) is not beside the repository")
    refused = []
    for path in files:
        text = path.read_text(errors="replace")
        if "{{" in text:
            continue  # a chart template, not YAML until Helm renders it
        for error in read_documents(str(path), text).errors:
            if "limit" in error.message or "contains it" in error.message:
                refused.append(str(error))
    assert not refused


def test_alias_budget_is_per_file_not_per_document() -> None:
    # each document alone stays under the limit; together they would not
    one = "a: &a [" + ", ".join(["x"] * 999) + "]\nb: [" + ", ".join(["*a"] * 30) + "]\n"
    per_doc = 30 * 1000
    assert per_doc < MAX_ALIAS_NODES
    count = MAX_ALIAS_NODES // per_doc + 1
    read = read_documents("many.yaml", "---\n".join([one] * count))
    (error,) = read.errors
    assert "limit" in error.message
    assert len(read.docs) < count


def test_a_forbidden_character_is_one_line_naming_its_line_and_the_rest_is_read() -> None:
    text = "a: 1\n---\nb: 'x\fy'\n---\n# Source: t.yaml\nc: 1\n"
    read = read_documents("ff.yaml", text)
    (error,) = read.errors
    assert error.line == 3 and "\n" not in error.message
    assert [(d.line, d.template) for d in read.docs] == [(1, None), (6, "t.yaml")]


def test_lines_follow_yaml_line_breaks() -> None:
    text = "a: 'x\u2028y'\n---\n# Source: t.yaml\nc: [\n"
    read = read_documents("ls.yaml", text)
    (doc,) = read.docs
    assert doc.line == 1
    (error,) = read.errors
    assert error.line is not None and error.line >= 4
