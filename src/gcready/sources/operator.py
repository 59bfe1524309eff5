"""W&B operator resources (``kind: WeightsAndBiases``), ``apps.wandb.com/v1`` and ``/v2``.

v1 carries Helm values of the operator-wandb chart under ``spec.values`` (read by the chart rules in
:mod:`gcready.sources.helm`); a v1 resource without ``spec.values`` runs on the chart's defaults.

v2 has no Helm values. The operator builds each application's env from the **server manifest** of
``spec.wandb.version``, then applies ``spec.wandb.legacyOverrides["global"].env``, then
``legacyOverrides["<app>"].env`` (replace by name: per-app wins over global, both over the manifest).
A key that is neither ``global`` nor a manifest application is ignored by the operator. The W&B server
(and its garbage collector) is the ``api`` application. The bucket is ``spec.objectStore.default``:
``managedObjectStore`` (the operator runs SeaweedFS in the cluster; it turns no versioning on) or
``externalObjectStore``, whose fields all point at keys of Secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from gcready.bucketurl import BucketURLError, parse_bucket_url
from gcready.model import (
    BucketRef,
    Component,
    ComponentKind,
    EnvValue,
    Evidence,
    Note,
    OperatorPlacement,
    Origin,
    Provider,
    Signal,
    SignalKind,
    unique,
)
from gcready.model.placement import HelmValues, OperatorV1
from gcready.redact import display_env_value, is_secret_name
from gcready.sources import helm
from gcready.sources.envvars import EnvRead, not_a_string
from gcready.sources.server_manifest import (
    EnvLookup,
    ServerManifest,
    how_to_get,
    read_entry,
    same_version,
)
from gcready.sources.yamldocs import dig, key_line

GROUP = "apps.wandb.com/"
GLOBAL_KEY = "global"
SERVER_APP = "api"  # the megabinary running `gorilla`: the W&B server, where the collector runs
_SERVER_IMAGE = re.compile(r"(^|/)wandb/(megabinary|local)$")
# externalObjectStore fields gcready reads from their Secret: none is a credential.
PUBLIC_FIELDS = ("provider", "endpoint", "port", "bucket", "path", "region", "tlsEnabled")
CREDENTIAL_FIELDS = ("accessKey", "secretKey", "url", "URL")

Find = Callable[[str, str], tuple[Any, Origin] | None]  # (namespace, name) -> object among the inputs
# (namespace, application) -> the env of the Deployment the operator rendered for it, when among the inputs
Rendered = Callable[[str, str], tuple[tuple[EnvValue, ...], Origin] | None]


@dataclass(frozen=True)
class Pool:
    """What the other inputs hold that an operator resource refers to."""

    config_map: Find = field(default=lambda ns, name: None)
    secret: Find = field(default=lambda ns, name: None)
    manifests: Sequence[ServerManifest] = ()
    rendered: Rendered = field(default=lambda ns, name: None)


def is_resource(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("kind") == "WeightsAndBiases"
        and str(data.get("apiVersion", "")).startswith(GROUP)
    )


def _meta(obj: Any) -> tuple[str, str]:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "wandb")


def _default_store(obj: Any) -> Any:
    stores = dig(obj, "spec", "objectStore")
    return stores.get("default") if isinstance(stores, dict) else None


def public_secret_keys(objects: Iterable[Any]) -> set[tuple[str, str, str]]:
    """(namespace, Secret, key) that v2 resources name for a bucket's provider, endpoint, name or
    region: not credentials, so their values may be shown. A key also named as a credential is not."""
    public: set[tuple[str, str, str]] = set()
    secret: set[tuple[str, str, str]] = set()
    for obj in objects:
        if not is_resource(obj) or not str(obj.get("apiVersion")).endswith("/v2"):
            continue
        ns, _ = _meta(obj)
        external = dig(_default_store(obj), "externalObjectStore")
        if not isinstance(external, dict):
            continue
        for name, selector in external.items():
            if isinstance(selector, dict) and selector.get("name") and selector.get("key"):
                ref = (ns, str(selector["name"]), str(selector["key"]))
                (public if name in PUBLIC_FIELDS else secret).add(ref)
    return public - secret


def read(obj: Any, origin: Origin, pool: Pool | None = None) -> Evidence:
    """One operator resource (a document, or an item of a ``kind: List``)."""
    pool = pool or Pool()
    version = str(obj.get("apiVersion", "")).removeprefix(GROUP)
    _, name = _meta(obj)
    if version == "v2":
        return _read_v2(obj, origin, pool)
    if version != "v1":
        return Evidence(
            signals=(Signal(SignalKind.SERVER_CONFIG, f"W&B operator resource {name}", origin),),
            notes=(Note(f"apiVersion {obj.get('apiVersion')} is not one gcready knows (v1, v2)", origin),),
        )
    return read_v1(obj, origin)


def _at(origin: Origin, path: str) -> str:
    """A path inside the resource, under the List item it is in (``items[2].spec.values``)."""
    return f"{origin.path}.{path}" if origin.path else path


def read_v1(obj: Any, origin: Origin) -> Evidence:
    """v1: Helm values under ``spec.values``; none means the chart's defaults (no GC flag)."""
    ns, name = _meta(obj)
    values = dig(obj, "spec", "values")
    label = f"WeightsAndBiases/{name}"
    prefix = _at(origin, "spec.values") + "."
    if isinstance(values, dict):
        evidence = helm._read_values(values, origin.source, prefix, label)
        app = values.get("app")
        if isinstance(app, dict) and ("env" in app or "extraEnv" in app):
            evidence = evidence.merge(
                Evidence(
                    notes=(
                        Note(
                            "operator v2 converts this resource without its app section (there the W&B "
                            "server is the api application): env set under app.env / app.extraEnv is "
                            "dropped on an operator v2 cluster; global.extraEnv is carried over",
                            Origin(origin.source, key_line(values, "app"), prefix + "app"),
                        ),
                    )
                )
            )
    else:
        here = Origin(origin.source, origin.line, _at(origin, "spec"))
        evidence = helm._read_values({}, origin.source, prefix, label)
        evidence = replace(
            evidence,
            components=tuple(replace(c, origin=here) for c in evidence.components),
            notes=(
                *evidence.notes,
                Note(
                    f"{label} has no spec.values: an instance running on the operator-wandb chart's "
                    "defaults, which set no GORILLA_ARTIFACT_GC_ENABLED",
                    here,
                ),
            ),
        )
    return replace(
        evidence,
        components=tuple(
            replace(c, namespace=ns, placement=OperatorV1(name, ns, origin.source, _section(c)))
            for c in evidence.components
        ),
    )


