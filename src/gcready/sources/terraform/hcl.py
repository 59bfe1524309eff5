"""Parsing HCL once: python-hcl2's rule tree gives the values and, from its nodes, the lines."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gcready.sources.terraform.tree import body_values, heredoc_value, quoted_template

# Parsing is most of an offline audit's time; a parse depends only on the text (and the parser), so it is
# kept in the user's cache folder as JSON (never pickle: a cache must not be able to run code).
# GCREADY_CACHE=off disables it; GCREADY_CACHE=<folder> moves it.
_CACHE_VERSION = "hcl-2"  # hcl-2: heredocs keep their last newline


class TerraformError(ValueError):
    pass


@dataclass
class ParsedFile:
    path: str
    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int]

    def line(self, *key: Any) -> int:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


def _cache_dir() -> str | None:
    setting = os.environ.get("GCREADY_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return setting
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gcready", _CACHE_VERSION)


@functools.lru_cache(maxsize=1)
def _parser_version() -> str:
    from importlib.metadata import version

    try:
        return version("python-hcl2")
    except Exception:  # pragma: no cover - an unusual install
        return "unknown"


def _cache_key(text: str) -> str:
    return hashlib.sha256(f"{_CACHE_VERSION}\0{_parser_version()}\0{text}".encode()).hexdigest()


def _cached(folder: str, key: str) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]] | None:
    try:
        with open(os.path.join(folder, key[:2], key + ".json"), encoding="utf-8") as handle:
            stored = json.load(handle)
        return stored["data"], {tuple(k): int(line) for k, line in stored["lines"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(folder: str, key: str, data: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> None:
    target = os.path.join(folder, key[:2])
    try:
        # The parse holds what the .tf files hold (a license, a password): readable by this user only.
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
        os.makedirs(target, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"data": data, "lines": [[list(k), v] for k, v in lines.items()]}, handle)
        os.replace(tmp, os.path.join(target, key + ".json"))
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written is only slower


def _parse_hcl(path: str, text: str) -> ParsedFile:
    """Parse once: the Lark tree gives the lines, its transformation the values (cached by content)."""
    folder = _cache_dir()
    key = _cache_key(text) if folder else ""
    if folder:
        hit = _cached(folder, key)
        if hit is not None:
            return ParsedFile(path, hit[0], hit[1])
    parsed = _parse_uncached(path, text)
    if folder:
        _store(folder, key, parsed.data, parsed.lines)
    return parsed


# Below this many files to parse, starting a worker costs more than it saves.
_PARALLEL_MIN_FILES = 12


def parse_files(
    items: Sequence[tuple[str, str]], workers: int | None = None
) -> list[ParsedFile | TerraformError]:
    """Parse many files (path, text), in order: cached parses are read, the others parsed on every CPU
    this process may use (``workers``, by default the CPU count); a file that is not HCL is its error."""
    folder = _cache_dir()
    results: list[ParsedFile | TerraformError | None] = [None] * len(items)
    misses: list[tuple[int, str]] = []
    for i, (path, text) in enumerate(items):
        key = _cache_key(text) if folder else ""
        hit = _cached(folder, key) if folder else None
        if hit is not None:
            results[i] = ParsedFile(path, hit[0], hit[1])
        else:
            misses.append((i, key))
    parsed = _parse_all([items[i] for i, _ in misses], _usable_cpus() if workers is None else workers)
    for (i, key), got in zip(misses, parsed, strict=True):
        results[i] = got
        if folder and isinstance(got, ParsedFile):
            _store(folder, key, got.data, got.lines)
    return [r for r in results if r is not None]


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _parse_or_error(item: tuple[str, str]) -> ParsedFile | tuple[str, int | None]:
    """One parse; an error as (message, line): exceptions with extra fields do not cross processes."""
    try:
        return _parse_uncached(*item)
    except _HCLError as exc:
        return str(exc), exc.line
    except TerraformError as exc:
        return str(exc), None


def _parse_all(items: list[tuple[str, str]], workers: int) -> list[ParsedFile | TerraformError]:
    import multiprocessing

    got: list[ParsedFile | tuple[str, int | None]] | None = None
    # forking is safe on Linux, and there only in a process that runs no threads and is no daemon
    forkable = sys.platform.startswith("linux") and threading.active_count() == 1
    forkable = forkable and not multiprocessing.current_process().daemon
    if workers >= 2 and len(items) >= _PARALLEL_MIN_FILES and forkable:
        try:
            got = _parse_in_parallel(items, workers)
        except (OSError, RuntimeError):  # no worker could start (a process limit…): one after another
            got = None
    if got is None:
        got = [_parse_or_error(item) for item in items]
    return [g if isinstance(g, ParsedFile) else _HCLError(*g) for g in got]


def _parse_in_parallel(
    items: list[tuple[str, str]], workers: int
) -> list[ParsedFile | tuple[str, int | None]]:
    """This process parses one share and forked workers the others (shares balanced by size); the
    parser is built before the fork so no worker builds it again."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with contextlib.suppress(ImportError):  # a missing dependency: each parse reports it
        parser()
    shares: list[list[int]] = [[] for _ in range(workers)]
    sizes = [0] * workers
    for i in sorted(range(len(items)), key=lambda n: -len(items[n][1])):
        smallest = sizes.index(min(sizes))
        shares[smallest].append(i)
        sizes[smallest] += len(items[i][1])
    out: list[ParsedFile | tuple[str, int | None] | None] = [None] * len(items)
    with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [(share, pool.submit(_parse_share, [items[i] for i in share])) for share in shares[1:]]
        for i in shares[0]:
            out[i] = _parse_or_error(items[i])
        for share, future in futures:
            for i, result in zip(share, future.result(), strict=True):
                out[i] = result
    return [o for o in out if o is not None]


