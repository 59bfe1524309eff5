"""dotenv files: a server's env file (docker --env-file) or a client's .env."""

from __future__ import annotations

import tomllib
from pathlib import Path

from gcready.model import ComponentKind, Provider, SignalKind, SourceKind
from gcready.sources import collect
from gcready.sources.envfile import Dialect

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
    # compose's reading (its env_file): quotes stripped, `export` allowed, inline comments dropped
    ev = collect([_write(tmp_path, "wandb.env", SERVER_ENV)], default_dialect=Dialect.COMPOSE)
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


# --- dialects: docker run --env-file, docker compose env_file, systemd EnvironmentFile ----------------

QUOTED = 'BUCKET=s3://acme-wandb-files\nGORILLA_ARTIFACT_GC_ENABLED="true"\n'


def _flag(ev: object) -> object:
    comp = ev.components[0]  # type: ignore[attr-defined]
    return comp.get("GORILLA_ARTIFACT_GC_ENABLED")


def test_docker_keeps_quotes_in_the_value(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "wandb.env", QUOTED)], default_dialect=Dialect.DOCKER)
    flag = _flag(ev)
    assert flag.value == '"true"'  # type: ignore[attr-defined]  # not a boolean for the Go server


def test_docker_keeps_comment_text_and_trailing_spaces(tmp_path: Path) -> None:
    text = "GORILLA_ARTIFACT_GC_ENABLED=true # on\nGORILLA_DATA_RETENTION_PERIOD=24h  \n"
    ev = collect([_write(tmp_path, "wandb.env", text)], default_dialect=Dialect.DOCKER)
    comp = ev.components[0]
    assert comp.get("GORILLA_ARTIFACT_GC_ENABLED").value == "true # on"  # type: ignore[union-attr]
    assert comp.get("GORILLA_DATA_RETENTION_PERIOD").value == "24h  "  # type: ignore[union-attr]


def test_docker_refuses_export_naming_the_line(tmp_path: Path) -> None:
    text = "BUCKET=s3://b\nexport GORILLA_ARTIFACT_GC_ENABLED=true\n"
    ev = collect([_write(tmp_path, "wandb.env", text)], default_dialect=Dialect.DOCKER)
    (error,) = ev.errors
    assert error.line == 2 and "docker run --env-file refuses" in error.message


def test_compose_and_systemd_strip_quotes(tmp_path: Path) -> None:
    for dialect in (Dialect.COMPOSE, Dialect.SYSTEMD):
        ev = collect([_write(tmp_path, "wandb.env", QUOTED)], default_dialect=dialect)
        assert _flag(ev).value == "true", dialect  # type: ignore[attr-defined]


def test_systemd_rules(tmp_path: Path) -> None:
    text = (
        '; a comment\nexport GORILLA_ONPREM=true\nGORILLA_ARTIFACT_GC_ENABLED="true" # on\n'
        "GORILLA_DATA_RETENTION_PERIOD=2\\\n4h\nNOT AN ASSIGNMENT\nBUCKET='s3://a b'\n"
    )
    _write(tmp_path, "wandb.env", text)
    ev = collect([str(tmp_path)], dialects={f"{tmp_path}/./wandb.env": Dialect.SYSTEMD})  # in a folder
    comp = ev.components[0]
    assert comp.get("GORILLA_ONPREM") is None  # `export NAME` is not a valid name: ignored
    assert comp.get("GORILLA_ARTIFACT_GC_ENABLED").value == "true# on"  # type: ignore[union-attr]
    assert comp.get("GORILLA_DATA_RETENTION_PERIOD").value == "24h"  # type: ignore[union-attr]
    assert comp.get("BUCKET").value == "s3://a b"  # type: ignore[union-attr]
    ignored = sorted(n.origin.line or 0 for n in ev.notes if "systemd EnvironmentFile ignores" in n.text)
    assert ignored == [2, 6]


def test_unknown_consumer_and_differing_value_is_unknown(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "wandb.env", QUOTED)])
    flag = _flag(ev)
    assert flag.value is None and not flag.redacted  # type: ignore[attr-defined]
    why = flag.unresolved  # type: ignore[attr-defined]
    assert "docker run --env-file reads '\"true\"'" in why
    assert "docker compose env_file reads 'true'" in why and "systemd EnvironmentFile reads 'true'" in why
    assert "--env-file-dialect" in why
    bucket = ev.components[0].get("BUCKET")
    assert bucket is not None and bucket.value == "s3://acme-wandb-files"  # read alike by all three


