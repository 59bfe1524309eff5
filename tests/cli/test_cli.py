"""The gcready command as a user runs it: real subprocesses, a clean environment."""

from __future__ import annotations

import base64
import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from gcready import __version__
from tests.conftest import run_gcready

ANSI = re.compile(r"\x1b\[")
FLAG = "GORILLA_ARTIFACT_GC_ENABLED"

VALUES = """\
global:
  cloudProvider: aws
  bucket:
    provider: s3
    name: acme-wandb-files
    region: us-east-1
  extraEnv:
    GORILLA_ARTIFACT_GC_ENABLED: "true"
"""

BUNDLE = {
    "format": "gcready-bundle",
    "version": 1,
    "bucket_states": [
        {
            "provider": "aws",
            "name": "acme-wandb-files",
            "region": "us-east-1",
            "access": {"outcome": "ok"},
            "settings": {"versioning": {"outcome": "ok", "value": "enabled"}},
        }
    ],
}

BAD_YAML = "global:\n  bucket:\n    name: foo\n   bad: indentation\n"


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


@pytest.fixture
def ready(tmp_path: Path) -> list[str]:
    """A Helm values file with the flag true and a bundle recording a versioned bucket."""
    inputs = tmp_path / "inputs"
    return [write(inputs, "values.yaml", VALUES), write(inputs, "bucket.bundle.json", json.dumps(BUNDLE))]


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- help, version, requirements -----------------------------------------------------------------


def test_version() -> None:
    run = run_gcready("--version")
    assert run.code == 0
    assert __version__ in run.stdout


@pytest.mark.parametrize("args", [("--help",), ("-h",), ("audit", "--help"), ("requirements", "--help")])
def test_help_exits_zero(args: tuple[str, ...]) -> None:
    run = run_gcready(*args)
    assert run.code == 0
    assert "Usage:" in run.stdout
    assert run.stderr == ""


@pytest.mark.parametrize("args", [("--help",), ("audit", "--help")])
def test_help_explains_exit_codes(args: tuple[str, ...]) -> None:
    out = run_gcready(*args).stdout
    assert "Exit codes" in out
    for code in ("0", "2", "3", "4", "5"):
        assert re.search(rf"^\s+{code}\s+\S", out, re.M), f"exit code {code} not explained"


def test_requirements_text() -> None:
    run = run_gcready("requirements", "--format", "text")
    assert run.code == 0
    for deployment in ("shared-cloud-ssc", "customer-managed-onprem"):
        assert deployment in run.stdout
    assert FLAG in run.stdout


def test_requirements_json() -> None:
    run = run_gcready("requirements", "--format", "json")
    assert run.code == 0
    data = json.loads(run.stdout)
    rows = {r["deployment"]: (r["env_var"], r["versioning"]) for r in data["rows"]}
    assert rows["customer-managed-cloud"] == (True, True)
    assert rows["shared-cloud"] == (False, False)
    assert rows["dedicated-cloud-ssc"] == (False, True)


