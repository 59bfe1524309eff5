"""Secrets planted in every kind of input never reach any output of the real command, and user names do.

One folder holds a hostile input of each kind gcready reads; ``audit`` and ``diagnose`` write every
format, ``collect`` writes a bundle, and ``audit`` reads that bundle back. No planted credential may show
up, raw or escaped (JSON, HTML/XML, URL encoding), in any file, stdout or stderr.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

import pytest

from tests.conftest import Run, run_gcready

ACCESS = "MINIOACCESS7X2Q9"  # not AKIA-shaped: only remembering it keeps it out
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # with "/", as about half of AWS keys are
AZURE_KEY = "q8VZrT6x0e/S1Lm2+Nw3Xk4Pj5Yh6Ug7Tf8Re9Wd0Sc1Bx2Az3Ef4Gh5Ij6Kl7Mn8Op9Qr0St1Uv2Wx3Yz4A=="
HELM_AZURE_KEY = (
    "Hm4Azure/Key+Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6Ll5Kk4Jj3Ii2Hh1Gg0Ff9Ee8Dd7Cc6Bb5Aa4=="
)
LICENSE = "eyJhbGciOiJSUzI1NiJ9.cmVkYWN0aW9uLWxpY2Vuc2U.c2lnbmF0dXJl"
TF_LICENSE = "eyJhbGciOiJSUzI1NiJ9.dGVycmFmb3JtLWxpY2Vuc2U.dGZzaWc"
DSN_PW = "Dsn/Pw@9x+Qk"
DB_PW = "Db-Pw-7Yt3+/q"
K8S_PW = "P\u00e4ssw\u00f6rt-Geheim/42"
CM_KEY = "Cm-Stored-Secret-Key-55"
COMPOSE_PW = "Cp7$$ecretPart9z"  # compose text; the value is Cp7$ecretPart9z
COMPOSE_PW_PIECE = "ecretPart9z"
BUNDLE_SECRET = "BundleRawQ7/SecretKeyZ9+Tail31x="
OWN_ENV = "Own-Process-Env-Token-6c1f"  # in gcready's own environment: /proc/self/environ would show it
CR_KEY = "Cr0Azure/Key+Pp9Oo8Nn7Mm6Ll5Kk4Jj3Ii2Hh1Gg0Ff9Ee8Dd7Cc6Bb5Aa4Zz3Yy2Xx1Ww0Vv9Uu8Tt7Ss6Rr5Qq4=="
LEGACY_SECRET = "LegacyChart/Secret+Key=Qq81"
LEGACY_DB_PW = "Legacy-Mysql-Pw-4471"
TF_ACCESS = "TFACCESSKEY0001X"
TF_SECRET = "TfModule/Secret+Key=Abcdef0123"
TF_DB_PW = "Tf-Mysql-Pw-0099zz"
PLANTED = (
    ACCESS,
    AWS_SECRET,
    AZURE_KEY,
    HELM_AZURE_KEY,
    LICENSE,
    TF_LICENSE,
    DSN_PW,
    DB_PW,
    K8S_PW,
    CM_KEY,
    COMPOSE_PW_PIECE,
    BUNDLE_SECRET,
    OWN_ENV,
    CR_KEY,
    LEGACY_SECRET,
    LEGACY_DB_PW,
    TF_ACCESS,
    TF_SECRET,
    TF_DB_PW,
)


def forms(secret: str) -> set[str]:
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret)[1:-1].replace("/", "\\/"),
        html.escape(secret),
        xml_escape(secret, {'"': "&quot;", "'": "&apos;"}),
        quote(secret, safe=""),
        quote(secret),
    }


def _write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    _write(
        folder,
        "server.env",
        f"BUCKET=s3://{ACCESS}:{AWS_SECRET}@minio.internal:9000/wandb?tls=true\n"
        f"GORILLA_MYSQL=wandb:{DSN_PW}@tcp(mysql.internal:3306)/wandb_local\n"
        f"MYSQL=mysql://wandb:{quote(DB_PW, safe='')}@mysql.internal:3306/wandb_local\n"
        f"LICENSE={LICENSE}\nGORILLA_ARTIFACT_GC_ENABLED=true\n",
    )
    _write(
        folder,
        "values.yaml",
        f"""\
global:
  license: {LICENSE}
  bucket:
    provider: az
    name: acmewandbstore
    path: wandb-files
    accessKey: "{HELM_AZURE_KEY}"
  extraEnv:
    GORILLA_ARTIFACT_GC_ENABLED: "true"
""",
    )
    _write(
        folder,
        "k8s.yaml",
        f"""\
