"""docker compose's ``${VAR}`` interpolation (compose-go ``template``), with an empty shell.

``$VAR``, ``${VAR}``, ``${VAR:-default}`` / ``${VAR-default}``, ``${VAR:+alt}`` / ``${VAR+alt}``,
``${VAR:?err}`` / ``${VAR?err}``, nested defaults, and ``$$`` for a literal ``$``. What is known of a
variable is given as a mapping (the project ``.env``, and for an ``env_file`` what compose looks up
besides); the shell that runs ``docker compose`` is not among the inputs and is taken as setting
nothing, so a reference nothing sets is unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Unresolved(Exception):
    """A ``${VAR}`` reference whose value only the shell running ``docker compose`` knows."""

    def __init__(self, name: str, why: str = "") -> None:
        super().__init__(name)
        self.name = name
        self.why = why


# What interpolation knows of a variable: its value, or why it is not known (Unresolved)
ProjectEnv = Mapping[str, "str | Unresolved"]


class Chain(Mapping[str, "str | Unresolved"]):
    """Several mappings read as one: the first that has a name decides it (a read-only ChainMap)."""

    def __init__(self, *maps: ProjectEnv) -> None:
        self.maps = maps

    def __getitem__(self, name: str) -> str | Unresolved:
        for mapping in self.maps:
            if name in mapping:
                return mapping[name]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(name for mapping in self.maps for name in mapping))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def interpolate(text: str, env: ProjectEnv | None = None) -> str:
    """Compose interpolation with an empty shell and ``env`` (the project ``.env``): defaults apply to
    what neither sets, a bare reference to it raises Unresolved."""
    env = {} if env is None else env
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$":
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            end = _closing_brace(text, i + 2)
            if end < 0:
                raise Unresolved(text[i + 2 :], "an unclosed ${…} reference")
            out.append(_expand(text[i + 2 : end], env))
            i = end + 1
        else:
            match = _NAME.match(text, i + 1)
            if match is None:
                out.append("$")
                i += 1
                continue
            out.append(_known(match.group(0), env))
            i = match.end()
    return "".join(out)


def _known(name: str, env: ProjectEnv) -> str:
    found = env.get(name)
    if found is None:
        raise Unresolved(name)
    if isinstance(found, Unresolved):
        raise found
    return found


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for j in range(start, len(text)):
        if text[j] == "{" and text[j - 1] == "$":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return -1


def _expand(body: str, env: ProjectEnv) -> str:
    match = _NAME.match(body)
    if match is None:
        raise Unresolved(body, "not a variable reference")
    name, rest = match.group(0), body[match.end() :]
    if not rest:
        return _known(name, env)
    found = env.get(name)
    if isinstance(found, Unresolved):
        raise found
    # ":" makes an empty value count as unset
    is_set = found is not None and (found != "" or not rest.startswith(":"))
    for op in (":-", "-"):
        if rest.startswith(op):
            return found if is_set and found is not None else interpolate(rest[len(op) :], env)
    for op in (":+", "+"):
        if rest.startswith(op):
            return interpolate(rest[len(op) :], env) if is_set else ""  # only when set
    if rest.startswith((":?", "?")):
        if is_set and found is not None:
            return found
        raise Unresolved(name, "required by the compose file (${NAME:?…})")
    raise Unresolved(name, f"unsupported modifier {rest!r}")
