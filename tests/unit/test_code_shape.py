"""The shape of the code, measured on the file tree: file sizes and the direction of every import.

Layers import only downwards (see DESIGN.md): a module may import its own layer or a lower one. The
imports are read with ``ast``, so an import inside a function or a ``TYPE_CHECKING`` block counts as
much as one at the top of the file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "gcready"
MAX_LINES = 600

# The first part of a module's name under gcready → its layer (0 is the lowest).
LAYERS: dict[str, int] = {
    # what every stage shares: the values, the redactor, input limits, bucket URLs, tiny parsers
    "": 0,  # gcready/__init__.py (the version)
    "model": 0,
    "redact": 0,
    "limits": 0,
    "bucketurl": 0,
    "enums": 0,  # the closed sets the command line names, so --help imports no model
    "goparse": 0,  # Go's ParseBool, used by sources and checks alike
    "schemas_access": 0,  # the packaged JSON Schemas, read by the bundle reader and requirements
    # evidence in: files and live buckets; the requirements table is an input read and validated the same way
    "sources": 1,
    "probes": 1,
    "requirements": 1,
    "detect": 2,
    "checks": 3,
    "remediation": 4,
    "waivers": 4,  # accepted exceptions, applied to the checks' findings
    "pipeline": 5,
    "diagnosis": 5,
    "fleet": 5,  # several deployments in one run, each through the pipeline
    "report": 6,
    "cli": 7,
    "__main__": 7,  # python -m gcready: the command line itself
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted and absolute
    line: int


def module_name(path: Path, root: Path = SRC) -> str:
    """``gcready.probes.s3`` for ``src/gcready/probes/s3.py``; a package is named by its folder."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool = False) -> Iterator[Import]:
    """Every gcready module ``source`` imports, anywhere in the file (functions, ``TYPE_CHECKING``…)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            # ``from gcready import redact`` imports the module gcready.redact, not just the package
            names = [f"{prefix}.{alias.name}" for alias in node.names] if node.names else [prefix]
            names = [n if _known(n) else prefix for n in names]
        else:
            continue
        for name in names:
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                yield Import(module, name, node.lineno)


def _known(name: str) -> bool:
    """Whether a dotted name is a module or package of the source tree (not a function or class)."""
    path = SRC.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer_key(module: str) -> str:
    """The part of a module name the layer map is keyed by: ``probes`` for ``gcready.probes.s3``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def violations(found: list[Import]) -> list[str]:
    """One line per import that runs upwards, or from or to a module the layer map does not place."""
    problems: list[str] = []
    for imp in found:
        source_key, target_key = layer_key(imp.module), layer_key(imp.target)
        for key, name in ((source_key, imp.module), (target_key, imp.target)):
            if key not in LAYERS:
                problems.append(f"{name} is in no layer: add {key!r} to LAYERS in {Path(__file__).name}")
        if source_key in LAYERS and target_key in LAYERS and LAYERS[target_key] > LAYERS[source_key]:
            problems.append(
                f"{imp.module} (layer {LAYERS[source_key]}, {source_key or PACKAGE}) imports {imp.target} "
                f"(layer {LAYERS[target_key]}, {target_key}) at line {imp.line}: imports go downwards only"
            )
    return sorted(set(problems))


def source_files() -> list[Path]:
    return sorted((SRC / PACKAGE).rglob("*.py"))


def tree_imports() -> list[Import]:
    found: list[Import] = []
    for path in source_files():
        found.extend(imports_of(path.read_text(), module_name(path), path.name == "__init__.py"))
    return found


# --- the tree as it is --------------------------------------------------------------------------------


def test_no_source_file_is_over_600_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in source_files()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"files over {MAX_LINES} lines: {long}"


def test_every_import_goes_to_its_own_layer_or_a_lower_one() -> None:
    found = tree_imports()
    assert len(found) > 200  # the walk really read the tree
    problems = violations(found)
    assert not problems, "\n".join(problems)


def test_every_top_level_module_has_a_layer() -> None:
    keys = {layer_key(module_name(p)) for p in source_files()}
    assert keys <= set(LAYERS), f"modules in no layer: {sorted(keys - set(LAYERS))}"


def test_the_formats_do_not_import_the_check_catalog() -> None:
    report = [i for i in tree_imports() if layer_key(i.module) == "report"]
    assert report and not [i for i in report if layer_key(i.target) == "checks"]


# --- the rule itself, on synthetic modules --------------------------------------------------------------


BAD_SOURCES = {
    "top level": "from gcready.cli.commands import main\n",
    "inside a function": "def f():\n    import gcready.report.text\n    return gcready.report.text\n",
    "in a TYPE_CHECKING block": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gcready.checks.base import Check\n"
    ),
    "a module imported from its package": "from gcready import pipeline\n",
    "relative": "from ..checks import CATALOG\n",
}


@pytest.mark.parametrize("source", BAD_SOURCES.values(), ids=list(BAD_SOURCES))
def test_an_upward_import_fails_and_names_the_module_and_the_import(source: str) -> None:
    found = list(imports_of(source, "gcready.model.bad"))
    problems = violations(found)
    assert len(problems) == 1, problems
    assert problems[0].startswith("gcready.model.bad (layer 0, model) imports gcready.")
    assert found[0].target in problems[0] and "imports go downwards only" in problems[0]


def test_downward_and_sideways_imports_pass() -> None:
    source = (
        "from gcready.model import Evidence\nfrom gcready.probes import s3\nfrom . import gcs\n"
        "def f():\n    from gcready.detect import detect\n"
    )
    found = list(imports_of(source, "gcready.probes.minio"))
    assert {i.target for i in found} == {
        "gcready.model",
        "gcready.probes.s3",
        "gcready.probes.gcs",
        "gcready.detect",
    }
    assert [p for p in violations(found) if "gcready.detect" not in p] == []
    # detect sits above the probes: even inside a function that import runs upwards
    assert violations(found) == [
        "gcready.probes.minio (layer 1, probes) imports gcready.detect (layer 2, detect) at line 5: "
        "imports go downwards only"
    ]


def test_a_module_the_map_does_not_place_fails() -> None:
    problems = violations(list(imports_of("from gcready.model import Evidence\n", "gcready.newthing")))
    assert problems == [f"gcready.newthing is in no layer: add 'newthing' to LAYERS in {Path(__file__).name}"]
