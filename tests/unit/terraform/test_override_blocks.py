"""Nested blocks in override files, static and ``dynamic``, merged as Terraform merges them.

Terraform's rule is ``mergeBody.prepareContent`` (hashicorp/terraform,
``internal/configs/module_merge_body.go``): the override's nested blocks replace all of the original's
blocks of the same type, and a ``dynamic "X"`` block counts as a block of type ``X``, in the override
(it hides the original's static ``X`` blocks) and in the original (it is hidden by the override's ``X``
blocks, static or dynamic). The original's other dynamic blocks are kept.

``terraform console`` cannot show a nested block offline (no built-in resource has one), so the
verdicts below are asserted from that source. Where the real engine can say it offline, it does:
``terraform validate`` on a ``terraform_data`` resource (built in, no init) reports every ``dynamic``
block of a type the resource does not have, in the file that writes it, once the bodies are merged:
which dynamic blocks survive the merge is then the engine's word. A static block takes part in the merge
only when the resource's schema has its type, which no built-in resource has: the static cases are
asserted from the source alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from gcready.sources.terraform.declarations import ModuleDir, _blocks
from gcready.sources.terraform.hcl import _parse_uncached
from gcready.sources.terraform.tfjson import parse_json_config
from tests.conftest import run_gcready
from tests.unit.terraform.engine import terraform

ENV = "GORILLA_ARTIFACT_GC_ENABLED"
MODULE = (
    'module "wandb" {\n  source = "wandb/wandb/aws"\n  version = "~> 7.0"\n  namespace = "acme"\n'
    f'  other_wandb_env = {{ {ENV} = "true" }}\n}}\n'
)


def _static(status: str) -> str:
    return f'  versioning_configuration {{\n    status = "{status}"\n  }}\n'


def _dynamic(status: str, label: str = "versioning_configuration") -> str:
    return f'  dynamic "{label}" {{\n    for_each = ["x"]\n    content {{\n      status = "{status}"\n    }}\n  }}\n'


def _resource(body: str, bucket: bool = True) -> str:
    head = "  bucket = module.wandb.bucket_name\n" if bucket else ""
    return f'resource "aws_s3_bucket_versioning" "v" {{\n{head}{body}}}\n'


def _audit(tmp_path: Path, files: dict[str, str]) -> str:
    root = tmp_path / "tree"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    run = run_gcready("audit", str(root), "--offline", "--format", "json", env={"GCREADY_CACHE": "off"})
    assert run.stdout, run.stderr
    verdict: str = json.loads(run.stdout)["summary"]["checks"]["bucket-versioning"]
    return verdict


# name: (main.tf's versioning body, override.tf's, the bucket-versioning verdict)
CASES: dict[str, tuple[str, str, str]] = {
    "an override's dynamic block replaces the original's static one": (
        _static("Enabled"),
        _dynamic("Suspended"),
        "fail",
    ),
    "an override's static block replaces the original's dynamic one": (
        _dynamic("Enabled"),
        _static("Suspended"),
        "fail",
    ),
    "an override's dynamic block replaces the original's dynamic one": (
        _dynamic("Enabled"),
        _dynamic("Suspended"),
        "fail",
    ),
    "an override's dynamic block of another type keeps the original's dynamic one": (
        _dynamic("Enabled"),
        '  dynamic "timeouts" {\n    for_each = []\n    content {}\n  }\n',
        "pass",
    ),
    "an override's static block of another type keeps the original's dynamic one": (
        _dynamic("Enabled"),
        "  timeouts {}\n",
        "pass",
    ),
    "an override's dynamic block of another type keeps the original's static one": (
        _static("Suspended"),
        '  dynamic "timeouts" {\n    for_each = []\n    content {}\n  }\n',
        "fail",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_override_nested_blocks_as_terraform_merges_them(tmp_path: Path, name: str) -> None:
    original, override, verdict = CASES[name]
    files = {"main.tf": MODULE + _resource(original), "override.tf": _resource(override, bucket=False)}
    assert _audit(tmp_path, files) == verdict


def test_a_json_override_dynamic_block_replaces_a_static_one(tmp_path: Path) -> None:
    dynamic = {"for_each": ["x"], "content": {"status": "Suspended"}}
    override = {
        "resource": {"aws_s3_bucket_versioning": {"v": {"dynamic": {"versioning_configuration": dynamic}}}}
    }
    files = {"main.tf": MODULE + _resource(_static("Enabled")), "override.tf.json": json.dumps(override)}
    assert _audit(tmp_path, files) == "fail"


# The engine's side: terraform_data has no nested block, so each surviving dynamic block is reported.
def _data(body: str) -> str:
    return f'resource "terraform_data" "d" {{\n{body}}}\n'


def _dyn(label: str) -> str:
    return f'  dynamic "{label}" {{\n    for_each = []\n    content {{}}\n  }}\n'


# name: (main.tf's terraform_data body, override.tf's)
ENGINE_CASES: dict[str, tuple[str, str]] = {
    "dynamic over dynamic of the same type": (_dyn("a") + _dyn("b"), _dyn("a")),
    "dynamic of another type": (_dyn("a") + _dyn("a"), _dyn("b")),
    "arguments only": (_dyn("a"), '  input = "x"\n'),
}


def _engine_dynamic_blocks(folder: Path) -> list[tuple[str, str]]:
    done = terraform(folder, "validate", "-json", "-no-color")
    out: list[tuple[str, str]] = []
    for diag in json.loads(done.stdout)["diagnostics"]:
        assert diag["summary"] == "Unsupported block type", diag
        label = re.search(r'Blocks of type "([^"]+)"', diag["detail"])
        assert label, diag
        out.append((diag["range"]["filename"], label.group(1)))
    return sorted(out)


def _gcready_dynamic_blocks(folder: Path) -> list[tuple[str, str]]:
    mod = ModuleDir(str(folder))
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".tf.json"):
            mod.files.append(parse_json_config(str(path), path.read_text()))
        elif path.suffix == ".tf":
            mod.files.append(_parse_uncached(str(path), path.read_text()))
    mod.index()
    [(_, _, loc)] = mod.resources
    return sorted(
        (os.path.basename(loc.file_of(label).path), label)
        for block in _blocks(loc.value.get("dynamic"))
        for label in block
    )


@pytest.mark.parametrize("name", list(ENGINE_CASES))
def test_gcready_keeps_the_dynamic_blocks_terraform_keeps(tmp_path: Path, name: str) -> None:
    original, override = ENGINE_CASES[name]
    (tmp_path / "main.tf").write_text(_data(original))
    (tmp_path / "override.tf").write_text(_data(override))
    got = _gcready_dynamic_blocks(tmp_path)
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH: the validate oracle is skipped")
    assert got == _engine_dynamic_blocks(tmp_path)
