"""What one run knows beyond its report, for the formats that want it (the run's duration, say).

A :class:`RunContext` holds typed items, each looked up by its type, so a new kind of run information
is a new frozen dataclass here and in the format that reads it: nothing in between changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RunTiming:
    """How long the run took, from the command's start to rendering its report."""

    duration_seconds: float


@dataclass(frozen=True)
class RunContext:
    """Per-run items for the formats, at most one of each type."""

    items: tuple[object, ...] = ()

    def get(self, kind: type[T]) -> T | None:
        """The item of type ``kind``, or None when the run has none."""
        return next((item for item in self.items if isinstance(item, kind)), None)

    def with_item(self, item: object) -> RunContext:
        """A copy holding ``item``, replacing an earlier item of the same type."""
        kept = tuple(i for i in self.items if type(i) is not type(item))
        return RunContext((*kept, item))
