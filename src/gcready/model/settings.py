"""The bucket settings gcready reads, by one closed set of names, and the typed values of those with fixed states.

A probe, a Terraform declaration or a bundle records each setting under its :class:`Setting` name in a
:class:`~gcready.model.evidence.BucketState`; the checks read them back by the same names. Every enum
here is a ``StrEnum``: ``Setting.VERSIONING == "versioning"`` and ``VersioningStatus.ENABLED ==
"enabled"``, so bundles, JSON and code that still spells a name as a string all agree.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class Setting(enum.StrEnum):
    """A bucket setting's name, as states, bundles and the requirements profile write it (each with its value)."""

    VERSIONING = "versioning"  # VersioningStatus (S3, MinIO, GCS object versioning)
    MFA_DELETE = "mfa_delete"  # Toggle (S3 versioning's MFADelete)
    OBJECT_LOCK = "object_lock"  # {"enabled": bool, "mode": ObjectLockMode | None, "days", "years"}
    LIFECYCLE = "lifecycle"  # [rules]: S3 {"id", "enabled", "prefix", "noncurrent_days", ...}; GCS as given
    LOCATION = "location"  # the region / location the provider reports
    SOFT_DELETE = (
        "soft_delete"  # {"enabled": bool, "days": int | None[, "seconds"]}: GCS, Azure blob soft delete
    )
    RETENTION = "retention"  # GCS retention policy {"seconds": int, "locked": bool} | None
    IMMUTABILITY = "immutability"  # Azure container {"immutability_policy": bool, "legal_hold": bool}
    ACCOUNT_KIND = "account_kind"  # Azure storage account kind (StorageV2, BlobStorage…)
    BLOB_VERSIONING = "blob_versioning"  # Azure, management plane: {"enabled": bool}
    CONTAINER_SOFT_DELETE = "container_soft_delete"  # Azure, management plane: {"enabled", "days"}
    MANAGEMENT_POLICY = "management_policy"  # Azure, management plane: {"rules": [...]}


class VersioningStatus(enum.StrEnum):
    """Bucket versioning: never enabled, enabled, or suspended (once enabled, S3 can only suspend it)."""

    ENABLED = "enabled"
    SUSPENDED = "suspended"
    DISABLED = "disabled"

    @classmethod
    def from_s3(cls, status: object) -> VersioningStatus:
        """An S3 ``GetBucketVersioning`` ``Status`` (``Enabled``, ``Suspended``, or None when never set).

        Raises ValueError for any other value: it is not "off", it is an answer gcready cannot read.
        """
        if status is None:
            return cls.DISABLED
        if status == "Enabled" and isinstance(status, str):
            return cls.ENABLED
        if status == "Suspended" and isinstance(status, str):
            return cls.SUSPENDED
        raise ValueError(f"not an S3 versioning status: {str(status)[:40]!r}")


class Toggle(enum.StrEnum):
    """A setting that is on or off (S3 MFA delete)."""

    ENABLED = "enabled"
    DISABLED = "disabled"

    @classmethod
    def of(cls, on: bool) -> Toggle:
        return cls.ENABLED if on else cls.DISABLED

    @classmethod
    def from_s3(cls, value: object) -> Toggle:
        """An S3 ``MfaDelete`` (``Enabled``, ``Disabled``, or None when never set); ValueError otherwise."""
        if value is None or (isinstance(value, str) and value == "Disabled"):
            return cls.DISABLED
        if isinstance(value, str) and value == "Enabled":
            return cls.ENABLED
        raise ValueError(f"not an S3 MFA delete value: {str(value)[:40]!r}")


class ObjectLockMode(enum.StrEnum):
    """An S3 Object Lock default retention mode."""

    GOVERNANCE = "GOVERNANCE"  # an identity with s3:BypassGovernanceRetention may still delete
    COMPLIANCE = "COMPLIANCE"  # no one may, not even the root user


# The values a string-valued setting may hold; any other recorded value is not understood (unknown).
KNOWN_VALUES: Mapping[Setting, frozenset[str]] = {
    Setting.VERSIONING: frozenset(VersioningStatus),
    Setting.MFA_DELETE: frozenset(Toggle),
}

# Azure settings only the management plane shows (read when a subscription and resource group are given).
AZURE_MANAGEMENT_SETTINGS: tuple[Setting, ...] = (
    Setting.BLOB_VERSIONING,
    Setting.CONTAINER_SOFT_DELETE,
    Setting.MANAGEMENT_POLICY,
)
