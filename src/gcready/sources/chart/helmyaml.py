"""YAML values decoded as Helm decodes them, with line numbers.

Helm reads a values file with sigs.k8s.io/yaml: go-yaml v2 (YAML 1.1) resolves the scalars
(:mod:`gcready.sources.yamlscalars`: ``y`` is true, ``1e3`` a number, ``1:30`` and timestamps stay
strings), then the result goes through JSON, so every number becomes a float64. Templates then print
values with Go's ``%v``: a YAML ``1.0`` renders as ``1``, ``1000000`` as ``1e+06``.
"""

from __future__ import annotations

from typing import Any

from gcready.sources.yamldocs import LineDict, LineList, YAMLInputError, read_documents
from gcready.sources.yamlscalars import go_float as go_float  # how templates print values (%v)
from gcready.sources.yamlscalars import go_string as go_string


def load_values(source: str, text: str) -> list[Any]:
    """Every document of a values file as Helm decodes it (mappings remember their lines), by index.

    An empty document is None. Raises YAMLInputError naming the line where Helm's decoder fails.
    """
    read = read_documents(source, text)  # go-yaml v2's rules, as sigs.k8s.io/yaml decodes
    if read.errors:
        raise YAMLInputError(read.errors[0])
    values: list[Any] = [None] * (max((d.index for d in read.docs), default=-1) + 1)
    for doc in read.docs:
        values[doc.index] = _as_json(doc.data)
    return values


def _as_json(node: Any) -> Any:
    """The value after sigs.k8s.io/yaml's JSON step: numbers are float64 (keys are strings already)."""
    if isinstance(node, LineDict):
        mapping = LineDict((key, _as_json(value)) for key, value in node.items())
        mapping.line = node.line
        mapping.key_lines = dict(node.key_lines)
        return mapping
    if isinstance(node, LineList):
        sequence = LineList(_as_json(item) for item in node)
        sequence.line = node.line
        sequence.item_lines = list(node.item_lines)
        return sequence
    if isinstance(node, int) and not isinstance(node, bool):
        return float(node)
    return node
