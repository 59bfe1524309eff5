"""YAML values decoded as Helm decodes them, with line numbers.

Helm reads a values file with sigs.k8s.io/yaml: go-yaml v2 (YAML 1.1) resolves the plain scalars, the
result goes through JSON, so every number becomes a float64. PyYAML's YAML 1.1 differs from go-yaml v2
in a few places that decide verdicts: ``y``/``Y``/``n``/``N`` are booleans for go-yaml, ``1e3`` is a
number, ``1:30`` (sexagesimal) and timestamps stay strings. Templates then print values with Go's
``%v``: a YAML ``1.0`` renders as ``1``, ``1000000`` as ``1e+06``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from gcready.model import InputError
from gcready.sources.yamldocs import LineDict, LineList, YAMLInputError, merge_keys

_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INT = re.compile(r"^[-+]?(0b[01]+|0o?[0-7]+|0x[0-9a-fA-F]+|[0-9]+)$")
_MERGE = "tag:yaml.org,2002:merge"


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar as go-yaml v2 resolves it, numbers as float64 (JSON) afterwards."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _NULL:
        return None
    if text in (".nan", ".NaN", ".NAN"):
        return math.nan
    if text in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
        return math.inf
    if text in ("-.inf", "-.Inf", "-.INF"):
        return -math.inf
    if text[:1] in "+-.0123456789":
        plain = text.replace("_", "")
        if _INT.match(plain):
            return float(_go_int(plain))
        if _FLOAT.match(plain):
            return float(plain)
    return text


def _go_int(plain: str) -> int:
    """strconv.ParseInt(plain, 0, 64): a leading 0 means octal."""
    sign = -1 if plain.startswith("-") else 1
    body = plain.lstrip("+-")
    if body.startswith(("0x", "0X")):
        return sign * int(body[2:], 16)
    if body.startswith("0b"):
        return sign * int(body[2:], 2)
    if body.startswith("0o"):
        return sign * int(body[2:], 8)
    if len(body) > 1 and body.startswith("0"):
        return sign * int(body[1:], 8)
    return sign * int(body)


def go_string(value: Any) -> str:
    """What sprig's ``toString`` (Go ``%v``) prints for a decoded value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return go_float(float(value))
    return str(value)


def go_float(number: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64) as ``%v`` prints it: shortest digits, exponent from 1e+06."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    sign, digits_t, exponent = Decimal(repr(number)).normalize().as_tuple()
    digits = "".join(map(str, digits_t))
    assert isinstance(exponent, int)
    point = len(digits) + exponent  # where the decimal point falls after the digits' start
    minus = "-" if sign else ""
    exp = point - 1
    if exp < -4 or exp >= 6:  # strconv shortest %g: precision 6 decides the form
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return minus + digits + "0" * (point - len(digits))
    return f"{minus}{digits[:point]}.{digits[point:]}"


def load_values(source: str, text: str) -> list[Any]:
    """Every document of a values file as Helm decodes it (mappings remember their lines)."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return [_build(source, node) for node in yaml.compose_all(text, Loader=loader_class)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YAMLInputError(
            InputError(source, f"not valid YAML: {message}", mark.line + 1 if mark else None)
        ) from None
    except yaml.YAMLError as exc:
        raise YAMLInputError(InputError(source, f"not valid YAML: {exc}")) from None


def _build(source: str, node: Any, memo: dict[int, Any] | None = None) -> Any:
    import yaml

    memo = {} if memo is None else memo
    if node is None:
        return None
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, yaml.MappingNode):
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        memo[id(node)] = mapping
        explicit: set[Any] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merge_keys(mapping, _build(source, value_node, memo))
                continue
            key = _build(source, key_node, memo)
            key = key if isinstance(key, str) else go_string(key)  # JSON keys are strings
            line = key_node.start_mark.line + 1
            if key in explicit:  # go-yaml v2 refuses a repeated key: Helm fails on this file
                raise YAMLInputError(InputError(source, f"duplicate key {key!r}", line))
            explicit.add(key)
            mapping[key] = _build(source, value_node, memo)
            mapping.key_lines[key] = line
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LineList()
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = []
        memo[id(node)] = sequence
        for item in node.value:
            sequence.append(_build(source, item, memo))
            sequence.item_lines.append(item.start_mark.line + 1)
        return sequence
    text = str(node.value)
    # plain scalars are resolved by go-yaml's rules (PyYAML keeps no record of an explicit `!!str` on a
    # plain scalar; such files are rare and would read as go-yaml reads the untagged form)
    value = resolve_plain(text) if not node.style else text  # libyaml says "" for plain
    memo[id(node)] = value
    return value
