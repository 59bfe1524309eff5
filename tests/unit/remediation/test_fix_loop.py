"""The fix loop: apply a printed fix to the input as a user would, audit again, and the finding passes.

Where a real tool applies the fix it does so here (``kubectl patch --local``, ``terraform console``
reading the edited tree); the Helm values fixes are rendered with the real chart in
``tests/differential/test_fix_loop.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gcready.model import Finding, FixKind, Status
from gcready.pipeline import Inputs, analyze, gather
from gcready.redact import redaction_scope
from gcready.requirements import load_builtin
from tests.conftest import REPO
from tests.unit.remediation.hclread import load

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"
SCENARIOS = REPO / "fixtures" / "scenarios"


def audit(*paths: Path) -> list[Finding]:
    with redaction_scope():
        evidence = gather(Inputs(paths=tuple(str(p) for p in paths)))
        return list(analyze(evidence, load_builtin()).findings)


def one(findings: list[Finding], check: str) -> Finding:
    (found,) = [f for f in findings if f.check == check]
    return found


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_operator_v1_global_env_that_wins_is_patched_where_it_is(tmp_path: Path) -> None:
    cr = tmp_path / "wandb.yaml"
    cr.write_text(
        "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata:\n  name: wandb\n  namespace: wandb\n"
        "spec:\n  values:\n    global:\n      cloudProvider: aws\n      extraEnv:\n"
        f"        {FLAG}: 'true'\n      env:\n        {FLAG}: 'false'\n"
    )
    finding = one(audit(cr), "gc-env-flag")
    assert finding.status is Status.FAIL
    (patch,) = [f.text for f in finding.fixes if f.text.startswith("kubectl patch")]
    words = shlex.split(patch)
    body = words[words.index("-p") + 1]
    patched = subprocess.run(
        ["kubectl", "patch", "--local", "-f", str(cr), "--type", "merge", "-p", body, "-o", "yaml"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    ).stdout
    cr.write_text(patched)
    assert one(audit(cr), "gc-env-flag").status is Status.PASS


def test_an_unknown_whose_value_is_already_written_gets_no_fix_that_repeats_it() -> None:
    # spec.values.global.extraEnv already sets the flag true; an `app` section Terraform computes may
    # override it: setting global.extraEnv again changes nothing
    finding = one(
        audit(SCENARIOS / "terraform-helm-unknown-app-section-over-global-flag" / "inputs"), "gc-env-flag"
    )
    assert finding.status is Status.UNKNOWN
    assert finding.fixes == ()
    assert "the value Terraform would use" in finding.needs


def test_no_server_component_but_the_flag_already_set_gets_no_fix(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(f"app:\n  install: false\nglobal:\n  extraEnv:\n    {FLAG}: 'true'\n")
    finding = one(audit(values), "gc-env-flag")
    assert (finding.status, finding.fixes) == (Status.UNKNOWN, ())
    assert "none of them runs it" in finding.needs


def test_terraform_helm_module_global_env_is_fixed_at_global_env(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "wandb_app" {\n  source  = "wandb/wandb/helm"\n  version = "3.0.0"\n\n'
        '  spec = {\n    values = {\n      global = {\n        cloudProvider = "gcp"\n'
        f'        extraEnv = {{\n          {FLAG} = "true"\n        }}\n'
        f'        env = {{\n          {FLAG} = "false"\n        }}\n      }}\n    }}\n  }}\n}}\n'
    )
    finding = one(audit(tmp_path), "gc-env-flag")
    assert finding.status is Status.FAIL
    (fix,) = [f for f in finding.fixes if f.kind is FixKind.TERRAFORM]
    assert "spec.values.global.env" in fix.title and "global = {\n        env = {" in fix.text
    # applied: the entry at global.env set true
    main = tmp_path / "main.tf"
    main.write_text(main.read_text().replace(f'{FLAG} = "false"', f'{FLAG} = "true"'))
    assert one(audit(tmp_path), "gc-env-flag").status is Status.PASS


def test_the_layer_that_decides_survives_a_bundle(tmp_path: Path) -> None:
    from gcready.sources import bundle

    values = tmp_path / "values.yaml"
    values.write_text(
        f"global:\n  cloudProvider: aws\n  extraEnv:\n    {FLAG}: 'true'\n  env:\n    {FLAG}: 'false'\n"
    )
    direct = one(audit(values), "gc-env-flag")
    with redaction_scope():
        text = bundle.dumps(gather(Inputs(paths=(str(values),))), "2026-12-01T00:00:00Z")
    saved = tmp_path / "bundle" / "gcready-bundle.json"
    saved.parent.mkdir()
    saved.write_text(text)
    assert one(audit(saved.parent), "gc-env-flag").fixes == direct.fixes
    assert any("global:\n  env:" in f.text for f in direct.fixes)


def _terraform_console(folder: Path) -> subprocess.CompletedProcess[str]:
    """``terraform console`` loads the whole configuration offline: a duplicate declaration is an error."""
    return subprocess.run(
        ["terraform", "console"],
        input="1\n",
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(folder), "TF_IN_AUTOMATION": "1"},
    )


def test_a_wrong_status_is_fixed_in_the_versioning_resource_that_has_it(tmp_path: Path) -> None:
    tree = tmp_path / "inputs"
    shutil.copytree(SCENARIOS / "terraform-aws-versioning-status-wrong-case" / "inputs", tree)
    main = tree / "main.tf"
    finding = one(audit(tree), "bucket-versioning")
    assert finding.status is Status.FAIL
    (fix,) = [f for f in finding.fixes if f.kind is FixKind.TERRAFORM]
    # it names the resource there is, where it is, and the attribute to correct
    assert f"edit aws_s3_bucket_versioning.wandb at {main}:5" in fix.title
    assert 'status = "Enabled"' in fix.title
    (block,) = load(fix.text)["resource"]
    assert list(block) == ["aws_s3_bucket_versioning"] and list(block["aws_s3_bucket_versioning"]) == [
        "wandb"
    ]
    assert "bucket" not in block["aws_s3_bucket_versioning"]["wandb"]  # an edit, not a new resource
    (cli,) = [f for f in finding.fixes if f.kind is FixKind.CLI]
    assert f"{main}:5" in cli.title  # the command alone would be undone by the configuration
    # applied: the status corrected in that resource
    main.write_text(main.read_text().replace('status = "enabled"', 'status = "Enabled"'))
    assert one(audit(tree), "bucket-versioning").status is Status.PASS
    if shutil.which("terraform"):  # (the module is not installed: console stops after the declarations)
        assert "Duplicate resource" not in _terraform_console(tree).stderr


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_the_resource_the_versioning_fix_adds_is_not_declared_yet(tmp_path: Path) -> None:
    tree = tmp_path / "inputs"
    shutil.copytree(SCENARIOS / "terraform-aws-stock-module-no-versioning" / "inputs", tree)
    (fix,) = [f for f in one(audit(tree), "bucket-versioning").fixes if f.kind is FixKind.TERRAFORM]
    assert not fix.title.startswith("edit ")
    with (tree / "main.tf").open("a") as out:
        out.write("\n" + fix.text + "\n")
    run = _terraform_console(tree)
    assert "Duplicate resource" not in run.stderr
    assert one(audit(tree), "bucket-versioning").status is Status.PASS


class _UniqueKeys(yaml.SafeLoader):
    """A YAML reader that rejects a repeated mapping key, as docker compose's (go-yaml v3) does."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        assert len(keys) == len(set(map(str, keys))), f"repeated key at line {node.start_mark.line + 1}"
        return super().construct_mapping(node, deep=deep)


