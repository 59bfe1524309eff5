"""Where a server component's environment is written, typed, so a fix can aim at it.

A source sets one of these on each :class:`~gcready.model.Component` it reads; remediation matches
over them (nothing is decoded from display names) and a bundle carries them, so fixes after
``collect`` then ``audit BUNDLE`` are the ones a direct audit prints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gcready.model.evidence import JSON, ComponentKind, OperatorPlacement, Origin


@dataclass(frozen=True)
class HelmValues:
    """A values file of the operator-wandb chart; ``component`` is the chart section (``app``, ``api``…)."""

    file: str
    component: str


@dataclass(frozen=True)
class OperatorV1:
    """A W&B operator resource ``apps.wandb.com/v1``: operator-wandb values under ``spec.values``."""

    resource: str
    namespace: str
    file: str
    component: str


@dataclass(frozen=True)
class TerraformModuleInput:
    """A call of W&B's cloud module (wandb/wandb/aws, google, azurerm): env goes in ``other_wandb_env``."""

    module: str  # the call's name: module "wandb"
    file: str
    line: int | None = None


@dataclass(frozen=True)
class TerraformHelmValues:
    """A call of the wandb/wandb/helm module: operator-wandb values under its ``spec.values`` input."""

    module: str
    file: str
    component: str


@dataclass(frozen=True)
class ComposeService:
    """A docker compose service: its ``environment`` (``environment``: "map", "list" of ``NAME=value``,
    or "" when the service has none), so a fix is written in the file's own form."""

    file: str
    service: str
    environment: str = ""


@dataclass(frozen=True)
class WorkloadContainer:
    """A container of a Kubernetes workload (``kubectl get -o yaml``, a rendered manifest)."""

    kind: str  # Deployment, StatefulSet, Pod…
    name: str
    container: str
    namespace: str = ""
    file: str = ""


@dataclass(frozen=True)
class LegacyChart:
    """Values of the legacy ``wandb`` chart: its ``extraEnv`` list.

    ``extra_env`` is that list as given, one JSON text per entry (None for an entry holding a secret,
    which a fix cannot write back); None when the values have no list. A values file replaces a list
    whole, so a fix writes the list with these entries kept.
    """

    file: str
    extra_env: tuple[str | None, ...] | None = None


@dataclass(frozen=True)
class EnvFile:
    """An env file (docker ``--env-file``, compose ``.env``, systemd ``EnvironmentFile``)."""

    file: str


@dataclass(frozen=True)
class ProcessEnv:
    """The environment gcready itself runs in (the W&B server's, when run beside it)."""


Placement = (
    HelmValues
    | OperatorV1
    | OperatorPlacement
    | TerraformModuleInput
    | TerraformHelmValues
    | ComposeService
    | WorkloadContainer
    | LegacyChart
    | EnvFile
    | ProcessEnv
)

_KINDS: dict[str, type[Any]] = {
    "helm-values": HelmValues,
    "operator-v1": OperatorV1,
    "operator-v2": OperatorPlacement,
    "terraform-module-input": TerraformModuleInput,
    "terraform-helm-values": TerraformHelmValues,
    "compose-service": ComposeService,
    "workload-container": WorkloadContainer,
    "legacy-chart": LegacyChart,
    "env-file": EnvFile,
    "process-env": ProcessEnv,
}
_NAMES: dict[type[Any], str] = {cls: name for name, cls in _KINDS.items()}


def placement_to_json(placement: Placement) -> dict[str, JSON]:
    """A placement as the bundle records it: ``{"kind": ..., "fields": {...}}``."""
    fields: dict[str, JSON] = {}
    for f in dataclasses.fields(placement):
        value = getattr(placement, f.name)
        fields[f.name] = list(value) if isinstance(value, tuple) else value
    return {"kind": _NAMES[type(placement)], "fields": fields}


def placement_from_json(data: Any, clean: Callable[[str], str] = str) -> Placement | None:
    """A bundle's placement; None when absent or not one gcready knows (the fix is then generic).

    ``clean`` is applied to every text (a bundle may be hand-made: the reader scrubs secrets).
    """
    if not isinstance(data, dict) or not isinstance(data.get("fields", {}), dict):
        return None
    cls = _KINDS.get(str(data.get("kind")))
    if cls is None:
        return None
    given: dict[str, Any] = data.get("fields", {})
    args: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in given:
            continue
        value = given[f.name]
        if isinstance(value, list):
            value = tuple(None if v is None else clean(str(v)) for v in value)
        elif f.name == "line":
            value = value if isinstance(value, int) and not isinstance(value, bool) else None
        elif value is not None:
            value = clean(str(value))
        args[f.name] = value
    try:
        placement: Placement = cls(**args)
    except TypeError:  # a required field is missing: a hand-edited bundle
        return None
    return placement


def recorded_before_placements(kind: ComponentKind, origin: Origin) -> Placement | None:
    """The placement of a component from a bundle written before bundles recorded placements.

    Only what the component's kind and origin (file and key path) say for certain; None when the
    placement needs more (a workload's name, a module call): the fix is then generic.
    """
    path = origin.path or ""
    match kind:
        case ComponentKind.DOTENV:
            return EnvFile(origin.source)
        case ComponentKind.PROCESS_ENV:
            return ProcessEnv()
        case ComponentKind.HELM_LEGACY:
            return LegacyChart(origin.source)
        case ComponentKind.HELM_COMPONENT if path and "." not in path:
            return HelmValues(origin.source, path)  # a values file: the path is the chart section
        case ComponentKind.COMPOSE_SERVICE if path.startswith("services.") and path.count(".") == 1:
            return ComposeService(origin.source, path.removeprefix("services."))
        case _:
            return None
