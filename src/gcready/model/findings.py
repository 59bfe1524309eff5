"""The verdicts gcready reaches: findings, the deployment type, the diagnosis, the report, and their enums.

Everything here is a frozen dataclass or a closed enum (see :mod:`gcready.model.evidence`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gcready.enums import ExitCode as ExitCode  # re-exported: a leaf, for the CLI
from gcready.model.evidence import JSON, DeploymentType, InputError, InputFile, Note, Origin, fields_json
from gcready.model.inventory import Inventory
from gcready.model.waivers import Waiver

if TYPE_CHECKING:
    from gcready.model.drift import BaselineUse, HistoryView
    from gcready.model.remedy import Example, Remedy


class Status(enum.StrEnum):
    """The verdict of one finding. ``unknown`` is never folded into pass or fail."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"
    ERROR = "error"
    SKIP = "skip"
    INFO = "info"


class Verdict(enum.StrEnum):
    """One word for a whole report (or fleet), worst first: bad input, a requirement fails, something
    could not be seen, ready."""

    ERROR = "error"
    FAIL = "fail"
    UNKNOWN = "unknown"
    PASS = "pass"

    @classmethod
    def worst(cls, verdicts: Iterable[Verdict]) -> Verdict:
        """The worst of several verdicts (pass when there are none)."""
        order = list(cls)
        return min(verdicts, key=order.index, default=cls.PASS)


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class FixKind(enum.StrEnum):
    CLI = "cli"
    TERRAFORM = "terraform"
    HELM = "helm"
    CONSOLE = "console"
    YAML = "yaml"  # an edit of a YAML configuration file the title names (docker compose)


class Tier(enum.StrEnum):
    """Where a check's failure sits in the answer to "why are my deletes stuck?" (earlier ranks first)."""

    GC_NEVER_RUNS = "gc-never-runs"  # the collector is off, or cannot work on this deployment
    GC_CANNOT_DELETE = "gc-cannot-delete"  # the collector runs but the bucket cannot give it what it needs
    STORAGE_HELD = "storage-held"  # the collector deletes, but the provider keeps the bytes
    DELAY = "delay"  # storage is freed, later than expected
    CONTEXT = "context"  # information, no cause by itself

    @property
    def rank(self) -> int:
        """1 for the tier that explains stuck deletes most completely, up to 5 for context."""
        return list(Tier).index(self) + 1


BLOCKING_TIERS: frozenset[Tier] = frozenset({Tier.GC_NEVER_RUNS, Tier.GC_CANNOT_DELETE, Tier.STORAGE_HELD})


class DecidedBy(enum.StrEnum):
    """How the deployment type was settled."""

    EVIDENCE = "evidence"
    OVERRIDE = "override"  # --deployment (or a bundle's declared type)
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Fact:
    """A piece of evidence behind a verdict: what, its (redacted) value, and where it came from."""

    label: str
    value: str
    origin: Origin | None = None

    def to_json(self) -> dict[str, JSON]:
        return {
            **fields_json(self, "label", "value"),
            "origin": self.origin.to_json() if self.origin else None,
        }


@dataclass(frozen=True)
class Fix:
    """One way to fix a finding: a command, Terraform, Helm values or console steps, ready to copy."""

    kind: FixKind
    text: str
    title: str = ""


@dataclass(frozen=True)
class Finding:
    """One verdict of one check on one resource, with the evidence for it and how to fix it."""

    check: str
    status: Status
    severity: Severity
    title: str
    detail: str
    resource: str
    evidence: tuple[Fact, ...] = ()
    fixes: tuple[Fix, ...] = ()
    requirement: str | None = None  # the requirements-table column this finding proves
    needs: str = ""  # for unknown: what gcready would need to decide
    waiver: Waiver | None = None  # an accepted exception: keeps its status, counts towards no verdict
    remedy: Remedy | None = field(default=None, compare=False)  # what to fix; the pipeline adds fixes


@dataclass(frozen=True)
class Rule:
    """A check's catalog entry (Prowler-style: id, title, severity, what it proves, example fixes).

    The report carries one per check of the catalog, so the formats (SARIF rules, JUnit suites) need
    not import the checks.
    """

    id: str
    title: str
    severity: Severity
    requirement: str | None  # "env_var", "versioning", "ssc" or None
    description: str  # what the check looks at
    why: str  # why it matters for garbage collection
    tier: Tier = Tier.CONTEXT
    examples: tuple[Example, ...] = ()  # remedies on example names, for `gcready explain` and SARIF
    # checks whose fix can only work once this one's cause on the same resource is fixed
    # (``gcready diagnose`` ranks this cause before theirs)
    before: tuple[str, ...] = ()

    def finding(
        self,
        status: Status,
        title: str,
        detail: str,
        resource: str,
        *,
        severity: Severity | None = None,
        evidence: tuple[Fact, ...] = (),
        fixes: tuple[Fix, ...] = (),
        remedy: Remedy | None = None,
        needs: str = "",
    ) -> Finding:
        """A finding of this check on ``resource``. Its severity is the check's where it asks for
        attention, info for a pass, skip or info, unless ``severity`` says otherwise."""
        if severity is None:
            severity = Severity.INFO if status in (Status.PASS, Status.SKIP, Status.INFO) else self.severity
        return Finding(
            check=self.id,
            status=status,
            severity=severity,
            title=title,
            detail=detail,
            resource=resource,
            evidence=evidence,
            fixes=fixes,
            requirement=self.requirement,
            needs=needs,
            remedy=remedy,
        )


