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


def _s3_root(extra: str, versioning_status: str = "Enabled") -> dict[str, str]:
    return {
        "main.tf": f"""
        module "wandb" {{
          source          = "wandb/wandb/aws"
          version         = "4.0.0"
          bucket_name     = aws_s3_bucket.files.id
          other_wandb_env = {{ {FLAG} = "true" }}
        }}
        resource "aws_s3_bucket" "files" {{
          bucket = "acme-wandb-files"
        {extra}
        }}
        resource "aws_s3_bucket_versioning" "files" {{
          bucket = aws_s3_bucket.files.id
          versioning_configuration {{
            status = "{versioning_status}"
          }}
        }}
        """
    }


def test_versioning_status_in_the_wrong_case_fails_the_plan(tmp_path: Path) -> None:
    root = _tree(tmp_path, _s3_root("", versioning_status="enabled"))
    state = next(s for s in _evidence(root).bucket_states if s.name == "acme-wandb-files")
    versioning = state.setting("versioning")
    assert versioning is not None and versioning.value == "disabled"
    assert "rejected by the AWS provider" in versioning.reason and "plan will fail" in versioning.reason
    assert _audit(root)["bucket-versioning"] == "fail"
    report = json.loads(run_gcready("audit", str(root), "--offline", "--format", "json").stdout)
    [finding] = [f for f in report["findings"] if f["check"] == "bucket-versioning"]
    assert "terraform plan will fail" in finding["detail"]  # the finding says why, not only "off"


def test_versioning_status_enabled_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, _s3_root(""))
    checks = _audit(root)
    assert checks["bucket-versioning"] == "pass" and checks["gc-env-flag"] == "pass"


_LOCK = """
  object_lock_enabled = true
  dynamic "object_lock_configuration" {
    for_each = FOR_EACH
    content {
      object_lock_enabled = "Enabled"
      rule {
        default_retention {
          mode = "COMPLIANCE"
          days = 3650
        }
      }
    }
  }
"""


def test_dynamic_object_lock_with_a_known_for_each_is_read(tmp_path: Path) -> None:
    root = _tree(tmp_path, _s3_root(_LOCK.replace("FOR_EACH", 'var.lock ? ["on"] : []'), "Enabled"))
    (root / "variables.tf").write_text('variable "lock" {\n  default = true\n}\n')
    state = next(s for s in _evidence(root).bucket_states if s.name == "acme-wandb-files")
    lock = state.setting("object_lock")
    assert lock is not None and lock.ok
    assert lock.value == {"enabled": True, "mode": "COMPLIANCE", "days": 3650, "years": None}
    assert _audit(root)["object-lock"] == "warn"  # a COMPLIANCE default retention blocks the GC deletes


def test_dynamic_object_lock_with_an_unknown_for_each_is_unknown(tmp_path: Path) -> None:
    root = _tree(tmp_path, _s3_root(_LOCK.replace("FOR_EACH", "var.lock_rules"), "Enabled"))
    (root / "variables.tf").write_text('variable "lock_rules" {\n  type = list(string)\n}\n')
    state = next(s for s in _evidence(root).bucket_states if s.name == "acme-wandb-files")
    lock = state.setting("object_lock")
    assert lock is not None and not lock.ok and "dynamic" in lock.reason
    assert _audit(root)["object-lock"] == "unknown"


def test_dynamic_gcs_versioning_and_retention_policy(tmp_path: Path) -> None:
    bucket = """
    resource "google_storage_bucket" "files" {
      name     = "acme-wandb-files"
      location = "US"
      dynamic "versioning" {
        for_each = var.versioning
        content {
          enabled = versioning.value
        }
      }
      dynamic "retention_policy" {
        for_each = var.retention
        iterator = policy
        content {
          retention_period = policy.value
          is_locked        = true
        }
      }
    }
    variable "versioning" {
      default = [true]
    }
    """
    root = _tree(tmp_path / "known", {"main.tf": bucket + 'variable "retention" {\n  default = []\n}\n'})
    state = next(s for s in _evidence(root).bucket_states if s.name == "acme-wandb-files")
    assert state.setting("versioning").value == "enabled"  # type: ignore[union-attr]
    assert state.setting("retention").ok and state.setting("retention").value is None  # type: ignore[union-attr]
    assert _audit(root)["bucket-versioning"] == "pass"
    locked = _tree(
        tmp_path / "locked", {"main.tf": bucket + 'variable "retention" {\n  default = [86400]\n}\n'}
    )
    state = next(s for s in _evidence(locked).bucket_states if s.name == "acme-wandb-files")
    assert state.setting("retention").value == {"seconds": 86400, "locked": True}  # type: ignore[union-attr]
    unknown = _tree(
        tmp_path / "unknown", {"main.tf": bucket + 'variable "retention" {\n  type = list(number)\n}\n'}
    )
    state = next(s for s in _evidence(unknown).bucket_states if s.name == "acme-wandb-files")
    assert not state.setting("retention").ok  # type: ignore[union-attr]
    assert _audit(unknown)["gcs-retention-policy"] == "unknown"