def test_requirements_markdown_has_the_table() -> None:
    run = run_gcready("requirements", "--format", "markdown")
    assert run.code == 0
    table = [line for line in run.stdout.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 6  # header, separator, six rows
    assert any(set(line) <= set("|-: ") for line in table[1:2])
    row = next(line for line in table if "customer-managed-onprem" in line)
    assert row.count("X") == 2


@pytest.mark.parametrize("command", ["requirements", "audit"])
@pytest.mark.parametrize(
    "text",
    ['version = "x"\n[[rows]\n', 'schema = "gcready-requirements/1"\nversion = 3\n'],
    ids=["toml", "schema"],
)
def test_bad_requirements_file(tmp_path: Path, command: str, text: str) -> None:
    bad = write(tmp_path, "bad.toml", text)
    args = [command, "--requirements", bad] + (["--offline", str(tmp_path)] if command == "audit" else [])
    run = run_gcready(*args)
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert len(lines(run.stderr)) == 1, run.stderr
    assert bad in run.stderr
    assert run.stdout == ""


def test_good_requirements_file_is_used(tmp_path: Path, ready: list[str]) -> None:
    from importlib import resources

    text = resources.files("gcready").joinpath("data/requirements.toml").read_text()
    profile = write(tmp_path, "later-docs.toml", text.replace('["aws", "gcp"]', '["aws", "gcp", "azure"]'))
    run = run_gcready("audit", *ready, "--offline", "--format", "json", "--requirements", profile)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["requirements"]["origin"] == profile


# --- bad inputs ------------------------------------------------------------------------------------


def test_missing_path_and_good_file(tmp_path: Path, ready: list[str]) -> None:
    missing = str(tmp_path / "no-such-values.yaml")
    run = run_gcready("audit", missing, *ready, "--offline", "--format", "json")
    assert run.code == 2
    assert "Traceback" not in run.stderr
    naming = [line for line in run.stderr.splitlines() if missing in line]
    assert len(naming) == 1
    report = json.loads(run.stdout)
    assert report["summary"]["checks"]["gc-env-flag"] == "pass"
    assert report["summary"]["checks"]["bucket-versioning"] == "pass"
    assert [e["source"] for e in report["errors"]] == [missing]


def test_empty_path_is_an_input_error_not_the_current_folder(tmp_path: Path, ready: list[str]) -> None:
    """An empty argument (an unset shell variable) must not audit whatever folder gcready runs in."""
    (tmp_path / "stray.env").write_text("GORILLA_ARTIFACT_GC_ENABLED=false\n")
    run = run_gcready("audit", "", *ready, "--offline", "--format", "json", cwd=tmp_path)
    assert run.code == 2
    assert "empty path" in run.stderr and "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    assert report["summary"]["checks"]["gc-env-flag"] == "pass"
    assert all("stray.env" not in e["source"] for e in report["errors"])


def test_bad_yaml_among_good_files(tmp_path: Path, ready: list[str]) -> None:
    bad = write(tmp_path, "broken.yaml", BAD_YAML)
    out = tmp_path / "report.json"
    run = run_gcready("audit", *ready, bad, "--offline", "--json", str(out))
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert any(re.search(rf"{re.escape(bad)}:4: ", line) for line in run.stderr.splitlines()), run.stderr
    assert run.stdout.startswith("gcready: ")  # the text report still goes to stdout
    report = json.loads(out.read_text())
    assert report["errors"] == [{"source": bad, "line": 4, "message": report["errors"][0]["message"]}]
    assert report["summary"]["checks"]["gc-env-flag"] == "pass"


def test_unknown_option_is_usage_error() -> None:
    run = run_gcready("audit", "--no-such-option")
    assert run.code == 2
    assert "Traceback" not in run.stderr


# --- output files ------------------------------------------------------------------------------------


def test_json_html_text_files_written_atomically(tmp_path: Path, ready: list[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    j, h, t = out / "r.json", out / "r.html", out / "r.txt"
    run = run_gcready("audit", *ready, "--offline", "--json", str(j), "--html", str(h), "--text", str(t))
    assert run.code == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["r.html", "r.json", "r.txt"]  # no temp files left
    assert json.loads(j.read_text())["summary"]["verdict"] == "pass"
    assert "<html" in h.read_text().lower()
    assert t.read_text().startswith("gcready: READY")
    assert not ANSI.search(t.read_text())


def test_output_with_format_html(tmp_path: Path, ready: list[str]) -> None:
    target = tmp_path / "nested" / "report.html"
    run = run_gcready("audit", *ready, "--offline", "--format", "html", "--output", str(target))
    assert run.code == 0, run.stderr
    assert run.stdout == ""
    html = target.read_text()
    assert "<html" in html.lower()
    assert "acme-wandb-files" in html
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_output_does_not_leave_partial_file_on_input_error(tmp_path: Path) -> None:
    # An input error still writes the whole report (it says what went wrong).
    target = tmp_path / "report.json"
    run = run_gcready("audit", str(tmp_path / "nope"), "--offline", "--format", "json", "-o", str(target))
    assert run.code == 2
    assert json.loads(target.read_text())["summary"]["verdict"] == "error"


# --- exit codes --------------------------------------------------------------------------------------


def test_ready_exits_zero(ready: list[str]) -> None:
    run = run_gcready("audit", *ready, "--offline", "--format", "json")
    assert run.code == 0, run.stderr
    checks = json.loads(run.stdout)["summary"]["checks"]
    table = ("deployment-type", "gc-env-flag", "bucket-versioning", "ssc-provider")
    assert {k: checks[k] for k in table} == {
        "deployment-type": "pass",
        "gc-env-flag": "pass",
        "bucket-versioning": "pass",
        "ssc-provider": "skip",
    }


def test_fail_on_warn_with_conflicting_deployment_exits_4(ready: list[str]) -> None:
    args = ["audit", *ready, "--offline", "--deployment", "customer-managed-onprem", "--format", "json"]
    plain = run_gcready(*args)
    assert plain.code == 0, plain.stderr
    run = run_gcready(*args, "--fail-on", "warn")
    assert run.code == 4, run.stderr
    report = json.loads(run.stdout)
    assert report["summary"]["checks"]["deployment-type"] == "warn"
    assert report["deployment"]["type"] == "customer-managed-onprem"
    assert report["deployment"]["conflicts"]
    statuses = {f["status"] for f in report["findings"]}
    assert not statuses & {"fail", "unknown", "error"}


def test_summary_line_states_the_real_exit_code(ready: list[str]) -> None:
    args = ["audit", *ready, "--offline", "--deployment", "customer-managed-onprem", "--format", "json"]
    run = run_gcready(*args, "--fail-on", "warn")
    assert run.code == 4
    assert re.search(r"exit 4\b", run.stderr), run.stderr


def test_unknown_exits_5(tmp_path: Path) -> None:
    run = run_gcready("audit", write(tmp_path, "values.yaml", VALUES), "--offline", "--format", "json")
    assert run.code == 5
    assert json.loads(run.stdout)["summary"]["checks"]["bucket-versioning"] == "unknown"


def test_fail_exits_3(tmp_path: Path) -> None:
    values = write(tmp_path, "values.yaml", VALUES.replace('"true"', '"yes"'))
    bundle = write(tmp_path, "b.bundle.json", json.dumps(BUNDLE))
    run = run_gcready("audit", values, bundle, "--offline", "--format", "json")
    assert run.code == 3
    assert json.loads(run.stdout)["summary"]["checks"]["gc-env-flag"] == "fail"


# --- colour --------------------------------------------------------------------------------------------


def test_no_color_and_not_a_tty_means_no_ansi(ready: list[str]) -> None:
    for env in ({"NO_COLOR": "1"}, {}):
        run = run_gcready("audit", *ready, "--offline", env=env)
        assert run.code == 0
        assert not ANSI.search(run.stdout)
        assert not ANSI.search(run.stderr)


def test_color_forces_ansi(ready: list[str]) -> None:
    run = run_gcready("audit", *ready, "--offline", "--color", env={"NO_COLOR": "1"})
    assert run.code == 0
    assert ANSI.search(run.stdout)


def test_no_color_in_json_even_with_color(ready: list[str]) -> None:
    run = run_gcready("audit", *ready, "--offline", "--color", "--format", "json")
    assert not ANSI.search(run.stdout)
    json.loads(run.stdout)


# --- start-up cost -------------------------------------------------------------------------------------

HEAVY = ("boto3", "botocore", "google.cloud", "azure", "minio", "jinja2", "prometheus_client")

PROBE = textwrap.dedent(
    """
    import json, sys
    from click.testing import CliRunner
    from gcready.cli import main

    runner = CliRunner()
    codes = [runner.invoke(main, ["--help"]).exit_code]
    codes.append(runner.invoke(main, ["requirements"]).exit_code)
    for fmt in ("text", "json"):
        codes.append(runner.invoke(main, ["audit", sys.argv[1], "--offline", "--format", fmt]).exit_code)
    heavy = sorted(
        m for m in sys.modules
        if any(m == h or m.startswith(h + ".") for h in {heavy})
    )
    print(json.dumps({{"codes": codes, "heavy": heavy}}))
    """
)


def test_help_and_offline_audit_import_no_sdk(tmp_path: Path) -> None:
    import subprocess

    values = write(tmp_path, "values.yaml", VALUES)
    script = PROBE.format(heavy=repr(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", script, values], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0, 0, 5, 5]
    assert result["heavy"] == []


# Not needed to print the command list: the model, the report formats and the readers load on first use.
HELP_LAZY = (
    *HEAVY,
    "jsonschema",
    "yaml",
    "tomllib",
    "tomlkit",
    "difflib",
    "gcready.model",
    "gcready.report",
    "gcready.redact",
    "gcready.pipeline",
    "gcready.sources",
    "gcready.probes",
    "gcready.checks",
)

HELP_PROBE = textwrap.dedent(
    """
    import json, sys
    from click.testing import CliRunner
    from gcready.cli import main

    result = CliRunner().invoke(main, ["--help"])
    lazy = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in {lazy}))
    print(json.dumps({{"code": result.exit_code, "commands": "audit" in result.output, "loaded": lazy}}))
    """
)


def test_help_imports_neither_the_model_nor_the_formats_nor_any_parser() -> None:
    import subprocess

    script = HELP_PROBE.format(lazy=repr(HELP_LAZY))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0 and result["commands"]
    assert result["loaded"] == []


def test_the_diff_formats_are_offered_although_loaded_late() -> None:
    from gcready.report.drift_formats import DriftFormat

    shown = run_gcready("diff", "--help")
    assert shown.code == 0
    assert f"[{'|'.join(f.value for f in DriftFormat)}]" in shown.stdout
    wrong = run_gcready("diff", "old.json", "new.json", "--format", "yaml")
    assert wrong.code == 2 and "'yaml' is not one of 'text', 'json', 'markdown'" in wrong.stderr


# --- secrets -------------------------------------------------------------------------------------------

ACCESS = "AKIAJZ3Q7EXAMPLE9XYZ"
SECRET_KEY = "hVq9ZrT2mN8pW4sK7xL1cB6dF3gJ5yE0uI"
LICENSE = "eyJhbGciOiJSUzI1NiJ9.cHJpdmF0ZWxpY2Vuc2VwYXlsb2Fk.c2lnbmF0dXJlc2VjcmV0"
MYSQL_PW = "Mysql-P4ssw0rd-Qz7Kx"
K8S_SECRET = "k8s-Secret-Data-Value-91ab"
BUCKET_SECRETS = (ACCESS, SECRET_KEY)
ALL_SECRETS = (
    ACCESS,
    SECRET_KEY,
    LICENSE,
    MYSQL_PW,
    K8S_SECRET,
    base64.b64encode(K8S_SECRET.encode()).decode(),
)


@pytest.fixture
def secret_inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "secrets"
    write(
        folder,
        "values.yaml",
        f"""\
global:
  license: {LICENSE}
  bucket:
    provider: s3
    name: minio.storage.svc.cluster.local:9000
    path: wandb
    accessKey: {ACCESS}
    secretKey: {SECRET_KEY}
  mysql:
    password: {MYSQL_PW}
  extraEnv:
    GORILLA_ARTIFACT_GC_ENABLED: "yes"
    LICENSE: {LICENSE}
    MYSQL_PASSWORD: {MYSQL_PW}
""",
    )
    write(
        folder,
        "server.env",
        f"BUCKET=s3://{ACCESS}:{SECRET_KEY}@minio.storage.svc.cluster.local:9000/wandb?tls=true\n"
        f"MYSQL=mysql://wandb:{MYSQL_PW}@mysql:3306/wandb_local\n"
        f"LICENSE={LICENSE}\nGORILLA_ARTIFACT_GC_ENABLED=true\n",
    )
    write(
        folder,
        "k8s.yaml",
        f"""\
apiVersion: v1
kind: Secret
metadata:
  name: wandb-secrets
data:
  password: {base64.b64encode(K8S_SECRET.encode()).decode()}
stringData:
  license: {K8S_SECRET}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wandb-app
spec:
  template:
    spec:
      containers:
        - name: app
          image: wandb/local:latest
          envFrom:
            - secretRef:
                name: wandb-secrets
          env:
            - name: MYSQL_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: wandb-secrets
                  key: password
""",
    )
    return folder


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_no_secret_in_any_format(tmp_path: Path, secret_inputs: Path, fmt: str) -> None:
    extra = tmp_path / f"extra.{fmt}"
    run = run_gcready(
        "audit", str(secret_inputs), "--offline", "--format", fmt, "--json", str(extra), "--color"
    )
    assert run.code in (2, 3, 5), run.stderr
    assert run.stdout
    for secret in ALL_SECRETS:
        assert secret not in run.stdout, f"{secret} in {fmt} stdout"
        assert secret not in run.stderr, f"{secret} in stderr"
        assert secret not in extra.read_text(), f"{secret} in --json file"


@pytest.mark.parametrize(
    "url",
    [
        f"s3://{ACCESS}:{SECRET_KEY}@minio.local:9000",  # endpoint, no bucket
        f"ftp://{ACCESS}:{SECRET_KEY}@minio.local:9000/wandb",  # unknown scheme
        f"{ACCESS}:{SECRET_KEY}@minio.local:9000/wandb",  # scheme forgotten
        f"s3://{ACCESS}:{SECRET_KEY}@$(BUCKET_NAME)/wandb",  # Helm template form
    ],
    ids=["no-bucket", "bad-scheme", "no-scheme", "template"],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_malformed_bucket_url_error_keeps_keys_secret(tmp_path: Path, url: str, fmt: str) -> None:
    values = write(tmp_path, "values.yaml", VALUES)
    run = run_gcready("audit", values, "--offline", "--bucket", url, "--format", fmt)
    assert run.code == 2
    assert "--bucket" in run.stderr
    assert "Traceback" not in run.stderr
    for secret in BUCKET_SECRETS:
        assert secret not in run.stderr, run.stderr
        assert secret not in run.stdout


def test_bad_yaml_error_line_keeps_secret(tmp_path: Path) -> None:
    bad = write(tmp_path, "values.yaml", f"global:\n  license: {LICENSE}\n   bad: [\n")
    run = run_gcready("audit", bad, "--offline", "--format", "json")
    assert run.code == 2
    assert LICENSE not in run.stderr
    assert LICENSE not in run.stdout
