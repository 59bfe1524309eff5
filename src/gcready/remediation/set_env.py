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
from gcready.remediation.operator import env_list_with, operator_v2_fixes
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
            assert component is not None
            key_path = chart_key_path(var, component, own_layer=False)
            dotted = ".".join(key_path)
            values = {"values": _nested(key_path, {var: value})}
            call = Block("module", (module,), (Comment(f"... ({file})"), Attr("spec", values)))
            module_fix = Fix(
                FixKind.TERRAFORM,
                hcl.render(call),
                f"the wandb/wandb/helm module call: set the entry in spec.values.{dotted} (merge with what "
                f"is there), then terraform apply{_deciding_note(var, component, key_path)}",
            )
            if key_path != _GLOBAL_EXTRA_ENV:  # other_wandb_env feeds global.extraEnv, which loses to it
                return (module_fix,)
            return (
                module_fix,
                Fix(
                    FixKind.TERRAFORM,
                    hcl.render(Attr("other_wandb_env", {var: value})),
                    "terraform.tfvars, when spec.values.global.extraEnv is the other_wandb_env variable (as in "
                    "W&B's cloud modules)",
                ),
            )
        case ComposeService():
            return _compose(var, value, placement, component)
        case LegacyChart(file=file, extra_env=entries):
            return (_legacy_list(var, value, file, entries, component),)
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


def _compose(var: str, value: str, placement: ComposeService, component: Component | None) -> tuple[Fix, ...]:
    """The service's ``environment`` entry in the file's own form (a ``NAME=value`` list item or a map
    key), replacing the entry already there (a second key of the same name is a duplicate that docker
    compose's YAML reader rejects); then the command that recreates the service."""
    file, service = placement.file, placement.service
    listed = placement.environment == "list"
    entry: Any = [f"{var}={value}"] if listed else {var: value}
    current = component.get(var) if component is not None else None
    origin = current.origin if current is not None else None
    here = (
        origin is not None
        and origin.source == file
        and origin.line is not None
        and (origin.path or "").startswith(f"services.{service}.environment")
    )
    what = "list item" if listed else "key"
    if here and origin is not None:
        how = f"replace the entry {var} at line {origin.line} with this {what}"
    else:
        how = f"add this {what}" + ("" if placement.environment else " (the service has no environment yet)")
    return (
        Fix(
            FixKind.YAML,
            yaml.dump({"services": {service: {"environment": entry}}}),
            f"docker compose file {file}: in services.{service}.environment, {how}",
        ),
        Fix(FixKind.CLI, f"docker compose up -d {q(service)}", "then recreate the service"),
    )


def _legacy_list(
    var: str, value: str, file: str, entries: tuple[str | None, ...] | None, component: Component | None
) -> Fix:
    """The legacy chart's ``extraEnv`` list with ``var`` set. A values layer replaces a list whole
    (``helm -f``, ``--reuse-values``), so the list is written with the entries already there; when one
    holds a secret gcready does not keep, the fix says to edit the list in place."""
    listed = env_list_with(entries, var, value)
    if listed is not None:
        kept = len(listed) - 1
        keep = f", with the {kept} entr{'y' if kept == 1 else 'ies'} already there" if kept else ""
        return Fix(
            FixKind.HELM,
            yaml.dump({"extraEnv": listed}),
            f"values of the legacy wandb chart ({file}): the whole extraEnv list as it must be{keep} (a "
            "values file replaces the list whole), then helm upgrade",
        )
    current = component.get(var) if component is not None else None
    line = current.origin.line if current is not None and current.origin.source == file else None
    where = f"replace the entry {var} at line {line} of" if line else "add this entry to"
    return Fix(
        FixKind.HELM,
        yaml.dump({"extraEnv": [{"name": var, "value": value}]}),
        f"values of the legacy wandb chart ({file}): {where} its extraEnv list, keeping the other entries "
        "(a values file given on its own replaces the whole list), then helm upgrade",
    )


_GLOBAL_EXTRA_ENV = ["global", "extraEnv"]


