"""The evidence bundle: gcready's own redacted evidence file (``gcready collect`` writes it).

A bundle is :class:`~gcready.model.Evidence` as JSON (schema: ``schemas/bundle.schema.json``). It never
holds a secret: env values are already redacted when evidence is built, and bucket credentials are not
serialised. A bundle given as input is redacted again as it is read, as if its values came from files
(a hand-made or edited bundle may hold anything), so ``collect`` never copies a raw secret out of one.
A hand-written bundle needs only ``format``, ``version`` and ``bucket_states``.

Version 2 adds ``errors``: the inputs ``collect`` could not read (file, line, message, redacted), which
``audit BUNDLE`` reports again as input errors, so it reaches the same verdict and exit code as an audit
of the files. A version 1 bundle is still read; one ``collect`` wrote gets a note that it kept no such
record.
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
from gcready.redact import MASK, display_env_value, redact_url, scrub

FORMAT = "gcready-bundle"
_TOO_DEEP = object()
VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 has no ``errors``: it did not record the inputs collect could not read


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
        "errors": [{"source": e.source, "line": e.line, "message": e.message} for e in evidence.errors],
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
        **({"layer": v.layer} if v.layer else {}),
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
        version = data.get("version") if isinstance(data, dict) else None
        if not isinstance(data, dict) or data.get("format") != FORMAT or not _readable(version):
            raise ValueError(f"not a {FORMAT} document of version {' or '.join(map(str, READABLE_VERSIONS))}")
        return Evidence(
            inputs=(InputFile(source, SourceKind.BUNDLE),),
            components=tuple(_read_component(c, source, i) for i, c in enumerate(_list(data, "components"))),
            signals=tuple(
                Signal(SignalKind(s["kind"]), _str(s["value"]), _origin(s.get("origin"), source))
                for s in _list(data, "signals")
            ),
            buckets=tuple(_read_bucket(b, source) for b in _list(data, "buckets")),
            bucket_states=tuple(_read_state(s, source) for s in _list(data, "bucket_states")),
            notes=tuple(Note(_str(n["text"]), _origin(n.get("origin"), source)) for n in _list(data, "notes"))
            + _no_error_record(data, source),
            errors=tuple(_read_error(e, source) for e in _list(data, "errors")),
        )
    except _Contradiction as exc:  # well-typed, so the schema's message would say less than this one
        raise BundleError(InputError(source, f"not a valid gcready bundle at {exc.where}: {exc}")) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        _validate(source, data)  # names the exact place when the schema sees it
        raise BundleError(InputError(source, f"not a valid gcready bundle: {exc}")) from None


class _Contradiction(ValueError):
    """Fields of a bundle that are each well-typed but cannot all be true, at a JSON path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where


def _readable(version: Any) -> bool:
    return isinstance(version, int) and not isinstance(version, bool) and version in READABLE_VERSIONS


def _no_error_record(data: dict[str, Any], source: str) -> tuple[Note, ...]:
    """A version 1 bundle that ``collect`` wrote kept no record of the inputs it could not read."""
    if data["version"] != 1 or not ("tool" in data or "inputs" in data):
        return ()  # a hand-written record of bucket states: no input was read to fail
    return (
        Note(
            "a version 1 bundle, which did not record the inputs gcready collect could not read: "
            "if collect reported input errors, this audit does not show them (collect again with "
            "this gcready for a bundle that does)",
            Origin(source),
        ),
    )


def _read_error(e: Any, source: str) -> InputError:
    """An input ``collect`` could not read, reported again: redacted, as anything a bundle holds."""
    e = _obj(e, "an input error")
    line = e.get("line")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
        raise TypeError(f"an input error's line must be a positive integer or null, got {_shown(line)}")
    message = scrub(_str(e["message"]))
    return InputError(scrub(_str(e["source"])), f"{message} (recorded in the bundle {source})", line)


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise TypeError(f"{key} must be a list")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_shown(value)}")
    return value


