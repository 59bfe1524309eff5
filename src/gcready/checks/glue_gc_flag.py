"""glue-gc-flag: GORILLA_GLUE_ARTIFACT_GC_ENABLED, reported as context (its effect is unconfirmed)."""

from __future__ import annotations

from gcready.checks.base import Check, CheckContext, described, skipped
from gcready.checks.blocker_common import env_sightings, sighting_facts
from gcready.model import Finding, Status

VAR = "GORILLA_GLUE_ARTIFACT_GC_ENABLED"

META = described("glue-gc-flag")


def run(ctx: CheckContext) -> list[Finding]:
    seen = env_sightings(ctx.evidence.components, VAR)
    if not seen:
        return skipped(
            META,
            f"{VAR} not set in any component among the inputs",
            "Nothing to report (the operator chart sets it false for glue when it renders).",
            "W&B server",
        )
    return [
        META.finding(
            Status.INFO,
            f"{VAR} is {value!r} in " + ", ".join(c.name for c, _ in found),
            "Relation to the main flag (GORILLA_ARTIFACT_GC_ENABLED) unconfirmed; the operator chart "
            "hard-codes it false for glue. Not a verdict: the collector is judged by gc-env-flag.",
            ", ".join(c.name for c, _ in found),
            evidence=sighting_facts(VAR, found),
        )
        for value, found in seen.items()
    ]


CHECK = Check(META, run)
