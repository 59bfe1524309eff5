"""dotenv files: a server's env file (docker --env-file) or a client's .env."""

from __future__ import annotations

import tomllib
from pathlib import Path

from gcready.model import ComponentKind, Provider, SignalKind, SourceKind
from gcready.sources import collect

REPO = Path(__file__).resolve().parents[2]

SERVER_ENV = """\
# W&B server, docker run --env-file wandb.env

export GORILLA_ARTIFACT_GC_ENABLED=false
BUCKET='s3://acme-wandb-files/prod'
MYSQL="mysql://wandb:Dotenv-Mysql-Pw-42@db.internal:3306/wandb_local"
LICENSE=eyJhbGciOiJIUzI1NiJ9.dotenvlicensepayload.c2lnbmF0dXJl
   # indented comment
GORILLA_ARTIFACT_GC_ENABLED="true"  # later line wins
GORILLA_DATA_RETENTION_PERIOD=168h
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_server_env_file_is_one_component(tmp_path: Path) -> None:
    path = _write(tmp_path, "wandb.env", SERVER_ENV)
    ev = collect([path])
    assert not ev.errors
    assert [i.kind for i in ev.inputs] == [SourceKind.DOTENV]
    assert len(ev.components) == 1
    comp = ev.components[0]
    assert comp.kind is ComponentKind.DOTENV
    assert any(s.kind is SignalKind.SERVER_CONFIG for s in ev.signals)


def test_later_line_wins_and_earlier_is_shadowed(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "wandb.env", SERVER_ENV)])
    comp = ev.components[0]
    flag = comp.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None
    assert flag.value == "true"  # quotes stripped, inline comment dropped
    assert flag.origin.line == 8
    lost = [v for v in comp.shadowed if v.name == "GORILLA_ARTIFACT_GC_ENABLED"]
    assert [(v.value, v.origin.line) for v in lost] == [("false", 3)]  # `export` understood
    assert [v.name for v in comp.env].count("GORILLA_ARTIFACT_GC_ENABLED") == 1


def test_line_numbers_and_single_quotes(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "wandb.env", SERVER_ENV)])
    comp = ev.components[0]
    bucket = comp.get("BUCKET")
    assert bucket is not None and bucket.origin.line == 4
    assert bucket.value == "s3://acme-wandb-files/prod"
    retention = comp.get("GORILLA_DATA_RETENTION_PERIOD")
    assert retention is not None and retention.value == "168h" and retention.origin.line == 9
    (ref,) = ev.buckets
    assert ref.provider is Provider.AWS
    assert ref.name == "acme-wandb-files"
    assert ref.path == "prod"
    assert ref.origin.line == 4


def test_secrets_are_not_kept(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "wandb.env", SERVER_ENV)])
    comp = ev.components[0]
    lic = comp.get("LICENSE")
    assert lic is not None and lic.value is None and lic.redacted
    mysql = comp.get("MYSQL")
    assert mysql is not None and mysql.redacted
    dump = repr(ev)
    assert "Dotenv-Mysql-Pw-42" not in dump
    assert "dotenvlicensepayload" not in dump


def test_blank_lines_do_not_shift_line_numbers(tmp_path: Path) -> None:
    text = "HOST=https://wandb.acme.internal\n\n\n\nGORILLA_ARTIFACT_GC_ENABLED=yes\n"
    ev = collect([_write(tmp_path, "server.env", text)])
    flag = ev.components[0].get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "yes"
    assert flag.origin.line == 5  # where the user has to go to fix it


def test_client_env_gives_base_url_signal_only(tmp_path: Path) -> None:
    text = "# my laptop\nWANDB_BASE_URL=https://acme.wandb.io\nWANDB_PROJECT=demo\n"
    ev = collect([_write(tmp_path, ".env", text)])
    assert not ev.errors
    assert ev.components == ()
    signals = [(s.kind, s.value, s.origin.line) for s in ev.signals]
    assert signals == [(SignalKind.BASE_URL, "https://acme.wandb.io", 2)]


def test_python_dotenv_is_a_declared_dependency() -> None:
    # gcready reads dotenv files with python-dotenv; a plain `pip install gcready` must bring it.
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = [dep.split(";")[0].split("[")[0] for dep in project["dependencies"]]
    names = [n.replace(">", " ").replace("<", " ").replace("=", " ").split()[0].lower() for n in names]
    assert "python-dotenv" in names
