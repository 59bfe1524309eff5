"""`gcready diagnose`: the findings of an audit, ranked as the answer to "why are my deletes stuck?".

Causes are ordered by how completely they explain the symptom: first what keeps the collector from
running at all, then what keeps it from deleting, then what keeps deleted bytes held, then what only
delays. A cause gcready could not confirm (an ``unknown``) ranks after the confirmed ones of its tier.
What no storage setting or configuration can show is listed with how to check it.
"""

from __future__ import annotations

from gcready.checks import by_id
from gcready.detect import DEDICATED
from gcready.model import (
    BLOCKING_TIERS,
    Cause,
    Diagnosis,
    Finding,
    Report,
    Severity,
    Status,
    Tier,
    UnseenCause,
)

_TIER_EXPLANATIONS = {
    Tier.GC_NEVER_RUNS: "Garbage collection never runs here, so no delete ever frees storage.",
    Tier.GC_CANNOT_DELETE: "The collector runs, but the bucket does not give it what it needs to remove files.",
    Tier.STORAGE_HELD: "The collector deletes, but the storage provider keeps the bytes.",
    Tier.DELAY: "Storage is freed, but later than the delete.",
    Tier.CONTEXT: "Context that bears on the deletes.",
}
_STATUS_WEIGHT = {Status.FAIL: 0, Status.ERROR: 0, Status.WARN: 1, Status.UNKNOWN: 2, Status.INFO: 3}
_SEVERITY_WEIGHT = {s: i for i, s in enumerate(Severity)}


def _tier(finding: Finding) -> Tier:
    check = by_id(finding.check)
    return check.meta.tier if check is not None else Tier.CONTEXT


def _is_cause(finding: Finding, tier: Tier) -> bool:
    """Fails, warnings and unknowns of the causal tiers; information only where it explains a delay."""
    if tier is Tier.CONTEXT:
        return False
    if finding.status in (Status.FAIL, Status.ERROR, Status.WARN, Status.UNKNOWN):
        return True
    return finding.status is Status.INFO and tier is Tier.DELAY


def unseen_causes(report: Report) -> tuple[UnseenCause, ...]:
    """Causes outside storage settings and configuration, with how a person can check each."""
    causes = [
        UnseenCause(
            "Files shared with other artifact versions",
            "W&B deduplicates files: the collector removes a deleted version's files only if no earlier or "
            "later version of the artifact uses them. Deleting one version of a series of near-identical "
            "versions frees little.",
            "Compare the deleted version's manifest with its neighbours: wandb.Api().artifact("
            "'entity/project/name:vN').manifest.entries — shared digests stay in storage until every "
            "version that uses them is deleted.",
        ),
        UnseenCause(
            "Protected aliases and registry links",
            "A version with an alias (such as 'latest') or linked to the registry is not deleted unless "
            "the delete removes the aliases too.",
            "List the versions' aliases: [(v.name, v.aliases) for v in api.artifact_versions(TYPE, NAME)]; "
            "delete with artifact.delete(delete_aliases=True), and unlink registry links first.",
        ),
        UnseenCause(
            "Garbage collection is periodic and best-effort",
            "Soft-deleted artifacts are collected on a schedule with no timing guarantee; on W&B's cloud, "
            "storage meters can take about 24 hours to drop.",
            "Wait a full day after the delete before concluding, and compare the bucket's size over days "
            "(storage metrics, not the W&B usage page alone).",
        ),
    ]
    if report.deployment.candidates & DEDICATED:
        causes.append(
            UnseenCause(
                "Dedicated Cloud's retention window",
                "Dedicated Cloud keeps deleted data for a retention period (7 days by default, "
                "GORILLA_DATA_RETENTION_PERIOD) before it is removed.",
                "Ask W&B support for your instance's retention period and check again after it.",
            )
        )
    return tuple(causes)


def _prerequisites(findings: list[tuple[Finding, Tier]]) -> set[int]:
    """Indexes of causes that must be fixed before another cause on the same resource can be."""
    present = {(finding.check, finding.resource) for finding, _ in findings}
    out = set()
    for index, (finding, _) in enumerate(findings):
        check = by_id(finding.check)
        if check is not None and any((later, finding.resource) in present for later in check.meta.before):
            out.add(index)
    return out


def diagnose(report: Report) -> Diagnosis:
    """Rank the report's findings into causes; never invent one the evidence does not show."""
    # a waived finding is an accepted exception: the headline must agree with the verdict, which ignores it
    found = [(f, t) for f, t in ((f, _tier(f)) for f in report.counted()) if _is_cause(f, t)]
    first = _prerequisites(found)
    ranked: list[tuple[tuple[int, int, int, int, int, int], Finding, Tier]] = []
    for order, (finding, tier) in enumerate(found):
        # confirmed causes first (by tier), then what could not be checked, then what only delays;
        # within a tier, a cause whose fix another one needs first ranks before it
        group = 2 if tier.rank >= Tier.DELAY.rank else (1 if finding.status is Status.UNKNOWN else 0)
        key = (
            group,
            tier.rank,
            0 if order in first else 1,
            _STATUS_WEIGHT[finding.status],
            _SEVERITY_WEIGHT[finding.severity],
            order,
        )
        ranked.append((key, finding, tier))
    ranked.sort(key=lambda item: item[0])
    causes = tuple(
        Cause(
            rank=rank,
            tier=tier,
            title=finding.title,
            explanation=_TIER_EXPLANATIONS[tier]
            + (
                " gcready could not confirm it: " + (finding.needs or "see the finding")
                if finding.status is Status.UNKNOWN
                else ""
            ),
            findings=(finding,),
            confirmed=finding.status is not Status.UNKNOWN,
        )
        for rank, (_, finding, tier) in enumerate(ranked, start=1)
    )
    return Diagnosis(_headline(causes), causes, unseen_causes(report))


def _headline(causes: tuple[Cause, ...]) -> str:
    confirmed = [c for c in causes if c.confirmed and c.tier in BLOCKING_TIERS]
    if confirmed:
        top = confirmed[0]
        return f"Most likely cause: {top.title}"
    unconfirmed = [c for c in causes if not c.confirmed]
    if unconfirmed:
        return f"Nothing confirmed yet; first check: {unconfirmed[0].title}"
    if causes:
        return f"Nothing on the storage side keeps the bytes; {causes[0].title}"
    return "Nothing on the storage side or in the configuration explains stuck deletes; see the causes gcready cannot see"
