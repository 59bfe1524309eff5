"""``$(VAR)`` references in container env values, expanded exactly as the kubelet expands them.

The kubelet (``third_party/forked/golang/expansion``) scans a value once, left to right: ``$(NAME)``
is replaced by NAME's value when NAME is defined, and kept as written when it is not; ``$$`` is one
``$``; a ``$`` before anything else, and an unclosed ``$(``, are copied unchanged. The values it
substitutes are the container's ``envFrom`` variables and the ``env`` entries before this one (later
definitions of a name replace earlier ones); substituted text is not scanned again.
"""

from __future__ import annotations

from collections.abc import Callable


def expand(value: str, mapping: Callable[[str], str | None]) -> str:
    """``value`` with each ``$(NAME)`` replaced by ``mapping(NAME)``; None means NAME is undefined."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(value):
        if value[cursor] == "$" and cursor + 1 < len(value):
            out.append(value[checkpoint:cursor])
            read, is_var, advance = _read_reference(value, cursor + 1)
            if is_var:
                found = mapping(read)
                out.append(f"$({read})" if found is None else found)
            else:
                out.append(read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    out.append(value[checkpoint:])
    return "".join(out)


def _read_reference(value: str, start: int) -> tuple[str, bool, int]:
    """What follows a ``$`` at ``start``: (text or name, whether it is a reference, characters used)."""
    head = value[start]
    if head == "$":  # escaped operator
        return "$", False, 1
    if head == "(":
        close = value.find(")", start + 1)
        if close >= 0:
            return value[start + 1 : close], True, close - start + 1
        return "$(", False, 1  # incomplete reference: copied as written
    return "$" + head, False, 1


def references(value: str) -> list[str]:
    """The names ``value`` refers to, in order, as :func:`expand` would look them up."""
    names: list[str] = []

    def record(name: str) -> str | None:
        names.append(name)
        return None

    expand(value, record)
    return names
