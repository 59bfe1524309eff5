"""How each consumer of an env file reads it: ``docker run --env-file``, docker compose, systemd.

The same line means different things to each (DOMAIN.md, "env files have dialects"):

- **docker** (``docker run --env-file``, docker/cli ``kvfile``): a line is ``NAME=rest``; ``rest`` is the
  value exactly as written, quotes, ``#`` text and trailing spaces included. Leading whitespace and
  ``#`` lines are skipped; a name with whitespace (``export NAME=…``) makes docker refuse the file; a
  bare ``NAME`` takes its value from the shell running docker; lines over 64 KiB are refused.
- **compose** (``env_file`` of a service): quotes are stripped (single quotes literal), ``export`` is
  allowed, ``#`` after whitespace starts a comment; python-dotenv's parser, which follows the same rules.
- **systemd** (``EnvironmentFile=``): quotes are stripped (backslash escapes in double quotes), ``#``
  and ``;`` lines are comments but ``#`` after a value is part of it, lines without ``=`` and
  invalid names (``export NAME``) are ignored, a trailing backslash continues the line.
"""

from __future__ import annotations

import enum
import io
import re
from dataclasses import dataclass

from gcready.limits import MAX_LINE


class Dialect(enum.StrEnum):
    DOCKER = "docker"
    COMPOSE = "compose"
    SYSTEMD = "systemd"


CONSUMER = {
    Dialect.DOCKER: "docker run --env-file",
    Dialect.COMPOSE: "docker compose env_file",
    Dialect.SYSTEMD: "systemd EnvironmentFile",
}


@dataclass(frozen=True)
class Assignment:
    """``name`` set to ``value`` at ``line``; ``value`` None: taken from the consumer's own environment."""

    name: str
    value: str | None
    line: int
    literal: bool = False  # single-quoted (compose does not interpolate it)


@dataclass(frozen=True)
class Parsed:
    assignments: tuple[Assignment, ...]
    refused: tuple[int, str] | None = None  # the consumer refuses the whole file: (line, why)
    ignored: tuple[tuple[int, str], ...] = ()  # lines the consumer skips: (line, why)


def parse(text: str, dialect: Dialect) -> Parsed:
    """The assignments ``dialect``'s consumer reads from ``text``, in file order."""
    if dialect is Dialect.DOCKER:
        return _docker(text)
    if dialect is Dialect.SYSTEMD:
        return _systemd(text)
    return _compose(text)


_DOCKER_SPACE = " \t\n\v\f\r"


def _docker(text: str) -> Parsed:
    out: list[Assignment] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if len(raw) > MAX_LINE:
            return Parsed(tuple(out), (number, "a line longer than 64 KiB (token too long)"))
        line = raw[:-1] if raw.endswith("\r") else raw  # bufio.ScanLines drops one CR before LF
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not name:
            return Parsed(tuple(out), (number, "no variable name on the line"))
        if any(c in _DOCKER_SPACE for c in name):
            return Parsed(tuple(out), (number, f"variable {name!r} contains whitespace"))
        out.append(Assignment(name, value if sep else None, number))
    return Parsed(tuple(out))


def _compose(text: str) -> Parsed:
    from dotenv.parser import parse_stream

    out: list[Assignment] = []
    for binding in parse_stream(io.StringIO(text)):
        before = binding.original.string
        line = binding.original.line + len(before) - len(before.lstrip("\n"))  # blank lines before it
        if binding.error:
            return Parsed(tuple(out), (line, "not a NAME=value line"))
        if binding.key is None:
            continue
        literal = before.strip().partition("=")[2].lstrip().startswith("'")
        out.append(Assignment(binding.key, binding.value, line, literal))
    return Parsed(tuple(out))


_SYSTEMD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SHELL_NEED_ESCAPE = '"\\`$'
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _append(chars: list[str], char: str, blanks_from: int | None) -> int | None:
    """Add ``char``; return where the trailing blanks of ``chars`` start now (None: it ends in no blank)."""
    if char not in " \t":
        blanks_from = None
    elif blanks_from is None:
        blanks_from = len(chars)
    chars.append(char)
    return blanks_from


def _systemd(text: str) -> Parsed:
    """systemd's env-file state machine (src/basic/env-file.c), then its check of each assignment."""
    pairs: list[tuple[str, str, int]] = []
    ignored: list[tuple[int, str]] = []
    state = "pre_key"
    key: list[str] = []
    value: list[str] = []
    key_ws: int | None = None  # where trailing whitespace of the key starts
    value_ws: int | None = None
    line = 1
    start = 1

    def end() -> None:
        """The line (or the text) ends: a key without '=' is ignored, an assignment is kept."""
        if state == "key":
            ignored.append((start, "no '=' on the line"))
            return
        if state == "value" and value_ws is not None:
            del value[value_ws:]
        name = "".join(key[:key_ws] if key_ws is not None else key)
        pairs.append((name, "".join(value), start))

    for char in text:
        newline = char in "\n\r"
        if newline and state in ("key", "pre_value", "value"):
            end()
            state = "pre_key"
        elif state == "pre_key":
            if char in "#;":
                state = "comment"
            elif char not in " \t\n\r":
                state, key, value, key_ws, start = "key", [char], [], None, line
        elif state == "key":
            if char == "=":
                state, value_ws = "pre_value", None
            else:
                key_ws = _append(key, char, key_ws)
        elif state == "pre_value":
            if char == "'":
                state = "single"
            elif char == '"':
                state = "double"
            elif char == "\\":
                state = "value_escape"
            elif char not in " \t":
                state = "value"
                value.append(char)
        elif state == "value":
            if char == "\\":
                state, value_ws = "value_escape", None
            else:
                value_ws = _append(value, char, value_ws)
        elif state == "value_escape":
            state = "value"
            if not newline:
                value.append(char)
        elif state == "single":
            if char == "'":
                state = "pre_value"
            else:
                value.append(char)
        elif state == "double":
            if char == '"':
                state = "pre_value"
            elif char == "\\":
                state = "double_escape"
            else:
                value.append(char)
        elif state == "double_escape":
            state = "double"
            if char in _SHELL_NEED_ESCAPE:
                value.append(char)
            elif char != "\n":
                value += ["\\", char]
        elif state == "comment":
            if char == "\\":
                state = "comment_escape"
            elif newline:
                state = "pre_key"
        elif state == "comment_escape":
            state = "pre_key" if newline else "comment"
        if char == "\n":
            line += 1
    if state in ("key", "pre_value", "value", "value_escape", "single", "double", "double_escape"):
        end()
    out: list[Assignment] = []
    for name, raw, number in pairs:
        if not _SYSTEMD_NAME.match(name):
            ignored.append((number, f"{name!r} is not a valid variable name (systemd ignores the line)"))
        elif _CONTROL.search(raw):
            ignored.append((number, f"the value of {name} holds control characters (systemd ignores it)"))
        else:
            out.append(Assignment(name, raw, number))
    return Parsed(tuple(out), None, tuple(sorted(ignored)))
