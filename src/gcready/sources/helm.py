"""Helm values of the ``operator-wandb`` chart, alone or inside a W&B operator resource (operator.py).

The chart builds each component's container env as (first wins, ``wandb-base/_containers.tpl``):
container ``env`` > component ``env`` > component ``extraEnv`` > ``global.env`` > ``global.extraEnv``.
Map values are rendered with ``toString | quote``, so a YAML ``true`` becomes the string "true".
"""

from __future__ import annotations

from typing import Any

from gcready.bucketurl import BucketURLError, parse_helm_bucket
from gcready.model import (
    BucketRef,
    Component,
    ComponentKind,
    EnvValue,
    Evidence,
    InputFile,
    Note,
    Origin,
    Signal,
    SignalKind,
    SourceKind,
)
from gcready.sources.envvars import read_env_var, unresolved
from gcready.sources.yamldocs import Doc, dig, key_line

# Components whose env the chart builds from these values; `app` is where the garbage collector runs.
COMPONENTS = ("app", "api", "glue", "parquet", "console", "filestream", "executor", "flat-run-fields-updater")
GC_COMPONENTS = frozenset({"app", "api"})
# Keys people write that the chart never reads (a real-world bug: GCP's module writes app.extraEnvs).
IGNORED_KEYS = {
    "extraEnvs": "the chart reads `extraEnv` (singular)",
    "extra_env": "the chart reads `extraEnv`",
    "envs": "the chart reads `env`",
}
TOP_LEVEL_KEYS = frozenset({"global", "app", "api", "glue", "parquet", "console", "weave", "mysql", "nginx"})


def deployed(values: dict[str, Any], component: str) -> bool:
    """Whether the chart renders this component: ``app`` unless ``install: false``, the others when
    their section is given and not ``install: false``."""
    section = values.get(component)
    if isinstance(section, dict) and section.get("install") is False:
        return False
    return component == "app" or isinstance(section, dict)


def env_from_gaps(node: Any, path: str) -> list[str]:
    """The env sources a values map imports (``global.extraEnvFrom``, ``<component>.envFrom``, a map of
    name → configMapRef/secretRef): a variable missing from the env may come from them."""
    if not isinstance(node, dict):
        return []
    return [f"{ref} {name} ({path}), not among the inputs" for name, ref in node.items()]


def looks_like_values(data: Any) -> bool:
    """A plain mapping shaped like operator-wandb values (no apiVersion/kind, known top-level keys)."""
    return (
        isinstance(data, dict)
        and "apiVersion" not in data
        and "kind" not in data
        and bool(TOP_LEVEL_KEYS & {str(k) for k in data})
        and (isinstance(data.get("global"), dict) or any(isinstance(data.get(c), dict) for c in COMPONENTS))
    )


def read_values(doc: Doc) -> Evidence:
    evidence = _read_values(doc.data, doc.source, "", "Helm values")
    return Evidence(inputs=(InputFile(doc.source, SourceKind.HELM_VALUES),)).merge(evidence)


