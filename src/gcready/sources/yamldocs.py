"""YAML documents with line numbers.

PyYAML composes the node tree (with libyaml's C parser when available: an order of magnitude faster
than a pure-Python parser on a `kubectl get -o yaml` dump), and every node keeps its start mark. We
build plain dicts and lists that remember the line of each key and item. PyYAML resolves scalars as
YAML 1.1, as Helm and kubectl do (sigs.k8s.io/yaml): an unquoted `yes` in Helm values is the boolean
true, which the chart renders as "true"; a quoted "yes" stays the string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gcready.model import InputError


class YAMLInputError(Exception):
    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


class LineDict(dict[Any, Any]):
    """A mapping that knows the 1-based line of itself and of each of its keys."""

    line: int = 1
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that knows the 1-based line of itself and of each of its items."""

    line: int = 1
    item_lines: list[int]


@dataclass(frozen=True)
class Doc:
    """One YAML document of a file, and the 1-based line it starts on."""

    source: str
    index: int
    data: Any
    line: int


_MERGE_TAG = "tag:yaml.org,2002:merge"


def load_documents(source: str, text: str) -> list[Doc]:
    """Every non-empty document in a YAML file. Raises YAMLInputError naming the line on bad YAML."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs: list[Doc] = []
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=loader_class)):
            if node is None:
                continue
            builder = _Builder(source, loader_class(""))
            data = builder.build(node)
            if data is None:
                continue
            docs.append(Doc(source, index, data, node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YAMLInputError(InputError(source, f"not valid YAML: {message}", line)) from None
    except yaml.YAMLError as exc:
        raise YAMLInputError(InputError(source, f"not valid YAML: {exc}")) from None
    return docs


class _Builder:
    def __init__(self, source: str, constructor: Any) -> None:
        self.source = source
        self.constructor = constructor
        self.memo: dict[int, Any] = {}

    def build(self, node: Any) -> Any:
        import yaml

        if id(node) in self.memo:  # an alias: the anchored value, built once
            return self.memo[id(node)]
        if isinstance(node, yaml.MappingNode):
            mapping = LineDict()
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = {}
            self.memo[id(node)] = mapping
            explicit: set[Any] = set()
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    merged = self.build(value_node)
                    for part in merged if isinstance(merged, list) else [merged]:
                        if isinstance(part, LineDict):
                            for key, value in part.items():
                                if key not in mapping:
                                    mapping[key] = value
                                    mapping.key_lines[key] = part.key_lines.get(key, part.line)
                    continue
                key = self.build(key_node)
                if isinstance(key, (dict, list)):
                    key = str(key)
                line = key_node.start_mark.line + 1
                if key in explicit:
                    raise YAMLInputError(InputError(self.source, f"duplicate key {key!r}", line))
                explicit.add(key)
                mapping[key] = self.build(value_node)
                mapping.key_lines[key] = line
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence = LineList()
            sequence.line = node.start_mark.line + 1
            sequence.item_lines = []
            self.memo[id(node)] = sequence
            for item in node.value:
                sequence.append(self.build(item))
                sequence.item_lines.append(item.start_mark.line + 1)
            return sequence
        value = self.constructor.construct_object(node, deep=True)
        self.memo[id(node)] = value
        return value


def start_line(node: Any) -> int:
    line = getattr(node, "line", None)
    return line if isinstance(line, int) else 1


def key_line(node: Any, key: Any) -> int | None:
    """The 1-based line of ``key`` inside mapping ``node`` (or of item ``key`` of a sequence)."""
    if isinstance(node, LineList) and isinstance(key, int):
        return node.item_lines[key] if 0 <= key < len(node.item_lines) else node.line
    if isinstance(node, LineDict):
        return node.key_lines.get(key, node.line)
    return None


def dig(node: Any, *keys: str) -> Any:
    """``node[k1][k2]…`` or None when any level is missing or not a mapping."""
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node
