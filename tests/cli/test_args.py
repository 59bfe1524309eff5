"""The typed argument objects: every click parameter lands in one of them, as a typed value, whether it
came from the command line or a config file's ``default_map``; and the CLI package needs no type: ignore."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gcready.cli import main
from gcready.cli.args import BundleArgs, FailOn, InputArgs, OutputArgs, ProbeArgs, shorthand_dest
from gcready.cli.configured import ConfigArgs
from gcready.cli.drift_options import DriftRequest
from gcready.cli.param_types import BucketKey, BucketOption
from gcready.cli.push import PushRequest
from gcready.cli.waive import WaiverArgs
from gcready.model import DeploymentType, SourceKind
from gcready.probes.options import BucketOverride
from gcready.report import Format
from gcready.sources.envfile import Dialect
from tests.conftest import REPO

GROUPS = {
    "audit": (InputArgs, ProbeArgs, OutputArgs, DriftRequest, WaiverArgs, PushRequest),
    "diagnose": (InputArgs, ProbeArgs, OutputArgs, DriftRequest, WaiverArgs, PushRequest),
    "collect": (InputArgs, ProbeArgs, BundleArgs),
}


def parse(command: str, args: list[str], **extra: object) -> dict[str, object]:
    cmd = main.commands[command]  # type: ignore[attr-defined]
    return dict(cmd.make_context(command, args, **extra).params)


def _read_by(group: type) -> set[str]:
    names = {f.name for f in dataclasses.fields(group)}
    if group is OutputArgs:  # the shorthands and --also become its extras
        names = (names - {"extras"}) | {shorthand_dest(f) for f in Format} | {"also"}
    if group is DriftRequest:  # the baseline is read into the request; the history options keep their names
        names = {"baseline", "history_dir", "history_keep"}
    return names


@pytest.mark.parametrize("command", sorted(GROUPS))
def test_every_parameter_is_read_by_exactly_one_group(command: str) -> None:
    params = {p.name for p in main.commands[command].params if p.name != "help"}  # type: ignore[attr-defined]
    read = [_read_by(group) for group in GROUPS[command]]
    read.append({f.name for f in dataclasses.fields(ConfigArgs)} & params)  # the config file's options
    assert set().union(*read) == params
    assert sum(len(r) for r in read) == len(params)  # no parameter is read twice


def test_values_arrive_typed() -> None:
    args = "a.yaml --kind a.yaml=helm-values --deployment customer-managed-onprem --env-file-dialect systemd"
    args += " --format sarif --fail-on warn --timeout 2.5 --retries 0 --requirements reqs.toml --no-color"
    params = parse("audit", args.split())
    inputs, probes, out, *_ = (g.from_params(params) for g in GROUPS["audit"])
    assert inputs == InputArgs(
        paths=("a.yaml",),
        kinds=(("a.yaml", SourceKind.HELM_VALUES),),
        env_file_dialects=((None, Dialect.SYSTEMD),),
        deployment=DeploymentType.CUSTOMER_MANAGED_ONPREM,
        requirements_file=Path("reqs.toml"),
    )
    assert isinstance(inputs.deployment, DeploymentType)
    assert probes == ProbeArgs(timeout=2.5, retries=0)
    assert out == OutputArgs(fmt=Format.SARIF, fail_on=FailOn.WARN, color=False)
    assert isinstance(out.fmt, Format) and out.fail_on_warn


def test_defaults_are_typed_too() -> None:
    inputs, probes, out, *_ = (g.from_params(parse("audit", [])) for g in GROUPS["audit"])
    assert (inputs, probes, out) == (InputArgs(), ProbeArgs(), OutputArgs())
    assert out.fmt is Format.TEXT and out.fail_on is FailOn.FAIL


def test_a_config_files_default_map_is_converted_like_the_command_line() -> None:
    defaults = {"fmt": "json", "timeout": "4", "deployment": "shared-cloud-ssc", "json_out": "r.json"}
    params = parse("audit", [], default_map=defaults)
    out, probes = OutputArgs.from_params(params), ProbeArgs.from_params(params)
    assert out.fmt is Format.JSON and probes.timeout == 4.0
    assert InputArgs.from_params(params).deployment is DeploymentType.SHARED_CLOUD_SSC
    assert [(e.fmt, e.path) for e in out.extras] == [(Format.JSON, "r.json")]


def test_bucket_options_become_one_override_per_bucket_the_last_value_winning() -> None:
    args = "--bucket-option files:region=eu-west-1 --bucket-option files:verify-tls=false"
    args += " --bucket-option az://acct/c:endpoint-url=http://127.0.0.1:10000/acct"
    args += " --bucket-option files:region=us-east-2 --no-verify-tls --endpoint-url http://e"
    params = parse("audit", args.split())
    probes = ProbeArgs.from_params(params)
    assert probes.bucket_options[0] == BucketOption("files", BucketKey.REGION, "eu-west-1")
    options = probes.options()
    assert options.verify_tls is False and options.endpoint_url == "http://e"
    assert dict(options.overrides) == {
        "files": BucketOverride(region="us-east-2", verify_tls=False),
        "az://acct/c": BucketOverride(endpoint_url="http://127.0.0.1:10000/acct"),
    }


def test_inputs_add_server_manifests_and_read_the_environment_only_when_asked() -> None:
    environ = {"WANDB_BASE_URL": "https://api.wandb.ai"}
    args = InputArgs(paths=("cr.yaml",), server_manifests=("manifest.yaml",), buckets=("s3://b",))
    inputs = args.inputs(environ)
    assert inputs.paths == ("cr.yaml", "manifest.yaml")
    assert inputs.kinds == {"manifest.yaml": SourceKind.SERVER_MANIFEST}
    assert inputs.environ is None and inputs.buckets == ("s3://b",)
    named_twice = dataclasses.replace(args, paths=("cr.yaml", "manifest.yaml")).inputs(environ)
    assert named_twice.paths == ("cr.yaml", "manifest.yaml")
    assert InputArgs().inputs(environ).environ == environ  # no paths: the environment is the input
    assert dataclasses.replace(args, environment=True).inputs(environ).environ == environ
    assert InputArgs(environment=False).inputs(environ).environ is None


def test_the_cli_package_needs_no_type_ignore() -> None:
    sources = sorted((REPO / "src" / "gcready" / "cli").glob("*.py"))
    assert len(sources) >= 6
    ignored = [
        f"{p.name}:{n}"
        for p in sources
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if "type: ignore" in line
    ]
    assert ignored == []


def test_commands_take_argument_objects_not_keyword_soup() -> None:
    for name in GROUPS:
        callback = main.commands[name].callback  # type: ignore[attr-defined]
        wrapped = callback.__wrapped__
        annotations = list(wrapped.__annotations__.values())
        expected = [g.__name__ for g in GROUPS[name]] + ["ConfigArgs"]  # the config file's own group last
        assert annotations[:-1] == expected, name  # `from __future__` strings
