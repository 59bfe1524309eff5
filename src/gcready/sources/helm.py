"""Helm values of the ``operator-wandb`` chart, alone or inside a W&B operator resource (operator.py).

The chart's rules (which components render, precedence, envFrom, size presets) live in
:mod:`gcready.sources.chart.operator_wandb`; a values file is decoded as Helm decodes it
(:mod:`gcready.sources.chart.helmyaml`: ``y`` is true, ``1.0`` prints as ``1``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
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
    unique,
)
from gcready.model.placement import HelmValues
from gcready.sources import kubernetes
from gcready.sources.chart import helmyaml, operator_wandb
from gcready.sources.envvars import from_secret, not_a_string, read_env_var, unresolved
from gcready.sources.yamldocs import Doc, YAMLInputError, dig, key_line

# Kept for the Terraform reader until it uses gcready.sources.chart.operator_wandb (the chart's rules).
COMPONENTS = ("app", "api", "glue", "parquet", "console", "filestream", "executor", "flat-run-fields-updater")
GC_COMPONENTS = frozenset({"app", "api"})
# Keys people write that the chart never reads (a real-world bug: GCP's module writes app.extraEnvs).
IGNORED_KEYS = {
    "extraEnvs": "the chart reads `extraEnv` (singular)",
    "extra_env": "the chart reads `extraEnv`",
    "envs": "the chart reads `env`",
}
_ITEM = re.compile(r"^(.+)\[(\d+)\]$")  # a layer path that names a list item: "app.envTpls[0]"


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
    """A plain mapping shaped like operator-wandb values: no apiVersion/kind, and a ``global:`` map or
    only the chart's own top-level sections (an overlay that sets ``executor:`` alone is values too)."""
    if not isinstance(data, dict) or "apiVersion" in data or "kind" in data or not data:
        return False
    keys = {str(k) for k in data}
    if isinstance(data.get("global"), dict):
        return bool(operator_wandb.VALUES_SECTIONS & keys)
    sections = operator_wandb.VALUES_SECTIONS | {"nameOverride", "fullnameOverride"}
    return keys <= sections and any(isinstance(data.get(k), dict) for k in operator_wandb.VALUES_SECTIONS)


def first_document(docs: Sequence[Doc]) -> Doc:
    """The document Helm reads of a values file (``helm -f`` reads only the first; an empty one is ``{}``)."""
    for doc in docs:
        if doc.index == 0:
            return doc
    return Doc(docs[0].source if docs else "", 0, {}, 1)


def later_document(doc: Doc) -> Note:
    """What gcready says of a values document after the first: Helm ignores it, so gcready does too."""
    return Note(
        f"document {doc.index + 1} of this values file is not read: Helm (helm -f) reads only the "
        "first document of a values file",
        Origin(doc.source, doc.line),
    )


def read_values(doc: Doc) -> Evidence:
    """A values file (one document of it), decoded with Helm's YAML rules when the file can be read."""
    values: Any = doc.data
    try:
        with open(doc.source, encoding="utf-8-sig") as handle:
            decoded = helmyaml.load_values(doc.source, handle.read())
        if doc.index < len(decoded) and isinstance(decoded[doc.index], dict):
            values = decoded[doc.index]
    except (OSError, UnicodeDecodeError, YAMLInputError):
        pass  # the document as read already (same structure; PyYAML's scalars)
    evidence = _read_values(values, doc.source, "", "Helm values")
    return Evidence(inputs=(InputFile(doc.source, SourceKind.HELM_VALUES),)).merge(evidence)


