"""YAML documents with line numbers.

PyYAML composes the node tree (with libyaml's C parser when available: an order of magnitude faster
than a pure-Python parser on a `kubectl get -o yaml` dump), and every node keeps its start mark. We
build plain dicts and lists that remember the line of each key and item, and decode them as the tool
that reads the file does (:class:`Schema`): Helm and kubectl with go-yaml v2 (an unquoted `y` or `yes`
is the boolean true, which the chart renders as "true"; a `<<` merge overrides the keys written before
it; a repeated key keeps the later value), docker compose with go-yaml v3 (`yes` stays the string; a
merge only fills in keys the mapping does not set; a repeated key is refused).
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass, replace
from typing import Any

from gcready.model import InputError, Note, Origin
from gcready.sources.yamlscalars import ScalarError, Schema, go_float, json_key, resolve


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


def load_documents(source: str, text: str, schema: Schema = Schema.KUBERNETES) -> list[Doc]:
    """Every non-empty document in a YAML file. Raises YAMLInputError naming the line on bad YAML."""
    read = read_documents(source, text, schema)
    if read.errors:
        raise YAMLInputError(read.errors[0])
    return list(read.docs)


def read_documents(source: str, text: str, schema: Schema = Schema.KUBERNETES) -> Documents:
    """Every document of a YAML file as its reader decodes it (Kubernetes tooling and Helm by default).

    For Kubernetes, a repeated mapping key keeps the later value (as kubectl, Helm and the API server's
    decoder do) and leaves a note naming its line; docker compose refuses it. A document that is not
    valid YAML is an error for that document only: the file is split at its document markers (a line
    starting ``---`` or ``...`` is always a marker in YAML) and the other documents are still read.
    """
    budget = _Budget()
    whole = _read_stream(source, text, 0, 0, budget, schema)
    if not whole.errors:
        return _with_templates(whole, text)
    docs: list[Doc] = []
    errors: list[InputError] = []
    budget = _Budget()
    for index, (first_line, chunk) in enumerate(_split_documents(text)):
        part = _read_stream(source, chunk, first_line, index, budget, schema)
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


def read_as(doc: Doc, text: str, schema: Schema) -> Doc | InputError:
    """``doc`` (one document of ``text``) decoded by another reader's rules, or why that reader refuses it."""
    read = read_documents(doc.source, text, schema)
    for other in read.docs:
        if other.index == doc.index:
            return replace(other, template=doc.template)
    return read.errors[0] if read.errors else InputError(doc.source, "document not read", doc.line)


# PyYAML's composer resolves every untagged scalar to a tag, which would hide whether `!!str` was
# written; these marks keep what the file says, and the schema resolves the rest.
_PLAIN = "gcready:plain"  # an untagged plain scalar
_QUOTED = "gcready:quoted"  # an untagged quoted scalar: a string
_BANG = re.compile(r"(?:&\S+\s+)?!(?:\s|$)")  # a node written with the non-specific tag `!`


@functools.cache
def _loader_class() -> Any:
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is yaml.ScalarNode:
                return _PLAIN if implicit[0] else _QUOTED
            return super().resolve(kind, value, implicit)

    return Loader


