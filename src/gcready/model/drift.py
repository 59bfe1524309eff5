"""What changed between two runs (drift), which change is a regression, and how a baseline gates a run.

The regression rule, the one place it is written down:

* statuses are ranked ``pass``, ``skip``, ``info`` (0) < ``warn`` (1) < ``unknown`` (2) < ``fail``,
  ``error`` (3);
* findings are matched by ``(check, resource)``; when a report holds several findings with the same key,
  the worst status among them stands for the key;
* a finding is a **regression** when its status has a higher rank than the matched finding's had, or when
  it has no match in the older report and is ``fail``, ``error`` or ``unknown``;
* an input error the newer report has and the older did not is a regression too (that run could not
  read its inputs, so it proves nothing);
* nothing else is: a finding that disappeared, a status that got better, a change of evidence, a bucket
  that appeared, are listed, not gated.

Everything here is a frozen value; :mod:`gcready.report.drift` builds them from two JSON reports.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gcready.model.findings import ExitCode, Status

if TYPE_CHECKING:
    from gcready.model.findings import Report

STATUS_RANK: dict[Status, int] = {
    Status.PASS: 0,
    Status.SKIP: 0,
    Status.INFO: 0,
    Status.WARN: 1,
    Status.UNKNOWN: 2,
    Status.FAIL: 3,
    Status.ERROR: 3,
}
_NEW_IS_REGRESSION = frozenset({Status.FAIL, Status.ERROR, Status.UNKNOWN})
_FAILED = frozenset({Status.FAIL, Status.ERROR})


def is_regression(old: Status | None, new: Status | None) -> bool:
    """The regression rule for one ``(check, resource)``: ``None`` is "no such finding in that report"."""
    if new is None:
        return False
    if old is None:
        return new in _NEW_IS_REGRESSION
    return STATUS_RANK[new] > STATUS_RANK[old]


class ChangeKind(enum.StrEnum):
    """How one finding changed between two runs."""

    NEW_FAILURE = "new-failure"  # now fail or error; before better, or not reported
    FIXED = "fixed"  # before warn, unknown, fail or error; now pass, skip or info
    STATUS = "status"  # any other change of status
    APPEARED = "appeared"  # not reported before, and not a failure
    DISAPPEARED = "disappeared"  # no longer reported


def change_kind(old: Status | None, new: Status | None) -> ChangeKind:
    """Which kind of change ``old -> new`` is (the two differ)."""
    if new is None:
        return ChangeKind.DISAPPEARED
    if new in _FAILED and (old is None or old not in _FAILED):
        return ChangeKind.NEW_FAILURE
    if old is None:
        return ChangeKind.APPEARED
    if STATUS_RANK[old] > 0 and STATUS_RANK[new] == 0:
        return ChangeKind.FIXED
    return ChangeKind.STATUS


@dataclass(frozen=True)
class FindingChange:
    """One ``(check, resource)`` whose status is not the same in both runs."""

    kind: ChangeKind
    check: str
    resource: str
    title: str
    old: Status | None
    new: Status | None

    @property
    def regression(self) -> bool:
        return is_regression(self.old, self.new)


@dataclass(frozen=True)
class EvidenceChange:
    """A fact behind a finding whose value changed (``S3 bucket versioning: enabled -> suspended``).

    ``old`` is None for a fact only the newer run has, ``new`` for one only the older run had.
    """

    check: str
    resource: str
    label: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class RunSide:
    """One of the two reports compared: the file it came from, when it was made, its verdict."""

    source: str
    generated_at: str
    verdict: str


@dataclass(frozen=True)
class DeploymentDrift:
    """The changes of one deployment (``name`` is empty for a single-deployment report)."""

    name: str
    old_verdict: str | None
    new_verdict: str | None
    old_type: str | None = None
    new_type: str | None = None
    findings: tuple[FindingChange, ...] = ()
    evidence: tuple[EvidenceChange, ...] = ()
    buckets_appeared: tuple[str, ...] = ()
    buckets_disappeared: tuple[str, ...] = ()
    components_appeared: tuple[str, ...] = ()
    components_disappeared: tuple[str, ...] = ()
    errors_appeared: tuple[str, ...] = ()
    errors_disappeared: tuple[str, ...] = ()

    @property
    def regressions(self) -> tuple[FindingChange, ...]:
        return tuple(change for change in self.findings if change.regression)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions or self.errors_appeared)

    @property
    def changed(self) -> bool:
        lists = (
            self.findings,
            self.evidence,
            self.buckets_appeared,
            self.buckets_disappeared,
            self.components_appeared,
            self.components_disappeared,
            self.errors_appeared,
            self.errors_disappeared,
        )
        return any(lists) or self.old_type != self.new_type or self.old_verdict != self.new_verdict

    def of_kind(self, kind: ChangeKind) -> tuple[FindingChange, ...]:
        """The finding changes of one kind, in report order."""
        return tuple(change for change in self.findings if change.kind is kind)


@dataclass(frozen=True)
class Drift:
    """What changed from one report to another; fleets compared deployment by deployment, by name."""

    old: RunSide
    new: RunSide
    fleet: bool
    deployments: tuple[DeploymentDrift, ...]
    deployments_appeared: tuple[str, ...] = ()
    deployments_disappeared: tuple[str, ...] = ()

    @property
    def regressions(self) -> tuple[FindingChange, ...]:
        return tuple(change for d in self.deployments for change in d.regressions)

    @property
    def regression_count(self) -> int:
        """Regressed findings plus new input errors: what ``gcready diff`` exits 3 on."""
        return sum(len(d.regressions) + len(d.errors_appeared) for d in self.deployments)

    @property
    def regressed(self) -> bool:
        return any(d.regressed for d in self.deployments)

    @property
    def changed(self) -> bool:
        return bool(self.deployments_appeared or self.deployments_disappeared) or any(
            d.changed for d in self.deployments
        )

    def of_deployment(self, name: str) -> Drift:
        """The changes of one deployment of a fleet comparison, as a drift of its own (a deployment the
        comparison does not hold had no changes)."""
        own = tuple(d for d in self.deployments if d.name == name)
        old = next((d.old_verdict for d in own), None)
        new = next((d.new_verdict for d in own), None)
        return Drift(
            old=replace(self.old, verdict=old or ""),
            new=replace(self.new, verdict=new or ""),
            fleet=False,
            deployments=own or (DeploymentDrift(name, old, new),),
        )


@dataclass(frozen=True)
class BaselineUse:
    """``--baseline FILE``: the run compared with an accepted report; only regressions gate."""

    source: str
    drift: Drift
    tolerated: int = 0  # fail, error or unknown findings of this run that are not regressions

    @property
    def regressions(self) -> int:
        return self.drift.regression_count


def tolerated_count(report: Report, drift: Drift) -> int:
    """Findings of ``report`` that would fail a run on their own but are no regression against ``drift``."""
    regressed = {(c.check, c.resource) for c in drift.regressions}
    return sum(
        1 for f in report.findings if STATUS_RANK[f.status] >= 2 and (f.check, f.resource) not in regressed
    )


@dataclass(frozen=True)
class RunPoint:
    """One run of a ``--history`` folder, for the trend: its time, verdict and counts."""

    generated_at: str
    verdict: str
    passed: int
    failed: int
    unknown: int
    source: str = ""  # the history file; empty for the run being reported


@dataclass(frozen=True)
class HistoryView:
    """``--history DIR``: the runs kept there (oldest first, this run last) and the changes since the last."""

    folder: str
    runs: tuple[RunPoint, ...]
    previous: str | None = None  # the file of the run before this one, if any
    changes: Drift | None = None
    previous_at: str = ""  # when that run was made


def gate_exit_code(report: Report, *, fail_on_warn: bool = False) -> ExitCode:
    """The exit code of a run: with a baseline, only its regressions count (input errors always do)."""
    if report.baseline is None:
        return report.exit_code(fail_on_warn=fail_on_warn)
    drift = report.baseline.drift
    regressed = {(c.check, c.resource) for c in drift.regressions}
    kept = tuple(f for f in report.findings if (f.check, f.resource) in regressed)
    return replace(report, findings=kept).exit_code(fail_on_warn=fail_on_warn)
