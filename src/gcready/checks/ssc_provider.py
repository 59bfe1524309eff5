"""ssc-provider: a secure storage connector bucket is on a provider the connector supports."""

from __future__ import annotations

from gcready.checks.base import Applies, Check, CheckContext, applies, described, skipped, unless_required
from gcready.checks.buckets import buckets_in
from gcready.detect import SSC
from gcready.model import Fact, Finding, Fix, FixKind, Status

META = described("ssc-provider")


def run(ctx: CheckContext) -> list[Finding]:
    scope = applies(ctx.deployment.candidates, lambda t: t in SSC)
    if scope is Applies.NONE:
        return skipped(
            META,
            "No secure storage connector in this deployment type",
            "Only shared-cloud-ssc and dedicated-cloud-ssc use a secure storage connector.",
        )
    allowed = ctx.requirements.ssc_providers
    names = ", ".join(sorted(p.value for p in allowed))
    buckets = buckets_in(ctx.evidence)
    if not buckets:
        return [
            META.finding(
                Status.UNKNOWN,
                "No secure storage connector bucket among the inputs",
                f"The connector supports: {names}. gcready saw no bucket to compare.",
                "bucket",
                needs="the team's bucket (--bucket URL or a bundle)",
            )
        ]
    findings = []
    for bucket in buckets:
        ok = bucket.provider in allowed
        findings.append(
            META.finding(
                Status.PASS if ok else Status.FAIL,
                f"{bucket.label} is on {bucket.provider.value}"
                + ("" if ok else f": not supported by the secure storage connector ({names})"),
                (
                    f"The secure storage connector supports {names}."
                    if ok
                    else f"The seed documentation allows a secure storage connector bucket only on {names}. "
                    + ctx.requirements.ssc_note
                ),
                bucket.label,
                evidence=(Fact("bucket provider", bucket.provider.value, bucket.origin),),
                fixes=()
                if ok
                else (
                    Fix(
                        FixKind.CONSOLE,
                        "Move the team's storage to an S3 or GCS bucket and register it as the team's "
                        "secure storage connector, or confirm with W&B that your provider is supported "
                        "and audit with a --requirements profile that lists it.",
                    ),
                ),
            )
        )
    if scope is Applies.SOME:
        findings = unless_required(findings)
    return findings


CHECK = Check(META, run)
