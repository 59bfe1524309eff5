"""Terraform's JSON configuration syntax (``*.tf.json``) read into the declarations the HCL reader gives
(https://developer.hashicorp.com/terraform/language/syntax/json).

A JSON string is a template (``"${var.x}"`` is the variable's value, ``"a-${var.x}"`` text), which is how
the HCL reader writes expressions too; an object's property names are templates as well. The top-level
block types are nested by label (``{"resource": {"aws_s3_bucket": {"b": {…}}}}``), any level may be an
array of objects, and a ``"//"`` property of a block body is a comment. A few arguments are not
templates: a variable's ``default`` is a literal value, its ``type`` and the ``provider`` /
``depends_on`` meta-arguments are expressions written as strings. A nested block cannot be told from an
object-valued argument without the provider's schema: both stay objects, which every reader of a nested
block takes (one object is one block).
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from gcready.sources.terraform.hcl import ParsedFile, _HCLError

# the stdlib's pure-Python object parser: not in typeshed, but public in json.decoder
_JSON_OBJECT: Callable[..., tuple[list[tuple[str, Any]], int]] = json.decoder.JSONObject  # type: ignore[attr-defined]

# how many labels each top-level block type has (``locals`` is a body of attributes)
_LABELS = {
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "check": 1,
    "terraform": 0,
    "locals": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}
_COMMENT = "//"


@dataclass(frozen=True)
class _Object:
    """A JSON object as read: its properties in order (a repeat kept), each with the line its value
    starts on."""

    pairs: tuple[tuple[str, Any, int], ...]

    def __iter__(self) -> Iterator[tuple[str, Any, int]]:
        return iter(self.pairs)


def _decode(path: str, text: str) -> Any:
    """The JSON value with every object an ``_Object`` (properties in order, repeats kept, lines)."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_at(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    def parse_object(
        s_and_end: tuple[str, int], strict: bool, scan_once: Any, hook: Any, pairs_hook: Any, memo: Any = None
    ) -> tuple[_Object, int]:
        starts: list[int] = []

        def scan(string: str, idx: int) -> Any:
            starts.append(idx)
            return scan_once(string, idx)

        pairs, end = _JSON_OBJECT(s_and_end, strict, scan, None, list, memo)
        return _Object(tuple((k, v, line_at(at)) for (k, v), at in zip(pairs, starts, strict=True))), end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        return decoder.decode(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise _HCLError(f"not valid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise _HCLError("not valid JSON: nested too deeply", None) from None


def parse_json_config(path: str, text: str) -> ParsedFile:
    """A ``.tf.json`` file as the HCL reader gives a ``.tf`` file: ``{kind: [block, …]}`` with each block
    ``{label: {label: body}}``, values as the HCL reader writes them, and the line of each key."""
    root = _decode(path, text)
    if not isinstance(root, _Object):
        raise _HCLError("a .tf.json file must hold a JSON object", 1)
    reading = _Reading()
    data: dict[str, Any] = {}
    for kind, value, line in root:
        if kind == _COMMENT:
            continue
        depth = _LABELS.get(kind)
        if depth is None:
            raise _HCLError(f"unsupported block type {kind!r}", line)
        for labels, body, at in _labelled(value, depth, kind, line):
            key = (kind, *labels)
            reading.mark(key, at)
            block: Any = reading.body(body, key, kind)
            for label in reversed(labels[1:]):
                block = {label: block}
            data.setdefault(kind, []).append({labels[0]: block} if labels else block)
    return ParsedFile(path, data, reading.lines)


def _labelled(value: Any, depth: int, kind: str, line: int) -> list[tuple[tuple[str, ...], _Object, int]]:
    """The (labels, body, line) of each block a top-level property holds."""
    items = value if isinstance(value, list) else [value]
    out: list[tuple[tuple[str, ...], _Object, int]] = []
    for item in items:
        if not isinstance(item, _Object):
            what = "a block body" if depth == 0 else "an object of labels"
            raise _HCLError(f"{kind}: expected {what}", line)
        if depth == 0:
            out.append(((), item, line))
            continue
        for label, inner, at in item:
            if label == _COMMENT:
                continue
            out.extend(
                ((label, *labels), body, got) for labels, body, got in _labelled(inner, depth - 1, kind, at)
            )
    return out


class _Reading:
    def __init__(self) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}

    def mark(self, key: tuple[Any, ...], line: int) -> None:
        self.lines.setdefault(key, line)

    def body(self, body: _Object, key: tuple[Any, ...], kind: str) -> dict[str, Any]:
        """A block body: each argument's value (by its kind), nested blocks kept as objects."""
        out: dict[str, Any] = {}
        for name, value, line in body:
            if name == _COMMENT:
                continue
            if name in out:
                if not (_is_block(out[name]) and _is_block(value)):
                    raise _HCLError(f'Duplicate argument: "{name}" is written twice in {kind}', line)
                out[name] = _as_list(out[name]) + _as_list(self.value(value, (*key, name)))
                continue
            self.mark((*key, name), line)
            if kind == "variable" and name == "default":
                out[name] = self.literal(value, (*key, name))
            elif kind == "variable" and name == "type" and isinstance(value, str):
                out[name] = f"${{{value}}}"
            elif name in ("provider", "depends_on") and kind in ("resource", "data", "module", "output"):
                out[name] = _expressions(value)
            elif name == "providers" and kind == "module" and isinstance(value, _Object):
                out[name] = {k: _expressions(v) for k, v, _line in value}
            else:
                out[name] = self.value(value, (*key, name))
        return out

    def value(self, value: Any, key: tuple[Any, ...]) -> Any:
        """An expression: strings are templates as they are; objects keep their (template) keys."""
        if isinstance(value, _Object):
            out: dict[str, Any] = {}
            for name, inner, line in value:
                self.mark((*key, name), line)
                out[name] = self.value(inner, (*key, name))
            return out
        if isinstance(value, list):
            return [self.value(v, (*key, i)) for i, v in enumerate(value)]
        return value

    def literal(self, value: Any, key: tuple[Any, ...]) -> Any:
        """A value Terraform reads as it is (a variable's default): ``${`` escaped so no template is
        evaluated."""
        if isinstance(value, _Object):
            out: dict[str, Any] = {}
            for name, inner, line in value:
                self.mark((*key, name), line)
                out[_escaped(name)] = self.literal(inner, (*key, name))
            return out
        if isinstance(value, list):
            return [self.literal(v, (*key, i)) for i, v in enumerate(value)]
        return _escaped(value) if isinstance(value, str) else value


def _escaped(text: str) -> str:
    return text.replace("${", "$${").replace("%{", "%%{")


def _expressions(value: Any) -> Any:
    """Strings that are expressions, not templates (``"aws.west"``, ``["aws_s3_bucket.b"]``)."""
    if isinstance(value, str):
        return value if value.startswith("${") else f"${{{value}}}"
    if isinstance(value, list):
        return [_expressions(v) for v in value]
    return value


def _is_block(value: Any) -> bool:
    return isinstance(value, _Object | dict) or (
        isinstance(value, list) and all(isinstance(v, _Object | dict) for v in value)
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
