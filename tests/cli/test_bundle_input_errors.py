"""A bundle keeps the inputs ``collect`` could not read: ``audit BUNDLE`` then says INPUT ERROR and exits
2, as the audit of the files does, instead of READY on what was left. An older bundle, which kept no such
record, is still read, with a note saying so.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, run_gcready

READY = FIXTURES / "scenarios" / "operator-cr-aws-ready" / "inputs"
# a Helm override meant to turn the flag off, with bad indentation: unreadable
BAD_OVERRIDE = 'global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: "false"\n   BAD: "x"\n'
ACCESS, SECRET_KEY = "AKIAQWERTYUIOPASDFGH", "kq9Zr7WvB2yTn4Xp6Lm8Hs1Jd3Fg5Ca0Ve7Ub2Ni"


def _collect(tmp_path: Path, *inputs: Path) -> tuple[Path, int, str]:
    bundle = tmp_path / "bundle.json"
    run = run_gcready("collect", *map(str, inputs), "--offline", "-o", str(bundle))
    return bundle, run.code, run.stderr


def _audit(*paths: Path) -> tuple[int, dict[str, object]]:
    run = run_gcready("audit", *map(str, paths), "--offline", "--format", "json")
    assert run.stdout, run.stderr
    assert "Traceback" not in run.stderr
    return run.code, json.loads(run.stdout)


def test_an_unreadable_override_beside_ready_inputs_is_no_ready_through_the_bundle(tmp_path: Path) -> None:
    override = tmp_path / "override-values.yaml"
    override.write_text(BAD_OVERRIDE)
    direct_code, direct = _audit(READY, override)
    assert direct_code == 2
    bundle, code, stderr = _collect(tmp_path, READY, override)
    assert code == 2, stderr
    got_code, got = _audit(bundle)
    assert got_code == 2
    assert got["summary"]["verdict"] == direct["summary"]["verdict"] == "error"  # type: ignore[index]
    (error,) = got["errors"]  # type: ignore[misc]
    assert (error["source"], error["line"]) == (str(override), 4)
    assert error["message"].startswith("not valid YAML")
    assert f"recorded in the bundle {bundle}" in error["message"]
    text = run_gcready("audit", str(bundle), "--offline")
    assert text.code == 2
    assert text.stdout.startswith("gcready: INPUT ERROR"), text.stdout
    assert f"{override}:4: not valid YAML" in text.stdout


def test_a_terraform_configuration_terraform_refuses_is_no_ready_through_the_bundle(tmp_path: Path) -> None:
    """Two ``variable "gc"`` blocks: terraform plan fails, so the bundle must not read as READY."""
    tf = tmp_path / "tf"
    tf.mkdir()
    (tf / "main.tf").write_text(
        'module "wandb" {\n  source = "wandb/wandb/aws"\n  version = "~> 7.0"\n  namespace = "acme"\n'
        "  other_wandb_env = { GORILLA_ARTIFACT_GC_ENABLED = var.gc }\n}\n"
        'resource "aws_s3_bucket_versioning" "v" {\n  bucket = module.wandb.bucket_name\n'
        '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n'
        'variable "gc" {\n  default = "false"\n}\n'
    )
    (tf / "variables.tf").write_text('variable "gc" {\n  default = "true"\n}\n')
    direct_code, direct = _audit(tf)
    assert direct_code == 2
    bundle, code, _ = _collect(tmp_path, tf)
    assert code == 2
    got_code, got = _audit(bundle)
    assert got_code == 2
    assert got["summary"]["verdict"] == "error"  # type: ignore[index]
    assert [e["source"] for e in got["errors"]] == [e["source"] for e in direct["errors"]]  # type: ignore[attr-defined]
    assert "Duplicate variable declaration" in got["errors"][0]["message"]  # type: ignore[index]


def test_a_bundle_of_a_bundle_keeps_its_input_errors(tmp_path: Path) -> None:
    override = tmp_path / "override-values.yaml"
    override.write_text(BAD_OVERRIDE)
    first, _, _ = _collect(tmp_path, READY, override)
    again = tmp_path / "again"
    again.mkdir()
    second, code, stderr = _collect(again, first)
    assert code == 2, stderr
    got_code, got = _audit(second)
    assert got_code == 2
    assert [e["source"] for e in got["errors"]] == [str(override)]  # type: ignore[attr-defined]


def _v2_bundle(errors: list[dict[str, object]]) -> dict[str, object]:
    return {"format": "gcready-bundle", "version": 2, "inputs": [], "bucket_states": [], "errors": errors}


def test_input_errors_read_from_a_bundle_are_redacted(tmp_path: Path) -> None:
    bundle = tmp_path / "edited.json"
    url = f"s3://{ACCESS}:{SECRET_KEY}@minio.local:9000"
    bundle.write_text(json.dumps(_v2_bundle([{"source": f"--bucket {url}", "line": None, "message": url}])))
    for fmt in ("text", "json", "html", "sarif", "junit"):
        run = run_gcready("audit", str(bundle), "--offline", "--format", fmt)
        assert run.code == 2, run.stderr
        for secret in (ACCESS, SECRET_KEY):
            assert secret not in run.stdout, fmt
            assert secret not in run.stderr, fmt


def test_a_bad_input_error_record_is_itself_bad_input(tmp_path: Path) -> None:
    bundle = tmp_path / "edited.json"
    bundle.write_text(json.dumps(_v2_bundle([{"source": "values.yaml", "line": "4", "message": "x"}])))
    run = run_gcready("audit", str(bundle), "--offline")
    assert run.code == 2
    assert f"{bundle}: not a valid gcready bundle at errors/0/line" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_version_1_bundle_collect_wrote_is_read_with_a_note_that_it_kept_no_input_errors(
    tmp_path: Path,
) -> None:
    bundle, code, stderr = _collect(tmp_path, READY)
    assert code == 0, stderr
    data = json.loads(bundle.read_text())
    assert data["version"] == 2 and data["errors"] == []
    data["version"] = 1
    del data["errors"]
    bundle.write_text(json.dumps(data))
    got_code, got = _audit(bundle)
    assert got_code == 0  # read, not refused
    assert got["summary"]["verdict"] == "pass"  # type: ignore[index]
    notes = [n["text"] for n in got["notes"]]  # type: ignore[attr-defined]
    assert any("did not record the inputs gcready collect could not read" in n for n in notes), notes


def test_a_hand_written_version_1_record_of_bucket_states_gets_no_such_note() -> None:
    _, got = _audit(FIXTURES / "demo" / "gcready-bundle.json")
    assert not any("did not record" in n["text"] for n in got["notes"])  # type: ignore[attr-defined]
