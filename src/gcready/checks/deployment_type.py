"""deployment-type: which row of the requirements table applies, and how sure gcready is of it."""

from __future__ import annotations

from gcready.checks.base import Check, CheckContext, described
from gcready.model import DecidedBy, Fact, Finding, Fix, FixKind, Severity, Status

META = described("deployment-type")


def run(ctx: CheckContext) -> list[Finding]:
    dep = ctx.deployment
    conflicts = tuple(Fact("conflict", c) for c in dep.conflicts)
    if dep.type is None:
        possible = ", ".join(sorted(t.value for t in dep.candidates))
        return [
            META.finding(
                Status.UNKNOWN,
                "Deployment type not decided by the evidence",
                f"The evidence fits several deployment types: {possible}. Requirements that all of "
                "them share are still judged; the others stay unknown.",
                "deployment",
                evidence=dep.evidence + conflicts,
                fixes=(
                    Fix(
                        FixKind.CLI,
                        f"gcready audit … --deployment {sorted(t.value for t in dep.candidates)[0]}",
                        "state the type",
                    ),
                ),
                needs="--deployment ID, or evidence that tells the types apart (the bucket URL, "
                "Helm global.cloudProvider, WANDB_BASE_URL)",
            )
        ]
    row = ctx.requirements.row(dep.type)
    how = (
        "stated with --deployment" if dep.decided_by is DecidedBy.OVERRIDE else "recognised from the evidence"
    )
    status = Status.WARN if dep.conflicts else Status.PASS
    detail = f"{row.label} ({dep.type.value}), {how}."
    if dep.conflicts:
        detail += " Some evidence disagrees: " + "; ".join(dep.conflicts)
    return [
        META.finding(
            status,
            f"Deployment type: {row.label}",
            detail,
            "deployment",
            severity=META.severity if dep.conflicts else Severity.INFO,
            evidence=dep.evidence + conflicts,
        )
    ]


CHECK = Check(META, run)
