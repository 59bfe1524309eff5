"""Expressions of a parsed file are evaluated over the parse tree they came with, not parsed again from
their text; the value is the one the text gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gcready.sources.terraform import expr
from gcready.sources.terraform.config import ModuleDir, Scope
from gcready.sources.terraform.hcl import _parse_uncached, _texts
from gcready.sources.terraform.tree import Expr
from gcready.sources.terraform.values import Unknown

TEXT = """
locals {
  sum     = (1
    + 2)
  flag    = (2 > 1
    && !false)
  merged  = merge({ a = 1 }, { b = "x" }, { for k in ["c"] : k => upper(k) })
  picked  = true ? ["yes"][0] : "no"
  science = 1e3
  parens  = ("p")
  wrapped = "${upper("w")}"
}
"""
WANT = {
    "sum": 3,
    "flag": True,
    "merged": {"a": 1, "b": "x", "c": "C"},
    "picked": "yes",
    "science": 1000,
    "parens": "p",
    "wrapped": "W",
}


def _locals(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = data["locals"][0]
    return found


def _scope() -> Scope:
    return Scope(None, ModuleDir("."), "", {}, None)  # type: ignore[arg-type]  # constants need no reader


def test_expressions_keep_their_tree_and_are_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    values = _locals(_parse_uncached("main.tf", TEXT).data)
    trees = {k for k, v in values.items() if isinstance(v, Expr) and v.tree is not None}
    assert trees == {"sum", "flag", "merged", "picked", "science", "parens"}

    def no_parse(text: str) -> None:
        raise AssertionError(f"parsed again: {text}")

    monkeypatch.setattr(expr, "parse", no_parse)
    scope = _scope()
    got = {k: scope.value(v) for k, v in values.items() if k in trees}
    assert got == {k: WANT[k] for k in trees}


def test_the_text_alone_gives_the_same_values() -> None:
    """A cached parse (or one from a worker process) has the text only: parsed again, the same values,
    except where python-hcl2's text loses something (below)."""
    values = _texts(_locals(_parse_uncached("main.tf", TEXT).data))
    assert not any(isinstance(v, Expr) for v in values.values())
    scope = _scope()
    assert {k: scope.value(v) for k, v in values.items() if k != "parens"} == {
        k: v for k, v in WANT.items() if k != "parens"
    }


def test_a_quoted_string_in_parentheses_is_a_string() -> None:
    """python-hcl2 serialises ``("p")`` as ``${(p)}``, which names a variable ``p``; over the tree it is
    the string Terraform gives."""
    value = _locals(_parse_uncached("main.tf", TEXT).data)["parens"]
    assert value == "${(p)}"
    assert _scope().value(value) == "p"
    assert isinstance(_scope().value(str(value)), Unknown)


MERGED_ENV = """variable "base" {
  default = {
    A = "1"
  }
}

locals {
  extra = {
    GORILLA_ARTIFACT_GC_ENABLED = "true"
  }
}

module "wandb" {
  source          = "wandb/wandb/aws"
  version         = "4.0.0"
  other_wandb_env = merge(var.base, merge({ B = "2" },
    local.extra))
}
"""


@pytest.mark.parametrize("cache", ["off", "warm"])
def test_a_flag_inside_nested_merges_is_located_where_it_is_written(
    cache: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``merge(var.base, merge({…}, local.extra))``: the flag is found at its line in ``locals``, over the
    parse tree (a first run) and over the text (a cached parse) alike."""
    import json

    from tests.conftest import run_gcready

    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(MERGED_ENV)
    env = {"GCREADY_CACHE": "off" if cache == "off" else str(tmp_path / "cache")}
    if cache == "warm":
        run_gcready("audit", str(tmp_path / "tf"), "--offline", "--format", "json", env=env)
        assert list((tmp_path / "cache").rglob("*.json"))
    run = run_gcready("audit", str(tmp_path / "tf"), "--offline", "--format", "json", env=env)
    [flag] = [f for f in json.loads(run.stdout)["findings"] if f["check"] == "gc-env-flag"]
    assert flag["status"] == "pass"
    [evidence] = flag["evidence"]
    assert (evidence["value"], evidence["origin"]["line"]) == ("true", 9)
    assert evidence["origin"]["source"].endswith("main.tf")
