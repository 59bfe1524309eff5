"""YAML scalars as the Go library of each consumer resolves them.

- Helm values, ``kubectl`` and the API server decode with sigs.k8s.io/yaml over go-yaml v2 (YAML 1.1):
  ``y``/``yes``/``on`` and their capitalised forms are true, ``n``/``no``/``off`` false.
- docker compose (compose-go) decodes with go-yaml v3/v4, the YAML 1.2 core schema: only ``true`` and
  ``false`` (``True``, ``TRUE``…) are booleans; an unquoted ``yes`` or ``on`` stays the string.

Both honour an explicit tag (``!!str y`` is the string ``y``, ``!!bool "y"`` is true for go-yaml v2) and
refuse a tag the text does not fit (``!!int "abc"``: "cannot decode !!str `abc` as a !!int"). Into a
plain ``interface{}`` both keep timestamps as the text written. Numbers stay Python ints and floats here;
Helm's JSON step (every number a float64) is :mod:`gcready.sources.chart.helmyaml`'s.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import math
import re
import struct
from decimal import Decimal
from enum import Enum
from typing import Any


class Schema(Enum):
    """Whose rules decode a YAML file: those of the tool that will read it."""

    KUBERNETES = "sigs.k8s.io/yaml (go-yaml v2, YAML 1.1): Helm, kubectl, the API server"
    COMPOSE = "compose-go (go-yaml v3/v4, YAML 1.2 core schema): docker compose"


class ScalarError(ValueError):
    """A tagged scalar whose text the tag does not fit (the Go decoder fails on it)."""


_PREFIX = "tag:yaml.org,2002:"
_NULL: dict[str, Any] = {"": None, "~": None, "null": None, "Null": None, "NULL": None}
_FLOATS: dict[str, Any] = {
    **{s: math.nan for s in (".nan", ".NaN", ".NAN")},
    **{s: math.inf for s in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{s: -math.inf for s in ("-.inf", "-.Inf", "-.INF")},
}
_CORE_BOOL = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_YAML11_BOOL = {
    **_CORE_BOOL,
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}
_WORDS = {Schema.KUBERNETES: _YAML11_BOOL, Schema.COMPOSE: _CORE_BOOL}
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
# strconv.ParseInt(s, 0, 64)'s syntax: a prefix in either case, a leading 0 for octal. `08` is not an
# int (ParseInt fails on it); go-yaml then reads it as the float 8.
_INT = re.compile(r"^[-+]?(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$")
# strconv.ParseFloat of a text starting "." : Go's float literal syntax, an underscore only between digits
_DOT_FLOAT = re.compile(r"^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$")
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[-+]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?$"
)
_INT64 = 2**63


def resolve(schema: Schema, tag: str | None, text: str) -> Any:
    """A scalar: ``tag`` is its explicit tag, or None for a plain (unquoted, untagged) one.

    A quoted untagged scalar is a string and does not come here. Raises ScalarError when the tag does
    not fit the text, with the Go decoder's words.
    """
    if tag is None:
        return _plain(schema, text, timestamp=False)[1]
    short = tag[len(_PREFIX) :] if tag.startswith(_PREFIX) else None
    if short is None or short not in ("str", "binary", "bool", "int", "float", "null", "timestamp"):
        return text  # a local or unknown tag (`!foo x`): go-yaml keeps the text
    if short == "str":
        return text
    if short == "binary":
        return _binary(text)
    found, value = _plain(schema, text, timestamp=short == "timestamp")
    if found == short:
        return value
    if short == "float" and found == "int" and value < _INT64:  # go-yaml: an int or int64, not a uint64
        return float(value)
    raise ScalarError(f"cannot decode !!{found} `{text}` as a !!{short}")


def _plain(schema: Schema, text: str, *, timestamp: bool) -> tuple[str, Any]:
    """(short tag, value) of a plain scalar; timestamps are tried only for an explicit !!timestamp."""
    words = _WORDS[schema]
    if text in words:
        return "bool", words[text]
    if text in _NULL:
        return "null", None
    if text in _FLOATS:
        return "float", _FLOATS[text]
    if text[:1] not in "+-.0123456789":
        return "str", text
    if timestamp and _is_timestamp(text):
        return "timestamp", text  # into interface{}, go-yaml keeps a timestamp's text
    plain = text.replace("_", "")
    if text.startswith("."):  # go-yaml hands this one to ParseFloat as written
        if _DOT_FLOAT.match(text) and not math.isinf(number := float(plain)):
            return "float", number
        return "str", text
    if _INT.match(plain):
        number = _go_int(plain)
        if -_INT64 <= number < 2 * _INT64:  # strconv.ParseInt, then ParseUint
            return "int", number
    if _FLOAT.match(plain) and not math.isinf(number := float(plain)):  # ParseFloat: out of range
        return "float", number
    return "str", text


def _go_int(plain: str) -> int:
    """strconv.ParseInt(plain, 0, 64) of a text ``_INT`` matched: a leading 0 means octal."""
    sign = -1 if plain.startswith("-") else 1
    body = plain.lstrip("+-")
    base = {"x": 16, "o": 8, "b": 2}.get(body[1:2].lower())
    if base is not None:
        return sign * int(body[2:], base)
    return sign * int(body, 8 if body.startswith("0") else 10)


def _binary(text: str) -> str:
    """A !!binary scalar as Go decodes it: base64.StdEncoding skips only line breaks, and a byte that
    is not UTF-8 becomes one U+FFFD each (what the JSON step, or printing, makes of it)."""
    try:
        data = base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise ScalarError("!!binary value contains invalid base64 data") from None
    return _NOT_UTF8.sub("\ufffd", data.decode("utf-8", "surrogateescape"))


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # surrogateescape marks each undecodable byte


def _is_timestamp(text: str) -> bool:
    """go-yaml's parseTimestamp: a date, or a date and time, with real month, day and clock fields."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return False
    year, month, day = (int(g) for g in match.group(1, 2, 3))
    clock = match.group(4, 5, 6) if match.group(4) else match.group(7, 8, 9)
    try:
        datetime.date(year, month, day)
        if clock[0]:
            datetime.time(int(clock[0]), int(clock[1]), int(clock[2]))
    except ValueError:
        return False
    return True