def _section(component: Component) -> str:
    """The chart section a v1 resource's component is configured in (``app``, ``api``…)."""
    placement = component.placement
    return placement.component if isinstance(placement, HelmValues) else "app"


# ------------------------------------------------------------------------------------------- v2


def _pick_manifest(manifests: Sequence[ServerManifest], version: str) -> tuple[ServerManifest | None, str]:
    """The manifest of this version among the inputs, or why none is used."""
    for manifest in manifests:
        if same_version(manifest.version, version):
            return manifest, ""
    if len(manifests) == 1 and (manifests[0].version is None or not version):
        return manifests[0], ""
    if manifests:
        given = ", ".join(f"{m.source} ({m.version})" for m in manifests)
        return None, f"the server manifest given ({given}) is not that of W&B {version or '(no version)'}"
    return None, ""


def entry_text(item: Any) -> str | None:
    """An override entry as JSON a fix may write back, or None when it holds a secret literal."""
    if not isinstance(item, dict):
        return None
    name = str(item.get("name") or "")
    if "valueFrom" not in item and (
        is_secret_name(name) or display_env_value(name, str(item.get("value") or ""))[1]
    ):
        return None  # a secret literal (or a URL with keys): gcready keeps no copy to write back
    try:
        return json.dumps(item, separators=(",", ":"), sort_keys=False)
    except (TypeError, ValueError):
        return None


@dataclass
class _Layer:
    reads: list[EnvRead] = field(default_factory=list)
    written: tuple[str | None, ...] | None = None
    notes: list[Note] = field(default_factory=list)


