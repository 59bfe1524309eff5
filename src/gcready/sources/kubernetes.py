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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from gcready.bucketurl import BUCKET_ENV_VARS, BucketURLError, parse_bucket_url
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
from gcready.model.placement import WorkloadContainer
from gcready.redact import current, is_secret_name, redact_url
from gcready.sources import operator, server_manifest
from gcready.sources.envvars import from_secret, is_server_var, not_a_string, read_env_var, unresolved
from gcready.sources.expansion import expand as expand_references
from gcready.sources.workload_role import Role, container_role
from gcready.sources.yamldocs import Doc, dig, key_line, start_line

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob"})
OBJECT_KINDS = WORKLOAD_KINDS | {"ConfigMap", "Secret"}
GC_FLAG = "GORILLA_ARTIFACT_GC_ENABLED"
# Stands for a value gcready cannot know (from a Secret, say) while a $(VAR) reference is expanded.
_UNKNOWN = "\x00"


def is_kubernetes_doc(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("kind"), str) and "apiVersion" in data


@dataclass
class _Pool:
    config_maps: dict[tuple[str, str], tuple[Any, Origin]] = field(default_factory=dict)
    secrets: dict[tuple[str, str], tuple[Any, Origin]] = field(default_factory=dict)
    workloads: list[tuple[Any, Origin, str | None]] = field(default_factory=list)


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
    # each object with the chart template that rendered it (``# Source:`` of its document)
    objects = [(obj, origin, doc.template) for doc in docs for obj, origin in expand(doc)]
    # W&B operator resources, and the server manifests and objects they refer to, are read after pooling
    resources: list[tuple[Any, Origin]] = []
    manifests: list[server_manifest.ServerManifest] = []
    public = operator.public_secret_keys(obj for obj, _, _ in objects)
    errors: list[InputError] = []
    for obj, origin, template in objects:
        kind = obj.get("kind")
        if server_manifest.looks_like(obj):  # W&B's manifest has no Kubernetes kind
            manifests.append(server_manifest.ServerManifest.of(origin.source, obj))
            continue
        malformed = _malformed(obj)
        if malformed:
            errors.append(InputError(origin.source, f"{kind}: {malformed}", origin.line))
            continue
        ns, name = _meta(obj)
        if operator.is_resource(obj):
            resources.append((obj, origin))
        elif kind == "ConfigMap":
            pool.config_maps[(ns, name)] = (obj, origin)
        elif kind == "Secret":
            keys = {k for p_ns, p_name, k in public if p_name == name and (p_ns == ns or not p_ns or not ns)}
            _remember_secret_values(obj, keys)
            pool.secrets[(ns, name)] = (obj, origin)
        elif kind in WORKLOAD_KINDS:
            pool.workloads.append((obj, origin, template))
    evidence = Evidence(errors=tuple(errors))
    for obj, origin, template in pool.workloads:
        idle = _not_running(obj, pool)
        if idle:
            label = f"{obj.get('kind')}/{_meta(obj)[1]}"
            evidence = evidence.merge(Evidence(notes=(Note(f"{label} is not judged: {idle}", origin),)))
            continue
        evidence = evidence.merge(_workload(obj, origin, pool, template))
    found = operator.Pool(
        lambda ns, name: _lookup(pool.config_maps, ns, name),
        lambda ns, name: _lookup(pool.secrets, ns, name),
        manifests,
        lambda ns, name: _rendered_env(pool, ns, name),
    )
    for obj, origin in resources:
        evidence = evidence.merge(operator.read(obj, origin, found))
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


def _remember_secret_values(obj: Any, public: set[str] | None = None) -> None:
    """Every value of a Secret is a secret, except the keys an operator resource names for its bucket."""
    for key in ("data", "stringData"):
        values = obj.get(key)
        if not isinstance(values, dict):
            continue
        for item, value in values.items():
            if not isinstance(value, str) or (public and str(item) in public):
                continue
            current().remember(value)
            if key == "data":
                with contextlib.suppress(binascii.Error, ValueError):
                    current().remember(base64.b64decode(value, validate=True).decode("utf-8", "replace"))


def _not_running(obj: Any, pool: _Pool) -> str:
    """Why a workload runs no server of its own ("" when it may): ``kubectl get all`` lists a
    Deployment's ReplicaSets, old ones scaled to 0, beside it; the Deployment's template is what runs."""
    ns, _ = _meta(obj)
    owners = dig(obj, "metadata", "ownerReferences")
    for owner in owners if obj.get("kind") == "ReplicaSet" and isinstance(owners, list) else []:
        if not isinstance(owner, dict) or owner.get("kind") != "Deployment":
            continue
        for other, _, _ in pool.workloads:
            o_ns, o_name = _meta(other)
            if other.get("kind") == "Deployment" and o_name == owner.get("name") and (o_ns == ns or not o_ns):
                return f"a ReplicaSet of Deployment/{o_name}, which is judged instead"
    replicas = dig(obj, "spec", "replicas")
    if replicas == 0 and not isinstance(replicas, bool):
        return "scaled to 0 replicas, it runs no server"
    return ""


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


