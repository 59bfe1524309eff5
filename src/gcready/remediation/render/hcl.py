"""A small HCL writer: blocks, attributes, objects and lists written from Python values.

Strings are escaped as Terraform reads them back (``\\``, ``"``, control characters, and the template
openers ``${`` → ``$${`` and ``%{`` → ``%%{``), identifiers and references are validated, and
consecutive one-line attributes are aligned the way ``terraform fmt`` aligns them. User text is only
ever a string value, a label or a comment here, never part of the syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

INDENT = "  "
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_REFERENCE = re.compile(rf'{_NAME}(?:\.{_NAME}|\[[0-9]+\]|\["[A-Za-z0-9_.-]*"\])*\Z')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class HCLError(ValueError):
    """A value the writer refuses: a bad identifier or reference, a value of no HCL type."""


@dataclass(frozen=True)
class Ref:
    """A reference written as an expression, not a string: ``module.wandb.bucket_name``."""

    expression: str

    def __post_init__(self) -> None:
        if not _REFERENCE.match(self.expression):
            raise HCLError(f"not a reference: {self.expression!r}")


@dataclass(frozen=True)
class Attr:
    """``name = value``, with an optional comment after it on the same line."""

    name: str
    value: Value
    comment: str = ""


@dataclass(frozen=True)
class Block:
    """``type "label" ... { body }``."""

    type: str
    labels: tuple[str, ...] = ()
    body: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Comment:
    """``# text`` lines (each line of ``text`` becomes one comment line)."""

    text: str


@dataclass(frozen=True)
class Blank:
    """An empty line between items."""


BLANK = Blank()

Value = str | int | float | bool | None | Ref | Sequence["Value"] | Mapping[str, "Value"]
Item = Attr | Block | Comment | Blank


def is_identifier(name: str) -> bool:
    """Whether ``name`` can be written bare (an attribute name, a block type, an object key)."""
    return bool(_IDENTIFIER.match(name))


def identifier(name: str) -> str:
    """``name`` when it is an HCL identifier; else :class:`HCLError`."""
    if not is_identifier(name):
        raise HCLError(f"not an HCL identifier: {name!r}")
    return name


def string(text: str) -> str:
    """An HCL quoted string whose value is exactly ``text``."""
    out: list[str] = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + _template_escaped("".join(out)) + '"'


def _template_escaped(text: str) -> str:
    r"""``${`` → ``$${`` and ``%{`` → ``%%{`` (else Terraform evaluates them).

    python-hcl2 (gcready's own reader) only lexes ``$${`` when a ``}`` follows in the string, so an
    opener without one is written ``\u0024{`` / ``\u0025{``, the same literal to Terraform.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] in "$%" and text.startswith("{", i + 1):
            closed = "}" in text[i + 2 :]
            out.append((text[i] * 2 + "{") if closed else f"\\u{ord(text[i]):04x}{{")
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def comment_line(text: str) -> str:
    """``text`` on one line, fit to follow a ``#`` (line breaks become spaces)."""
    return " ".join(text.splitlines())


def value(item: Value, depth: int = 0) -> str:
    """An expression for a Python value; objects and lists of objects span several lines."""
    if item is None:
        return "null"
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int | float):
        if item != item or item in (float("inf"), float("-inf")):
            raise HCLError(f"no HCL number for {item!r}")
        return repr(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, Ref):
        return item.expression
    if isinstance(item, Mapping):
        if not item:
            return "{}"
        pad = INDENT * (depth + 1)
        keyed = [(key if is_identifier(key) else string(key), value(v, depth + 1)) for key, v in item.items()]
        lines = _aligned([(f"{pad}{k}", v) for k, v in keyed])
        return "{\n" + "\n".join(lines) + f"\n{INDENT * depth}}}"
    if isinstance(item, Sequence):
        parts = [value(v, depth + 1) for v in item]
        if all("\n" not in p for p in parts):
            return "[" + ", ".join(parts) + "]"
        pad = INDENT * (depth + 1)
        return "[\n" + "".join(f"{pad}{p},\n" for p in parts) + f"{INDENT * depth}]"
    raise HCLError(f"no HCL value for {type(item).__name__}")


def _aligned(pairs: list[tuple[str, str]], comments: Sequence[str] = ()) -> list[str]:
    """``name = value`` lines, one-line runs aligned on ``=``; a multi-line value ends a run."""
    lines: list[str] = []
    run: list[int] = []
    notes = list(comments) or [""] * len(pairs)

    def flush() -> None:
        width = max((len(pairs[i][0]) for i in run), default=0)
        written = [(i, f"{pairs[i][0].ljust(width)} = {pairs[i][1]}") for i in run]
        # terraform fmt: one space before a trailing comment, the run's comments in one column
        column = max((len(text) for i, text in written if notes[i]), default=0)
        for i, text in written:
            lines.append(f"{text.ljust(column)} # {comment_line(notes[i])}" if notes[i] else text)
        run.clear()

    for index, (name, text) in enumerate(pairs):
        if "\n" in text:
            flush()
            lines.append(_line(name, text, notes[index]))
        else:
            run.append(index)
    flush()
    return lines


def _line(name: str, text: str, note: str) -> str:
    return f"{name} = {text}" + (f" # {comment_line(note)}" if note else "")


def body(items: Sequence[Item], depth: int = 0) -> list[str]:
    """The lines of a body (or a whole file at depth 0)."""
    lines: list[str] = []
    pad = INDENT * depth
    pending: list[Attr] = []

    def flush() -> None:
        if pending:
            pairs = [(pad + identifier(a.name), value(a.value, depth)) for a in pending]
            lines.extend(_aligned(pairs, [a.comment for a in pending]))
            pending.clear()

    for item in items:
        if isinstance(item, Attr):
            pending.append(item)
            continue
        flush()
        if isinstance(item, Blank):
            lines.append("")
        elif isinstance(item, Comment):
            lines.extend(f"{pad}# {line}".rstrip() for line in item.text.splitlines() or [""])
        else:
            head = " ".join([identifier(item.type), *(string(label) for label in item.labels)])
            inner = body(item.body, depth + 1)
            lines.append(f"{pad}{head} {{}}" if not inner else f"{pad}{head} {{")
            if inner:
                lines.extend(inner)
                lines.append(f"{pad}}}")
    flush()
    return lines


def render(*items: Item) -> str:
    """HCL text for top-level items (no trailing newline)."""
    return "\n".join(body(items))
