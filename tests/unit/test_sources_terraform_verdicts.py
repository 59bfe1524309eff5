"""Terraform verdicts on minimal inputs, one per class of wrong verdict the reader once gave."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

from gcready.model import Evidence
from gcready.sources import collect
from tests.conftest import run_gcready

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return root


def _audit(path: Path) -> dict[str, str]:
    run = run_gcready("audit", str(path), "--offline", "--format", "json")
    assert run.stdout, run.stderr
    report = json.loads(run.stdout)
    checks: dict[str, str] = report["summary"]["checks"]
    checks["_exit"] = str(run.code)
    return checks


def _evidence(root: Path) -> Evidence:
    return collect([str(root)])


HELM_CALL = """
module "wandb" {
  source  = "wandb/wandb/helm"
  version = "3.0.0"
  spec = {
    values = {
      global = {
        extraEnv = merge({
          "GORILLA_DISABLE_CODE_SAVING" = var.disable_code_saving,
          "TAG_CUSTOMER_NS"             = "ns"
        }, var.other_wandb_env, local.oidc_envs)
      }
    }
  }
}
variable "disable_code_saving" {
  default = false
}
variable "other_wandb_env" {
  type    = map(any)
  default = {}
}
variable "oidc_issuer" {
  default = ""
}
locals {
  oidc_envs = var.oidc_issuer != "" ? { "OIDC_ISSUER" = var.oidc_issuer } : {}
}
"""


def test_merge_of_an_object_literal_is_evaluated(tmp_path: Path) -> None:
    # terraform-google-wandb / terraform-azurerm-wandb: extraEnv = merge({...}, var.other_wandb_env, local.oidc_envs)
    root = _tree(tmp_path, {"main.tf": HELM_CALL})
    evidence = _evidence(root)
    app = next(c for c in evidence.components if c.name.startswith("app "))
    assert not app.gaps
    assert app.get("TAG_CUSTOMER_NS") is not None and app.get(FLAG) is None
    assert _audit(root)["gc-env-flag"] == "fail"


def test_merge_with_the_flag_from_tfvars_passes(tmp_path: Path) -> None:
    root = _tree(
        tmp_path, {"main.tf": HELM_CALL, "terraform.tfvars": f'other_wandb_env = {{ {FLAG} = "true" }}\n'}
    )
    app = next(c for c in _evidence(root).components if c.name.startswith("app "))
    flag = app.get(FLAG)
    assert flag is not None and flag.value == "true"
    assert flag.origin.line == 1 and flag.origin.source.endswith("terraform.tfvars")
    assert _audit(root)["gc-env-flag"] == "pass"


def test_merge_with_an_unknown_map_is_unknown(tmp_path: Path) -> None:
    text = HELM_CALL.replace('variable "other_wandb_env" {\n  type    = map(any)\n  default = {}\n}', "")
    text += 'variable "other_wandb_env" {\n  type = map(any)\n}\n'
    root = _tree(tmp_path, {"main.tf": text})
    assert _audit(root)["gc-env-flag"] == "unknown"


def test_heredoc_closing_marker_followed_by_spaces_parses(tmp_path: Path) -> None:
    # terraform-azurerm-wandb modules/cron_job/main.tf closes a heredoc with "EOT " (Terraform accepts it)
    root = _tree(
        tmp_path,
        {
            "main.tf": "locals {\n  values = [\n    <<EOT\n    namespace: x\n    EOT   \n  ]\n}\n"
            'resource "aws_s3_bucket" "b" {\n  bucket = "wandb-files"\n}\n'
        },
    )
    evidence = _evidence(root)
    assert not evidence.errors
    assert [b.name for b in evidence.buckets] == ["wandb-files"]


def test_a_file_that_is_not_hcl_is_still_an_input_error(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = \n'})
    run = run_gcready("audit", str(root), "--offline")
    assert run.code == 2
    assert "main.tf" in run.stdout + run.stderr and "Traceback" not in run.stderr
