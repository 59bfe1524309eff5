"""W&B's server manifest: what the operator (v2) deploys for one W&B server version.

The operator pulls it as an OCI artifact (``oci://us-docker.pkg.dev/wandb-production/public/wandb/
server-manifest:<version>``, a ``manifest.yaml``). Each ``applications.<app>`` names its image, its
``commonEnvs`` (groups under ``commonEnvvars``) and its own ``env``; an app's own entry replaces a
common one of the same name. Values are literals, ``valueFrom`` bodies, or ``sources`` the operator
fills in at reconcile time (the bucket connection, MySQL, a generated Secret…).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gcready.model import EnvValue, Origin
from gcready.sources.envvars import EnvRead, from_secret, read_env_var, unresolved
from gcready.sources.yamldocs import key_line

# (kind, name, key) of a ConfigMap key → None: the object is not among the inputs; (None, origin): it
# has no such key; (value, origin): the value.
# (value or None when the ConfigMap has no such key, where), why the value cannot be used, or None
# when the ConfigMap is not among the inputs
EnvLookup = Callable[[str, str, str], tuple[str | None, Origin] | str | None]

MANIFEST_REPOSITORY = "oci://us-docker.pkg.dev/wandb-production/public/wandb/server-manifest"


def looks_like(data: Any) -> bool:
    """A server manifest: ``applications`` (a map of app → spec) with ``commonEnvvars`` or
    ``requiredOperatorVersion``, and no Kubernetes ``apiVersion``/``kind``."""
    return (
        isinstance(data, dict)
        and "apiVersion" not in data
        and "kind" not in data
        and isinstance(data.get("applications"), dict)
        and ("commonEnvvars" in data or "requiredOperatorVersion" in data)
    )


@dataclass(frozen=True)
class ServerManifest:
    """One manifest document, as read; ``version`` is the server image tag its applications run."""

    source: str
    data: dict[str, Any]
    version: str | None

    @classmethod
    def of(cls, source: str, data: dict[str, Any]) -> ServerManifest:
        """The manifest of a document that :func:`looks_like` one."""
        return cls(source, data, _version(data))

    def applications(self) -> dict[str, Any]:
        apps = self.data.get("applications")
        return apps if isinstance(apps, dict) else {}

    def deployed(self, app: str, features: dict[str, bool]) -> bool:
        """Whether the operator deploys ``app``: feature-gated apps need one of their features on
        (the manifest's ``features``, overridden by the resource's ``spec.wandb.features``)."""
        spec = self.applications().get(app)
        if not isinstance(spec, dict):
            return False
        gates = spec.get("features")
        if not isinstance(gates, list) or not gates:
            return True
        base = self.data.get("features")
        merged = {**(base if isinstance(base, dict) else {}), **features}
        return any(merged.get(str(g)) is True for g in gates)

    def env(self, app: str, lookup: EnvLookup | None = None) -> list[EnvRead]:
        """The env the manifest gives ``app``, in order (a later entry of the same name wins)."""
        spec = self.applications().get(app)
        if not isinstance(spec, dict):
            return []
        common = self.data.get("commonEnvvars")
        groups = spec.get("commonEnvs")
        entries: list[tuple[Any, Origin]] = []
        for group in groups if isinstance(groups, list) else []:
            items = common.get(group) if isinstance(common, dict) else None
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                where = f"commonEnvvars.{group}[{index}]"
                entries.append((item, Origin(self.source, key_line(items, index), where)))
        own = spec.get("env")
        own_items = own if isinstance(own, list) else []
        own_names = {str(i.get("name")) for i in own_items if isinstance(i, dict)}
        entries = [
            (i, o) for i, o in entries if not (isinstance(i, dict) and str(i.get("name")) in own_names)
        ]
        for index, item in enumerate(own_items):
            where = f"applications.{app}.env[{index}]"
            entries.append((item, Origin(self.source, key_line(own_items, index), where)))
        out: list[EnvRead] = []
        for item, origin in entries:
            if not isinstance(item, dict) or not item.get("name"):
                continue
            name = str(item["name"])
            origin = Origin(origin.source, origin.line, f"{origin.path} {name}")
            out.append(read_entry(name, item, origin, lookup))
        return out


def read_entry(name: str, item: dict[str, Any], origin: Origin, lookup: EnvLookup | None) -> EnvRead:
    """One ``corev1.EnvVar``-shaped entry (manifest or ``legacyOverrides``): value, valueFrom, sources."""
    if isinstance(item.get("valueFrom"), dict):
        return EnvRead(_value_from(name, item["valueFrom"], origin, lookup))
    raw = item.get("value")
    if raw is not None and raw != "":
        if not isinstance(raw, str):
            return EnvRead(
                unresolved(
                    name, origin, f"value {raw!r} is not a string: the Kubernetes API server rejects it"
                )
            )
        return read_env_var(name, raw, origin)
    sources = item.get("sources") or item.get("source")
    if isinstance(sources, list) and sources:
        kinds = ", ".join(
            f"{s.get('type')} {s.get('name') or ''}".strip() for s in sources if isinstance(s, dict)
        )
        return EnvRead(unresolved(name, origin, f"filled in by the operator from {kinds}"))
    return read_env_var(name, "", origin)


def _value_from(name: str, spec: dict[str, Any], origin: Origin, lookup: EnvLookup | None) -> EnvValue:
    ref = spec.get("configMapKeyRef")
    if isinstance(ref, dict):
        cm, key = str(ref.get("name")), str(ref.get("key"))
        found = lookup("ConfigMap", cm, key) if lookup is not None else None
        if found is None:
            return unresolved(name, origin, f"from ConfigMap {cm} key {key}, not among the inputs")
        if isinstance(found, str):
            return unresolved(name, origin, found)
        value, where = found
        if value is None:
            return unresolved(name, origin, f"ConfigMap {cm} has no key {key}: the pod would not start")
        return read_env_var(name, value, where).value
    ref = spec.get("secretKeyRef")
    if isinstance(ref, dict):
        return from_secret(name, origin, f"{ref.get('name')} key {ref.get('key')}")
    kind = next(iter(spec), "valueFrom")
    return unresolved(name, origin, f"set at run time by {kind}")


def _version(data: dict[str, Any]) -> str | None:
    """The server version: the image tag of ``api`` (the server), else of any application."""
    apps = data.get("applications")
    if not isinstance(apps, dict):
        return None
    for spec in (apps.get("api"), *apps.values()):
        image = spec.get("image") if isinstance(spec, dict) else None
        if isinstance(image, dict) and image.get("tag"):
            return str(image["tag"])
    return None


def same_version(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and str(a).strip().lstrip("v") == str(b).strip().lstrip("v")


def how_to_get(version: str | None, namespace: str) -> str:
    """How to give gcready the manifest of ``version`` (or the Deployments the operator rendered).

    The artifact's layers are tar archives holding ``manifest.yaml`` (the operator untars them), so a
    plain ``oras pull`` is not enough: fetch the layer and untar it, as W&B's operator repo does in
    ``hack/scripts/pull-server-manifest.sh``.
    """
    tag = version or "VERSION"
    repo = MANIFEST_REPOSITORY.removeprefix("oci://")
    ns = f" -n {namespace}" if namespace else ""
    return (
        f"the server manifest of W&B {tag} ({MANIFEST_REPOSITORY}:{tag}; its layer is a tar archive: "
        f"oras blob fetch {repo}@$(oras manifest fetch {repo}:{tag} | jq -r '.layers[0].digest') "
        "--output - | tar -xf -, or bash hack/scripts/pull-server-manifest.sh "
        f"{tag} in a checkout of wandb/operator; then --server-manifest manifest.yaml) or the "
        f"Deployments the operator rendered (kubectl get deploy{ns} -o yaml)"
    )
