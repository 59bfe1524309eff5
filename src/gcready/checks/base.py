"""What every check shares: its context, its metadata, and how a requirement applies to a deployment."""

from __future__ import annotations

import enum
import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from gcready.model import Deployment, DeploymentType, Evidence, Fact, Finding, Rule, Severity, Status, Tier
from gcready.model.remedy import Example, Remedy
from gcready.requirements import Requirements


@dataclass(frozen=True)
class CheckContext:
    evidence: Evidence
    deployment: Deployment
    requirements: Requirements


# A check's catalog entry is the model's Rule, so the report can carry it to the formats.
CheckMeta = Rule


@functools.cache
def _catalog_text() -> dict[str, dict[str, Any]]:
    text = resources.files("gcready").joinpath("data/checks.toml").read_text(encoding="utf-8")
    return {entry["id"]: entry for entry in tomllib.loads(text)["check"]}


def described(check_id: str, examples: tuple[Example, ...] = ()) -> CheckMeta:
    """A check's catalog entry: its text from ``data/checks.toml`` (its keys are checked against
    ``schemas/checks.schema.json`` by the tests), its example remedies from the check."""
    entry = _catalog_text()[check_id]
    return CheckMeta(
        id=check_id,
        title=entry["title"],
        severity=Severity(entry["severity"]),
        requirement=entry.get("requirement"),
        description=entry["description"],
        why=entry["why"],
        tier=Tier(entry["tier"]),
        examples=examples,
        before=tuple(entry.get("before", ())),
    )


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


def skipped(meta: CheckMeta, title: str, detail: str, resource: str = "deployment") -> list[Finding]:
    """The one ``skip`` finding of a check that does not apply here."""
    return [meta.finding(Status.SKIP, title, detail, resource)]


def unless_required(findings: list[Finding], needed_by: str = "", keep_needs: bool = False) -> list[Finding]:
    """Findings under ``Applies.SOME``: a pass stays, anything else is unknown until the type is known.

    ``needed_by`` (the types that require it) is added to the detail; ``keep_needs`` keeps a
    finding's own ``needs`` before asking for ``--deployment``.
    """
    return [
        f
        if f.status is Status.PASS
        else replace(
            f,
            status=Status.UNKNOWN,
            detail=f.detail + f" It is required only if this is {needed_by}." if needed_by else f.detail,
            needs=(f.needs if keep_needs else "") or "--deployment ID",
        )
        for f in findings
    ]


def needed_by(ctx: CheckContext, column: str) -> str:
    """The candidate types that require ``column``, as a reader sees them."""
    return ", ".join(t.value for t in requiring(ctx, column))


@dataclass(frozen=True)
class RequirementFinding:
    """Builds a requirement check's findings on one resource: its remedy goes with all but a pass."""

    meta: CheckMeta
    resource: str
    remedy: Remedy

    def __call__(
        self, status: Status, title: str, detail: str, evidence: tuple[Fact, ...], needs: str = ""
    ) -> Finding:
        return self.meta.finding(
            status,
            title,
            detail,
            self.resource,
            severity=self.meta.severity,
            evidence=evidence,
            remedy=None if status is Status.PASS else self.remedy,
            needs=needs,
        )
