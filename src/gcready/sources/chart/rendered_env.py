"""A wandb-base container's env list as the chart writes it, and the kubelet's ``$(VAR)`` expansion over it.

``wandb-base/templates/_containers.tpl`` writes ``env:`` as the entries its ``envTpls`` render (each
template a YAML list of env entries, through ``tpl`` and ``fromYamlArray``), without the names the env
maps set, then the merged env map in key order (Go's ``range`` over a map). The kubelet then expands
``$(NAME)`` in each value from the container's envFrom variables and the entries before it
(:mod:`gcready.sources.expansion`). gcready does not hold the content of the chart's own ConfigMaps or
of its own env templates: a reference that only they could define leaves the value unknown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gcready.sources.chart.helmyaml import go_string, load_values
from gcready.sources.expansion import expand
from gcready.sources.yamldocs import YAMLInputError

RENDER_HINT = "use --chart to render it"


@dataclass(frozen=True)
class ChartEnv:
    """One variable of a component's container as the chart builds it."""

    name: str
    raw: Any  # the decoded value: a scalar, or a map (``valueFrom``)
    layer: str  # values path that set it, e.g. "app.extraEnv" or "app.envTpls[0]"
    text: str | None  # what the container gets; None for a map or a value gcready cannot know
    why: str = ""  # why ``text`` is None


# An envTpls entry gcready cannot render: what it is, in the words of a gap ("app.envTpls[1], a template…").
Template = str


def env_templates(
    given: Any,
    path: str,
    render: Callable[[Any, dict[str, Any]], tuple[str | None, str]],
    values: dict[str, Any],
) -> tuple[list[ChartEnv | Template], tuple[Template, ...]]:
    """The env entries a user's ``envTpls`` list renders, in order, with a :data:`Template` standing for
    each entry gcready cannot render (``render(text, values)`` evaluates a template, as ``tpl`` does)."""
    items: list[ChartEnv | Template] = []
    for index, template in enumerate(given if isinstance(given, list) else []):
        where = f"{path}[{index}]"
        text, _ = render(template, values) if isinstance(template, str) else (None, "")
        entries = _entries(where, text) if text is not None else None
        if entries is None:
            items.append(f"{where}, a template the chart renders ({RENDER_HINT})")
        else:
            items.extend(entries)
    return items, tuple(i for i in items if isinstance(i, str))


def _entries(where: str, text: str) -> list[ChartEnv] | None:
    """``fromYamlArray`` of a rendered template: its env entries, or None when it is not a list of them."""
    try:
        docs = load_values(where, text)
    except YAMLInputError:
        return None
    listed = docs[0] if docs else None
    if listed is None:
        return []
    if not isinstance(listed, list) or not all(isinstance(e, dict) and "name" in e for e in listed):
        return None
    out: list[ChartEnv] = []
    for entry in listed:
        name = go_string(entry["name"])
        if isinstance(entry.get("valueFrom"), dict):
            out.append(ChartEnv(name, {"valueFrom": entry["valueFrom"]}, where, None))
            continue
        raw = entry.get("value")
        if raw is None or isinstance(raw, str):
            out.append(ChartEnv(name, raw, where, raw or ""))
        else:
            why = (
                f"value {go_string(raw)!r} is not a string: the Kubernetes API server rejects the Deployment"
            )
            out.append(ChartEnv(name, raw, where, None, why))
    return out


def expanded(ordered: list[ChartEnv | Template], unseen: list[str]) -> list[ChartEnv]:
    """The entries after the kubelet's ``$(VAR)`` expansion, in the container's order.

    ``unseen`` names the env sources before these entries whose variables gcready does not know (the
    chart's ConfigMaps, its own envTpls): a reference no earlier entry defines is unknown when there are
    any. A :data:`Template` among the entries may redefine any name before it.
    """
    defined: dict[str, str | None] = {}  # None: defined, with a value gcready does not know
    sources = list(unseen)
    out: list[ChartEnv] = []
    for entry in ordered:
        if isinstance(entry, str):
            defined = dict.fromkeys(defined)
            sources.append(entry.split(",", 1)[0])
            continue
        if entry.text and "$" in entry.text:
            entry = _expand(entry, defined, sources)
        defined[entry.name] = entry.text
        out.append(entry)
    return out


def _expand(entry: ChartEnv, defined: dict[str, str | None], sources: list[str]) -> ChartEnv:
    assert entry.text is not None
    unknown: list[str] = []

    def mapping(name: str) -> str | None:
        if name in defined:
            if defined[name] is None:
                unknown.append(f"$({name}), whose value gcready does not know")
            return defined[name]
        if sources:
            unknown.append(f"$({name}), which {' or '.join(sources)} may define")
        return None  # undefined: the kubelet keeps the reference as written

    text = expand(entry.text, mapping)
    if unknown:
        why = f"refers to {'; '.join(dict.fromkeys(unknown))} ({RENDER_HINT})"
        return dataclasses.replace(entry, text=None, why=why)
    return dataclasses.replace(entry, text=text)


def last_wins(ordered: list[ChartEnv]) -> tuple[tuple[ChartEnv, ...], tuple[ChartEnv, ...]]:
    """(the entry of each name that the container keeps, the earlier ones it replaces)."""
    last = {entry.name: entry for entry in ordered}
    kept = tuple(last.values())
    return kept, tuple(e for e in ordered if last[e.name] is not e)
