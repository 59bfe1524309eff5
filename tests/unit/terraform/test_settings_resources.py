"""Settings resources of one bucket (lifecycle, Object Lock, Azure management policy) audited as a user
would: one whose ``count`` / ``for_each`` is not known, or two that say different things (Terraform
applies them in no set order), leave the setting unknown; never the last one declared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_gcready

ENV = "GORILLA_ARTIFACT_GC_ENABLED"
S3 = (
    'module "wandb" {\n  source = "wandb/wandb/aws"\n  version = "~> 7.0"\n  namespace = "acme"\n'
    f'  bucket_name = aws_s3_bucket.files.bucket\n  other_wandb_env = {{ {ENV} = "true" }}\n}}\n'
    'resource "aws_s3_bucket" "files" {\n  bucket = "acme-wandb-files"\n}\n'
    'resource "aws_s3_bucket_versioning" "v" {\n  bucket = aws_s3_bucket.files.id\n'
    '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n'
    'variable "on" {\n  type = bool\n}\n'
)
AZURE = (
    'module "wandb" {\n  source = "wandb/wandb/azurerm"\n  version = "~> 4.0"\n  namespace = "acme"\n'
    "  storage_account = azurerm_storage_account.a.name\n  blob_container = azurerm_storage_container.c.name\n"
    f'  other_wandb_env = {{ {ENV} = "true" }}\n}}\n'
    'resource "azurerm_storage_account" "a" {\n  name = "acmestore"\n  blob_properties {\n'
    "    versioning_enabled = true\n    delete_retention_policy {\n      days = 7\n    }\n  }\n}\n"
    'resource "azurerm_storage_container" "c" {\n  name = "wandb-files"\n'
    "  storage_account_name = azurerm_storage_account.a.name\n}\n"
    'variable "on" {\n  type = bool\n}\n'
)


def _lifecycle(name: str, extra: str = "", noncurrent: bool = True) -> str:
    action = "    noncurrent_version_expiration {\n      noncurrent_days = 30\n    }\n" if noncurrent else ""
    return (
        f'resource "aws_s3_bucket_lifecycle_configuration" "{name}" {{\n{extra}  bucket = aws_s3_bucket.files.id\n'
        f'  rule {{\n    id = "r"\n    status = "Enabled"\n    filter {{}}\n{action}'
        "    expiration {\n      expired_object_delete_marker = true\n    }\n  }\n}\n"
    )


def _lock(name: str, extra: str = "", mode: str = "COMPLIANCE") -> str:
    return (
        f'resource "aws_s3_bucket_object_lock_configuration" "{name}" {{\n{extra}  bucket = aws_s3_bucket.files.id\n'
        f'  rule {{\n    default_retention {{\n      mode = "{mode}"\n      days = 30\n    }}\n  }}\n}}\n'
    )


def _policy(name: str, extra: str = "", deletes_versions: bool = True) -> str:
    action = (
        "      version {\n        delete_after_days_since_creation = 30\n      }\n"
        if deletes_versions
        else "      base_blob {\n        delete_after_days_since_modification_greater_than = 3650\n      }\n"
    )
    return (
        f'resource "azurerm_storage_management_policy" "{name}" {{\n{extra}'
        "  storage_account_id = azurerm_storage_account.a.id\n"
        '  rule {\n    name = "r"\n    enabled = true\n    filters {\n      blob_types = ["blockBlob"]\n    }\n'
        f"    actions {{\n{action}    }}\n  }}\n}}\n"
    )


COUNT = "  count = var.on ? 1 : 0\n"

CASES: dict[str, tuple[str, dict[str, str]]] = {
    "a lifecycle configuration with an unknown count": (
        S3 + _lifecycle("l", COUNT),
        {"noncurrent-expiry": "unknown"},
    ),
    "a lifecycle configuration with an unknown for_each": (
        S3 + _lifecycle("l", "  for_each = var.buckets\n") + 'variable "buckets" {}\n',
        {"noncurrent-expiry": "unknown"},
    ),
    "a lifecycle configuration with a known count": (
        S3 + _lifecycle("l", "  count = 1\n"),
        {"noncurrent-expiry": "pass"},
    ),
    "two lifecycle configurations that disagree": (
        S3 + _lifecycle("b", noncurrent=False) + _lifecycle("a"),
        {"noncurrent-expiry": "unknown"},
    ),
    "two lifecycle configurations that disagree, the other order": (
        S3 + _lifecycle("a") + _lifecycle("b", noncurrent=False),
        {"noncurrent-expiry": "unknown"},
    ),
    "two lifecycle configurations that agree": (
        S3 + _lifecycle("a") + _lifecycle("b"),
        {"noncurrent-expiry": "pass"},
    ),
    "an Object Lock configuration with an unknown count": (
        S3 + _lock("o", COUNT),
        {"object-lock": "unknown"},
    ),
    "two Object Lock configurations that disagree": (
        S3 + _lock("a") + _lock("b", mode="GOVERNANCE"),
        {"object-lock": "unknown"},
    ),
    "a management policy with an unknown count": (
        AZURE + _policy("p", COUNT),
        {"azure-management-plane": "unknown"},
    ),
    "two management policies that disagree": (
        AZURE + _policy("b", deletes_versions=False) + _policy("a"),
        {"azure-management-plane": "unknown"},
    ),
    "one management policy that deletes previous versions": (
        AZURE + _policy("a"),
        {"azure-management-plane": "pass"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_setting_is_what_terraform_would_leave(tmp_path: Path, name: str) -> None:
    text, want = CASES[name]
    root = tmp_path / "tree"
    root.mkdir()
    (root / "main.tf").write_text(text)
    run = run_gcready("audit", str(root), "--offline", "--format", "json", env={"GCREADY_CACHE": "off"})
    assert run.stdout, run.stderr
    report = json.loads(run.stdout)
    checks = report["summary"]["checks"]
    assert {k: checks.get(k) for k in want} == want
    if "unknown" in want.values():  # the finding says why
        text = json.dumps([f for f in report["findings"] if f["check"] in want])
        assert "is created" in text or "differently" in text
