"""``--var-file FILE``: the .tfvars ``terraform plan`` is given, applied after the auto-loaded files in
the order given, as Terraform does; a .tfvars no ``--var-file`` names is then not applied."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_gcready

ENV = "GORILLA_ARTIFACT_GC_ENABLED"
MAIN = (
    'module "wandb" {\n  source = "wandb/wandb/aws"\n  version = "~> 7.0"\n  namespace = "acme"\n'
    f"  other_wandb_env = {{ {ENV} = var.gc }}\n}}\n"
    'resource "aws_s3_bucket_versioning" "v" {\n  bucket = module.wandb.bucket_name\n'
    '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n'
    'variable "gc" {\n  default = "false"\n}\n'
)


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "main.tf").write_text(MAIN)
    (root / "prod.tfvars").write_text('gc = "true"\n')
    (root / "dev.tfvars").write_text('gc = "false"\n')
    return root


def _audit(root: Path, *args: str) -> tuple[int, str, list[str]]:
    run = run_gcready(
        "audit", str(root), "--offline", "--format", "json", *args, env={"GCREADY_CACHE": "off"}
    )
    assert run.stdout, run.stderr
    report = json.loads(run.stdout)
    notes = [n["text"] for n in report["notes"]]
    return run.code, report["summary"]["checks"]["gc-env-flag"], notes


def test_without_var_file_a_tfvars_terraform_does_not_load_leaves_the_flag_unknown(tmp_path: Path) -> None:
    code, flag, notes = _audit(_tree(tmp_path))
    assert (code, flag) == (5, "unknown")
    assert any("prod.tfvars" in n and "--var-file" in n for n in notes)


def test_the_var_file_given_is_applied_and_the_other_is_not(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    code, flag, notes = _audit(root, "--var-file", str(root / "prod.tfvars"))
    assert (code, flag) == (0, "pass")
    assert not any(n.startswith("prod.tfvars") for n in notes)
    assert any(n.startswith("dev.tfvars: not applied") for n in notes)
    code, flag, _notes = _audit(root, "--var-file", str(root / "dev.tfvars"))
    assert (code, flag) == (3, "fail")


def test_the_last_var_file_given_wins(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    prod, dev = str(root / "prod.tfvars"), str(root / "dev.tfvars")
    assert _audit(root, "--var-file", dev, "--var-file", prod)[1] == "pass"
    assert _audit(root, "--var-file", prod, "--var-file", dev)[1] == "fail"


def test_a_var_file_wins_over_terraform_tfvars(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "terraform.tfvars").write_text('gc = "false"\n')
    assert _audit(root, "--var-file", str(root / "prod.tfvars"))[1] == "pass"


def test_a_var_file_outside_the_inputs_is_read_and_listed(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    outside = tmp_path / "envs" / "prod.tfvars"
    outside.parent.mkdir()
    outside.write_text('gc = "true"\n')
    run = run_gcready(
        "audit",
        str(root),
        "--offline",
        "--var-file",
        str(outside),
        "--format",
        "json",
        env={"GCREADY_CACHE": "off"},
    )
    report = json.loads(run.stdout)
    assert report["summary"]["checks"]["gc-env-flag"] == "pass"
    assert str(outside) in run.stdout


def test_a_var_file_that_is_not_hcl_is_an_error_naming_it(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    broken = tmp_path / "broken.tfvars"
    broken.write_text('gc = "true\n')
    run = run_gcready(
        "audit", str(root), "--offline", "--var-file", str(broken), env={"GCREADY_CACHE": "off"}
    )
    assert "broken.tfvars" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr
    assert run.code == 2


def test_a_missing_var_file_is_a_usage_error(tmp_path: Path) -> None:
    run = run_gcready("audit", str(_tree(tmp_path)), "--offline", "--var-file", str(tmp_path / "none.tfvars"))
    assert run.code == 2
    assert "--var-file" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_tf_file_given_as_var_file_is_a_one_line_error_naming_its_line(tmp_path: Path) -> None:
    """``terraform plan -var-file=main.tf`` refuses it: a variables file holds no blocks (the console
    oracle in tests/unit/terraform/test_console_truths.py says so)."""
    root = _tree(tmp_path)
    run = run_gcready(
        "audit", str(root), "--offline", "--var-file", str(root / "main.tf"), env={"GCREADY_CACHE": "off"}
    )
    assert run.code == 2
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(errors) == 1
    assert errors[0].startswith(f'gcready: error: {root / "main.tf"}:1: Unexpected "module" block')
    assert "INPUT ERROR" in run.stdout  # the rest is still audited, under the input error


def test_a_var_file_with_a_block_is_an_error_naming_its_line(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "prod.tfvars").write_text('gc = "true"\nwandb {\n  x = 1\n}\n')
    run = run_gcready(
        "audit", str(root), "--offline", "--var-file", str(root / "prod.tfvars"), env={"GCREADY_CACHE": "off"}
    )
    assert run.code == 2
    assert f'{root / "prod.tfvars"}:2: Unexpected "wandb" block' in run.stderr
    assert "Traceback" not in run.stderr


def test_a_var_file_of_any_name_holding_assignments_is_applied(tmp_path: Path) -> None:
    """Terraform reads any -var-file as HCL (JSON when the name ends with .json), whatever its name."""
    root = _tree(tmp_path)
    other = tmp_path / "prod.vars"
    other.write_text('gc = "true"\n')
    assert _audit(root, "--var-file", str(other))[:2] == (0, "pass")