apiVersion: v1
kind: Secret
metadata: {{name: db}}
stringData:
  password: "{K8S_PW}"
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: wandb-env}}
data:
  GORILLA_ARTIFACT_GC_ENABLED: "true"
  GORILLA_DB_HINT: "{K8S_PW}"
  AWS_SECRET_ACCESS_KEY: "{CM_KEY}"
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: wandb-app}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: wandb/local:0.62.2
          envFrom:
            - configMapRef: {{name: wandb-env}}
          env:
            - name: S3_CREDS
              valueFrom:
                configMapKeyRef: {{name: wandb-env, key: AWS_SECRET_ACCESS_KEY}}
""",
    )
    _write(
        folder,
        "compose/compose.yaml",
        f"""\
services:
  wandb:
    image: wandb/local:0.62.2
    env_file:
      - /proc/self/environ
    environment:
      GORILLA_ARTIFACT_GC_ENABLED: "true"
      MYSQL_PASSWORD: "{COMPOSE_PW}"
      REDIS_PASSWORD: "Rd5$ecretTail42{COMPOSE_PW_PIECE}"
""",
    )
    _write(
        folder,
        "cr.yaml",
        f"""\
apiVersion: apps.wandb.com/v1
kind: WeightsAndBiases
metadata: {{name: wandb}}
spec:
  values:
    global:
      license: {LICENSE}
      extraEnv:
        GORILLA_ARTIFACT_GC_ENABLED: "true"
        BUCKET: "az://:{CR_KEY}@acmecrstore/wandb"
""",
    )
    _write(
        folder,
        "legacy/values.yaml",
        f"""\
license: {LICENSE}
bucket: "s3://{ACCESS}:{LEGACY_SECRET}@minio.internal:9000/wandb"
mysql:
  password: {LEGACY_DB_PW}
extraEnv:
  - name: GORILLA_ARTIFACT_GC_ENABLED
    value: "true"
""",
    )
    _write(
        folder,
        "tf-ok/main.tf",
        f"""\
