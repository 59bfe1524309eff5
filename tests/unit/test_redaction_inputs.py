"""Hostile inputs: every kind of file gcready reads keeps its credentials out of the evidence it builds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gcready.model import Evidence
from gcready.redact import MASK, redact, scrub
from gcready.sources import collect
from gcready.sources.bundle import dumps

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def _bundle_text(evidence: Evidence) -> str:
    """What ``gcready collect`` writes for this evidence."""
    return scrub(dumps(redact(evidence), "2026-12-01T00:00:00Z"))


def _env(evidence: Evidence, name: str) -> object:
    (component,) = evidence.components
    value = component.get(name)
    assert value is not None, [v.name for v in component.env]
    return value


# --- compose ---------------------------------------------------------------------------------------------

COMPOSE = """\
services:
  wandb:
    image: wandb/local:0.62.2
    env_file:
      - {env_file}
    environment:
      GORILLA_ARTIFACT_GC_ENABLED: "true"
"""


def test_compose_env_file_never_reads_proc_self_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = "Own-Env-Secret-6c1f0a"
    monkeypatch.setenv("GCREADY_TEST_PLANTED_TOKEN", planted)
    ev = collect([_write(tmp_path, "compose.yaml", COMPOSE.format(env_file="/proc/self/environ"))])
    (component,) = ev.components
    assert [v.name for v in component.env] == [FLAG]  # nothing from gcready's own environment
    assert any("/proc/self/environ" in n.text and "not read" in n.text for n in ev.notes)
    assert any("/proc/self/environ" in g for g in component.gaps)  # unseen: a gap, never a pass
    assert planted not in _bundle_text(ev)


def test_compose_env_file_outside_the_input_tree_is_not_read(tmp_path: Path) -> None:
    _write(tmp_path, "outside.env", "LICENSE=Outside-License-77\nGORILLA_ARTIFACT_GC_ENABLED=false\n")
    compose = _write(tmp_path / "deploy", "compose.yaml", COMPOSE.format(env_file="../outside.env"))
    ev = collect([compose])
    assert [v.name for v in ev.components[0].env] == [FLAG]
    (note,) = [n for n in ev.notes if "not read" in n.text]
    assert "outside.env" in note.text and "outside the input tree" in note.text


def test_compose_env_file_inside_a_named_folder_is_read(tmp_path: Path) -> None:
    _write(tmp_path, "common.env", "GORILLA_DATA_RETENTION_PERIOD=48h\n")
    _write(tmp_path / "deploy", "compose.yaml", COMPOSE.format(env_file="../common.env"))
    ev = collect([str(tmp_path)])
    assert _env(ev, "GORILLA_DATA_RETENTION_PERIOD").value == "48h"  # type: ignore[attr-defined]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_compose_env_file_that_is_a_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "wandb.env")  # opening it would block the audit forever
    ev = collect([_write(tmp_path, "compose.yaml", COMPOSE.format(env_file="wandb.env"))])
    assert any("FIFO" in e.message and "refused" in e.message for e in ev.errors)  # a bad input: exit 2


def test_compose_env_file_symlink_to_proc_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "wandb.env").symlink_to("/proc/self/environ")
    ev = collect([_write(tmp_path, "compose.yaml", COMPOSE.format(env_file="wandb.env"))])
    assert [v.name for v in ev.components[0].env] == [FLAG]
    assert any("special file" in n.text for n in ev.notes)


def test_compose_password_with_a_dollar_is_not_echoed_by_interpolation(tmp_path: Path) -> None:
    compose = """\
services:
  wandb:
    image: wandb/local:0.62.2
    environment:
      GORILLA_ARTIFACT_GC_ENABLED: "true"
      MYSQL_PASSWORD: "Xq7$$ecretPart9z"
      REDIS_PASSWORD: "Rd5$ecretTail42"
      BUCKET: "s3://AKIAIOSFODNN7EXAMPLE:Bk3$ecretKey8@minio.lan:9000/wandb"