def test_unknown_consumer_rules_out_one_that_refuses(tmp_path: Path) -> None:
    text = "export GORILLA_ARTIFACT_GC_ENABLED=true\n"
    ev = collect([_write(tmp_path, "wandb.env", text)])
    assert not ev.errors
    (note,) = [n for n in ev.notes if "docker run --env-file refuses" in n.text]
    assert note.origin.line == 1
    flag = _flag(ev)  # compose reads `true`, systemd ignores the line: they still disagree
    assert flag.value is None and "systemd EnvironmentFile does not set it" in flag.unresolved  # type: ignore[attr-defined]


def test_secret_values_are_not_shown_when_consumers_disagree(tmp_path: Path) -> None:
    text = 'MYSQL="mysql://wandb:Dialect-Pw-77@db:3306/w"\nGORILLA_X=1\n'
    ev = collect([_write(tmp_path, "wandb.env", text)])
    mysql = ev.components[0].get("MYSQL")
    assert mysql is not None and mysql.value is None
    assert "Dialect-Pw-77" not in repr(ev)


def test_compose_env_file_is_read_as_compose(tmp_path: Path) -> None:
    _write(tmp_path, "wandb.env", QUOTED)
    _write(
        tmp_path,
        "docker-compose.yml",
        "services:\n  wandb:\n    image: wandb/local:0.66.1\n    env_file: wandb.env\n",
    )
    ev = collect([str(tmp_path)])
    assert not ev.errors
    (comp,) = ev.components
    assert comp.get("GORILLA_ARTIFACT_GC_ENABLED").value == "true"  # type: ignore[union-attr]
    assert not [n for n in ev.notes if "dialect" in n.text]


def test_compose_env_file_compose_refuses_is_an_input_error(tmp_path: Path) -> None:
    env = _write(tmp_path, "wandb.env", "GORILLA_ARTIFACT_GC_ENABLED=true\nnot an assignment\n")
    compose_file = _write(
        tmp_path, "compose.yaml", "services:\n  wandb:\n    image: wandb/local\n    env_file: wandb.env\n"
    )
    ev = collect([compose_file])
    (error,) = ev.errors
    assert (error.source, error.line) == (env, 2)
    assert "docker compose refuses it" in error.message


def test_bare_name_takes_its_value_from_the_environment(tmp_path: Path) -> None:
    path = _write(tmp_path, "wandb.env", "BUCKET=s3://b\nGORILLA_ARTIFACT_GC_ENABLED\n")
    ev = collect([path], kinds={path: SourceKind.DOTENV})
    flag = _flag(ev)
    assert flag.value is None and "environment" in flag.unresolved  # type: ignore[attr-defined]


def test_cli_option_decides_the_flag(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from gcready.cli import main

    path = _write(tmp_path, "wandb.env", QUOTED)
    statuses = {}
    for dialect in ("docker", "compose", "systemd", None):
        args = ["audit", "--offline", path, "--deployment", "customer-managed-onprem", "--format", "json"]
        result = CliRunner().invoke(main, args + (["--env-file-dialect", dialect] if dialect else []))
        report, _ = json.JSONDecoder().raw_decode(result.output)
        (flag,) = [f for f in report["findings"] if f["check"] == "gc-env-flag"]
        statuses[dialect] = flag["status"]
    assert statuses == {"docker": "fail", "compose": "pass", "systemd": "pass", None: "unknown"}


def test_a_secret_reading_says_it_is_not_shown_once_scrubbed(tmp_path: Path) -> None:
    from gcready.redact import scrub

    text = 'GORILLA_LICENSE="eyJhbGciOiJSUzI1NiJ9FirstPart\nSecondLineOfTheLicense"\n'
    ev = collect([_write(tmp_path, "wandb.env", text)])
    license_ = ev.components[0].get("GORILLA_LICENSE")
    assert license_ is not None and license_.value is None
    why = scrub(license_.unresolved)  # as every output shows it
    assert "docker compose env_file reads a secret (not shown)" in why, why


def test_a_differing_reading_is_shown_whole_or_by_its_length_never_cut(tmp_path: Path) -> None:
    medium, long = "m" * 150, "x" * 300
    text = f'GORILLA_EXTRA_ARGS="{medium}"\nGORILLA_OTHER_ARGS="{long}"\nGORILLA_ARTIFACT_GC_ENABLED=true\n'
    ev = collect([_write(tmp_path, "wandb.env", text)])
    shown = ev.components[0].get("GORILLA_EXTRA_ARGS")
    assert shown is not None and f"docker compose env_file reads '{medium}'" in shown.unresolved
    hidden = ev.components[0].get("GORILLA_OTHER_ARGS")
    assert hidden is not None
    assert "docker run --env-file reads a value of 302 characters (too long to show)" in hidden.unresolved
    assert "docker compose env_file reads a value of 300 characters (too long to show)" in hidden.unresolved
    assert "xxxxxxxx" not in hidden.unresolved
