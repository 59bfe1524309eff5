"""``GCREADY_<OPTION>``: every option of audit, diagnose and collect reads one; the command line wins
over it, it wins over a config file's defaults, and a bad value in it is a usage error naming it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from gcready.cli import main
from tests.cli.test_cli import BUNDLE, VALUES
from tests.conftest import run_gcready

ENV_COMMANDS = ("audit", "diagnose", "collect")


@pytest.fixture
def ready(tmp_path: Path) -> list[str]:
    """Helm values with the flag true and a bundle recording a versioned bucket: exit 0 offline."""
    values, bundle = tmp_path / "values.yaml", tmp_path / "bucket.bundle.json"
    values.write_text(VALUES)
    bundle.write_text(json.dumps(BUNDLE))
    return [str(values), str(bundle)]


def invoke(args: list[str], env: dict[str, str], **extra: Any) -> Result:
    """The command in this process, with ``env`` added to its environment."""
    return CliRunner().invoke(main, args, env=env, **extra)


def _options(name: str) -> list[click.Option]:
    command = main.commands[name]  # type: ignore[attr-defined]
    return [p for p in command.params if isinstance(p, click.Option) and p.name != "help"]


def _expected(option: click.Option) -> str:
    long = next(o for o in option.opts if o.startswith("--"))
    return "GCREADY_" + long[2:].replace("-", "_").upper()


@pytest.mark.parametrize("name", ENV_COMMANDS)
def test_every_option_reads_its_own_variable_and_help_names_it(name: str) -> None:
    options = _options(name)
    assert len(options) >= 10
    helptext = run_gcready(name, "--help", env={"COLUMNS": "400"}).stdout
    for option in options:
        assert isinstance(option.envvar, list) and option.envvar[0] == _expected(option), option.opts
        assert _expected(option) in helptext, option.opts
    names = [_expected(o) for o in options]
    assert len(names) == len(set(names))  # two options never share a variable


def test_requirements_reads_no_variable() -> None:
    # GCREADY_FORMAT=sarif set for nightly audits must not break `gcready requirements`
    done = invoke(["requirements"], {"GCREADY_FORMAT": "sarif"})
    assert done.exit_code == 0, done.output
    assert "shared-cloud" in done.stdout and not done.stdout.startswith("{")


def test_a_variable_sets_the_option(ready: list[str]) -> None:
    done = invoke(["audit", *ready, "--offline"], {"GCREADY_FORMAT": "json"})
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["summary"]["verdict"] == "pass"


def test_a_flag_variable_turns_the_flag_on(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    args = ["collect", "--bucket", "s3://acme-files", "-o", str(bundle)]
    done = invoke(args, {"GCREADY_OFFLINE": "true"})
    assert done.exit_code == 5, done.output
    assert "s3://acme-files: not probed (--offline)" in done.stderr


def test_the_command_line_wins_over_the_variable(ready: list[str]) -> None:
    done = invoke(["audit", *ready, "--offline", "--format", "text"], {"GCREADY_FORMAT": "json"})
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("gcready: READY")
    # a variable the command line overrides is not even read: its bad value is no error
    done = invoke(["audit", *ready, "--offline", "--timeout", "5"], {"GCREADY_TIMEOUT": "soon"})
    assert done.exit_code == 0, done.output


def test_the_variable_wins_over_a_config_files_defaults(ready: list[str]) -> None:
    # a config file reaches click as default_map; the order is command line > variable > default_map
    defaults = {"audit": {"fmt": "html", "offline": True}}
    done = invoke(["audit", *ready], {"GCREADY_FORMAT": "json"}, default_map=defaults)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["offline"] is True
    done = invoke(["audit", *ready], {}, default_map=defaults)
    assert done.stdout.lstrip().lower().startswith("<!doctype html")


def test_repeatable_options_split_their_variable_on_whitespace(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    env = {"GCREADY_BUCKET": "s3://acme-a  s3://acme-b\ts3://acme-c", "GCREADY_OFFLINE": "1"}
    done = invoke(["collect", "-o", str(bundle)], env)
    assert done.exit_code == 5, done.output
    assert [line.split(": ")[2] for line in done.stderr.splitlines() if "unread:" in line] == [
        "s3://acme-a",
        "s3://acme-b",
        "s3://acme-c",
    ]


def test_also_variable_writes_each_output(ready: list[str], tmp_path: Path) -> None:
    j, s = tmp_path / "r.json", tmp_path / "r.sarif"
    done = invoke(["audit", *ready, "--offline", "-q"], {"GCREADY_ALSO": f"json={j} sarif={s}"})
    assert done.exit_code == 0, done.output
    assert json.loads(j.read_text())["summary"]["verdict"] == "pass"
    assert json.loads(s.read_text())["version"] == "2.1.0"


def test_server_manifest_variable_splits_on_whitespace_not_colons(tmp_path: Path) -> None:
    command = main.commands["audit"]  # type: ignore[attr-defined]
    with CliRunner().isolation(env={"GCREADY_SERVER_MANIFEST": "a:1.yaml b.yaml"}):
        ctx = command.make_context("audit", ["--offline"])
    assert ctx.params["server_manifests"] == ("a:1.yaml", "b.yaml")


@pytest.mark.parametrize(
    ("variable", "value", "option", "says"),
    [
        ("GCREADY_TIMEOUT", "soon", "--timeout", "'soon' is not a valid float range"),
        ("GCREADY_RETRIES", "-1", "--retries", "-1 is not in the range x>=0"),
        ("GCREADY_OFFLINE", "maybe", "--offline", "'maybe' is not a valid boolean"),
        ("GCREADY_FORMAT", "yaml", "--format", "'yaml' is not one of 'text', 'json'"),
        ("GCREADY_DEPLOYMENT", "saas", "--deployment", "'saas' is not one of 'shared-cloud'"),
        ("GCREADY_KIND", "helm", "--kind", "helm: unknown kind 'helm' (one of: dotenv"),
        ("GCREADY_ALSO", "yaml=r.yaml", "--also", "yaml=r.yaml: unknown format 'yaml' (one of: text, json"),
        ("GCREADY_BUCKET_OPTION", "files:colour=red", "--bucket-option", "expected BUCKET:KEY=VALUE"),
        ("GCREADY_FAIL_ON", "error", "--fail-on", "'error' is not one of 'fail', 'warn'"),
    ],
)
def test_a_bad_value_in_a_variable_is_a_usage_error_naming_it(
    variable: str, value: str, option: str, says: str, tmp_path: Path
) -> None:
    run = run_gcready("audit", str(tmp_path), env={variable: value})  # an empty folder: nothing to probe
    assert run.code == 2, run.stderr
    assert run.stdout == "" and "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, run.stderr
    assert errors[0].startswith(f"Error: Invalid value for '{option}' (env var: '{variable}'): "), errors
    assert says in errors[0], errors


def test_a_bad_value_on_the_command_line_names_no_variable(tmp_path: Path) -> None:
    run = run_gcready("audit", "--offline", "--timeout", "soon", str(tmp_path))
    assert run.code == 2
    assert "Error: Invalid value for '--timeout': 'soon' is not a valid float range." in run.stderr
    assert "env var" not in run.stderr


def test_azure_subscription_reads_its_own_variable_before_azures() -> None:
    command = main.commands["audit"]  # type: ignore[attr-defined]
    env = {"AZURE_SUBSCRIPTION_ID": "from-azure", "GCREADY_AZURE_SUBSCRIPTION": "from-gcready"}
    with CliRunner().isolation(env=env):
        assert command.make_context("audit", []).params["azure_subscription"] == "from-gcready"
    with CliRunner().isolation(env={"AZURE_SUBSCRIPTION_ID": "from-azure"}):
        assert command.make_context("audit", []).params["azure_subscription"] == "from-azure"
