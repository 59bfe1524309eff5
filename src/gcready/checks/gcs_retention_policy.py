"""gcs-retention-policy: a GCS retention policy (Bucket Lock) blocks deletes until objects are old enough."""

from __future__ import annotations

from gcready.checks.base import described
from gcready.checks.blocker_common import Judge, SettingRead, bucket_check
from gcready.model import Finding, Provider, Setting, Severity, Status, VersioningStatus
from gcready.model.remedy import EXAMPLE_GCS, Example, RemoveGcsRetention

META = described(
    "gcs-retention-policy",
    examples=(Example(RemoveGcsRetention(EXAMPLE_GCS, locked=False), first=2),),
)


def _period(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400} day(s)"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour(s)"
    return f"{seconds} second(s)"


def _decide(judge: Judge, value: object) -> Finding:
    bucket = judge.target.bucket
    if value is None:
        return judge.finding(
            Status.PASS,
            f"No retention policy on {bucket.label}",
            "Objects can be deleted at any age: GC deletes are not blocked by a retention policy.",
        )
    if not isinstance(value, dict) or not isinstance(value.get("seconds"), int):
        return judge.not_understood(Setting.RETENTION, "Retention policy", value)
    seconds = int(value["seconds"])
    locked = value.get("locked") is True
    state = judge.target.state
    versioning = state.setting(Setting.VERSIONING) if state is not None else None
    versioned = versioning is not None and versioning.ok and versioning.value == VersioningStatus.ENABLED
    detail = (
        f"No object can be deleted before it is {_period(seconds)} old: the garbage collector's deletes of "
        "younger files fail, and their bytes stay until then."
    )
    if locked:
        detail += " The policy is locked: it can be neither removed nor shortened."
    if versioned:
        detail += (
            " The bucket also has object versioning on, and object versioning can't be combined with a "
            "retention policy: W&B needs versioning on GCS, so the retention policy has to go."
        )
    return judge.finding(
        Status.WARN,
        f"{'Locked r' if locked else 'R'}etention policy of {_period(seconds)} on {bucket.label}: "
        "deletes are blocked until objects are old enough",
        detail,
        remedy=RemoveGcsRetention(judge.target.fixable, locked),
        severity=Severity.HIGH if locked else Severity.MEDIUM,
    )


CHECK = bucket_check(
    META,
    frozenset({Provider.GCP}),
    SettingRead(Setting.RETENTION, "Retention policy", "the endpoint has no retention policies."),
    _decide,
)