def _helm_values(app: str, extra: str = "") -> str:
    return f"""
    module "wandb" {{
      source  = "wandb/wandb/helm"
      version = "3.0.0"
      spec = {{
        values = {{
          global = {{
            extraEnv = {{ {FLAG} = "true" }}
            {extra}
          }}
          app = {app}
        }}
      }}
    }}
    variable "enable_extra" {{
      type = bool
    }}
    variable "app_env" {{
      type = map(string)
    }}
    """


def test_global_flag_with_a_known_app_section_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": _helm_values('{ extraEnv = { OTHER = "1" } }')})
    assert _audit(root)["gc-env-flag"] == "pass"


def test_an_unknown_conditional_app_section_is_unknown_not_dropped(tmp_path: Path) -> None:
    app = '(var.enable_extra ? { extraEnv = { GORILLA_ARTIFACT_GC_ENABLED = "false" } } : {})'
    root = _tree(tmp_path, {"main.tf": _helm_values(app)})
    evidence = _evidence(root)
    [component] = [c for c in evidence.components if c.name.startswith("app ")]
    flag = component.get(FLAG)
    assert flag is not None and flag.value is None and "spec.values.app" in flag.unresolved
    assert _audit(root)["gc-env-flag"] == "unknown"


def test_an_unknown_higher_layer_over_the_global_flag_is_unknown(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": _helm_values("{ extraEnv = var.app_env }")})
    checks = _audit(root)
    assert checks["gc-env-flag"] == "unknown"
    # given in tfvars, the layer is known again and wins
    (root / "terraform.tfvars").write_text(f'app_env = {{ {FLAG} = "false" }}\nenable_extra = false\n')
    assert _audit(root)["gc-env-flag"] == "fail"


def test_an_unknown_lower_layer_under_a_known_flag_does_not_matter(tmp_path: Path) -> None:
    text = _helm_values('{ extraEnv = { "GORILLA_ARTIFACT_GC_ENABLED" = "true" } }').replace(
        f'extraEnv = {{ {FLAG} = "true" }}', "extraEnv = var.app_env"
    )
    root = _tree(tmp_path, {"main.tf": text})
    assert _audit(root)["gc-env-flag"] == "pass"


def test_a_bucket_given_only_through_default_bucket_is_read(tmp_path: Path) -> None:
    literal = 'defaultBucket = { provider = "s3", name = "acme-wandb-default", region = "us-east-1" }'
    root = _tree(tmp_path / "literal", {"main.tf": _helm_values("{}", literal)})
    assert [b.name for b in _evidence(root).buckets] == ["acme-wandb-default"]
    # a reference ties the bucket resource of the tree, which is then judged (unversioned: fail)
    ref = 'defaultBucket = { provider = "s3", name = aws_s3_bucket.files.bucket }'
    files = {
        "main.tf": _helm_values("{}", ref)
        + 'resource "aws_s3_bucket" "files" {\n  bucket = "acme-files"\n}\n'
        + 'resource "aws_s3_bucket" "wandb_logs" {\n  bucket = "acme-wandb-other"\n}\n'
    }
    root = _tree(tmp_path / "ref", files)
    evidence = _evidence(root)
    assert [b.name for b in evidence.buckets] == ["acme-files"]
    assert _audit(root)["bucket-versioning"] == "fail"


def _aws_call(version: str, env_line: str, extra: str = "") -> str:
    return f"""
    module "wandb" {{
      source  = "wandb/wandb/aws"
      version = "{version}"
      namespace = "acme"
      {env_line}
      {extra}
    }}
    """


def test_app_wandb_env_counts_only_for_releases_that_read_it(tmp_path: Path) -> None:
    line = f'app_wandb_env = {{ {FLAG} = "true" }}'
    cases = {
        "4.7.0": "pass",  # 4.5.3-4.24.0 merge it into app.extraEnv
        "~> 4.7": "pass",
        "5.0.1": "fail",  # declared, never read
        "7.8.1": "fail",  # no such input: the plan fails
        ">= 4.0": "unknown",  # which release is installed decides
    }
    for version, verdict in cases.items():
        root = _tree(
            tmp_path / version.replace(" ", "").replace(">=", "ge").replace("~>", "tilde"),
            {"main.tf": _aws_call(version, line)},
        )
        assert _audit(root)["gc-env-flag"] == verdict, version
    alb = _tree(tmp_path / "alb", {"main.tf": _aws_call("4.7.0", line, "enable_operator_alb = true")})
    assert _audit(alb)["gc-env-flag"] == "fail"  # the module then writes app = {}
    notes = [n.text for n in _evidence(tmp_path / "7.8.1").notes]
    assert any("no such input" in n and "Unsupported argument" in n for n in notes)


def test_an_unknown_app_wandb_env_over_a_global_flag_is_unknown(tmp_path: Path) -> None:
    text = _aws_call("4.7.0", f'other_wandb_env = {{ {FLAG} = "true" }}', "app_wandb_env = var.app_env")
    root = _tree(tmp_path, {"main.tf": text + 'variable "app_env" {\n  type = map(string)\n}\n'})
    assert _audit(root)["gc-env-flag"] == "unknown"


def test_connector_submodule_deploys_no_server_and_its_bucket_fails(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "main.tf": """
            module "secure_storage_connector" {
              source            = "wandb/wandb/aws//modules/secure_storage_connector"
              namespace         = "acme"
              aws_principal_arn = "arn:aws:iam::123456789012:root"
            }
            """
        },
    )
    evidence = _evidence(root)
    assert not evidence.components
    [bucket] = evidence.buckets
    assert not bucket.name_known and "://" not in bucket.label
    assert bucket.label == (
        "aws_s3_bucket.file_storage in module.secure_storage_connector.module.file_storage (name computed)"
    )
    checks = _audit(root)
    assert checks["bucket-versioning"] == "fail"
    assert checks["gc-env-flag"] == "unknown"  # no server here: not a fail
    assert bucket.tf_output == "bucket_id"  # the connector's output naming its bucket
    report = json.loads(run_gcready("audit", str(root), "--offline", "--format", "json").stdout)
    [versioning] = [f for f in report["findings"] if f["check"] == "bucket-versioning"]
    fixes = " ".join(fix["text"] for fix in versioning["fixes"])
    assert "bucket = module.secure_storage_connector.bucket_id" in fixes


