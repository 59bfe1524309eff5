"""Fixes for a W&B operator v2 application: an entry in ``spec.wandb.legacyOverrides``.

The overrides' ``env`` is a list, and a JSON merge patch (``kubectl patch --type merge``) replaces a
list whole: the patch therefore carries the entries already there, with the flag's entry set. When
the list holds a secret literal (which gcready never keeps), a JSON patch that touches one entry is
printed instead. The entry goes in the layer that decides the application's value: its own
``legacyOverrides.<app>`` when that sets the variable (it wins over ``global``), else ``global``.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from gcready.model import Component, Fix, FixKind, OperatorPlacement
from gcready.remediation.render import yaml

RESOURCE = "weightsandbiases.v2.apps.wandb.com"
GLOBAL = "global"


def _deciding(var: str, component: Component, placement: OperatorPlacement) -> str:
    """The overrides layer the application's value of ``var`` comes from ("" when neither)."""
    current = component.get(var)
    path = (current.origin.path or "") if current is not None else ""
    if f".legacyOverrides.{placement.application}.env[" in path:
        return placement.application
    if f".legacyOverrides.{GLOBAL}.env[" in path:
        return GLOBAL
    return ""


def env_list_with(entries: tuple[str | None, ...] | None, var: str, value: str) -> list[Any] | None:
    """The list with ``var`` set (its first entry replaced, later duplicates dropped, else appended);
    None when an entry cannot be written back."""
    out: list[Any] = []
    placed = False
    for text in entries or ():
        if text is None:
            return None
        item = json.loads(text)
        if isinstance(item, dict) and item.get("name") == var:
            if not placed:
                out.append({"name": var, "value": value})
                placed = True
            continue
        out.append(item)
    if not placed:
        out.append({"name": var, "value": value})
    return out


def operator_v2_fixes(
    var: str, value: str, component: Component, placement: OperatorPlacement
) -> tuple[Fix, ...]:
    """The ``legacyOverrides`` YAML and the ``kubectl patch`` that set ``var`` for this application."""
    app = placement.application
    deciding = _deciding(var, component, placement)
    layers = {GLOBAL: placement.global_env, app: placement.app_env}
    # the layer that decides, else global; the application's own layer always wins, so it is the
    # fallback when the preferred list cannot be written back
    order = [app] if deciding == app else [GLOBAL, app]
    ns = f" -n {shlex.quote(placement.namespace)}" if placement.namespace else ""
    name = shlex.quote(placement.resource)
    for target in order:
        entries = env_list_with(layers[target], var, value)
        if entries is None:
            continue
        patch = {"spec": {"wandb": {"legacyOverrides": {target: {"env": entries}}}}}
        kept = len(entries) - 1
        keep = f" (with the {kept} entr{'y' if kept == 1 else 'ies'} already there)" if kept else ""
        if target == deciding:
            why = f"that is where {app} gets its value from"
        elif target == GLOBAL:
            why = "applied after the server manifest, to every application"
        else:
            why = f"it wins over {GLOBAL} and the server manifest"
        return (
            Fix(
                FixKind.CLI,
                f"kubectl patch {RESOURCE} {name}{ns} --type merge "
                f"-p {shlex.quote(json.dumps(patch, separators=(',', ':')))}",
                f"the live operator resource: set {var} in spec.wandb.legacyOverrides.{target}.env{keep}; "
                f"{why}",
            ),
            Fix(
                FixKind.HELM,
                yaml.dump(patch),
                f"W&B operator resource {placement.resource} (apps.wandb.com/v2): the "
                f"legacyOverrides.{target}.env list as it must be{keep}; kubectl apply it, or "
                f"kubectl edit {RESOURCE} {name}{ns}",
            ),
        )
    # both lists hold secrets gcready does not keep: touch one entry with a JSON patch
    target = order[0]
    texts = layers[target] or ()
    index = next(
        (i for i, t in enumerate(texts) if t is not None and json.loads(t).get("name") == var),
        None,
    )
    entry = {"name": var, "value": value}
    base = f"/spec/wandb/legacyOverrides/{_pointer(target)}/env"
    op = (
        {"op": "replace", "path": f"{base}/{index}", "value": entry}
        if index is not None
        else {"op": "add", "path": f"{base}/-", "value": entry}
    )
    edited = {"spec": {"wandb": {"legacyOverrides": {target: {"env": [entry]}}}}}
    return (
        Fix(
            FixKind.CLI,
            f"kubectl patch {RESOURCE} {name}{ns} --type json "
            f"-p {shlex.quote(json.dumps([op], separators=(',', ':')))}",
            f"the live operator resource: set {var} in spec.wandb.legacyOverrides.{target}.env (a JSON "
            "patch: the list holds secret values gcready does not print)",
        ),
        Fix(
            FixKind.HELM,
            yaml.dump(edited),
            f"W&B operator resource {placement.resource} (apps.wandb.com/v2): add this entry to the "
            f"legacyOverrides.{target}.env list, keeping the entries already there; kubectl edit "
            f"{RESOURCE} {name}{ns}",
        ),
    )


def _pointer(token: str) -> str:
    """One JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")