def _field(data: dict[str, Any], key: str, kind: type, words: str, default: Any = None) -> Any:
    """``data[key]`` (``default`` when absent), which must be a ``kind`` (or null where ``words`` allow)."""
    value = data.get(key, default)
    if not isinstance(value, kind) and (value is not None or "null" not in words):
        raise TypeError(f"{key} must be {words}, got {_shown(value)}")
    return value


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value: str | None = _field(data, key, str, "a string or null")
    return value


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value: bool = _field(data, key, bool, "true or false", default)
    return value


def _opt_bool(data: dict[str, Any], key: str) -> bool | None:
    value: bool | None = _field(data, key, bool, "true, false or null")
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


def _read_env(v: Any, source: str, where: str) -> EnvValue:
    """An env value of a bundle, redacted as if read from a file: a bundle may be hand-made or edited.

    The value is a string (env values are strings; the API server rejects a YAML ``true``) or null;
    a value and a reason it could not be read, or a redacted value that shows no mask, contradict
    each other and are refused rather than judged.
    """
    v = _obj(v, "an env entry")
    name, value = _str(v["name"]), _opt_str(v, "value")
    marked, unresolved = _bool(v, "redacted", False), _opt_str(v, "unresolved") or ""
    if value is not None and unresolved:
        raise _Contradiction(where, f"{name} has a value and also a reason it could not be read (unresolved)")
    if marked and value is not None and MASK not in value:
        raise _Contradiction(where, f"{name} is marked redacted, but its value shows no {MASK} mask")
    shown, redacted = (None, False) if value is None else display_env_value(name, value)
    return EnvValue(
        name=name,
        value=shown,
        origin=_origin(v.get("origin"), source),
        redacted=redacted or marked,
        unresolved=scrub(unresolved),
        outranked_by=tuple(scrub(_str(g)) for g in _items(v, "outranked_by")),
        layer=scrub(_str(v.get("layer", ""))),
    )


def _read_envs(c: dict[str, Any], key: str, source: str, where: str, unique: bool) -> tuple[EnvValue, ...]:
    """A component's ``env`` holds each variable's one winning value: a name twice is refused."""
    values = tuple(_read_env(v, source, f"{where}/{key}/{i}") for i, v in enumerate(_items(c, key)))
    seen: set[str] = set()
    for i, value in enumerate(values):
        if unique and value.name in seen:
            raise _Contradiction(
                f"{where}/{key}/{i}",
                f"{value.name} appears twice in the component's env, which holds each variable's "
                "winning value once (the values it outranked go in shadowed)",
            )
        seen.add(value.name)
    return values


def _read_component(c: Any, source: str, index: int) -> Component:
    c = _obj(c, "a component")
    where = f"components/{index}"
    kind, origin = ComponentKind(c["kind"]), _origin(c.get("origin"), source)
    placement = placement_from_json(c.get("placement"), scrub)
    if "placement" not in c:  # a bundle from before placements were recorded
        placement = recorded_before_placements(kind, origin)
    return Component(
        name=_str(c["name"]),
        kind=kind,
        origin=origin,
        env=_read_envs(c, "env", source, where, unique=True),
        shadowed=_read_envs(c, "shadowed", source, where, unique=False),
        gaps=tuple(_str(g) for g in _items(c, "gaps")),
        runs_gc=_bool(c, "runs_gc", True),
        namespace=_opt_str(c, "namespace") or "",
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


def _read_reading(r: Any, source: str) -> Reading:
    if not isinstance(r, dict):
        raise TypeError(f"a reading must be an object, got {r!r}")
    return Reading(
        outcome=Outcome(r["outcome"]),
        value=r.get("value"),
        reason=str(r.get("reason", "")),
        permission=str(r.get("permission", "")),
        declared=_origin(r["declared"], source) if isinstance(r.get("declared"), dict) else None,
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
        access=_read_reading(s.get("access") or {"outcome": "ok"}, source),
        account=_opt_str(s, "account"),
        endpoint=_opt_str(s, "endpoint"),
        region=_opt_str(s, "region"),
        settings=tuple((str(k), _read_reading(v, source)) for k, v in settings.items()),
        observed_at=_opt_str(s, "observed_at"),
    )