def test_roots_are_audited_apart(tmp_path: Path) -> None:
    # one root uses W&B's registry module (unversioned bucket); another root declares a versioned bucket
    # at the same address the module would: neither is used to judge the other
    stock = _aws_call("7.8.1", f'other_wandb_env = {{ {FLAG} = "true" }}')
    versioned = """
    module "file_storage" {
      source = "../modules/file_storage"
    }
    """
    storage = """
    resource "aws_s3_bucket" "file_storage" {
      bucket = "acme-wandb-file-storage"
    }
    resource "aws_s3_bucket_versioning" "file_storage" {
      bucket = aws_s3_bucket.file_storage.id
      versioning_configuration {
        status = "Enabled"
      }
    }
    """
    root = _tree(
        tmp_path,
        {"prod/main.tf": stock, "infra/main.tf": versioned, "modules/file_storage/main.tf": storage},
    )
    evidence = _evidence(root)
    [component] = evidence.components
    assert component.name == 'module "wandb" (main.tf) in root prod'
    labels = sorted(b.label for b in evidence.buckets)
    assert labels == [
        "aws_s3_bucket.file_storage in module.wandb.module.file_storage (name computed, root prod)",
        "s3://acme-wandb-file-storage",
    ]
    run = run_gcready("audit", str(root), "--offline", "--format", "json")
    report = json.loads(run.stdout)
    verdicts = {f["resource"]: f["status"] for f in report["findings"] if f["check"] == "bucket-versioning"}
    assert verdicts == {labels[0]: "fail", "s3://acme-wandb-file-storage": "pass"}
    # each root alone
    assert _audit(root / "prod")["bucket-versioning"] == "fail"
    assert _audit(root / "infra")["bucket-versioning"] == "pass"  # its module is read from disk


def test_a_module_calling_its_own_folder_keeps_the_folder(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "main.tf": """
            module "self" {
              source = "./"
            }
            resource "aws_s3_bucket" "wandb" {
              bucket = "acme-wandb"
            }
            """
        },
    )
    assert [b.name for b in _evidence(root).buckets] == ["acme-wandb"]
    assert _audit(root)["bucket-versioning"] == "fail"


