"""Small Terraform trees audited as a user would: override files, computed keys, heredocs, counted
resources, var-files, W&B modules that create nothing. Each asserts the verdict a user sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_gcready

ENV = "GORILLA_ARTIFACT_GC_ENABLED"


def _module(env: str = f'{{ {ENV} = "true" }}', extra: str = "", name: str = "wandb") -> str:
    return (
        f'module "{name}" {{\n  source = "wandb/wandb/aws"\n  version = "~> 7.0"\n  namespace = "acme"\n'
        f"{extra}  other_wandb_env = {env}\n}}\n"
    )


def _versioning(
    name: str = "v", bucket: str = "module.wandb.bucket_name", status: str = "Enabled", extra: str = ""
) -> str:
    return (
        f'resource "aws_s3_bucket_versioning" "{name}" {{\n{extra}  bucket = {bucket}\n'
        f'  versioning_configuration {{\n    status = "{status}"\n  }}\n}}\n'
    )


def _audit(tmp_path: Path, files: dict[str, str]) -> dict[str, str]:
    root = tmp_path / "tree"
    root.mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    run = run_gcready("audit", str(root), "--offline", "--format", "json", env={"GCREADY_CACHE": "off"})
    assert run.stdout, run.stderr
    report = json.loads(run.stdout)
    checks: dict[str, str] = report["summary"]["checks"]
    return checks


CASES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    # override files are merged into the blocks they name, last
    "an override file suspends versioning": (
        {
            "main.tf": _module() + _versioning(),
            "override.tf": _versioning(status="Suspended").replace(
                "  bucket = module.wandb.bucket_name\n", ""
            ),
        },
        {"bucket-versioning": "fail"},
    ),
    "an override file sets the module's env: one module, not two": (
        {
            "main.tf": _module(env="local.env") + _versioning() + "locals { env = {} }\n",
            "override.tf": f'module "wandb" {{\n  other_wandb_env = {{ {ENV} = "true" }}\n}}\n',
        },
        {"gc-env-flag": "pass", "bucket-versioning": "pass"},
    ),
    "an override file's variable default is the value": (
        {
            "main.tf": _module(env=f"{{ {ENV} = var.gc }}")
            + _versioning()
            + 'variable "gc" {\n  default = "true"\n}\n',
            "gc_override.tf": 'variable "gc" {\n  default = "false"\n}\n',
        },
        {"gc-env-flag": "fail"},
    ),
    # computed keys
    "a computed key overrides the literal one": (
        {
            "main.tf": _module(env="local.env")
            + _versioning()
            + f'variable "key" {{\n  default = "{ENV}"\n}}\n'
            + f'locals {{\n  env = {{\n    {ENV} = "true"\n    (var.key) = "false"\n  }}\n}}\n',
        },
        {"gc-env-flag": "fail"},
    ),
    "a key from an input with no value leaves the flag unknown": (
        {
            "main.tf": _module(env="local.env")
            + _versioning()
            + 'variable "key" {\n  type = string\n}\n'
            + f'locals {{\n  env = {{\n    {ENV} = "true"\n    (var.key) = "false"\n  }}\n}}\n',
        },
        {"gc-env-flag": "unknown"},
    ),
    "a template key names the flag": (
        {
            "main.tf": _module(env='{ "${var.key}" = "true" }')
            + _versioning()
            + f'variable "key" {{\n  default = "{ENV}"\n}}\n'
        },
        {"gc-env-flag": "pass"},
    ),
    # heredocs
    "a heredoc's value ends with a newline: not true": (
        {"main.tf": _module(env=f"{{\n    {ENV} = <<EOT\ntrue\nEOT\n  }}") + _versioning()},
        {"gc-env-flag": "fail"},
    ),
    "chomp of a heredoc is true": (
        {"main.tf": _module(env=f"{{\n    {ENV} = chomp(<<EOT\ntrue\nEOT\n)\n  }}") + _versioning()},
        {"gc-env-flag": "pass"},
    ),
    # count / for_each
    "versioning with an unknown count is not known": (
        {
            "main.tf": _module()
            + _versioning(extra="  count = var.on ? 1 : 0\n")
            + 'variable "on" {\n  type = bool\n}\n'
        },
        {"bucket-versioning": "unknown"},
    ),
    "versioning with an unknown for_each is not known": (
        {"main.tf": _module() + _versioning(extra="  for_each = var.buckets\n") + 'variable "buckets" {}\n'},
        {"bucket-versioning": "unknown"},
    ),
    "versioning on files[0] is not files[1]'s": (
        {
            "main.tf": _module(extra="  bucket_name = aws_s3_bucket.files[1].bucket\n")
            + 'resource "aws_s3_bucket" "files" {\n  count = 2\n  bucket = "acme-wandb-files-${count.index}"\n}\n'
            + _versioning(bucket="aws_s3_bucket.files[0].id"),
        },
        {"bucket-versioning": "fail"},
    ),
    "versioning on files[0] is files[0]'s": (
        {
            "main.tf": _module(extra="  bucket_name = aws_s3_bucket.files[0].bucket\n")
            + 'resource "aws_s3_bucket" "files" {\n  count = 2\n  bucket = "acme-wandb-files-${count.index}"\n}\n'
            + _versioning(bucket="aws_s3_bucket.files[0].id"),
        },
        {"bucket-versioning": "pass"},
    ),
    "two versioning resources that disagree: not known": (
        {
            "main.tf": _module(extra="  bucket_name = aws_s3_bucket.files.bucket\n")
            + 'resource "aws_s3_bucket" "files" {\n  bucket = "acme-wandb-files"\n}\n'
            + _versioning("b", "aws_s3_bucket.files.id", "Suspended")
            + _versioning("a", "aws_s3_bucket.files.id", "Enabled"),
        },
        {"bucket-versioning": "unknown"},
    ),
    "the same input names the bucket and its versioning": (
        {
            "main.tf": _module(extra="  bucket_name = aws_s3_bucket.files.bucket\n")
            + 'variable "files_bucket" {\n  type = string\n}\n'
            + 'resource "aws_s3_bucket" "files" {\n  bucket = var.files_bucket\n}\n'
            + _versioning(bucket="var.files_bucket"),
        },
        {"bucket-versioning": "pass"},
    ),
    "a W&B module with count = 0 is not audited": (
        {"main.tf": _module(extra="  count = 0\n", env="{}", name="wandb_old") + _module() + _versioning()},
        {"gc-env-flag": "pass", "bucket-versioning": "pass"},
    ),
    # tfvars
    "a var-file Terraform does not load leaves the flag unknown": (
        {
            "main.tf": _module(env=f"{{ {ENV} = var.gc }}")
            + _versioning()
            + 'variable "gc" {\n  default = "false"\n}\n',
            "prod.tfvars": 'gc = "true"\n',
        },
        {"gc-env-flag": "unknown"},
    ),
    "a sub-folder's terraform.tfvars is not the root's": (
        {
            "main.tf": _module(env=f"{{ {ENV} = var.gc }}")
            + _versioning()
            + 'variable "gc" {\n  default = "false"\n}\n',
            "envs/prod/terraform.tfvars": 'gc = "true"\n',
        },
        {"gc-env-flag": "unknown"},
    ),
    "nullable = false given null takes the default": (
        {
            "main.tf": _module(env=f"{{ {ENV} = var.g }}")
            + _versioning()
            + 'variable "g" {\n  type = string\n  default = "true"\n  nullable = false\n}\n',
            "terraform.tfvars": "g = null\n",
        },
        {"gc-env-flag": "pass"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_verdict_is_terraform_s(tmp_path: Path, name: str) -> None:
    files, want = CASES[name]
    checks = _audit(tmp_path, files)
    assert {k: checks.get(k) for k in want} == want


def test_an_override_of_a_block_that_does_not_exist_is_an_input_error(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "main.tf").write_text(_module() + _versioning())
    (root / "override.tf").write_text('module "wandbx" {\n  other_wandb_env = {}\n}\n')
    run = run_gcready("audit", str(root), "--offline", env={"GCREADY_CACHE": "off"})
    assert "override.tf:1: Missing module call to override" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr


def test_a_variable_declared_twice_is_an_input_error(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "main.tf").write_text(
        _module(env=f"{{ {ENV} = var.gc }}") + 'variable "gc" {\n  default = "false"\n}\n'
    )
    (root / "variables.tf").write_text('variable "gc" {\n  default = "true"\n}\n')
    run = run_gcready("audit", str(root), "--offline", env={"GCREADY_CACHE": "off"})
    assert "Duplicate variable declaration" in run.stderr + run.stdout
    assert run.code != 0
