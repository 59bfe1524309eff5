"""data-retention-period: GORILLA_DATA_RETENTION_PERIOD delays deletion (a delay, not a failure)."""

from __future__ import annotations

import re

from gcready.checks.base import described
from gcready.checks.blocker_common import env_report_check

VAR = "GORILLA_DATA_RETENTION_PERIOD"
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")

META = described("data-retention-period")


def go_duration_seconds(text: str) -> float | None:
    """Seconds in a Go ``time.ParseDuration`` string (``168h``, ``1h30m``, ``-0``…), else None."""
    body = text.strip()
    if body in ("0", "+0", "-0"):
        return 0.0
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if not body:
        return None
    total, pos = 0.0, 0
    for match in _PART.finditer(body):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return sign * total if pos == len(body) else None


def _human(seconds: float) -> str:
    if seconds >= 86400 and seconds % 86400 == 0:
        return f"{int(seconds // 86400)} day(s)"
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)} hour(s)"
    return f"{seconds:g} second(s)"


def _report(value: str, where: str) -> tuple[str, str]:
    seconds = go_duration_seconds(value)
    how_long = (
        f"{value} ({_human(seconds)})"
        if seconds is not None and seconds > 0
        else f"{value!r} (not a Go duration the server would accept)"
        if seconds is None and value != "(not readable)"
        else value
    )
    return (
        f"{VAR} is {how_long}: deleted data is kept that long before it is removed",
        f"The W&B server keeps deleted data for {how_long} before removing it, so storage "
        "is freed that much later than the delete. This is a delay, not a failure (W&B documents it "
        "for run data; Dedicated Cloud's default is 7 days).",
    )


CHECK = env_report_check(META, VAR, "The server's default retention of deleted data applies.", _report)
