"""Env files and manifests whose secrets once leaked: no output of the real commands shows them.

Each case runs ``audit`` (text -v, JSON, HTML, SARIF, JUnit), ``collect`` and ``audit`` of the bundle it
wrote, as a user would. No secret may show up in any output, raw or escaped, whole or by its first or
last eight characters (a cut message, a URL split at ``/``).
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import Run, run_gcready


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str]
    secrets: tuple[str, ...]
    args: tuple[str, ...] = ()


CASES = (
    # a later line of a multi-line license: docker refuses it, naming the line ("contains whitespace")
    Case(
        "license-line-with-spaces",
        {
            "lic.env": "GORILLA_ARTIFACT_GC_ENABLED=true\nBUCKET=gs://wandb-bucket\n"
            'GORILLA_LICENSE="first-line-of-license\nsecond licence line with spaces TopSecretLicTail"\n'
        },
        ("TopSecretLicTail", "second licence line"),
    ),
    Case(
        "license-line-with-spaces-docker",
        {
            "lic.env": "GORILLA_ARTIFACT_GC_ENABLED=true\nBUCKET=gs://wandb-bucket\n"
            'GORILLA_LICENSE="first-line-of-license\nsecond licence line with spaces TopSecretLicTail"\n'
        },
        ("TopSecretLicTail", "second licence line"),
        ("--env-file-dialect", "docker"),
    ),
    # docker reads a later line as a bare NAME, or as NAME=value: the secret became a variable's name
    Case(
        "license-line-as-a-name",
        {
            "lic2.env": "GORILLA_ARTIFACT_GC_ENABLED=true\nBUCKET=gs://wandb-bucket\n"
            'GORILLA_LICENSE="eyJhbGciOiJSUzI1NiJ9FirstPart\nLicSecondLineNoSpacesXq9Z\n'
            'LicLastLineEndingInPadding0123ab=="\n'
        },
        ("LicSecondLineNoSpacesXq9Z", "LicLastLineEndingInPadding0123ab"),
    ),
    # a password on a later line, quoted in an earlier value longer than a message shows
    Case(
        "later-secret-in-a-long-value",
        {
            "trunc.env": "GORILLA_ARTIFACT_GC_ENABLED=true\nBUCKET=gs://wandb-bkt\n"
            'GORILLA_EXTRA_ARGS="--verbose --log-level=debug --log-format=json '
            '--mysql-pw TruncLaterSecret42xxYYYYzzzz"\nMYSQL_PASSWORD=TruncLaterSecret42xxYYYYzzzz\n'
        },
        ("TruncLaterSecret42xxYYYYzzzz",),
    ),
    # a bucket URL whose bucket name is empty: nothing after the "@" but the keys are keys
    Case(
        "bucket-url-ending-in-at",
        {"t.env": "GORILLA_ARTIFACT_GC_ENABLED=true\nBUCKET=s3://minioadmin:TrailingAtSecret99@\n"},
        ("TrailingAtSecret99", "minioadmin:"),
        ("--env-file-dialect", "docker"),
    ),
    Case(
        "kubelet-expands-an-empty-bucket-name",
        {
            "k8s.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: wandb}
spec:
  template:
    spec:
      containers:
      - name: wandb
        image: wandb/local:0.60
        env:
        - {name: GORILLA_ARTIFACT_GC_ENABLED, value: "true"}
        - {name: BUCKET_ACCESS_KEY, value: "minioadmin"}
        - {name: BUCKET_SECRET_KEY, value: "K8sTrailingAtSecret/77"}
        - {name: BUCKET_NAME, value: ""}
        - {name: BUCKET, value: "s3://$(BUCKET_ACCESS_KEY):$(BUCKET_SECRET_KEY)@$(BUCKET_NAME)"}
"""
        },
        ("K8sTrailingAtSecret/77", "K8sTrailingAtSecret"),
    ),
    Case(
        "bucket-option-ending-in-at",
        {"wandb.env": "GORILLA_ARTIFACT_GC_ENABLED=true\n"},
        ("KeyIdNotAkia", "CliSecret2/abc", "CliSecret2"),
        ("--bucket", "s3://KeyIdNotAkia:CliSecret2/abc@"),
    ),
    # names and values that are credentials by their shape
    Case(
        "pass-names",
        {
            "r1.env": "GORILLA_ARTIFACT_GC_ENABLED=true\nBUCKET=gs://wandb-bucket\n"
            "GORILLA_MYSQL_PASS=plainPassWordValue1\nREDIS_PASS=redisPassValue22\n"
        },
        ("plainPassWordValue1", "redisPassValue22"),
        ("--env-file-dialect", "compose"),
    ),
    Case(
        "credential-shaped-values",
        {
            "az.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: wandb-env}
data:
  GORILLA_ARTIFACT_GC_ENABLED: "true"
  GORILLA_FILE_STORE: "az://acct/ctr"
  GORILLA_NOTIFY: "https://hooks.slack.com/services/T00000000/B00000000/SlackWebhookTokenXXXX"
  GORILLA_GCS_JSON: '{"type":"service_account","private_key_id":"PrivKeyId0123456789abcdef"}'
  GORILLA_BASIC: "Basic dXNlcjpCYXNpY0F1dGhQdzEyMw=="
  GORILLA_BEARER: "Bearer BearerTokenValue0123456789"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: wandb}
spec:
  template:
    spec:
      containers:
      - name: wandb
        image: wandb/local:0.60
        envFrom:
        - configMapRef: {name: wandb-env}
"""
        },
        (
            "SlackWebhookTokenXXXX",
            "PrivKeyId0123456789abcdef",
            "dXNlcjpCYXNpY0F1dGhQdzEyMw==",
            "BearerTokenValue0123456789",
        ),
    ),
)


def _forms(secret: str) -> set[str]:
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        html.escape(secret),
        quote(secret, safe=""),
        base64.b64encode(secret.encode()).decode(),
    }
    if len(secret) >= 12:
        forms |= {secret[:8], secret[-8:]}
    return forms


def _outputs(case: Case, folder: Path) -> dict[str, str]:
    for name, text in case.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    inputs = [str(folder / name) for name in case.files]
    common = ("--no-config", "--offline", *case.args, *inputs)
    also = {fmt: folder / f"report.{fmt}" for fmt in ("json", "html", "sarif", "junit")}
    runs: dict[str, Run] = {}
    runs["audit"] = run_gcready(
        "audit",
        *common,
        "--format",
        "text",
        "-v",
        *(a for f, p in also.items() for a in ("--also", f"{f}={p}")),
    )
    bundle = folder / "out.bundle.json"
    runs["collect"] = run_gcready("collect", *common, "-o", str(bundle))
    outputs = {
        f"{name} {stream}": getattr(run, stream)
        for name, run in runs.items()
        for stream in ("stdout", "stderr")
    }
    outputs |= {path.name: path.read_text(encoding="utf-8") for path in also.values() if path.exists()}
    if bundle.exists():
        outputs["bundle"] = bundle.read_text(encoding="utf-8")
        again = run_gcready("audit", "--no-config", "--offline", str(bundle), "--format", "json")
        outputs["audit of the bundle"] = again.stdout + again.stderr
    assert "Traceback" not in "".join(outputs.values())
    return outputs


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_secret_of_the_case_in_any_output(case: Case, tmp_path: Path) -> None:
    outputs = _outputs(case, tmp_path)
    assert "report.json" in outputs, outputs["audit stderr"]
    for where, text in outputs.items():
        for secret in case.secrets:
            for form in _forms(secret):
                assert form not in text, f"{form!r} ({secret!r}) in {where}"


def test_a_url_with_keys_and_no_bucket_says_so(tmp_path: Path) -> None:
    env = tmp_path / "t.env"
    env.write_text("GORILLA_ARTIFACT_GC_ENABLED=true\nBUCKET=s3://minioadmin:TrailingAtSecret99@\n")
    run = run_gcready("audit", "--no-config", "--offline", "--format", "json", str(env))
    notes = [n["text"] for n in json.loads(run.stdout)["notes"]]
    assert "BUCKET: has keys but no endpoint or bucket after them (an empty bucket name?)" in notes, notes
