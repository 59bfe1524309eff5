"""Kubernetes manifests: workloads' container env resolved the way the kubelet does it.

Objects are pooled across all input files first, because a Deployment in one file often takes its env
from a ConfigMap in another (``kubectl get deploy,cm -o yaml``). Precedence: ``envFrom`` sources in
order (later wins), then ``env`` entries in order (later wins), ``env`` over ``envFrom``. A value from
a Secret is never read: gcready keeps Secret names and keys only.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gcready.model import (
    BucketRef,
    Component,
    ComponentKind,
    EnvValue,
    Evidence,
    InputError,
    Note,
    Origin,
    Signal,
    SignalKind,
)
from gcready.redact import LEDGER
from gcready.sources.envvars import is_server_var, read_env_var, unresolved
from gcready.sources.yamldocs import Doc, dig, key_line, start_line

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob"})
OBJECT_KINDS = WORKLOAD_KINDS | {"ConfigMap", "Secret"}
_SERVER_IMAGE = re.compile(r"(^|/)wandb/(local|megabinary|server|gorilla)(:|@|$)")
# Components of a W&B install that run the server binary but not the artifact garbage collector.
_NOT_GC = re.compile(
    r"glue|parquet|console|filestream|flat-run|executor|weave|nginx|frontend|otel|mysql|redis"
)


def is_kubernetes_doc(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("kind"), str) and "apiVersion" in data


@dataclass
class _Pool:
    config_maps: dict[tuple[str, str], tuple[Any, Origin]] = field(default_factory=dict)
    secrets: dict[tuple[str, str], tuple[Any, Origin]] = field(default_factory=dict)
    workloads: list[tuple[Any, Origin]] = field(default_factory=list)


def expand(doc: Doc) -> Iterable[tuple[Any, Origin]]:
    """The objects of a document: itself, or the items of a ``kind: List`` (as kubectl writes it)."""
    data = doc.data
    kind = data.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
        for index, item in enumerate(data["items"]):
            if isinstance(item, dict):
                yield item, Origin(doc.source, key_line(data["items"], index), f"items[{index}]")
    else:
        yield data, Origin(doc.source, doc.line)


def _meta(obj: Any) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def resolve(docs: Iterable[Doc]) -> Evidence:
    """Components (server containers), signals, buckets and notes from every Kubernetes object given."""
    pool = _Pool()
    errors: list[InputError] = []
    for doc in docs:
        for obj, origin in expand(doc):
            kind = obj.get("kind")
            malformed = _malformed(obj)
            if malformed:
                errors.append(InputError(origin.source, f"{kind}: {malformed}", origin.line))
                continue
            ns, name = _meta(obj)
            if kind == "ConfigMap":
                pool.config_maps[(ns, name)] = (obj, origin)
            elif kind == "Secret":
                _remember_secret_values(obj)
                pool.secrets[(ns, name)] = (obj, origin)
            elif kind in WORKLOAD_KINDS:
                pool.workloads.append((obj, origin))
    evidence = Evidence(errors=tuple(errors))
    for obj, origin in pool.workloads:
        evidence = evidence.merge(_workload(obj, origin, pool))
    return evidence


def _malformed(obj: dict[str, Any]) -> str:
    """Why the API server would reject the object's shape, as far as gcready reads it ("" when fine)."""
    if not isinstance(obj.get("kind"), str):
        return "kind must be a string"
    meta = obj.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        return "metadata must be a mapping (the API server rejects this object)"
    if obj.get("kind") in ("ConfigMap", "Secret"):
        for section in ("data", "stringData", "binaryData"):
            if obj.get(section) is not None and not isinstance(obj.get(section), dict):
                return f"{section} must be a mapping (the API server rejects this object)"
    return ""


