"""YAML documents with line numbers.

PyYAML composes the node tree (with libyaml's C parser when available: an order of magnitude faster
than a pure-Python parser on a `kubectl get -o yaml` dump), and every node keeps its start mark. We
build plain dicts and lists that remember the line of each key and item. PyYAML resolves scalars as
YAML 1.1, as Helm and kubectl do (sigs.k8s.io/yaml): an unquoted `yes` in Helm values is the boolean
true, which the chart renders as "true"; a quoted "yes" stays the string.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Any

from gcready.model import InputError, Note, Origin


class YAMLInputError(Exception):
    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


class LineDict(dict[Any, Any]):
    """A mapping that knows the 1-based line of itself and of each of its keys."""

    line: int = 1
    key_lines: dict[Any, int]


def merge_keys(mapping: LineDict, merged: Any) -> None:
    """YAML's ``<<`` merge key: the merged mappings' keys, where ``mapping`` does not set them itself."""
    for part in merged if isinstance(merged, list) else [merged]:
        if isinstance(part, LineDict):
            for key, value in part.items():
                if key not in mapping:
                    mapping[key] = value
                    mapping.key_lines[key] = part.key_lines.get(key, part.line)


class LineList(list[Any]):
    """A sequence that knows the 1-based line of itself and of each of its items."""

    line: int = 1
    item_lines: list[int]


@dataclass(frozen=True)
class Doc:
    """One YAML document of a file, and the 1-based line it starts on.

    ``template`` is the chart template that rendered it, from the ``# Source: <path>`` comment
    ``helm template`` writes before each document; ``notes`` are what reading it tolerated (a repeated
    key, say).
    """

    source: str
    index: int
    data: Any
    line: int
    template: str | None = None
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Documents:
    """What a YAML file holds: its readable documents, and one error per document that is not."""

    docs: tuple[Doc, ...] = ()
    errors: tuple[InputError, ...] = ()


_MERGE_TAG = "tag:yaml.org,2002:merge"
# Bounds for hostile input. Aliases share one built value, but everything downstream (env resolution,
# JSON and HTML reports) walks the expanded tree: a 3 KB "billion laughs" file expands to 10^9 nodes.
MAX_ALIAS_NODES = 100_000  # nodes that aliases add when expanded, in one file
MAX_DEPTH = 100  # nesting of mappings and sequences (Kubernetes objects and Helm values stay under 30)
_DOC_MARKER = re.compile(r"^(---|\.\.\.)(\s|$)")
_SOURCE_COMMENT = re.compile(r"^# Source: (\S.*?)\s*$")
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def load_documents(source: str, text: str) -> list[Doc]:
    """Every non-empty document in a YAML file. Raises YAMLInputError naming the line on bad YAML."""
    read = read_documents(source, text)
    if read.errors:
        raise YAMLInputError(read.errors[0])
    return list(read.docs)


def read_documents(source: str, text: str) -> Documents:
    """Every document of a YAML file as Kubernetes tooling reads it.

    A repeated mapping key keeps the later value (as kubectl, Helm and the API server's decoder do) and
    leaves a note naming its line. A document that is not valid YAML is an error for that document only:
    the file is split at its document markers (a line starting ``---`` or ``...`` is always a marker in
    YAML) and the other documents are still read.
    """
    budget = _Budget()
    whole = _read_stream(source, text, 0, 0, budget)
    if not whole.errors:
        return _with_templates(whole, text)
    docs: list[Doc] = []
    errors: list[InputError] = []
    budget = _Budget()
    for index, (first_line, chunk) in enumerate(_split_documents(text)):
        part = _read_stream(source, chunk, first_line, index, budget)
        docs.extend(part.docs)
        errors.extend(part.errors)
        if budget.alias_nodes > MAX_ALIAS_NODES:
            break  # the file's alias budget is spent: one error, not one per remaining document
    return _with_templates(Documents(tuple(docs), tuple(errors)), text)


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each line, broken where PyYAML counts lines (not at \\f or \\v)."""
    starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
    ends = [*starts[1:], len(text)]
    return [(start, text[start:end]) for start, end in zip(starts, ends, strict=True)]


def _split_documents(text: str) -> list[tuple[int, str]]:
    """The text of each document with the 0-based line it starts on (a chunk keeps its ``---`` line)."""
    chunks: list[tuple[int, str]] = []
    lines = _lines(text)
    start = 0
    for number, (offset, line) in enumerate(lines):
        if number > start and _DOC_MARKER.match(line):
            chunks.append((start, text[lines[start][0] : offset]))
            start = number
    chunks.append((start, text[lines[start][0] :]))
    return chunks


class _Budget:
    """What aliases have expanded to so far in one file (shared by its documents)."""

    def __init__(self) -> None:
        self.alias_nodes = 0


def _read_stream(source: str, text: str, line_offset: int, first_index: int, budget: _Budget) -> Documents:
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs: list[Doc] = []
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=loader_class), start=first_index):
            if node is None:
                continue
            builder = _Builder(source, loader_class(""), budget, line_offset)
            data = builder.build(node, 1)
            if data is None:
                continue
            docs.append(
                Doc(source, index, data, node.start_mark.line + 1 + line_offset, notes=tuple(builder.notes))
            )
    except YAMLInputError as exc:
        return Documents(tuple(docs), (exc.error,))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return Documents(tuple(docs), (InputError(source, f"not valid YAML: {message}", line),))
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: no mark, an offset
        line = text.count("\n", 0, max(exc.position, 0)) + 1 + line_offset
        message = f"not valid YAML: character {exc.character!r} is not allowed ({exc.reason})"
        return Documents(tuple(docs), (InputError(source, message, line),))
    except yaml.YAMLError as exc:
        return Documents(tuple(docs), (InputError(source, "not valid YAML: " + " ".join(str(exc).split())),))
    except RecursionError:  # the pure-Python composer recurses per nesting level
        return Documents(
            tuple(docs), (InputError(source, f"YAML nested deeper than {MAX_DEPTH} levels; not read"),)
        )
    return Documents(tuple(docs))