def _workload(obj: Any, origin: Origin, pool: _Pool, template: str | None = None) -> Evidence:
    """The W&B server containers of one workload; ``template`` is the chart template that rendered it."""
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
        path = f"{template} containers[{index}]" if template else f"containers[{index}]"
        c_origin = Origin(origin.source, key_line(containers, index) or origin.line, path)
        label = f"{obj.get('kind')}/{name} container {container.get('name', index)}"
        read = _container_env(container, ns, c_origin, pool, label)
        role = container_role(container, name)
        has_server_var = any(is_server_var(v.name) for v in read.env)
        if role.role is Role.OTHER or (role.role is Role.WANDB_SERVICE and not has_server_var):
            signals.extend(s for s in read.signals if s.kind is SignalKind.BASE_URL)
            if any(v.name == GC_FLAG for v in read.env):
                notes.append(Note(f"{label} sets {GC_FLAG}, but it is not judged: {role.why}", c_origin))
            continue
        components.append(
            Component(
                name=label,
                kind=ComponentKind.K8S_CONTAINER,
                origin=c_origin,
                env=read.env,
                shadowed=read.shadowed,
                gaps=read.gaps,
                runs_gc=role.role is Role.GC_SERVER,
                namespace=ns,
                placement=WorkloadContainer(
                    str(obj.get("kind")), str(name), str(container.get("name", index)), ns, origin.source
                ),
            )
        )
        buckets.extend(read.buckets)
        signals.extend(read.signals)
        notes.extend(read.notes)
        what = "server" if role.role is Role.GC_SERVER else "service"
        signals.append(
            Signal(SignalKind.SERVER_CONFIG, f"W&B {what} workload {label} ({role.why})", c_origin)
        )
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
    # What the kubelet substitutes for $(NAME): the raw value, or why gcready cannot know it
    defined: dict[str, str | EnvValue] = {}
    unseen: list[str] = []  # envFrom sources not among the inputs (optional ones may exist too)
    gap_at: list[int] = []  # for each gap, how many env values were read before it

    def take(name: str, raw: str, where: Origin) -> None:
        got = read_env_var(name, raw, where)
        ordered.append(got.value)
        defined[name] = raw
        out.buckets.extend(got.buckets)
        out.signals.extend(got.signals)
        out.notes.extend(got.notes)

    def unknown(value: EnvValue) -> None:
        ordered.append(value)
        defined[value.name] = value

    env_from = container.get("envFrom") or []
    for source in env_from if isinstance(env_from, list) else []:
        if not isinstance(source, dict):
            continue
        prefix = str(source.get("prefix") or "")
        if isinstance(source.get("configMapRef"), dict):
            ref, kind, table = source["configMapRef"], "ConfigMap", pool.config_maps
        elif isinstance(source.get("secretRef"), dict):
            ref, kind, table = source["secretRef"], "Secret", pool.secrets
        else:
            continue
        found = _lookup(table, ns, str(ref.get("name")))
        if found is None:
            unseen.append(f"{kind} {ref.get('name')} (envFrom)")
            # an optional source may exist all the same: what it sets is just as unknown
            optional = ", optional" if ref.get("optional") else ""
            gaps.append(f"{kind} {ref.get('name')} (envFrom{optional}), not among the inputs")
            gap_at.append(len(ordered))
            continue
        if kind == "ConfigMap":
            cm, cm_origin = found
            data = cm.get("data") or {}
            for key, value in data.items():
                where = _data_origin(cm_origin, data, key, "data")
                if isinstance(value, str):
                    take(prefix + str(key), value, where)
                else:
                    unknown(unresolved(prefix + str(key), where, not_a_string(ref.get("name"), value)))
        else:
            secret, s_origin = found
            for section in ("data", "stringData"):
                data = secret.get(section) or {}
                for key in data:
                    where = _data_origin(s_origin, data, key, section)
                    unknown(from_secret(prefix + str(key), where, f"{ref.get('name')}"))
    _outranked(ordered, gaps, gap_at, defined)
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
                unknown(value)
        elif "value" in item:
            raw = item["value"]
            if not isinstance(raw, str):
                unknown(
                    unresolved(
                        name,
                        where,
                        f"value {raw!r} is not a string: the Kubernetes API server rejects this manifest",
                    )
                )
                continue
            _take_expanded(name, raw, where, defined, unseen, take, unknown, out)
        else:
            take(name, "", where)
    effective: dict[str, EnvValue] = {}
    for value in ordered:
        effective[value.name] = value  # later wins; env entries come after envFrom
    out.env = tuple(effective.values())
    out.shadowed = tuple(v for v in ordered if effective[v.name] is not v)
    out.gaps = tuple(gaps)
    return out


