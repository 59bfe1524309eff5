"""Read HCL back with python-hcl2 and decode its string tokens as Terraform does (an independent reader)."""

from __future__ import annotations

import re
from typing import Any

import hcl2

_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt"\\])|\$\$\{|%%\{|\$\{|%\{')
BOOKKEEPING = frozenset(
    {"__is_block__", "__comments__", "__inline_comments__", "__start_line__", "__end_line__"}
)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class Interpolation(ValueError):
    """A string the writer left with a live ``${`` or ``%{``: Terraform would evaluate it."""


def decode(token: str) -> str:
    """The value of one quoted HCL string token (quotes included)."""
    assert token.startswith('"') and token.endswith('"'), token
    body = token[1:-1]

    def one(match: re.Match[str]) -> str:
        text = match.group(0)
        if text in ("$${", "%%{"):
            return text[1:]
        if text in ("${", "%{"):
            raise Interpolation(token)
        code = match.group(1)
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        return _SIMPLE[code]

    return _ESCAPE.sub(one, body)


def _value(node: Any) -> Any:
    if isinstance(node, str):
        return decode(node) if len(node) >= 2 and node[0] == node[-1] == '"' else node
    if isinstance(node, list):
        return [_value(v) for v in node]
    if isinstance(node, dict):
        # python-hcl2's bookkeeping (block markers, comments) is not configuration
        return {_value(k): _value(v) for k, v in node.items() if k not in BOOKKEEPING}
    return node


def load(text: str) -> dict[str, Any]:
    """The HCL text as python-hcl2 reads it, with strings (values, keys and labels) decoded."""
    parsed: dict[str, Any] = _value(hcl2.loads(text + "\n"))
    return parsed
