"""The buckets a deployment stores artifacts in: configured ones and any a bundle recorded a state for."""

from __future__ import annotations

from gcready.model import BucketRef, Evidence


def buckets_in(evidence: Evidence) -> tuple[BucketRef, ...]:
    """Each bucket once (see :meth:`Evidence.all_buckets`); the name the checks use."""
    return evidence.all_buckets()
