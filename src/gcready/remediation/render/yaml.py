"""YAML written by PyYAML (``safe_dump``): block style, keys in insertion order, user text as values only.

Strings that would read back as something else (``true``, ``1``, ``null``, ``""``) are double-quoted,
as W&B's docs write them; lists are indented under their key, as Helm values usually are. PyYAML is
imported on the first dump, so audits that print no YAML (Terraform trees) never load it.
"""

from __future__ import annotations

import functools
from typing import Any

_STR = "tag:yaml.org,2002:str"
_BREAKS = frozenset("\n\r\x85\u2028\u2029")


@functools.cache
def _dumper() -> type[Any]:
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

    def represent_str(dumper: Dumper, text: str) -> yaml.ScalarNode:
        plain_reads_as = dumper.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        # a line break (\n, \r, NEL, LS, PS) in a plain or single-quoted scalar is folded, and a
        # character YAML cannot print raw is escaped: double quotes keep both exactly
        quoted = (
            plain_reads_as != _STR or not text or not text.isprintable() or any(c in _BREAKS for c in text)
        )
        return dumper.represent_scalar(_STR, text, style='"' if quoted else None)

    Dumper.add_representer(str, represent_str)
    return Dumper


def dump(data: Any) -> str:
    """YAML text for ``data`` (no trailing newline)."""
    import yaml

    text: str = yaml.dump(
        data,
        Dumper=_dumper(),
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=10_000,
    )
    return text.removesuffix("\n...\n").rstrip("\n")
