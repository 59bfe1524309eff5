"""The flag's fix goes where the evidence says the server reads it: one test per placement kind.

Each test writes a realistic input, audits it as the CLI does (sources set the placement, the pipeline
attaches the fixes), and checks the fix aims at that file, key path, resource or workload.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from gcready.model import Component, ComponentKind, Finding, Fix, FixKind, Origin, Status
from gcready.model.placement import (
    ComposeService,
    EnvFile,
    HelmValues,
    LegacyChart,
    OperatorV1,
    Placement,
    ProcessEnv,
    TerraformHelmValues,
    TerraformModuleInput,
    WorkloadContainer,
    placement_from_json,
    placement_to_json,
)
from gcready.model.remedy import SetEnv
from gcready.pipeline import Inputs, analyze, gather
from gcready.redact import redaction_scope
from gcready.remediation import fixes_for
from gcready.requirements import load_builtin
from tests.unit.remediation.hclread import load

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"


def flag_finding(*paths: Path, environ: dict[str, str] | None = None) -> Finding:
    with redaction_scope():
        evidence = gather(Inputs(paths=tuple(str(p) for p in paths), environ=environ))
        report = analyze(evidence, load_builtin())
    found = [f for f in report.findings if f.check == "gc-env-flag" and f.status is not Status.PASS]
    assert len(found) == 1, [(f.check, f.status, f.resource) for f in report.findings]
    return found[0]


def of(finding: Finding, kind: FixKind) -> list[Fix]:
    return [f for f in finding.fixes if f.kind is kind]


def merge_patch(command: str) -> tuple[list[str], Any]:
    """The words before ``-p`` and the JSON patch of a printed ``kubectl patch``."""
    words = shlex.split(command)
    return words[: words.index("-p")], json.loads(words[words.index("-p") + 1])


def test_helm_values_file(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "global:\n  cloudProvider: aws\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'false'\n"
    )
    finding = flag_finding(values)
    helm = of(finding, FixKind.HELM)
    assert yaml.safe_load(helm[0].text) == {"global": {"extraEnv": {FLAG: "true"}}}
    (upgrade,) = [f.text for f in of(finding, FixKind.CLI) if f.text.startswith("helm upgrade")]
    assert shlex.split(upgrade)[-2:] == ["--set-string", f"global.extraEnv.{FLAG}=true"]


def test_helm_component_level_value_is_overwritten_at_its_own_layer(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "global:\n  cloudProvider: aws\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\n"
        "app:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'false'\n"
    )
    finding = flag_finding(values)
    assert yaml.safe_load(of(finding, FixKind.HELM)[0].text) == {"app": {"extraEnv": {FLAG: "true"}}}
    assert any(f"--set-string app.extraEnv.{FLAG}=true" in f.text for f in of(finding, FixKind.CLI))


def test_operator_v1_resource(tmp_path: Path) -> None:
    cr = tmp_path / "wandb.yaml"
    cr.write_text(
        "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata:\n  name: wandb-prod\n"
        "  namespace: ml-platform\nspec:\n  values:\n    global:\n      cloudProvider: aws\n"
    )
    finding = flag_finding(cr)
    (patch,) = [f.text for f in of(finding, FixKind.CLI) if f.text.startswith("kubectl patch")]
    words, body = merge_patch(patch)
    assert words[:3] == ["kubectl", "patch", "weightsandbiases.v1.apps.wandb.com"]
    assert words[3:6] == ["wandb-prod", "-n", "ml-platform"]
    assert body == {"spec": {"values": {"global": {"extraEnv": {FLAG: "true"}}}}}
    assert "kubectl edit weightsandbiases wandb-prod -n ml-platform" in of(finding, FixKind.HELM)[0].title


def test_operator_v2_application(tmp_path: Path) -> None:
    cr = tmp_path / "wandb.yaml"
    cr.write_text(
        "apiVersion: apps.wandb.com/v2\nkind: WeightsAndBiases\nmetadata:\n  name: wandb\n  namespace: wandb\n"
        "spec:\n  wandb:\n    version: 0.84.0\n    legacyOverrides:\n      api:\n        env:\n"
        "          - name: GORILLA_ARTIFACT_GC_ENABLED\n            value: 'yes'\n"
    )
    finding = flag_finding(cr)
    (patch,) = [f.text for f in of(finding, FixKind.CLI) if f.text.startswith("kubectl patch")]
    words, body = merge_patch(patch)
    assert words[2:6] == ["weightsandbiases.v2.apps.wandb.com", "wandb", "-n", "wandb"]
    # the application's own layer decides its value: the fix goes there
    assert body == {
        "spec": {"wandb": {"legacyOverrides": {"api": {"env": [{"name": FLAG, "value": "true"}]}}}}
    }
    assert yaml.safe_load(of(finding, FixKind.HELM)[0].text) == body


def test_terraform_module_input(tmp_path: Path) -> None:
    main = tmp_path / "main.tf"
    main.write_text(
        'module "wandb_prod" {\n  source  = "wandb/wandb/aws"\n  version = "7.8.1"\n\n'
        '  other_wandb_env = {\n    GORILLA_ARTIFACT_GC_ENABLED = "false"\n  }\n}\n'
    )
    finding = flag_finding(tmp_path)
    (fix,) = finding.fixes
    assert fix.kind is FixKind.TERRAFORM
    assert load(fix.text) == {"module": [{"wandb_prod": {"other_wandb_env": {FLAG: "true"}}}]}
    assert f"# ... ({main}:1)" in fix.text


def test_terraform_helm_module_values(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "wandb_app" {\n  source  = "wandb/wandb/helm"\n  version = "3.0.0"\n\n'
        '  spec = {\n    values = {\n      global = {\n        cloudProvider = "gcp"\n'
        '        extraEnv = {\n          GORILLA_DISABLE_CODE_SAVING = "true"\n        }\n      }\n    }\n  }\n}\n'
    )
    finding = flag_finding(tmp_path)
    call, tfvars = of(finding, FixKind.TERRAFORM)
    assert load(call.text) == {
        "module": [{"wandb_app": {"spec": {"values": {"global": {"extraEnv": {FLAG: "true"}}}}}}]
    }
    assert load(tfvars.text) == {"other_wandb_env": {FLAG: "true"}}


def test_compose_service(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n  wandb-server:\n    image: wandb/local:0.62.2\n    environment:\n"
        "      GORILLA_ARTIFACT_GC_ENABLED: 'false'\n      BUCKET: s3://wandb-files\n"
    )
    edit, command = flag_finding(compose).fixes
    assert edit.kind is FixKind.YAML and str(compose) in edit.title
    assert yaml.safe_load(edit.text) == {"services": {"wandb-server": {"environment": {FLAG: "true"}}}}
    assert "replace the entry GORILLA_ARTIFACT_GC_ENABLED at line 5" in edit.title
    assert (command.kind, command.text) == (FixKind.CLI, "docker compose up -d wandb-server")


def test_workload_container(tmp_path: Path) -> None:
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wandb-app\n  namespace: wandb\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: wandb\n          image: wandb/local:0.62.2\n"
        "          env:\n            - name: BUCKET\n              value: s3://wandb-files\n"
    )
    finding = flag_finding(manifest)
    live = finding.fixes[0]
    assert shlex.split(live.text) == [
        "kubectl", "set", "env", "deployment/wandb-app", "-n", "wandb", "-c", "wandb", f"{FLAG}=true"
    ]  # fmt: skip
    assert "also fix the source" in live.title


def test_a_bare_pod_gets_no_live_command() -> None:
    pod = Component(
        "Pod/wandb container wandb",
        ComponentKind.K8S_CONTAINER,
        Origin("pod.yaml", 1),
        placement=WorkloadContainer("Pod", "wandb", "wandb"),
    )
    assert not any(f.text.startswith("kubectl set env") for f in fixes_for(SetEnv(FLAG, "true", pod)))


def test_legacy_chart_values(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "image:\n  repository: wandb/local\nbucket: s3://wandb-files\nhost: https://wandb.acme.lan\n"
        "extraEnv:\n  - name: GORILLA_ARTIFACTS_GC_BATCH_SIZE\n    value: '1000'\n"
    )
    finding = flag_finding(values)
    (fix,) = finding.fixes
    # a values file replaces the list whole: the entry already there is kept
    assert yaml.safe_load(fix.text) == {
        "extraEnv": [
            {"name": "GORILLA_ARTIFACTS_GC_BATCH_SIZE", "value": "1000"},
            {"name": FLAG, "value": "true"},
        ]
    }
    assert str(values) in fix.title and "with the 1 entry already there" in fix.title


def test_legacy_chart_list_with_a_secret_is_edited_in_place(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "image:\n  repository: wandb/local\nbucket: s3://wandb-files\nhost: https://wandb.acme.lan\n"
        "extraEnv:\n  - name: MYSQL_PASSWORD\n    value: 'Zq8v-not-printed'\n"
        f"  - name: {FLAG}\n    value: 'false'\n"
    )
    (fix,) = flag_finding(values).fixes
    assert "Zq8v-not-printed" not in fix.text + fix.title
    assert yaml.safe_load(fix.text) == {"extraEnv": [{"name": FLAG, "value": "true"}]}
    assert f"replace the entry {FLAG} at line 8 of its extraEnv list, keeping the other entries" in fix.title


def test_env_file(tmp_path: Path) -> None:
    env = tmp_path / "wandb.env"
    env.write_text("BUCKET=s3://wandb-files\nGORILLA_ARTIFACT_GC_ENABLED=false\n")
    finding = flag_finding(env)
    line = finding.fixes[0]
    assert (line.kind, line.text) == (FixKind.CLI, f"{FLAG}=true")
    assert f"add this line to {env}" in line.title


def test_process_environment() -> None:
    finding = flag_finding(environ={"GORILLA_ARTIFACT_GC_ENABLED": "yes", "BUCKET": "s3://wandb-files"})
    assert finding.fixes[0].text == f"{FLAG}=true"
    assert "environment" in finding.fixes[0].title


def test_no_placement_gets_every_usual_way() -> None:
    kinds = [f.kind for f in fixes_for(SetEnv(FLAG, "true"))]
    assert kinds == [FixKind.HELM, FixKind.CLI, FixKind.HELM, FixKind.TERRAFORM]


PLACEMENTS: list[Placement] = [
    HelmValues("values.yaml", "app"),
    OperatorV1("wandb", "ns", "cr.yaml", "api"),
    TerraformModuleInput("wandb", "main.tf", 12),
    TerraformModuleInput("wandb", "plan.json"),
    TerraformHelmValues("wandb", "main.tf", "app"),
    ComposeService("docker-compose.yml", "wandb"),
    WorkloadContainer("Deployment", "wandb-app", "wandb", "wandb", "k.yaml"),
    LegacyChart("values.yaml"),
    LegacyChart("values.yaml", ('{"name":"A","value":"1"}', None)),
    EnvFile("wandb.env"),
    ProcessEnv(),
]


@pytest.mark.parametrize("placement", PLACEMENTS, ids=lambda p: type(p).__name__)
def test_a_bundle_keeps_the_placement(placement: Placement) -> None:
    assert placement_from_json(json.loads(json.dumps(placement_to_json(placement)))) == placement


@pytest.mark.parametrize(
    "data",
    [
        None,
        "x",
        {},
        {"kind": "nope"},
        {"kind": "helm-values", "fields": {"file": "v.yaml"}},
        {"kind": "env-file", "fields": []},
    ],
)
def test_a_bundle_placement_gcready_cannot_read_is_none(data: object) -> None:
    assert placement_from_json(data) is None


def test_fixes_are_the_same_after_collect_then_audit_bundle(tmp_path: Path) -> None:
    from gcready.sources import bundle

    cr = tmp_path / "wandb.yaml"
    cr.write_text(
        "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata:\n  name: wandb-prod\n"
        "  namespace: ml-platform\nspec:\n  values:\n    global:\n      cloudProvider: aws\n"
    )
    direct = flag_finding(cr)
    with redaction_scope():
        evidence = gather(Inputs(paths=(str(cr),)))
        text = bundle.dumps(evidence, "2026-12-01T00:00:00Z")
    saved = tmp_path / "bundle" / "gcready-bundle.json"
    saved.parent.mkdir()
    saved.write_text(text)
    assert json.loads(text)["components"][0]["placement"]["kind"] == "operator-v1"
    assert flag_finding(saved.parent).fixes == direct.fixes


def test_the_bundle_schema_accepts_every_placement() -> None:
    import jsonschema

    from gcready.schemas_access import load_schema

    schema = load_schema("bundle.schema.json")
    component = {"$ref": "#/$defs/component", "$defs": schema["$defs"]}
    for placement in PLACEMENTS:
        jsonschema.validate(
            {"name": "app", "kind": "helm-component", "env": [], "placement": placement_to_json(placement)},
            component,
        )


@pytest.mark.parametrize(
    ("kind", "path", "expected"),
    [
        (ComponentKind.DOTENV, None, EnvFile("wandb.env")),
        (ComponentKind.PROCESS_ENV, None, ProcessEnv()),
        (ComponentKind.HELM_LEGACY, None, LegacyChart("wandb.env")),
        (ComponentKind.HELM_COMPONENT, "app", HelmValues("wandb.env", "app")),
        (ComponentKind.HELM_COMPONENT, "spec.values.app", None),  # which resource: not recorded
        (ComponentKind.COMPOSE_SERVICE, "services.wandb", ComposeService("wandb.env", "wandb")),
        (ComponentKind.K8S_CONTAINER, "containers[0]", None),
        (ComponentKind.TERRAFORM_MODULE, "module.wandb", None),
    ],
)
def test_a_bundle_from_before_placements_aims_where_its_origin_is_certain(
    kind: ComponentKind, path: str | None, expected: Placement | None
) -> None:
    from gcready.sources import bundle

    document = {
        "format": bundle.FORMAT,
        "version": bundle.VERSION,
        "components": [
            {
                "name": "c",
                "kind": kind.value,
                "env": [],
                "origin": {"source": "wandb.env", "line": 1, "path": path},
            }
        ],
    }
    (read,) = bundle.read("old-bundle.json", json.dumps(document)).components
    assert read.placement == expected
