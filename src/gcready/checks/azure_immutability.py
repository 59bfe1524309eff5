"""azure-immutability: a container immutability policy or legal hold blocks deletes of its blobs."""

from __future__ import annotations

from gcready.checks.base import described
from gcready.checks.blocker_common import Judge, SettingRead, bucket_check
from gcready.model import Finding, Provider, Setting, Status
from gcready.model.remedy import EXAMPLE_AZURE, ClearAzureImmutability, Example

META = described(
    "azure-immutability",
    examples=(Example(ClearAzureImmutability(EXAMPLE_AZURE, policy=True, hold=True), first=2),),
)


def _decide(judge: Judge, value: object) -> Finding:
    bucket = judge.target.bucket
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


CHECK = bucket_check(
    META,
    frozenset({Provider.AZURE}),
    SettingRead(Setting.IMMUTABILITY, "Immutability", "no blob of this container can be held."),
    _decide,
)
