"""The check catalog: each check is ``CheckContext -> list[Finding]``, pure, registered here in order."""

from __future__ import annotations

from gcready.checks import (
    azure_immutability,
    azure_management_plane,
    bucket_versioning,
    data_retention_period,
    deployment_type,
    gc_env_flag,
    gc_flag_components,
    gcs_retention_policy,
    glue_gc_flag,
    mfa_delete,
    noncurrent_expiry,
    object_lock,
    soft_delete_hold,
    ssc_provider,
)
from gcready.checks.base import Check, CheckContext
from gcready.model import Deployment, Evidence, Finding, Rule
from gcready.requirements import Requirements

CATALOG: tuple[Check, ...] = (
    deployment_type.CHECK,
    gc_env_flag.CHECK,
    bucket_versioning.CHECK,
    ssc_provider.CHECK,
    # why deletes are stuck: settings beyond the requirements table (warn / info, never fail)
    gc_flag_components.CHECK,
    object_lock.CHECK,
    mfa_delete.CHECK,
    noncurrent_expiry.CHECK,
    gcs_retention_policy.CHECK,
    azure_immutability.CHECK,
    azure_management_plane.CHECK,
    soft_delete_hold.CHECK,
    data_retention_period.CHECK,
    glue_gc_flag.CHECK,
)

# What the report carries for the formats: each check's metadata, in catalog order.
RULES: tuple[Rule, ...] = tuple(check.meta for check in CATALOG)


def by_id(check_id: str) -> Check | None:
    for check in CATALOG:
        if check.meta.id == check_id:
            return check
    return None


def run_checks(evidence: Evidence, deployment: Deployment, requirements: Requirements) -> tuple[Finding, ...]:
    """Every check of the catalog, in order, on the same evidence."""
    ctx = CheckContext(evidence, deployment, requirements)
    return tuple(finding for check in CATALOG for finding in check.run(ctx))