def _remember_secret_values(obj: Any) -> None:
    for key in ("data", "stringData"):
        values = obj.get(key)
        if not isinstance(values, dict):
            continue
        for value in values.values():
            if not isinstance(value, str):
                continue
            LEDGER.remember(value)
            if key == "data":
                with contextlib.suppress(binascii.Error, ValueError):
                    LEDGER.remember(base64.b64decode(value, validate=True).decode("utf-8", "replace"))


def _pod_spec(obj: Any) -> Any:
    kind = obj.get("kind")
    if kind == "Pod":
        return obj.get("spec")
    if kind == "CronJob":
        return dig(obj, "spec", "jobTemplate", "spec", "template", "spec")
    return dig(obj, "spec", "template", "spec")


def _lookup(
    table: dict[tuple[str, str], tuple[Any, Origin]], ns: str, name: str
) -> tuple[Any, Origin] | None:
    if (ns, name) in table:
        return table[(ns, name)]
    # an object listed without a namespace matches a workload of any namespace, and vice versa
    for (other_ns, other_name), found in table.items():
        if other_name == name and (not other_ns or not ns):
            return found
    return None


def _workload(obj: Any, origin: Origin, pool: _Pool) -> Evidence:
    ns, name = _meta(obj)
    spec = _pod_spec(obj)
    containers = spec.get("containers") if isinstance(spec, dict) else None
    if not isinstance(containers, list):
        return Evidence()
    components: list[Component] = []
    buckets: list[BucketRef] = []
    signals: list[Signal] = []
    notes: list[Note] = []
    for index, container in enumerate(containers):
        if not isinstance(container, dict):
            continue
        c_origin = Origin(origin.source, key_line(containers, index) or origin.line, f"containers[{index}]")
        label = f"{obj.get('kind')}/{name} container {container.get('name', index)}"
        read = _container_env(container, ns, c_origin, pool, label)
        image = str(container.get("image") or "")
        is_server = bool(_SERVER_IMAGE.search(image)) or any(is_server_var(v.name) for v in read.env)
        if not is_server:
            signals.extend(s for s in read.signals if s.kind is SignalKind.BASE_URL)
            continue
        runs_gc = not _NOT_GC.search(f"{name} {container.get('name', '')}".lower())
        components.append(
            Component(
                name=label,
                kind=ComponentKind.K8S_CONTAINER,
                origin=c_origin,
                env=read.env,
                shadowed=read.shadowed,
                gaps=read.gaps,
                runs_gc=runs_gc,
                namespace=ns,
            )
        )
        buckets.extend(read.buckets)
        signals.extend(read.signals)
        notes.extend(read.notes)
        signals.append(Signal(SignalKind.SERVER_CONFIG, f"W&B server workload {label}", c_origin))
    return Evidence(
        components=tuple(components), signals=tuple(signals), buckets=tuple(buckets), notes=tuple(notes)
    )