def test_a_flow_log_bucket_inside_a_wandb_named_module_is_not_the_wandb_bucket(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "main.tf": 'module "wandb_infra" {\n  source = "./modules/networking"\n}\n',
            "modules/networking/main.tf": """
            resource "aws_s3_bucket" "flow_log" {
              bucket = "acme-vpc-flow-logs"
            }
            """,
        },
    )
    evidence = _evidence(root)
    assert not evidence.buckets
    assert any("flow_log" in n.text and "not tied to W&B" in n.text for n in evidence.notes)


def test_plan_json_app_wandb_env_follows_the_release(tmp_path: Path) -> None:
    plan_path = Path(__file__).resolve().parents[2] / "fixtures" / "terraform" / "plan" / "tfplan.json"
    plan = json.loads(plan_path.read_text())
    call = plan["configuration"]["root_module"]["module_calls"]["wandb"]
    call["version_constraint"] = "4.7.0"
    call["expressions"]["app_wandb_env"] = {"references": ["var.app_env"]}
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(plan))
    assert _audit(unknown)["gc-env-flag"] == "unknown"  # an unknown app.extraEnv may override the flag
    call["expressions"]["app_wandb_env"] = {"constant_value": {FLAG: "false"}}
    known = tmp_path / "known.json"
    known.write_text(json.dumps(plan))
    assert _audit(known)["gc-env-flag"] == "fail"  # 4.7.0 writes it to app.extraEnv, over global
    call["version_constraint"] = "5.0.1"
    ignored = tmp_path / "ignored.json"
    ignored.write_text(json.dumps(plan))
    assert _audit(ignored)["gc-env-flag"] == "pass"  # 5.0.1 declares it and never reads it


def test_try_falls_back_when_a_key_is_missing(tmp_path: Path) -> None:
    text = """
    locals {
      settings = { region = "us-east-1" }
      name     = try(local.settings.bucket, "acme-wandb-default")
      broken   = local.settings.bucket
    }
    resource "aws_s3_bucket" "wandb" {
      bucket = local.name
    }
    resource "aws_s3_bucket" "wandb_other" {
      bucket = local.broken
    }
    """
    root = _tree(tmp_path, {"main.tf": text})
    evidence = _evidence(root)
    assert "acme-wandb-default" in [b.name for b in evidence.buckets]
    other = next(b for b in evidence.buckets if not b.name_known)
    assert "wandb_other" in other.label


def test_a_nested_module_no_root_calls_is_not_a_root(tmp_path: Path) -> None:
    # terraform-aws-wandb: modules/secure_storage_connector is called only through the registry
    root = _tree(
        tmp_path,
        {
            "main.tf": _aws_call(
                "7.8.1", f'other_wandb_env = {{ {FLAG} = "true" }}', 'bucket_name = "acme-wandb"'
            ),
            "modules/connector/main.tf": 'resource "aws_s3_bucket" "file_storage" {\n  bucket_prefix = "x"\n}\n',
        },
    )
    evidence = _evidence(root)
    assert [b.name for b in evidence.buckets] == ["acme-wandb"]
    assert any("nested module no root of the tree calls" in n.text for n in evidence.notes)
    # audited on its own, the folder is a root
    alone = _evidence(root / "modules" / "connector")
    assert [b.label for b in alone.buckets] == ["aws_s3_bucket.file_storage (name computed)"]


def test_an_error_over_a_secret_value_never_shows_the_value(tmp_path: Path) -> None:
    secret = "eyJhbGciOiJSUzI1NiJ9.never-shown-Zq.U2VjcmV0VmFsdWU"
    text = """
    module "wandb" {
      source  = "wandb/wandb/aws"
      version = "7.8.1"
      license = var.license
      other_wandb_env = {
        GORILLA_ARTIFACT_GC_ENABLED = tonumber(var.license)
        LOOKED_UP                   = lookup({ (var.license) = 1 }, "other")
      }
    }
    variable "license" {
      type = string
    }
    """
    root = _tree(tmp_path, {"main.tf": text, "terraform.tfvars": f'license = "{secret}"\n'})
    for fmt in ("text", "json", "sarif"):
        run = run_gcready("audit", str(root), "--offline", "--format", fmt)
        assert run.stdout and secret not in run.stdout + run.stderr, fmt
    assert _audit(root)["gc-env-flag"] == "unknown"
