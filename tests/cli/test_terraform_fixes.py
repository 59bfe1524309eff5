"""Fixes for buckets declared in Terraform name the real resources, go where they belong, and work:
the printed block, added to the tree, turns the failing check into a pass on a re-audit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, run_gcready

FLAG = 'other_wandb_env = {\n    GORILLA_ARTIFACT_GC_ENABLED = "true"\n  }\n'


def audit(path: Path) -> dict[str, Any]:
    run = run_gcready("audit", str(path), "--offline", "--format", "json")
    assert run.stdout, run.stderr
    report: dict[str, Any] = json.loads(run.stdout)
    return report


def finding(report: dict[str, Any], check: str) -> dict[str, Any]:
    (found,) = [f for f in report["findings"] if f["check"] == check]
    return found


def fix(found: dict[str, Any], kind: str) -> dict[str, Any]:
    (one,) = [f for f in found["fixes"] if f["kind"] == kind]
    return one


def test_stock_aws_module_fix_references_the_module_output_and_passes_once_added(tmp_path: Path) -> None:
    tree = tmp_path / "tf"
    shutil.copytree(FIXTURES / "scenarios" / "terraform-aws-stock-module-no-versioning" / "inputs", tree)
    versioning = finding(audit(tree), "bucket-versioning")
    assert versioning["status"] == "fail"
    terraform = fix(versioning, "terraform")
    assert "bucket = module.wandb.bucket_name" in terraform["text"]
    assert terraform["title"].startswith(f"add to {tree / 'main.tf'}, beside module 'wandb'")
    cli = fix(versioning, "cli")
    # the module names the bucket at apply time: a placeholder, said so, never the resource address
    assert "--bucket BUCKET_NAME " in cli["text"] and "module.wandb" in cli["title"]
    with (tree / "main.tf").open("a") as main:
        main.write("\n" + terraform["text"] + "\n")
    assert finding(audit(tree), "bucket-versioning")["status"] == "pass"


def test_own_s3_bucket_fix_references_the_resource_in_its_module_file(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    storage = root / "modules" / "storage"
    storage.mkdir(parents=True)
    (root / "main.tf").write_text(
        'module "storage" {\n  source = "./modules/storage"\n}\n\n'
        'module "wandb" {\n  source  = "wandb/wandb/aws"\n  version = "7.8.1"\n\n'
        f"  bucket_name = module.storage.bucket\n  {FLAG}}}\n"
    )
    (storage / "main.tf").write_text(
        'resource "aws_s3_bucket" "files" {\n  bucket = "acme-wandb-files"\n}\n\n'
        'output "bucket" {\n  value = aws_s3_bucket.files.id\n}\n'
    )
    report = audit(root)
    versioning = finding(report, "bucket-versioning")
    assert versioning["status"] == "fail", versioning
    terraform = fix(versioning, "terraform")
    assert terraform["text"].startswith('resource "aws_s3_bucket_versioning" "files" {\n')
    assert "bucket = aws_s3_bucket.files.id" in terraform["text"]
    assert terraform["title"] == f"add to {storage / 'main.tf'}, beside aws_s3_bucket.files"
    assert "--bucket acme-wandb-files " in fix(versioning, "cli")["text"]
    with (storage / "main.tf").open("a") as module_file:
        module_file.write("\n" + terraform["text"] + "\n")
    assert finding(audit(root), "bucket-versioning")["status"] == "pass"


def test_gcs_bucket_fix_goes_inside_the_resource(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        'resource "google_storage_bucket" "artifacts" {\n  name     = "acme-wandb-gcs"\n  location = "US"\n}\n\n'
        'module "wandb" {\n  source  = "wandb/wandb/google"\n  version = "10.2.0"\n\n'
        f"  bucket_name = google_storage_bucket.artifacts.name\n  {FLAG}}}\n"
    )
    versioning = finding(audit(root), "bucket-versioning")
    assert versioning["status"] == "fail", versioning
    terraform = fix(versioning, "terraform")
    assert terraform["title"] == f"in google_storage_bucket.artifacts ({root / 'main.tf'})"
    assert terraform["text"].startswith('resource "google_storage_bucket" "artifacts" {\n')
    assert "  versioning {\n    enabled = true\n  }\n" in terraform["text"]
    text = (root / "main.tf").read_text()
    (root / "main.tf").write_text(
        text.replace('location = "US"\n', 'location = "US"\n\n  versioning {\n    enabled = true\n  }\n', 1)
    )
    assert finding(audit(root), "bucket-versioning")["status"] == "pass"


def test_stock_google_module_fix_brings_a_versioned_bucket(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        f'module "wandb" {{\n  source  = "wandb/wandb/google"\n  version = "10.2.0"\n\n  {FLAG}}}\n'
    )
    versioning = finding(audit(root), "bucket-versioning")
    assert versioning["status"] == "fail", versioning
    terraform = fix(versioning, "terraform")
    assert "has no input for it" in terraform["title"]
    assert "bucket_name = google_storage_bucket.wandb.name" in terraform["text"]
    assert "versioning {\n    enabled = true\n  }" in terraform["text"]


def test_lifecycle_fix_for_a_versioned_terraform_bucket_references_it_and_passes_once_added(
    tmp_path: Path,
) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        'resource "aws_s3_bucket" "files" {\n  bucket = "acme-wandb-files"\n}\n\n'
        'resource "aws_s3_bucket_versioning" "files" {\n  bucket = aws_s3_bucket.files.id\n'
        '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n\n'
        'module "wandb" {\n  source  = "wandb/wandb/aws"\n  version = "7.8.1"\n\n'
        f"  bucket_name = aws_s3_bucket.files.id\n  {FLAG}}}\n"
    )
    expiry = finding(audit(root), "noncurrent-expiry")
    assert expiry["status"] == "warn", expiry
    terraform = fix(expiry, "terraform")
    assert "bucket = aws_s3_bucket.files.id" in terraform["text"]
    assert terraform["title"].endswith(f"add to {root / 'main.tf'}, beside aws_s3_bucket.files")
    with (root / "main.tf").open("a") as main:
        main.write("\n" + terraform["text"] + "\n")
    assert finding(audit(root), "noncurrent-expiry")["status"] == "pass"


def test_azure_soft_delete_fix_goes_inside_the_storage_account(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        'resource "azurerm_storage_account" "wandb" {\n  name                     = "acmewandbstore"\n'
        '  resource_group_name      = "wandb"\n  location                 = "eastus"\n'
        '  account_tier             = "Standard"\n  account_replication_type = "LRS"\n}\n\n'
        'resource "azurerm_storage_container" "files" {\n  name                 = "wandb-files"\n'
        "  storage_account_name = azurerm_storage_account.wandb.name\n}\n\n"
        'module "wandb" {\n  source  = "wandb/wandb/azurerm"\n  version = "4.3.0"\n\n'
        "  storage_account = azurerm_storage_account.wandb.name\n"
        f"  blob_container  = azurerm_storage_container.files.name\n  {FLAG}}}\n"
    )
    versioning = finding(audit(root), "bucket-versioning")
    assert versioning["status"] == "fail", versioning
    terraform = fix(versioning, "terraform")
    assert terraform["title"] == f"in azurerm_storage_account.wandb ({root / 'main.tf'})"
    assert terraform["text"].startswith('resource "azurerm_storage_account" "wandb" {\n')
    assert "delete_retention_policy {\n      days = 7\n    }" in terraform["text"]
    assert any("-n acmewandbstore " in f["text"] for f in versioning["fixes"] if f["kind"] == "cli")


def test_stock_azure_module_fix_brings_an_account_with_soft_delete_and_passes_once_applied(
    tmp_path: Path,
) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    call = 'module "wandb" {\n  source  = "wandb/wandb/azurerm"\n  version = "4.3.0"\n  namespace = "acme"\n'
    (root / "main.tf").write_text(f"{call}  {FLAG}}}\n")
    versioning = finding(audit(root), "bucket-versioning")
    assert versioning["status"] == "fail", versioning
    text = fix(versioning, "terraform")["text"]
    assert "delete_retention_policy {\n      days = 7\n    }" in text
    assert 'resource "azurerm_storage_container" "wandb"' in text
    assert "storage_account = azurerm_storage_account.wandb.name" in text
    assert "blob_container  = azurerm_storage_container.wandb.name" in text
    # applied: the printed resources (name and required arguments filled in), the inputs in the call
    resources = text.split('\nmodule "wandb"', 1)[0].replace('"NEW_NAME"', '"acmewandbstore"')
    resources = resources.replace(
        "  # ... location and the rest\n",
        '  resource_group_name      = "wandb"\n  location                 = "eastus"\n'
        '  account_tier             = "Standard"\n  account_replication_type = "LRS"\n',
    )
    inputs = "  storage_account = azurerm_storage_account.wandb.name\n  blob_container  = azurerm_storage_container.wandb.name\n"
    (root / "main.tf").write_text(f"{resources}\n\n{call}{inputs}  {FLAG}}}\n")
    assert finding(audit(root), "bucket-versioning")["status"] == "pass"


def test_azure_fix_names_the_file_of_the_storage_account(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "storage.tf").write_text(
        'resource "azurerm_storage_account" "wandb" {\n  name                     = "acmewandbstore"\n'
        '  resource_group_name      = "wandb"\n  location                 = "eastus"\n'
        '  account_tier             = "Standard"\n  account_replication_type = "LRS"\n}\n'
    )
    (root / "main.tf").write_text(
        'resource "azurerm_storage_container" "files" {\n  name                 = "wandb-files"\n'
        "  storage_account_name = azurerm_storage_account.wandb.name\n}\n\n"
        'module "wandb" {\n  source  = "wandb/wandb/azurerm"\n  version = "4.3.0"\n\n'
        "  storage_account = azurerm_storage_account.wandb.name\n"
        f"  blob_container  = azurerm_storage_container.files.name\n  {FLAG}}}\n"
    )
    terraform = fix(finding(audit(root), "bucket-versioning"), "terraform")
    assert terraform["title"] == f"in azurerm_storage_account.wandb ({root / 'storage.tf'})"