def _read_stream(
    source: str, text: str, line_offset: int, first_index: int, budget: _Budget, schema: Schema
) -> Documents:
    import yaml

    loader_class = _loader_class()
    docs: list[Doc] = []
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=loader_class), start=first_index):
            if node is None:
                continue
            builder = _Builder(source, text, schema, budget, line_offset)
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

    def __init__(self, source: str, text: str, schema: Schema, budget: _Budget, line_offset: int = 0) -> None:
        self.source = source
        self.text = text
        self.schema = schema
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
            value = self._scalar(node)
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
                sequence.append(self._value(item, depth + 1))
                sequence.item_lines.append(self._line(item))
            built = sequence
        self.building.discard(key)
        return built

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag == _QUOTED:
            return str(node.value)
        try:
            value = resolve(self.schema, None if tag == _PLAIN else tag, str(node.value))
        except ScalarError as exc:
            raise self._fail(f"{exc} ({self._refusal()})", node) from None
        if tag == _PLAIN and not isinstance(value, str) and _BANG.match(self.text, node.start_mark.index):
            return str(node.value)  # `! y`: the non-specific tag makes a string (libyaml reports it as plain)
        return value

    def _refusal(self) -> str:
        return "docker compose refuses it" if self.schema is Schema.COMPOSE else "Helm and kubectl refuse it"

    def _merge(self, mapping: LineDict, explicit: set[Any], merged: Any, node: Any) -> None:
        """YAML's ``<<`` merge key. go-yaml v2 (Helm, kubectl) sets the merged keys where the merge is
        written, over keys set before it (the first of a list of merges wins among them); compose-go
        only fills in keys the mapping does not set itself."""
        parts = merged if isinstance(merged, list) else [merged]
        if not all(isinstance(part, LineDict) for part in parts):
            if self.schema is Schema.COMPOSE:  # compose-go skips what is not a mapping
                parts = [part for part in parts if isinstance(part, LineDict)]
            else:
                raise self._fail(
                    "map merge requires map or sequence of maps as the value (Helm and kubectl refuse it)",
                    node,
                )
        keep = explicit if self.schema is Schema.COMPOSE else set()
        merged_here: set[Any] = set()
        for part in parts:
            for key, value in part.items():
                if key in keep or key in merged_here:
                    continue
                merged_here.add(key)
                mapping[key] = value
                mapping.key_lines[key] = part.key_lines.get(key, part.line)

    def _value(self, node: Any, depth: int) -> Any:
        """An item or a mapping's value. Kubernetes tooling goes through JSON, which has no infinity or
        NaN: sigs.k8s.io/yaml fails on ``.inf`` ("json: unsupported value: +Inf")."""
        value = self.build(node, depth)
        if self.schema is Schema.KUBERNETES and isinstance(value, float) and not math.isfinite(value):
            raise self._fail(f"json: unsupported value: {go_float(value)} ({self._refusal()})", node)
        return value

    def _key(self, key_node: Any, depth: int) -> Any:
        key = self.build(key_node, depth + 1)
        if isinstance(key, (dict, list)):
            # go-yaml refuses a collection as a key ("invalid map key"), but a chart template not yet
            # rendered parses as one (`namespace: {{ .Release.Namespace }}`): kept, so that a chart's
            # templates among the inputs are not input errors
            return str(key)
        if self.schema is Schema.COMPOSE:
            return key
        name = json_key(key)  # kubectl and Helm go through JSON: every key is a string there
        if name is None:
            raise self._fail(f"unsupported map key {key_node.value!r} ({self._refusal()})", key_node)
        return name

    def _mapping(self, node: Any, depth: int) -> LineDict:
        mapping = LineDict()
        mapping.line = self._line(node)
        mapping.key_lines = {}
        self.memo[id(node)] = mapping
        explicit: set[Any] = set()
        if self.schema is Schema.COMPOSE:  # compose-go: explicit keys win over merges wherever written
            explicit = {self._key(k, depth) for k, _ in node.value if not _is_merge(k)}
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if _is_merge(key_node):
                self._merge(mapping, explicit, self.build(value_node, depth + 1), value_node)
                continue
            key = self._key(key_node, depth)
            line = self._line(key_node)
            if key in seen and self.schema is Schema.COMPOSE:
                raise self._fail(
                    f"docker compose refuses this file: mapping key {key!r} already defined at line "
                    f"{mapping.key_lines[key]}",
                    key_node,
                )
            if key in seen:
                # Kubernetes and Helm decoders keep the later value; helm template writes such files
                self.notes.append(
                    Note(
                        f"repeated key {key!r} (first on line {mapping.key_lines[key]}): the later value "
                        "is read, as Kubernetes and Helm read it",
                        Origin(self.source, line),
                    )
                )
            seen.add(key)
            mapping[key] = self._value(value_node, depth + 1)
            mapping.key_lines[key] = line
        return mapping


def _is_merge(key_node: Any) -> bool:
    """A ``<<`` key: plain, or tagged ``!!merge`` (a quoted ``"<<"`` is an ordinary key)."""
    return bool(key_node.tag == _MERGE_TAG or (key_node.tag == _PLAIN and key_node.value == "<<"))


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
