"""Bucket remedies, one module per provider; :func:`bucket_fixes` picks the provider's."""

from __future__ import annotations

from gcready.model import Provider
from gcready.model.remedy import (
    BucketRemedy,
    ClearAzureImmutability,
    ClearObjectLock,
    DeletePreviousVersions,
    DisableMfaDelete,
    EnableVersioning,
    ExpireNoncurrent,
    RemoveGcsRetention,
    ShortenGcsSoftDelete,
)
from gcready.remediation.bucket import aws, azure, gcs, s3_compatible
from gcready.remediation.bucket.common import BucketFixes

_S3_API = (Provider.S3_COMPATIBLE, Provider.COREWEAVE)


def bucket_fixes(remedy: BucketRemedy) -> BucketFixes:
    """The fixes for one bucket remedy, written for the bucket's provider."""
    provider = remedy.bucket.provider
    match remedy:
        case EnableVersioning(bucket=b, declared=declared):
            if provider is Provider.AWS:
                return aws.versioning(b, declared)
            if provider in _S3_API:
                return s3_compatible.versioning(b, declared)
            if provider is Provider.GCP:
                return gcs.versioning(b)
            return azure.soft_delete(b)
        case ExpireNoncurrent(bucket=b, other_rules=others, days=days):
            if provider is Provider.GCP:
                return gcs.noncurrent_expiry(b, others, days)
            if provider is Provider.AZURE:
                return azure.delete_previous_versions(b, days)
            if provider is Provider.S3_COMPATIBLE:
                return s3_compatible.noncurrent_expiry(b, others, days)
            if provider is Provider.COREWEAVE:  # the S3 API only: no mc, no AWS console
                return aws.lifecycle_command(b, others, days)
            return aws.noncurrent_expiry(b, others, days)
        case DeletePreviousVersions(bucket=b, days=days):
            return azure.delete_previous_versions(b, days)
        case ClearObjectLock(bucket=b, mode=mode):
            if provider is Provider.S3_COMPATIBLE:
                return s3_compatible.object_lock(b, mode)
            return aws.object_lock(b, mode)
        case DisableMfaDelete(bucket=b):
            return aws.mfa_delete(b)
        case RemoveGcsRetention(bucket=b, locked=locked):
            return gcs.retention(b, locked)
        case ShortenGcsSoftDelete(bucket=b, days=days):
            return gcs.soft_delete(b, days)
        case ClearAzureImmutability(bucket=b, policy=policy, hold=hold):
            return azure.immutability(b, policy, hold)


__all__ = ["BucketFixes", "BucketRemedy", "bucket_fixes"]