def json_key(key: Any) -> str | None:
    """A mapping key as sigs.k8s.io/yaml writes it into JSON (``y:`` is the key "true"), or None when
    it has no JSON form (a null key, or one beyond int64: Helm and kubectl refuse the file). A float key
    is printed with float32 precision (``3.14159265358979:`` is the key "3.1415927"), as that library does."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key) if key < _INT64 else None  # a uint64 key: "unsupported map key of type: uint64"
    if isinstance(key, float):
        text = go_float(key, bits=32)
        return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)
    return None


def go_string(value: Any) -> str:
    """What sprig's ``toString`` (Go ``%v``) prints for a decoded value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return go_float(float(value))
    return str(value)


def go_float(number: float, bits: int = 64) -> str:
    """strconv.FormatFloat(f, 'g', -1, bits) (``%v`` for bits=64): shortest digits, exponent from 1e+06."""
    if bits == 32:
        number = _float32(number)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    sign, digits_t, exponent = Decimal(_shortest(number, bits)).normalize().as_tuple()
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


def _float32(number: float) -> float:
    """float32(number) as Go converts it: to the nearest, infinity beyond float32's range."""
    try:
        return float(struct.unpack("f", struct.pack("f", number))[0])
    except OverflowError:
        return math.copysign(math.inf, number)


def _shortest(number: float, bits: int) -> str:
    """The fewest significant digits that read back as ``number`` at float``bits`` precision."""
    if bits == 64:
        return repr(number)
    for precision in range(9):  # 9 significant digits always identify a float32
        text = f"{number:.{precision}e}"
        if _float32(float(text)) == number:
            return text
    return repr(number)
