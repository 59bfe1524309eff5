"""Who serves a bucket, and how gcready names it and reaches it: one table of the storage providers.

The table holds what is fixed per provider: the URL scheme W&B writes for its buckets, the endpoint an
SDK talks to when none is given, and the words a report uses for it. :func:`bucket_label` is how every
report, check and probe names a bucket; :func:`endpoint_url`, :func:`public_endpoint` and
:func:`host_port` are how probes build and show the endpoint they ask.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


class Provider(enum.StrEnum):
    """Who serves a bucket. ``s3-compatible`` is MinIO, SeaweedFS, Ceph… on the customer's hardware."""

    AWS = "aws"
    GCP = "gcp"
    AZURE = "azure"
    S3_COMPATIBLE = "s3-compatible"
    COREWEAVE = "coreweave"


@dataclass(frozen=True)
class ProviderInfo:
    """What is fixed for one provider.

    ``default_endpoint`` is None for an S3-compatible store (it has no public endpoint); Azure's names
    the storage account (``{account}``).
    """

    provider: Provider
    scheme: str  # the scheme of W&B's bucket URLs: s3://, gs://, az://, cw://
    default_endpoint: str | None
    words: str  # how a person names the service


PROVIDERS: Mapping[Provider, ProviderInfo] = {
    info.provider: info
    for info in (
        ProviderInfo(Provider.AWS, "s3", "https://s3.amazonaws.com", "AWS S3"),
        ProviderInfo(Provider.S3_COMPATIBLE, "s3", None, "S3-compatible (MinIO…)"),
        ProviderInfo(Provider.COREWEAVE, "cw", "https://cwobject.com", "CoreWeave"),
        ProviderInfo(Provider.GCP, "gs", "https://storage.googleapis.com", "GCS"),
        ProviderInfo(Provider.AZURE, "az", "https://{account}.blob.core.windows.net", "Azure Blob"),
    )
}


def bucket_label(
    provider: Provider, name: str, *, account: str | None = None, endpoint: str | None = None
) -> str:
    """How reports name a bucket: ``scheme://[endpoint/]name`` (``az://account/container``), no path, no keys.

    ``endpoint`` may be ``host[:port]`` or a URL (a probe records ``http://host:port``): only its host and
    port are shown.
    """
    info = PROVIDERS[provider]
    if provider is Provider.AZURE:
        return f"{info.scheme}://{account}/{name}"
    where = f"{_strip_scheme(endpoint)}/" if endpoint else ""
    return f"{info.scheme}://{where}{name}"


def provider_words(providers: Iterable[Provider]) -> str:
    """``AWS S3 / GCS`` for the providers given, in the enum's order."""
    given = set(providers)
    return " / ".join(PROVIDERS[p].words for p in Provider if p in given)


def default_endpoint(provider: Provider, account: str | None = None) -> str | None:
    """The endpoint URL an SDK uses for this provider when none is given (None for S3-compatible)."""
    template = PROVIDERS[provider].default_endpoint
    return template.format(account=account or "") if template else None


def endpoint_url(
    provider: Provider, endpoint: str | None = None, *, tls: bool | None = None, account: str | None = None
) -> str | None:
    """The URL to reach a bucket at: its own ``host[:port]`` (``http`` when ``tls`` is False), else the default."""
    if endpoint:
        scheme = "http" if tls is False else "https"
        return f"{scheme}://{_strip_scheme(endpoint)}"
    return default_endpoint(provider, account)


def endpoint_host(endpoint: str | None) -> str:
    """``host[:port]`` of an endpoint written either way (``http://h:9000/`` or ``h:9000``), lower-cased."""
    return _strip_scheme(endpoint).lower() if endpoint else ""


def is_aws_host(endpoint: str) -> bool:
    """Whether an endpoint (``host[:port]`` or a URL) is AWS's own S3 (``*.amazonaws.com``, China too)."""
    host = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}").hostname or ""
    return host == "amazonaws.com" or host.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def host_port(url: str) -> str:
    """``host:port`` of an endpoint URL (default port filled in), never its userinfo or path."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = parts.hostname or "?"
    port = _port(url)
    if port is None:
        port = 80 if parts.scheme == "http" else 443
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}"


def public_endpoint(url: str) -> str:
    """An endpoint URL safe to show: scheme, host, port and path; no userinfo, query or fragment."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = _port(url)
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _port(url: str) -> int | None:
    try:
        return urlsplit(url if "://" in url else f"https://{url}").port
    except ValueError:  # a port that is not a number: shown as the scheme's default
        return None


def _strip_scheme(endpoint: str) -> str:
    return endpoint.split("://", 1)[-1].rstrip("/")
