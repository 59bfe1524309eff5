"""What every check shares: its context, its metadata, and how a requirement applies to a deployment."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from gcready.model import Deployment, DeploymentType, Evidence, Finding, Severity, Tier
from gcready.model.remedy import Example
from gcready.requirements import Requirements


@dataclass(frozen=True)
class CheckContext:
    evidence: Evidence
    deployment: Deployment
    requirements: Requirements


@dataclass(frozen=True)
class CheckMeta:
    """A check's catalog entry (Prowler-style metadata: id, title, severity, what it proves, fixes)."""

    id: str
    title: str
    severity: Severity
    requirement: str | None  # "env_var", "versioning", "ssc" or None
    description: str  # what the check looks at
    why: str  # why it matters for garbage collection
    tier: Tier = Tier.CONTEXT
    examples: tuple[Example, ...] = ()  # remedies on example names, for `gcready explain`
    # checks whose fix can only work once this one's cause on the same resource is fixed
    # (``gcready diagnose`` ranks this cause before theirs)
    before: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    meta: CheckMeta
    run: Callable[[CheckContext], list[Finding]]


class Applies(enum.Enum):
    """Whether a requirement applies, over the deployment types still possible."""

    ALL = "all"  # required by every candidate type: judge it
    NONE = "none"  # required by none: skip
    SOME = "some"  # depends on which candidate is right: met → pass, not met → unknown


def applies(candidates: frozenset[DeploymentType], required: Callable[[DeploymentType], bool]) -> Applies:
    needed = {required(t) for t in candidates}
    if needed == {True}:
        return Applies.ALL
    if needed == {False} or not needed:
        return Applies.NONE
    return Applies.SOME


def requiring(ctx: CheckContext, column: str) -> list[DeploymentType]:
    """The candidate types whose requirements row marks ``column``."""
    return sorted(
        (t for t in ctx.deployment.candidates if getattr(ctx.requirements.row(t), column)),
        key=lambda t: t.value,
    )
