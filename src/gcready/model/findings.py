"""The verdicts gcready reaches: findings, the deployment type, the diagnosis, the report, and their enums.

Everything here is a frozen dataclass or a closed enum (see :mod:`gcready.model.evidence`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from gcready.model.evidence import JSON, DeploymentType, InputError, InputFile, Note, Origin


class Status(enum.StrEnum):
    """The verdict of one finding. ``unknown`` is never folded into pass or fail."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"
    ERROR = "error"
    SKIP = "skip"
    INFO = "info"


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


class ExitCode(enum.IntEnum):
    """The command line's exit codes (the EPILOG of ``gcready --help`` lists them)."""

    OK = 0  # every applicable requirement passes
    INTERNAL = 1  # internal error
    INPUT = 2  # bad input or usage
    FAIL = 3  # a requirement fails
    WARN = 4  # warnings present and --fail-on warn
    UNKNOWN = 5  # no fail, but something could not be seen
    INTERRUPTED = 130  # Ctrl-C


@dataclass(frozen=True)
class Fact:
    """A piece of evidence behind a verdict: what, its (redacted) value, and where it came from."""

    label: str
    value: str
    origin: Origin | None = None

    def to_json(self) -> dict[str, JSON]:
        return {
            "label": self.label,
            "value": self.value,
            "origin": self.origin.to_json() if self.origin else None,
        }


@dataclass(frozen=True)
class Fix:
    kind: FixKind
    text: str
    title: str = ""


@dataclass(frozen=True)
class Finding:
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

    def check_statuses(self) -> dict[str, Status]:
        """The worst status of each check id, in the order the checks ran."""
        grouped: dict[str, list[Status]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.check, []).append(finding.status)
        return {check: worst(statuses) for check, statuses in grouped.items()}

    def counts(self) -> dict[Status, int]:
        out = {status: 0 for status in Status}
        for finding in self.findings:
            out[finding.status] += 1
        return out

    def verdict(self) -> str:
        """One word for the whole report: error, fail, unknown or pass."""
        if self.errors:
            return "error"
        statuses = [f.status for f in self.findings]
        if Status.FAIL in statuses or Status.ERROR in statuses:
            return "fail"
        if Status.UNKNOWN in statuses:
            return "unknown"
        return "pass"

    def exit_code(self, fail_on_warn: bool = False) -> ExitCode:
        """Ready, a requirement fails, something could not be seen, warnings (opt-in), or bad input."""
        if self.errors:
            return ExitCode.INPUT
        statuses = {f.status for f in self.findings}
        if Status.FAIL in statuses or Status.ERROR in statuses:
            return ExitCode.FAIL
        if Status.UNKNOWN in statuses:
            return ExitCode.UNKNOWN
        if fail_on_warn and Status.WARN in statuses:
            return ExitCode.WARN
        return ExitCode.OK
