"""Checks say what to fix and never import remediation; remediation builds on the model alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gcready

PACKAGE = Path(gcready.__file__).parent


def imported(path: Path) -> set[str]:
    """Every gcready module a file imports (at its top or inside a function)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("gcready")}


@pytest.mark.parametrize("path", sorted((PACKAGE / "checks").glob("*.py")), ids=lambda p: p.name)
def test_a_check_never_imports_remediation(path: Path) -> None:
    assert not {n for n in imported(path) if n.startswith("gcready.remediation")}


@pytest.mark.parametrize("path", sorted((PACKAGE / "remediation").rglob("*.py")), ids=lambda p: p.name)
def test_remediation_imports_only_the_model_and_itself(path: Path) -> None:
    allowed = ("gcready.model", "gcready.remediation")
    assert {n for n in imported(path) if not n.startswith(allowed)} == set()


def test_the_old_fix_modules_are_gone() -> None:
    assert not [p.name for p in (PACKAGE / "checks").glob("*fixes*.py")]
