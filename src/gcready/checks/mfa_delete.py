"""mfa-delete: MFA delete on an S3 bucket stops permanent version deletes without the root user's MFA."""

from __future__ import annotations

from gcready.checks.base import Check, CheckContext, CheckMeta
from gcready.checks.blocker_common import Got, Judge, run_per_bucket
from gcready.model import Finding, Provider, Setting, Severity, Status, Tier, Toggle
from gcready.model.remedy import EXAMPLE_AWS, DisableMfaDelete, Example

META = CheckMeta(
    id="mfa-delete",
    title="S3 MFA delete",
    severity=Severity.MEDIUM,
    requirement=None,
    description="Reads each AWS S3 bucket's MFA delete setting (part of GetBucketVersioning).",
    why="With MFA delete on, permanently deleting an object version needs the root user's MFA code, and "
    "AWS does not allow lifecycle expiration on such a bucket: noncurrent versions left by GC deletes "
    "are never freed.",
    tier=Tier.STORAGE_HELD,
    before=("noncurrent-expiry",),  # AWS refuses a lifecycle expiration on an MFA-delete bucket
    examples=(Example(DisableMfaDelete(EXAMPLE_AWS), first=2),),
)


def run(ctx: CheckContext) -> list[Finding]:
    return run_per_bucket(ctx, META, frozenset({Provider.AWS}), _judge)


def _judge(judge: Judge) -> Finding:
    bucket = judge.target.bucket
    got = judge.read_supported(Setting.MFA_DELETE, "MFA delete", "the endpoint has no MFA delete.")
    if not isinstance(got, Got):
        return got
    if got.value == Toggle.DISABLED:
        return judge.finding(
            Status.PASS,
            f"MFA delete is off for {bucket.label}",
            "Object versions can be deleted permanently without MFA (by lifecycle rules, too).",
        )
    if got.value != Toggle.ENABLED:
        return judge.not_understood(Setting.MFA_DELETE, "MFA delete", got.value)
    return judge.finding(
        Status.WARN,
        f"MFA delete is on for {bucket.label}: versions GC leaves behind cannot be expired",
        "Permanently deleting an object version needs the bucket owner's root user with an MFA code, and "
        "AWS does not allow a lifecycle configuration with expiration on an MFA-delete bucket. With "
        "versioning on, a GC delete only adds a delete marker: the noncurrent versions and their bytes stay.",
        remedy=DisableMfaDelete(judge.target.fixable),
    )


CHECK = Check(META, run)
