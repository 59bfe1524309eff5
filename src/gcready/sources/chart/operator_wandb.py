"""The rules of the ``operator-wandb`` chart (0.43.x) that decide a component's environment.

Read from the chart's ``Chart.yaml``, ``values.yaml`` and ``wandb-base/templates/_containers.tpl``; used
by the Helm values reader, and through :func:`component_env` / :func:`deployed` by the operator-resource
and Terraform readers, so the chart is modelled once.

- **Which components render**: a subchart renders when its ``Chart.yaml`` condition is a boolean true in
  the coalesced values; a condition path that is missing or not a boolean leaves it enabled (Helm's
  rule). ``api`` renders on ``global.api.enabled`` (default false), ``app`` on ``app.install``.
- **Values**: user values are coalesced over the chart's defaults: maps merge, ``null`` deletes.
- **Env of a container** (first non-empty wins: sprig ``merge``, so ``false``, ``""`` and ``0`` are
  filled from a lower layer): ``<c>.containers.<name>.env`` > ``<c>.env`` > ``<c>.extraEnv`` >
  ``global.env`` > ``global.extraEnv`` > the size preset's env (``<c>.sizing.<size>.env``, size from
  ``<c>.size`` or ``global.size``). Values print with ``toString | quote`` and then go through ``tpl``.
- **A subchart's globals**: ``<c>.global`` is the component's own ``global:``; Helm's coalesceGlobals
  merges the parent's ``global`` over it (the parent's keys win, maps merge, the subchart's fill in what
  the parent lacks), so ``app.global.env`` reaches app's ``.Values.global.env``. Templates in an env
  value see the component's ``.Values`` (its section, with those globals).
- **envTpls** (``<c>.envTpls``, a list of templates each rendering a YAML list of env entries) come first
  in the container's env, without the names the env maps set; the env maps follow in key order. The
  chart's own envTpls never set ``GORILLA_ARTIFACT_GC_ENABLED``; a user's list replaces them.
- **Disabled container**: ``<c>.containers.<name>.enabled`` false drops the server container.
- **envFrom**: ``<c>.containers.<name>.envFrom`` over ``<c>.envFrom`` (map name → configMapRef or
  secretRef). ``global.extraEnvFrom`` is read only by the exporters', otel's and mysql's templates,
  never by these components. The chart's own ConfigMaps (``{{ .Release.Name }}-…``) never set
  ``GORILLA_ARTIFACT_GC_ENABLED`` in 0.43.x.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from gcready.redact import current, is_secret_name
from gcready.sources.chart import rendered_env
from gcready.sources.chart.helmyaml import go_string
from gcready.sources.chart.rendered_env import ChartEnv as ChartEnv

CHART_NAME = "operator-wandb"
CHART_VERSION = "0.43.8"


@dataclass(frozen=True)
class ChartComponent:
    """A wandb-base subchart of operator-wandb that can run W&B server code."""

    name: str  # the alias, and the values section
    condition: str  # Chart.yaml condition (a dotted values path)
    container: str  # the container that runs the component's binary
    runs_gc: bool = False  # the W&B server (wandb/local in app, megabinary `gorilla` in api)


COMPONENTS: tuple[ChartComponent, ...] = (
    ChartComponent("app", "app.install", "app", runs_gc=True),
    ChartComponent("api", "global.api.enabled", "api", runs_gc=True),
    ChartComponent("glue", "global.glue.enabled", "glue"),
    ChartComponent("parquet", "parquet.install", "parquet"),
    ChartComponent("console", "console.install", "console"),
    ChartComponent("filestream", "filestream.install", "filestream"),
    ChartComponent("executor", "executor.install", "executor"),
    ChartComponent("flat-run-fields-updater", "flat-run-fields-updater.install", "flat-run-fields-updater"),
)
BY_NAME = {c.name: c for c in COMPONENTS}

# Top-level sections of the chart's values.yaml: a file with any of them (and nothing Kubernetes) is values.
VALUES_SECTIONS = frozenset(
    {
        "global", "ingress", "artifactsGc", "api", "app", "appRenamePreHook", "appRenamePostHook",
        "console", "executor", "filemeta", "anaconda2", "filestream", "flat-run-fields-updater",
        "history-updater", "history-reader", "frontend", "glue", "internalSignerPreHook",
        "metric-observer", "parquet", "parquet-metadata-cache", "settingsMigrationJob",
        "clickhouseMigrationJob", "weave", "mcp-server", "weave-trace", "weave-trace-worker",
        "weave-evaluate-model-worker", "weave-trace-agent-scoring-worker", "nginx", "mysql", "yace",
        "redis", "prometheus", "stackdriver", "otel", "kafka", "etcd", "bufstream", "lumen-agent",
        "reloader", "clickhouse",
    }
)  # fmt: skip

_CHART_CONFIGMAPS = ("bucket", "redis", "kafka", "global", "api", "glue", "frontend", "app", "local")
_SIZING_DEFAULT: dict[str, Any] = {"default": {"env": {}}}  # wandb-base values.yaml


def _own_env_from(names: tuple[str, ...], secrets: tuple[str, ...]) -> dict[str, str]:
    refs = {f"{{{{ .Release.Name }}}}-{n}-configmap": "configMapRef" for n in names}
    refs.update({f"{{{{ .Release.Name }}}}-{n}": "secretRef" for n in secrets})
    return refs


_OBSERVABILITY_KEY = {
    "GORILLA_COREWEAVE_OBSERVABILITY_API_KEY": {
        "valueFrom": {
            "secretKeyRef": {
                "name": "gorilla-coreweave-observability",
                "key": "GORILLA_COREWEAVE_OBSERVABILITY_API_KEY",
                "optional": True,
            }
        }
    }
}
_API_SIZES = {"small": "100", "medium": "150", "large": "240", "xlarge": "240", "xxlarge": "240"}

# The part of operator-wandb 0.43.8's values.yaml (and wandb-base's) that decides these components'
# env; tests/unit/test_sources_helm.py compares it with the chart itself.
DEFAULTS: dict[str, Any] = {
    "global": {
        "size": "small",
        "extraEnv": {},
        "env": {},
        "extraEnvFrom": {},
        "api": {"enabled": False},
        "glue": {"enabled": False},
    },
    "app": {
        "install": True,
        "env": {
            "GORILLA_LICENSE_CERT_PATH": "/var/app/jwks.json",
            "GORILLA_GLUE_VIEW_SPEC_UPDATER_EXECUTABLE": "/usr/local/bin/view-spec-updater-linux",
            "GORILLA_GLUE_CONTAINER_PORT": "8083",
            "BUCKET_QUEUE": "internal://",
            "GORILLA_TASK_CONFIG_PATH": "/etc/service/gorilla-glue/glue_tasks_local.yaml",
            "GORILLA_VIEW_SPEC_UPDATER_EXECUTABLE": "/usr/local/bin/view-spec-updater-linux",
            **_OBSERVABILITY_KEY,
        },
        "extraEnv": {},
        "envFrom": _own_env_from(_CHART_CONFIGMAPS, ("global-secret", "gorilla-session-key")),
        "size": "",
        "sizing": _SIZING_DEFAULT,
        "containers": {"app": {}},
    },
    "api": {
        "env": dict(_OBSERVABILITY_KEY),
        "extraEnv": {},
        "envFrom": _own_env_from(
            ("bucket", "redis", "kafka", "global", "api"), ("global-secret", "gorilla-session-key")
        ),
        "size": "",
        "sizing": {
            **_SIZING_DEFAULT,
            **{s: {"env": {"GORILLA_MYSQL_MAX_OPEN_CONNS": n}} for s, n in _API_SIZES.items()},
        },
        "containers": {"api": {"args": ["gorilla"], "env": {}, "envFrom": {}}},
    },
    "glue": {"sizing": _SIZING_DEFAULT},
    "parquet": {"install": True, "sizing": _SIZING_DEFAULT},
    "console": {"install": True, "sizing": _SIZING_DEFAULT},
    "filestream": {"install": False, "sizing": _SIZING_DEFAULT},
    "executor": {"install": False, "sizing": _SIZING_DEFAULT},
    "flat-run-fields-updater": {"install": False, "sizing": _SIZING_DEFAULT},
}

_CHART_OWNED = frozenset(name for section in ("app", "api") for name in DEFAULTS[section]["envFrom"])
_TEMPLATE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_VALUES_REF = re.compile(r"^\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$")


def coalesce(defaults: Any, user: Any) -> Any:
    """User values over the chart's defaults as Helm coalesces them: maps merge, ``null`` deletes."""
    if not isinstance(user, dict) or not isinstance(defaults, dict):
        return copy.deepcopy(user)
    merged: dict[str, Any] = copy.deepcopy(defaults)
    for key, value in user.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def lookup(values: Any, path: str) -> tuple[bool, Any]:
    """``(found, value)`` at a dotted path of a values map."""
    node = values
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    return True, node


