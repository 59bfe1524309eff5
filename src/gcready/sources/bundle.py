"""The evidence bundle: gcready's own redacted evidence file (``gcready collect`` writes it).

A bundle is :class:`~gcready.model.Evidence` as JSON (schema: ``schemas/bundle.schema.json``). It never
holds a secret: env values are already redacted when evidence is built, and bucket credentials are not
serialised. A bundle given as input is redacted again as it is read, as if its values came from files
(a hand-made or edited bundle may hold anything), so ``collect`` never copies a raw secret out of one.
A hand-written bundle needs only ``format``, ``version`` and ``bucket_states``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from gcready import __version__
from gcready.model import (
    JSON,
    BucketRef,
    BucketState,
    Component,
    ComponentKind,
    EnvValue,
    Evidence,
    InputError,
    InputFile,
    Note,
    OperatorPlacement,
    Origin,
    Outcome,
    Provider,
    Reading,
    Signal,
    SignalKind,
    SourceKind,
    fields_json,
)
from gcready.model.placement import placement_from_json, placement_to_json, recorded_before_placements
from gcready.redact import display_env_value, redact_url, scrub

FORMAT = "gcready-bundle"
_TOO_DEEP = object()
VERSION = 1


class BundleError(Exception):
    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


def looks_like(text: str) -> bool:
    head = text.lstrip()[:400]
    return head.startswith("{") and f'"{FORMAT}"' in head


def to_json(evidence: Evidence, created_at: str, unread: Sequence[tuple[str, str]] = ()) -> dict[str, JSON]:
    """Evidence as a bundle document (no secrets: credentials are never part of it).

    ``unread`` lists the buckets whose settings could not be read, with why, so whoever reads the
    bundle knows what it cannot prove.
    """
    out: dict[str, JSON] = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": created_at,
        "tool": {"name": "gcready", "version": __version__},
        "inputs": [{"path": i.path, "kind": i.kind.value} for i in evidence.inputs],
        "components": [_component(c) for c in evidence.components],
        "signals": [
            {"kind": s.kind.value, "value": s.value, "origin": s.origin.to_json()} for s in evidence.signals
        ],
        "buckets": [_bucket(b) for b in evidence.buckets],
        "bucket_states": [state_to_json(s) for s in evidence.bucket_states],
        "notes": [{"text": n.text, "origin": n.origin.to_json()} for n in evidence.notes],
    }
    if unread:
        out["unread"] = [{"bucket": label, "reason": reason} for label, reason in unread]
    return out


def state_to_json(state: BucketState) -> dict[str, JSON]:
    return {
        "provider": state.provider.value,
        **fields_json(state, "name", "account", "endpoint", "region"),
        "access": state.access.to_json(),
        "settings": {name: reading.to_json() for name, reading in state.settings},
        "observed_at": state.observed_at,
        "origin": state.origin.to_json(),
    }


def _component(c: Component) -> dict[str, JSON]:
    return {
        "name": c.name,
        "kind": c.kind.value,
        "origin": c.origin.to_json(),
        "runs_gc": c.runs_gc,
        "gaps": list(c.gaps),
        "env": [_env(v) for v in c.env],
        "shadowed": [_env(v) for v in c.shadowed],
        **({"namespace": c.namespace} if c.namespace else {}),
        **({"operator": _placement(c.operator)} if c.operator else {}),
        **({"placement": placement_to_json(c.placement)} if c.placement else {}),
    }


def _placement(p: OperatorPlacement) -> dict[str, JSON]:
    def entries(texts: tuple[str | None, ...] | None) -> JSON:
        return None if texts is None else list(texts)

    return {
        **fields_json(p, "resource", "namespace", "application", "version"),
        "global_env": entries(p.global_env),
        "app_env": entries(p.app_env),
    }


def _read_placement(p: Any) -> OperatorPlacement | None:
    if not isinstance(p, dict):
        return None

    def entries(texts: Any) -> tuple[str | None, ...] | None:
        return None if not isinstance(texts, list) else tuple(None if t is None else str(t) for t in texts)

    return OperatorPlacement(
        resource=str(p.get("resource") or "wandb"),
        namespace=str(p.get("namespace") or ""),
        application=str(p.get("application") or "api"),
        version=str(p.get("version") or ""),
        global_env=entries(p.get("global_env")),
        app_env=entries(p.get("app_env")),
    )


def _env(v: EnvValue) -> dict[str, JSON]:
    return {
        **fields_json(v, "name", "value", "redacted", "unresolved"),
        **({"outranked_by": list(v.outranked_by)} if v.outranked_by else {}),
        "origin": v.origin.to_json(),
    }


def _bucket(b: BucketRef) -> dict[str, JSON]:
    out: dict[str, JSON] = {
        "provider": b.provider.value,
        **fields_json(
            b, "name", "account", "path", "endpoint", "region", "tls", "display", "had_credentials"
        ),
        "origin": b.origin.to_json(),
    }
    if b.tf_address:  # where Terraform declares it, so fixes after `audit BUNDLE` still aim there
        out["terraform"] = {
            "address": b.tf_address,
            "file": b.tf_file,
            "published_module": b.tf_published,
            "name_known": b.name_known,
            "output": b.tf_output,
        }
    return out


def dumps(evidence: Evidence, created_at: str, unread: Sequence[tuple[str, str]] = ()) -> str:
    return json.dumps(to_json(evidence, created_at, unread), indent=2, sort_keys=False) + "\n"


def read(source: str, text: str) -> Evidence:
    """A bundle file back into evidence. Raises BundleError naming the file (and line) when malformed.

    The conversion below is strict (closed enums, required keys, typed values), so a well-formed bundle
    loads without importing jsonschema (start-up speed); only a bundle it rejects is run through the
    JSON Schema, for a message that says exactly where it is wrong.
    """
    from gcready.limits import MAX_DEPTH, nesting_depth

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleError(InputError(source, f"not valid JSON: {exc.msg}", exc.lineno)) from None
    except RecursionError:
        data = _TOO_DEEP  # deeper than the interpreter's stack: rejected below
    if data is _TOO_DEEP or nesting_depth(data) > MAX_DEPTH:
        raise BundleError(
            InputError(source, f"not a valid gcready bundle: nested deeper than {MAX_DEPTH} levels")
        )
    try:
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError(f"not a {FORMAT} version {VERSION} document")
        return Evidence(
            inputs=(InputFile(source, SourceKind.BUNDLE),),
            components=tuple(_read_component(c, source) for c in _list(data, "components")),
            signals=tuple(
                Signal(SignalKind(s["kind"]), _str(s["value"]), _origin(s.get("origin"), source))
                for s in _list(data, "signals")
            ),
            buckets=tuple(_read_bucket(b, source) for b in _list(data, "buckets")),
            bucket_states=tuple(_read_state(s, source) for s in _list(data, "bucket_states")),
            notes=tuple(
                Note(_str(n["text"]), _origin(n.get("origin"), source)) for n in _list(data, "notes")
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        _validate(source, data)  # names the exact place when the schema sees it
        raise BundleError(InputError(source, f"not a valid gcready bundle: {exc}")) from None


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise TypeError(f"{key} must be a list")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_shown(value)}")
    return value


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key} must be a string or null, got {_shown(value)}")
    return value


def _opt_bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{key} must be true, false or null, got {_shown(value)}")
    return value


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be an object, got {_shown(value)}")
    return value


def _items(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise TypeError(f"{key} must be a list, got {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    """A wrong value, briefly (a bundle field may be megabytes long)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _validate(source: str, data: Any) -> None:
    """Raise a BundleError at the first place the JSON Schema rejects, if it rejects anything."""
    import jsonschema

    from gcready.schemas_access import load_schema

    validator = jsonschema.Draft202012Validator(load_schema("bundle.schema.json"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise BundleError(InputError(source, f"not a valid gcready bundle at {where}: {first.message}"))


def _origin(data: Any, source: str) -> Origin:
    """Origins inside a bundle keep their file and line, marked as seen through the bundle."""
    if not isinstance(data, dict):
        return Origin(source)
    inner = str(data.get("source") or "")
    line = data.get("line")
    path = data.get("path")
    line = line if isinstance(line, int) else None
    path = path if isinstance(path, str) else None
    if inner and inner != source:
        return Origin(inner, line, path, via=source)
    return Origin(source, line, path)


def _read_env(v: Any, source: str) -> EnvValue:
    """An env value of a bundle, redacted as if read from a file: a bundle may be hand-made or edited."""
    v = _obj(v, "an env entry")
    name, value = str(v["name"]), v.get("value")
    shown, redacted = (None, False) if value is None else display_env_value(name, str(value))
    return EnvValue(
        name=name,
        value=shown,
        origin=_origin(v.get("origin"), source),
        redacted=redacted or bool(v.get("redacted", False)),
        unresolved=scrub(str(v.get("unresolved", ""))),
        outranked_by=tuple(scrub(str(g)) for g in _items(v, "outranked_by")),
    )


def _read_component(c: Any, source: str) -> Component:
    c = _obj(c, "a component")
    kind, origin = ComponentKind(c["kind"]), _origin(c.get("origin"), source)
    placement = placement_from_json(c.get("placement"), scrub)
    if "placement" not in c:  # a bundle from before placements were recorded
        placement = recorded_before_placements(kind, origin)
    return Component(
        name=str(c["name"]),
        kind=kind,
        origin=origin,
        env=tuple(_read_env(v, source) for v in _items(c, "env")),
        shadowed=tuple(_read_env(v, source) for v in _items(c, "shadowed")),
        gaps=tuple(str(g) for g in _items(c, "gaps")),
        runs_gc=bool(c.get("runs_gc", True)),
        namespace=str(c.get("namespace") or ""),
        operator=_read_placement(c.get("operator")),
        placement=placement,
    )


def _read_bucket(b: Any, source: str) -> BucketRef:
    b = _obj(b, "a bucket")
    tf = b.get("terraform") or {}
    return BucketRef(
        provider=Provider(b["provider"]),
        name=_str(b["name"]),
        origin=_origin(b.get("origin"), source),
        display=_redacted_url(str(b.get("display") or b["name"])),
        account=_opt_str(b, "account"),
        path=_opt_str(b, "path"),
        endpoint=_opt_str(b, "endpoint"),
        region=_opt_str(b, "region"),
        tls=_opt_bool(b, "tls"),
        had_credentials=bool(b.get("had_credentials", False)),
        tf_address=tf.get("address"),
        tf_file=tf.get("file"),
        tf_published=bool(tf.get("published_module", False)),
        name_known=bool(tf.get("name_known", True)),
        tf_output=str(tf.get("output") or "bucket_name"),
    )


def _redacted_url(text: str) -> str:
    """A bucket URL of a bundle with any credentials in it remembered and masked."""
    return redact_url(text)  # remembers the keys, as reading the URL from a file would


def _read_reading(r: Any) -> Reading:
    if not isinstance(r, dict):
        raise TypeError(f"a reading must be an object, got {r!r}")
    return Reading(
        outcome=Outcome(r["outcome"]),
        value=r.get("value"),
        reason=str(r.get("reason", "")),
        permission=str(r.get("permission", "")),
    )


def _read_state(s: Any, source: str) -> BucketState:
    s = _obj(s, "a bucket state")
    settings = s.get("settings") or {}
    if not isinstance(settings, dict):
        raise TypeError("settings must be an object")
    return BucketState(
        provider=Provider(s["provider"]),
        name=_str(s["name"]),
        origin=_origin(s.get("origin"), source) if s.get("origin") else Origin(source, None, "bucket_states"),
        access=_read_reading(s.get("access") or {"outcome": "ok"}),
        account=_opt_str(s, "account"),
        endpoint=_opt_str(s, "endpoint"),
        region=_opt_str(s, "region"),
        settings=tuple((str(k), _read_reading(v)) for k, v in settings.items()),
        observed_at=_opt_str(s, "observed_at"),
    )