def apply_compose(path: Path, title: str, text: str) -> None:
    """Edit the compose file as the fix's title says: replace the entry at its line, or add the entry
    under the service's ``environment:``, at that block's indentation."""
    entry = text.splitlines()[-1].strip()
    lines = path.read_text().splitlines()
    replaced = re.search(r"at line (\d+)", title)
    if replaced:
        index = int(replaced.group(1)) - 1
        lines[index] = lines[index][: len(lines[index]) - len(lines[index].lstrip())] + entry
    else:
        at = next(i for i, line in enumerate(lines) if line.strip() == "environment:")
        indent = len(lines[at + 1]) - len(lines[at + 1].lstrip())
        lines.insert(at + 1, " " * indent + entry)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("case", "name"),
    [
        ("compose-flag-from-shell-unknown", "compose.yaml"),  # environment: a list, a bare NAME entry
        ("compose-environment-overrides-env-file", "docker-compose.yml"),  # a map that has the key
    ],
)
def test_the_compose_fix_in_the_files_own_form_replaces_the_entry(
    case: str, name: str, tmp_path: Path
) -> None:
    tree = tmp_path / "inputs"
    shutil.copytree(SCENARIOS / case / "inputs", tree)
    (tree / "gcready-bundle.json").unlink()  # the bucket's state: not what this is about
    finding = one(audit(tree), "gc-env-flag")
    assert finding.status is not Status.PASS
    edit, command = finding.fixes
    assert edit.kind is FixKind.YAML and command.text == "docker compose up -d wandb"
    apply_compose(tree / name, edit.title, edit.text)
    yaml.load((tree / name).read_text(), Loader=_UniqueKeys)  # still YAML, no repeated key
    assert one(audit(tree), "gc-env-flag").status is Status.PASS
