"""What every check shares: its context, its metadata, and how a requirement applies to a deployment."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from gcready.model import Deployment, DeploymentType, Evidence, Finding, Rule
from gcready.requirements import Requirements


@dataclass(frozen=True)
class CheckContext:
    evidence: Evidence
    deployment: Deployment
    requirements: Requirements


# A check's catalog entry is the model's Rule, so the report can carry it to the formats.
CheckMeta = Rule


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