@dataclass(frozen=True)
class Deployment:
    """The deployment type gcready settled on, and why.

    ``type`` is None when the evidence does not decide; ``candidates`` are the types still possible.
    """

    type: DeploymentType | None
    candidates: frozenset[DeploymentType]
    decided_by: DecidedBy
    evidence: tuple[Fact, ...] = ()
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequirementView:
    """The requirements-table row a report applies (or, when the type is undecided, each candidate's)."""

    deployment: DeploymentType
    label: str
    env_var: bool
    versioning: bool
    note: str = ""


STATUS_ORDER: tuple[Status, ...] = (
    Status.ERROR,
    Status.FAIL,
    Status.UNKNOWN,
    Status.WARN,
    Status.PASS,
    Status.INFO,
    Status.SKIP,
)


def worst(statuses: tuple[Status, ...] | list[Status]) -> Status:
    """The status that matters most among several (error > fail > unknown > warn > pass > info > skip)."""
    return min(statuses, key=STATUS_ORDER.index) if statuses else Status.SKIP


@dataclass(frozen=True)
class Cause:
    """One answer to "why are my deletes stuck?", ranked: its findings carry the evidence and fixes."""

    rank: int
    tier: Tier
    title: str
    explanation: str
    findings: tuple[Finding, ...]
    confirmed: bool  # False when gcready could not read the setting (an unknown): check it first


@dataclass(frozen=True)
class UnseenCause:
    """A cause gcready cannot see from storage settings and configuration, and how to check it."""

    title: str
    detail: str
    how_to_check: str


@dataclass(frozen=True)
class Diagnosis:
    """Why deletes are stuck: a headline, the causes gcready saw (most likely first), those it cannot see."""

    headline: str
    causes: tuple[Cause, ...]
    unseen: tuple[UnseenCause, ...]


@dataclass(frozen=True)
class Report:
    """One audit's result: what a format renders and the CLI turns into an exit code."""

    tool_version: str
    generated_at: str
    command: str  # "audit" or "diagnose"
    offline: bool
    requirements_version: str
    requirements_origin: str
    deployment: Deployment
    applicable: tuple[RequirementView, ...]
    findings: tuple[Finding, ...]
    inputs: tuple[InputFile, ...] = ()
    errors: tuple[InputError, ...] = ()
    notes: tuple[Note, ...] = ()
    env_var: str = "GORILLA_ARTIFACT_GC_ENABLED"
    diagnosis: Diagnosis | None = None  # set by `gcready diagnose`
    inventory: Inventory = field(
        default_factory=Inventory
    )  # the buckets and components judged, for comparing runs
    baseline: BaselineUse | None = None  # set by --baseline: only regressions against it gate
    history: HistoryView | None = None  # set by --history: earlier runs, for the HTML trend

    def counted(self) -> tuple[Finding, ...]:
        """The findings that count towards the verdict and the exit code: every one not waived."""
        return tuple(f for f in self.findings if f.waiver is None)

    def waived(self) -> tuple[Finding, ...]:
        """The findings an unexpired waiver accepted (shown, but not counted)."""
        return tuple(f for f in self.findings if f.waiver is not None)

    rules: tuple[Rule, ...] = ()  # the check catalog's entries, in catalog order (set by the pipeline)

    def check_statuses(self) -> dict[str, Status]:
        """The worst status of each check id, in the order the checks ran.

        Waived findings are left out, unless every finding of a check is waived: then their own worst
        status stands, so a check never reads ``pass`` because its failure was accepted.
        """
        grouped: dict[str, list[Status]] = {}
        waived: dict[str, list[Status]] = {}
        for finding in self.findings:
            target = grouped if finding.waiver is None else waived
            target.setdefault(finding.check, []).append(finding.status)
            grouped.setdefault(finding.check, [])
        return {check: worst(statuses or waived[check]) for check, statuses in grouped.items()}

    def counts(self) -> dict[Status, int]:
        """How many counted findings have each status (waived ones are in :meth:`waived`)."""
        out = {status: 0 for status in Status}
        for finding in self.counted():
            out[finding.status] += 1
        return out

    def verdict(self) -> Verdict:
        """One word for the whole report: error, fail, unknown or pass. Waived findings do not count."""
        if self.errors:
            return Verdict.ERROR
        statuses = [f.status for f in self.counted()]
        if Status.FAIL in statuses or Status.ERROR in statuses:
            return Verdict.FAIL
        if Status.UNKNOWN in statuses:
            return Verdict.UNKNOWN
        return Verdict.PASS

    def exit_code(self, fail_on_warn: bool = False) -> ExitCode:
        """Ready, a requirement fails, something could not be seen, warnings (opt-in), or bad input."""
        if self.errors:
            return ExitCode.INPUT
        statuses = {f.status for f in self.counted()}
        if Status.FAIL in statuses or Status.ERROR in statuses:
            return ExitCode.FAIL
        if Status.UNKNOWN in statuses:
            return ExitCode.UNKNOWN
        if fail_on_warn and Status.WARN in statuses:
            return ExitCode.WARN
        return ExitCode.OK
