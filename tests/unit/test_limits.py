"""Hostile and broken inputs: bounded work, special files refused, and exit 2 (never 1) for bad input.

Each case here made gcready hang, exhaust memory, skip a file silently or exit 1 (internal error)
before. Inputs that could hang run in a process of their own with a timeout, so a hang fails the test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from gcready import limits
from gcready.cli import main
from tests.conftest import FIXTURES, run_gcready

SERVER = "BUCKET=s3://acme-wandb-files\nGORILLA_ARTIFACT_GC_ENABLED=true\n"


def _audit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "--offline", "--no-environment", "--verbose", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _json(out: str) -> dict[str, object]:
    """The JSON report at the start of the output (the summary line on stderr follows it)."""
    report, _ = json.JSONDecoder().raw_decode(out)
    assert isinstance(report, dict)
    return report


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# --- special files -----------------------------------------------------------------------------


def test_fifo_as_compose_env_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    _fifo(tmp_path / "wandb.env")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  wandb:\n    image: wandb/local:0.66.1\n    env_file: wandb.env\n"
    )
    done = run_gcready("audit", "--offline", str(tmp_path / "compose.yaml"))
    assert done.code == 2
    assert (
        "wandb.env: env_file of service wandb: a FIFO (named pipe), not a regular file: refused"
        in done.stderr
    )


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_special_requirements_file_is_refused(tmp_path: Path, special: str) -> None:
    path = str(_fifo(tmp_path / "profile.toml")) if special == "fifo" else special
    done = run_gcready("audit", "--offline", str(FIXTURES / "demo"), "--requirements", path)
    assert done.code == 2
    assert "not a regular file: refused" in done.stderr and "Traceback" not in done.stderr


def test_dev_zero_and_fifo_named_as_inputs(tmp_path: Path) -> None:
    (tmp_path / "wandb.env").write_text(SERVER)
    done = run_gcready(
        "audit", "--offline", "/dev/zero", str(_fifo(tmp_path / "pipe")), str(tmp_path / "wandb.env")
    )
    assert done.code == 2
    assert "/dev/zero: a device, not a regular file or folder: refused" in done.stderr
    assert "pipe: a FIFO (named pipe)" in done.stderr
    assert "wandb.env (dotenv)" in done.stdout  # the other input is still audited


def test_special_files_inside_a_folder_are_noted(tmp_path: Path) -> None:
    (tmp_path / "wandb.env").write_text(SERVER)
    _fifo(tmp_path / "pipe")
    (tmp_path / "zero").symlink_to("/dev/zero")
    done = run_gcready("audit", "--offline", "--format", "json", str(tmp_path))
    report = json.loads(done.stdout)
    notes = {Path(n["origin"]["source"]).name: n["text"] for n in report["notes"]}
    assert notes["pipe"] == "skipped: a FIFO (named pipe), not a regular file"
    assert notes["zero"] == "skipped: a device, not a regular file"
    assert [Path(i["path"]).name for i in report["inputs"]] == ["wandb.env"]


def test_read_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.env"
    path.write_bytes(b"A=1\n" * 10)
    assert limits.read_bytes(str(path), limit=40) == b"A=1\n" * 10
    with pytest.raises(limits.InputReadError, match="limit"):
        limits.read_bytes(str(path), limit=39)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.env"
    with path.open("wb") as handle:  # sparse: no 20 MiB written to disk
        handle.write(b"GORILLA_X=1\n")
        handle.truncate(limits.MAX_BYTES + 1)
    code, out = _audit(str(path))
    assert code == 2 and "larger than the 20 MiB limit" in out


# --- folders: symlinks, encodings ----------------------------------------------------------------


def test_symlinked_subfolder_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "wandb.env").write_text(SERVER)
    top = tmp_path / "top"
    top.mkdir()
    (top / "server").symlink_to(real, target_is_directory=True)
    code, out = _audit(str(top))
    assert code == 5  # bucket versioning is unknown offline
    assert "Inputs: " + str(top / "server" / "wandb.env") + " (dotenv)" in out


def test_symlink_loop_is_noted_not_followed(tmp_path: Path) -> None:
    (tmp_path / "wandb.env").write_text(SERVER)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path, target_is_directory=True)
    code, out = _audit("--format", "json", str(tmp_path))
    assert code == 5
    report = _json(out)
    assert any("symlink loop" in n["text"] for n in report["notes"])
    assert [Path(i["path"]).name for i in report["inputs"]] == ["wandb.env"]


def test_folders_nested_too_deep_are_noted(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * (limits.MAX_DEPTH + 5))
    deep.mkdir(parents=True)
    (deep / "wandb.env").write_text(SERVER)
    code, out = _audit("--format", "json", str(tmp_path))
    assert code == 5
    assert any(f"nested deeper than {limits.MAX_DEPTH} folders" in n["text"] for n in _json(out)["notes"])


def test_latin1_file_in_a_folder_is_an_input_error(tmp_path: Path) -> None:
    # an error, not a note: a skipped file may be the one that sets the flag (a silent skip could pass)
    (tmp_path / "a.env").write_text(SERVER)
    (tmp_path / "b.env").write_bytes(b"# r\xe9glages du serveur\nGORILLA_ARTIFACT_GC_ENABLED=false\n")
    code, out = _audit(str(tmp_path))
    assert code == 2
    assert f"{tmp_path / 'b.env'}:1: not UTF-8 text (byte 0xe9)" in out
    assert "a.env (dotenv)" in out  # the other file is still audited


def test_utf16_file_in_a_folder_is_an_input_error_not_a_binary(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(SERVER)
    (tmp_path / "b.env").write_bytes("GORILLA_ARTIFACT_GC_ENABLED=false\n".encode("utf-16"))
    code, out = _audit(str(tmp_path))
    assert code == 2 and f"{tmp_path / 'b.env'}:1: not UTF-8 text (byte 0xff)" in out


def test_binary_file_in_a_folder_is_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(SERVER)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, out = _audit("--format", "json", str(tmp_path))
    report = _json(out)
    assert code == 5 and not report["errors"]
    assert {"text": report["notes"][0]["text"]} == {"text": "skipped: a binary file"}


# --- bad fields: exit 2 naming the file ----------------------------------------------------------


def test_configmap_metadata_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: foo\ndata:\n  GORILLA_ARTIFACT_GC_ENABLED: 'true'\n"
    )
    code, out = _audit(str(path))
    assert code == 2 and f"{path}:1: ConfigMap: metadata must be a mapping" in out


def test_kubernetes_list_item_kind_not_a_string(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: [Deployment]\n")
    code, out = _audit(str(path))
    assert code == 2 and "kind must be a string" in out


def _bundle(**extra: object) -> str:
    return json.dumps({"format": "gcready-bundle", "version": 1, **extra})


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"buckets": [{"provider": "aws", "name": "b", "account": ["x"]}]}, "account"),
        ({"bucket_states": [{"provider": "aws", "name": "b", "region": 5}]}, "region"),
        ({"components": [{"name": "x", "kind": "dotenv", "env": "abc"}]}, "components/0/env"),
        ({"buckets": [{"provider": "aws", "name": "b", "tls": "yes"}]}, "tls"),
    ],
)
def test_bundle_field_of_the_wrong_type(tmp_path: Path, field: dict[str, object], message: str) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(_bundle(**field))
    code, out = _audit(str(path))
    assert code == 2 and "not a valid gcready bundle" in out and message in out


def test_json_nested_100k_deep(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(_bundle()[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, out = _audit(str(path))
    assert code == 2 and "nested deeper than 64 levels" in out


def test_terraform_plan_nested_too_deep_or_badly_typed(tmp_path: Path) -> None:
    deep = tmp_path / "deep" / "plan.json"
    deep.parent.mkdir()
    deep.write_text(
        '{"format_version": "1.2", "terraform_version": "1.9", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    )
    code, out = _audit(str(deep))
    assert code == 2 and "nested deeper than 64 levels" in out
    typed = tmp_path / "typed" / "plan.json"
    typed.parent.mkdir()
    typed.write_text(
        json.dumps(
            {
                "format_version": "1.2",
                "terraform_version": "1.9",
                "planned_values": {"root_module": {"resources": 5, "child_modules": "x"}},
                "resource_changes": {"a": 1},
                "configuration": {"root_module": {"resources": 1, "module_calls": []}},
            }
        )
    )
    code, out = _audit(str(typed))
    assert code in (0, 2, 3, 5)


def test_requirements_binary_or_deeply_nested(tmp_path: Path) -> None:
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"version = '1'\n\x9c\xff\x00")
    code, out = _audit(str(FIXTURES / "demo"), "--requirements", str(binary))
    assert code == 2 and "bin.toml:2: not UTF-8 text" in out
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    code, out = _audit(str(FIXTURES / "demo"), "--requirements", str(deep))
    assert code == 2 and "deep.toml: nested deeper than 64 levels" in out


def test_bucket_name_with_braces_is_not_a_template(tmp_path: Path) -> None:
    path = tmp_path / "wandb.env"
    path.write_text("BUCKET=s3://wandb-{env}-files\nGORILLA_ARTIFACT_GC_ENABLED=true\n")
    code, out = _audit(str(path))
    assert code == 5  # not 1: the name used to be formatted as a template (KeyError: 'env')
    assert 'bucket = "wandb-{env}-files"' in out


def test_base_url_that_is_not_a_url(tmp_path: Path) -> None:
    path = tmp_path / "client.env"
    path.write_text("WANDB_BASE_URL=https://[::1\n")
    code, _ = _audit(str(path))
    assert code == 5


# --- bounded work --------------------------------------------------------------------------------


def test_too_many_variables_in_one_input(tmp_path: Path) -> None:
    path = tmp_path / "wandb.env"
    path.write_text("".join(f"GORILLA_X{i}=1\n" for i in range(limits.MAX_ITEMS + 1)))
    code, out = _audit(str(path))
    assert code == 2 and f"more than the limit of {limits.MAX_ITEMS}" in out


def test_terraform_file_over_its_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "main.tf"
    path.write_text('variable "x" { type = string }\n' * (limits.MAX_HCL_BYTES // 30 + 1))
    code, out = _audit(str(path))
    assert code == 2 and "larger than the 256 KiB limit for a Terraform file" in out


def test_nesting_depth_is_iterative() -> None:
    deep: list[object] = []
    node = deep
    for _ in range(100_000):
        child: list[object] = []
        node.append(child)
        node = child
    assert limits.nesting_depth(deep) == limits.MAX_DEPTH + 1  # stops counting past the limit
    assert limits.nesting_depth({"a": [1, {"b": 2}]}) == 3


def test_bucket_url_with_a_malformed_host(tmp_path: Path) -> None:
    path = tmp_path / "wandb.env"
    path.write_text("BUCKET=s3://k:s@[minio.lab:9000/wandb\nGORILLA_ARTIFACT_GC_ENABLED=true\n")
    code, out = _audit(str(path))
    assert code == 5  # not 1: the fixes used to split this host as a URL (ValueError: Invalid IPv6 URL)
    assert "not a valid host or bucket name" in out
