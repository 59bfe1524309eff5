"""The README's usage block and the real command line agree, and every enum value is offered."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from gcready.cli import main
from gcready.model import DeploymentType, SourceKind
from gcready.report import Format
from gcready.sources.envfile import Dialect
from tests.conftest import REPO, run_gcready


def _usage_block() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    usage = readme[readme.index("## Usage") :]
    usage = usage[usage.index("```text") + len("```text") :]
    return usage[: usage.index("```")]


def _options(command: click.Command) -> set[str]:
    names: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option):
            names |= {o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")}
    return names - {"--help"}


COMMANDS = sorted(main.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_of_each_command_is_in_the_readme_usage_block(name: str) -> None:
    written = set(re.findall(r"--[a-z][a-z-]*", _usage_block()))
    missing = _options(main.commands[name]) - written  # type: ignore[attr-defined]
    assert not missing, f"gcready {name}: options missing from README's usage block: {sorted(missing)}"


def test_every_option_in_the_readme_usage_block_exists() -> None:
    real = {o for c in main.commands.values() for o in _options(c)} | {"--version", "--help"}  # type: ignore[attr-defined]
    written = set(re.findall(r"--[a-z][a-z-]*", _usage_block()))
    assert written <= real, sorted(written - real)


def test_the_readme_names_every_command() -> None:
    usage = _usage_block()
    for name in COMMANDS:
        assert f"gcready {name}" in usage


def _choices(command: str, option: str) -> list[str]:
    for param in main.commands[command].params:  # type: ignore[attr-defined]
        if option in getattr(param, "opts", ()):
            assert isinstance(param.type, click.Choice)
            return list(param.type.choices)
    raise AssertionError(f"{command} has no {option}")


def test_choices_are_the_enums() -> None:
    assert _choices("audit", "--deployment") == [t.value for t in DeploymentType]
    assert _choices("audit", "--format") == [f.value for f in Format]
    assert _choices("collect", "--deployment") == [t.value for t in DeploymentType]


@pytest.mark.parametrize("kind", [k.value for k in SourceKind])
def test_every_source_kind_is_accepted_and_named_in_the_help(kind: str) -> None:
    done = run_gcready("audit", "--offline", "--kind", kind, "--format", "json", "--quiet")
    assert "unknown kind" not in done.stderr and "Usage:" not in done.stderr, done.stderr
    assert done.code in (0, 3, 5), done.stderr
    assert kind in run_gcready("audit", "--help", env={"COLUMNS": "300"}).stdout


# --- every enum value is accepted by its option (in this process: the parse and a real run) ------------


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_is_accepted_by_format_also_and_its_shorthand(fmt: Format, tmp_path: Path) -> None:
    main_out, also, short = tmp_path / "main", tmp_path / "also", tmp_path / "short"
    args = [
        "--format",
        fmt.value,
        "-o",
        str(main_out),
        "--also",
        f"{fmt.value}={also}",
        f"--{fmt.value}",
        str(short),
    ]
    (tmp_path / "empty").mkdir()
    done = _invoke("audit", "--offline", "-q", str(tmp_path / "empty"), *args)
    assert done.exit_code == 5 and "Usage:" not in done.stderr, done.output  # 5: nothing to judge by
    assert main_out.read_text() == also.read_text() == short.read_text() != ""


@pytest.mark.parametrize("deployment", list(DeploymentType))
@pytest.mark.parametrize("command", ["audit", "diagnose", "collect"])
def test_every_deployment_type_is_accepted(command: str, deployment: DeploymentType, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    fmt = ["--format", "json"] if command != "collect" else []
    done = _invoke(
        command, str(tmp_path), "--offline", "--deployment", deployment.value, "-o", str(out), *fmt
    )
    assert done.exit_code in (0, 3, 5), done.output
    written = json.loads(out.read_text())
    if command == "collect":
        assert {"kind": "declared", "value": deployment.value}.items() <= written["signals"][0].items()
    else:
        assert written["deployment"]["type"] == deployment.value


@pytest.mark.parametrize("dialect", list(Dialect))
def test_every_env_file_dialect_is_accepted(dialect: Dialect, tmp_path: Path) -> None:
    env = tmp_path / "wandb.env"
    env.write_text("GORILLA_ARTIFACT_GC_ENABLED=true\n")
    for value in (dialect.value, f"{env}={dialect.value}"):
        done = _invoke("audit", str(env), "--offline", "--env-file-dialect", value, "--format", "json")
        assert done.exit_code in (0, 3, 5), done.output
        flag = [f for f in json.loads(done.stdout)["findings"] if f["check"] == "gc-env-flag"]
        assert flag and flag[0]["status"] == "pass", flag