def _read_values(values: dict[str, Any], source: str, prefix: str, label: str) -> Evidence:
    """Evidence from operator-wandb values (``prefix`` is where they sit in the file, e.g. spec.values.)."""
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
    if isinstance(glob.get("extraEnvFrom"), dict) and glob["extraEnvFrom"]:
        notes.append(
            Note(
                f"global.extraEnvFrom is not read by the W&B server components (app, api) in "
                f"{operator_wandb.CHART_NAME} {operator_wandb.CHART_VERSION}: only the exporters', otel's "
                "and mysql's templates import it",
                at(glob, "extraEnvFrom", "global.extraEnvFrom"),
            )
        )
    for rule in operator_wandb.dropped_containers(values):
        path = f"{rule.name}.containers.{rule.container}"
        notes.append(
            Note(
                f"{path}.enabled is off: the chart renders {rule.name} without its {rule.container} "
                "container, so it runs no W&B server",
                Origin(source, key_line(operator_wandb.lookup(values, path)[1], "enabled"), prefix + path),
            )
        )
    components: list[Component] = []
    for resolved in operator_wandb.resolve(values):
        comp = resolved.component.name
        section: dict[str, Any] = values[comp] if isinstance(values.get(comp), dict) else {}
        for bad, why in IGNORED_KEYS.items():
            if bad in section:
                notes.append(
                    Note(
                        f"{comp}.{bad} is ignored by the operator-wandb chart: {why}",
                        at(section, bad, f"{comp}.{bad}"),
                    )
                )
        read = _component_env(values, resolved, source, prefix)
        buckets.extend(read.buckets)
        signals.extend(read.signals)
        notes.extend(read.notes)
        components.append(
            Component(
                name=f"{comp} ({label})",
                kind=ComponentKind.HELM_COMPONENT,
                origin=Origin(source, key_line(values, comp) if comp in values else 1, prefix + comp),
                env=tuple(read.values),
                shadowed=tuple(read.shadowed),
                gaps=tuple(read.gaps),
                runs_gc=resolved.component.runs_gc,
                placement=HelmValues(source, comp),
            )
        )
    # values a non-GC component got from globals only are the same objects: keep buckets unique upstream
    return Evidence(
        components=tuple(components),
        signals=tuple(unique(signals)),
        buckets=tuple(unique(buckets)),
        notes=tuple(unique(notes)),
    )


@dataclasses.dataclass
class _Layer:
    """What reading one component's env from the values gives, gathered as it is read."""

    values: list[EnvValue] = dataclasses.field(default_factory=list)
    shadowed: list[EnvValue] = dataclasses.field(default_factory=list)
    gaps: list[str] = dataclasses.field(default_factory=list)
    buckets: list[BucketRef] = dataclasses.field(default_factory=list)
    signals: list[Signal] = dataclasses.field(default_factory=list)
    notes: list[Note] = dataclasses.field(default_factory=list)


def _origin(user: dict[str, Any], source: str, prefix: str, path: str, name: str) -> Origin:
    """Where an entry of the layer at ``path`` was set: the user's line, or the chart's default."""
    item = _ITEM.match(path)
    if item is not None:  # an entry an envTpls template renders ("app.envTpls[0]")
        found, node = operator_wandb.lookup(user, item.group(1))
        line = key_line(node, int(item.group(2))) if found else None
        return Origin(source, line, f"{prefix}{path} {name}")
    found, node = operator_wandb.lookup(user, path)
    if found and isinstance(node, dict) and name in node:
        return Origin(source, key_line(node, name), f"{prefix}{path}.{name}")
    return Origin(
        source,
        None,
        f"{prefix}{path}.{name} ({operator_wandb.CHART_NAME} {operator_wandb.CHART_VERSION} default)",
    )


def _component_env(
    user: dict[str, Any], resolved: operator_wandb.ComponentEnv, source: str, prefix: str
) -> _Layer:
    out = _Layer()
    comp = resolved.component.name
    for layer in operator_wandb.env_layers(user, comp):
        if isinstance(operator_wandb.lookup(user, layer.path)[1], list):
            # the legacy `wandb` chart's list form; operator-wandb expects a map and fails to render it
            parent, _, key = layer.path.rpartition(".")
            out.notes.append(
                Note(
                    f"{layer.path} is a list; the operator-wandb chart expects a map of NAME: value",
                    Origin(
                        source, key_line(operator_wandb.lookup(user, parent)[1], key), prefix + layer.path
                    ),
                )
            )
    for entry in resolved.env:
        got = _env_value(entry, _origin(user, source, prefix, entry.layer, entry.name), out)
        out.values.append(dataclasses.replace(got, layer=entry.layer))
    for entry in resolved.shadowed:
        origin = _origin(user, source, prefix, entry.layer, entry.name)
        if origin.line is not None:  # a value the user wrote that lost
            out.shadowed.append(dataclasses.replace(_env_value(entry, origin, _Layer()), layer=entry.layer))
    for name, kind, path in resolved.imports:
        out.gaps.append(f"{kind} {name} ({path}), not among the inputs")
    out.gaps.extend(resolved.templates)
    return out


