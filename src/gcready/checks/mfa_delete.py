"""mfa-delete: MFA delete on an S3 bucket stops permanent version deletes without the root user's MFA."""

from __future__ import annotations

from gcready.checks.base import described
from gcready.checks.blocker_common import Judge, SettingRead, bucket_check
from gcready.model import Finding, Provider, Setting, Status, Toggle
from gcready.model.remedy import EXAMPLE_AWS, DisableMfaDelete, Example

META = described("mfa-delete", examples=(Example(DisableMfaDelete(EXAMPLE_AWS), first=2),))


def _decide(judge: Judge, value: object) -> Finding:
    bucket = judge.target.bucket
    if value == Toggle.DISABLED:
        return judge.finding(
            Status.PASS,
            f"MFA delete is off for {bucket.label}",
            "Object versions can be deleted permanently without MFA (by lifecycle rules, too).",
        )
    if value != Toggle.ENABLED:
        return judge.not_understood(Setting.MFA_DELETE, "MFA delete", value)
    return judge.finding(
        Status.WARN,
        f"MFA delete is on for {bucket.label}: versions GC leaves behind cannot be expired",
        "Permanently deleting an object version needs the bucket owner's root user with an MFA code, and "
        "AWS does not allow a lifecycle configuration with expiration on an MFA-delete bucket. With "
        "versioning on, a GC delete only adds a delete marker: the noncurrent versions and their bytes stay.",
        remedy=DisableMfaDelete(judge.target.fixable),
    )


CHECK = bucket_check(
    META,
    frozenset({Provider.AWS}),
    SettingRead(Setting.MFA_DELETE, "MFA delete", "the endpoint has no MFA delete."),
    _decide,
)
