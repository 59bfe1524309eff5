"""Module folders (variables, locals, tfvars, override files, JSON syntax) read by gcready and by ``terraform console``.

Each folder holds only variables and locals, so ``terraform console`` reads it offline with no init: the
values it prints are the truth, and gcready's reading of the same folder must be the same. Each case
also says the value, so the test still asserts when terraform is not on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gcready.sources.terraform import _attach_tfvars
from gcready.sources.terraform.config import Scope
from gcready.sources.terraform.declarations import ModuleDir
from gcready.sources.terraform.hcl import _parse_uncached
from gcready.sources.terraform.reader import Reader
from gcready.sources.terraform.tfjson import parse_json_config
from gcready.sources.terraform.values import Unknown
from tests.unit.terraform.engine import console_json, terraform

ENV = "GORILLA_ARTIFACT_GC_ENABLED"

# name: (files of the folder, the value of local.out)
CASES: dict[str, tuple[dict[str, str], Any]] = {
    "heredoc keeps its last newline": (
        {"main.tf": "locals {\n  out = <<EOT\ntrue\nEOT\n}\n"},
        "true\n",
    ),
    "indented heredoc keeps its last newline": (
        {"main.tf": "locals {\n  out = <<-EOT\n    true\n    EOT\n}\n"},
        "true\n",
    ),
    "heredoc in a map keeps its last newline": (
        {"main.tf": f"locals {{\n  out = {{\n    {ENV} = <<EOT\ntrue\nEOT\n  }}\n}}\n"},
        {ENV: "true\n"},
    ),
    "heredoc interpolated whole": (
        {"main.tf": 'locals {\n  out = "${<<EOT\ntrue\nEOT\n}"\n}\n'},
        "true\n",
    ),
    "chomp of a heredoc": (
        {"main.tf": "locals {\n  out = chomp(<<EOT\ntrue\nEOT\n)\n}\n"},
        "true",
    ),
    "indented heredoc with tabs and a blank line": (
        {"main.tf": "locals {\n  out = <<-EOT\n\t  a\n\n\t    b\n\tEOT\n}\n"},
        "a\n\n  b\n",
    ),
    "heredoc keeps backslashes and quotes": (
        {"main.tf": 'locals {\n  out = <<-EOT\n  a "q" \\n\n  EOT\n}\n'},
        'a "q" \\n\n',
    ),
    "a computed key overrides a literal one": (
        {
            "main.tf": 'variable "key" {\n  default = "' + ENV + '"\n}\n'
            f'locals {{\n  out = {{\n    {ENV} = "true"\n    (var.key) = "false"\n  }}\n}}\n'
        },
        {ENV: "false"},
    ),
    "a template key": (
        {"main.tf": 'locals {\n  p = "GORILLA_ARTIFACT"\n  out = { "${local.p}_GC_ENABLED" = "true" }\n}\n'},
        {ENV: "true"},
    ),
    "an override file's variable default wins": (
        {
            "main.tf": 'variable "gc" {\n  type = string\n  default = "true"\n}\nlocals { out = var.gc }\n',
            "gc_override.tf": 'variable "gc" {\n  default = "false"\n}\n',
        },
        "false",
    ),
    "an override file's local wins, whatever its name's order": (
        {
            "main.tf": 'locals {\n  out = "true"\n}\n',
            "a_override.tf": 'locals {\n  out = "false"\n}\n',
        },
        "false",
    ),
    "override files apply in lexical order": (
        {
            "main.tf": 'locals {\n  out = "a"\n}\n',
            "override.tf": 'locals {\n  out = "c"\n}\n',
            "b_override.tf": 'locals {\n  out = "b"\n}\n',
        },
        "c",
    ),
    "nullable = false given null takes the default": (
        {
            "main.tf": 'variable "g" {\n  type = string\n  default = "true"\n  nullable = false\n}\n'
            "locals { out = var.g }\n",
            "terraform.tfvars": "g = null\n",
        },
        "true",
    ),
    "a nullable variable given null is null": (
        {
            "main.tf": 'variable "g" {\n  type = string\n  default = "true"\n}\n'
            'locals { out = var.g == null ? "null" : var.g }\n',
            "terraform.tfvars": "g = null\n",
        },
        "null",
    ),
    "a .tfvars that agrees with the value changes nothing": (
        {
            "main.tf": 'variable "gc" {\n  type = string\n  default = "true"\n}\nlocals { out = var.gc }\n',
            "prod.tfvars": 'gc = "true"\n',
        },
        "true",
    ),
    "auto tfvars are applied": (
        {
            "main.tf": 'variable "gc" {\n  type = string\n  default = "false"\n}\nlocals { out = var.gc }\n',
            "terraform.tfvars": 'gc = "maybe"\n',
            "b.auto.tfvars": 'gc = "true"\n',
        },
        "true",
    ),
    # JSON configuration syntax (*.tf.json): strings are templates, a variable's default is literal
    "a .tf.json local is a template": (
        {
            "main.tf.json": json.dumps(
                {
                    "variable": {"gc": {"type": "string", "default": "true"}},
                    "locals": {"p": "GORILLA_ARTIFACT", "out": {"${local.p}_GC_ENABLED": "${var.gc}"}},
                }
            )
        },
        {ENV: "true"},
    ),
    "a .tf.json template with text around is a string": (
        {"main.tf.json": json.dumps({"locals": [{"a": "ru"}, {"out": "t${local.a}e"}]})},
        "true",
    ),
    "a .tf.json default is literal, not a template": (
        {"main.tf.json": json.dumps({"variable": {"v": {"default": "${x}"}}, "locals": {"out": "${var.v}"}})},
        "${x}",
    ),
    "a .tf.json escaped template is text": (
        {"main.tf.json": json.dumps({"locals": {"out": "$${var.gc}"}})},
        "${var.gc}",
    ),
    "a .tf.json expression keeps its type": (
        {"main.tf.json": json.dumps({"locals": {"out": "${1 + 2 == 3}"}})},
        True,
    ),
    "a .tf.json comment is no local": (
        {
            "main.tf.json": json.dumps(
                {"//": "generated", "locals": {"//": "a comment", "out": "${jsonencode(keys({a = 1}))}"}}
            )
        },
        '["a"]',
    ),
    "override.tf.json overrides a .tf variable": (
        {
            "main.tf": 'variable "gc" {\n  default = "true"\n}\nlocals { out = var.gc }\n',
            "override.tf.json": json.dumps({"variable": {"gc": {"default": "false"}}}),
        },
        "false",
    ),
    "a _override.tf local overrides a .tf.json one": (
        {
            "main.tf.json": json.dumps({"locals": {"out": "true"}}),
            "x_override.tf": 'locals {\n  out = "false"\n}\n',
        },
        "false",
    ),
}


VAR_FILE = {
    "main.tf": 'variable "gc" {\n  type = string\n  default = "false"\n}\nlocals { out = var.gc }\n',
    "prod.tfvars": 'gc = "true"\n',
}


def _console(folder: Path, *args: str) -> Any:
    return console_json(folder, "local.out", *args)


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def gcready_value(folder: Path, var_files: tuple[str, ...] = ()) -> Any:
    """``local.out`` as gcready reads the folder (its .tf files, the tfvars beside them), given
    ``var_files`` as ``--var-file`` in that order."""
    return gcready_reading(folder, var_files)[0]


def gcready_reading(folder: Path, var_files: tuple[str, ...] = ()) -> tuple[Any, list[str]]:
    """``local.out`` and the input errors (``name:line``) as gcready reads the folder."""
    mod = ModuleDir(str(folder))
    tfvars: list[tuple[str, str]] = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith((".tfvars", ".tfvars.json")):
            tfvars.append((str(path), path.read_text()))
        elif path.suffix == ".tf":
            mod.files.append(_parse_uncached(str(path), path.read_text()))
        elif path.name.endswith(".tf.json"):
            mod.files.append(parse_json_config(str(path), path.read_text()))
    mod.index()
    reader = Reader()
    reader.dirs = {mod.path: mod}
    given = [(str(folder / name), (folder / name).read_text()) for name in var_files]
    _attach_tfvars(reader, [mod], tfvars, given)
    errors = [f"{os.path.basename(e.source)}:{e.line}" for e in reader.errors]
    return Scope(reader, mod, "", {}, None).local("out"), errors


@pytest.mark.parametrize("name", list(CASES))
def test_gcready_reads_the_folder_as_terraform_does(tmp_path: Path, name: str) -> None:
    files, want = CASES[name]
    _write(tmp_path / "case", files)
    got = gcready_value(tmp_path / "case")
    assert not isinstance(got, Unknown), got
    assert got == want


@pytest.mark.skipif(
    shutil.which("terraform") is None, reason="terraform is not on PATH: the console oracle is skipped"
)
@pytest.mark.parametrize("name", list(CASES))
def test_terraform_console_agrees(tmp_path: Path, name: str) -> None:
    files, want = CASES[name]
    folder = tmp_path / "case"
    _write(folder, files)
    truth = _console(folder)
    assert truth == want
    assert gcready_value(folder) == truth


def test_a_var_file_terraform_does_not_load_leaves_the_variable_unknown(tmp_path: Path) -> None:
    """``prod.tfvars`` is read only with ``-var-file``: which value plan uses depends on how it is run,
    so the variable is unknown (never the file's value applied silently, nor the default)."""
    _write(tmp_path / "case", VAR_FILE)
    got = gcready_value(tmp_path / "case")
    assert isinstance(got, Unknown)
    assert "prod.tfvars" in got.reason and "-var-file" in got.reason


@pytest.mark.skipif(
    shutil.which("terraform") is None, reason="terraform is not on PATH: the console oracle is skipped"
)
def test_terraform_console_reads_a_var_file_only_when_told(tmp_path: Path) -> None:
    _write(tmp_path / "case", VAR_FILE)
    assert _console(tmp_path / "case") == "false"
    assert _console(tmp_path / "case", "-var-file=prod.tfvars") == "true"


# the var-files terraform plan is given (-var-file, in order) and the value of local.out then
VAR_FILE_RUNS: dict[str, tuple[dict[str, str], tuple[str, ...], Any]] = {
    "a var-file is applied": (VAR_FILE, ("prod.tfvars",), "true"),
    "the last var-file given wins": (
        {**VAR_FILE, "dev.tfvars": 'gc = "false"\n'},
        ("dev.tfvars", "prod.tfvars"),
        "true",
    ),
    "the last var-file given wins, the other order": (
        {**VAR_FILE, "dev.tfvars": 'gc = "false"\n'},
        ("prod.tfvars", "dev.tfvars"),
        "false",
    ),
    "a var-file wins over the auto-loaded files": (
        {**VAR_FILE, "terraform.tfvars": 'gc = "maybe"\n', "z.auto.tfvars": 'gc = "false"\n'},
        ("prod.tfvars",),
        "true",
    ),
    "a var-file that does not set the variable leaves the auto-loaded value": (
        {**VAR_FILE, "z.auto.tfvars": 'gc = "true"\n', "dev.tfvars": 'other = "x"\n'},
        ("dev.tfvars",),
        "true",
    ),
    "a JSON var-file": (
        {**VAR_FILE, "prod.tfvars.json": json.dumps({"gc": "yes"})},
        ("prod.tfvars", "prod.tfvars.json"),
        "yes",
    ),
}


@pytest.mark.parametrize("name", list(VAR_FILE_RUNS))
def test_gcready_applies_the_var_files_as_terraform_does(tmp_path: Path, name: str) -> None:
    files, given, want = VAR_FILE_RUNS[name]
    _write(tmp_path / "case", files)
    assert gcready_value(tmp_path / "case", given) == want


@pytest.mark.skipif(
    shutil.which("terraform") is None, reason="terraform is not on PATH: the console oracle is skipped"
)
@pytest.mark.parametrize("name", list(VAR_FILE_RUNS))
def test_terraform_console_applies_the_var_files_so(tmp_path: Path, name: str) -> None:
    files, given, want = VAR_FILE_RUNS[name]
    folder = tmp_path / "case"
    _write(folder, files)
    if "dev.tfvars" in files and "other" in files["dev.tfvars"]:  # terraform warns of an undeclared one
        (folder / "extra.tf").write_text('variable "other" {\n  default = ""\n}\n')
    assert _console(folder, *(f"-var-file={name}" for name in given)) == want


# variables files Terraform refuses (only `name = value` is allowed, whatever the file is named), and
# ones it reads: (files, the -var-file given, the file:line refused, or None and the value of local.out)
VAR_FILE_SHAPES: dict[str, tuple[dict[str, str], tuple[str, ...], str | None, Any]] = {
    "a .tf file given as a var-file": (VAR_FILE, ("main.tf",), "main.tf:1", None),
    "a var-file with a block": (
        {**VAR_FILE, "prod.tfvars": 'gc = "true"\nwandb {\n  x = 1\n}\n'},
        ("prod.tfvars",),
        "prod.tfvars:2",
        None,
    ),
    "an auto-loaded tfvars with a block": (
        {**VAR_FILE, "terraform.tfvars": '\nfoo "a" {\n}\n'},
        (),
        "terraform.tfvars:2",
        None,
    ),
    "a var-file of any name holding assignments": (
        {**VAR_FILE, "prod.vars": 'gc = "true"\n'},
        ("prod.vars",),
        None,
        "true",
    ),
    "a list of objects is a value, not a block": (
        {
            **VAR_FILE,
            "extra.tf": 'variable "rules" {\n  default = []\n}\n',
            "terraform.tfvars": 'gc = "true"\nrules = [{ a = 1 }]\n',
        },
        (),
        None,
        "true",
    ),
}


@pytest.mark.parametrize("name", list(VAR_FILE_SHAPES))
def test_gcready_refuses_the_variables_files_terraform_refuses(tmp_path: Path, name: str) -> None:
    files, given, refused, want = VAR_FILE_SHAPES[name]
    _write(tmp_path / "case", files)
    got, errors = gcready_reading(tmp_path / "case", given)
    assert errors == ([refused] if refused else [])
    if want is not None:
        assert got == want


@pytest.mark.skipif(
    shutil.which("terraform") is None, reason="terraform is not on PATH: the console oracle is skipped"
)
@pytest.mark.parametrize("name", list(VAR_FILE_SHAPES))
def test_terraform_console_refuses_those_variables_files(tmp_path: Path, name: str) -> None:
    files, given, refused, want = VAR_FILE_SHAPES[name]
    folder = tmp_path / "case"
    _write(folder, files)
    args = [f"-var-file={name}" for name in given]
    if refused is None:
        assert _console(folder, *args) == want
        return
    done = terraform(folder, "console", "-no-color", *args, stdin="local.out\n")
    file, line = refused.split(":")
    assert done.returncode != 0
    assert f"on {file} line {line}" in done.stderr