def _parse_share(items: list[tuple[str, str]]) -> list[ParsedFile | tuple[str, int | None]]:
    """A worker's parses, sent back as text: pickling Lark trees costs more than parsing them again."""
    got = [_parse_or_error(item) for item in items]
    return [ParsedFile(g.path, _texts(g.data), g.lines) if isinstance(g, ParsedFile) else g for g in got]


def _texts(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _texts(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_texts(v) for v in node]
    return str(node) if isinstance(node, str) else node


@functools.lru_cache(maxsize=1)
def parser() -> Any:
    """python-hcl2's Lark parser, without position tracking where possible (two fifths of Lark's time;
    lines come from the tokens instead)."""
    from hcl2 import parser as hcl2_parser

    try:
        unpositioned = _unpositioned(str(hcl2_parser.PARSER_FILE), hcl2_parser.__file__)
    except Exception:  # an unusual install or another Lark: python-hcl2's own parser
        unpositioned = None
    return unpositioned or hcl2_parser.parser()


def _unpositioned(cache_file: str, module_file: str) -> Any:
    """The parser from the grammar cache python-hcl2 keeps (Lark's own format, which Lark and python-hcl2
    unpickle on every import), loaded without positions; only when its checksum is the one Lark
    computes for python-hcl2's parser, so a stale cache is never used (python-hcl2 rebuilds it)."""
    import pickle

    from hcl2.postlexer import PostLexer
    from lark import Lark, __version__
    from lark.load_grammar import sha256_digest

    with open(os.path.join(os.path.dirname(module_file), "hcl2.lark"), encoding="utf8") as handle:
        grammar = handle.read()
    options = f"parserlalrcache{cache_file}propagate_positionsTrue"  # as python-hcl2 opens it
    expected = sha256_digest(grammar + options + __version__ + str(sys.version_info[:2]))
    with open(cache_file, "rb") as handle:
        if handle.readline().rstrip(b"\n") != expected.encode():
            return None
        pickle.load(handle)  # the files the grammar imports
        return Lark.__new__(Lark)._load(handle, propagate_positions=False, postlex=PostLexer())


def parse_tree(text: str) -> Any:
    """The Lark parse tree of HCL text (python-hcl2's grammar)."""
    # the newline python-hcl2 adds too: its grammar cannot look for the end of the text
    return parser().parse(text + "\n")


def top_level_blocks(text: str) -> list[tuple[str, list[str], int]]:
    """The blocks at the top level of HCL text that parses: each one's type, labels and line."""
    from lark import Token, Tree

    def words(node: Any) -> str:
        if isinstance(node, Tree):
            return "".join(words(c) for c in node.children)
        return str(node)

    def line_of(node: Any) -> int:
        while isinstance(node, Tree) and node.children:
            node = node.children[0]
        return node.line if isinstance(node, Token) and node.line else 1

    tree = parse_tree(_heredoc_markers(text))
    root = tree.children[0] if isinstance(tree, Tree) and tree.data == "start" and tree.children else tree
    out: list[tuple[str, list[str], int]] = []
    for child in root.children if isinstance(root, Tree) else ():
        if isinstance(child, Tree) and child.data == "block":
            parts = [c for c in child.children if isinstance(c, Tree) and c.data != "body"]
            names = [_unquote(words(p).strip()) for p in parts]
            out.append((names[0] if names else "", names[1:], line_of(child)))
    return out


def _parse_uncached(path: str, text: str) -> ParsedFile:
    try:
        import hcl2  # noqa: F401  (whether python-hcl2 is there at all)
    except ImportError as exc:  # pragma: no cover - a dependency
        raise TerraformError(f"python-hcl2 is not installed ({exc.name})") from None
    try:
        tree = parse_tree(_heredoc_markers(text))
        try:
            data = body_values(tree)
        except Exception:  # a shape the one-walk conversion does not know: python-hcl2 decides
            data = reference_values(tree)
    except Exception as exc:
        line = getattr(exc, "line", None)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _HCLError(
            f"not valid HCL: {message[:200]}", line if isinstance(line, int) and line > 0 else None
        ) from None
    return ParsedFile(path, data, _line_index(tree))


def reference_values(tree: Any) -> dict[str, Any]:
    """The values python-hcl2's own rule classes serialise a parse tree to (what ``tree.py`` matches),
    with each heredoc read as Terraform reads it (python-hcl2 drops its last newline)."""
    import hcl2

    options = hcl2.SerializationOptions(with_comments=False, strip_string_quotes=True, preserve_heredocs=True)
    data: dict[str, Any] = _clean(hcl2.serialize(hcl2.transform(tree), serialization_options=options))
    return data


# a heredoc as python-hcl2 keeps it (its token without the last newline), whole or inside an expression
_KEPT_HEREDOC = re.compile(r"<<-?([A-Za-z][\w.-]*)\r?\n(?:.*\n)*?[ \t]*\1(?![\w.-])")


def _heredocs(value: str) -> str:
    whole = _KEPT_HEREDOC.fullmatch(value)
    if whole:
        return heredoc_value(value)
    if "<<" not in value:
        return value
    return _KEPT_HEREDOC.sub(lambda m: quoted_template(heredoc_value(m.group(0))), value)


_HEREDOC_OPEN = re.compile(r"<<(-?)([A-Za-z_][\w-]*)[ \t]*\r?$")


def _heredoc_markers(text: str) -> str:
    """Terraform accepts a heredoc's closing marker followed by spaces (``EOT ``); python-hcl2 does not.
    Strip those spaces (lines keep their numbers)."""
    if "<<" not in text:
        return text
    lines = text.split("\n")
    marker: str | None = None
    for i, line in enumerate(lines):
        if marker is not None:
            if line.strip() == marker:
                lines[i] = line.rstrip()
                marker = None
            continue
        found = _HEREDOC_OPEN.search(line)
        if found:
            marker = found.group(2)
    return "\n".join(lines)


class _HCLError(TerraformError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _unquote(text: str) -> str:
    text = str(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def _clean(node: Any) -> Any:
    """Drop the serializer's markers and quotes on keys."""
    if isinstance(node, dict):
        return {_unquote(k): _clean(v) for k, v in node.items() if not str(k).startswith("__")}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return _heredocs(node) if isinstance(node, str) else node


def _line_index(tree: Any) -> dict[tuple[Any, ...], int]:
    """Line of each block (``(type, *labels)``), nested block (``(..., name, i)``), attribute and map key,
    from python-hcl2's Lark parse tree."""
    index: dict[tuple[Any, ...], int] = {}
    from lark import Token, Tree

    def words(node: Any) -> str:
        if isinstance(node, Token):
            return str(node)
        if isinstance(node, Tree):
            return "".join(words(c) for c in node.children)
        return str(node)

    def line_of(node: Any) -> int | None:
        while isinstance(node, Tree) and node.children:  # the line of its first token
            node = node.children[0]
        return node.line if isinstance(node, Token) else None

    def mark(key: tuple[Any, ...], node: Any) -> None:
        found = line_of(node)
        if found is not None:
            index.setdefault(key, found)

    def objects(node: Any, key: tuple[Any, ...]) -> None:
        if not isinstance(node, Tree):
            return
        if node.data == "object_elem":
            name = _unquote(words(node.children[0]).strip())
            sub = (*key, name)
            mark(sub, node)
            for child in node.children[1:]:
                objects(child, sub)
            return
        for child in node.children:
            objects(child, key)

    def body(node: Any, prefix: tuple[Any, ...], nested: bool) -> None:
        counts: dict[str, int] = {}
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "block":
                parts = [c for c in child.children if isinstance(c, Tree) and c.data != "body"]
                name = words(parts[0]).strip() if parts else ""
                labels = [_unquote(words(p).strip()) for p in parts[1:]]
                if nested:
                    key: tuple[Any, ...] = (*prefix, name, counts.get(name, 0))
                    counts[name] = counts.get(name, 0) + 1
                else:
                    key = (*prefix, name, *labels)
                mark(key, child)
                for c in child.children:
                    if isinstance(c, Tree) and c.data == "body":
                        body(c, key, True)
            elif child.data == "attribute":
                name = words(child.children[0]).strip()
                key = (*prefix, name)
                mark(key, child)
                for c in child.children[1:]:
                    objects(c, key)
            elif child.data == "body":
                body(child, prefix, nested)

    root = tree.children[0] if isinstance(tree, Tree) and tree.data == "start" and tree.children else tree
    if isinstance(root, Tree):
        body(root, (), False)
    return index
