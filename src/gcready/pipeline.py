"""One path from inputs to a report: collect evidence, (probe buckets,) detect, check.

``collect`` and ``audit`` share :func:`gather`; ``audit BUNDLE`` is the same analysis on a bundle's
evidence. The CLI only parses options, calls these, renders and writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from gcready import __version__
from gcready.bucketurl import BucketURLError, parse_bucket_url
from gcready.checks import RULES, run_checks
from gcready.checks.buckets import buckets_in
from gcready.detect import detect
from gcready.diagnosis import diagnose
from gcready.model import (
    BucketRef,
    DeploymentType,
    Evidence,
    InputError,
    Origin,
    Outcome,
    Report,
    RequirementView,
    Signal,
    SignalKind,
    SourceKind,
    Waiver,
)
from gcready.model.inventory import inventory_of
from gcready.requirements import Requirements
from gcready.sources import collect as collect_sources
from gcready.sources.envfile import Dialect

if TYPE_CHECKING:
    from gcready.probes.options import ProbeOptions

Progress = Callable[[int, int, str], None]

DIAGNOSE = "diagnose"  # the command whose report ranks the causes of stuck deletes


@dataclass(frozen=True)
class Inputs:
    """What the user asked gcready to look at."""

    paths: tuple[str, ...] = ()
    kinds: Mapping[str, SourceKind] | None = None
    default_kind: SourceKind | None = None
    environ: Mapping[str, str] | None = None
    buckets: tuple[str, ...] = ()  # --bucket URL
    chart: str | None = None  # --chart: render Helm values with this chart
    dialects: Mapping[str, Dialect] | None = None  # --env-file-dialect PATH=DIALECT
    default_dialect: Dialect | None = None  # --env-file-dialect DIALECT
    var_files: tuple[str, ...] = ()  # --var-file FILE: the .tfvars terraform plan is given, in order


def now_iso() -> str:
    """The report time; SOURCE_DATE_EPOCH makes it reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def extra_buckets(urls: Sequence[str]) -> Evidence:
    refs: list[BucketRef] = []
    errors: list[InputError] = []
    for url in urls:
        try:
            refs.append(parse_bucket_url(url, Origin("--bucket")))
        except BucketURLError as exc:
            from gcready.redact import redact_url

            errors.append(InputError(f"--bucket {redact_url(url)}", str(exc)))
    return Evidence(buckets=tuple(refs), errors=tuple(errors))


def gather(inputs: Inputs, *, progress: Progress | None = None) -> Evidence:
    """Evidence from every file, the environment (when asked) and --bucket URLs.

    ``progress(done, total, label)`` follows the long readers (a Terraform tree); a display's failure
    never stops the reading."""
    evidence = collect_sources(
        inputs.paths,
        kinds=inputs.kinds,
        default_kind=inputs.default_kind,
        environ=inputs.environ,
        chart=inputs.chart,
        dialects=inputs.dialects,
        default_dialect=inputs.default_dialect,
        var_files=inputs.var_files,
        progress=progress,
    )
    return evidence.merge(extra_buckets(inputs.buckets))


def analyze(
    evidence: Evidence,
    requirements: Requirements,
    *,
    override: DeploymentType | None = None,
    command: str = "audit",
    offline: bool = True,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
) -> Report:
    """Detect the deployment type and run every check, then apply the waivers: pure, no I/O.

    ``today`` decides which waivers have expired (default: the report's own day, UTC). With
    ``command="diagnose"`` the report also carries the findings ranked as causes of stuck deletes (waived
    findings are not ranked).
    """
    deployment = detect(evidence, override)
    from gcready.remediation import attach  # only an analysis writes fixes (collect never does)

    findings = attach(run_checks(evidence, deployment, requirements))  # fixes once every check has run
    rows = [requirements.row(t) for t in sorted(deployment.candidates, key=_table_order)]
    applicable = tuple(RequirementView(r.deployment, r.label, r.env_var, r.versioning, r.note) for r in rows)
    report = Report(
        tool_version=__version__,
        generated_at=now_iso(),
        command=command,
        offline=offline,
        requirements_version=requirements.version,
        requirements_origin=requirements.origin,
        deployment=deployment,
        applicable=applicable,
        findings=findings,
        inputs=evidence.inputs,
        errors=evidence.errors,
        notes=evidence.notes,
        env_var=requirements.env_var,
        inventory=inventory_of(evidence),
        rules=RULES,
    )
    if waivers:
        from gcready.waivers import apply

        report = apply(report, waivers, today)
    if command == DIAGNOSE:
        report = replace(report, diagnosis=diagnose(report))
    return report


