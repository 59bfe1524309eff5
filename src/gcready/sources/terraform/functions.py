"""Terraform's built-in functions that W&B's modules and common roots use: one typed function each.

Every function receives known values (the evaluator handles unknown arguments, ``try`` and ``can``) and
raises ``EvalError`` where Terraform reports an error.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable
from typing import Any

from gcready.sources.terraform.values import EvalError, number, same, to_bool, to_number, to_string

Function = Callable[..., Any]


def _map(value: Any, what: str = "a map") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EvalError(f"{what} is required")
    return value


def _list(value: Any, what: str = "a list") -> list[Any]:
    if not isinstance(value, list):
        raise EvalError(f"{what} is required")
    return value


def merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in maps:
        if item is not None:
            out.update(_map(item, "merge: a map or object"))
    return out


def lookup(mapping: Any, key: Any, *default: Any) -> Any:
    got = _map(mapping)
    name = to_string(key)
    if name in got:
        return got[name]
    if default:
        return default[0]
    raise EvalError("lookup: no such key and no default")


def concat(*lists: Any) -> list[Any]:
    return [item for value in lists for item in _list(value, "concat: a list")]


def coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    raise EvalError("coalesce: no non-null, non-empty argument")


def coalescelist(*lists: Any) -> list[Any]:
    for value in lists:
        items = _list(value)
        if items:
            return items
    raise EvalError("coalescelist: no non-empty list")


def tomap(value: Any) -> dict[str, Any]:
    return _map(value)


def tolist(value: Any) -> list[Any]:
    return list(_list(value))


def toset(value: Any) -> list[Any]:
    items = distinct(_list(value))
    if all(isinstance(i, str) for i in items):
        return sorted(items)
    return items


def _json(value: Any) -> Any:
    if isinstance(value, float):
        return number(value)
    if isinstance(value, dict):
        return {k: _json(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def jsonencode(value: Any) -> str:
    text = json.dumps(_json(value), separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def jsondecode(text: Any) -> Any:
    try:
        return json.loads(to_string(text))
    except ValueError as exc:
        raise EvalError(f"jsondecode: {exc}") from None


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return to_string(value)
    return json.dumps(str(value), ensure_ascii=False)


def _yaml(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key in sorted(value):
            item = value[key]
            head = f"{pad}{json.dumps(key, ensure_ascii=False)}:"
            if isinstance(item, dict) and item:
                lines.append(head)
                lines.extend(_yaml(item, indent + 2))
            elif isinstance(item, list) and item:
                lines.append(head)
                lines.extend(_yaml(item, indent))
            else:
                lines.append(f"{head} {_yaml_inline(item)}")
    else:
        for item in value:
            if isinstance(item, dict | list) and item:
                nested = _yaml(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- {_yaml_inline(item)}")
    return lines


def _yaml_inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _yaml_scalar(value)


def yamlencode(value: Any) -> str:
    if isinstance(value, dict | list) and value:
        return "\n".join(_yaml(value, 0)) + "\n"
    return _yaml_inline(value) + "\n"


_VERB = re.compile(r"%([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def format_(spec: Any, *args: Any) -> str:
    text = to_string(spec)
    out: list[str] = []
    pos, index = 0, 0
    for match in _VERB.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if index >= len(args):
            raise EvalError("format: not enough arguments")
        arg = args[index]
        index += 1
        if verb in "sv":
            piece = jsonencode(arg) if isinstance(arg, dict | list) else to_string(arg)
        elif verb == "q":
            piece = json.dumps(to_string(arg), ensure_ascii=False)
        elif verb == "t":
            piece = "true" if to_bool(arg) else "false"
        elif verb in "dxXob":
            value = to_number(arg)
            if not isinstance(value, int):
                raise EvalError("format: an integer is required")
            piece = format(value, {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb])
        elif verb in "feEgG":
            piece = ("%" + (f".{precision}" if precision else "") + verb) % float(to_number(arg))
        else:
            raise EvalError(f"format: unsupported verb %{verb}")
        if width:
            size = int(width)
            if "-" in flags:
                piece = piece.ljust(size)
            elif "0" in flags and verb not in "sqvt":
                sign = piece[0] if piece[:1] in "+-" else ""
                piece = sign + piece[len(sign) :].rjust(size - len(sign), "0")
            else:
                piece = piece.rjust(size)
        out.append(piece)
    out.append(text[pos:])
    return "".join(out)


def join(separator: Any, *lists: Any) -> str:
    return to_string(separator).join(to_string(item) for value in lists for item in _list(value))


def split(separator: Any, text: Any) -> list[str]:
    return to_string(text).split(to_string(separator))


def replace(text: Any, search: Any, replacement: Any) -> str:
    value, pattern, new = to_string(text), to_string(search), to_string(replacement)
    if len(pattern) >= 2 and pattern.startswith("/") and pattern.endswith("/"):
        # RE2 replacement syntax ($1, ${name}) → Python's
        new = re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", new.replace("\\", "\\\\"))
        try:
            return re.sub(pattern[1:-1], new, value)
        except re.error as exc:
            raise EvalError(f"replace: {exc}") from None
    return value.replace(pattern, new)


def length(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict | list):
        return len(value)
    raise EvalError("length: a string, list or map is required")


def keys(mapping: Any) -> list[str]:
    return sorted(_map(mapping))


def values(mapping: Any) -> list[Any]:
    got = _map(mapping)
    return [got[k] for k in sorted(got)]


def contains(collection: Any, value: Any) -> bool:
    return any(same(item, value) for item in _list(collection))


def element(collection: Any, index: Any) -> Any:
    items = _list(collection)
    position = to_number(index)
    if not items or not isinstance(position, int) or position < 0:
        raise EvalError("element: a non-empty list and a non-negative integer are required")
    return items[position % len(items)]


def flatten(collection: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(collection):
        out.extend(flatten(item) if isinstance(item, list) else [item])
    return out


def distinct(collection: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(collection):
        if not any(same(item, seen) for seen in out):
            out.append(item)
    return out


def zipmap(names: Any, items: Any) -> dict[str, Any]:
    left, right = _list(names), _list(items)
    if len(left) != len(right):
        raise EvalError("zipmap: lists of the same length are required")
    return {to_string(k): v for k, v in zip(left, right, strict=True)}


def compact(collection: Any) -> list[str]:
    return [to_string(item) for item in _list(collection) if item is not None and item != ""]


def substr(text: Any, offset: Any, size: Any) -> str:
    value, start, count = to_string(text), int(to_number(offset)), int(to_number(size))
    if start < 0:
        start += len(value)
    return value[start:] if count < 0 else value[start : start + count]


def _range(*bounds: Any) -> list[int | float]:
    nums = [to_number(b) for b in bounds]
    start, stop, step = (
        (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], nums[2] if len(nums) > 2 else 1)
    )
    if step == 0:
        raise EvalError("range: step must not be zero")
    out: list[int | float] = []
    current = start
    while (step > 0 and current < stop) or (step < 0 and current > stop):
        if len(out) == _RANGE_LIMIT:  # Terraform's limit: a few bytes of HCL must not stall an audit
            raise EvalError(f"range: more than {_RANGE_LIMIT} values were generated")
        out.append(number(current))
        current += step
    return out


_RANGE_LIMIT = 1024


def chomp(text: Any) -> str:
    """Terraform's ``chomp``: every newline (``\\n``, ``\\r\\n``, ``\\r``) at the end removed."""
    return re.sub(r"(?:\r\n|\n|\r)+\Z", "", to_string(text))


