"""The Terraform evaluator against a table of expressions, and the same table against ``terraform console``.

Rows with a value are also sent to ``terraform console`` (one process, in an empty temporary folder, no
init), wrapped in one ``jsonencode([...])``: both must agree. Rows that are unknown (a variable with no
value) or an error Terraform reports (unknown to gcready, with the reason) are gcready-only.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from gcready.sources.terraform.expr import NoNames, evaluate
from gcready.sources.terraform.values import Unknown, Why
from tests.unit.terraform.engine import terraform

UNKNOWN = object()  # an input with no value: unknown, never a guess
ERROR = object()  # Terraform reports an error: unknown to gcready

TABLE: list[tuple[str, Any]] = [
    # literals
    ("1", 1),
    ("-3", -3),
    ("1.5", 1.5),
    ("2e3", 2000),
    ("true", True),
    ("false", False),
    ("null", None),
    ('"abc"', "abc"),
    ('"a\\"b"', 'a"b'),
    ('"tab\\there"', "tab\there"),
    ('"line\\nbreak"', "line\nbreak"),
    ('"\\u00e9"', "é"),
    ('"$${not}"', "${not}"),
    ('"%%{not}"', "%{not}"),
    # arithmetic
    ("1 + 2", 3),
    ("7 - 10", -3),
    ("6 * 7", 42),
    ("5 / 2", 2.5),
    ("4 / 2", 2),
    ("7 % 3", 1),
    ("-7 % 3", -1),
    ("0.1 + 0.2", 0.3),
    ("3 * 0.1", 0.3),
    ("2 + 3 * 4", 14),
    ("(2 + 3) * 4", 20),
    ("10 - 2 - 3", 5),
    ("-(1 + 1)", -2),
    ("1 / 0", ERROR),
    ('1 + "2"', 3),
    ('"x" + 1', ERROR),
    # comparison and logic
    ("1 == 1", True),
    ("1 == 1.0", True),
    ('1 == "1"', False),
    ('"a" == "a"', True),
    ("[1, 2] == [1, 2]", True),
    ("{a = 1} == {a = 1}", True),
    ("true != false", True),
    ("2 < 3", True),
    ("3 <= 3", True),
    ("4 > 5", False),
    ("5 >= 6", False),
    ("true && false", False),
    ("true || false", True),
    ("!true", False),
    ("!(1 > 2)", True),
    ("1 < 2 && 2 < 3", True),
    ("false || 1 == 1", True),
    ('1 < "a"', ERROR),
    # conditionals
    ("true ? 1 : 2", 1),
    ("false ? 1 : 2", 2),
    ('1 > 2 ? "big" : "small"', "small"),
    ("true ? [1] : []", [1]),
    ("false ? {a = 1} : {}", {}),
    ("true ? 1 : var.x", 1),
    ("false ? var.x : 2", 2),
    ("var.flag ? 1 : 2", UNKNOWN),
    # collections
    ("[]", []),
    ("[1, 2, 3]", [1, 2, 3]),
    ('[1, "a", true]', [1, "a", True]),
    ("{}", {}),
    ('{ a = 1, "b" = 2 }', {"a": 1, "b": 2}),
    ("{ a: 1, b: 2 }", {"a": 1, "b": 2}),
    ('{ ("k${1}") = 1 }', {"k1": 1}),
    ("{ a = { b = [5, 6] } }", {"a": {"b": [5, 6]}}),
    ("{ a = var.x }", {"a": UNKNOWN}),
    ("[var.x]", [UNKNOWN]),
    # index, attribute, splat
    ("[10, 20, 30][1]", 20),
    ('{ a = 1 }["a"]', 1),
    ("{ a = { b = [5, 6] } }.a.b[1]", 6),
    ("{ a = { b = [5, 6] } }.a.b.0", 5),
    ("[10][5]", ERROR),
    ("{ a = 1 }.b", ERROR),
    ("[{ a = 1 }, { a = 2 }][*].a", [1, 2]),
    ("[{ a = { b = 1 } }, { a = { b = 2 } }][*].a.b", [1, 2]),
    ("[[1, 2], [3]][*][0]", [1, 3]),
    ("var.list[0]", UNKNOWN),
    ("[1, 2][var.i]", UNKNOWN),
    # templates and heredocs
    ('"x-${1 + 1}-y"', "x-2-y"),
    ('"${"a"}${"b"}"', "ab"),
    ('"${true}"', True),
    ('"n=${true}"', "n=true"),
    ('"${1 / 4}"', 0.25),
    ('"v${1.5}"', "v1.5"),
    ('"${upper("a")}-${lower("B")}"', "A-b"),
    ('"${var.x}-suffix"', UNKNOWN),
    ('"${null}x"', ERROR),
    ("<<EOT\nhello\nEOT\n", "hello\n"),
    ("<<EOT\nhello ${1 + 1}\nworld\nEOT\n", "hello 2\nworld\n"),
    ("<<-EOT\n    indented\n      more\n    EOT\n", "indented\n  more\n"),
    ('<<EOT\nsay "hi"\nEOT\n', 'say "hi"\n'),
    ("chomp(<<EOT\ntrue\nEOT\n)", "true"),
    ('"${<<EOT\ntrue\nEOT\n}"', "true\n"),
    ('chomp("true\\n")', "true"),
    ('chomp("a\\n\\n\\r\\n")', "a"),
    ('chomp("a \\n")', "a "),
    ('chomp("a\\n b\\n")', "a\n b"),
    ("length(range(1024))", 1024),
    ("range(1025)", ERROR),
    ("length(range(100000000)) > 0", ERROR),
    ("range(0, 4096, 2)", ERROR),
    # template directives
    ('"%{if true}yes%{else}no%{endif}"', "yes"),
    ('"%{if 1 > 2}yes%{else}no%{endif}"', "no"),
    ('"%{if false}x%{endif}"', ""),
    ('"a %{ if true ~} x %{~ else } y %{ endif } b"', "a x b"),
    ('"%{ for v in [1, 2, 3] }[${v}]%{ endfor }"', "[1][2][3]"),
    ('"%{ for k, v in { b = 1, a = 2 } }${k}=${v};%{ endfor }"', "a=2;b=1;"),
    ('"%{ for v in ["x", "y"] ~} ${v} %{~ endfor }"', "xy"),
    ('"%{ for v in [] }x%{ endfor }none"', "none"),
    ('"%{ if var.x }a%{ endif }"', UNKNOWN),
    ('"%{ if true }unclosed"', ERROR),
    ('<<EOT\n%{ for s in ["a", "b"] ~}\n- ${s}\n%{ endfor ~}\nEOT\n', "- a\n- b\n"),
    # for expressions
    ('[for s in ["a", "b"] : upper(s)]', ["A", "B"]),
    ("[for i, v in [10, 20] : i + v]", [10, 21]),
    ("[for v in [1, 2, 3, 4] : v if v % 2 == 0]", [2, 4]),
    ("{ for k, v in { a = 1, b = 2 } : k => v * 10 }", {"a": 10, "b": 20}),
    ('{ for k, v in { b = 1, a = 2 } : "${k}${v}" => k }', {"a2": "a", "b1": "b"}),
    ('{ for s in ["a", "bb", "cc"] : length(s) => s... }', {"1": ["a"], "2": ["bb", "cc"]}),
    ("[for k, v in { b = 1, a = 2 } : k]", ["a", "b"]),
    ("[for s in var.list : s]", UNKNOWN),
    ('{ for s in ["a", "a"] : s => 1 }', ERROR),
    # merge, lookup, concat, coalesce
    ("merge({ a = 1 }, { b = 2 })", {"a": 1, "b": 2}),
    ("merge({ a = 1 }, { a = 2 })", {"a": 2}),
    ("merge({ a = 1 }, null)", {"a": 1}),
    ("merge()", {}),
    ('merge({ "X" = "1", Y = 2 }, {}, { Z = true })', {"X": "1", "Y": 2, "Z": True}),
    ("merge({ a = 1 }, var.m)", UNKNOWN),
    ("merge({ a = var.x }, { b = 1 })", {"a": UNKNOWN, "b": 1}),
    ('lookup({ a = 1 }, "a", 0)', 1),
    ('lookup({ a = 1 }, "b", 0)', 0),
    ('lookup({ a = 1 }, "b")', ERROR),
    ("concat([1], [2, 3])", [1, 2, 3]),
    ("concat([], [])", []),
    ('coalesce("", "b")', "b"),
    ('coalesce(null, "x", "y")', "x"),
    ('coalesce("", null)', ERROR),
    ("coalescelist([], [1])", [1]),
    # try and can
    ('try(lookup({}, "x"), "d")', "d"),
    ("try({ a = 1 }.a, 0)", 1),
    ("try({ a = 1 }.b, 0)", 0),
    ('can(lookup({}, "x"))', False),
    ("can([1][0])", True),
    ("try(var.x, 1)", UNKNOWN),
    # type conversions
    ('tomap({ a = "1" })', {"a": "1"}),
    ("tolist([1, 2])", [1, 2]),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ("tostring(1)", "1"),
    ("tostring(true)", "true"),
    ("tostring(1.5)", "1.5"),
    ('tonumber("42")', 42),
    ('tonumber("4.5")', 4.5),
    ('tobool("true")', True),
    ('tonumber("x")', ERROR),
    # encoders
    ("jsonencode({ b = 1, a = [true, null] })", '{"a":[true,null],"b":1}'),
    ('jsonencode("<&>")', '"\\u003c\\u0026\\u003e"'),
    ("jsonencode(0.5)", "0.5"),
    ('jsondecode("{\\"a\\": [1, 2]}")', {"a": [1, 2]}),
    ('yamlencode({ a = 1, b = "x" })', '"a": 1\n"b": "x"\n'),
    ("yamlencode({ c = [1, 2], d = { e = true } })", '"c":\n- 1\n- 2\n"d":\n  "e": true\n'),
    ("yamlencode({ f = null, g = [], h = {} })", '"f": null\n"g": []\n"h": {}\n'),
    ('yamlencode(["a", { b = 1 }])', '- "a"\n- "b": 1\n'),
    ('base64encode("hello")', "aGVsbG8="),
    ('base64decode("aGVsbG8=")', "hello"),
    # strings
    ('format("%s-%d", "a", 5)', "a-5"),
    ('format("%05.2f|%q|%v|%t", 3.14159, "x", true, false)', '03.14|"x"|true|false'),
    ('format("%x|%X|%o|%b", 255, 255, 8, 5)', "ff|FF|10|101"),
    ('format("%-4s|%4s|%%", "a", "b")', "a   |   b|%"),
    ('format("%d", 1.5)', ERROR),
    ('join("-", ["a", "b", "c"])', "a-b-c"),
    ('join(",", [])', ""),
    ('join("", ["a"], ["b"])', "ab"),
    ('split(",", "a,b,c")', ["a", "b", "c"]),
    ('split(",", "")', [""]),
    ('replace("hello world", "o", "0")', "hell0 w0rld"),
    ('replace("aaa", "/a+/", "b")', "b"),
    ('replace("wandb-files-7", "/-(\\\\d+)$/", "_$1")', "wandb-files_7"),
    ('lower("ABC")', "abc"),
    ('upper("abc")', "ABC"),
    ('upper("é")', "É"),
    ('title("hello world")', "Hello World"),
    ('trimspace("  x \\n")', "x"),
    ('trim("?!hi?!", "?!")', "hi"),
    ('trimprefix("wandb-x", "wandb-")', "x"),
    ('trimsuffix("x.tf", ".tf")', "x"),
    ('startswith("wandb", "wa")', True),
    ('endswith("wandb", "db")', True),
    ('substr("hello", 1, 3)', "ell"),
    ('substr("hello", -3, -1)', "llo"),
    ('strrev("abc")', "cba"),
    # collections functions
    ('length("héllo")', 5),
    ("length([1, 2])", 2),
    ("length({ a = 1 })", 1),
    ("length(var.list)", UNKNOWN),
    ("keys({ b = 1, a = 2 })", ["a", "b"]),
    ("values({ b = 1, a = 2 })", [2, 1]),
    ("contains([1, 2], 2)", True),
    ('contains([1, 2], "1")', False),
    ('contains(["a"], "a")', True),
    ("element([1, 2, 3], 1)", 2),
    ("element([1, 2, 3], 4)", 2),
    ("flatten([[1, [2]], 3])", [1, 2, 3]),
    ("flatten([])", []),
    ("distinct([1, 2, 1, 3])", [1, 2, 3]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('zipmap(["a"], [1, 2])', ERROR),
    ('compact(["a", "", "b"])', ["a", "b"]),
    ("reverse([1, 2, 3])", [3, 2, 1]),
    ('sort(["b", "c", "a"])', ["a", "b", "c"]),
    ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
    ("range(3)", [0, 1, 2]),
    ("range(1, 7, 2)", [1, 3, 5]),
    ("one([])", None),
    ("one([5])", 5),
    ("max(1, 5, 3)", 5),
    ("min(4, 2)", 2),
    ("abs(-3)", 3),
    ("ceil(1.2)", 2),
    ("floor(1.8)", 1),
    ("sum([1, 2, 3.5])", 6.5),
    ("alltrue([true, true])", True),
    ("anytrue([false, false])", False),
    ('index(["a", "b"], "b")', 1),
    ("chunklist([1, 2, 3], 2)", [[1, 2], [3]]),
    ('setunion(["a"], ["b", "a"])', ["a", "b"]),
    ("concat([1], [2]...)", ERROR),
    ("max([3, 9, 2]...)", 9),
    # what W&B's modules write
    (
        'merge({ "GORILLA_DISABLE_CODE_SAVING" = false, "TAG_CUSTOMER_NS" = "ns" }, {}, "" != "" ? { "OIDC_ISSUER" = "x" } : {})',
        {"GORILLA_DISABLE_CODE_SAVING": False, "TAG_CUSTOMER_NS": "ns"},
    ),
    ('"" != "" ? { provider = "gcs", name = "b" } : {}', {}),
    ('length(compact(["", "x"])) > 0 ? "set" : "empty"', "set"),
    ('jsonencode({ "Version" : "2012-10-17", "Statement" : [] })', '{"Statement":[],"Version":"2012-10-17"}'),
    (
        "{ for k, v in { GORILLA_ARTIFACT_GC_ENABLED = true } : k => tostring(v) }",
        {"GORILLA_ARTIFACT_GC_ENABLED": "true"},
    ),
    ("nosuchfunction(1)", UNKNOWN),
]


def _expected(value: Any) -> Any:
    return value


def _matches(got: Any, want: Any) -> bool:
    if want is UNKNOWN or want is ERROR:
        return isinstance(got, Unknown)
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and got.keys() == want.keys()
            and all(_matches(got[k], want[k]) for k in want)
        )
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(_matches(a, b) for a, b in zip(got, want, strict=True))
        )
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    return (type(got) in (int, float) and type(want) in (int, float) and got == want) or got == want


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) >= 150
    assert len({expr for expr, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("expr", "want"), TABLE, ids=[e[:40] for e, _ in TABLE])
def test_evaluator(expr: str, want: Any) -> None:
    got = evaluate(expr, NoNames())
    assert _matches(got, want), got
    if want is UNKNOWN and isinstance(got, Unknown) and "nosuchfunction" not in expr:
        assert got.why is Why.INPUT  # a variable with no value: an input not given
    if want is ERROR:
        assert isinstance(got, Unknown) and "Terraform would report" in got.reason


def _known(value: Any) -> bool:
    if value is UNKNOWN or value is ERROR:
        return False
    if isinstance(value, dict):
        return all(_known(v) for v in value.values())
    if isinstance(value, list):
        return all(_known(v) for v in value)
    return True


def _canonical(value: Any) -> str:
    def walk(v: Any) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, int | float):
            return float(v)
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return [walk(x) for x in v]

    return json.dumps(walk(value), sort_keys=True)


@pytest.mark.skipif(
    shutil.which("terraform") is None, reason="terraform is not on PATH: the console oracle is skipped"
)
def test_terraform_console_agrees(tmp_path: Any) -> None:
    # console reads one line as one expression, so heredoc rows (several lines) stay gcready-only
    # (and rows naming a variable: console knows none, even on a branch not taken)
    rows = [(e, want) for e, want in TABLE if _known(want) and "\n" not in e and "var." not in e]
    assert len(rows) >= 130
    # one expression for the whole table, on one line: one console process
    program = "jsonencode([" + ", ".join(f"({expr})" for expr, _ in rows) + "])\n"
    done = terraform(tmp_path, "console", stdin=program)
    assert done.returncode == 0, done.stderr[-2000:]
    values = json.loads(json.loads(done.stdout.strip().splitlines()[-1]))
    assert len(values) == len(rows)
    disagree = []
    for (expr, _want), truth in zip(rows, values, strict=True):
        mine = evaluate(expr, NoNames())
        if _canonical(mine) != _canonical(truth):
            disagree.append((expr, mine, truth))
    assert not disagree, disagree[:10]
