"""W&B's three published Terraform repositories, audited root by root and as whole trees.

The truth, from the files: none of them enables bucket versioning / blob soft delete, none sets
GORILLA_ARTIFACT_GC_ENABLED (it would come through other_wandb_env, default {}). So a stock root fails both
halves; a root that uses only the secure storage connector (BYOB) deploys no server (the flag is not judged
here) and its bucket fails.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gcready.sources import collect
from tests.conftest import REPO, run_gcready

# beside the repository (REPO.parent / "shared"); a git worktree one level further down sees it there too
REALWORLD = next(
    (
        p
        for p in (REPO.parent / "shared" / "realworld", REPO.parent.parent / "shared" / "realworld")
        if p.is_dir()
    ),
    REPO.parent / "shared" / "realworld",
)
SARIF_SCHEMA = REPO / "tests" / "report" / "sarif-2.1.0.schema.json"

pytestmark = pytest.mark.skipif(
    not (REALWORLD / "terraform-aws-wandb").is_dir(),
    reason=f"W&B's published Terraform repositories are not at {REALWORLD} (shared test data)",
)

STOCK = {"gc-env-flag": "fail", "bucket-versioning": "fail"}
CONNECTOR = {"gc-env-flag": "unknown", "bucket-versioning": "fail"}  # no server among the inputs
NOTHING = {"gc-env-flag": "unknown", "bucket-versioning": "unknown"}  # networking only

ROOTS: dict[str, dict[str, str]] = {
    "terraform-aws-wandb": STOCK,
    "terraform-aws-wandb/examples/byo-vpc": STOCK,
    "terraform-aws-wandb/examples/byo-vpc-eks": STOCK,
    "terraform-aws-wandb/examples/byo-vpc-eks-sql-redis": STOCK,
    "terraform-aws-wandb/examples/byo-vpc-sql": STOCK,
    "terraform-aws-wandb/examples/byob": CONNECTOR,
    "terraform-aws-wandb/examples/byob-sse-s3": CONNECTOR,
    "terraform-aws-wandb/examples/private-access-only": STOCK,
    "terraform-aws-wandb/examples/public-dns-external": STOCK,
    "terraform-aws-wandb/examples/public-dns-with-route53": STOCK,
    "terraform-aws-wandb/examples/standard": STOCK,
    "terraform-google-wandb": STOCK,
    "terraform-google-wandb/examples/byob": CONNECTOR,
    "terraform-google-wandb/examples/custom-tf-with-existing-resources": STOCK,
    "terraform-google-wandb/examples/custom-tf-with-vpc-sql": STOCK,
    "terraform-google-wandb/examples/public-dns-with-cloud-dns": STOCK,
    "terraform-google-wandb/examples/standard-tf": STOCK,
    "terraform-azurerm-wandb": STOCK,
    "terraform-azurerm-wandb/examples/byob": CONNECTOR,
    "terraform-azurerm-wandb/examples/custom-tf-with-existing-resources": STOCK,
    "terraform-azurerm-wandb/examples/custom-tf-with-vpc-sql": STOCK,
    "terraform-azurerm-wandb/examples/private-link": NOTHING,
    "terraform-azurerm-wandb/examples/public-dns": STOCK,
    "terraform-azurerm-wandb/examples/secure-storage-connector": CONNECTOR,
    "terraform-azurerm-wandb/examples/standard-tf": STOCK,
}
REPOS = ("terraform-aws-wandb", "terraform-google-wandb", "terraform-azurerm-wandb")


def _root_inputs(root: str) -> list[str]:
    """A root on its own: the repository's top folder is its own *.tf files (its examples are other
    roots), an example is its folder."""
    path = REALWORLD / root
    if root in REPOS:
        return sorted(str(p) for p in path.glob("*.tf"))
    return [str(path)]


def _report(*inputs: str, fmt: str = "json") -> tuple[int, Any]:
    run = run_gcready("audit", *inputs, "--offline", "--format", fmt)
    assert run.stdout, run.stderr
    return run.code, json.loads(run.stdout)


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_each_root_on_its_own_gives_the_true_verdict(root: str) -> None:
    code, report = _report(*_root_inputs(root))
    checks = report["summary"]["checks"]
    assert {k: checks[k] for k in ROOTS[root]} == ROOTS[root]
    assert code == (5 if ROOTS[root] is NOTHING else 3)
    assert not report.get("errors"), report.get("errors")


def test_every_tf_file_parses() -> None:
    files = sorted(REALWORLD.glob("terraform-*-wandb/**/*.tf"))
    assert len(files) > 150
    evidence = collect([str(REALWORLD / r) for r in REPOS])
    assert not [e for e in evidence.errors if e.path.endswith(".tf")]


def test_stock_findings_point_at_the_files() -> None:
    evidence = collect(_root_inputs("terraform-aws-wandb"))
    [bucket] = evidence.buckets
    assert bucket.label == "aws_s3_bucket.file_storage in modules/file_storage (name computed)"
    assert Path(bucket.origin.source).relative_to(REALWORLD).as_posix() == (
        "terraform-aws-wandb/modules/file_storage/main.tf"
    )
    assert bucket.origin.line == 14
    assert bucket.tf_address == "aws_s3_bucket.file_storage" and not bucket.tf_published
    app = next(c for c in evidence.components if c.name.startswith("app "))
    assert Path(app.origin.source).name == "main.tf" and app.origin.line is not None
    google = collect(_root_inputs("terraform-google-wandb"))
    app = next(c for c in google.components if c.name.startswith("app "))
    assert app.get("TAG_CUSTOMER_NS") is not None  # merge({...}, var.other_wandb_env, local.oidc_envs)
    assert app.get("GORILLA_ARTIFACT_GC_ENABLED") is None and not app.gaps


@pytest.mark.parametrize("repo", REPOS)
def test_whole_tree_names_each_root_and_its_sarif_is_valid(repo: str) -> None:
    code, report = _report(str(REALWORLD / repo))
    assert code == 3
    assert not report.get("errors")
    flags = [f for f in report["findings"] if f["check"] == "gc-env-flag"]
    assert flags and all(" in root " in f["resource"] for f in flags)
    assert {f["status"] for f in flags} == {"fail"}
    buckets = [f for f in report["findings"] if f["check"] == "bucket-versioning"]
    assert buckets and {f["status"] for f in buckets} == {"fail"}
    assert all("://module." not in f["resource"] for f in buckets)
    _, sarif = _report(str(REALWORLD / repo), fmt="sarif")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(sarif))
    assert not errors, [e.message for e in errors[:3]]


def test_reading_each_repository_is_fast() -> None:
    for repo in REPOS:
        paths = [(str(p), p.read_text()) for p in sorted((REALWORLD / repo).rglob("*.tf"))]
        from gcready.sources import terraform

        start = time.perf_counter()
        terraform.read(paths)
        elapsed = time.perf_counter() - start
        assert elapsed < 5.0, (repo, elapsed)  # a loose bound for a shared machine; the benchmark measures