def _override_layer(node: Any, origin: Origin, path: str, resolve: EnvLookup) -> _Layer:
    """``legacyOverrides.<key>.env``: a list of corev1.EnvVar (a later duplicate wins)."""
    layer = _Layer()
    env = node.get("env") if isinstance(node, dict) else None
    if env is not None and not isinstance(env, list):
        layer.notes.append(
            Note(
                f"{path}.env must be a list of {{name, value}} entries (as in a container's env): the API "
                "server rejects this resource; nothing in it is counted",
                Origin(origin.source, key_line(node, "env") or origin.line, f"{path}.env"),
            )
        )
    if not isinstance(env, list):
        return layer
    layer.written = tuple(entry_text(item) for item in env)
    for index, item in enumerate(env):
        if not isinstance(item, dict) or not item.get("name"):
            continue
        name = str(item["name"])
        where = Origin(origin.source, key_line(env, index) or origin.line, f"{path}.env[{index}] {name}")
        layer.reads.append(read_entry(name, item, where, resolve))
    return layer


def _read_v2(obj: Any, origin: Origin, pool: Pool) -> Evidence:
    ns, name = _meta(obj)
    label = f"WeightsAndBiases/{name}"
    wandb = dig(obj, "spec", "wandb")
    wandb = wandb if isinstance(wandb, dict) else {}
    version = str(wandb.get("version") or "")
    overrides = wandb.get("legacyOverrides")
    overrides = overrides if isinstance(overrides, dict) else {}
    features = (
        {str(k): v for k, v in (wandb.get("features") or {}).items()}
        if isinstance(wandb.get("features"), dict)
        else {}
    )
    here = Origin(origin.source, origin.line, _at(origin, "spec.wandb"))
    lo_path = _at(origin, "spec.wandb.legacyOverrides")
    notes: list[Note] = []
    signals = [Signal(SignalKind.SERVER_CONFIG, f"W&B operator resource {name} (apps.wandb.com/v2)", origin)]
    host = wandb.get("hostname")
    if isinstance(host, str) and host.strip():
        signals.append(
            Signal(SignalKind.BASE_URL, host.strip(), Origin(origin.source, key_line(wandb, "hostname")))
        )

    def resolve(kind: str, ref: str, key: str) -> tuple[str | None, Origin] | str | None:
        found = pool.config_map(ns, ref)
        if found is None:
            return None
        cm, cm_origin = found
        data = cm.get("data") if isinstance(cm.get("data"), dict) else {}
        if key not in data:
            return None, cm_origin
        if not isinstance(data[key], str):
            return not_a_string(ref, data[key])
        return data[key], Origin(cm_origin.source, key_line(data, key), f"ConfigMap {ref} data.{key}")

    if "retention" in wandb:  # no v2 field: the API server prunes it, the operator never reads it
        notes.append(
            Note(
                "spec.wandb.retention is not a field of apps.wandb.com/v2: it sets nothing (the API server "
                "drops it); the GC flag is set through legacyOverrides",
                Origin(origin.source, key_line(wandb, "retention"), _at(origin, "spec.wandb.retention")),
            )
        )
    manifest, why_not = _pick_manifest(pool.manifests, version)
    if why_not:
        notes.append(Note(why_not + ": it is not used", here))
    gap = () if manifest else (how_to_get(version, ns) + ", not among the inputs",)
    apps: list[str]
    if manifest is not None:
        known = manifest.applications()
        apps = [
            a
            for a, spec in known.items()
            if manifest.deployed(a, features) and (a == SERVER_APP or a in overrides or _runs_server(spec))
        ]
        for key in overrides:
            if key != GLOBAL_KEY and key not in known:
                notes.append(
                    Note(
                        f"legacyOverrides.{key} is ignored by the operator: the server manifest of W&B "
                        f"{manifest.version or version} has no application {key!r}"
                        + (" (the W&B server is the api application)" if key == "app" else ""),
                        Origin(origin.source, key_line(overrides, key), f"{lo_path}.{key}"),
                    )
                )
    else:
        apps = [SERVER_APP, *(str(k) for k in overrides if k not in (GLOBAL_KEY, SERVER_APP))]
        if "app" in overrides:
            notes.append(
                Note(
                    "legacyOverrides.app applies only if the server manifest has an application named "
                    "app; with operator v2 the W&B server is the api application",
                    Origin(origin.source, key_line(overrides, "app"), f"{lo_path}.app"),
                )
            )
    global_layer = _override_layer(overrides.get(GLOBAL_KEY), origin, f"{lo_path}.global", resolve)
    notes.extend(global_layer.notes)
    components: list[Component] = []
    buckets: list[BucketRef] = []
    for app in apps:
        app_layer = _override_layer(overrides.get(app), origin, f"{lo_path}.{app}", resolve)
        notes.extend(app_layer.notes)
        base: list[EnvRead] = manifest.env(app, resolve) if manifest else []
        app_gap = gap
        rendered = None if manifest else pool.rendered(ns, app)
        if rendered is not None:
            # the Deployment the operator rendered holds the manifest's env (and the overrides of its
            # last reconcile); today's overrides are applied on top, as the next reconcile would
            base = [EnvRead(v) for v in rendered[0]]
            app_gap = ()
            notes.append(
                Note(
                    f"{app} ({label}): no server manifest among the inputs; the env of Deployment {app}, "
                    "which the operator rendered, stands in for it",
                    rendered[1],
                )
            )
        reads = [*base, *global_layer.reads, *app_layer.reads]
        effective: dict[str, EnvValue] = {}
        shadowed: list[EnvValue] = []
        for got in reads:
            if got.value.name in effective:
                shadowed.append(effective[got.value.name])
            effective[got.value.name] = got.value
            buckets.extend(got.buckets)
            signals.extend(got.signals)
            notes.extend(got.notes)
        if app in overrides:
            at = Origin(origin.source, key_line(overrides, app), f"{lo_path}.{app}")
        else:
            at = Origin(origin.source, origin.line, f"{_at(origin, 'spec.wandb')} (application {app})")
        components.append(
            Component(
                name=f"{app} ({label})",
                kind=ComponentKind.OPERATOR_APP,
                origin=at,
                env=tuple(effective.values()),
                shadowed=tuple(shadowed),
                gaps=app_gap,
                runs_gc=app == SERVER_APP,
                namespace=ns,
                operator=OperatorPlacement(
                    resource=name,
                    namespace=ns,
                    application=app,
                    version=version,
                    global_env=global_layer.written,
                    app_env=app_layer.written,
                ),
            )
        )
    looked = ", ".join(apps)
    source = (
        f"the server manifest {manifest.source}" if manifest else "legacyOverrides only (no server manifest)"
    )
    notes.append(
        Note(
            f"{label} (operator v2, W&B {version or '?'}): applications read from {source}: "
            f"{looked}; {SERVER_APP} runs the W&B server and is the one judged",
            here,
        )
    )
    store = _object_store(obj, origin, pool, ns)
    return Evidence(
        components=tuple(components),
        signals=tuple(unique(signals)),
        buckets=tuple(unique([*store.buckets, *buckets])),
        notes=tuple(unique([*notes, *store.notes])),
    )


