"""bucket-versioning: every artifact bucket keeps versions (Azure: blob soft delete), as read live.

Only a setting actually read (a probe's or a bundle's ``ok`` reading) gives pass or fail; a bucket that
could not be reached, a denied read, or no recorded state at all is ``unknown`` with what is missing.
"""

from __future__ import annotations

from gcready.checks.base import (
    Applies,
    Check,
    CheckContext,
    RequirementFinding,
    applies,
    described,
    needed_by,
    skipped,
    unless_required,
)
from gcready.checks.blocker_common import as_probed, needs_for, outcome_text
from gcready.checks.buckets import buckets_in
from gcready.model import BucketRef, Fact, Finding, Origin, Status, VersioningStatus
from gcready.model.remedy import EXAMPLE_BUCKETS, EnableVersioning, Example

META = described(
    "bucket-versioning",
    examples=tuple(Example(EnableVersioning(b), first=1) for b in EXAMPLE_BUCKETS),
)


def run(ctx: CheckContext) -> list[Finding]:
    scope = applies(ctx.deployment.candidates, lambda t: ctx.requirements.row(t).versioning)
    if scope is Applies.NONE:
        return skipped(
            META,
            "Bucket versioning not required for this deployment type",
            "W&B manages the bucket of shared and dedicated cloud instances.",
        )
    buckets = buckets_in(ctx.evidence)
    if not buckets:
        findings = [
            META.finding(
                Status.UNKNOWN,
                "No artifact bucket found among the inputs",
                "gcready could not tell which bucket this deployment stores artifacts in.",
                "bucket",
                needs="the bucket: BUCKET / GORILLA_FILE_STORE in the server's env, Helm global.bucket, "
                "or --bucket URL",
            )
        ]
    else:
        findings = [_judge(ctx, b) for b in buckets]
    if scope is Applies.SOME:
        findings = unless_required(findings, needed_by(ctx, "versioning"), keep_needs=True)
    return findings


def _judge(ctx: CheckContext, bucket: BucketRef) -> Finding:
    meaning = ctx.requirements.versioning_for(bucket.provider)
    state = ctx.evidence.state_of(bucket)
    declared = state.setting(meaning.setting) if state is not None else None
    remedy = EnableVersioning(as_probed(bucket, state), declared.declared if declared is not None else None)
    finding = RequirementFinding(META, bucket.label, remedy)
    where = Fact("bucket", bucket.display, bucket.origin)
    if state is None:
        how = "no live probe read it"
        return finding(
            Status.UNKNOWN,
            f"{meaning.label} of {bucket.label} not read",
            f"The configuration names this bucket, but its settings were not read ({how}, and no "
            "evidence bundle records them).",
            (where,),
            "a live probe (gcready audit without --offline, with read access to the bucket) or a bundle "
            "from gcready collect",
        )
    observed = Origin(state.origin.source, state.origin.line, state.observed_at or state.origin.path)
    if not state.access.ok:
        return finding(
            Status.UNKNOWN,
            f"{bucket.label}: {outcome_text(state.access.outcome)}",
            f"The bucket could not be read ({state.access.outcome.value}): {state.access.reason or 'no detail'}. "
            "Its versioning is unknown, not off.",
            (where, Fact("access", state.access.outcome.value, observed)),
            needs_for(state.access.permission, state.access.outcome, "the setting"),
        )
    reading = state.setting(meaning.setting)
    if reading is None:
        return finding(
            Status.UNKNOWN,
            f"{meaning.label} of {bucket.label} not recorded",
            f"The recorded state of this bucket has no '{meaning.setting}' setting.",
            (where,),
            f"a probe or bundle that reads '{meaning.setting}'",
        )
    fact = Fact(meaning.label, _show(reading.value) if reading.ok else reading.outcome.value, observed)
    if not reading.ok:
        return finding(
            Status.UNKNOWN,
            f"{meaning.label} of {bucket.label}: {outcome_text(reading.outcome)}",
            f"Reading '{meaning.setting}' gave {reading.outcome.value}: {reading.reason or 'no detail'}.",
            (where, fact),
            needs_for(reading.permission, reading.outcome, "the setting"),
        )
    if not meaning.understood(reading.value):
        return finding(
            Status.UNKNOWN,
            f"{meaning.label} of {bucket.label}: value not understood",
            f"'{meaning.setting}' was recorded as {reading.value!r}, which is not a value gcready knows "
            "how to judge.",
            (where, fact),
            f"a probe or bundle that records '{meaning.setting}' as the bundle schema describes",
        )
    if meaning.met_by(reading.value):
        return finding(
            Status.PASS,
            f"{meaning.label} is on for {bucket.label}",
            f"{meaning.label}: {_show(reading.value)}.",
            (where, fact),
        )
    suspended = reading.value == VersioningStatus.SUSPENDED
    return finding(
        Status.FAIL,
        f"{meaning.label} is {'suspended' if suspended else 'off'} for {bucket.label}",
        f"{meaning.label}: {_show(reading.value)}. W&B's garbage collector needs it on to remove the files "
        "of deleted artifacts"
        + (" (versioning was enabled once and then suspended)." if suspended else ".")
        # what the source says about it (e.g. Terraform: a status the provider rejects at plan)
        + (f" As read: {reading.reason}." if reading.reason else ""),
        (where, fact),
    )


def _show(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


CHECK = Check(META, run)