def coalesce_globals(parent: Any, own: Any) -> dict[str, Any]:
    """A subchart's ``.Values.global`` (Helm's ``coalesceGlobals``): the parent's globals merged over the
    subchart's own ``global:``. A parent key wins; a parent map merges with the subchart's map of that key
    (the parent's keys win at every level); where only one of them is a map, the subchart's value stays."""
    out: dict[str, Any] = copy.deepcopy(own) if isinstance(own, dict) else {}
    for key, value in (parent if isinstance(parent, dict) else {}).items():
        mine = out.get(key)
        if isinstance(value, dict):
            if key not in out:
                out[key] = copy.deepcopy(value)
            elif isinstance(mine, dict):
                out[key] = _fill(copy.deepcopy(value), mine)
        elif not isinstance(mine, dict):
            out[key] = copy.deepcopy(value)
    return out


def _fill(top: dict[str, Any], below: dict[str, Any]) -> dict[str, Any]:
    """``top`` with the keys it lacks taken from ``below``, at every level (``coalesceTables``, merging)."""
    for key, value in below.items():
        if key not in top:
            top[key] = copy.deepcopy(value)
        elif isinstance(top[key], dict) and isinstance(value, dict):
            _fill(top[key], value)
    return top


def scope(values: dict[str, Any], component: str) -> dict[str, Any]:
    """The component's ``.Values`` as its templates see them: its section, with its coalesced globals."""
    found, section = lookup(values, component)
    own: dict[str, Any] = dict(section) if found and isinstance(section, dict) else {}
    own["global"] = coalesce_globals(values.get("global"), own.get("global"))
    return own


