"""azure-immutability: a container immutability policy or legal hold blocks deletes of its blobs."""

from __future__ import annotations

from gcready.checks.base import Check, CheckContext, CheckMeta
from gcready.checks.blocker_common import Got, Judge, run_per_bucket
from gcready.model import Finding, Provider, Setting, Severity, Status, Tier
from gcready.model.remedy import EXAMPLE_AZURE, ClearAzureImmutability, Example

META = CheckMeta(
    id="azure-immutability",
    title="Azure container immutability policy / legal hold",
    severity=Severity.HIGH,
    requirement=None,
    description="Reads whether each Azure container has a time-based immutability policy or a legal hold.",
    why="Blobs under an immutability policy (until they are old enough) or a legal hold (until it is "
    "cleared) cannot be deleted: the garbage collector's deletes fail and the bytes stay.",
    tier=Tier.STORAGE_HELD,
    examples=(Example(ClearAzureImmutability(EXAMPLE_AZURE, policy=True, hold=True), first=2),),
)


def run(ctx: CheckContext) -> list[Finding]:
    return run_per_bucket(ctx, META, frozenset({Provider.AZURE}), _judge)


def _judge(judge: Judge) -> Finding:
    bucket = judge.target.bucket
    got = judge.read_supported(Setting.IMMUTABILITY, "Immutability", "no blob of this container can be held.")
    if not isinstance(got, Got):
        return got
    value = got.value
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("immutability_policy"), bool)
        or not isinstance(value.get("legal_hold"), bool)
    ):
        return judge.not_understood(Setting.IMMUTABILITY, "Immutability", value)
    policy, hold = bool(value["immutability_policy"]), bool(value["legal_hold"])
    if not policy and not hold:
        return judge.finding(
            Status.PASS,
            f"No immutability policy or legal hold on {bucket.label}",
            "Blobs can be deleted: GC deletes are not blocked by immutable storage.",
        )
    what = " and ".join(w for w, on in (("an immutability policy", policy), ("a legal hold", hold)) if on)
    return judge.finding(
        Status.WARN,
        f"{bucket.label} has {what}: GC cannot delete its blobs",
        f"The container has {what}. Blobs under a time-based retention policy cannot be deleted until they "
        "are old enough; blobs under a legal hold cannot be deleted until every hold tag is cleared. The "
        "garbage collector's deletes fail and the bytes stay.",
        remedy=ClearAzureImmutability(bucket, policy, hold),
    )


CHECK = Check(META, run)
