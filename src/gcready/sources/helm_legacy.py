"""Values of the legacy single-pod ``wandb`` Helm chart (``charts/wandb`` in ``wandb/helm-charts``).

Before the operator, W&B's chart ran one ``wandb/local`` pod. Its values are flat (no ``global:``):
``license``, ``bucket`` (a W&B bucket URL string), ``bucketRegion``, ``bucketKmsKeyArn``,
``bucketQueue``, ``host``, ``extraCors``, ``mysql.*`` and ``extraEnv`` — a **list** of Kubernetes env
entries (``{name, value}`` or ``{name, valueFrom}``) that ``templates/deployment.yaml`` appends with
``toYaml`` after the env it builds itself (``LICENSE`` and ``BUCKET`` from the chart's Secret, which
holds these values, ``AWS_REGION``, ``HOST``…). Kubernetes lets a later env entry win, so an
``extraEnv`` entry overrides a chart-built variable of the same name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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
from gcready.model.placement import LegacyChart
from gcready.sources.envvars import from_secret, read_env_var, unresolved
from gcready.sources.expansion import expand
from gcready.sources.operator import entry_text  # the same env entries (name, value | valueFrom)
from gcready.sources.yamldocs import Doc, dig, key_line

_LEGACY_KEYS = frozenset({"bucketRegion", "bucketKmsKeyArn", "bucketQueue"})
_SERVER_IMAGE = re.compile(r"(^|/)wandb/(local|local-dev|megabinary)$")

# Chart-built env, in the template's order: (variable, values key). BUCKET and LICENSE go through the
# chart's Secret (`<release>-secrets`), whose content is exactly these values.
_CHART_ENV = (
    ("LICENSE", "license"),
    ("GORILLA_CORS_ORIGINS", "extraCors"),
    ("BUCKET", "bucket"),
    ("AWS_REGION", "bucketRegion"),
    ("AWS_S3_KMS_ID", "bucketKmsKeyArn"),
    ("BUCKET_QUEUE", "bucketQueue"),
    ("HOST", "host"),
)
_BUCKET_ONLY = frozenset({"AWS_REGION", "AWS_S3_KMS_ID", "BUCKET_QUEUE"})  # rendered only with a bucket


def looks_like(data: Any) -> bool:
    """Flat legacy values: an ``extraEnv`` list and/or a ``bucket`` string, and no operator ``global:`` map."""
    if not isinstance(data, dict) or "apiVersion" in data or "kind" in data:
        return False
    if isinstance(data.get("global"), dict):
        return False  # operator-wandb (or the later multi-chart wandb) values
    if isinstance(data.get("extraEnv"), list) or isinstance(data.get("bucket"), str):
        return True
    if _LEGACY_KEYS & {str(k) for k in data}:
        return True
    repository = dig(data, "image", "repository")
    return (
        isinstance(repository, str)
        and bool(_SERVER_IMAGE.search(repository.strip()))
        and ("license" in data or "host" in data)
    )


def read(doc: Doc) -> Evidence:
    """The chart's one server container: its env after the chart's template and ``extraEnv``."""
    values: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
    source = doc.source
    values_origin = Origin(source, doc.line)
    signals: list[Signal] = [Signal(SignalKind.SERVER_CONFIG, "legacy wandb chart values", values_origin)]
    buckets: list[BucketRef] = []
    notes: list[Note] = []
    ordered: list[EnvValue] = []

    def take(name: str, raw: str, origin: Origin) -> None:
        got = read_env_var(name, raw, origin)
        ordered.append(got.value)
        buckets.extend(got.buckets)
        signals.extend(got.signals)
        notes.extend(got.notes)

    bucket = values.get("bucket")
    if bucket is not None and not isinstance(bucket, str):
        notes.append(
            Note(
                "bucket is not a string: the legacy chart expects a W&B bucket URL (s3://, gs://, az://)",
                Origin(source, key_line(values, "bucket"), "bucket"),
            )
        )
    has_bucket = isinstance(bucket, str) and bool(bucket.strip())
    for var, key in _CHART_ENV:
        raw = values.get(key)
        if raw is None or raw == "" or isinstance(raw, (dict, list)):
            continue
        if var in _BUCKET_ONLY and not has_bucket:
            continue
        text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw).strip()
        take(var, text, Origin(source, key_line(values, key), key))
    host = values.get("host")
    if isinstance(host, str) and host.strip():
        signals.append(
            Signal(SignalKind.BASE_URL, host.strip(), Origin(source, key_line(values, "host"), "host"))
        )

    extra = values.get("extraEnv")
    if isinstance(extra, dict) and extra:
        notes.append(
            Note(
                "extraEnv is a map; the legacy wandb chart expects a list of {name, value} "
                "(the rendered Deployment would be invalid): its entries are not counted",
                Origin(source, key_line(values, "extraEnv"), "extraEnv"),
            )
        )
    elif isinstance(extra, list):
        defined: dict[str, str | None] = {}  # extraEnv values so far (None: not known), for $(VAR)
        for index, item in enumerate(extra):
            where = Origin(source, key_line(extra, index), f"extraEnv[{index}]")
            if not isinstance(item, dict) or not item.get("name"):
                notes.append(Note(f"extraEnv[{index}] has no name: ignored", where))
                continue
            name = str(item["name"])
            where = Origin(source, where.line, f"extraEnv[{index}] {name}")
            if isinstance(item.get("valueFrom"), dict):
                ordered.append(_value_from(name, item["valueFrom"], where))
                defined[name] = None  # defined, with a value gcready does not know
            elif "value" in item and item["value"] is not None:
                raw = item["value"]
                if not isinstance(raw, str):
                    ordered.append(
                        unresolved(
                            name,
                            where,
                            f"value {_scalar(raw)!r} is not a string: the chart renders it with toYaml "
                            "unquoted and the Kubernetes API server rejects the Deployment; quote it",
                        )
                    )
                    continue
                value = _expanded(name, raw, where, defined)
                if isinstance(value, EnvValue):
                    ordered.append(value)
                    defined[name] = None
                else:
                    take(name, value, where)
                    defined[name] = value
            else:
                take(name, "", where)
                defined[name] = ""

    effective: dict[str, EnvValue] = {}
    for value in ordered:  # Kubernetes: a later env entry wins
        effective.pop(value.name, None)
        effective[value.name] = value
    component = Component(
        name=f"legacy chart ({Path(source).name})",
        kind=ComponentKind.HELM_LEGACY,
        origin=values_origin,
        env=tuple(effective.values()),
        shadowed=tuple(v for v in ordered if effective[v.name] is not v),
        runs_gc=True,
        placement=LegacyChart(
            source, tuple(entry_text(item) for item in extra) if isinstance(extra, list) else None
        ),
    )
    return Evidence(
        inputs=(InputFile(source, SourceKind.HELM_LEGACY),),
        components=(component,),
        signals=tuple(signals),
        buckets=tuple(buckets),
        notes=tuple(notes),
    )


def _expanded(name: str, raw: str, where: Origin, defined: dict[str, str | None]) -> str | EnvValue:
    """An extraEnv value after the kubelet's ``$(VAR)`` expansion. The chart's own env comes before
    extraEnv and holds more than gcready models (``DB_*``, ``LOCAL_LDAP_*``…): a reference no earlier
    extraEnv entry defines leaves the value unknown, never judged as written."""
    if "$" not in raw:
        return raw
    unknown: list[str] = []

    def mapping(ref: str) -> str | None:
        known = defined.get(ref)
        if known is None:
            unknown.append(ref)
        return known

    value = expand(raw, mapping)
    if not unknown:
        return value
    refs = ", ".join(f"$({ref})" for ref in dict.fromkeys(unknown))
    return unresolved(
        name,
        where,
        f"refers to {refs}, which the legacy chart's own env may define: audit the rendered Deployment "
        "(helm template … > out.yaml) to know its value",
    )


def _scalar(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _value_from(name: str, spec: dict[str, Any], where: Origin) -> EnvValue:
    if isinstance(spec.get("secretKeyRef"), dict):
        ref = spec["secretKeyRef"]
        return from_secret(name, where, f"{ref.get('name')} key {ref.get('key')}")
    kind = next(iter(spec), "valueFrom")
    ref = spec.get(kind)
    ref_name = ref.get("name") if isinstance(ref, dict) else None
    return unresolved(name, where, f"from {kind} {ref_name or ''}, not among the inputs".replace("  ", " "))