"""
    ev = collect([_write(tmp_path, "compose.yaml", compose)])
    text = _bundle_text(ev)
    for piece in ("ecretPart9z", "ecretTail42", "ecretKey8", "AKIAIOSFODNN7EXAMPLE"):
        assert piece not in text
    redis = _env(ev, "REDIS_PASSWORD")
    assert redis.value is None and redis.redacted  # type: ignore[attr-defined]


# --- bundles given as input ----------------------------------------------------------------------------------

RAW_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBUNDLEKEY"


def _hand_made_bundle() -> dict[str, object]:
    origin = {"source": "values.yaml", "line": 3, "path": None}
    return {
        "format": "gcready-bundle",
        "version": 1,
        "components": [
            {
                "name": "app",
                "kind": "helm-component",
                "origin": origin,
                "env": [
                    {"name": FLAG, "value": "true", "origin": origin},
                    {"name": "AWS_SECRET_ACCESS_KEY", "value": RAW_SECRET, "origin": origin},
                    {
                        "name": "MYSQL",
                        "value": "mysql://wandb:Bundle-Db-Pw-3@db:3306/wandb",
                        "origin": origin,
                    },
                    {
                        "name": "BUCKET",
                        "value": f"s3://AKIDBUNDLE0001:{RAW_SECRET}@minio:9000/wandb",
                        "origin": origin,
                    },
                ],
            }
        ],
        "buckets": [
            {
                "provider": "s3-compatible",
                "name": "wandb",
                "endpoint": "minio:9000",
                "display": f"s3://AKIDBUNDLE0001:{RAW_SECRET}@minio:9000/wandb",
                "origin": origin,
            }
        ],
        "notes": [{"text": f"copied from a ticket: secret is {RAW_SECRET}", "origin": origin}],
    }


def test_bundle_input_is_redacted_as_if_read_from_files(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "in.bundle.json", json.dumps(_hand_made_bundle()))])
    assert not ev.errors
    assert _env(ev, "AWS_SECRET_ACCESS_KEY").value is None  # type: ignore[attr-defined]
    assert _env(ev, "MYSQL").value == "mysql://wandb:***@db:3306/wandb"  # type: ignore[attr-defined]
    assert _env(ev, FLAG).value == "true"  # type: ignore[attr-defined]
    assert ev.buckets[0].display == "s3://***@minio:9000/wandb"
    text = _bundle_text(ev)  # what `collect` copies from it
    for piece in (RAW_SECRET, "K7MDENG", "Bundle-Db-Pw-3", "AKIDBUNDLE0001"):
        assert piece not in text
    assert "mysql://wandb:***@db:3306/wandb" in text  # the user name is kept
    assert f"secret is {MASK}" in text


# --- Kubernetes ------------------------------------------------------------------------------------------------

K8S = """\
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: "P\u00e4ssw\u00f6rt-Geheim-42/x"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: wandb-env}
data:
  GORILLA_ARTIFACT_GC_ENABLED: "true"
  MYSQL_HINT: "P\u00e4ssw\u00f6rt-Geheim-42/x"
  AWS_SECRET_ACCESS_KEY: "Cm-Stored-Secret-Key-55"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: wandb-app}
spec:
  template:
    spec:
      containers:
        - name: app
          image: wandb/local:0.62.2
          envFrom:
            - configMapRef: {name: wandb-env}
          env:
            - name: S3_CREDS
              valueFrom:
                configMapKeyRef: {name: wandb-env, key: AWS_SECRET_ACCESS_KEY}
"""


def test_config_map_key_ref_to_a_secret_named_key_keeps_no_value(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "k8s.yaml", K8S)])
    creds = _env(ev, "S3_CREDS")
    assert creds.value is None and creds.redacted  # type: ignore[attr-defined]
    assert "Cm-Stored-Secret-Key-55" not in _bundle_text(ev)


def test_secret_value_reused_in_a_config_map_is_caught_json_escaped(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "k8s.yaml", K8S)])
    text = _bundle_text(ev)
    assert "Geheim-42" not in text  # neither raw nor as P\u00e4ssw\u00f6rt-Geheim-42\/x
    assert "P\\u00e4ssw" not in text
    assert json.loads(text)["components"][0]["name"].startswith("Deployment/wandb-app")


# --- Terraform -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "assignment",
    [
        "license = <<EOT\n{lic}\nEOX\n",  # a heredoc never closed: the parser echoes its whole text
        "license = '{lic}'\n",  # single quotes
    ],
    ids=["unclosed-heredoc", "single-quoted"],
)
def test_hcl_error_message_does_not_echo_a_license(tmp_path: Path, assignment: str) -> None:
    lic = "eyJhbGciOiJSUzI1NiJ9.dGVycmFmb3JtLWxpY2Vuc2U.c2ln"
    tf = _write(tmp_path, "main.tf", 'variable "x" {}\n' + assignment.format(lic=lic))
    ev = collect([tf])
    assert ev.errors, "the file is not valid HCL"
    assert "dGVycmFmb3Jt" in str(ev.errors[0])  # the parser echoed it: only redaction keeps it in
    shown = " ".join(scrub(str(e)) for e in redact(ev).errors)
    assert "dGVycmFmb3Jt" not in shown and "line 2" in shown
