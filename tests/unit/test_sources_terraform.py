"""Terraform source: module folders, W&B's published modules, plan JSON, and what each finding points at."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gcready.model import BucketState, Evidence, Outcome, Provider, SourceKind
from gcready.sources import collect, guess_kind
from gcready.sources.terraform import read
from gcready.sources.tfdetect import looks_like_hcl, looks_like_plan
from tests.conftest import FIXTURES, run_gcready

# The Terraform trees: the acceptance scenarios' inputs, plus two trees only these tests use.
_SCENARIOS = FIXTURES / "scenarios"
TREES = {
    "local-module": _SCENARIOS / "terraform-local-module-versioned-bucket" / "inputs",
    "aws-stock": _SCENARIOS / "terraform-aws-stock-module-no-versioning" / "inputs",
    "aws-external-bucket": _SCENARIOS / "terraform-aws-external-bucket-unknown" / "inputs",
    "gcp-app-env": _SCENARIOS / "terraform-gcp-app-wandb-env-only" / "inputs",
    "azure-soft-delete": FIXTURES / "terraform" / "azure-soft-delete",
    "plan": FIXTURES / "terraform" / "plan",
}


class _Trees:
    def __truediv__(self, name: str) -> Path:
        return TREES[name]


TF = _Trees()


def _where(origin: object) -> str:
    """``tree/file:line`` for an origin inside one of the Terraform trees."""
    source = Path(origin.source)  # type: ignore[attr-defined]
    for name, root in TREES.items():
        if root in source.parents:
            return f"{name}/{source.relative_to(root).as_posix()}:{origin.line}"  # type: ignore[attr-defined]
    return f"{source.as_posix()}:{origin.line}"  # type: ignore[attr-defined]


def _state(evidence: Evidence, name: str) -> BucketState:
    found = [s for s in evidence.bucket_states if s.name == name]
    assert found, [s.name for s in evidence.bucket_states]
    return found[0]


def _audit(path: Path, *args: str) -> dict[str, object]:
    run = run_gcready("audit", str(path), "--offline", "--format", "json", *args)
    assert run.stdout, run.stderr
    report: dict[str, object] = json.loads(run.stdout)
    report["_exit"] = run.code
    return report


def _checks(report: dict[str, object]) -> dict[str, str]:
    return report["summary"]["checks"]  # type: ignore[index,no-any-return]


# --- routing -------------------------------------------------------------------------------------


def test_guess_kind_routes_terraform_and_keeps_other_kinds() -> None:
    assert guess_kind("main.tf", 'resource "x" "y" {}') is SourceKind.TERRAFORM
    assert guess_kind("prod.tfvars", 'a = "b"') is SourceKind.TERRAFORM
    assert guess_kind("prod.tfvars.json", '{"a": "b"}') is SourceKind.TERRAFORM
    plan = (TF / "plan" / "tfplan.json").read_text()
    assert looks_like_plan(plan)
    assert guess_kind("tfplan.json", plan) is SourceKind.TERRAFORM
    assert guess_kind("other.json", '{"a": 1}') is None
    assert guess_kind("x.env", "WANDB_BASE_URL=https://api.wandb.ai\n") is SourceKind.DOTENV
    assert looks_like_hcl("main.tf", "")
    assert not looks_like_hcl("values.yaml", "global:\n  host: x\n")


def test_inputs_are_listed_as_terraform() -> None:
    evidence = collect([str(TF / "local-module")])
    kinds = {Path(i.path).name: i.kind for i in evidence.inputs}
    assert kinds["main.tf"] is SourceKind.TERRAFORM
    assert kinds["terraform.tfvars"] is SourceKind.TERRAFORM
    assert not evidence.errors


# --- a root calling a local module ---------------------------------------------------------------


def test_local_module_bucket_resolved_through_tfvars_locals_and_outputs() -> None:
    evidence = collect([str(TF / "local-module")])
    [bucket] = evidence.buckets
    assert bucket.provider is Provider.AWS
    assert bucket.name == "acme-prod-wandb-artifacts"  # "${local.prefix}-wandb-artifacts", prefix from tfvars
    assert _where(bucket.origin) == "local-module/modules/storage/main.tf:1"
    assert bucket.origin.path == "module.storage.aws_s3_bucket.file_storage"
    state = _state(evidence, "acme-prod-wandb-artifacts")
    assert state.origin.path == "module.storage.aws_s3_bucket.file_storage"
    assert state.access.ok
    versioning = state.setting("versioning")
    assert (
        versioning is not None and versioning.ok and versioning.value == "enabled"
    )  # tfvars beat the default
    lifecycle = state.setting("lifecycle")
    assert lifecycle is not None and lifecycle.value == [
        {
            "id": "noncurrent-version-expiration",
            "enabled": True,
            "prefix": None,
            "noncurrent_days": 30,
            "expired_object_delete_marker": True,
            "expiration_days": None,
        }
    ]


def test_local_module_env_and_flow_logs_bucket_skipped() -> None:
    evidence = collect([str(TF / "local-module")])
    [component] = evidence.components
    assert component.name == 'module "wandb" (main.tf)'
    assert component.runs_gc
    flag = component.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "true"  # HCL true renders as "true"
    assert _where(flag.origin) == "local-module/main.tf:53"
    assert _where(component.origin) == "local-module/main.tf:41"
    skipped = [n for n in evidence.notes if "flow_logs" in n.text]
    assert skipped and _where(skipped[0].origin) == "local-module/main.tf:29"
    assert all(s.name != "acme-prod-vpc-flow-logs" for s in evidence.bucket_states)


def test_local_module_verdict_ready() -> None:
    report = _audit(TF / "local-module")
    assert report["_exit"] == 0
    assert _checks(report)["bucket-versioning"] == "pass"
    assert _checks(report)["gc-env-flag"] == "pass"


# --- W&B's published modules ---------------------------------------------------------------------


def test_aws_stock_module_creates_an_unversioned_bucket() -> None:
    evidence = collect([str(TF / "aws-stock")])
    [bucket] = evidence.buckets
    address = "module.wandb.module.file_storage[0].aws_s3_bucket.file_storage"
    assert bucket.name == address and bucket.origin.path == address
    assert _where(bucket.origin) == "aws-stock/main.tf:13"
    state = _state(evidence, address)
    versioning = state.setting("versioning")
    assert versioning is not None and versioning.ok and versioning.value == "disabled"
    assert "created by wandb/wandb/aws 7.8.1: the published module enables no versioning" in versioning.reason
    kinds = {(s.kind.value, s.value) for s in evidence.signals}
    assert ("cloud-provider", "aws") in kinds
    assert any(k == "server-config" for k, _ in kinds)


def test_aws_stock_env_points_at_the_tfvars_line() -> None:
    evidence = collect([str(TF / "aws-stock")])
    [component] = evidence.components
    flag = component.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "true"
    assert _where(flag.origin) == "aws-stock/terraform.tfvars:9"
    assert flag.origin.path == "module.wandb.other_wandb_env.GORILLA_ARTIFACT_GC_ENABLED"


def test_aws_stock_verdict_versioning_fails() -> None:
    report = _audit(TF / "aws-stock")
    assert report["deployment"]["type"] == "customer-managed-cloud"  # type: ignore[index]
    assert _checks(report)["bucket-versioning"] == "fail"
    assert _checks(report)["gc-env-flag"] == "pass"
    assert report["_exit"] == 3


@pytest.mark.parametrize(
    ("env_line", "status"),
    [
        ('"GORILLA_ARTIFACT_GC_ENABLED" = "true"', "pass"),
        ('"GORILLA_ARTIFACT_GC_ENABLED" = true', "pass"),
        ('"GORILLA_ARTIFACT_GC_ENABLED" = "True"', "pass"),
        ('"GORILLA_ARTIFACT_GC_ENABLED" = "yes"', "fail"),
        ('"GORILLA_ARTIFACT_GC_ENABLED" = "false"', "fail"),
        ('"GORILLA_ARTIFACTS_GC_BATCH_SIZE" = "500"', "fail"),
    ],
)
def test_gc_env_flag_per_other_wandb_env(tmp_path: Path, env_line: str, status: str) -> None:
    root = tmp_path / "aws"
    shutil.copytree(TF / "aws-stock", root)
    tfvars = root / "terraform.tfvars"
    text = tfvars.read_text()
    start = text.index("other_wandb_env")
    tfvars.write_text(text[:start] + "other_wandb_env = {\n  " + env_line + "\n}\n")
    assert _checks(_audit(root))["gc-env-flag"] == status


def test_computed_other_wandb_env_is_unknown(tmp_path: Path) -> None:
    root = tmp_path / "aws"
    shutil.copytree(TF / "aws-stock", root)
    main = root / "main.tf"
    main.write_text(
        main.read_text().replace(
            "other_wandb_env = var.other_wandb_env",
            "other_wandb_env = jsondecode(data.aws_ssm_parameter.env.value)",
        )
    )
    evidence = collect([str(root)])
    [component] = evidence.components
    assert component.gaps and "computed in Terraform" in component.gaps[0]
    assert _checks(_audit(root))["gc-env-flag"] == "unknown"


def test_versioning_added_in_the_tree_for_the_module_bucket(tmp_path: Path) -> None:
    root = tmp_path / "aws"
    shutil.copytree(TF / "aws-stock", root)
    (root / "versioning.tf").write_text(
        'resource "aws_s3_bucket_versioning" "wandb" {\n'
        "  bucket = module.wandb.bucket_name\n"
        "  versioning_configuration {\n"
        '    status = "Enabled"\n'
        "  }\n"
        "}\n"
    )
    evidence = collect([str(root)])
    [state] = evidence.bucket_states
    versioning = state.setting("versioning")
    assert versioning is not None and versioning.value == "enabled"
    assert _checks(_audit(root))["bucket-versioning"] == "pass"


def test_external_bucket_has_no_state_and_is_unknown() -> None:
    evidence = collect([str(TF / "aws-external-bucket")])
    [bucket] = evidence.buckets
    assert bucket.name == "research-wandb-artifacts"
    assert _where(bucket.origin) == "aws-external-bucket/main.tf:10"
    assert evidence.state_of(bucket) is None
    assert any("not visible here" in n.text for n in evidence.notes)
    report = _audit(TF / "aws-external-bucket")
    assert _checks(report)["bucket-versioning"] == "unknown"
    assert report["_exit"] == 5


def test_gcp_app_wandb_env_does_not_set_the_flag() -> None:
    evidence = collect([str(TF / "gcp-app-env")])
    [component] = evidence.components
    assert component.get("GORILLA_ARTIFACT_GC_ENABLED") is None
    [note] = [n for n in evidence.notes if "app.extraEnvs" in n.text]
    assert "never reads" in note.text
    assert _where(note.origin) == "gcp-app-env/main.tf:19"
    state = evidence.bucket_states[0]
    soft = state.setting("soft_delete")
    assert soft is not None and soft.value == {"enabled": True, "days": 7, "seconds": 604800}
    report = _audit(TF / "gcp-app-env")
    assert _checks(report)["gc-env-flag"] == "fail"
    assert _checks(report)["bucket-versioning"] == "fail"


def test_azure_blob_soft_delete_passes_and_lookalikes_are_not_evidence() -> None:
    evidence = collect([str(TF / "azure-soft-delete")])
    [bucket] = evidence.buckets
    assert (bucket.provider, bucket.account, bucket.name) == (
        Provider.AZURE,
        "acmewandbstorage",
        "wandb-artifacts",
    )
    assert _where(bucket.origin) == "azure-soft-delete/main.tf:43"
    state = _state(evidence, "wandb-artifacts")
    assert state.setting("soft_delete").value == {"enabled": True, "days": 7}  # type: ignore[union-attr]
    assert state.setting("container_soft_delete").value == {"enabled": True, "days": 7}  # type: ignore[union-attr]
    assert state.setting("blob_versioning").value == {"enabled": False}  # type: ignore[union-attr]
    assert _checks(_audit(TF / "azure-soft-delete"))["bucket-versioning"] == "pass"


def test_azure_without_delete_retention_policy_fails(tmp_path: Path) -> None:
    root = tmp_path / "az"
    shutil.copytree(TF / "azure-soft-delete", root)
    main = root / "main.tf"
    main.write_text(main.read_text().replace("delete_retention_policy {\n      days = 7\n    }\n", "", 1))
    state = _state(collect([str(root)]), "wandb-artifacts")
    soft = state.setting("soft_delete")
    assert soft is not None and soft.ok and soft.value == {"enabled": False, "days": None}
    assert _checks(_audit(root))["bucket-versioning"] == "fail"


# --- evaluation limits: computed values are never pass/fail --------------------------------------


def test_variable_without_value_is_computed(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        'variable "status" {\n  type = string\n}\n\n'
        'resource "aws_s3_bucket" "wandb" {\n  bucket = "acme-wandb-files"\n}\n\n'
        'resource "aws_s3_bucket_versioning" "wandb" {\n  bucket = "acme-wandb-files"\n'
        "  versioning_configuration {\n    status = var.status\n  }\n}\n"
    )
    evidence = collect([str(root)])
    state = _state(evidence, "acme-wandb-files")  # linked by literal name
    versioning = state.setting("versioning")
    assert versioning is not None and versioning.outcome is Outcome.ERROR
    assert versioning.reason.startswith("computed in Terraform: var.status")
    report = _audit(root, "--deployment", "customer-managed-cloud")
    assert _checks(report)["bucket-versioning"] == "unknown"


def test_unresolvable_bucket_name_uses_the_address(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        'resource "random_id" "suffix" {\n  byte_length = 4\n}\n\n'
        'resource "google_storage_bucket" "wandb_artifacts" {\n'
        '  name     = "wandb-${random_id.suffix.hex}"\n  location = "US"\n'
        "  versioning {\n    enabled = true\n  }\n"
        "  soft_delete_policy {\n    retention_duration_seconds = 0\n  }\n"
        "  retention_policy {\n    retention_period = 86400\n    is_locked = false\n  }\n}\n\n"
        'resource "google_storage_bucket" "audit_logs" {\n  name = "acme-audit-logs"\n  location = "US"\n}\n'
    )
    evidence = collect([str(root)])
    [state] = evidence.bucket_states
    assert state.name == "google_storage_bucket.wandb_artifacts"
    assert state.origin.line == 5
    assert state.setting("versioning").value == "enabled"  # type: ignore[union-attr]
    assert state.setting("soft_delete").value == {"enabled": False, "days": 0, "seconds": 0}  # type: ignore[union-attr]
    assert state.setting("retention").value == {"seconds": 86400, "locked": False}  # type: ignore[union-attr]
    assert any("audit_logs" in n.text and "skipped" in n.text for n in evidence.notes)
    assert any("the resource address stands for it" in n.text for n in evidence.notes)


def test_legacy_inline_versioning_and_minio(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        'provider "minio" {\n  minio_server = "minio.storage.svc:9000"\n}\n\n'
        'resource "minio_s3_bucket" "wandb" {\n  bucket = "wandb"\n}\n\n'
        'resource "minio_s3_bucket_versioning" "wandb" {\n  bucket = minio_s3_bucket.wandb.bucket\n'
        '  versioning_configuration {\n    status = "Suspended"\n  }\n}\n\n'
        'resource "aws_s3_bucket" "wandb_legacy" {\n  bucket = "acme-wandb-legacy"\n'
        "  versioning {\n    enabled = true\n  }\n"
        '  lifecycle_rule {\n    id = "old"\n    enabled = true\n'
        "    noncurrent_version_expiration {\n      days = 14\n    }\n  }\n}\n"
    )
    evidence = collect([str(root)])
    minio = _state(evidence, "wandb")
    assert minio.provider is Provider.S3_COMPATIBLE and minio.endpoint == "minio.storage.svc:9000"
    assert minio.setting("versioning").value == "suspended"  # type: ignore[union-attr]
    legacy = _state(evidence, "acme-wandb-legacy")
    assert legacy.setting("versioning").value == "enabled"  # type: ignore[union-attr]
    assert legacy.setting("lifecycle").value[0]["noncurrent_days"] == 14  # type: ignore[index,union-attr]


def test_bad_hcl_is_an_input_error_with_a_line(tmp_path: Path) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = "a"\n  oops = = \n}\n')
    evidence = collect([str(root)])
    [error] = evidence.errors
    assert error.source.endswith("main.tf") and "not valid HCL" in error.message


# --- plan / state JSON ---------------------------------------------------------------------------


def test_plan_json_links_by_configuration_references() -> None:
    evidence = collect([str(TF / "plan")])
    [bucket] = evidence.buckets
    assert bucket.name == "acme-wandb-artifacts"
    assert bucket.origin.path == "aws_s3_bucket.artifacts" and bucket.origin.line is None
    state = _state(evidence, "acme-wandb-artifacts")
    assert state.setting("versioning").value == "enabled"  # type: ignore[union-attr]
    [component] = evidence.components
    assert component.get("GORILLA_ARTIFACT_GC_ENABLED").value == "true"  # type: ignore[union-attr]
    assert any("alb_logs" in n.text for n in evidence.notes)
    report = _audit(TF / "plan")
    assert report["_exit"] == 0


def test_plan_unknown_values_are_not_ok(tmp_path: Path) -> None:
    plan = json.loads((TF / "plan" / "tfplan.json").read_text())
    for change in plan["resource_changes"]:
        if change["address"] == "aws_s3_bucket_versioning.artifacts":
            change["change"]["after_unknown"]["versioning_configuration"] = [{"status": True}]
    for res in plan["planned_values"]["root_module"]["resources"]:
        if res["address"] == "aws_s3_bucket_versioning.artifacts":
            res["values"]["versioning_configuration"] = [{}]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    evidence = read([(str(path), path.read_text())])
    versioning = _state(evidence, "acme-wandb-artifacts").setting("versioning")
    assert versioning is not None and versioning.outcome is Outcome.ERROR
    assert "computed in Terraform" in versioning.reason
    assert _checks(_audit(path))["bucket-versioning"] == "unknown"


# --- wandb/wandb/helm: the operator values under spec.values -------------------------------------

HELM_CALL = """
module "wandb" {
  source  = "wandb/wandb/helm"
  version = "1.2.0"

