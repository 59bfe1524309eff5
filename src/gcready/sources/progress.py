"""Progress of a long read, for an optional display: ``progress(done, total, label)``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

Progress = Callable[[int, int, str], None]


class Steps:
    """Counts the steps of a read and reports each to ``progress``; the total may grow as work is found."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def add(self, more: int) -> None:
        """``more`` steps found that were not counted yet."""
        self.total += more

    def step(self, label: str) -> None:
        """One step finished; ``label`` says what (a file, a root folder)."""
        self.done += 1
        if self.progress is not None:
            # a broken display must not stop the read
            with contextlib.suppress(Exception):
                self.progress(self.done, max(self.total, self.done), label)