module "wandb" {{
  source  = "wandb/wandb/aws"
  version = "7.8.1"
  license = "{LICENSE}"
  other_wandb_env = {{
    "GORILLA_ARTIFACT_GC_ENABLED" = "true"
    "GORILLA_FILE_STORE"          = "s3://{TF_ACCESS}:{TF_SECRET}@minio.internal:9000/wandb"
    "MYSQL_PASSWORD"              = "{TF_DB_PW}"
  }}
}}
""",
    )
    # a heredoc that is never closed is not HCL, and the parser echoes the text it choked on
    _write(folder, "tf/main.tf", f'variable "x" {{}}\nlicense = <<EOT\n{TF_LICENSE}\nEOX\n')
    origin = {"source": "values.yaml", "line": 3, "path": None}
    bundle = {
        "format": "gcready-bundle",
        "version": 1,
        "components": [
            {
                "name": "hand-made",
                "kind": "helm-component",
                "origin": origin,
                "env": [
                    {"name": "AWS_SECRET_ACCESS_KEY", "value": BUNDLE_SECRET, "origin": origin},
                    {"name": "GORILLA_NOTE", "value": f"copied {BUNDLE_SECRET}", "origin": origin},
                ],
            }
        ],
        "buckets": [
            {
                "provider": "s3-compatible",
                "name": "wandb",
                "endpoint": "minio.internal:9000",
                "display": f"s3://{ACCESS}:{BUNDLE_SECRET}@minio.internal:9000/wandb",
                "origin": origin,
            }
        ],
    }
    _write(folder, "hand.bundle.json", json.dumps(bundle))
    return folder


def _audit(command: str, hostile: Path, out: Path) -> tuple[Run, list[Path]]:
    files = [out / f"{command}.{ext}" for ext in ("json", "html", "txt", "sarif", "xml")]
    run = run_gcready(
        command,
        str(hostile),
        "--offline",
        "--bucket",
        f"az://:{AZURE_KEY}@acmebucketacct/wandb",
        "--json",
        str(files[0]),
        "--html",
        str(files[1]),
        "--text",
        str(files[2]),
        "--sarif",
        str(files[3]),
        "--junit",
        str(files[4]),
        env={"GCREADY_PLANTED_TOKEN": OWN_ENV},
    )
    return run, files


def _assert_clean(where: str, text: str) -> None:
    for secret in PLANTED:
        for form in forms(secret):
            assert form not in text, f"{form!r} ({secret!r}) in {where}"
        # nor a part of it: a parser that stops at "/" or "=" shows the rest
        for piece in re.split(r"[/+=@$]", secret):
            assert len(piece) < 8 or piece not in text, f"{piece!r} ({secret!r}) in {where}"


@pytest.mark.parametrize("command", ["audit", "diagnose"])
def test_no_planted_secret_in_any_output(hostile: Path, tmp_path: Path, command: str) -> None:
    run, files = _audit(command, hostile, tmp_path)
    assert run.code == 2, run.stderr  # the Terraform file is bad input; the rest is still audited
    assert "Traceback" not in run.stderr
    assert "main.tf" in run.stderr
    _assert_clean("stdout", run.stdout)
    _assert_clean("stderr", run.stderr)
    for path in files:
        _assert_clean(path.name, path.read_text(encoding="utf-8"))
    report = json.loads(files[0].read_text(encoding="utf-8"))
    assert report["findings"], "the other inputs were audited"
    assert any("/proc/self/environ" in n["text"] for n in report["notes"])


def test_collect_copies_no_secret_and_keeps_user_names(hostile: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "out.bundle.json"
    run = run_gcready(
        "collect",
        str(hostile),
        "--offline",
        "-o",
        str(bundle),
        "--bucket",
        f"az://:{AZURE_KEY}@acmebucketacct/wandb",
        env={"GCREADY_PLANTED_TOKEN": OWN_ENV},
    )
    assert run.code == 2, run.stderr
    text = bundle.read_text(encoding="utf-8")
    for where, shown in (("bundle", text), ("stdout", run.stdout), ("stderr", run.stderr)):
        _assert_clean(where, shown)
    components = json.loads(text)["components"]
    values = {env["name"]: env["value"] for c in components for env in c["env"] if env["value"]}
    buckets = {env["value"] for c in components for env in c["env"] if env["name"] == "BUCKET"}
    # a user name is not a secret: "wandb" stays, so fix commands and bucket names stay whole
    assert values["MYSQL"] == "mysql://wandb:***@mysql.internal:3306/wandb_local"
    assert values["GORILLA_MYSQL"] == "wandb:***@tcp(mysql.internal:3306)/wandb_local"
    assert "s3://***@minio.internal:9000/wandb?tls=true" in buckets, buckets
    # the bundle read back is audited offline with no secret either
    again = run_gcready("audit", str(bundle), "--offline", "--format", "json")
    _assert_clean("audit of the collected bundle", again.stdout + again.stderr)


def test_fix_commands_keep_the_database_user_and_bucket_name(tmp_path: Path) -> None:
    env = tmp_path / "server.env"
    env.write_text(
        f"BUCKET=s3://{ACCESS}:{AWS_SECRET}@minio.internal:9000/wandb\n"
        f"MYSQL=mysql://wandb:{quote(DB_PW, safe='')}@mysql.internal:3306/wandb\n"
        "GORILLA_ARTIFACT_GC_ENABLED=true\n"
    )
    bundle = tmp_path / "state.bundle.json"
    state = {"outcome": "ok", "value": "disabled"}
    bundle.write_text(
        json.dumps(
            {
                "format": "gcready-bundle",
                "version": 1,
                "bucket_states": [
                    {
                        "provider": "s3-compatible",
                        "name": "wandb",
                        "endpoint": "minio.internal:9000",
                        "access": {"outcome": "ok"},
                        "settings": {"versioning": state},
                    }
                ],
            }
        )
    )
    run = run_gcready("audit", str(env), str(bundle), "--offline", "--format", "json")
    assert run.code == 3, run.stderr
    _assert_clean("stdout", run.stdout)
    report = json.loads(run.stdout)
    fixes = [fix["text"] for f in report["findings"] if f["status"] == "fail" for fix in f.get("fixes", [])]
    assert any("wandb" in text and "***" not in text for text in fixes), fixes


@pytest.mark.parametrize("license_at", ["global", "app.global"])
def test_a_license_a_template_copies_into_a_value_is_never_shown(tmp_path: Path, license_at: str) -> None:
    """The values model renders ``{{ .Values.global.license }}``: the license it copies stays a secret."""
    owner = "global:\n" if license_at == "global" else "app:\n  global:\n"
    indent = "  " if license_at == "global" else "    "
    values = tmp_path / "values.yaml"
    values.write_text(
        f"{owner}{indent}license: {LICENSE}\n"
        + ("app:\n" if license_at == "global" else "")
        + "  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: '{{ .Values.global.license }}'\n",
        encoding="utf-8",
    )
    for fmt in ("text", "json", "html"):
        run = run_gcready("audit", str(values), "--offline", "--verbose", "--format", fmt)
        assert run.code == 3, run.stderr  # the flag is not "true": a fail, shown masked
        _assert_clean(f"audit --format {fmt}", run.stdout + run.stderr)