def _outranked(
    ordered: list[EnvValue], gaps: list[str], gap_at: list[int], defined: dict[str, str | EnvValue]
) -> None:
    """Mark the envFrom values a later source not among the inputs may override (a later source wins)."""
    last = {value.name: index for index, value in enumerate(ordered)}
    for index, value in enumerate(ordered):
        later = tuple(gap for gap, at in zip(gaps, gap_at, strict=True) if at > index)
        if not later:
            continue
        ordered[index] = replace(value, outranked_by=later)
        if last[value.name] == index:  # what $(NAME) expands to is just as unsure
            why = "a later envFrom source may set it: " + ", ".join(later)
            defined[value.name] = unresolved(value.name, value.origin, why, secret=value.redacted)


def _take_expanded(
    name: str,
    raw: str,
    where: Origin,
    defined: dict[str, str | EnvValue],
    unseen: list[str],
    take: Callable[[str, str, Origin], None],
    unknown: Callable[[EnvValue], None],
    out: _ContainerEnv,
) -> None:
    """An ``env`` value after the kubelet's ``$(VAR)`` expansion (only a non-empty ``value`` expands)."""
    used: list[EnvValue] = []

    def mapping(ref: str) -> str | None:
        found = defined.get(ref)
        if found is None and unseen:  # undefined here, but a source gcready cannot see may define it
            found = unresolved(ref, where, "it may come from " + ", ".join(unseen) + ", not among the inputs")
        if isinstance(found, EnvValue):
            used.append(found)
            return _UNKNOWN
        return found

    value = expand_references(raw, mapping) if "$" in raw else raw
    if not used:
        take(name, value, where)
        return
    refs = ", ".join(dict.fromkeys(f"$({v.name}) ({v.unresolved})" for v in used))
    unknown(
        unresolved(
            name,
            where,
            f"refers to {refs}: its value is not known",
            secret=any(v.redacted for v in used),
        )
    )
    if name in BUCKET_ENV_VARS:
        bucket = _bucket_with_unknown_credentials(name, value, where, refs)
        if isinstance(bucket, BucketRef):
            out.buckets.append(bucket)
        else:
            out.notes.append(bucket)


def _bucket_with_unknown_credentials(name: str, url: str, where: Origin, refs: str) -> BucketRef | Note:
    """A bucket URL whose only unknown parts are its credentials names its bucket all the same."""
    scheme, _, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    userinfo, at, host = netloc.rpartition("@")
    if _UNKNOWN in host or _UNKNOWN in tail or _UNKNOWN in scheme:
        return Note(f"{name}: the bucket is not known: it refers to {refs}", where)
    known = f"{scheme}://{userinfo.replace(_UNKNOWN, 'x')}{at}{host}{slash}{tail}"
    try:
        bucket = parse_bucket_url(known, where)
    except BucketURLError as exc:
        return Note(f"{name}: {exc}", where)
    display = redact_url(known) if at else bucket.display
    return replace(bucket, credentials=None, had_credentials=bool(at), display=display)


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
        key_origin = _data_origin(cm_origin, data, key, f"ConfigMap {cm_name} data")
        if not isinstance(data[key], str):
            return unresolved(name, key_origin, not_a_string(cm_name, data[key]))
        if is_secret_name(key):  # a credential kept in a ConfigMap is still a credential
            current().remember(data[key])
            return EnvValue(name, None, key_origin, redacted=True)
        return EnvValue(name, data[key], key_origin)
    if isinstance(spec.get("secretKeyRef"), dict):
        ref = spec["secretKeyRef"]
        found = _lookup(pool.secrets, ns, str(ref.get("name")))
        if found is not None and not any(
            isinstance(found[0].get(section), dict) and str(ref.get("key")) in found[0][section]
            for section in ("data", "stringData")
        ):
            if ref.get("optional"):
                return None  # the Secret is among the inputs without that key: the variable is not set
            return unresolved(
                name, where, f"Secret {ref.get('name')} has no key {ref.get('key')}: the pod would not start"
            )
        return from_secret(name, where, f"{ref.get('name')} key {ref.get('key')}")
    kind = next(iter(spec), "valueFrom")
    return unresolved(name, where, f"set at run time by {kind}")


def first_line(data: Any) -> int:
    return start_line(data)


def _rendered_env(pool: _Pool, ns: str, name: str) -> tuple[tuple[EnvValue, ...], Origin] | None:
    """The env of container ``name`` of Deployment ``name``: how operator v2 renders an application."""
    for obj, origin, _ in pool.workloads:
        w_ns, w_name = _meta(obj)
        if obj.get("kind") != "Deployment" or w_name != name or (ns and w_ns and w_ns != ns):
            continue
        spec = _pod_spec(obj)
        containers = spec.get("containers") if isinstance(spec, dict) else None
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            if isinstance(container, dict) and container.get("name") == name:
                where = Origin(
                    origin.source, key_line(containers, index) or origin.line, f"containers[{index}]"
                )
                return _container_env(container, w_ns, where, pool, f"Deployment/{name}").env, where
    return None