  spec = {
    values = {
      global = {
        cloudProvider = "gcp"
        extraEnv      = var.other_wandb_env
        bucket = {
          provider = "gcs"
          name     = "acme-wandb-gcs"
        }
      }
      app = {
        extraEnv = %s
      }
    }
  }
}

variable "other_wandb_env" {
  type = map(string)
%s}
"""


def _helm_tree(tmp_path: Path, app_env: str, default: str, tfvars: str | None = None) -> Path:
    root = tmp_path / "tf"
    root.mkdir(parents=True)
    (root / "main.tf").write_text(HELM_CALL % (app_env, default))
    if tfvars is not None:
        (root / "terraform.tfvars").write_text(tfvars)
    return root


def test_helm_module_values_follow_the_chart_precedence_and_tfvars_lines(tmp_path: Path) -> None:
    root = _helm_tree(tmp_path, "{}", "", 'other_wandb_env = {\n  GORILLA_ARTIFACT_GC_ENABLED = "true"\n}\n')
    report = _audit(root)
    assert report["deployment"]["type"] == "customer-managed-cloud"  # type: ignore[index]
    assert _checks(report)["gc-env-flag"] == "pass"
    (flag,) = [f for f in report["findings"] if f["check"] == "gc-env-flag"]  # type: ignore[attr-defined]
    assert flag["evidence"][0]["origin"]["source"].endswith("terraform.tfvars")
    assert flag["evidence"][0]["origin"]["line"] == 2
    # the component's own extraEnv wins over global.extraEnv, as the chart renders it
    overridden = _helm_tree(
        tmp_path / "b",
        '{ GORILLA_ARTIFACT_GC_ENABLED = "yes" }',
        "",
        'other_wandb_env = {\n  GORILLA_ARTIFACT_GC_ENABLED = "true"\n}\n',
    )
    assert _checks(_audit(overridden))["gc-env-flag"] == "fail"  # "yes" is not true to ParseBool


def test_helm_module_app_extra_envs_is_reported_as_ignored(tmp_path: Path) -> None:
    root = _helm_tree(tmp_path, "{}", "  default = {}\n")
    text = (
        (root / "main.tf")
        .read_text()
        .replace("        extraEnv = {}", '        extraEnvs = { GORILLA_ARTIFACT_GC_ENABLED = "true" }')
    )
    (root / "main.tf").write_text(text)
    evidence = collect([str(root)])
    assert any("spec.values.app.extraEnvs is ignored" in n.text for n in evidence.notes)
    assert _checks(_audit(root))["gc-env-flag"] == "fail"  # the key the chart never reads sets nothing


def test_helm_module_extra_env_from_a_variable_without_value_is_unknown(tmp_path: Path) -> None:
    report = _audit(_helm_tree(tmp_path, "{}", ""))
    assert _checks(report)["gc-env-flag"] == "unknown"
    (flag,) = [f for f in report["findings"] if f["check"] == "gc-env-flag"]  # type: ignore[attr-defined]
    assert "var.other_wandb_env has no default" in flag["detail"] and ".tfvars" in flag["needs"]
    defaulted = _audit(_helm_tree(tmp_path / "b", "{}", "  default = {}\n"))
    assert _checks(defaulted)["gc-env-flag"] == "fail"


# --- conditionals, comparisons, count = 0 ----------------------------------------------------------


def test_conditional_on_known_values_picks_the_branch_and_count_zero_creates_nothing(tmp_path: Path) -> None:
    """The published AWS module's own shape: with create_bucket = false and a bucket_name, its
    file_storage module makes no bucket, and global.bucket.name is the external bucket."""
    tree = tmp_path / "tf"
    shutil.copytree(FIXTURES / "scenarios" / "terraform-aws-published-module-source-tree" / "inputs", tree)
    (tree / "terraform.tfvars").write_text(
        'namespace = "acme"\ncreate_bucket = false\nbucket_name = "acme-external"\n'
    )
    evidence = collect([str(tree)])
    assert [b.name for b in evidence.buckets] == ["acme-external"]
    assert not evidence.bucket_states  # an existing bucket: its settings are not in this code
    assert any('module "file_storage": count/for_each makes no instance' in n.text for n in evidence.notes)
    report = _audit(tree)
    assert _checks(report)["bucket-versioning"] == "unknown"  # never the absent bucket's "fail"


@pytest.mark.parametrize(
    ("condition", "verdict"),
    [
        ('var.name != ""', "pass"),
        ('var.name == ""', "fail"),
        ("!var.flag", "fail"),
        ('var.flag && var.name == "acme"', "pass"),
        ("var.flag || var.missing", "unknown"),  # an unknown operand: unknown, never a guess
        ("var.missing", "unknown"),  # an unknown condition stays unknown
    ],
)
def test_conditionals_over_known_values_decide_the_setting(
    tmp_path: Path, condition: str, verdict: str
) -> None:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        'variable "name" {\n  default = "acme"\n}\nvariable "flag" {\n  default = true\n}\n'
        'variable "missing" {\n  type = bool\n}\n\n'
        'resource "aws_s3_bucket" "wandb" {\n  bucket = "acme-wandb-files"\n}\n\n'
        'resource "aws_s3_bucket_versioning" "wandb" {\n  bucket = aws_s3_bucket.wandb.id\n'
        f'  versioning_configuration {{\n    status = {condition} ? "Enabled" : "Suspended"\n  }}\n}}\n'
    )
    report = _audit(root, "--deployment", "customer-managed-cloud")
    assert _checks(report)["bucket-versioning"] == verdict


def test_helm_module_bucket_reference_picks_the_bucket_resource(tmp_path: Path) -> None:
    """global.bucket.name = aws_s3_bucket.data.bucket ties that bucket, whatever its name looks like."""
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(
        'resource "aws_s3_bucket" "data" {\n  bucket = "acme-ml-data"\n}\n\n'
        'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-ml-logs"\n}\n\n'
        'module "wandb" {\n  source  = "wandb/wandb/helm"\n  version = "1.2.0"\n  spec = {\n    values = {\n'
        '      global = {\n        cloudProvider = "aws"\n'
        '        extraEnv = { GORILLA_ARTIFACT_GC_ENABLED = "true" }\n'
        '        bucket = {\n          provider = "s3"\n          name     = aws_s3_bucket.data.bucket\n'
        "        }\n      }\n    }\n  }\n}\n"
    )
    evidence = collect([str(root)])
    assert [b.name for b in evidence.buckets] == ["acme-ml-data"]
    assert any("skipped aws_s3_bucket.logs" in n.text for n in evidence.notes)
    report = _audit(root)
    assert _checks(report)["gc-env-flag"] == "pass"
    assert _checks(report)["bucket-versioning"] == "fail"


def test_helm_module_value_from_a_secret_is_unknown_not_a_string(tmp_path: Path) -> None:
    root = _helm_tree(
        tmp_path,
        "{\n          GORILLA_ARTIFACT_GC_ENABLED = {\n            valueFrom = {\n"
        '              secretKeyRef = { name = "wandb-gc", key = "enabled" }\n'
        "            }\n          }\n        }",
        "  default = {}\n",
    )
    report = _audit(root)
    assert _checks(report)["gc-env-flag"] == "unknown"
    (flag,) = [f for f in report["findings"] if f["check"] == "gc-env-flag"]  # type: ignore[attr-defined]
    assert "Secret" in flag["detail"], flag


def test_helm_module_env_from_a_config_map_leaves_the_flag_unknown(tmp_path: Path) -> None:
    """global.extraEnvFrom imports a whole ConfigMap: an absent flag may be there, so not a fail."""
    root = _helm_tree(tmp_path, "{}", "  default = {}\n")
    text = (
        (root / "main.tf")
        .read_text()
        .replace(
            "        extraEnv      = var.other_wandb_env\n",
            '        extraEnv      = var.other_wandb_env\n        extraEnvFrom  = { "wandb-env" = "configMapRef" }\n',
        )
    )
    (root / "main.tf").write_text(text)
    report = _audit(root)
    assert _checks(report)["gc-env-flag"] == "unknown"
    (flag,) = [f for f in report["findings"] if f["check"] == "gc-env-flag"]  # type: ignore[attr-defined]
    assert "configMapRef wandb-env (spec.values.global.extraEnvFrom)" in flag["detail"], flag