def _with_templates(read: Documents, text: str) -> Documents:
    """Attach the ``# Source:`` template path that precedes each document (``helm template`` output)."""
    if "# Source: " not in text:
        return read
    markers: list[int] = []  # 1-based lines of document markers
    comments: list[tuple[int, str]] = []
    for number, (_, line) in enumerate(_lines(text), start=1):
        if _DOC_MARKER.match(line):
            markers.append(number)
        elif found := _SOURCE_COMMENT.match(line):
            comments.append((number, found.group(1)))
    docs = []
    for doc in read.docs:
        marker = bisect.bisect_left(markers, doc.line)
        after = markers[marker - 1] if marker else 0
        template = None
        for number, path in comments:
            if after < number < doc.line:
                template = path
        docs.append(replace(doc, template=template) if template else doc)
    return Documents(tuple(docs), read.errors)


class _Builder:
    """Plain values from a composed node graph, with lines, within the alias and depth bounds."""

    def __init__(self, source: str, constructor: Any, budget: _Budget, line_offset: int = 0) -> None:
        self.source = source
        self.constructor = constructor
        self.line_offset = line_offset
        self.memo: dict[int, Any] = {}
        self.building: set[int] = set()  # collections on the current path (an alias to one is a cycle)
        self.measured: dict[int, tuple[int, int]] = {}  # expanded size and height, of aliased nodes only
        self.budget = budget
        self.notes: list[Note] = []

    def _line(self, node: Any) -> int:
        return int(node.start_mark.line) + 1 + self.line_offset

    def _fail(self, message: str, node: Any) -> YAMLInputError:
        return YAMLInputError(InputError(self.source, message, self._line(node)))

    def _measure(self, node: Any) -> tuple[int, int]:
        """Nodes in the expanded subtree and its nesting height; paid only when an alias is met."""
        import yaml

        key = id(node)
        if key in self.measured:
            return self.measured[key]
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            return 1, 0
        size, height = 1, 0
        for child in children:
            child_size, child_height = self._measure(child)
            size += child_size
            height = max(height, child_height)
        self.measured[key] = (size, height + 1)
        return size, height + 1

    def build(self, node: Any, depth: int) -> Any:
        import yaml

        key = id(node)
        if key in self.memo:  # an alias: the anchored value, built once, counted as expanded
            if key in self.building:
                raise self._fail("a YAML alias refers to the collection that contains it", node)
            size, height = self._measure(node)
            self.budget.alias_nodes += size
            if self.budget.alias_nodes > MAX_ALIAS_NODES:
                raise self._fail(
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes (limit); not read", node
                )
            if depth + height - 1 > MAX_DEPTH:
                raise self._fail(f"YAML nested deeper than {MAX_DEPTH} levels (limit); not read", node)
            return self.memo[key]
        if isinstance(node, yaml.ScalarNode):
            value = self.constructor.construct_object(node, deep=True)
            self.memo[key] = value
            return value
        if depth > MAX_DEPTH:
            raise self._fail(f"YAML nested deeper than {MAX_DEPTH} levels (limit); not read", node)
        self.building.add(key)
        if isinstance(node, yaml.MappingNode):
            built: Any = self._mapping(node, depth)
        else:
            sequence = LineList()
            sequence.line = self._line(node)
            sequence.item_lines = []
            self.memo[key] = sequence
            for item in node.value:
                sequence.append(self.build(item, depth + 1))
                sequence.item_lines.append(self._line(item))
            built = sequence
        self.building.discard(key)
        return built

    def _mapping(self, node: Any, depth: int) -> LineDict:
        mapping = LineDict()
        mapping.line = self._line(node)
        mapping.key_lines = {}
        self.memo[id(node)] = mapping
        explicit: set[Any] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merge_keys(mapping, self.build(value_node, depth + 1))
                continue
            key = self.build(key_node, depth + 1)
            if isinstance(key, (dict, list)):
                key = str(key)
            line = self._line(key_node)
            if key in explicit:
                # Kubernetes and Helm decoders keep the later value; helm template writes such files
                self.notes.append(
                    Note(
                        f"repeated key {key!r} (first on line {mapping.key_lines[key]}): the later value "
                        "is read, as Kubernetes and Helm read it",
                        Origin(self.source, line),
                    )
                )
            explicit.add(key)
            mapping[key] = self.build(value_node, depth + 1)
            mapping.key_lines[key] = line
        return mapping


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