def deployed(values: dict[str, Any], component: str) -> bool:
    """Whether the chart renders ``component`` for these (coalesced) values."""
    rule = BY_NAME[component]
    found, value = lookup(values, rule.condition)
    return value if found and isinstance(value, bool) else True


def go_empty(value: Any) -> bool:
    """Go's zero value test that sprig ``merge`` (mergo) uses to let a lower layer fill a key."""
    return (
        value is None
        or value is False
        or value == ""
        or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0)
        or (isinstance(value, (dict, list)) and not value)
    )


def go_merge(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """``merge layer0 layer1 …``: the first non-empty value of each key wins; maps merge deeply."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key not in out or go_empty(out[key]):
                out[key] = copy.deepcopy(value)
            elif isinstance(out[key], dict) and isinstance(value, dict):
                out[key] = go_merge([out[key], value])
    return out


@dataclass(frozen=True)
class EnvLayer:
    """One env map of a component, highest precedence first in :func:`env_layers`."""

    path: str  # values path of the map, e.g. "app.containers.app.env"
    entries: dict[str, Any]
    # where an entry was set when not at ``path``: a global the component's own ``global:`` filled in
    sources: dict[str, str] = field(default_factory=dict)

    def where(self, name: str) -> str:
        """The values path of the map that set ``name``."""
        return self.sources.get(name, self.path)


def _map_at(values: dict[str, Any], path: str) -> dict[str, Any]:
    found, node = lookup(values, path)
    return node if found and isinstance(node, dict) else {}


def size_of(values: dict[str, Any], component: str) -> str:
    """``coalesce .Values.size .Values.global.size``: the first non-empty."""
    own = scope(values, component)
    for path in ("size", "global.size"):
        found, size = lookup(own, path)
        if found and not go_empty(size):
            return go_string(size)
    return ""


def _global_layer(values: dict[str, Any], component: str, key: str) -> EnvLayer:
    """``.Values.global.<key>`` of the component: the parent's map, filled from its own ``global:``."""
    merged = scope(values, component)["global"].get(key)
    entries: dict[str, Any] = merged if isinstance(merged, dict) else {}
    parent = _map_at(values, f"global.{key}")
    sources = {name: f"{component}.global.{key}" for name in entries if name not in parent}
    return EnvLayer(f"global.{key}", entries, sources)


def env_layers(values: dict[str, Any], component: str) -> list[EnvLayer]:
    """The env maps the chart merges for the component's container, highest precedence first."""
    rule = BY_NAME[component]
    size = size_of(values, component)
    sizing = [f"{component}.sizing.{size}.env"] if size else []
    own = [f"{component}.containers.{rule.container}.env", f"{component}.env", f"{component}.extraEnv"]
    presets = [*sizing, f"{component}.sizing.default.env"]
    return [
        *(EnvLayer(p, _map_at(values, p)) for p in own),
        _global_layer(values, component, "env"),
        _global_layer(values, component, "extraEnv"),
        *(EnvLayer(p, _map_at(values, p)) for p in presets),
    ]


def component_env(values: dict[str, Any], component: str) -> dict[str, tuple[Any, str]]:
    """Effective env of the component's container: name → (decoded value, path of the layer that won)."""
    layers = env_layers(values, component)
    out: dict[str, tuple[Any, str]] = {}
    sized = layers[-2:] if size_of(values, component) else layers[-1:]
    upper = layers[: len(layers) - len(sized)]
    for layer in upper:
        for name, value in layer.entries.items():
            if name not in out or go_empty(out[name][0]):
                out[name] = (value, layer.where(name))
    # the size preset (mergeOverwrite of sizing.default by sizing.<size>) fills what is still empty
    preset: dict[str, tuple[Any, str]] = {}
    for layer in reversed(sized):
        for name, value in layer.entries.items():
            preset[name] = (value, layer.where(name))
    for name, got in preset.items():
        if name not in out or go_empty(out[name][0]):
            out[name] = got
    return out


def env_from(values: dict[str, Any], component: str) -> dict[str, tuple[str, str]]:
    """envFrom of the component's container: object name → (configMapRef|secretRef, values path)."""
    rule = BY_NAME[component]
    out: dict[str, tuple[str, str]] = {}
    for path in (f"{component}.containers.{rule.container}.envFrom", f"{component}.envFrom"):
        for name, kind in _map_at(values, path).items():
            if name not in out:
                out[name] = (go_string(kind), path)
    return out


def chart_owned(name: str) -> bool:
    """An envFrom object the chart itself renders (``{{ .Release.Name }}-global-configmap``, …): none of
    them sets ``GORILLA_ARTIFACT_GC_ENABLED`` in 0.43.x. A templated name the user adds is not one."""
    return name in _CHART_OWNED


def render_value(value: Any, values: dict[str, Any]) -> tuple[str | None, str]:
    """The string a plain env value renders as (``toString | quote``, then ``tpl``), ``values`` being the
    component's ``.Values`` (:func:`scope`).

    Returns ``(text, "")``, or ``(None, why)`` when a template decides it and gcready cannot evaluate it.
    Only a bare ``{{ .Values.a.b }}`` over a scalar is evaluated. A value taken from a secret-named key
    (``global.license``, ``global.bucket.secretKey``) is remembered by the run's redactor.
    """
    text = go_string(value)
    if "{{" not in text:
        return text, ""

    def substitute(match: re.Match[str]) -> str:
        ref = _VALUES_REF.match(match.group(1))
        if ref is None:
            raise LookupError(match.group(0))
        path = ref.group(1)[1:]
        found, node = lookup(values, path)
        if not found or isinstance(node, (dict, list)):
            raise LookupError(match.group(0))
        got = "" if node is None else go_string(node)
        if any(is_secret_name(key) for key in path.split(".")):
            current().remember(got)
        return got

    try:
        return _TEMPLATE.sub(substitute, text), ""
    except LookupError as exc:
        return None, f"templated ({exc.args[0]}): the chart renders it (give --chart to render it)"


def container_enabled(values: dict[str, Any], component: str) -> bool:
    """Whether the chart renders the component's server container (``containers.<name>.enabled``: a
    string must render as ``true``; a template gcready cannot evaluate leaves it enabled)."""
    own = scope(values, component)
    found, container = lookup(own, f"containers.{BY_NAME[component].container}")
    if not found or not isinstance(container, dict) or "enabled" not in container:
        return True
    enabled = container["enabled"]
    if isinstance(enabled, str):
        text, _ = render_value(enabled, own)
        return text is None or text.strip() == "true"
    return not go_empty(enabled)


def dropped_containers(user_values: dict[str, Any]) -> tuple[ChartComponent, ...]:
    """Components the chart renders without their server container (``enabled: false``)."""
    merged = coalesce(DEFAULTS, user_values)
    return tuple(
        rule
        for rule in COMPONENTS
        if deployed(merged, rule.name) and not container_enabled(merged, rule.name)
    )


@dataclass(frozen=True)
class ComponentEnv:
    """What the chart renders for one component's container, from user values."""

    component: ChartComponent
    env: tuple[ChartEnv, ...]  # the winning entry of each variable
    shadowed: tuple[ChartEnv, ...]  # entries of other layers that lost
    imports: tuple[
        tuple[str, str, str], ...
    ]  # envFrom (name, configMapRef|secretRef, values path) not the chart's
    templates: tuple[str, ...] = ()  # envTpls entries gcready cannot render: any variable may come from them


def resolve(user_values: dict[str, Any]) -> tuple[ComponentEnv, ...]:
    """Each component the chart renders for ``user_values`` (as given, not yet coalesced), with its env.

    The one entry point for readers of operator-wandb values (Helm values files, the operator resource's
    ``spec.values``, Terraform's ``wandb/wandb/helm`` calls): they only map layer paths to their lines.
    """
    merged = coalesce(DEFAULTS, user_values)
    out: list[ComponentEnv] = []
    for rule in COMPONENTS:
        if not deployed(merged, rule.name) or not container_enabled(merged, rule.name):
            continue
        own = scope(merged, rule.name)
        winners = component_env(merged, rule.name)
        mapped = [
            _entry(str(name), raw, layer, own) for name, (raw, layer) in sorted(winners.items(), key=_by_name)
        ]
        shadowed = [
            _entry(str(name), raw, layer.where(name), own)
            for layer in env_layers(merged, rule.name)
            for name, raw in layer.entries.items()
            if name in winners and winners[name][1] != layer.where(name)
        ]
        given = lookup(user_values, f"{rule.name}.envTpls")
        items, templates = rendered_env.env_templates(given[1], f"{rule.name}.envTpls", render_value, own)
        # the chart drops an envTpls entry whose name an env map sets
        kept = [i for i in items if isinstance(i, str) or i.name not in winners]
        ordered = rendered_env.expanded([*kept, *mapped], _unseen(merged, rule.name, chart_tpls=not given[0]))
        env, lost = rendered_env.last_wins(ordered)
        imports = tuple(
            (str(name), kind, path)
            for name, (kind, path) in env_from(merged, rule.name).items()
            if not chart_owned(str(name))
        )
        out.append(ComponentEnv(rule, env, (*lost, *shadowed), imports, templates))
    return tuple(out)


def _by_name(item: tuple[Any, Any]) -> str:
    return str(item[0])  # Go's range over a map: keys in order (PyYAML may give a non-string key)


def _unseen(merged: dict[str, Any], component: str, *, chart_tpls: bool) -> list[str]:
    """The env sources before the env entries whose variables gcready does not hold."""
    refs = env_from(merged, component)
    out = [f"{kind} {name}" for name, (kind, _) in refs.items() if not chart_owned(str(name))]
    if any(chart_owned(str(name)) for name in refs):
        out.insert(0, "the chart's own ConfigMaps (envFrom)")
    if chart_tpls:
        out.append(f"the chart's env templates ({component}.envTpls)")
    return out


def _entry(name: str, raw: Any, layer: str, own: dict[str, Any]) -> ChartEnv:
    if isinstance(raw, dict):
        return ChartEnv(name, raw, layer, None)
    text, why = render_value(raw, own)
    return ChartEnv(name, raw, layer, text, why)