def chart_key_path(var: str, component: Component, *, own_layer: bool) -> list[str]:
    """The operator-wandb values key path a fix sets ``var`` at, so that it wins over what the component
    has now: the layer its current value comes from (setting it there replaces that value, and every
    layer below loses to it: ``global.env`` beats ``global.extraEnv``, a subchart's own ``app.global.env``
    fills what the parent's globals lack), else ``global.extraEnv``. With ``own_layer``, a value that
    comes from a global layer is beaten at the component's own ``extraEnv`` instead."""
    placement = component.placement
    section = (
        placement.component if isinstance(placement, HelmValues | OperatorV1 | TerraformHelmValues) else ""
    )
    current = component.get(var)
    layer = current.layer if current is not None else ""
    if layer and "[" not in layer:  # a values map (an envTpls entry loses to every map)
        parts = layer.split(".")
        if not own_layer or (parts[0] == section and parts[1:2] != ["global"]):
            return parts
    return [section, "extraEnv"] if own_layer and section else list(_GLOBAL_EXTRA_ENV)


def _deciding_note(var: str, component: Component, key_path: list[str]) -> str:
    """``: where COMPONENT's value comes from`` when the fix replaces the value that decides today."""
    current = component.get(var)
    if current is None or current.layer != ".".join(key_path) or key_path == _GLOBAL_EXTRA_ENV:
        return ""
    line = f" (line {current.origin.line})" if current.origin.line else ""
    return f"; that is where {component.name} gets its value{line}, and the layers below lose to it"


def already_set(var: str, value: str, component: Component | None) -> bool:
    """Whether the input already holds ``value`` where a fix would write it: the component's value, or
    (for operator-wandb values) the entry at the layer a fix targets. Re-printing it fixes nothing."""
    if component is None:
        return False
    current = component.get(var)
    if current is None:
        return False
    if current.value == value:
        return True
    if not isinstance(component.placement, HelmValues | OperatorV1 | TerraformHelmValues):
        return False
    target = ".".join(chart_key_path(var, component, own_layer=False))
    return any(v.name == var and v.layer == target and v.value == value for v in component.shadowed)


def component_flag_fixes(
    var: str, value: str, component: Component, *, own_layer: bool = True
) -> tuple[Fix, ...]:
    """Set ``var`` where the component reads it, so it wins over what it has now.

    A global value loses to a component's own ``extraEnv`` / ``env`` (chart precedence), and
    ``global.env`` beats ``global.extraEnv``: for a Helm component the flag is set where its current
    value comes from, or (``own_layer``) at the component's level.
    """
    placement = component.placement
    if not isinstance(placement, HelmValues | OperatorV1):
        return env_var_fixes(var, value, component)
    prefix = ["spec", "values"] if isinstance(placement, OperatorV1) else []
    chart_path = chart_key_path(var, component, own_layer=own_layer)
    key_path = [*prefix, *chart_path]
    dotted = ".".join(key_path)
    why = _deciding_note(var, component, chart_path)
    fixes: list[Fix] = []
    if isinstance(placement, OperatorV1):
        fixes.append(
            _v1_patch(
                var,
                value,
                placement,
                key_path,
                f"the live operator resource: set {var} at {dotted} for {component.name}{why}",
            )
        )
        fixes.append(
            Fix(
                FixKind.HELM,
                yaml.dump(_nested(key_path, {var: value})),
                f"W&B operator resource {placement.resource}{why}",
            )
        )
    else:
        title = f"a release installed with the operator-wandb chart: set {var} at {dotted}{why}"
        fixes.append(helm_upgrade(var, value, dotted, title))
        fixes.append(
            Fix(
                FixKind.HELM,
                yaml.dump(_nested(key_path, {var: value})),
                f"Helm values of the operator-wandb chart (then helm upgrade){why}",
            )
        )
    for fix in env_var_fixes(var, value, component):
        if fix.kind is FixKind.TERRAFORM:
            fixes.append(
                Fix(
                    fix.kind,
                    fix.text,
                    f"{fix.title}: this sets global.extraEnv, which {'.'.join(chart_path)} overrides; "
                    "remove the value there too",
                )
            )
    return tuple(fixes)


def set_env_fixes(remedy: SetEnv) -> tuple[Fix, ...]:
    """The fixes for a :class:`~gcready.model.remedy.SetEnv` remedy: none when the input already holds
    the value where a fix would write it (the finding's ``needs`` says what to check instead)."""
    var, value, component = remedy.var, remedy.value, remedy.component
    if already_set(var, value, component):
        return ()
    if (
        component is not None
        and isinstance(component.placement, HelmValues | OperatorV1)
        and (remedy.own_layer or chart_key_path(var, component, own_layer=False) != _GLOBAL_EXTRA_ENV)
    ):
        return component_flag_fixes(var, value, component, own_layer=remedy.own_layer)
    return env_var_fixes(var, value, component)
