"""object-lock: S3 Object Lock with a default retention locks every new version, so GC cannot free it.

Object Lock needs versioning and cannot be turned off. A locked version cannot be deleted until its
retention ends: in COMPLIANCE mode no one can shorten or remove it; in GOVERNANCE mode only an
identity with ``s3:BypassGovernanceRetention`` can (W&B's collector does not).
"""

from __future__ import annotations

from gcready.checks.base import described
from gcready.checks.blocker_common import S3_FAMILY, Judge, SettingRead, bucket_check
from gcready.model import Finding, ObjectLockMode, Setting, Severity, Status
from gcready.model.remedy import EXAMPLE_AWS, ClearObjectLock, Example

META = described("object-lock", examples=(Example(ClearObjectLock(EXAMPLE_AWS, "GOVERNANCE"), first=2),))

# who may still delete a locked version before its retention ends (any mode but COMPLIANCE acts as GOVERNANCE)
_WHO_MAY_DELETE = {
    ObjectLockMode.COMPLIANCE: "In COMPLIANCE mode no one, not even the root user, can shorten or remove the "
    "retention.",
    ObjectLockMode.GOVERNANCE: "In GOVERNANCE mode only an identity with s3:BypassGovernanceRetention can "
    "delete a locked version before then; W&B's collector does not.",
}


def _decide(judge: Judge, value: object) -> Finding:
    bucket = judge.target.bucket
    if not isinstance(value, dict) or not isinstance(value.get("enabled"), bool):
        return judge.not_understood(Setting.OBJECT_LOCK, "Object Lock", value)
    if not value["enabled"]:
        return judge.finding(
            Status.PASS,
            f"Object Lock is not enabled on {bucket.label}",
            "No object version is locked: GC deletes are not held by Object Lock.",
        )
    mode = value.get("mode")
    days, years = value.get("days"), value.get("years")
    period = f"{days} day(s)" if days else f"{years} year(s)" if years else ""
    if not mode or not period:
        return judge.finding(
            Status.INFO,
            f"Object Lock is enabled on {bucket.label}, without a default retention",
            "New versions are not locked by default, but a client can still lock single objects "
            "(retention or legal hold); Object Lock cannot be turned off.",
        )
    mode_text = str(mode).upper()
    compliance = mode_text == ObjectLockMode.COMPLIANCE
    how = _WHO_MAY_DELETE[ObjectLockMode.COMPLIANCE if compliance else ObjectLockMode.GOVERNANCE]
    return judge.finding(
        Status.WARN,
        f"Object Lock {mode_text} retention of {period} on {bucket.label}: GC cannot free locked versions",
        f"Every new object version is locked for {period}. A GC delete only adds a delete marker; the "
        f"locked version and its bytes stay until the retention ends. {how}",
        remedy=ClearObjectLock(judge.target.fixable, mode_text),
        severity=Severity.HIGH if compliance else Severity.MEDIUM,
    )


CHECK = bucket_check(
    META,
    S3_FAMILY,
    SettingRead(Setting.OBJECT_LOCK, "Object Lock", "no version of this bucket can be locked."),
    _decide,
)
