"""How the live probes talk to storage: timeouts, retries and endpoint overrides.

Nothing here imports a cloud SDK, so building options is cheap and safe anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gcready.model import BucketRef


@dataclass(frozen=True)
class BucketOverride:
    """Connection settings for one bucket; a field left ``None`` keeps the run-wide value."""

    endpoint_url: str | None = None
    region: str | None = None
    path_style: bool | None = None
    ca_bundle: str | None = None
    verify_tls: bool | None = None


@dataclass(frozen=True)
class ProbeOptions:
    """Run-wide probe settings.

    ``timeout`` bounds each call from start to finish (connect, request and the whole answer, however
    slowly its bytes come; wall-clock seconds); ``retries`` is how many extra attempts a throttled or 5xx
    call gets, with exponential backoff. Connection failures and timeouts are not retried, so an
    unreachable endpoint costs about one ``timeout``. One bucket's probe as a whole (every call, retry
    and backoff) is cut off after ``timeout × (retries + 1)``; what it had not read by then is a
    ``timeout`` reading.

    ``overrides`` maps a bucket to a :class:`BucketOverride`. A key may be the bucket's label
    (``s3://host:9000/name``, ``az://account/container``), ``account/container`` for Azure, or the bare
    bucket name; the most specific match wins.
    """

    timeout: float = 10.0
    retries: int = 3
    endpoint_url: str | None = None
    region: str | None = None
    path_style: bool | None = None
    ca_bundle: str | None = None
    verify_tls: bool = True
    overrides: tuple[tuple[str, BucketOverride], ...] = ()
    # Azure management plane (blob versioning, container soft delete, lifecycle policies): read only
    # when both are given.
    azure_subscription: str | None = None
    azure_resource_group: str | None = None
    # Readings shared by every bucket of one run (an Azure account's service properties); probe_all
    # gives each run its own, so nothing outlives the run that read it.
    run_cache: dict[tuple[object, ...], Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if self.retries < 0:
            raise ValueError("retries must not be negative")

    def with_override(self, key: str, override: BucketOverride) -> ProbeOptions:
        """A copy with ``override`` applied to the bucket named by ``key`` (replacing an earlier one)."""
        kept = tuple((k, v) for k, v in self.overrides if k != key)
        return replace(self, overrides=(*kept, (key, override)))

    def override_for(self, bucket: BucketRef) -> BucketOverride | None:
        """The override that applies to ``bucket``, if any (label beats account/name beats name)."""
        table = dict(self.overrides)
        keys = [bucket.label]
        if bucket.account:
            keys.append(f"{bucket.account}/{bucket.name}")
        keys.append(bucket.name)
        for key in keys:
            if key in table:
                return table[key]
        return None

    def for_bucket(self, bucket: BucketRef) -> ProbeOptions:
        """The effective options for ``bucket``: run-wide values with its override laid on top."""
        override = self.override_for(bucket)
        if override is None:
            return replace(self, overrides=())
        return replace(
            self,
            endpoint_url=override.endpoint_url if override.endpoint_url is not None else self.endpoint_url,
            region=override.region if override.region is not None else self.region,
            path_style=override.path_style if override.path_style is not None else self.path_style,
            ca_bundle=override.ca_bundle if override.ca_bundle is not None else self.ca_bundle,
            verify_tls=override.verify_tls if override.verify_tls is not None else self.verify_tls,
            overrides=(),
        )

    @property
    def tls_verify(self) -> bool | str:
        """What to hand an SDK's ``verify`` argument: a CA bundle path, or whether to verify at all."""
        if not self.verify_tls:
            return False
        return self.ca_bundle or True
