"""How to set a server variable (the GC flag), aimed at where the evidence says the server reads it.

The component's typed placement (set by the source that read it) decides the fix: a ``match`` over
the placement kinds, nothing decoded from display names. YAML is written by PyYAML, HCL by the HCL
writer, shell words are quoted.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from gcready.model import Component, Fix, FixKind, OperatorPlacement
from gcready.model.placement import (
    ComposeService,
    EnvFile,
    HelmValues,
    LegacyChart,
    OperatorV1,
    ProcessEnv,
    TerraformHelmValues,
    TerraformModuleInput,
    WorkloadContainer,
)
from gcready.model.remedy import SetEnv
from gcready.remediation.operator import operator_v2_fixes
from gcready.remediation.render import hcl, yaml
from gcready.remediation.render.hcl import Attr, Block, Comment

V1_RESOURCE = "weightsandbiases.v1.apps.wandb.com"
_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})


def q(text: str) -> str:
    """One shell word."""
    return shlex.quote(text)


def _nested(path: list[str], leaf: dict[str, Any]) -> dict[str, Any]:
    """``{"a": {"b": leaf}}`` for the key path ``["a", "b"]``."""
    out: dict[str, Any] = leaf
    for part in reversed(path):
        out = {part: out}
    return out


def _ns(namespace: str) -> str:
    return f" -n {q(namespace)}" if namespace else ""


# ----------------------------------------------------------------------------------- the usual ways


def helm_values(var: str, value: str) -> Fix:
    """The operator-wandb values that set ``var`` for every component (``global.extraEnv``)."""
    return Fix(
        FixKind.HELM,
        yaml.dump(_nested(["global", "extraEnv"], {var: value})),
        "Helm values of the operator-wandb chart (then helm upgrade)",
    )


def helm_upgrade(var: str, value: str, key_path: str = "global.extraEnv", title: str = "") -> Fix:
    """``helm upgrade --reuse-values --set-string KEY_PATH.VAR=VALUE`` for a release of the chart."""
    return Fix(
        FixKind.CLI,
        f"helm upgrade wandb wandb/operator-wandb --reuse-values --set-string {q(f'{key_path}.{var}={value}')}",
        title or "a release installed with the operator-wandb chart",
    )


def operator_resource(var: str, value: str, title: str = "") -> Fix:
    """The W&B operator resource (v1) that sets ``var``: its ``spec.values.global.extraEnv``."""
    return Fix(
        FixKind.HELM,
        yaml.dump(_nested(["spec", "values", "global", "extraEnv"], {var: value})),
        title or "W&B operator resource (kubectl edit weightsandbiases wandb)",
    )


def terraform_module(var: str, value: str, module: str = "wandb", where: str = "", title: str = "") -> Fix:
    """A W&B cloud module call with ``var`` in its ``other_wandb_env`` input."""
    call = Block(
        "module",
        (module,),
        (Comment(f"... ({where})" if where else "..."), Attr("other_wandb_env", {var: value})),
    )
    return Fix(
        FixKind.TERRAFORM,
        hcl.render(call),
        title or "W&B's Terraform modules (wandb/wandb/aws, google, azurerm)",
    )


def _generic(var: str, value: str) -> tuple[Fix, ...]:
    return (
        helm_values(var, value),
        helm_upgrade(var, value),
        operator_resource(var, value),
        terraform_module(var, value),
    )


def _v1_patch(var: str, value: str, placement: OperatorV1, key_path: list[str], title: str) -> Fix:
    patch = _nested(key_path, {var: value})
    return Fix(
        FixKind.CLI,
        f"kubectl patch {V1_RESOURCE} {q(placement.resource)}{_ns(placement.namespace)} --type merge "
        f"-p {q(json.dumps(patch, separators=(',', ':')))}",
        title + ("" if placement.namespace else " (add -n NAMESPACE)"),
    )


# ------------------------------------------------------------------------------------- by placement


def env_var_fixes(var: str, value: str, component: Component | None) -> tuple[Fix, ...]:
    """How to set ``var``, for the kind of configuration the evidence came from (every way when unknown)."""
    placement = None if component is None else (component.placement or component.operator)
    match placement:
        case OperatorPlacement():
            assert component is not None
            return operator_v2_fixes(var, value, component, placement)
        case OperatorV1(resource=resource, namespace=namespace):
            patch = _v1_patch(
                var, value, placement, ["spec", "values", "global", "extraEnv"], "the live operator resource"
            )
            edit = f"W&B operator resource (kubectl edit weightsandbiases {resource}{_ns(namespace)})"
            return (
                patch,
                operator_resource(var, value, edit),
                helm_values(var, value),
                terraform_module(var, value),
            )
        case TerraformModuleInput(module=module, file=file, line=line):
            where = file if line is None else f"{file}:{line}"
            title = "the W&B module call (merge with the variables already there), then terraform apply"
            return (terraform_module(var, value, module, where, title),)
        case TerraformHelmValues(module=module, file=file):
            values = {"values": {"global": {"extraEnv": {var: value}}}}
            call = Block("module", (module,), (Comment(f"... ({file})"), Attr("spec", values)))
            tfvars = hcl.render(Attr("other_wandb_env", {var: value}))
            return (
                Fix(
                    FixKind.TERRAFORM,
                    hcl.render(call),
                    "the wandb/wandb/helm module call: add the entry to spec.values.global.extraEnv (merge with "
                    "what is there), then terraform apply",
                ),
                Fix(
                    FixKind.TERRAFORM,
                    tfvars,
                    "terraform.tfvars, when spec.values.global.extraEnv is the other_wandb_env variable (as in "
                    "W&B's cloud modules)",
                ),
            )
        case ComposeService(file=file, service=service):
            text = (
                f"# {hcl.comment_line(file)}: services.{hcl.comment_line(service)}.environment\n"
                f"{yaml.dump({var: value})}\n# then recreate the service:\ndocker compose up -d {q(service)}"
            )
            return (Fix(FixKind.CLI, text, "docker-compose"),)
        case LegacyChart(file=file):
            return (
                Fix(
                    FixKind.HELM,
                    yaml.dump({"extraEnv": [{"name": var, "value": value}]}),
                    f"values of the legacy wandb chart ({file}), then helm upgrade",
                ),
            )
        case WorkloadContainer(kind=kind, name=name, container=container, namespace=namespace):
            live: tuple[Fix, ...] = ()
            if kind in _WORKLOADS:
                live = (
                    Fix(
                        FixKind.CLI,
                        f"kubectl set env {q(f'{kind.lower()}/{name}')}{_ns(namespace)} -c {q(container)} "
                        f"{q(f'{var}={value}')}",
                        "live workload (lasts until the operator or Helm renders it again: also fix the source)"
                        + ("" if namespace else "; add -n NAMESPACE if it is not the current one"),
                    ),
                )
            return (*live, *_generic(var, value))
        case EnvFile(file=file):
            assignment = Fix(
                FixKind.CLI, f"{var}={value}", f"add this line to {file} and restart the W&B server"
            )
            return (assignment, helm_values(var, value))
        case ProcessEnv():
            assignment = Fix(
                FixKind.CLI, f"{var}={value}", "add this line to environment and restart the W&B server"
            )
            return (assignment, helm_values(var, value))
        case HelmValues() | None:
            return _generic(var, value)


def _own_layer(var: str, component: Component, base: list[str]) -> list[str]:
    """The key path the component's value must be set at: where its current value comes from when that
    is the component's own ``env``/``extraEnv`` (a global value loses to it), else its ``extraEnv``."""
    current = component.get(var)
    path = current.origin.path if current is not None else None
    if path and path.endswith(f".{var}"):
        found = path[: -len(var) - 1].split(".")
        while found and found[0].startswith("items["):  # the kubectl List the resource came in
            found = found[1:]
        if "global" not in found and found[: len(base)] == base:
            return found
    return [*base, "extraEnv"]


