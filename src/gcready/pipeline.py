"""One path from inputs to a report: collect evidence, (probe buckets,) detect, check.

``collect`` and ``audit`` share :func:`gather`; ``audit BUNDLE`` is the same analysis on a bundle's
evidence. The CLI only parses options, calls these, renders and writes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from gcready import __version__
from gcready.bucketurl import BucketURLError, parse_bucket_url
from gcready.checks import run_checks
from gcready.detect import detect
from gcready.model import (
    BucketRef,
    DeploymentType,
    Evidence,
    InputError,
    Origin,
    Report,
    RequirementView,
    SourceKind,
)
from gcready.requirements import Requirements
from gcready.sources import collect as collect_sources

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Inputs:
    """What the user asked gcready to look at."""

    paths: tuple[str, ...] = ()
    kinds: Mapping[str, SourceKind] | None = None
    default_kind: SourceKind | None = None
    environ: Mapping[str, str] | None = None
    buckets: tuple[str, ...] = ()  # --bucket URL


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


def gather(inputs: Inputs) -> Evidence:
    """Evidence from every file, the environment (when asked) and --bucket URLs."""
    evidence = collect_sources(
        inputs.paths, kinds=inputs.kinds, default_kind=inputs.default_kind, environ=inputs.environ
    )
    return evidence.merge(extra_buckets(inputs.buckets))


def analyze(
    evidence: Evidence,
    requirements: Requirements,
    *,
    override: DeploymentType | None = None,
    command: str = "audit",
    offline: bool = True,
) -> Report:
    """Detect the deployment type and run every check: pure, no I/O."""
    deployment = detect(evidence, override)
    findings = run_checks(evidence, deployment, requirements)
    rows = [requirements.row(t) for t in sorted(deployment.candidates, key=_table_order)]
    applicable = tuple(RequirementView(r.deployment, r.label, r.env_var, r.versioning, r.note) for r in rows)
    return Report(
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
    )


def _table_order(t: DeploymentType) -> int:
    return list(DeploymentType).index(t)


def with_live_states(evidence: Evidence, states: Sequence[object]) -> Evidence:
    """Evidence with freshly probed bucket states appended (newest state wins when checks read it)."""
    from gcready.model import BucketState

    return replace(
        evidence,
        bucket_states=evidence.bucket_states + tuple(s for s in states if isinstance(s, BucketState)),
    )


def elapsed(start: float) -> float:
    return time.monotonic() - start
