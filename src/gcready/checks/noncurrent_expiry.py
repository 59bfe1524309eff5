"""noncurrent-expiry: on a versioned bucket, a lifecycle rule must expire noncurrent versions.

With versioning on, a GC delete only adds a delete marker (S3) or makes the live version noncurrent
(GCS): the bytes stay, and are billed, until a lifecycle rule expires noncurrent versions. On S3 a rule
with ``ExpiredObjectDeleteMarker`` also removes the delete markers left once the versions are gone.

Lifecycle rules are read in every shape gcready meets: the probes' (``enabled``, ``prefix``,
``noncurrent_days``, ``expired_object_delete_marker``), hand-written bundles' (``status: Enabled``,
``noncurrent_version_expiration_days``) and the raw S3 / GCS API documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from gcready.checks.base import Check, CheckContext, described
from gcready.checks.blocker_common import S3_FAMILY, Got, Judge, run_per_bucket
from gcready.model import BucketRef, Finding, Provider, Setting, Severity, Status, VersioningStatus
from gcready.model.remedy import EXAMPLE_BUCKETS, Example, ExpireNoncurrent

META = described(
    "noncurrent-expiry",
    examples=tuple(
        Example(ExpireNoncurrent(b), first=1) for b in EXAMPLE_BUCKETS if b.provider is not Provider.AZURE
    ),
)


@dataclass(frozen=True)
class Rule:
    id: str
    enabled: bool
    prefix: str
    noncurrent: str | None  # how noncurrent versions expire ("30 days", "3 newer versions"…)
    noncurrent_days: int | None
    delete_marker: bool
    limited: str = ""  # what besides the prefix limits the rule to some objects ("objects tagged a=b")


def run(ctx: CheckContext) -> list[Finding]:
    return run_per_bucket(ctx, META, S3_FAMILY | {Provider.GCP}, _judge)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _enabled(rule: dict[str, object]) -> bool:
    if isinstance(rule.get("enabled"), bool):
        return bool(rule["enabled"])
    status = rule.get("status", rule.get("Status"))
    return str(status).lower() == "enabled" if status is not None else True


def s3_rule(rule: object) -> Rule | None:
    if not isinstance(rule, dict):
        return None
    expiration = rule.get("Expiration") if isinstance(rule.get("Expiration"), dict) else {}
    nve = rule.get("NoncurrentVersionExpiration")
    nve = nve if isinstance(nve, dict) else {}
    days = _int(rule.get("noncurrent_days"))
    if days is None:
        days = _int(rule.get("noncurrent_version_expiration_days"))
    if days is None:
        days = _int(nve.get("NoncurrentDays"))
    newer = _int(nve.get("NewerNoncurrentVersions"))
    marker = rule.get("expired_object_delete_marker")
    if marker is None and isinstance(expiration, dict):
        marker = expiration.get("ExpiredObjectDeleteMarker")
    prefix = rule.get("prefix")
    rule_filter = rule.get("Filter")
    if prefix is None and isinstance(rule_filter, dict):
        prefix = rule_filter.get("Prefix")
        if prefix is None and isinstance(rule_filter.get("And"), dict):
            prefix = rule_filter["And"].get("Prefix")
    if prefix is None:
        prefix = rule.get("Prefix")
    limited = _s3_limits(rule)
    if limited is None:
        return None
    text = f"{days} day(s) after becoming noncurrent" if days is not None else None
    if text and newer:
        text += f", keeping {newer} newer noncurrent version(s)"
    return Rule(
        id=str(rule.get("id", rule.get("ID")) or "(no id)"),
        enabled=_enabled(rule),
        prefix=str(prefix or ""),
        noncurrent=text,
        noncurrent_days=days,
        delete_marker=marker is True,
        limited=limited,
    )


def _s3_limits(rule: dict[str, object]) -> str | None:
    """What limits an S3 rule to some objects besides its prefix (a tag, an object size), "" for nothing,
    None when the rule's filter is not understood.

    S3 applies a rule whose filter holds ``Tag`` or ``ObjectSize*`` (alone or ANDed) only to objects
    that match; W&B's files carry no tag, and artifacts come in every size.
    """
    tags = rule.get("tags")
    larger, smaller = rule.get("object_size_greater_than"), rule.get("object_size_less_than")
    rule_filter = rule.get("Filter")
    if isinstance(rule_filter, dict):  # a raw S3 API document (bundle)
        both = rule_filter.get("And") if isinstance(rule_filter.get("And"), dict) else {}
        assert isinstance(both, dict)
        raw_tags = [rule_filter["Tag"]] if rule_filter.get("Tag") else both.get("Tags") or []
        if not isinstance(raw_tags, list) or not all(isinstance(t, dict) for t in raw_tags):
            return None
        tags = [f"{t.get('Key')}={t.get('Value')}" for t in raw_tags]
        larger = rule_filter.get("ObjectSizeGreaterThan", both.get("ObjectSizeGreaterThan"))
        smaller = rule_filter.get("ObjectSizeLessThan", both.get("ObjectSizeLessThan"))
    if tags is not None and not isinstance(tags, list):
        return None
    limits = [f"objects tagged {', '.join(str(t) for t in tags)}"] if tags else []
    for value, words in ((larger, "larger than"), (smaller, "smaller than")):
        if value is not None:
            size = _int(value)
            if size is None:
                return None
            limits.append(f"objects {words} {size} bytes")
    return " and ".join(limits)


# The conditions of a GCS lifecycle rule (JSON API), all ANDed. Those that pick which objects a rule
# applies to, beyond matchesPrefix, limit it to part of the bucket.
_GCS_TRIGGERS = frozenset({"age", "daysSinceNoncurrentTime", "numNewerVersions", "isLive"})
_GCS_LIMITS = {
    "matchesSuffix": "objects whose name ends in {}",
    "matchesStorageClass": "objects in storage class {}",
    "createdBefore": "objects created before {}",
    "customTimeBefore": "objects whose custom time is before {}",
    "daysSinceCustomTime": "objects with a custom time {} day(s) old",
    "noncurrentTimeBefore": "versions that became noncurrent before {}",
}
_GCS_CONDITIONS = _GCS_TRIGGERS | {"matchesPrefix"} | set(_GCS_LIMITS)


def _gcs_limits(condition: dict[str, object]) -> str:
    limits = []
    for name, words in _GCS_LIMITS.items():
        value = condition.get(name)
        if value is None or value == []:
            continue
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        limits.append(words.format(shown))
    return " and ".join(limits)


def gcs_rule(rule: object) -> Rule | None:
    if not isinstance(rule, dict):
        return None
    action = rule.get("action") if isinstance(rule.get("action"), dict) else {}
    condition = rule.get("condition") if isinstance(rule.get("condition"), dict) else {}
    assert isinstance(action, dict) and isinstance(condition, dict)
    if set(condition) - _GCS_CONDITIONS:
        return None  # a condition gcready does not know could limit the rule: not understood
    text: str | None = None
    days = _int(condition.get("daysSinceNoncurrentTime"))
    live = condition.get("isLive")
    # isLive: true matches only live versions: such a rule never deletes a noncurrent one.
    if str(action.get("type")) == "Delete" and live is not True:
        if days is not None:
            text = f"{days} day(s) after becoming noncurrent"
        elif _int(condition.get("numNewerVersions")) is not None:
            text = f"once {condition['numNewerVersions']} newer version(s) exist"
        elif live is False:
            age = _int(condition.get("age"))
            text = f"{age} day(s) after creation (noncurrent only)" if age is not None else "noncurrent"
        elif condition.get("noncurrentTimeBefore"):
            text = f"noncurrent before {condition['noncurrentTimeBefore']}"
    prefixes = condition.get("matchesPrefix")
    prefix = prefixes[0] if isinstance(prefixes, list) and len(prefixes) == 1 else ""
    if isinstance(prefixes, list) and len(prefixes) > 1:
        prefix = ",".join(str(p) for p in prefixes)
    return Rule(
        id=str(rule.get("id") or rule.get("name") or "(unnamed rule)"),
        enabled=_enabled(rule),
        prefix=str(prefix),
        noncurrent=text,
        noncurrent_days=days,
        delete_marker=False,
        limited=_gcs_limits(condition),
    )


def covers(rule: Rule, bucket: BucketRef) -> bool:
    """Whether a rule covers what W&B writes (the whole bucket, or the bucket URL's path): its prefix
    does, and nothing else limits it to some objects."""
    if rule.limited:
        return False
    if not rule.prefix:
        return True
    path = (bucket.path or "").strip("/")
    prefixes = rule.prefix.split(",")
    return bool(path) and any(f"{path}/".startswith(p) for p in prefixes)


def _why_not(rule: Rule) -> str:
    if not rule.enabled:
        return "disabled"
    if rule.limited:
        return f"only {rule.limited}"
    return f"prefix {rule.prefix}"


def _judge(judge: Judge) -> Finding:
    bucket = judge.target.bucket
    versioning = judge.read(Setting.VERSIONING, "Versioning")
    if not isinstance(versioning, Got):
        return versioning
    if versioning.value == VersioningStatus.DISABLED:
        return judge.finding(
            Status.SKIP,
            f"Versioning is off for {bucket.label}: no noncurrent versions to expire",
            "bucket-versioning reports the missing versioning; deletes free storage directly.",
        )
    if versioning.value not in (VersioningStatus.ENABLED, VersioningStatus.SUSPENDED):
        return judge.not_understood(Setting.VERSIONING, "Versioning", versioning.value)
    lifecycle = judge.read(Setting.LIFECYCLE, "Lifecycle rules")
    if not isinstance(lifecycle, Got):
        return lifecycle
    if not isinstance(lifecycle.value, list):
        return judge.not_understood(Setting.LIFECYCLE, "Lifecycle rules", lifecycle.value)
    parse = gcs_rule if bucket.provider is Provider.GCP else s3_rule
    rules = [parse(r) for r in lifecycle.value]
    if any(r is None for r in rules):
        return judge.not_understood(Setting.LIFECYCLE, "Lifecycle rules", lifecycle.value)
    parsed = [r for r in rules if r is not None]
    expiring = [r for r in parsed if r.noncurrent]
    good = [r for r in expiring if r.enabled and covers(r, bucket)]
    suspended = (
        " Versioning is suspended: versions kept while it was on stay, and deletes of them still only add "
        "delete markers."
        if versioning.value == VersioningStatus.SUSPENDED
        else ""
    )
    others = len(parsed)
    if not good:
        why_not = ""
        if expiring:
            listed = "; ".join(f"{r.id} ({_why_not(r)})" for r in expiring)
            why_not = f" Rules that expire noncurrent versions but do not apply: {listed}."
        marker = (
            "adds a delete marker" if bucket.provider is not Provider.GCP else "makes the version noncurrent"
        )
        return judge.finding(
            Status.WARN,
            f"No lifecycle rule expires noncurrent versions on {bucket.label}: GC-deleted bytes stay",
            f"With versioning on, a GC delete only {marker}; the bytes stay, and are billed, until a "
            f"lifecycle rule expires noncurrent versions.{why_not}{suspended}",
            remedy=ExpireNoncurrent(judge.target.fixable, others),
        )
    best = min(good, key=lambda r: r.noncurrent_days if r.noncurrent_days is not None else 1 << 30)
    if bucket.provider in S3_FAMILY and not any(
        r.enabled and r.delete_marker and covers(r, bucket) for r in parsed
    ):
        days = best.noncurrent_days or 30
        return judge.finding(
            Status.WARN,
            f"Noncurrent versions expire on {bucket.label}, but expired delete markers are never removed",
            f"Rule {best.id} deletes noncurrent versions {best.noncurrent}, so the bytes are freed; the "
            "delete markers GC leaves behind stay, and slow down listings, until a rule with "
            f"ExpiredObjectDeleteMarker removes them.{suspended}",
            remedy=ExpireNoncurrent(judge.target.fixable, others, days),
            severity=Severity.LOW,
        )
    return judge.finding(
        Status.PASS,
        f"Noncurrent versions on {bucket.label} expire {best.noncurrent}",
        f"Lifecycle rule {best.id} frees the bytes of GC-deleted files {best.noncurrent}.{suspended}",
    )


CHECK = Check(META, run)
