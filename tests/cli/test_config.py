"""``gcready.toml``: found in the current folder or named, validated with file:line:key messages, and
turned into option defaults that the command line and ``GCREADY_*`` variables win over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from click.testing import CliRunner, Result

from gcready.cli import main
from gcready.cli.config import Config, ConfigError, load, locate
from gcready.cli.configured import default_map
from gcready.cli.param_types import BucketKey, BucketOption
from tests.conftest import FIXTURES, REPO

SCENARIOS = FIXTURES / "scenarios"
READY = SCENARIOS / "operator-cr-aws-ready" / "inputs"
FAILING = SCENARIOS / "operator-cr-aws-flag-missing" / "inputs"
WARNS = SCENARIOS / "stuck-aws-mfa-delete" / "inputs"  # passes, with warnings: exit 4 only with fail-on warn
SCHEMAS = REPO / "src" / "gcready" / "schemas"


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """``gcready ARGS`` in this process (the current folder is the test's), stdout and stderr apart."""
    clean = {"GCREADY_CONFIG": None, "NO_COLOR": "1", **(env or {})}
    return CliRunner().invoke(main, list(args), env=clean, catch_exceptions=False)


def toml(folder: Path, text: str, name: str = "gcready.toml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def report_of(result: Result) -> dict[str, Any]:
    assert result.stdout.strip(), f"exit {result.exit_code}: {result.stderr}"
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# --- finding the file ------------------------------------------------------------------------------


def test_a_gcready_toml_in_the_current_folder_is_used(tmp_path: Path) -> None:
    toml(tmp_path, f'inputs = ["{FAILING}"]\noffline = true\nformat = "json"\n')
    result = invoke("audit")
    assert result.exit_code == 3, result.stderr
    assert report_of(result)["summary"]["checks"]["gc-env-flag"] == "fail"


def test_no_config_ignores_the_one_in_the_current_folder(tmp_path: Path) -> None:
    toml(tmp_path, "offline = true\nnot-a-key = 1\n")  # would be exit 2 if read
    result = invoke("audit", "--no-config", str(READY), "--offline", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert report_of(result)["summary"]["verdict"] == "pass"


def test_config_option_and_gcready_config_name_the_file(tmp_path: Path) -> None:
    failing = toml(tmp_path, f'inputs = ["{FAILING}"]\noffline = true\n', "a/failing.toml")
    ready = toml(tmp_path, f'inputs = ["{READY}"]\noffline = true\n', "b/ready.toml")
    assert invoke("audit", "--config", str(failing), "-q").exit_code == 3
    assert invoke("audit", env={"GCREADY_CONFIG": str(ready)}).exit_code == 0
    # the command line wins over the environment
    assert invoke("audit", "--config", str(failing), env={"GCREADY_CONFIG": str(ready)}).exit_code == 3
    # --no-config ignores GCREADY_CONFIG too: no inputs, so this is the (empty) process environment
    result = invoke(
        "audit", "--no-config", "--offline", "--format", "json", env={"GCREADY_CONFIG": str(failing)}
    )
    assert report_of(result)["inputs"] == []
    ignored = {"GCREADY_CONFIG": str(failing), "GCREADY_NO_CONFIG": "1"}
    assert report_of(invoke("audit", "--offline", "--format", "json", env=ignored))["inputs"] == []


def test_a_missing_config_file_is_exit_2_in_one_line() -> None:
    result = invoke("audit", "--config", "nowhere.toml")
    assert result.exit_code == 2
    assert result.stderr == "gcready: nowhere.toml: cannot read: No such file or directory\n"


def test_config_and_no_config_together_are_a_usage_error(tmp_path: Path) -> None:
    path = toml(tmp_path, "offline = true\n")
    result = invoke("audit", "--config", str(path), "--no-config")
    assert result.exit_code == 2 and "--config and --no-config exclude each other" in result.stderr


# --- precedence: command line > environment > file > default ---------------------------------------


def test_the_command_line_wins_over_the_file_and_the_file_over_the_default(tmp_path: Path) -> None:
    toml(tmp_path, f'inputs = ["{WARNS}"]\noffline = true\nfail-on = "warn"\n')
    assert invoke("audit", "-q").exit_code == 4  # the file's fail-on = "warn"
    assert invoke("audit", "-q", "--fail-on", "fail").exit_code == 0  # the command line's
    assert invoke("audit", "-q", "--no-config", str(WARNS), "--offline").exit_code == 0  # the default


def test_stated_deployment_type_file_then_command_line(tmp_path: Path) -> None:
    toml(
        tmp_path,
        f'inputs = ["{READY}"]\noffline = true\ndeployment = "customer-managed-onprem"\nformat = "json"\n',
    )
    from_file = report_of(invoke("audit"))["deployment"]
    assert (from_file["type"], from_file["decided_by"]) == ("customer-managed-onprem", "override")
    from_cli = report_of(invoke("audit", "--deployment", "dedicated-cloud"))["deployment"]
    assert from_cli["type"] == "dedicated-cloud"


def test_an_option_variable_wins_over_the_file_and_loses_to_the_command_line(tmp_path: Path) -> None:
    toml(
        tmp_path,
        f'inputs = ["{READY}"]\noffline = true\ndeployment = "customer-managed-onprem"\nformat = "json"\n',
    )
    if (
        report_of(
            invoke(
                "audit",
                "--no-config",
                str(READY),
                "--offline",
                "--format",
                "json",
                env={"GCREADY_DEPLOYMENT": "dedicated-cloud"},
            )
        )["deployment"]["type"]
        != "dedicated-cloud"
    ):
        pytest.skip(
            "this build reads no GCREADY_DEPLOYMENT variable (options' GCREADY_* variables come with the CLI work)"
        )
    env = {"GCREADY_DEPLOYMENT": "dedicated-cloud"}
    assert report_of(invoke("audit", env=env))["deployment"]["type"] == "dedicated-cloud"
    on_cli = invoke("audit", "--deployment", "shared-cloud", env=env)
    assert report_of(on_cli)["deployment"]["type"] == "shared-cloud"


def test_relative_paths_are_relative_to_the_config_files_folder(tmp_path: Path) -> None:
    ops = tmp_path / "ops"
    (ops / "inputs").mkdir(parents=True)
    for source in FAILING.iterdir():
        (ops / "inputs" / source.name).write_bytes(source.read_bytes())
    toml(ops, 'inputs = ["inputs"]\noffline = true\n[outputs]\njson = "reports/gcready.json"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    import os

    os.chdir(elsewhere)
    result = invoke("audit", "--config", "../ops/gcready.toml", "-q")
    assert result.exit_code == 3, result.stderr
    written = json.loads((ops / "reports" / "gcready.json").read_text())
    assert [i["path"] for i in written["inputs"]] == [
        "../ops/inputs/gcready-bundle.json",
        "../ops/inputs/wandb-cr.yaml",
    ]


# --- bad config files: one line, file:line, the key ------------------------------------------------

BAD = [
    (
        'offline = true\n[probe]\ntimeout = "ten"\n',
        "gcready.toml:3: key 'probe.timeout': 'ten' is not of type 'number'",
    ),
    (
        "offline = true\nofline = true\n",
        "gcready.toml:2: key 'ofline': unknown key (did you mean 'offline'?)",
    ),
    ("offline = true\ntimeout = 3\n", "gcready.toml:2: key 'timeout': a probe option: put it under [probe]"),
    ('fail-on = "never"\n', "gcready.toml:1: key 'fail-on': 'never' is not one of ['fail', 'warn']"),
    ("offline = 1\n", "gcready.toml:1: key 'offline': 1 is not of type 'boolean'"),
    (
        '[[bucket]]\nurl = "s3://a"\n\n[[bucket]]\nregion = "eu-west-1"\n',
        "gcready.toml:4: key 'bucket.url': required key missing",
    ),
    (
        '[[bucket]]\nurl = "s3://a"\n[[bucket]]\nurl = "s3://b"\nregoin = "x"\n',
        "gcready.toml:5: key 'bucket.regoin': unknown key (did you mean 'region'?)",
    ),
    ('[outputs]\npdf = "r.pdf"\n', "gcready.toml:2: key 'outputs.pdf': unknown output format 'pdf'"),
    (
        '[[deployment]]\nname = "a"\n[[deployment]]\ninputs = ["x"]\n',
        "gcready.toml:3: key 'deployment.name': required key missing",
    ),
    (
        '[[deployment]]\nname = "a"\n[[deployment]]\nname = "a"\n',
        "gcready.toml:4: key 'deployment.name': duplicate deployment 'a'",
    ),
    (
        '[[deployment]]\nname = "a"\n[[deployment.bucket]]\nurl = "s3://b"\nverify-tls = "no"\n',
        "gcready.toml:5: key 'deployment.bucket.verify-tls': 'no' is not of type 'boolean'",
    ),
    (
        '[[waiver]]\ncheck = "bucket-versioning"\nreason = "legal hold"\nexpires = "soon"\n',
        "gcready.toml:4: key 'waiver.expires': 'soon' is not a date (YYYY-MM-DD)",
    ),
    (
        '[[waiver]]\ncheck = "bucket-versioning"\nexpires = 2027-01-31\n',
        "gcready.toml:1: key 'waiver.reason': required key missing",
    ),
    ('offline = true\ninputs = ["a",\n', "gcready.toml:3: not valid TOML: "),
    ("offline = true\noffline = false\n", "gcready.toml:2: not valid TOML: "),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(": ", 1)[1][:40] for _, m in BAD])
def test_a_bad_config_is_exit_2_with_one_line_naming_file_line_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    toml(tmp_path, text)
    result = invoke("audit")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"gcready: {message}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_secret_in_a_bad_value_does_not_reach_the_message(tmp_path: Path) -> None:
    toml(tmp_path, 'buckets = "s3://AKIAEXAMPLEKEY:verysecretvalue123@minio.lab:9000/wandb"\n')
    result = invoke("audit")
    assert result.exit_code == 2 and "gcready.toml:1: key 'buckets'" in result.stderr
    assert "verysecretvalue123" not in result.stderr


def test_bucket_keys_in_the_config_never_reach_a_report(tmp_path: Path) -> None:
    secret = "verysecretvalue123"
    toml(
        tmp_path,
        f'format = "json"\noffline = true\nverbose = true\n[outputs]\ntext = "r.txt"\nhtml = "r.html"\n'
        f'[[bucket]]\nurl = "s3://AKIAEXAMPLEKEY:{secret}@minio.lab:9000/wandb"\nregion = "eu-west-1"\n',
    )
    result = invoke("audit")
    assert result.exit_code == 5, result.stderr
    assert "s3://minio.lab:9000/wandb" in result.stdout
    written = (tmp_path / "r.txt").read_text() + (tmp_path / "r.html").read_text()
    assert secret not in result.stdout + result.stderr + written


def test_help_is_shown_even_beside_a_broken_config(tmp_path: Path) -> None:
    toml(tmp_path, "not = [valid\n")
    result = invoke("audit", "--help")
    assert result.exit_code == 0 and "--config FILE" in result.stdout


def test_the_line_scanner_follows_tables_arrays_and_multiline_strings() -> None:
    text = (
        'note = """\n[probe]\ntimeout = 1\n"""\n'  # lines 1-4: a string that looks like a table
        "[probe]\n"  # 5
        "  timeout = 3 # seconds\n"  # 6
        "[[deployment]]\n"  # 7
        'name = "a"\n'  # 8
        "[[deployment]]\n"  # 9
        'name = "b"\n'  # 10
        "[[deployment.bucket]]\n"  # 11
        'url = "s3://x"\n'  # 12
        'probe.region = "eu"\n'  # 13
    )
    assert locate(text, ("probe", "timeout")) == 6
    assert locate(text, ("deployment", 1, "name")) == 10
    assert locate(text, ("deployment", 1, "bucket", 0, "url")) == 12
    assert locate(text, ("deployment", 1, "bucket", 0, "region")) == 11  # not written: its table
    assert locate(text, ("deployment", 0, "bucket")) == 7
    assert locate(text, ("deployment", 1, "bucket", 0, "probe", "region")) == 13


# --- how keys become options --------------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> Config:
    return load(toml(tmp_path, text, "conf/gcready.toml"))


def _audit() -> click.Command:
    command = main.commands["audit"]  # type: ignore[attr-defined]
    assert isinstance(command, click.Command)
    return command


EVERYWHERE = frozenset({"fail-on", "history", "baseline", "pushgateway", "history-keep"})


def test_probe_table_buckets_and_outputs_map_to_their_options(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        'inputs = ["values.yaml"]\nfail-on = "warn"\n'
        "[probe]\ntimeout = 2.5\nretries = 0\nverify-tls = false\npath-style = true\n"
        '[outputs]\njson = "out/r.json"\n'
        '[[bucket]]\nurl = "s3://wandb-prod"\nregion = "eu-west-1"\nca-bundle = "ca.pem"\n',
    )
    defaults = default_map(config, _audit(), EVERYWHERE)
    base = str(tmp_path / "conf")
    assert defaults["paths"] == (f"{base}/values.yaml",)
    assert defaults["fail_on"] == "warn"
    assert (defaults["timeout"], defaults["retries"]) == (2.5, 0)
    assert defaults["no_verify_tls"] is True and defaults["path_style"] is True
    assert defaults["buckets"] == ("s3://wandb-prod",)
    assert set(defaults["bucket_options"]) == {  # type: ignore[arg-type]
        BucketOption("s3://wandb-prod", BucketKey.REGION, "eu-west-1"),
        BucketOption("s3://wandb-prod", BucketKey.CA_BUNDLE, f"{base}/ca.pem"),
    }
    assert defaults["also"] == (f"json={base}/out/r.json",)


def _command_with(*options: str) -> click.Command:
    params: list[click.Parameter] = [click.Option([f"--{o}"], multiple=o == "also") for o in options]
    return click.Command("audit", params=[*params, click.Option(["--format", "fmt"])])


def test_outputs_become_also_values_and_the_file_is_the_waivers_file_where_those_options_exist(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, '[outputs]\njson = "r.json"\nhtml = "r.html"\n')
    defaults = default_map(config, _command_with("also", "waivers"), EVERYWHERE)
    base = tmp_path / "conf"
    assert defaults["also"] == (f"json={base}/r.json", f"html={base}/r.html")
    assert defaults["waivers"] == str(config.path)
    other = _config(tmp_path, 'waivers = "accepted.toml"\n')
    assert default_map(other, _command_with("waivers"), EVERYWHERE)["waivers"] == f"{base}/accepted.toml"


def test_a_key_for_an_option_no_command_has_is_an_error_and_one_another_command_has_is_left_out(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, 'fail-on = "warn"\npushgateway = "http://127.0.0.1:9091"\n')
    command = click.Command("collect", params=[click.Option(["--offline"], is_flag=True)])
    with pytest.raises(ConfigError, match="no --pushgateway option"):
        default_map(config, command, frozenset({"fail-on"}))
    assert default_map(config, command, frozenset({"fail-on", "pushgateway"})) == {}


def test_the_schema_lists_the_shared_contract_and_every_key_has_an_option_or_a_table() -> None:
    schema = json.loads((SCHEMAS / "config.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    keys = set(schema["properties"])
    contract = {"inputs", "deployment", "requirements", "offline", "fail-on", "history", "history-keep"}
    contract |= {"baseline", "pushgateway", "outputs", "probe", "bucket", "waiver"}
    assert contract <= keys
    tables = {"inputs", "outputs", "probe", "bucket", "buckets", "waiver"}
    # keys of options other engineers' commands add (drift, metrics, waivers): in the contract already
    pending = {"history", "history-keep", "baseline", "pushgateway", "waivers"}
    options = {o[2:] for c in main.commands.values() for p in c.params for o in getattr(p, "opts", ())}  # type: ignore[attr-defined]
    assert keys - tables - pending <= options, sorted(keys - tables - pending - options)
    probe = set(schema["properties"]["probe"]["properties"])
    assert probe - {"verify-tls"} <= options and "no-verify-tls" in options


def test_every_audit_option_can_be_set_in_the_file() -> None:
    schema = json.loads((SCHEMAS / "config.schema.json").read_text())
    settable = set(schema["properties"]) | set(schema["properties"]["probe"]["properties"])
    # set through tables: --bucket/--bucket-option ([[bucket]]), the extra formats ([outputs]);
    # and what only makes sense on a command line
    from gcready.report import Format

    through_tables = {"bucket", "bucket-option", "also", *(f.value for f in Format)}
    command_line_only = {"config", "no-config", "help", "no-verify-tls", "virtual-style", "no-color"}
    command_line_only |= {"no-environment"}
    options = {o[2:] for p in _audit().params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}
    missing = options - settable - through_tables - command_line_only
    assert not missing, f"options with no config key: {sorted(missing)} (add them to config.schema.json)"


def test_the_schema_and_the_deployment_types_agree() -> None:
    from gcready.model import DeploymentType

    schema = json.loads((SCHEMAS / "config.schema.json").read_text())
    assert schema["properties"]["deployment"]["then"]["enum"] == [t.value for t in DeploymentType]


def test_the_readmes_config_examples_are_valid_config_files(tmp_path: Path) -> None:
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Config file") : readme.index("## What is checked")]
    examples = re.findall(r"```toml\n(.*?)```", section, re.S)
    assert len(examples) == 2
    for number, text in enumerate(examples):
        config = load(toml(tmp_path, text, f"example{number}.toml"))
        defaults = default_map(config, _audit(), EVERYWHERE)
        assert defaults, text
    fleet = load(tmp_path / "example1.toml")
    assert [d["name"] for d in fleet.data["deployment"]] == ["prod", "staging", "lab"]
    messages = re.findall(r"^gcready: (gcready\.toml:\d+: key .*)$", section, re.M)
    assert len(messages) == 3
    shown = [m.replace("'prod'", "'a'") for m in messages]  # the README names its deployment
    assert set(shown) <= {message for _, message in BAD}


def test_the_nightly_job_offline_from_the_config_alone(tmp_path: Path) -> None:
    """``gcready audit``, no argument: inputs, outputs in four formats and the history come from the file."""
    toml(
        tmp_path,
        f'inputs = ["{FAILING}"]\noffline = true\nquiet = true\nhistory = "history"\n'
        '[outputs]\njson = "reports/gcready.json"\nhtml = "reports/gcready.html"\n'
        'sarif = "reports/gcready.sarif"\njunit = "reports/gcready.xml"\n',
    )
    result = invoke("audit")
    assert result.exit_code == 3, result.stderr
    assert result.stdout.startswith("gcready: NOT READY")  # the text report on stdout, as by default
    reports = tmp_path / "reports"
    written = json.loads((reports / "gcready.json").read_text())
    schema = json.loads((SCHEMAS / "report.schema.json").read_text())
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(written))
    assert written["summary"]["checks"]["gc-env-flag"] == "fail"
    assert (reports / "gcready.html").read_text().startswith("<!DOCTYPE html>")
    assert json.loads((reports / "gcready.sarif").read_text())["runs"][0]["results"]
    assert (reports / "gcready.xml").read_text().startswith('<?xml version="1.0"')
    assert len(list((tmp_path / "history").glob("gcready-*.json"))) == 1
