"""The one-walk conversion of python-hcl2's parse tree (``tree.py``) against python-hcl2's own rule
classes: the same values for every ``.tf`` / ``.tfvars`` file at hand (the fixtures, W&B's published
repositories), every expression of the evaluator's table, and shapes written to be awkward."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest
from lark.exceptions import VisitError

from gcready.sources.terraform.hcl import _heredoc_markers, _parse_uncached, reference_values
from gcready.sources.terraform.tree import Unsupported, body_values
from tests.conftest import FIXTURES, REPO
from tests.unit.terraform.test_expr_table import TABLE

REALWORLD = next(
    (
        p
        for p in (REPO.parent / "shared" / "realworld", REPO.parent.parent / "shared" / "realworld")
        if p.is_dir()
    ),
    REPO.parent / "shared" / "realworld",
)


def _files() -> list[Path]:
    found = [
        p for top in (FIXTURES, REALWORLD) for p in sorted(top.rglob("*")) if p.suffix in (".tf", ".tfvars")
    ]
    return [p for p in found if p.is_file()]


def _tree(text: str) -> Any:
    return hcl2.parses_to_tree(_heredoc_markers(text))


def _parses(text: str) -> bool:
    try:
        _tree(text)
    except Exception:
        return False
    return True


FILES = [p for p in _files() if _parses(p.read_text(encoding="utf-8-sig"))]

AWKWARD = [
    "x = ({ a = 1 })\ny = (var.a)\nz = -var.n\nw = !true\nv = -3\nu = -(2)\n",
    'o = { (var.k) = 1, "q" = 2, 3 = 4, 1.5 = 5, true = 6, in = 7, a.b = 8, "${x}" = 9, __hidden = 10 }\n',
    'o = { "\\"quoted\\"" = 1, for = 2 }\nt = [for k, v in var.m : "${k}=${v}" if v != null]\n',
    'm = { for k, v in var.m : upper(k) => { a = v }... if k != "" }\nn = [for x in var.l : x]\n',
    's = "a\\tb ${var.x} $${lit} %%{lit} \\u00e9 \\q"\n',
    's = "%{ if var.on ~}on\\t%{~ else }off%{ endif } %{for k, v in var.m}${k}\\n%{endfor}"\n',
    's = "stray %{endif} and %{else}"\n',
    'h = <<EOT\n  keep \\n "this"\nEOT\nt = <<-EOT\n    a "q" \\\\\n      b\n\n    c\n  EOT\n',
    'f = 1e3\ng = 2.5E-2\ni = "${1e3}"\nj = [1e3, { k = 1e3 }]\n',
    "c = var.a ? var.b : var.c\nd = var.x == 1 && var.y || !var.z\ne = 1 +\n  2\n",
    'f = provider::aws::arn_parse("x")\ng = merge(var.a, { b = 1 }, [1, 2]...)\nh = f()\n',
    'i = a.b[0].c[*].d\nj = a.*.b[1]\nk = a[*]\nl = a.0.b\nm = a["k"].null.true\n',
    'resource "a" "b" {\n  x = 1\n  inner {\n    y = 2\n  }\n  inner {\n    y = 3\n  }\n  dynamic "d" {\n    for_each = var.l\n    content { z = d.value }\n  }\n}\n',
    'block "lab\\"el" "x" {\n}\nin {\n}\nlocals {\n  a = "${"${var.x}"}"\n  b = [for x in var.l : { (x) = x }]\n}\n',
]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_every_file_converts_as_python_hcl2_serialises_it(path: Path) -> None:
    tree = _tree(path.read_text(encoding="utf-8-sig"))
    assert body_values(tree) == reference_values(tree)


def test_there_are_files_to_compare() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_shapes_convert_as_python_hcl2_serialises_them(text: str) -> None:
    tree = _tree(text)
    assert body_values(tree) == reference_values(tree)


@pytest.mark.parametrize("expr", [row[0] for row in TABLE])
def test_every_table_expression_converts_as_python_hcl2_serialises_it(expr: str) -> None:
    tree = _tree(f"x = {expr}\ny = [{expr}]\nz = {{ k = {expr} }}\nw = f({expr})\n")
    try:
        want = reference_values(tree)
    except VisitError:  # python-hcl2 rejects it (an unclosed directive): so does the walk
        with pytest.raises(Unsupported):
            body_values(tree)
        return
    except TypeError:  # python-hcl2's serialiser fails on a valid expression: see the test below
        assert expr.startswith("{ for ") and str(body_values(tree)["x"]).startswith("${{for ")
        return
    assert body_values(tree) == want


def test_a_for_object_of_numbers_is_read_where_python_hcl2_serialiser_fails() -> None:
    """python-hcl2 8.1.4 raises a TypeError serialising ``{ for … : k => 1 }`` (it adds an int to a str);
    Terraform accepts it, and the walk gives its expression text, which the evaluator evaluates."""
    tree = _tree('x = { for s in ["a", "b"] : s => 1 }\n')
    with pytest.raises(TypeError):
        reference_values(tree)
    assert body_values(tree) == {"x": '${{for s in ["a", "b"] : s => 1}}'}


def test_an_open_template_directive_is_left_to_python_hcl2() -> None:
    """python-hcl2 rejects an ``%{if}`` with no ``%{endif}``: the walk does not accept it either, so the
    file is still not valid HCL."""
    text = 'x = "%{ if var.on }open"\n'
    with pytest.raises(Unsupported):
        body_values(_tree(text))
    with pytest.raises(Exception, match="not valid HCL"):
        _parse_uncached("main.tf", text)


def test_the_parser_without_positions_gives_the_same_values_and_lines() -> None:
    """Lines come from the tokens: the parser without Lark's position tracking gives every file the same
    values and the same line of each block, attribute and key as python-hcl2's own parser."""
    from hcl2.parser import parser as hcl2_parser

    from gcready.sources.terraform.hcl import _line_index, parse_tree, parser

    assert parser().options.propagate_positions is False  # the fast path is the one in use here
    for path in FILES:
        text = _heredoc_markers(path.read_text(encoding="utf-8-sig"))
        ours, theirs = parse_tree(text), hcl2_parser().parse(text + "\n")
        assert body_values(ours) == reference_values(theirs), path
        assert _line_index(ours) == _line_index(theirs), path


def test_a_grammar_cache_that_does_not_match_is_not_used(tmp_path: Path) -> None:
    """A grammar cache whose checksum is not the one Lark computes for python-hcl2's parser (another
    grammar, another Lark) is never loaded: python-hcl2's own parser is used instead."""
    import hcl2.parser as hcl2_parser

    from gcready.sources.terraform.hcl import _unpositioned

    original = Path(str(hcl2_parser.PARSER_FILE)).read_bytes()
    stale = tmp_path / ".lark_cache.bin"
    stale.write_bytes(b"0" * 64 + original[original.index(b"\n") :])
    assert _unpositioned(str(stale), hcl2_parser.__file__) is None
    copy = tmp_path / "copy.bin"
    copy.write_bytes(original)
    assert _unpositioned(str(copy), hcl2_parser.__file__) is None  # the checksum names the file it is for
    loaded = _unpositioned(str(hcl2_parser.PARSER_FILE), hcl2_parser.__file__)
    assert loaded is not None and loaded.options.propagate_positions is False
