"""Hostile names and values through every fix: nothing crashes, and what a fix says is what it does.

HCL is read back with python-hcl2, YAML with ``yaml.safe_load``, and shell commands are run by bash
with the tools (aws, gcloud, mc, az, kubectl, helm, docker) replaced by a function that prints its
arguments: each command must hand the tool exactly the name gcready found.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gcready.model import BucketRef, Component, ComponentKind, EnvValue, Fix, FixKind, Origin, Provider
from gcready.model.placement import (
    ComposeService,
    HelmValues,
    LegacyChart,
    OperatorV1,
    TerraformHelmValues,
    TerraformModuleInput,
    WorkloadContainer,
)
from gcready.model.remedy import (
    ClearAzureImmutability,
    ClearObjectLock,
    DeletePreviousVersions,
    DisableMfaDelete,
    EnableVersioning,
    ExpireNoncurrent,
    Remedy,
    RemoveGcsRetention,
    SetEnv,
    ShortenGcsSoftDelete,
)
from gcready.remediation import fixes_for
from gcready.remediation.render import yaml as yaml_writer
from tests.unit.remediation.hclread import load

HOSTILE = [
    "wandb-{prod}",
    "}{",
    'quo"te',
    "it's",
    "${var.bucket}",
    "%{ if x }",
    "back\\slash",
    "new\nline",
    "ünïcödé-桶",
    "$(touch pwned)",
    "`id`",
    "a; rm -rf /",
    "--flag-like",
]
HERE = Origin("values.yaml", 3)
TOOLS = ("aws", "gcloud", "mc", "az", "kubectl", "helm", "docker")


def buckets(name: str) -> list[BucketRef]:
    return [
        BucketRef(Provider.AWS, name, HERE, f"s3://{name}", region="eu-west-3", path=f"{name}/"),
        BucketRef(
            Provider.S3_COMPATIBLE, name, HERE, "s3://m", endpoint="minio.lab:9000", tls=False, path=name
        ),
        BucketRef(Provider.COREWEAVE, name, HERE, "cw://x"),
        BucketRef(Provider.GCP, name, HERE, f"gs://{name}", region="us", path=name),
        BucketRef(Provider.AZURE, name, HERE, "az://a/x", account=name, path=name),
    ]


def terraform_buckets(name: str) -> list[BucketRef]:
    own = [replace(b, tf_address=f"aws_s3_bucket.{name}", tf_file=f"{name}.tf") for b in buckets(name)]
    published = [
        replace(b, tf_address="module.wandb", tf_file=name, tf_published=True, name_known=False)
        for b in buckets(name)
    ]
    return own + published


def remedies(bucket: BucketRef) -> list[Remedy]:
    return [
        EnableVersioning(bucket),
        ExpireNoncurrent(bucket),
        ExpireNoncurrent(bucket, other_rules=2),
        DeletePreviousVersions(bucket),
        ClearObjectLock(bucket, "GOVERNANCE"),
        ClearObjectLock(bucket, "COMPLIANCE"),
        DisableMfaDelete(bucket),
        RemoveGcsRetention(bucket, locked=False),
        RemoveGcsRetention(bucket, locked=True),
        ShortenGcsSoftDelete(bucket),
        ClearAzureImmutability(bucket, policy=True, hold=True),
    ]


def run_shell(script: str, cwd: Path) -> list[list[str]]:
    """Each tool call the script makes, as its argument list."""
    fake = "".join(f'{tool}() {{ printf "%s\\0" {tool} "$@"; printf "\\n\\0"; }}\n' for tool in TOOLS)
    run = subprocess.run(
        ["bash", "-c", f"{fake}set -eu\n{script}"],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=30,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )
    assert run.returncode == 0, (script, run.stderr)
    calls: list[list[str]] = []
    current: list[str] = []
    for word in run.stdout.split("\0")[:-1]:
        if word == "\n":
            calls.append(current)
            current = []
        else:
            current.append(word)
    return calls


def terraform_values(fixes: tuple[Fix, ...]) -> list[dict[str, Any]]:
    return [load(f.text) for f in fixes if f.kind is FixKind.TERRAFORM]


@pytest.mark.parametrize("name", HOSTILE)
def test_every_bucket_fix_is_valid_hcl_and_valid_shell_with_a_hostile_name(name: str, tmp_path: Path) -> None:
    commands: list[str] = []
    for bucket in [*buckets(name), *terraform_buckets(name)]:
        for remedy in remedies(bucket):
            fixes = fixes_for(remedy)
            assert fixes, remedy
            terraform_values(fixes)  # parses, and no `${` was left for Terraform to evaluate
            commands += [f.text for f in fixes if f.kind is FixKind.CLI]
    # one shell for all of them (each in its own subshell), then the heredoc documents it wrote
    calls = run_shell("\n".join(f"(\n{c}\n)" for c in commands), tmp_path)
    assert calls and all(call[0] in TOOLS for call in calls)
    for written in tmp_path.glob("*.json"):
        json.loads(written.read_text())


@pytest.mark.parametrize("name", HOSTILE)
def test_the_aws_versioning_fix_names_exactly_that_bucket(name: str, tmp_path: Path) -> None:
    bucket = buckets(name)[0]
    fixes = fixes_for(EnableVersioning(bucket))
    (call,) = run_shell(fixes[0].text, tmp_path)
    assert call[call.index("--bucket") + 1] == name
    (resource,) = terraform_values(fixes)
    assert resource["resource"][0]["aws_s3_bucket_versioning"]["wandb"]["bucket"] == name


@pytest.mark.parametrize("name", HOSTILE)
def test_the_gcs_and_minio_commands_name_exactly_that_bucket(name: str, tmp_path: Path) -> None:
    gcs = buckets(name)[3]
    (call,) = run_shell(fixes_for(EnableVersioning(gcs))[0].text, tmp_path)
    assert call == ["gcloud", "storage", "buckets", "update", f"gs://{name}", "--versioning"]
    (resource,) = terraform_values(fixes_for(EnableVersioning(gcs)))
    assert resource["resource"][0]["google_storage_bucket"]["wandb"]["name"] == name
    minio = buckets(name)[1]
    _alias, enable = run_shell(fixes_for(EnableVersioning(minio))[0].text, tmp_path)
    assert enable == ["mc", "version", "enable", f"wandb/{name}"]
    _, *rules = run_shell(fixes_for(ExpireNoncurrent(minio))[1].text, tmp_path)
    prefix = f"{name.strip('/')}/"  # the bucket URL's path, as W&B writes keys under it
    assert all(rule[-1] == f"wandb/{name}" and rule[rule.index("--prefix") + 1] == prefix for rule in rules)


@pytest.mark.parametrize("name", HOSTILE)
def test_the_lifecycle_document_keeps_the_prefix(name: str, tmp_path: Path) -> None:
    bucket = buckets(name)[0]
    cli, terraform, _console = fixes_for(ExpireNoncurrent(bucket))
    (call,) = run_shell(cli.text, tmp_path)
    document = json.loads(call[call.index("--lifecycle-configuration") + 1])
    prefix = f"{name.strip('/')}/"
    assert document["Rules"][0]["Filter"]["Prefix"] == prefix
    rule = load(terraform.text)["resource"][0]["aws_s3_bucket_lifecycle_configuration"]["wandb"]["rule"][0]
    assert rule["filter"][0]["prefix"] == prefix


@pytest.mark.parametrize("name", HOSTILE)
def test_a_terraform_address_no_reference_can_spell_is_never_written_as_one(name: str) -> None:
    own = terraform_buckets(name)[0]
    (resource,) = terraform_values(fixes_for(EnableVersioning(own)))
    bucket = resource["resource"][0]["aws_s3_bucket_versioning"]
    (label,) = bucket
    # a valid address is a reference (read back as an interpolation); anything else is a plain string
    assert bucket[label]["bucket"] in (name, f"${{aws_s3_bucket.{name}.id}}")


def component(placement: Any, value_path: str = "") -> Component:
    env = (
        (EnvValue("GORILLA_ARTIFACT_GC_ENABLED", "false", Origin("v.yaml", 2, value_path)),)
        if value_path
        else ()
    )
    return Component("app", ComponentKind.HELM_COMPONENT, Origin("v.yaml", 1), env=env, placement=placement)


@pytest.mark.parametrize("text", HOSTILE)
def test_env_values_and_key_paths_read_back_from_yaml_hcl_and_the_shell(text: str, tmp_path: Path) -> None:
    var = "GORILLA_ARTIFACT_GC_ENABLED"
    # a value as the requirements file could state it
    helm, upgrade, cr, module = fixes_for(SetEnv(var, text))
    assert yaml.safe_load(helm.text) == {"global": {"extraEnv": {var: text}}}
    assert yaml.safe_load(cr.text) == {"spec": {"values": {"global": {"extraEnv": {var: text}}}}}
    assert load(module.text) == {"module": [{"wandb": {"other_wandb_env": {var: text}}}]}
    (call,) = run_shell(upgrade.text, tmp_path)
    assert call[-1] == f"global.extraEnv.{var}={text}"
    # a component section, a resource, a module, a service, a workload named with it
    own = fixes_for(SetEnv(var, "true", component(HelmValues(text, text)), own_layer=True))
    assert yaml.safe_load(own[1].text) == {text: {"extraEnv": {var: "true"}}}
    v1 = fixes_for(SetEnv(var, "true", component(OperatorV1(text, text, text, "app"))))
    (patch,) = run_shell(v1[0].text, tmp_path)
    assert patch[3] == text and patch[patch.index("-n") + 1] == text
    assert json.loads(patch[-1]) == {"spec": {"values": {"global": {"extraEnv": {var: "true"}}}}}
    (tf,) = fixes_for(SetEnv(var, "true", component(TerraformModuleInput(text, text, 3))))
    assert load(tf.text) == {"module": [{text: {"other_wandb_env": {var: "true"}}}]}
    call_fix, _tfvars = fixes_for(SetEnv(var, "true", component(TerraformHelmValues(text, text, "app"))))
    assert load(call_fix.text)["module"][0][text]["spec"]["values"]["global"]["extraEnv"] == {var: "true"}
    for form, entry in (("map", {var: "true"}), ("list", [f"{var}=true"])):
        compose, command = fixes_for(SetEnv(var, "true", component(ComposeService(text, text, form))))
        assert yaml.safe_load(compose.text) == {"services": {text: {"environment": entry}}}
    (up,) = run_shell(command.text, tmp_path)
    assert up == ["docker", "compose", "up", "-d", text]
    live = fixes_for(SetEnv(var, "true", component(WorkloadContainer("Deployment", text, text, text))))[0]
    (set_env,) = run_shell(live.text, tmp_path)
    assert set_env == ["kubectl", "set", "env", f"deployment/{text}", "-n", text, "-c", text, f"{var}=true"]
    (legacy,) = fixes_for(SetEnv(var, text, component(LegacyChart(text))))
    assert yaml.safe_load(legacy.text) == {"extraEnv": [{"name": var, "value": text}]}


@pytest.mark.parametrize(
    "text",
    [*HOSTILE, "true", "1", "null", "", "yes", " lead", "a: b", "- x", "#", "\x85", "\u2028", "\t", "\x00"],
)
def test_yaml_values_read_back_as_the_same_string(text: str) -> None:
    assert yaml.safe_load(yaml_writer.dump({text: {"k": text, "l": [text]}})) == {
        text: {"k": text, "l": [text]}
    }


def test_yaml_is_block_style_in_insertion_order_with_quoted_booleans() -> None:
    data = {"spec": {"wandb": {"b": [{"name": "X", "value": "true"}], "a": "plain"}}}
    assert yaml_writer.dump(data) == (
        'spec:\n  wandb:\n    b:\n      - name: X\n        value: "true"\n    a: plain'
    )


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=30), st.text(min_size=1, max_size=20))
def test_any_bucket_name_and_value_read_back_from_the_fixes(name: str, value: str) -> None:
    aws, _minio, _cw, gcs, azure = buckets(name)
    (versioning,) = terraform_values(fixes_for(EnableVersioning(aws)))
    assert versioning["resource"][0]["aws_s3_bucket_versioning"]["wandb"]["bucket"] == name
    (gcs_bucket,) = terraform_values(fixes_for(EnableVersioning(gcs)))
    assert gcs_bucket["resource"][0]["google_storage_bucket"]["wandb"]["name"] == name
    (policy,) = terraform_values(fixes_for(DeletePreviousVersions(azure)))
    rule = policy["resource"][0]["azurerm_storage_management_policy"]["wandb"]["rule"][0]
    assert rule["filters"][0]["prefix_match"] == [
        f"{name}/{name.strip('/')}/" if name.strip("/") else f"{name}/"
    ]
    helm = fixes_for(SetEnv("GORILLA_ARTIFACT_GC_ENABLED", value))[0]
    assert yaml.safe_load(helm.text) == {"global": {"extraEnv": {"GORILLA_ARTIFACT_GC_ENABLED": value}}}
