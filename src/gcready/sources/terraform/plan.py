"""``terraform show -json`` plan and state: resources, unknown values (``after_unknown``) and the
configuration's references, into the same resource list as HCL."""

from __future__ import annotations

import json
import os
from typing import Any

from gcready.model import (
    Component,
    ComponentKind,
    EnvValue,
    InputError,
    Note,
    Origin,
    Signal,
    SignalKind,
)
from gcready.model.placement import TerraformModuleInput
from gcready.sources.envvars import read_env_var, unresolved
from gcready.sources.terraform import wandb as tfwandb
from gcready.sources.terraform.candidates import Resource
from gcready.sources.terraform.config import _strip_index
from gcready.sources.terraform.modules import _SIGNAL_PROVIDER, _WANDB_PROVIDER, WandbCall, _wandb_kind
from gcready.sources.terraform.reader import Reader
from gcready.sources.terraform.values import COMPUTED, Ref, Unknown


def _items(value: Any) -> list[Any]:
    """A plan field that should be a list: anything else is read as empty (a hand-edited plan)."""
    return value if isinstance(value, list) else []


def _fields(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _read_plan(reader: Reader, path: str, text: str) -> None:
    try:
        data = json.loads(text)
    except ValueError as exc:
        reader.errors.append(InputError(path, f"not valid JSON: {exc}"))
        return
    if not isinstance(data, dict):
        reader.errors.append(InputError(path, "not a terraform show -json document"))
        return
    planned = (
        data.get("planned_values") if isinstance(data.get("planned_values"), dict) else data.get("values")
    )
    root = planned.get("root_module") if isinstance(planned, dict) else None
    if not isinstance(root, dict):
        reader.notes.append(
            Note("terraform JSON with no planned_values/values.root_module: nothing to read", Origin(path))
        )
        return
    unknown: dict[str, Any] = {}
    for change in _items(data.get("resource_changes")):
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            unknown[str(change.get("address"))] = change["change"].get("after_unknown") or {}
    config = _fields(_fields(data.get("configuration")).get("root_module"))
    references: dict[str, dict[str, list[str]]] = {}
    _config_refs(config, "", references, reader, path)

    def walk(module: dict[str, Any]) -> None:
        for res in _items(module.get("resources")):
            if not isinstance(res, dict) or res.get("mode", "managed") != "managed":
                continue
            address = str(res.get("address", ""))
            values = res.get("values") if isinstance(res.get("values"), dict) else {}
            body = _mark_unknown(values, unknown.get(address, {}), address)
            origin = Origin(path, None, address)
            reader.resources.append(
                Resource(
                    str(res.get("type", "")),
                    str(res.get("name", "")),
                    address,
                    body,
                    origin,
                    references.get(_strip_index(address), {}),
                )
            )
        for child in _items(module.get("child_modules")):
            if isinstance(child, dict):
                walk(child)

    walk(root)


def _mark_unknown(values: Any, marks: Any, where: str) -> Any:
    if marks is True:
        return Unknown(f"{COMPUTED}: {where} (known after apply)")
    if isinstance(values, dict):
        out = {
            k: _mark_unknown(v, marks.get(k) if isinstance(marks, dict) else None, f"{where}.{k}")
            for k, v in values.items()
        }
        if isinstance(marks, dict):
            for k, mark in marks.items():
                if k not in out and mark is True:
                    out[k] = Unknown(f"{COMPUTED}: {where}.{k} (known after apply)")
        return out
    if isinstance(values, list):
        return [
            _mark_unknown(
                v, marks[i] if isinstance(marks, list) and i < len(marks) else None, f"{where}[{i}]"
            )
            for i, v in enumerate(values)
        ]
    return values


def _config_refs(
    module: Any, prefix: str, out: dict[str, dict[str, list[str]]], reader: Reader, path: str
) -> None:
    if not isinstance(module, dict):
        return
    for res in _items(module.get("resources")):
        if not isinstance(res, dict):
            continue
        address = prefix + str(res.get("address", ""))
        refs: dict[str, list[str]] = {}
        for attr, expr in _fields(res.get("expressions")).items():
            if isinstance(expr, dict) and isinstance(expr.get("references"), list):
                refs[attr] = [prefix + _strip_index(str(r)) for r in expr["references"]]
                # "aws_s3_bucket.x.id" and "aws_s3_bucket.x": keep the resource address forms
                refs[attr] += [a.rsplit(".", 1)[0] for a in refs[attr] if a.count(".") >= 2]
        out[_strip_index(address)] = refs
    for name, call in _fields(module.get("module_calls")).items():
        if not isinstance(call, dict):
            continue
        source = str(call.get("source", ""))
        kind = _wandb_kind(source)
        child_prefix = f"{prefix}module.{name}."
        if kind is not None:
            _plan_wandb_call(reader, path, prefix, name, kind, source, call)
        _config_refs(call.get("module"), child_prefix, out, reader, path)


def _plan_wandb_call(
    reader: Reader, path: str, prefix: str, name: str, kind: str, source: str, call: dict[str, Any]
) -> None:
    address = f"{prefix}module.{name}"
    origin = Origin(path, None, address)
    version = str(call.get("version_constraint") or "(version not pinned)")
    created = None  # the plan lists the module's real resources; no synthetic bucket
    wcall = WandbCall(name, kind, source, version, origin, created)
    reader.wandb.append(wcall)
    reader.signals.append(Signal(SignalKind.SERVER_CONFIG, f"W&B Terraform module {source}", origin))
    reader.signals.append(Signal(SignalKind.CLOUD_PROVIDER, _SIGNAL_PROVIDER[kind], origin))
    raw_expressions = call.get("expressions")
    expressions: dict[str, Any] = raw_expressions if isinstance(raw_expressions, dict) else {}
    env: dict[str, EnvValue] = {}
    gaps: list[str] = []
    constraint = call.get("version_constraint") if isinstance(call.get("version_constraint"), str) else None
    for var in ("other_wandb_env", "app_wandb_env") if kind == "aws" else ("other_wandb_env",):
        expr = expressions.get(var)
        if not isinstance(expr, dict):
            continue
        use = tfwandb.input_use(kind, var, constraint)
        if use is tfwandb.InputUse.IGNORED:
            reader.notes.append(
                Note(
                    f"{var}: wandb/wandb/{kind} {version} does not write it to the server",
                    Origin(path, None, f"{address}.{var}"),
                )
            )
            continue
        known = "constant_value" in expr and isinstance(expr["constant_value"], dict)
        if (
            not known
            or use is not tfwandb.InputUse.USED
            or (var == "app_wandb_env" and "enable_operator_alb" in expressions)
        ):
            refs = ", ".join(str(r) for r in _items(expr.get("references"))) or "an expression"
            why = (
                f"{var}: {COMPUTED}: {refs}"
                if not known
                else f"{var}: whether {version} reads it is not known here"
            )
            gaps.append(why)
            if var == "app_wandb_env":  # a higher layer, unknown: it may override
                for name, got_value in list(env.items()):
                    env[name] = unresolved(name, got_value.origin, f"{why}: it may override this value")
            continue
        for key, raw in expr["constant_value"].items():
            where = Origin(path, None, f"{address}.{var}.{key}")
            text = (
                ("true" if raw else "false") if isinstance(raw, bool) else ("" if raw is None else str(raw))
            )
            got = read_env_var(str(key), text, where)
            env[str(key)] = got.value
            reader.env_buckets.extend(got.buckets)
            reader.buckets.extend(got.buckets)
            reader.signals.extend(got.signals)
            reader.notes.extend(got.notes)
    if kind == "google" and "app_wandb_env" in expressions:
        reader.notes.append(
            Note(
                "app_wandb_env feeds app.extraEnvs, a key the operator-wandb chart never reads; the variable is not "
                "set on the server (use other_wandb_env)",
                Origin(path, None, f"{address}.app_wandb_env"),
            )
        )
    reader.components.append(
        Component(
            name=reader.named(f'module "{name}" ({os.path.basename(path)})'),
            kind=ComponentKind.TERRAFORM_MODULE,
            origin=origin,
            placement=TerraformModuleInput(name, origin.source, origin.line),
            env=tuple(env.values()),
            gaps=tuple(gaps),
            runs_gc=True,
        )
    )
    bucket = expressions.get("bucket_name")
    if (
        isinstance(bucket, dict)
        and isinstance(bucket.get("constant_value"), str)
        and bucket["constant_value"]
    ):
        value = bucket["constant_value"]
        where = Origin(path, None, f"{address}.bucket_name")
        reader.passed.append((value, wcall))
        reader._external(wcall, "bucket_name", value, {}, _NULL_SCOPE, where, _WANDB_PROVIDER[kind])
    elif isinstance(bucket, dict):
        for ref in _items(bucket.get("references")):
            reader.passed.append((Ref(prefix + _strip_index(str(ref)).rsplit(".", 1)[0], "id"), wcall))


class _NullScope:
    def value(self, raw: Any) -> Any:
        return raw


_NULL_SCOPE: Any = _NullScope()
