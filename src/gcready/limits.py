"""Bounds on the work one input may cause, and the one way gcready opens an input file.

Every evidence file, ``env_file`` and ``--requirements`` profile is read through :func:`read_text`: it
refuses what is not a regular file (a FIFO would block forever, ``/dev/zero`` never ends) before
opening it, opens without blocking, and reads at most ``MAX_BYTES + 1`` bytes, so no input can hang
gcready or exhaust its memory. Parsed data is then held to a nesting depth (:func:`nesting_depth`).
"""

from __future__ import annotations

import os
import stat
from typing import Any

MAX_BYTES = 20 * 1024 * 1024  # no real configuration file is this large
MAX_HCL_BYTES = 256 * 1024  # 10x W&B's largest module file; the HCL parser takes ~1 s per 100 KiB
MAX_DEPTH = 64  # W&B's own Helm values, CRs and plans nest about 12 levels deep
MAX_ITEMS = 10_000  # variables, buckets and notes one input may produce
MAX_LINE = 64 * 1024  # docker's --env-file reader refuses longer lines too (bufio.Scanner)


class InputReadError(Exception):
    """An input that cannot be read: the message says why, without the path (the caller names it)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def special_file(path: str) -> str:
    """What a path is when it is not a regular file (after following symlinks), else ``""``."""
    mode = os.stat(path).st_mode
    return "" if stat.S_ISREG(mode) else _kind_of(mode)


def read_bytes(path: str, limit: int = MAX_BYTES) -> bytes:
    """The whole file, refusing special files and anything larger than ``limit`` bytes."""
    try:
        what = special_file(path)
        if what:
            raise InputReadError(f"{what}, not a regular file: refused")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputReadError(f"cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped for a special file between the check and the open
            raise InputReadError(f"{_kind_of(mode)}, not a regular file: refused")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputReadError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputReadError(f"larger than the {limit // (1024 * 1024)} MiB limit for an input file")
    return b"".join(chunks)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 text has NUL bytes too: a text file, not UTF-8


def looks_binary(raw: bytes) -> bool:
    """NUL bytes near the start: an image or archive, not a text file in some other encoding."""
    return b"\x00" in raw[:8192] and not raw.startswith(_UTF16_BOMS)


def decode_text(raw: bytes) -> str:
    """UTF-8 text (a BOM is dropped); the error names the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputReadError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line
        ) from None


def read_text(path: str, limit: int = MAX_BYTES) -> str:
    """A bounded, non-blocking read of a UTF-8 text file (see the module docstring)."""
    return decode_text(read_bytes(path, limit))


def nesting_depth(data: Any, limit: int = MAX_DEPTH) -> int:
    """How deep lists and mappings nest in parsed data, counting no further than ``limit + 1``.

    Iterative, so arbitrarily deep data cannot exhaust the interpreter's stack.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest
