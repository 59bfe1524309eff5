"""Configuration in Terraform's JSON syntax (``*.tf.json``, ``override.tf.json``) audited as a user
would: it declares resources, module calls and variables as ``.tf`` files do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_gcready

ENV = "GORILLA_ARTIFACT_GC_ENABLED"
MODULE = (
    'module "wandb" {\n  source = "wandb/wandb/aws"\n  version = "~> 7.0"\n  namespace = "acme"\n'
    f'  other_wandb_env = {{ {ENV} = "true" }}\n}}\n'
)


def _versioning(status: str = "Enabled", **extra: Any) -> dict[str, Any]:
    return {
        "resource": {
            "aws_s3_bucket_versioning": {
                "v": {
                    **extra,
                    "bucket": "${module.wandb.bucket_name}",
                    "versioning_configuration": {"status": status},
                }
            }
        }
    }


def _module(env: Any) -> dict[str, Any]:
    return {
        "module": {
            "wandb": {
                "source": "wandb/wandb/aws",
                "version": "~> 7.0",
                "namespace": "acme",
                "other_wandb_env": env,
            }
        }
    }


def _audit(tmp_path: Path, files: dict[str, str]) -> tuple[dict[str, str], str]:
    root = tmp_path / "tree"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    run = run_gcready("audit", str(root), "--offline", "--format", "json", env={"GCREADY_CACHE": "off"})
    assert run.stdout, run.stderr
    assert "Traceback" not in run.stderr
    checks: dict[str, str] = json.loads(run.stdout)["summary"]["checks"]
    return checks, run.stdout + run.stderr


CASES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "a versioning resource in a .tf.json file": (
        {"main.tf": MODULE, "versioning.tf.json": json.dumps(_versioning())},
        {"gc-env-flag": "pass", "bucket-versioning": "pass"},
    ),
    "a suspended versioning resource in a .tf.json file": (
        {"main.tf": MODULE, "versioning.tf.json": json.dumps(_versioning("Suspended"))},
        {"bucket-versioning": "fail"},
    ),
    "the W&B module called from JSON, the flag a template": (
        {
            "main.tf.json": json.dumps(
                {
                    **_module({"${var.prefix}_GC_ENABLED": "${var.gc}"}),
                    "variable": {"prefix": {"default": "GORILLA_ARTIFACT"}, "gc": {"default": "true"}},
                    **_versioning(),
                }
            )
        },
        {"gc-env-flag": "pass", "bucket-versioning": "pass"},
    ),
    "the W&B module called from JSON with the flag false": (
        {"main.tf.json": json.dumps({**_module({ENV: "false"}), **_versioning()})},
        {"gc-env-flag": "fail"},
    ),
    "a JSON default is literal: '${…}' is not evaluated": (
        {
            "main.tf.json": json.dumps(
                {**_module({ENV: "${var.gc}"}), "variable": {"gc": {"default": "${true}"}}, **_versioning()}
            )
        },
        {"gc-env-flag": "fail"},
    ),
    "override.tf.json suspends the versioning of a .tf resource": (
        {
            "main.tf": MODULE
            + 'resource "aws_s3_bucket_versioning" "v" {\n  bucket = module.wandb.bucket_name\n'
            + '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n',
            "override.tf.json": json.dumps(
                {
                    "resource": {
                        "aws_s3_bucket_versioning": {
                            "v": {"versioning_configuration": {"status": "Suspended"}}
                        }
                    }
                }
            ),
        },
        {"bucket-versioning": "fail"},
    ),
    "a JSON versioning resource with an unknown count": (
        {
            "main.tf": MODULE + 'variable "on" {\n  type = bool\n}\n',
            "versioning.tf.json": json.dumps(_versioning(count="${var.on ? 1 : 0}")),
        },
        {"bucket-versioning": "unknown"},
    ),
    "a JSON versioning resource with count 0 creates nothing": (
        {"main.tf": MODULE, "versioning.tf.json": json.dumps(_versioning(count=0))},
        {"bucket-versioning": "fail"},
    ),
    "a JSON dynamic versioning block": (
        {
            "main.tf": MODULE,
            "versioning.tf.json": json.dumps(
                {
                    "resource": {
                        "aws_s3_bucket_versioning": {
                            "v": {
                                "bucket": "${module.wandb.bucket_name}",
                                "dynamic": {
                                    "versioning_configuration": {
                                        "for_each": "${[1]}",
                                        "content": {"status": "Enabled"},
                                    }
                                },
                            }
                        }
                    }
                }
            ),
        },
        {"bucket-versioning": "pass"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_verdict_is_terraform_s(tmp_path: Path, name: str) -> None:
    files, want = CASES[name]
    checks, _out = _audit(tmp_path, files)
    assert {k: checks.get(k) for k in want} == want


def test_a_tf_json_file_that_is_not_json_is_an_error_with_its_line(tmp_path: Path) -> None:
    checks, out = _audit(
        tmp_path, {"main.tf": MODULE, "broken.tf.json": '{\n  "resource": {\n    "x": ,\n}\n'}
    )
    assert "broken.tf.json:3: not valid JSON" in out
    assert checks.get("gc-env-flag") == "pass"  # the other inputs are still audited


def test_a_duplicate_resource_across_tf_and_tf_json_is_an_input_error(tmp_path: Path) -> None:
    files = {
        "main.tf": MODULE
        + 'resource "aws_s3_bucket_versioning" "v" {\n  bucket = module.wandb.bucket_name\n'
        + '  versioning_configuration {\n    status = "Suspended"\n  }\n}\n',
        "versioning.tf.json": json.dumps(_versioning()),
    }
    _checks, out = _audit(tmp_path, files)
    assert "Duplicate resource configuration" in out