def _read_values(values: dict[str, Any], source: str, prefix: str, label: str) -> Evidence:
    glob: dict[str, Any] = values["global"] if isinstance(values.get("global"), dict) else {}
    signals: list[Signal] = [
        Signal(SignalKind.SERVER_CONFIG, f"operator-wandb values ({label})", Origin(source, 1))
    ]
    buckets: list[BucketRef] = []
    notes: list[Note] = []

    def at(node: Any, key: str, path: str) -> Origin:
        return Origin(source, key_line(node, key), prefix + path)

    provider = glob.get("cloudProvider")
    if isinstance(provider, str) and provider.strip():
        signals.append(
            Signal(
                SignalKind.CLOUD_PROVIDER, provider.strip(), at(glob, "cloudProvider", "global.cloudProvider")
            )
        )
    host = glob.get("host")
    if isinstance(host, str) and host.strip():
        signals.append(Signal(SignalKind.BASE_URL, host.strip(), at(glob, "host", "global.host")))
    for key in ("bucket", "defaultBucket"):
        settings = glob.get(key)
        if isinstance(settings, dict) and settings.get("name"):
            try:
                found = parse_helm_bucket(settings, at(settings, "name", f"global.{key}.name"))
            except BucketURLError as exc:
                notes.append(Note(f"global.{key}: {exc}", at(glob, key, f"global.{key}")))
                continue
            if found is not None:
                buckets.append(found)
            if key == "bucket":
                break  # the chart uses global.bucket when it names one, else global.defaultBucket

    # env layers, lowest precedence first
    global_layers = [
        _env_map(glob.get("extraEnv"), source, prefix + "global.extraEnv", glob, "extraEnv"),
        _env_map(glob.get("env"), source, prefix + "global.env", glob, "env"),
    ]
    gaps = env_from_gaps(glob.get("extraEnvFrom"), "global.extraEnvFrom")
    components: list[Component] = []
    names = [c for c in COMPONENTS if deployed(values, c)]
    for comp in names:
        section: dict[str, Any] = values[comp] if isinstance(values.get(comp), dict) else {}
        for bad, why in IGNORED_KEYS.items():
            if bad in section:
                notes.append(
                    Note(
                        f"{comp}.{bad} is ignored by the operator-wandb chart: {why}",
                        at(section, bad, f"{comp}.{bad}"),
                    )
                )
        layers = [
            *global_layers,
            _env_map(section.get("extraEnv"), source, f"{prefix}{comp}.extraEnv", section, "extraEnv"),
            _env_map(section.get("env"), source, f"{prefix}{comp}.env", section, "env"),
        ]
        comp_gaps = [*gaps, *env_from_gaps(section.get("envFrom"), f"{comp}.envFrom")]
        effective: dict[str, EnvValue] = {}
        shadowed: list[EnvValue] = []
        for layer in layers:
            for value in layer.values:
                if value.name in effective:
                    shadowed.append(effective[value.name])
                effective[value.name] = value
        for layer in layers:
            buckets.extend(layer.buckets)
            signals.extend(layer.signals)
            notes.extend(layer.notes)
        components.append(
            Component(
                name=f"{comp} ({label})",
                kind=ComponentKind.HELM_COMPONENT,
                origin=Origin(source, key_line(values, comp) if comp in values else 1, prefix + comp),
                env=tuple(effective.values()),
                shadowed=tuple(shadowed),
                gaps=tuple(comp_gaps),
                runs_gc=comp in GC_COMPONENTS,
            )
        )
    # values a non-GC component got from globals only are the same objects: keep buckets unique upstream
    return Evidence(
        components=tuple(components),
        signals=tuple(_unique(signals)),
        buckets=tuple(_unique(buckets)),
        notes=tuple(_unique(notes)),
    )


class _Layer:
    def __init__(self) -> None:
        self.values: list[EnvValue] = []
        self.buckets: list[BucketRef] = []
        self.signals: list[Signal] = []
        self.notes: list[Note] = []


def _env_map(node: Any, source: str, path: str, parent: Any, key: str) -> _Layer:
    layer = _Layer()
    if node is None:
        return layer
    if isinstance(node, list):
        # the legacy `wandb` chart's list form; operator-wandb expects a map and would fail to render it
        layer.notes.append(
            Note(
                f"{path} is a list; the operator-wandb chart expects a map of NAME: value",
                Origin(source, key_line(parent, key), path),
            )
        )
        return layer
    if not isinstance(node, dict):
        return layer
    for name, raw in node.items():
        origin = Origin(source, key_line(node, name), f"{path}.{name}")
        name = str(name)
        if isinstance(raw, dict):
            ref: dict[str, Any] = raw["valueFrom"] if isinstance(raw.get("valueFrom"), dict) else raw
            if "secretKeyRef" in ref:
                layer.values.append(
                    unresolved(
                        name,
                        origin,
                        f"from Secret {dig(ref, 'secretKeyRef', 'name')}: gcready never reads Secret values",
                        secret=True,
                    )
                )
            else:
                kind = next(iter(ref), "valueFrom")
                layer.values.append(
                    unresolved(
                        name, origin, f"from {kind} {dig(ref, kind, 'name') or ''}, not among the inputs"
                    )
                )
            continue
        if raw is None:
            text = ""
        elif isinstance(raw, bool):
            text = "true" if raw else "false"  # the chart renders with toString
        else:
            text = str(raw)
        got = read_env_var(name, text, origin)
        layer.values.append(got.value)
        layer.buckets.extend(got.buckets)
        layer.signals.extend(got.signals)
        layer.notes.extend(got.notes)
    return layer


def _unique(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
