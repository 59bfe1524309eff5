"""How the W&B server (written in Go) reads a boolean environment variable."""

from __future__ import annotations

# strconv.ParseBool accepts exactly these spellings; anything else is an error, and a server that
# reads the flag that way treats the error as "not enabled".
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_bool(value: str) -> bool | None:
    """Go's ``strconv.ParseBool``: True, False, or None when Go would return an error."""
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None
