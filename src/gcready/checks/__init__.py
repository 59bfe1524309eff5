"""The check catalog: each check is ``CheckContext -> list[Finding]``, pure, registered here in order."""

from __future__ import annotations

from gcready.checks import bucket_versioning, deployment_type, gc_env_flag, ssc_provider
from gcready.checks.base import Check, CheckContext
from gcready.model import Deployment, Evidence, Finding
from gcready.requirements import Requirements

CATALOG: tuple[Check, ...] = (
    deployment_type.CHECK,
    gc_env_flag.CHECK,
    bucket_versioning.CHECK,
    ssc_provider.CHECK,
)


def by_id(check_id: str) -> Check | None:
    for check in CATALOG:
        if check.meta.id == check_id:
            return check
    return None


def run_checks(evidence: Evidence, deployment: Deployment, requirements: Requirements) -> tuple[Finding, ...]:
    """Every check of the catalog, in order, on the same evidence."""
    ctx = CheckContext(evidence, deployment, requirements)
    return tuple(finding for check in CATALOG for finding in check.run(ctx))