def component_flag_fixes(var: str, value: str, component: Component) -> tuple[Fix, ...]:
    """Set ``var`` where the component reads it, so it wins over what it has now.

    A global value loses to a component's own ``extraEnv`` / ``env`` (chart precedence), so for a Helm
    component the flag is set at the component's level, or where its current value comes from.
    """
    placement = component.placement
    if not isinstance(placement, HelmValues | OperatorV1):
        return env_var_fixes(var, value, component)
    prefix = ["spec", "values"] if isinstance(placement, OperatorV1) else []
    key_path = _own_layer(var, component, [*prefix, placement.component])
    dotted = ".".join(key_path)
    fixes: list[Fix] = []
    if isinstance(placement, OperatorV1):
        fixes.append(
            _v1_patch(
                var,
                value,
                placement,
                key_path,
                f"the live operator resource: set {var} at {dotted} for {component.name}",
            )
        )
        fixes.append(
            Fix(
                FixKind.HELM,
                yaml.dump(_nested(key_path, {var: value})),
                f"W&B operator resource {placement.resource}",
            )
        )
    else:
        title = f"a release installed with the operator-wandb chart: set {var} at {dotted}"
        fixes.append(helm_upgrade(var, value, dotted, title))
        fixes.append(
            Fix(
                FixKind.HELM,
                yaml.dump(_nested(key_path, {var: value})),
                "Helm values of the operator-wandb chart (then helm upgrade)",
            )
        )
    for fix in env_var_fixes(var, value, component):
        if fix.kind is FixKind.TERRAFORM:
            fixes.append(
                Fix(
                    fix.kind,
                    fix.text,
                    f"{fix.title}: this sets global.extraEnv, which {dotted} overrides; remove the "
                    "component-level value too",
                )
            )
    return tuple(fixes)


def set_env_fixes(remedy: SetEnv) -> tuple[Fix, ...]:
    """The fixes for a :class:`~gcready.model.remedy.SetEnv` remedy."""
    if remedy.own_layer and remedy.component is not None:
        return component_flag_fixes(remedy.var, remedy.value, remedy.component)
    return env_var_fixes(remedy.var, remedy.value, remedy.component)
