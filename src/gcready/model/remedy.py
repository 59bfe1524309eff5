"""What a finding asks remediation to fix, as data: checks say *what*, :mod:`gcready.remediation` says *how*.

A check attaches one of these to its finding; ``pipeline.analyze`` turns it into the finding's fixes
after every check has run, so checks never import remediation.
"""

from __future__ import annotations

from dataclasses import dataclass

from gcready.model.bucket import Provider
from gcready.model.evidence import BucketRef, Component, Origin

DEFAULT_NONCURRENT_DAYS = 30


@dataclass(frozen=True)
class SetEnv:
    """Set a server variable. ``component`` is where the evidence came from (None: say every way);
    ``own_layer``: write it at the component's own level, where it wins over a global value."""

    var: str
    value: str
    component: Component | None = None
    own_layer: bool = False


@dataclass(frozen=True)
class EnableVersioning:
    """Turn on what "versioning" means for the bucket's provider (Azure: blob soft delete).
    ``declared``: the settings resource that already declares it (wrongly): the fix edits that one."""

    bucket: BucketRef
    declared: Origin | None = None


@dataclass(frozen=True)
class ExpireNoncurrent:
    """A lifecycle rule that frees noncurrent versions (``other_rules``: rules the bucket already has)."""

    bucket: BucketRef
    other_rules: int = 0
    days: int = DEFAULT_NONCURRENT_DAYS


@dataclass(frozen=True)
class DeletePreviousVersions:
    """An Azure lifecycle management policy that deletes previous blob versions."""

    bucket: BucketRef
    days: int = DEFAULT_NONCURRENT_DAYS


@dataclass(frozen=True)
class ClearObjectLock:
    """Stop locking new S3 versions (``mode``: the default retention's, GOVERNANCE or COMPLIANCE)."""

    bucket: BucketRef
    mode: str | None = None


@dataclass(frozen=True)
class DisableMfaDelete:
    """Turn MFA delete off on an S3 bucket (only its owner's root user can)."""

    bucket: BucketRef


@dataclass(frozen=True)
class RemoveGcsRetention:
    """Remove a GCS retention policy; a ``locked`` one stays, so the fix is a new bucket."""

    bucket: BucketRef
    locked: bool = False


@dataclass(frozen=True)
class ShortenGcsSoftDelete:
    """Keep GCS soft delete (W&B's connector asks for it) with a shorter window."""

    bucket: BucketRef
    days: int = 7


@dataclass(frozen=True)
class ClearAzureImmutability:
    """Remove a container's (unlocked) immutability ``policy`` and/or clear its legal ``hold``."""

    bucket: BucketRef
    policy: bool = False
    hold: bool = False


BucketRemedy = (
    EnableVersioning
    | ExpireNoncurrent
    | DeletePreviousVersions
    | ClearObjectLock
    | DisableMfaDelete
    | RemoveGcsRetention
    | ShortenGcsSoftDelete
    | ClearAzureImmutability
)
Remedy = SetEnv | BucketRemedy


@dataclass(frozen=True)
class Example:
    """A remedy on example names for ``gcready explain`` (``first``: how many of its fixes to show)."""

    remedy: Remedy
    first: int | None = None


_HERE = Origin("example")
EXAMPLE_AWS = BucketRef(Provider.AWS, "wandb-artifacts", _HERE, "s3://wandb-artifacts", region="us-east-1")
EXAMPLE_S3_COMPATIBLE = BucketRef(
    Provider.S3_COMPATIBLE,
    "wandb",
    _HERE,
    "s3://minio.example.internal:9000/wandb",
    endpoint="minio.example.internal:9000",
)
EXAMPLE_GCS = BucketRef(Provider.GCP, "wandb-artifacts", _HERE, "gs://wandb-artifacts")
EXAMPLE_AZURE = BucketRef(Provider.AZURE, "wandb", _HERE, "az://wandbstorage/wandb", account="wandbstorage")
EXAMPLE_BUCKETS: tuple[BucketRef, ...] = (EXAMPLE_AWS, EXAMPLE_S3_COMPATIBLE, EXAMPLE_GCS, EXAMPLE_AZURE)
