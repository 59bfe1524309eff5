"""A bundle carries what the fixes need: after ``collect`` → ``audit BUNDLE`` the support engineer sees
the same verdict, exit code, findings statuses and input errors, and the very same fix commands and
snippets, as an audit of the inputs themselves.

And ``collect`` is honest about what it could not read: a bucket with no settings in the bundle makes it
exit 5, naming the bucket and why, on stderr and in the bundle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, run_gcready

CASES = sorted(p for p in (FIXTURES / "scenarios").iterdir() if (p / "case.yaml").is_file())
# the other inputs the tests audit, with the arguments they are audited with
OTHER_INPUTS = {
    "demo": ([FIXTURES / "demo"], []),
    "operator-v2-with-manifest": (
        [FIXTURES / "operator" / "wandb-v2.yaml"],
        ["--server-manifest", str(FIXTURES / "operator" / "server-manifest-0.84.0")],
    ),
    "operator-v2-alone": ([FIXTURES / "operator" / "wandb-v2.yaml"], []),
    "terraform-plan": ([FIXTURES / "terraform" / "plan"], []),
    "terraform-azure-soft-delete": ([FIXTURES / "terraform" / "azure-soft-delete"], []),
}


def _fixes(report: dict[str, Any]) -> list[tuple[str, str, str, list[Any]]]:
    return sorted(
        (f["check"], f["resource"], f["status"], f["fixes"])
        for f in report["findings"]
        if f["status"] != "skip"
    )


def _collect_args(args: list[str]) -> list[str]:
    """The case's arguments that collect takes too (--fail-on and --waivers shape only the audit's verdict)."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--fail-on", "--waivers"):
            skip = True
        else:
            out.append(arg)
    return out


def _statuses(report: dict[str, Any]) -> dict[str, list[str]]:
    """Every finding's status, by check: the worst per check is not enough (two components, two buckets)."""
    out: dict[str, list[str]] = {}
    for finding in report["findings"]:
        out.setdefault(finding["check"], []).append(finding["status"])
    return {check: sorted(statuses) for check, statuses in out.items()}


def _error_places(report: dict[str, Any]) -> list[tuple[str, int | None]]:
    return [(e["source"], e["line"]) for e in report["errors"]]


def _round_trip(inputs: list[Path], args: list[str], tmp_path: Path) -> None:
    """Audit the inputs; collect them and audit the bundle: the same verdict, exit code and findings."""
    paths = [str(p) for p in inputs]
    direct = run_gcready("audit", *paths, "--offline", "--format", "json", *args)
    assert direct.stdout, direct.stderr
    bundle = tmp_path / "bundle.json"
    collected = run_gcready("collect", *paths, "--offline", "-o", str(bundle), *_collect_args(args))
    assert collected.code in (0, 2, 5), collected.stderr
    assert "Usage:" not in collected.stderr
    assert "Traceback" not in collected.stderr
    from_bundle = run_gcready("audit", str(bundle), "--offline", "--format", "json", *args)
    assert from_bundle.stdout, from_bundle.stderr
    want, got = json.loads(direct.stdout), json.loads(from_bundle.stdout)
    assert from_bundle.code == direct.code, (from_bundle.stderr, direct.stderr)
    assert got["summary"]["verdict"] == want["summary"]["verdict"]
    assert got["deployment"]["type"] == want["deployment"]["type"]
    assert got["summary"]["checks"] == want["summary"]["checks"]
    assert _statuses(got) == _statuses(want)
    assert _error_places(got) == _error_places(want)
    assert _fixes(got) == _fixes(want)
    # collect exits 2 exactly when the audit of its inputs does: the bundle is then no proof of readiness
    assert (collected.code == 2) == (direct.code == 2), collected.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixes_are_identical_after_collect_then_audit_bundle(case: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    _round_trip([case / "inputs"], [str(a) for a in spec.get("args") or []], tmp_path)


@pytest.mark.parametrize("name", sorted(OTHER_INPUTS))
def test_other_test_inputs_give_the_same_audit_through_a_bundle(name: str, tmp_path: Path) -> None:
    inputs, args = OTHER_INPUTS[name]
    _round_trip(inputs, args, tmp_path)


def test_collect_offline_says_which_buckets_it_did_not_read(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    case = FIXTURES / "scenarios" / "helm-minio-onprem-no-bundle" / "inputs"
    run = run_gcready("collect", str(case), "--offline", "-o", str(bundle))
    assert run.code == 5, run.stderr
    data = json.loads(bundle.read_text())
    assert data["unread"], data.get("unread")
    for entry in data["unread"]:
        assert entry["reason"] == "not probed (--offline)"
        assert f"unread: {entry['bucket']}: not probed (--offline)" in run.stderr
    assert "not read for" in run.stderr


def test_collect_with_no_credentials_exits_5_and_records_why(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    no_credentials = {
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    run = run_gcready(
        "collect",
        "--bucket",
        "s3://wandb-files",
        "--timeout",
        "1",
        "--retries",
        "0",
        "-o",
        str(bundle),
        env=no_credentials,
    )
    assert run.code == 5, run.stderr
    data = json.loads(bundle.read_text())
    assert [u["bucket"] for u in data["unread"]] == ["s3://wandb-files"]
    assert "credentials" in data["unread"][0]["reason"].lower()
    assert "unread: s3://wandb-files:" in run.stderr


def test_a_bundle_with_every_bucket_read_still_exits_0(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    run = run_gcready("collect", str(FIXTURES / "demo"), "--offline", "-o", str(bundle))
    assert run.code == 0, run.stderr
    assert "unread" not in json.loads(bundle.read_text())
