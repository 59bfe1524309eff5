"""``gcready audit --chart``: the real chart renders the values in-process; verdicts point at the values."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from tests.conftest import run_gcready

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"
VALUES = f"""\
global:
  api:
    enabled: true
  extraEnv:
    {FLAG}: y
app:
  extraEnv:
    {FLAG}: "false"
"""


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "tgz"])
def test_chart_renders_and_evidence_points_at_the_values(
    chart_dir: Path, tmp_path: Path, packed: bool
) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(VALUES)
    chart = chart_dir
    if packed:
        chart = tmp_path / "operator-wandb-0.43.8.tgz"
        with tarfile.open(chart, "w:gz") as archive:
            archive.add(chart_dir, arcname="operator-wandb")
    done = run_gcready(
        "audit",
        "--offline",
        "--verbose",
        "--deployment",
        "customer-managed-cloud",
        "--chart",
        str(chart),
        str(values),
    )
    assert done.code == 3, done.stderr
    out = done.stdout
    assert f"{values}:8 (app.extraEnv.{FLAG})" in out  # app's value: the component override decides
    assert f"{values}:5 (global.extraEnv.{FLAG})" in out  # api's: the global value, rendered "true"
    assert f"--set-string app.extraEnv.{FLAG}=true" in out  # the fix goes to the layer that decides
    assert "rendered with the chart" in out
    assert "warning: destination" not in done.stderr  # Helm's coalescing chatter stays off stderr


def test_values_the_chart_cannot_render_are_bad_input(chart_dir: Path, tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("global:\n  api: null\n")  # the chart's templates dereference global.api.enabled
    other = tmp_path / "wandb.env"
    other.write_text(f"{FLAG}=true\nBUCKET=s3://acme-files\n")
    done = run_gcready("audit", "--offline", "--chart", str(chart_dir), str(values), str(other))
    assert done.code == 2
    lines = [line for line in done.stderr.splitlines() if str(values) in line]
    assert len(lines) == 1 and "does not render these values" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert "wandb.env" in done.stdout  # the other input is still audited


def test_secrets_in_the_values_never_leave_a_rendered_audit(chart_dir: Path, tmp_path: Path) -> None:
    license_value = "lic-9f8e7d6c5b4a3f2e1d0c-acme"
    secret_key = "Sup3r-Secret-Bucket-Key-77"
    values = tmp_path / "values.yaml"
    values.write_text(
        f"global:\n  license: {license_value}\n  bucket:\n    provider: s3\n    name: acme-files\n"
        f"    accessKey: AKIAACMEEXAMPLE0001\n    secretKey: {secret_key}\n"
        f"  extraEnv:\n    {FLAG}: 'true'\n    GORILLA_LICENSE: {license_value}\n"
    )
    for fmt in ("text", "json"):
        done = run_gcready("audit", "--offline", "--format", fmt, "--chart", str(chart_dir), str(values))
        assert done.code in (0, 3, 5), done.stderr
        for secret in (license_value, secret_key):
            assert secret not in done.stdout and secret not in done.stderr