def _runs_server(spec: Any) -> bool:
    image = dig(spec, "image", "repository")
    return isinstance(image, str) and bool(_SERVER_IMAGE.search(image))


# --------------------------------------------------------------------------------- object store


@dataclass
class _Store:
    buckets: list[BucketRef] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def _seaweed_name(cr_name: str) -> str | None:
    """The managed SeaweedFS name the operator defaults to for the default instance (None when the
    operator would shorten it with a hash: then gcready does not guess)."""
    plain = f"{cr_name}-seaweedfs"
    return plain if len(plain) <= 40 and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", plain) else None


def _object_store(obj: Any, origin: Origin, pool: Pool, ns: str) -> _Store:
    out = _Store()
    _, name = _meta(obj)
    stores = dig(obj, "spec", "objectStore")
    path = _at(origin, "spec.objectStore")
    line = key_line(obj.get("spec"), "objectStore") or origin.line
    if isinstance(stores, dict):
        for key in stores:
            if key != "default":
                out.notes.append(
                    Note(
                        f"spec.objectStore.{key}: W&B stores its files in the default instance; "
                        f"{key!r} is not judged",
                        Origin(origin.source, key_line(stores, key), f"{path}.{key}"),
                    )
                )
    if isinstance(stores, dict) and stores and "default" not in stores:
        out.notes.append(
            Note(
                "spec.objectStore has no 'default' instance (it is a map keyed by instance name): the "
                "operator's webhook rejects this resource; the bucket is not known",
                Origin(origin.source, line, path),
            )
        )
        return out
    spec = _default_store(obj)
    where = Origin(
        origin.source, key_line(stores, "default") if isinstance(stores, dict) else line, f"{path}.default"
    )
    external = dig(spec, "externalObjectStore")
    if isinstance(external, dict):
        return _external(external, where, pool, ns, out)
    managed = dig(spec, "managedObjectStore")
    managed = managed if isinstance(managed, dict) else {}
    store_name = str(managed.get("name") or "") or _seaweed_name(name)
    store_ns = str(managed.get("namespace") or "") or ns
    tls = dig(managed, "SeaweedObjectStoreSpec", "tlsEnabled") is True
    endpoint = f"{store_name}-s3.{store_ns}.svc.cluster.local:8333" if store_name and store_ns else None
    out.buckets.append(
        BucketRef(
            provider=Provider.S3_COMPATIBLE,
            name="bucket",
            origin=where,
            display=f"s3://{endpoint or 'SEAWEEDFS-S3-SERVICE:8333'}/bucket",
            endpoint=endpoint,
            region="us-east-1",
            tls=tls,
        )
    )
    out.notes.append(
        Note(
            "the operator runs SeaweedFS in the cluster as this install's object store (managedObjectStore, "
            "bucket 'bucket'): an S3-compatible store of your own (on-prem); the operator does not turn "
            "bucket versioning on",
            where,
        )
    )
    return out


