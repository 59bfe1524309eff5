"""Read-only live probes: ask a bucket's provider what its GC-relevant settings really are.

Importing this package is cheap: each provider SDK is imported only when a bucket of that provider is
probed. A probe never raises for one bucket's failure; it returns a :class:`BucketState` whose readings
say what happened (``denied``, ``not-found``, ``timeout``…), and only a setting actually read is ``ok``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from gcready.model import BucketRef, BucketState, Outcome, Provider
from gcready.probes._common import StateBuilder, failed, scrub
from gcready.probes.options import BucketOverride, ProbeOptions

ProgressCallback = Callable[[int, int, str], None]

__all__ = ["BucketOverride", "ProbeOptions", "ProgressCallback", "probe_all", "probe_bucket"]


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
            Outcome.ERROR, f"probe failed: {type(exc).__name__}: {scrub(str(exc), secrets)}"
        )
        return builder.build()


def probe_all(
    buckets: Iterable[BucketRef],
    options: ProbeOptions,
    environ: Mapping[str, str],
    concurrency: int = 8,
    progress: ProgressCallback | None = None,
) -> tuple[BucketState, ...]:
    """Probe every bucket, at most ``concurrency`` at a time; results come back in the input order.

    One bucket's failure (even an unexpected exception) becomes that bucket's state and never stops the
    others. ``progress(done, total, label)`` is called once per finished bucket, from worker threads but
    never concurrently.
    """
    todo = list(buckets)
    total = len(todo)
    options = replace(options, run_cache={})
    if total == 0:
        return ()
    results: list[BucketState | None] = [None] * total
    lock = threading.Lock()
    done = 0

    def run(index: int) -> None:
        nonlocal done
        state = _safe_probe(todo[index], options, environ)
        results[index] = state
        with lock:
            done += 1
            if progress is not None:
                # a broken progress display must not lose results
                with contextlib.suppress(Exception):
                    progress(done, total, todo[index].label)

    workers = max(1, min(concurrency, total))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gcready-probe") as pool:
        for future in [pool.submit(run, i) for i in range(total)]:
            future.result()
    return tuple(state for state in results if state is not None)
