"""Lifecycle and management-policy rules as the probes record them (S3, GCS, Azure), from HCL blocks."""

from __future__ import annotations

from typing import Any

from gcready.model import JSON
from gcready.sources.terraform.config import _block
from gcready.sources.terraform.values import Ref, Unknown, is_unknown


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _s3_lifecycle_rule(rule: dict[str, Any], legacy: bool) -> JSON:
    filt = _block(rule, "filter") or {}
    prefix = filt.get("prefix")
    if prefix is None:
        prefix = (_block(filt, "and") or {}).get("prefix")
    if prefix is None:
        prefix = rule.get("prefix")
    if legacy:
        enabled = _as_bool(rule.get("enabled"))
        noncurrent = _as_int((_block(rule, "noncurrent_version_expiration") or {}).get("days"))
    else:
        enabled = str(rule.get("status", "")).lower() == "enabled"
        noncurrent = _as_int((_block(rule, "noncurrent_version_expiration") or {}).get("noncurrent_days"))
    expiration = _block(rule, "expiration") or {}
    marker = _as_bool(expiration.get("expired_object_delete_marker"))
    days = _as_int(expiration.get("days")) or None  # plan JSON writes an unset days as 0
    return {
        "id": rule.get("id") if isinstance(rule.get("id"), str) else None,
        "enabled": bool(enabled),
        "prefix": prefix if isinstance(prefix, str) else None,
        "noncurrent_days": noncurrent,
        "expired_object_delete_marker": marker,
        "expiration_days": days,
    }


_GCS_CONDITION = {
    "age": "age",
    "created_before": "createdBefore",
    "num_newer_versions": "numNewerVersions",
    "days_since_noncurrent_time": "daysSinceNoncurrentTime",
    "noncurrent_time_before": "noncurrentTimeBefore",
    "days_since_custom_time": "daysSinceCustomTime",
    "custom_time_before": "customTimeBefore",
    "matches_prefix": "matchesPrefix",
    "matches_suffix": "matchesSuffix",
    "matches_storage_class": "matchesStorageClass",
}


def _gcs_rule(rule: dict[str, Any]) -> JSON:
    action = _block(rule, "action") or {}
    condition = _block(rule, "condition") or {}
    out_action: dict[str, JSON] = {"type": str(action.get("type", ""))}
    if isinstance(action.get("storage_class"), str):
        out_action["storageClass"] = action["storage_class"]
    out_cond: dict[str, JSON] = {}
    for key, api in _GCS_CONDITION.items():
        value = condition.get(key)
        if value is None or is_unknown(value):
            continue
        number = _as_int(value)
        out_cond[api] = number if number is not None else _to_json(value)
    state = condition.get("with_state")
    if isinstance(state, str) and state.upper() in ("LIVE", "ARCHIVED"):
        out_cond["isLive"] = state.upper() == "LIVE"
    return {"action": out_action, "condition": out_cond}


def _to_json(value: Any) -> JSON:
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, Unknown | Ref):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _azure_rule(rule: dict[str, Any]) -> JSON:
    filters = _block(rule, "filters") or {}
    actions = _block(rule, "actions") or {}
    version = _block(actions, "version") or {}
    out_actions: dict[str, JSON] = {}
    days = _as_int(version.get("delete_after_days_since_creation"))
    if days is not None:
        out_actions["version"] = {"delete": {"daysAfterCreationGreaterThan": days}}
    base = _block(actions, "base_blob") or {}
    base_days = _as_int(base.get("delete_after_days_since_modification_greater_than"))
    if base_days is not None:
        out_actions["baseBlob"] = {"delete": {"daysAfterModificationGreaterThan": base_days}}
    prefixes = filters.get("prefix_match")
    return {
        "name": rule.get("name") if isinstance(rule.get("name"), str) else None,
        "enabled": _as_bool(rule.get("enabled")) is not False,
        "definition": {
            "actions": out_actions,
            "filters": {"prefixMatch": [str(p) for p in prefixes] if isinstance(prefixes, list) else []},
        },
    }
