"""A plan (``terraform show -json``) of W&B's AWS module handed a bucket of its own (``bucket_name``):
the module writes that bucket to ``global.bucket`` and keeps its own only as ``global.defaultBucket``
(terraform-aws-wandb main.tf), which the server does not use; so the module's own bucket is not judged,
as the HCL reader does not judge it either."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_gcready

ENV = "GORILLA_ARTIFACT_GC_ENABLED"
INTERNAL = "module.wandb.module.file_storage.aws_s3_bucket.file_storage"


def _plan(bucket_name: dict[str, Any] | None) -> dict[str, Any]:
    expressions: dict[str, Any] = {
        "namespace": {"constant_value": "acme"},
        "other_wandb_env": {"constant_value": {ENV: "true"}},
    }
    if bucket_name is not None:
        expressions["bucket_name"] = bucket_name
    ext = {"address": "aws_s3_bucket.ext", "mode": "managed", "type": "aws_s3_bucket", "name": "ext"}
    versioning = {
        "address": "aws_s3_bucket_versioning.ext",
        "mode": "managed",
        "type": "aws_s3_bucket_versioning",
        "name": "ext",
    }
    internal = {"address": INTERNAL, "mode": "managed", "type": "aws_s3_bucket", "name": "file_storage"}
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {
            "root_module": {
                "resources": [
                    {**ext, "values": {"bucket": "acme-wandb-ext"}},
                    {
                        **versioning,
                        "values": {
                            "bucket": "acme-wandb-ext",
                            "versioning_configuration": [{"status": "Enabled"}],
                        },
                    },
                ],
                "child_modules": [
                    {
                        "address": "module.wandb",
                        "child_modules": [
                            {
                                "address": "module.wandb.module.file_storage",
                                "resources": [{**internal, "values": {"force_destroy": False}}],
                            }
                        ],
                    }
                ],
            }
        },
        "configuration": {
            "root_module": {
                "resources": [
                    {**ext, "expressions": {"bucket": {"constant_value": "acme-wandb-ext"}}},
                    {
                        **versioning,
                        "expressions": {
                            "bucket": {"references": ["aws_s3_bucket.ext.id", "aws_s3_bucket.ext"]},
                            "versioning_configuration": [{"status": {"constant_value": "Enabled"}}],
                        },
                    },
                ],
                "module_calls": {
                    "wandb": {
                        "source": "wandb/wandb/aws",
                        "version_constraint": "~> 7.0",
                        "expressions": expressions,
                        "module": {"resources": [], "module_calls": {}},
                    }
                },
            }
        },
    }


def _versioning_findings(
    tmp_path: Path, bucket_name: dict[str, Any] | None
) -> tuple[int, list[tuple[str, str]]]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(bucket_name)))
    run = run_gcready("audit", str(plan), "--offline", "--format", "json", env={"GCREADY_CACHE": "off"})
    assert run.stdout, run.stderr
    report = json.loads(run.stdout)
    found = [(f["status"], json.dumps(f)) for f in report["findings"] if f["check"] == "bucket-versioning"]
    return run.code, found


def test_the_module_s_own_bucket_is_not_judged_when_bucket_name_names_a_resource(tmp_path: Path) -> None:
    code, found = _versioning_findings(
        tmp_path, {"references": ["aws_s3_bucket.ext.bucket", "aws_s3_bucket.ext"]}
    )
    assert code == 0
    assert [status for status, _text in found] == ["pass"]
    assert not any(INTERNAL in text for _status, text in found)


@pytest.mark.parametrize(
    "bucket_name",
    [None, {"references": ["var.bucket_name"]}],
    ids=["no bucket_name", "bucket_name a variable that may be empty"],
)
def test_the_module_s_own_bucket_is_judged_when_it_may_be_the_one_used(
    tmp_path: Path, bucket_name: dict[str, Any] | None
) -> None:
    code, found = _versioning_findings(tmp_path, bucket_name)
    assert code == 3
    assert any(status == "fail" and INTERNAL in text for status, text in found)
