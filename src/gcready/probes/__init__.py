"""Read-only live probes: ask a bucket's provider what its GC-relevant settings really are.

Importing this package is cheap: each provider SDK is imported only when a bucket of that provider is
probed. A probe never raises for one bucket's failure; it returns a :class:`BucketState` whose readings
say what happened (``denied``, ``not-found``, ``timeout``…), and only a setting actually read is ``ok``.
Only an answer of the provider's documented shape is read as a setting (``answers``), and no endpoint
can hold a probe past its deadlines (``deadline``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import partial

from gcready.model import BucketRef, BucketState, Outcome, Provider
from gcready.probes.deadline import bucket_deadline, run_bounded
from gcready.probes.errors import scrubbed
from gcready.probes.options import BucketOverride, ProbeOptions
from gcready.probes.state import StateBuilder, failed

ProgressCallback = Callable[[int, int, str], None]

__all__ = [
    "BucketOverride",
    "ProbeOptions",
    "ProgressCallback",
    "abandon_after",
    "probe_all",
    "probe_bucket",
]


def probe_bucket(bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]) -> BucketState:
    """Probe one bucket with the SDK of its provider (per-bucket overrides in ``options`` applied).

    AWS and CoreWeave go through boto3, S3-compatible stores through the minio SDK, GCS through
    google-cloud-storage and Azure through azure-storage-blob. ``environ`` supplies credentials and
    endpoints (``AWS_*``, ``STORAGE_EMULATOR_HOST``, ``AZURE_STORAGE_*``…) instead of ``os.environ``.
    """
    effective = options.for_bucket(bucket)
    if bucket.provider in (Provider.AWS, Provider.COREWEAVE):
        from gcready.probes.s3 import probe_s3

        return probe_s3(bucket, effective, environ)
    if bucket.provider is Provider.S3_COMPATIBLE:
        from gcready.probes.minio import probe_minio

        return probe_minio(bucket, effective, environ)
    if bucket.provider is Provider.GCP:
        from gcready.probes.gcs import probe_gcs

        return probe_gcs(bucket, effective, environ)
    if bucket.provider is Provider.AZURE:
        from gcready.probes.azure import probe_azure

        return probe_azure(bucket, effective, environ)
    builder = StateBuilder(bucket, "(none)")  # pragma: no cover - every provider is handled above
    builder.access = failed(Outcome.NOT_SUPPORTED, f"no probe for provider {bucket.provider.value}")
    return builder.build()


def _safe_probe(bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]) -> BucketState:
    try:
        return probe_bucket(bucket, options, environ)
    except Exception as exc:  # a bug or an SDK surprise must not sink the other buckets
        secrets = [c.reveal() for c in bucket.credentials or ()]
        builder = StateBuilder(bucket, options.for_bucket(bucket).endpoint_url or "(provider default)")
        builder.access = failed(
            Outcome.ERROR, f"probe failed: {type(exc).__name__}: {scrubbed(str(exc), secrets)}"
        )
        return builder.build()


def _abandoned(bucket: BucketRef, options: ProbeOptions, limit: float) -> BucketState:
    """The state of a bucket whose probe was still running ``limit`` seconds after it started."""
    effective = options.for_bucket(bucket)
    builder = StateBuilder(bucket, effective.endpoint_url or "(provider default)")
    builder.access = failed(
        Outcome.TIMEOUT,
        f"the probe gave no result within {limit:g} s (--timeout {effective.timeout:g} s × "
        f"{effective.retries + 1} attempts, plus start-up) and was abandoned",
    )
    return builder.build()


def abandon_after(options: ProbeOptions) -> float:
    """Seconds after which a bucket's probe is abandoned whatever it is doing.

    Each probe keeps to ``timeout × (retries + 1)`` from its first call on its own; this outer limit adds
    ``timeout`` + 5 s for importing the SDK and building the client, and catches what no call deadline
    covers (a credential chain that hangs, say).
    """
    return bucket_deadline(options.timeout, options.retries) + options.timeout + 5.0


def probe_all(
    buckets: Iterable[BucketRef],
    options: ProbeOptions,
    environ: Mapping[str, str],
    concurrency: int = 8,
    progress: ProgressCallback | None = None,
) -> tuple[BucketState, ...]:
    """Probe every bucket, at most ``concurrency`` at a time; results come back in the input order.

    One bucket's failure (an unexpected exception, a stalled or dripping endpoint) becomes that bucket's
    state and never stops the others: each call has a wall-clock deadline of ``timeout``, each bucket
    ``timeout × (retries + 1)``, and a probe still running after :func:`abandon_after` is abandoned
    (its thread is a daemon and never holds up the process). ``progress(done, total, label)`` is called
    once per finished bucket, never concurrently.
    """
    todo = list(buckets)
    total = len(todo)
    options = replace(options, run_cache={})
    if total == 0:
        return ()
    limit = abandon_after(options)
    count = 0

    def finished(index: int, _state: BucketState) -> None:
        nonlocal count
        count += 1
        if progress is not None:
            # a broken progress display must not lose results
            with contextlib.suppress(Exception):
                progress(count, total, todo[index].label)

    jobs = [partial(_safe_probe, bucket, options, environ) for bucket in todo]
    states = run_bounded(
        jobs,
        workers=max(1, min(concurrency, total)),
        limit=limit,
        overdue=lambda index: _abandoned(todo[index], options, limit),
        done=finished,
    )
    return tuple(states)
