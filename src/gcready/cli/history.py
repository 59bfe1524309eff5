"""``--history DIR``: each run's JSON report kept in a folder, named by its time, with a retention count.

Files are named ``gcready-YYYYMMDDTHHMMSSZ.json`` from the report's ``generated_at`` (UTC), so ``ls``
lists them oldest first; a second run in the same second gets ``gcready-…Z_001.json`` (``_`` sorts after
``.``, so it still lists after the first). A file is written whole or not at all and never replaces
another. Only files named this way are read or deleted: the folder may hold anything else.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gcready.model.drift import RunPoint

PREFIX = "gcready-"
_NAME = re.compile(r"^gcready-(\d{8}T\d{6}Z)(?:_(\d{3,}))?\.json$")
_MAX_SERIAL = 9999  # runs in one second before giving up: far beyond any schedule


@dataclass(frozen=True, order=True)
class Entry:
    """One run kept in the folder; entries sort oldest first."""

    stamp: str
    serial: int
    path: Path


def entries(folder: Path) -> list[Entry]:
    """The runs kept in ``folder``, oldest first (none when the folder does not exist yet)."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        match = _NAME.match(name)
        if match:
            found.append(Entry(match.group(1), int(match.group(2) or 0), folder / name))
    return sorted(found)


def stamp_of(generated_at: str) -> str:
    """``2026-12-01T12:00:00Z`` -> ``20261201T120000Z``; a time that does not parse is now."""
    try:
        moment = datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    except ValueError:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def file_name(stamp: str, serial: int) -> str:
    """The file of a run: ``gcready-STAMP.json``, then ``gcready-STAMP_001.json`` for a clash."""
    return f"{PREFIX}{stamp}.json" if serial == 0 else f"{PREFIX}{stamp}_{serial:03d}.json"


def record(folder: Path, text: str, generated_at: str) -> Path:
    """Write one run's report into ``folder`` atomically, under a name no other file has; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = stamp_of(generated_at)
    fd, tmp = tempfile.mkstemp(prefix=f".{PREFIX}", suffix=".tmp", dir=str(folder))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        for serial in range(_MAX_SERIAL + 1):
            target = folder / file_name(stamp, serial)
            try:
                os.link(tmp, target)  # fails if the name is taken: never overwrites, even in a race
            except FileExistsError:
                continue
            except OSError:
                if target.exists():  # a file system without hard links: check, then rename
                    continue
                os.replace(tmp, target)
            return target
        raise FileExistsError(f"{folder}: {_MAX_SERIAL + 1} reports already kept for {stamp}")
    finally:
        Path(tmp).unlink(missing_ok=True)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest runs beyond ``keep``; the paths deleted."""
    kept = entries(folder)
    doomed = [entry.path for entry in kept[: max(0, len(kept) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def run_point(document: dict[str, Any], source: str = "") -> RunPoint:
    """A run of the trend from its JSON report (a fleet's counts are the sum over its deployments)."""
    reports: Sequence[Any]
    if document.get("schema") == "gcready-fleet/1":
        reports = [d.get("report", {}) for d in document.get("deployments", [])]
    else:
        reports = [document]
    totals = {"pass": 0, "fail": 0, "unknown": 0}
    for report in reports:
        summary = report.get("summary") if isinstance(report, dict) else None
        counts = summary.get("counts") if isinstance(summary, dict) else None
        if isinstance(counts, dict):
            for key in totals:
                value = counts.get(key, 0)
                totals[key] += value if isinstance(value, int) else 0
        else:  # an older report without counts: count its findings
            for finding in report.get("findings", []) if isinstance(report, dict) else []:
                if finding.get("status") in totals:
                    totals[finding["status"]] += 1
    summary = document.get("summary")
    verdict = summary.get("verdict") if isinstance(summary, dict) else None
    return RunPoint(
        generated_at=str(document.get("generated_at", "")),
        verdict=str(verdict or ""),
        passed=totals["pass"],
        failed=totals["fail"],
        unknown=totals["unknown"],
        source=source,
    )