def _external(external: dict[str, Any], where: Origin, pool: Pool, ns: str, out: _Store) -> _Store:
    """``externalObjectStore``: provider, endpoint, bucket… are keys of Secrets (read when given)."""
    values: dict[str, str] = {}
    missing: list[str] = []
    for field_name in PUBLIC_FIELDS:
        selector = external.get(field_name)
        if not isinstance(selector, dict) or not selector.get("name"):
            continue
        secret_name, key = str(selector["name"]), str(selector.get("key") or "")
        found = pool.secret(ns, secret_name)
        if found is None:
            missing.append(f"{field_name}: key {key} of Secret {secret_name}")
            continue
        secret, _ = found
        value = _secret_value(secret, key)
        if value is None:
            if not selector.get("optional"):
                missing.append(
                    f"{field_name}: Secret {secret_name} has no key {key} (the operator cannot reconcile)"
                )
            continue
        values[field_name] = value
    if missing or "bucket" not in values:
        what = "; ".join(missing) or "no bucket selector"
        out.notes.append(
            Note(
                f"externalObjectStore: the bucket is not known ({what}); give that Secret among the inputs "
                "(kubectl get secret NAME -o yaml: gcready reads only these keys, never accessKey or "
                "secretKey) or the bucket with --bucket URL",
                where,
            )
        )
        return out
    provider = (values.get("provider") or "s3").strip().lower()
    bucket = values["bucket"].strip().strip("/")
    region = values.get("region", "").strip()
    prefix = values.get("path", "").strip("/")
    if provider == "azure":
        out.notes.append(
            Note(
                f"externalObjectStore: Azure container {bucket}; the operator takes the storage account "
                "from the accessKey key, which gcready does not read: give --bucket az://ACCOUNT/"
                f"{bucket}",
                where,
            )
        )
        return out
    if provider == "gcs":
        url = f"gs://{bucket}" + (f"/{prefix}" if prefix else "")
    elif provider == "s3":
        raw_host = values.get("endpoint", "").strip()
        host = raw_host.split("://", 1)[-1].rstrip("/")
        port = values.get("port", "").strip()
        query = [f"region={region}"] if region else []
        tls = values.get("tlsEnabled", "").strip().lower() or (
            "false" if raw_host.startswith("http://") else ""
        )
        if host:
            query.append(f"tls={'false' if tls in ('false', '0', 'f', 'False', 'FALSE') else 'true'}")
            netloc = f"{host}:{port}" if port and ":" not in host else host
            url = f"s3://{netloc}/{bucket}"
        else:
            url = f"s3://{bucket}"
        url += (f"/{prefix}" if prefix else "") + (f"?{'&'.join(query)}" if query else "")
    else:
        out.notes.append(Note(f"externalObjectStore: provider {provider!r} is not s3, gcs or azure", where))
        return out
    try:
        out.buckets.append(parse_bucket_url(url, where))
    except BucketURLError as exc:
        out.notes.append(Note(f"externalObjectStore: {exc}", where))
    return out


def _secret_value(secret: Any, key: str) -> str | None:
    import base64
    import binascii

    string_data = secret.get("stringData")
    if isinstance(string_data, dict) and key in string_data:
        return str(string_data[key])
    data = secret.get("data")
    if isinstance(data, dict) and key in data:
        try:
            return base64.b64decode(str(data[key]), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
    return None
