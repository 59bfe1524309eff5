"""azure-management-plane: blob versioning, container soft delete and lifecycle management policies.

These three Azure settings live on the management plane (``azure-mgmt-storage``), which the data-plane
probe does not read. When a bundle records them (settings ``blob_versioning`` {enabled},
``container_soft_delete`` {enabled, days}, ``management_policy`` {rules}), they are judged: blob
versioning keeps a previous version of every blob GC deletes, and only a management policy rule that
deletes previous versions frees those bytes. When they are not recorded, the finding says what access
would read them.
"""

from __future__ import annotations

from gcready.checks.base import Check, CheckContext, described
from gcready.checks.blocker_common import Got, Judge, run_per_bucket
from gcready.model import (
    AZURE_MANAGEMENT_SETTINGS,
    BucketRef,
    Fact,
    Finding,
    Provider,
    Setting,
    Status,
)
from gcready.model.remedy import EXAMPLE_AZURE, DeletePreviousVersions, Example

SETTINGS = AZURE_MANAGEMENT_SETTINGS
NEEDS = (
    "management-plane access: --azure-subscription ID --azure-resource-group RG with azure-mgmt-storage "
    "installed and an identity allowed Microsoft.Storage/storageAccounts/blobServices/read and "
    "managementPolicies/read"
)
# Status when none of the settings is recorded. The data-plane probe never records them, so
# Status.UNKNOWN would turn every Azure audit into exit 5; they are beyond the requirements table.
NOT_RECORDED_STATUS = Status.INFO

META = described(
    "azure-management-plane",
    examples=(Example(DeletePreviousVersions(EXAMPLE_AZURE), first=2),),
)


def run(ctx: CheckContext) -> list[Finding]:
    return run_per_bucket(ctx, META, frozenset({Provider.AZURE}), _judge)


def _get(node: object, *names: str) -> object:
    if not isinstance(node, dict):
        return None
    for name in names:
        if name in node:
            return node[name]
    return None


def _rules(value: object) -> list[object] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        rules = value.get("rules")
        if rules is None and isinstance(value.get("policy"), dict):
            rules = value["policy"].get("rules")
        if rules is None:
            return []
        return rules if isinstance(rules, list) else None
    if value is None:
        return []
    return None


def _version_delete_days(rule: object, bucket: BucketRef) -> tuple[str, int | None] | None:
    """(rule name, days) when an enabled rule deletes previous versions of this container's blobs."""
    if not isinstance(rule, dict) or rule.get("enabled") is False:
        return None
    definition = _get(rule, "definition")
    delete = _get(_get(_get(definition, "actions"), "version"), "delete")
    if not isinstance(delete, dict):
        return None
    prefixes = _get(_get(definition, "filters"), "prefixMatch", "prefix_match")
    path = (bucket.path or "").strip("/")
    written = f"{bucket.name}/{path + '/' if path else ''}"
    if isinstance(prefixes, list) and prefixes and not any(written.startswith(str(p)) for p in prefixes):
        return None
    days = _get(delete, "daysAfterCreationGreaterThan", "days_after_creation_greater_than")
    return str(rule.get("name") or "(unnamed rule)"), days if isinstance(days, int) else None


def _not_recorded(judge: Judge, setting: Setting, label: str) -> Finding | None:
    state = judge.target.state
    if state is None or not state.access.ok or state.setting(setting) is not None:
        return None
    return judge.finding(
        NOT_RECORDED_STATUS,
        f"{label} of {judge.target.bucket.label} not recorded (management plane)",
        f"The recorded state has no '{setting}' setting; it is read on the management plane, which the "
        "data-plane probe does not reach.",
        needs=NEEDS,
    )


def _read(judge: Judge, setting: Setting, label: str) -> Got | Finding:
    """A management-plane setting's ``ok`` value, or the finding that says why there is none."""
    missing = _not_recorded(judge, setting, label)
    return missing if missing is not None else judge.read(setting, label)


def _judge(judge: Judge) -> Finding:
    bucket = judge.target.bucket
    state = judge.target.state
    if state is not None and state.access.ok and all(state.setting(s) is None for s in SETTINGS):
        return judge.finding(
            NOT_RECORDED_STATUS,
            f"Blob versioning and lifecycle policy of {bucket.account} not read (management plane)",
            "Blob versioning, container soft delete and lifecycle management policies are management-plane "
            "settings the data-plane probe does not read. With blob versioning on and no policy deleting "
            "previous versions, the bytes of every blob GC deletes stay.",
            needs=NEEDS,
        )
    versioning = _read(judge, Setting.BLOB_VERSIONING, "Blob versioning")
    if not isinstance(versioning, Got):
        return versioning
    enabled = _get(versioning.value, "enabled")
    if not isinstance(enabled, bool):
        return judge.not_understood(Setting.BLOB_VERSIONING, "Blob versioning", versioning.value)
    soft_note = ""
    container_soft = state.setting(Setting.CONTAINER_SOFT_DELETE) if state is not None else None
    if container_soft is not None:
        judge.facts.append(
            Fact(
                "Container soft delete",
                str(container_soft.value) if container_soft.ok else container_soft.outcome.value,
                judge.target.observed,
            )
        )
        if container_soft.ok and _get(container_soft.value, "enabled") is True:
            days = _get(container_soft.value, "days")
            soft_note = (
                f" Container soft delete keeps a deleted container {days} day(s); it does not hold the blobs "
                "GC deletes."
            )
    if not enabled:
        return judge.finding(
            Status.PASS,
            f"Blob versioning is off for {bucket.account}: deletes keep no previous version",
            "A blob the garbage collector deletes leaves no previous version (blob soft delete, judged by "
            f"bucket-versioning and soft-delete-hold, holds it for its window).{soft_note}",
        )
    policy = _read(judge, Setting.MANAGEMENT_POLICY, "Lifecycle management policy")
    if not isinstance(policy, Got):
        return policy
    rules = _rules(policy.value)
    if rules is None:
        return judge.not_understood(Setting.MANAGEMENT_POLICY, "Lifecycle management policy", policy.value)
    found = [r for r in (_version_delete_days(rule, bucket) for rule in rules) if r is not None]
    if found:
        name, days = found[0]
        when = f"{days} day(s) after they were created" if days is not None else "by its conditions"
        return judge.finding(
            Status.PASS,
            f"Previous blob versions in {bucket.label} are deleted {when}",
            f"Management policy rule {name} deletes previous versions, so the bytes of GC-deleted blobs "
            f"are freed.{soft_note}",
        )
    return judge.finding(
        Status.WARN,
        f"Blob versioning is on for {bucket.account} and no lifecycle rule deletes previous versions",
        "With blob versioning on, a GC delete turns the blob into a previous version; its bytes stay, and "
        "are billed, until a lifecycle management rule deletes previous versions of this container."
        + soft_note,
        remedy=DeletePreviousVersions(bucket),
    )


CHECK = Check(META, run)
