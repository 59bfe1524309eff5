"""soft-delete-hold: GCS soft delete and Azure blob soft delete keep deleted bytes (billed) for N days.

A delay, not a blocker: storage is freed when the window ends. On Azure blob soft delete is what the
requirements table asks for ("versioning"), so it is reported as information, never as a warning.
"""

from __future__ import annotations

from dataclasses import replace

from gcready.checks.base import described
from gcready.checks.blocker_common import Judge, SettingRead, bucket_check
from gcready.model import Finding, Provider, Setting, Status
from gcready.model.remedy import EXAMPLE_GCS, Example, ShortenGcsSoftDelete

META = described("soft-delete-hold", examples=(Example(ShortenGcsSoftDelete(EXAMPLE_GCS), first=1),))


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _days_text(days: float) -> str:
    return f"{int(days)}" if days == int(days) else f"{days:g}"


def _not_read(finding: Finding) -> Finding:
    # not recorded: skip, not info (an info of this tier would read as a delay that was seen)
    return replace(finding, status=Status.SKIP) if finding.status is Status.INFO else finding


def _decide(judge: Judge, value: object) -> Finding:
    bucket = judge.target.bucket
    if not isinstance(value, dict) or not isinstance(value.get("enabled"), bool):
        return judge.not_understood(Setting.SOFT_DELETE, "Soft delete", value)
    seconds = _num(value.get("seconds"))
    days = _num(value.get("days"))
    if days is None and seconds is not None:
        days = seconds / 86400
    on = bool(value["enabled"]) or bool(seconds and seconds > 0)
    if bucket.provider is Provider.GCP:
        if not on:
            return judge.finding(
                Status.PASS,
                f"Soft delete is off for {bucket.label}: deleted bytes are freed at once",
                "Objects the garbage collector deletes are not kept. (W&B's secure storage connector page "
                "asks for soft delete on GCS buckets.)",
            )
        if days is None:
            return judge.not_understood(Setting.SOFT_DELETE, "Soft delete", value)
        return judge.finding(
            Status.INFO,
            f"{bucket.label}: bytes of GC-deleted objects are kept {_days_text(days)} day(s) before they are freed",
            f"GCS soft delete keeps every deleted object (and every noncurrent version a lifecycle rule "
            f"deletes) for {_days_text(days)} day(s), billed, before the bytes are freed. A delay, not a "
            "failure.",
            remedy=ShortenGcsSoftDelete(judge.target.fixable) if days > 7 else None,
        )
    if not on:
        return judge.finding(
            Status.SKIP,
            f"Blob soft delete is off for {bucket.label}",
            "No deleted blob is held; bucket-versioning reports the missing blob soft delete, which the "
            "requirements table asks for on Azure.",
        )
    held = f"{_days_text(days)} day(s)" if days is not None else "the retention period"
    return judge.finding(
        Status.INFO,
        f"{bucket.label}: deleted blobs are held {held} before they are freed",
        f"Azure blob soft delete keeps every blob the garbage collector deletes for {held}, billed, before "
        "the bytes are freed. It is required (it is what 'versioning' means on Azure), so this is a delay "
        "to expect, not a problem.",
    )


CHECK = bucket_check(
    META,
    frozenset({Provider.GCP, Provider.AZURE}),
    SettingRead(Setting.SOFT_DELETE, "Soft delete", "deleted objects are not kept."),
    _decide,
    _not_read,
)
