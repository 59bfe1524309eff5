"""``--chart``: render Helm values with the real operator-wandb chart, in-process, and audit the result.

Helm's Go SDK runs through helm-python-sdk (the ``gcready[helm]`` extra; no ``helm`` binary), imported
only when a chart is given. The rendered Deployments go through the Kubernetes reader (with the
ConfigMaps the chart renders beside them), and each server component's variables point back to the
values line that decided them when the chart's model agrees on the value. Without the extra, the values
are read with the model and a note says so.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gcready.model import (
    Component,
    ComponentKind,
    EnvValue,
    Evidence,
    InputError,
    InputFile,
    Note,
    Origin,
    Signal,
)
from gcready.model import SourceKind as Kind
from gcready.model.placement import HelmValues
from gcready.sources import helm, kubernetes
from gcready.sources.chart import operator_wandb
from gcready.sources.yamldocs import Doc, YAMLInputError, load_documents

RELEASE = "wandb"
NAMESPACE = "default"
_WORKLOADS = ("deployment.yaml", "statefulset.yaml")
_SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")


def sdk_available() -> bool:
    """Whether helm-python-sdk (the ``gcready[helm]`` extra) can be imported."""
    try:
        import helm_python  # noqa: F401
    except (ImportError, OSError):  # OSError: the bundled libhelm_c does not load on this machine
        return False
    return True


def render_manifests(chart: str, values: dict[str, Any]) -> dict[str, str]:
    """``helm template`` of ``chart`` (folder or .tgz) with ``values``: template path → manifest.

    The chart is loaded afresh for every render: ``Chart.render()`` changes the loaded chart (a later
    render of the same handle drops the subcharts).
    """
    import helm_python

    with _quiet_stderr(), helm_python.Chart.load(chart) as loaded:
        rendered = loaded.render(values=values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    return {path: text for path, text in rendered.items() if _is_manifest(path) and text.strip()}


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Helm's Go code logs coalescing warnings straight to file descriptor 2 (chart internals, not the
    user's values): keep them off gcready's stderr while the chart renders."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def split_manifests(text: str) -> list[str]:
    """One template's output cut into documents as Helm cuts it (``releaseutil.SplitManifests``): a
    ``---`` line may carry text after it (``---# comment``)."""
    return [part for part in _SEPARATOR.split(text) if part.strip()]


def _is_manifest(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith((".yaml", ".yml")) and not name.startswith("_")


def read_with_chart(doc: Doc, chart: str) -> Evidence:
    """A values document audited through the real chart (the model when the extra is missing)."""
    model = helm.read_values(doc)
    if not sdk_available():
        return model.merge(
            Evidence(
                notes=(
                    Note(
                        "--chart given, but helm-python-sdk is not installed (pip install 'gcready[helm]'): "
                        f"these values were read with gcready's model of {operator_wandb.CHART_NAME} "
                        f"{operator_wandb.CHART_VERSION}",
                        Origin(doc.source, doc.line),
                    ),
                )
            )
        )
    import helm_python

    try:
        values = _helm_values(doc)
        started = time.perf_counter()
        manifests = render_manifests(chart, values)
        took = time.perf_counter() - started
    except YAMLInputError as exc:  # a file Helm's decoder refuses: bad input, named by its line
        return Evidence(inputs=(InputFile(doc.source, Kind.HELM_VALUES),), errors=(exc.error,))
    except helm_python.HelmError as exc:
        reason = " ".join(str(exc).split())[:300]
        return Evidence(
            errors=(InputError(doc.source, f"the chart {chart} does not render these values: {reason}"),)
        )
    rendered = audit_manifests(manifests, chart, _strings(values))
    components = tuple(_in_values(_point_back(c, model), doc.source) for c in rendered.components)
    note = Note(
        f"rendered with the chart {chart} in {took:.2f} s (helm-python-sdk)", Origin(doc.source, doc.line)
    )
    return Evidence(
        inputs=(InputFile(doc.source, Kind.HELM_VALUES),),
        components=components,
        signals=model.signals + rendered.signals,
        buckets=model.buckets,
        notes=(*model.notes, *rendered.notes, note),
        errors=rendered.errors,
    )


def _helm_values(doc: Doc) -> dict[str, Any]:
    """The values as Helm's own decoder reads the file: its first document (``helm -f`` ignores the rest)."""
    import helm_python

    values_read: dict[str, Any] = helm_python.values_from_yaml(
        Path(doc.source).read_text(encoding="utf-8-sig")
    )
    return values_read


def _strings(node: Any) -> frozenset[str]:
    """Every string in the user's values (where a rendered Secret's value may come from)."""
    if isinstance(node, dict):
        return frozenset().union(*(_strings(v) for v in node.values())) if node else frozenset()
    if isinstance(node, list):
        return frozenset().union(*(_strings(v) for v in node)) if node else frozenset()
    return frozenset({node}) if isinstance(node, str) else frozenset()


def _blank_chart_secrets(docs: list[Doc], user_strings: frozenset[str]) -> None:
    """Rendered Secret values the user did not write (the chart's placeholders and random keys) are
    blanked: gcready never reads Secret values, and remembering ``local`` or ``720h`` for redaction would
    mask them everywhere in the report. Values from the user's values stay, so they are redacted."""
    for doc in docs:
        if not isinstance(doc.data, dict) or doc.data.get("kind") != "Secret":
            continue
        for section in ("data", "stringData"):
            values = doc.data.get(section)
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                plain = value
                if section == "data" and isinstance(value, str):
                    with contextlib.suppress(binascii.Error, ValueError):
                        plain = base64.b64decode(value, validate=True).decode("utf-8", "replace")
                if plain not in user_strings:
                    values[key] = ""


def audit_manifests(
    manifests: dict[str, str], chart: str, user_strings: frozenset[str] = frozenset()
) -> Evidence:
    """The server components of a render, read by the Kubernetes reader, named by the chart's component.

    Only the chart's own server components (``charts/<alias>/templates/deployment.yaml``) are judged:
    hooks and sidecars that carry ``GORILLA_*`` variables do not run the server.
    """
    docs: list[Doc] = []
    workloads: dict[str, str] = {}  # rendered document source → component alias
    errors: list[InputError] = []
    for path, text in manifests.items():
        source = f"{chart}:{path}"
        try:
            found = load_documents(source, "\n---\n".join(split_manifests(text)))
        except YAMLInputError as exc:
            if _alias(path) in operator_wandb.BY_NAME:
                errors.append(exc.error)  # a server workload gcready cannot read: never a silent pass
            continue  # another template (the otel DaemonSet's repeated labels, …)
        docs.extend(found)
        alias = _alias(path)
        if alias in operator_wandb.BY_NAME and path.endswith(_WORKLOADS):
            workloads[source] = alias
    _blank_chart_secrets(docs, user_strings)
    # the server workloads and the objects they may import; other workloads (hooks, weave, tests…)
    # would only add signals from env that is not the server's
    read = kubernetes.resolve(
        d
        for d in docs
        if d.source in workloads
        or (isinstance(d.data, dict) and d.data.get("kind") in ("ConfigMap", "Secret"))
    )
    components: list[Component] = []
    for component in read.components:
        rule = operator_wandb.BY_NAME.get(workloads.get(component.origin.source, ""))
        if rule is None or not component.name.endswith(f" container {rule.container}"):
            continue
        components.append(
            dataclasses.replace(
                component,
                name=f"{rule.name} (Helm values rendered with {Path(chart).name})",
                kind=ComponentKind.HELM_COMPONENT,
                runs_gc=rule.runs_gc,
                placement=HelmValues(component.origin.source, rule.name),
            )
        )
    signals: list[Signal] = []
    for signal in read.signals:
        if all((s.kind, s.value) != (signal.kind, signal.value) for s in signals):
            signals.append(signal)
    return Evidence(
        components=tuple(components),
        signals=tuple(signals),
        buckets=read.buckets,
        notes=read.notes,
        errors=tuple(errors),
    )


def _alias(template_path: str) -> str:
    parts = template_path.split("/")
    return parts[2] if len(parts) > 3 and parts[1] == "charts" else ""


def _in_values(component: Component, source: str) -> Component:
    """A rendered component whose fix goes in the values file that was rendered."""
    if isinstance(component.placement, HelmValues):
        return dataclasses.replace(component, placement=HelmValues(source, component.placement.component))
    return component


def _point_back(component: Component, model: Evidence) -> Component:
    """Rendered values the user's values decided carry that values line (the model agrees on them)."""
    alias = component.name.split(" ", 1)[0]
    twins = [c for c in model.components if c.name.split(" ", 1)[0] == alias]
    if not twins:
        return component
    twin = twins[0]

    def back(value: EnvValue) -> EnvValue:
        modelled = twin.get(value.name)
        if modelled is not None and modelled.origin.line is not None and modelled.value == value.value:
            return dataclasses.replace(value, origin=modelled.origin)
        return value

    return dataclasses.replace(
        component,
        origin=twin.origin,
        env=tuple(back(v) for v in component.env),
        shadowed=tuple(back(v) for v in component.shadowed),
    )
