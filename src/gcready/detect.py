"""Which deployment type the evidence describes.

Each signal narrows the set of possible types. Signals are applied strongest first; one that would
leave no type at all is a conflict: reported, and ignored. ``--deployment`` overrides the result (and
a disagreement with the evidence is reported too).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

from gcready.model import (
    ALL_DEPLOYMENT_TYPES,
    BucketRef,
    DecidedBy,
    Deployment,
    DeploymentType,
    Evidence,
    Fact,
    Origin,
    Provider,
    Signal,
    SignalKind,
)

D = DeploymentType
SHARED = frozenset({D.SHARED_CLOUD, D.SHARED_CLOUD_SSC})
DEDICATED = frozenset({D.DEDICATED_CLOUD, D.DEDICATED_CLOUD_SSC})
SSC = frozenset({D.SHARED_CLOUD_SSC, D.DEDICATED_CLOUD_SSC})
CUSTOMER_MANAGED = frozenset({D.CUSTOMER_MANAGED_CLOUD, D.CUSTOMER_MANAGED_ONPREM})
CLOUD_BUCKET = SSC | {D.CUSTOMER_MANAGED_CLOUD}
ONPREM_BUCKET = SSC | {D.CUSTOMER_MANAGED_ONPREM}
SHARED_HOSTS = frozenset({"api.wandb.ai", "wandb.ai", "app.wandb.ai"})
CLOUD_PROVIDERS = frozenset({"aws", "gcp", "azure", "google", "gcs", "coreweave", "cw"})

# Strongest first.
_ORDER = (
    SignalKind.DECLARED,
    SignalKind.SERVER_CONFIG,
    "bucket",
    SignalKind.CLOUD_PROVIDER,
    SignalKind.ONPREM_FLAG,
    SignalKind.BASE_URL,
)


def implied_by_base_url(url: str) -> tuple[frozenset[DeploymentType], str]:
    try:
        host = (urlparse(url if "://" in url else f"https://{url}").hostname or "").lower()
    except ValueError:  # not a URL (an unclosed "[" IPv6 host): no shared or dedicated address
        host = ""
    if host in SHARED_HOSTS:
        return SHARED, "W&B's shared cloud address"
    if host.endswith(".wandb.io"):
        return DEDICATED, "a Dedicated Cloud address (*.wandb.io)"
    return (
        DEDICATED | CUSTOMER_MANAGED,
        "an address of the customer's own (self-managed, or Dedicated Cloud on a custom domain)",
    )


def implied_by_bucket(bucket: BucketRef) -> tuple[frozenset[DeploymentType], str]:
    if bucket.provider is Provider.S3_COMPATIBLE:
        return ONPREM_BUCKET, f"an S3-compatible store at {bucket.endpoint} (on the customer's own hardware)"
    names = {
        "aws": "an AWS S3",
        "gcp": "a Google Cloud Storage",
        "azure": "an Azure Blob",
        "coreweave": "a CoreWeave",
    }
    return CLOUD_BUCKET, f"{names.get(bucket.provider.value, 'a cloud')} bucket"


def _implied(signal: Signal) -> tuple[frozenset[DeploymentType], str]:
    if signal.kind is SignalKind.DECLARED:
        try:
            return frozenset({DeploymentType(signal.value)}), "stated in the bundle"
        except ValueError:
            return ALL_DEPLOYMENT_TYPES, f"unknown type {signal.value!r} (ignored)"
    if signal.kind is SignalKind.SERVER_CONFIG:
        return CUSTOMER_MANAGED, "a self-managed W&B server's configuration"
    if signal.kind is SignalKind.ONPREM_FLAG:
        return CUSTOMER_MANAGED, "set on self-managed W&B servers"
    if signal.kind is SignalKind.CLOUD_PROVIDER:
        if signal.value.lower() in CLOUD_PROVIDERS:
            return frozenset({D.CUSTOMER_MANAGED_CLOUD}), f"a self-managed install on {signal.value}"
        return ALL_DEPLOYMENT_TYPES, f"cloud provider {signal.value!r} not recognised (ignored)"
    return implied_by_base_url(signal.value)


def _describe(types: Iterable[DeploymentType]) -> str:
    return ", ".join(sorted(t.value for t in types))


def detect(evidence: Evidence, override: DeploymentType | None = None) -> Deployment:
    """The deployment type, the candidates still possible, the facts behind it and any conflicts."""
    steps: list[tuple[int, frozenset[DeploymentType], Fact]] = []
    for signal in evidence.signals:
        implied, why = _implied(signal)
        steps.append(
            (
                _ORDER.index(signal.kind),
                implied,
                Fact(f"{signal.kind.value}: {why}", signal.value, signal.origin),
            )
        )
    buckets = _all_buckets(evidence)
    for bucket in buckets:
        implied, why = implied_by_bucket(bucket)
        steps.append((_ORDER.index("bucket"), implied, Fact(f"bucket: {why}", bucket.display, bucket.origin)))
    steps.sort(key=lambda step: step[0])

    candidates = ALL_DEPLOYMENT_TYPES
    facts: list[Fact] = []
    conflicts: list[str] = []
    for _, implied, fact in steps:
        narrowed = candidates & implied
        if not narrowed:
            where = f" ({fact.origin})" if fact.origin else ""
            conflicts.append(
                f"{fact.label} — {fact.value}{where} points to {_describe(implied)}, "
                f"but stronger evidence says {_describe(candidates)}; ignored"
            )
            continue
        candidates = narrowed
        facts.append(fact)
    # With no bucket of the customer's in sight, a shared or dedicated instance is the plain variant.
    if not buckets and len(candidates) == 2 and candidates & SSC and not candidates & CUSTOMER_MANAGED:
        candidates = candidates - SSC
        facts.append(Fact("no customer bucket among the inputs", "assuming no secure storage connector"))

    if override is not None:
        if facts and override not in candidates:
            conflicts.append(
                f"--deployment {override.value} disagrees with the evidence ({_describe(candidates)}); "
                "the stated type is used"
            )
        facts.append(Fact("stated with --deployment", override.value, Origin("command line")))
        return Deployment(override, frozenset({override}), DecidedBy.OVERRIDE, tuple(facts), tuple(conflicts))
    if len(candidates) == 1:
        (only,) = candidates
        return Deployment(only, candidates, DecidedBy.EVIDENCE, tuple(facts), tuple(conflicts))
    return Deployment(None, candidates, DecidedBy.UNDECIDED, tuple(facts), tuple(conflicts))


def _all_buckets(evidence: Evidence) -> tuple[BucketRef, ...]:
    return evidence.all_buckets()