def _env_value(entry: operator_wandb.ChartEnv, origin: Origin, out: _Layer) -> EnvValue:
    name, raw = entry.name, entry.raw
    if isinstance(raw, dict):
        ref: dict[str, Any] = raw["valueFrom"] if isinstance(raw.get("valueFrom"), dict) else raw
        if "secretKeyRef" in ref:
            return from_secret(name, origin, f"{dig(ref, 'secretKeyRef', 'name')}")
        kind = next(iter(ref), "valueFrom")
        return unresolved(name, origin, f"from {kind} {dig(ref, kind, 'name') or ''}, not among the inputs")
    if entry.text is None:
        return unresolved(name, origin, entry.why)
    got = read_env_var(name, entry.text, origin)
    out.buckets.extend(got.buckets)
    out.signals.extend(got.signals)
    out.notes.extend(got.notes)
    return got.value


# gaps as this reader writes them ("configMapRef NAME (app.envFrom), …") and as the Kubernetes reader
# writes them for a rendered chart ("ConfigMap NAME (envFrom), …")
_GAP = re.compile(r"^(configMapRef|secretRef|ConfigMap|Secret) (\S+) \(")


def _envfrom_name(gap: str) -> str:
    """The object name a gap is written with (a templated name may hold spaces): how the chart sorts."""
    return gap.partition(" ")[2].rpartition(" (")[0]


def resolve_env_from(evidence: Evidence, docs: list[Doc]) -> Evidence:
    """Helm components whose values-side envFrom names a ConfigMap or Secret among the Kubernetes inputs:
    that object's keys join the env (below every env layer), and it is no longer a gap."""
    objects: dict[tuple[str, str], tuple[Any, Origin]] = {}
    for doc in docs:
        for obj, origin in kubernetes.expand(doc):
            if obj.get("kind") in ("ConfigMap", "Secret"):
                name = str(dig(obj, "metadata", "name") or "")
                objects[(str(obj["kind"]), name)] = (obj, origin)
    if not objects:
        return evidence
    components: list[Component] = []
    extra = Evidence()
    for component in evidence.components:
        if component.kind is not ComponentKind.HELM_COMPONENT or not component.gaps:
            components.append(component)
            continue
        layers = {v.name for v in component.env}  # an env layer of the chart wins over envFrom
        imported: dict[str, tuple[EnvValue, int]] = {}  # envFrom values, later wins: (value, rank)
        gaps: list[tuple[str, int]] = []
        # the chart renders envFrom from a map: in the order of the objects' names
        for rank, gap in enumerate(sorted(component.gaps, key=_envfrom_name)):
            match = _GAP.match(gap)
            kind = "ConfigMap" if match and match.group(1) in ("configMapRef", "ConfigMap") else "Secret"
            found = objects.get((kind, match.group(2))) if match else None
            if found is None or match is None:
                gaps.append((gap, rank))
                continue
            obj, origin = found
            for section in ("data", "stringData") if kind == "Secret" else ("data",):
                data = obj.get(section) if isinstance(obj.get(section), dict) else {}
                for key, raw in data.items():
                    if str(key) in layers:
                        continue
                    where = Origin(origin.source, key_line(data, key) or origin.line, f"{section}.{key}")
                    if kind == "Secret":
                        imported[str(key)] = (from_secret(str(key), where, match.group(2)), rank)
                    elif not isinstance(raw, str):
                        imported[str(key)] = (
                            unresolved(str(key), where, not_a_string(match.group(2), raw)),
                            rank,
                        )
                    else:
                        got = read_env_var(str(key), raw, where)
                        imported[str(key)] = (got.value, rank)
                        extra = extra.merge(
                            Evidence(buckets=got.buckets, signals=got.signals, notes=got.notes)
                        )
        env = list(component.env)
        for value, rank in imported.values():
            later = tuple(gap for gap, at in gaps if at > rank)
            env.append(dataclasses.replace(value, outranked_by=later) if later else value)
        components.append(dataclasses.replace(component, env=tuple(env), gaps=tuple(gap for gap, _ in gaps)))
    return dataclasses.replace(evidence, components=tuple(components)).merge(extra)