def slice_(collection: Any, start: Any, end: Any) -> list[Any]:
    items = _list(collection)
    first, last = int(to_number(start)), int(to_number(end))
    if not 0 <= first <= last <= len(items):
        raise EvalError("slice: index out of range")
    return items[first:last]


def one(collection: Any) -> Any:
    items = _list(collection)
    if len(items) > 1:
        raise EvalError("one: more than one element")
    return items[0] if items else None


def _numbers(values: Any) -> list[int | float]:
    return [to_number(v) for v in values]


def _sort(collection: Any) -> list[str]:
    return sorted(to_string(v) for v in _list(collection))


def _index(collection: Any, value: Any) -> int:
    for i, item in enumerate(_list(collection)):
        if same(item, value):
            return i
    raise EvalError("index: the value is not in the list")


def _trim(text: Any, chars: Any) -> str:
    return to_string(text).strip(to_string(chars))


FUNCTIONS: dict[str, Function] = {
    "merge": merge,
    "lookup": lookup,
    "concat": concat,
    "coalesce": coalesce,
    "coalescelist": coalescelist,
    "tomap": tomap,
    "tolist": tolist,
    "toset": toset,
    "tostring": lambda v: v if v is None else to_string(v),
    "tonumber": lambda v: v if v is None else to_number(v),
    "tobool": lambda v: v if v is None else to_bool(v),
    "jsonencode": jsonencode,
    "jsondecode": jsondecode,
    "yamlencode": yamlencode,
    "format": format_,
    "join": join,
    "split": split,
    "replace": replace,
    "lower": lambda s: to_string(s).lower(),
    "upper": lambda s: to_string(s).upper(),
    "title": lambda s: re.sub(r"\b(\w)", lambda m: m.group(1).upper(), to_string(s)),
    "trimspace": lambda s: to_string(s).strip(),
    "chomp": chomp,
    "trim": _trim,
    "trimprefix": lambda s, p: to_string(s).removeprefix(to_string(p)),
    "trimsuffix": lambda s, p: to_string(s).removesuffix(to_string(p)),
    "startswith": lambda s, p: to_string(s).startswith(to_string(p)),
    "endswith": lambda s, p: to_string(s).endswith(to_string(p)),
    "strrev": lambda s: to_string(s)[::-1],
    "substr": substr,
    "length": length,
    "keys": keys,
    "values": values,
    "contains": contains,
    "element": element,
    "flatten": flatten,
    "distinct": distinct,
    "zipmap": zipmap,
    "compact": compact,
    "reverse": lambda c: list(reversed(_list(c))),
    "sort": _sort,
    "slice": slice_,
    "range": _range,
    "one": one,
    "index": _index,
    "max": lambda *v: number(max(_numbers(v))),
    "min": lambda *v: number(min(_numbers(v))),
    "abs": lambda v: number(abs(to_number(v))),
    "ceil": lambda v: math.ceil(to_number(v)),
    "floor": lambda v: math.floor(to_number(v)),
    "sum": lambda c: number(sum(_numbers(_list(c)))),
    "alltrue": lambda c: all(to_bool(v) for v in _list(c)),
    "anytrue": lambda c: any(to_bool(v) for v in _list(c)),
    "base64encode": lambda s: base64.b64encode(to_string(s).encode()).decode(),
    "base64decode": lambda s: base64.b64decode(to_string(s)).decode(),
    "chunklist": lambda c, n: [
        _list(c)[i : i + int(to_number(n))] for i in range(0, len(_list(c)), int(to_number(n)))
    ],
    "setunion": lambda *sets: toset(concat(*sets)),
}
# ``try`` and ``can`` need their arguments unevaluated: the evaluator implements them.
LAZY = frozenset({"try", "can"})
