"""A fleet run: several deployments audited in one run, each with its own report."""

from __future__ import annotations

from dataclasses import dataclass

from gcready.model.drift import gate_exit_code
from gcready.model.findings import ExitCode, Report, Verdict

# Worst first: a bad input hides more than a failure, a failure more than what could not be seen.
EXIT_ORDER: tuple[ExitCode, ...] = (
    ExitCode.INTERNAL,
    ExitCode.INPUT,
    ExitCode.FAIL,
    ExitCode.UNKNOWN,
    ExitCode.WARN,
    ExitCode.OK,
)


@dataclass(frozen=True)
class FleetMember:
    """One deployment of a fleet, by the name the config gives it, and its report."""

    name: str
    report: Report


@dataclass(frozen=True)
class Fleet:
    """Every deployment's report, in the config's order."""

    members: tuple[FleetMember, ...]
    tool_version: str
    generated_at: str

    def verdict(self) -> Verdict:
        """The worst verdict of the deployments (error, fail, unknown or pass)."""
        return Verdict.worst(m.report.verdict() for m in self.members)

    def exit_code(self, fail_on_warn: bool = False) -> ExitCode:
        """The worst exit code of the deployments (with a baseline, each one's gate code)."""
        codes = [gate_exit_code(m.report, fail_on_warn=fail_on_warn) for m in self.members]
        return min(codes, key=EXIT_ORDER.index) if codes else ExitCode.OK

    def verdicts(self) -> dict[str, str]:
        """Each deployment's verdict, by name."""
        return {m.name: m.report.verdict() for m in self.members}
