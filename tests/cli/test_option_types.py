"""The click parameter types of --kind, --env-file-dialect and --bucket-option: good values parse into
typed values; a bad one is click's usage error (exit 2, one line naming the option and the valid values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcready.cli.param_types import DIALECT, KIND, BucketKey, BucketOption, BucketOptionType, by_path
from gcready.model import SourceKind
from gcready.sources.envfile import Dialect
from tests.conftest import run_gcready

KINDS = ", ".join(k.value for k in SourceKind)
BUCKET_KEYS = "endpoint-url, region, path-style, ca-bundle, verify-tls"


@pytest.mark.parametrize(
    ("args", "option", "expected"),
    [
        (["--kind", "values.yaml=helm"], "--kind", f"unknown kind 'helm' (one of: {KINDS})"),
        (["--kind", "yaml"], "--kind", f"unknown kind 'yaml' (one of: {KINDS})"),
        (["--kind", "a.yaml="], "--kind", f"unknown kind '' (one of: {KINDS})"),
        (
            ["--env-file-dialect", "app.env=podman"],
            "--env-file-dialect",
            "unknown dialect 'podman' (one of: docker, compose, systemd)",
        ),
        (
            ["--env-file-dialect", "Docker"],
            "--env-file-dialect",
            "unknown dialect 'Docker' (one of: docker, compose, systemd)",
        ),
        (
            ["--bucket-option", "files:colour=red"],
            "--bucket-option",
            f"expected BUCKET:KEY=VALUE with KEY one of {BUCKET_KEYS}",
        ),
        (
            ["--bucket-option", "region=us-east-1"],
            "--bucket-option",
            f"expected BUCKET:KEY=VALUE with KEY one of {BUCKET_KEYS}",
        ),
        (
            ["--bucket-option", ":region=us-east-1"],
            "--bucket-option",
            f"expected BUCKET:KEY=VALUE with KEY one of {BUCKET_KEYS}",
        ),
        (
            ["--bucket-option", "files:path-style=yes"],
            "--bucket-option",
            "path-style must be true or false, not 'yes'",
        ),
        (
            ["--bucket-option", "az://acct/files:verify-tls=0"],
            "--bucket-option",
            "verify-tls must be true or false, not '0'",
        ),
    ],
)
@pytest.mark.parametrize("command", ["audit", "collect"])
def test_bad_value_is_a_usage_error(
    command: str, args: list[str], option: str, expected: str, tmp_path: Path
) -> None:
    extra = ["-o", str(tmp_path / "bundle.json")] if command == "collect" else []
    run = run_gcready(command, "--offline", *extra, *args)
    assert run.code == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: Invalid value for '{option}': {args[-1]}: {expected}"], run.stderr
    assert f"gcready {command} [OPTIONS]" in run.stderr.splitlines()[0]
    assert not (tmp_path / "bundle.json").exists()


def test_kinds_by_path_and_default() -> None:
    values = [KIND.convert(v, None, None) for v in ("a=b.env=dotenv", "helm-values", "x/cr.yaml=wandb-cr")]
    assert by_path(values) == (
        {"a=b.env": SourceKind.DOTENV, "x/cr.yaml": SourceKind.WANDB_CR},
        SourceKind.HELM_VALUES,
    )
    assert KIND.convert(values[0], None, None) == values[0]  # already converted: kept


def test_dialects_by_path_and_default() -> None:
    values = [DIALECT.convert(v, None, None) for v in ("svc.env=systemd", "compose")]
    assert by_path(values) == ({"svc.env": Dialect.SYSTEMD}, Dialect.COMPOSE)
    assert by_path([]) == ({}, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "files:endpoint-url=http://minio:9000",
            BucketOption("files", BucketKey.ENDPOINT_URL, "http://minio:9000"),
        ),
        (
            "s3://minio:9000/files:region=eu-west-1",
            BucketOption("s3://minio:9000/files", BucketKey.REGION, "eu-west-1"),
        ),
        ("az://acct/files:verify-tls=FALSE", BucketOption("az://acct/files", BucketKey.VERIFY_TLS, False)),
        ("files:path-style=true", BucketOption("files", BucketKey.PATH_STYLE, True)),
        ("files:ca-bundle=/etc/ca.pem", BucketOption("files", BucketKey.CA_BUNDLE, "/etc/ca.pem")),
    ],
)
def test_bucket_option_parses(text: str, expected: BucketOption) -> None:
    assert BucketOptionType().convert(text, None, None) == expected


def test_good_values_are_accepted() -> None:
    run = run_gcready(
        "audit",
        "--offline",
        "--kind",
        "helm-values",
        "--env-file-dialect",
        "docker",
        "--bucket-option",
        "s3://minio:9000/files:endpoint-url=http://minio:9000",
        "--format",
        "json",
    )
    assert "Error:" not in run.stderr and "Usage:" not in run.stderr, run.stderr
    assert run.stdout.startswith("{")
