"""YAML documents with line numbers (ruamel.yaml's round-trip loader keeps them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gcready.model import InputError


class YAMLInputError(Exception):
    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Doc:
    """One YAML document of a file, and the 1-based line it starts on."""

    source: str
    index: int
    data: Any
    line: int


def load_documents(source: str, text: str) -> list[Doc]:
    """Every non-empty document in a YAML file. Raises YAMLInputError naming the line on bad YAML."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    docs: list[Doc] = []
    try:
        for index, data in enumerate(yaml.load_all(text)):
            if data is None:
                continue
            docs.append(Doc(source, index, data, start_line(data)))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YAMLInputError(InputError(source, f"not valid YAML: {message}", line)) from None
    except YAMLError as exc:
        raise YAMLInputError(InputError(source, f"not valid YAML: {exc}")) from None
    return docs


def start_line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return int(lc.line) + 1 if lc is not None and lc.line is not None else 1


def key_line(node: Any, key: Any) -> int | None:
    """The 1-based line of ``key`` inside mapping ``node`` (or of item ``key`` of a sequence)."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if isinstance(key, int) and isinstance(node, list):
            return int(lc.item(key)[0]) + 1
        return int(lc.key(key)[0]) + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return start_line(node)


def dig(node: Any, *keys: str) -> Any:
    """``node[k1][k2]…`` or None when any level is missing or not a mapping."""
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node