@dataclass
class _ContainerEnv:
    env: tuple[EnvValue, ...] = ()
    shadowed: tuple[EnvValue, ...] = ()
    gaps: tuple[str, ...] = ()
    buckets: list[BucketRef] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def _container_env(container: Any, ns: str, origin: Origin, pool: _Pool, label: str) -> _ContainerEnv:
    out = _ContainerEnv()
    ordered: list[EnvValue] = []
    gaps: list[str] = []

    def take(name: str, raw: str, where: Origin) -> None:
        got = read_env_var(name, raw, where)
        ordered.append(got.value)
        out.buckets.extend(got.buckets)
        out.signals.extend(got.signals)
        out.notes.extend(got.notes)

    env_from = container.get("envFrom") or []
    for index, source in enumerate(env_from if isinstance(env_from, list) else []):
        if not isinstance(source, dict):
            continue
        prefix = str(source.get("prefix") or "")
        where = Origin(origin.source, key_line(env_from, index), f"{origin.path}.envFrom[{index}]")
        if isinstance(source.get("configMapRef"), dict):
            ref = source["configMapRef"]
            found = _lookup(pool.config_maps, ns, str(ref.get("name")))
            if found is None:
                if not ref.get("optional"):
                    gaps.append(f"ConfigMap {ref.get('name')} (envFrom), not among the inputs")
                continue
            cm, cm_origin = found
            data = cm.get("data") or {}
            for key, value in data.items():
                take(prefix + str(key), str(value), _data_origin(cm_origin, data, key, "data"))
        elif isinstance(source.get("secretRef"), dict):
            ref = source["secretRef"]
            found = _lookup(pool.secrets, ns, str(ref.get("name")))
            if found is None:
                if not ref.get("optional"):
                    gaps.append(f"Secret {ref.get('name')} (envFrom), not among the inputs")
                continue
            secret, s_origin = found
            for section in ("data", "stringData"):
                data = secret.get(section) or {}
                for key in data:
                    ordered.append(
                        unresolved(
                            prefix + str(key),
                            _data_origin(s_origin, data, key, section),
                            f"from Secret {ref.get('name')}: gcready never reads Secret values",
                            secret=True,
                        )
                    )
    env = container.get("env") or []
    for index, item in enumerate(env if isinstance(env, list) else []):
        if not isinstance(item, dict) or not item.get("name"):
            continue
        name = str(item["name"])
        where = Origin(origin.source, key_line(env, index), f"{origin.path}.env[{index}] {name}")
        if "valueFrom" in item:
            value = _value_from(name, item["valueFrom"], ns, where, pool)
            if value is None:
                continue  # optional reference that does not resolve: the variable is not set
            if value.value is not None:
                take(name, value.value, value.origin)
            else:
                ordered.append(value)
        elif "value" in item:
            raw = item["value"]
            if not isinstance(raw, str):
                ordered.append(
                    unresolved(
                        name,
                        where,
                        f"value {raw!r} is not a string: the Kubernetes API server rejects this manifest",
                    )
                )
                continue
            take(name, raw, where)
        else:
            take(name, "", where)
    effective: dict[str, EnvValue] = {}
    for value in ordered:
        effective[value.name] = value  # later wins; env entries come after envFrom
    out.env = tuple(effective.values())
    out.shadowed = tuple(v for v in ordered if effective[v.name] is not v)
    out.gaps = tuple(gaps)
    return out


def _data_origin(obj_origin: Origin, data: Any, key: Any, section: str) -> Origin:
    return Origin(obj_origin.source, key_line(data, key) or obj_origin.line, f"{section}.{key}")


def _value_from(name: str, spec: Any, ns: str, where: Origin, pool: _Pool) -> EnvValue | None:
    """Resolve ``valueFrom``; a value of None means gcready cannot know it. None: optional and absent."""
    if not isinstance(spec, dict):
        return unresolved(name, where, "valueFrom is not a mapping")
    if isinstance(spec.get("configMapKeyRef"), dict):
        ref = spec["configMapKeyRef"]
        cm_name, key = str(ref.get("name")), str(ref.get("key"))
        found = _lookup(pool.config_maps, ns, cm_name)
        if found is None:
            return unresolved(name, where, f"from ConfigMap {cm_name} key {key}, not among the inputs")
        cm, cm_origin = found
        data = cm.get("data") or {}
        if key not in data:
            if ref.get("optional"):
                return None
            return unresolved(name, where, f"ConfigMap {cm_name} has no key {key}: the pod would not start")
        return EnvValue(name, str(data[key]), _data_origin(cm_origin, data, key, f"ConfigMap {cm_name} data"))
    if isinstance(spec.get("secretKeyRef"), dict):
        ref = spec["secretKeyRef"]
        return unresolved(
            name,
            where,
            f"from Secret {ref.get('name')} key {ref.get('key')}: gcready never reads Secret values",
            secret=True,
        )
    kind = next(iter(spec), "valueFrom")
    return unresolved(name, where, f"set at run time by {kind}")


def first_line(data: Any) -> int:
    return start_line(data)