def _table_order(t: DeploymentType) -> int:
    return list(DeploymentType).index(t)


def probe(
    evidence: Evidence,
    options: ProbeOptions,
    environ: Mapping[str, str],
    *,
    concurrency: int = 8,
    progress: Progress | None = None,
) -> Evidence:
    """Evidence plus the live state of every bucket that has no recorded state yet.

    Buckets a bundle already recorded are not probed again: a support engineer auditing a customer's
    bundle has no access to the customer's buckets, and the recorded state is the evidence.
    """
    from gcready.probes import probe_all

    todo = [b for b in buckets_in(evidence) if evidence.state_of(b) is None]
    states = probe_all(todo, options, environ, concurrency=concurrency, progress=progress)
    return replace(evidence, bucket_states=evidence.bucket_states + states)


def declare(evidence: Evidence, deployment: DeploymentType | None) -> Evidence:
    """Evidence that records the deployment type the user stated (``collect --deployment``)."""
    if deployment is None:
        return evidence
    signal = Signal(SignalKind.DECLARED, deployment.value, Origin("collect --deployment"))
    return replace(evidence, signals=(signal, *evidence.signals))


_UNREAD = frozenset({Outcome.DENIED, Outcome.UNREACHABLE, Outcome.TIMEOUT, Outcome.THROTTLED, Outcome.ERROR})


def unread_buckets(evidence: Evidence, *, offline: bool = False) -> tuple[tuple[str, str], ...]:
    """Buckets whose settings the evidence does not hold, each with why: ``(label, reason)``.

    A bucket with no live state (``--offline``, or it could not be probed), one whose access failed, or
    one with a setting that could not be read (denied, unreachable, timed out…) is incomplete evidence:
    a bundle without it cannot prove the bucket side of any requirement. A setting the server does not
    implement (``not-supported``) is a fact about that server, not a failed read.
    """
    unread: list[tuple[str, str]] = []
    for bucket in buckets_in(evidence):
        state = evidence.state_of(bucket)
        if state is None:
            why = "not probed (--offline)" if offline else "no live state was recorded"
            unread.append((bucket.label, why))
            continue
        if not state.access.ok:
            unread.append(
                (bucket.label, f"bucket {state.access.outcome.value}: {state.access.reason}".rstrip(": "))
            )
            continue
        failed = [
            f"{name} {reading.outcome.value}" + (f" ({reading.reason})" if reading.reason else "")
            for name, reading in state.settings
            if reading.outcome in _UNREAD
        ]
        if failed:
            unread.append((bucket.label, "; ".join(failed)))
    return tuple(unread)


@dataclass(frozen=True)
class ProbeRun:
    """How many buckets this run probed live, and how many of those probes failed to read something.

    Run information beyond the report (a :class:`~gcready.report.context.RunContext` item), for the
    metrics: a state a bundle recorded was not probed by this run and is not counted.
    """

    probed: int
    failed: int


def probe_counts(evidence: Evidence) -> ProbeRun:
    """The live probes behind this evidence: every state a probe made (not one read from a bundle),
    and those whose bucket access or some setting could not be read (denied, unreachable, timed out…)."""
    probed = [s for s in evidence.bucket_states if s.origin.source == "probe" and s.origin.via is None]
    failed = [
        s for s in probed if not s.access.ok or any(reading.outcome in _UNREAD for _, reading in s.settings)
    ]
    return ProbeRun(len(probed), len(failed))
