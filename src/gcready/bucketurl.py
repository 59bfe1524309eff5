"""Bucket references from every form W&B accepts: bucket URLs and Helm ``global.bucket`` settings.

URL forms (DOMAIN.md): ``s3://bucket[/path]``; ``s3://KEY:SECRET@endpoint/bucket?region=R&tls=true``;
``gs://bucket[/path]``; ``gs://sa-email:urlencoded-key@bucket``; ``az://account/container[/path]``;
``az://:key@account/container``; ``cw://KEY:SECRET@cwobject.com/bucket?tls=true``. Credentials are
remembered by the run's redactor, kept in memory as :class:`~gcready.redact.Secret` values for probes,
and never shown.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from gcready.model import BucketRef, Origin, Provider, is_aws_host
from gcready.redact import MASK, Secret, current, redact_url, split_userinfo

BUCKET_ENV_VARS = ("BUCKET", "GORILLA_FILE_STORE", "GORILLA_STORAGE_BUCKET")
LIST_ENV_VARS = ("GORILLA_SUPPORTED_FILE_STORES",)
_UNRESOLVED = re.compile(r"\$\(([A-Z0-9_]+)\)|\{\{")


class BucketURLError(ValueError):
    """A value that should be a bucket URL but is not one gcready can read."""


def looks_like_host(text: str) -> bool:
    """Whether a name is an endpoint (host[:port]) rather than a bucket name."""
    host, _, port = text.partition(":")
    if port:
        return True
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    # a bucket name may contain dots, but an endpoint almost always has a TLD-like or cluster suffix
    return bool(re.search(r"\.(svc|local|internal|lan|cluster|com|net|org|io|cloud|corp|ai)$", host))


def _region_from_aws_host(host: str) -> str | None:
    match = re.search(r"s3[.-]([a-z]{2}-[a-z-]+-\d)\.amazonaws\.com", host)
    return match.group(1) if match else None


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None, str]:
    """``(scheme, (user, secret) as written or None, rest)`` of a bucket URL, by the providers' rules.

    The userinfo ends at the LAST ``@`` before the host: a secret may hold ``/ + = @ : % ? #`` (about half
    of AWS secret keys have a ``/``; Azure keys are base64). The user part (access key id, service account
    email, empty for Azure) ends at the first ``:``; the secret is everything after it. Every credential is
    remembered by the run's redactor before anything else is read, so no error can show it.
    """
    scheme, userinfo, rest = split_userinfo(url)
    if not scheme and "@" in url:  # the scheme forgotten: still keys before the last @
        for part in url.rpartition("@")[0].partition(":")[::2]:
            current().remember(part)
    if userinfo is None:
        return scheme, None, rest
    user, _, secret = userinfo.partition(":")
    redactor = current()
    if scheme.lower() not in ("gs", "gcs"):
        redactor.remember(user)  # an access key id: a key, not a user name
    redactor.remember(secret)
    return scheme, (user, secret), rest


def parse_bucket_url(url: str, origin: Origin) -> BucketRef:
    """One bucket reference from a W&B bucket URL. Raises BucketURLError when it is not one.

    URL-encoded keys (``%2F``) are decoded for the probe, as W&B's server decodes them.
    """
    url = url.strip()
    scheme, written, rest = split_credentials(url)
    if _UNRESOLVED.search(url):
        raise BucketURLError(
            "holds an unresolved reference (e.g. $(BUCKET_NAME)); its value is not among the inputs"
        )
    if scheme and written is not None and not rest:  # s3://KEY:SECRET@ (an empty $(BUCKET_NAME))
        raise BucketURLError("has keys but no endpoint or bucket after them (an empty bucket name?)")
    if not scheme or not rest:
        raise BucketURLError("not a bucket URL (expected s3://, gs://, az:// or cw://)")
    scheme = scheme.lower()
    body, _, query_text = rest.partition("?")
    query = {k.lower(): v[-1] for k, v in parse_qs(query_text).items()}
    netloc, _, path = body.partition("/")
    creds: tuple[Secret, Secret] | None = None
    if written is not None:
        creds = (Secret(unquote(written[0])), Secret(unquote(written[1])))
    try:  # every later reader (fixes, probes) splits this host as a URL: refuse what cannot be split
        urlsplit(f"https://{netloc}")
    except ValueError as exc:
        raise BucketURLError(f"not a valid host or bucket name ({exc})") from None
    display = redact_url(url)
    region = query.get("region") or None
    tls = {"true": True, "false": False}.get(query.get("tls", "").lower())
    path = path.strip("/")

    def ref(
        provider: Provider,
        name: str,
        prefix: str,
        *,
        endpoint: str | None = None,
        account: str | None = None,
        located: bool = True,
    ) -> BucketRef:
        # ``located``: the URL's region and tls apply (the S3 family's); GCS and Azure ignore them
        return BucketRef(
            provider=provider,
            name=name,
            origin=origin,
            display=display,
            account=account,
            path=prefix or None,
            endpoint=endpoint,
            region=(region or (_region_from_aws_host(endpoint) if endpoint else None)) if located else None,
            tls=tls if located else None,
            had_credentials=creds is not None,
            credentials=creds,
        )

    if scheme == "s3":
        if (creds is not None and looks_like_host(netloc)) or ":" in netloc or "tls" in query:
            # endpoint form: s3://KEY:SECRET@endpoint/bucket[/path]
            bucket, _, prefix = path.partition("/")
            if not bucket:
                raise BucketURLError(f"names the endpoint {netloc} but no bucket after it")
            aws = is_aws_host(netloc)
            return ref(Provider.AWS if aws else Provider.S3_COMPATIBLE, bucket, prefix, endpoint=netloc)
        if not netloc:
            raise BucketURLError("no bucket name after s3://")
        return ref(Provider.AWS, netloc, path)
    if scheme in ("gs", "gcs"):
        if not netloc:
            raise BucketURLError("no bucket name after gs://")
        return ref(Provider.GCP, netloc, path, located=False)
    if scheme == "az":
        container, _, prefix = path.partition("/")
        if not netloc or not container:
            raise BucketURLError("expected az://<storage account>/<container>")
        return ref(Provider.AZURE, container, prefix, account=netloc, located=False)
    if scheme == "cw":
        if looks_like_host(netloc):
            bucket, _, prefix = path.partition("/")
            endpoint: str | None = netloc
        else:
            bucket, prefix, endpoint = netloc, path, None
        if not bucket:
            raise BucketURLError("no bucket name in the cw:// URL")
        return ref(Provider.COREWEAVE, bucket, prefix, endpoint=endpoint)
    raise BucketURLError(f"unknown bucket URL scheme {scheme}:// (expected s3, gs, az or cw)")


def parse_helm_bucket(settings: Mapping[str, object], origin: Origin) -> BucketRef | None:
    """The bucket the operator chart builds from ``global.bucket`` (or ``global.defaultBucket``).

    For S3-compatible stores ``name`` is the endpoint and ``path`` the bucket; for Azure ``name`` is the
    storage account and ``path`` the container. Returns None when no bucket name is set.
    """
    provider = str(settings.get("provider") or "s3").lower()
    name = settings.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    name = name.strip()
    path = str(settings.get("path") or "").strip("/")
    region = str(settings.get("region") or "") or None
    access = settings.get("accessKey")
    secret = settings.get("secretKey")
    creds: tuple[Secret, Secret] | None = None
    for key in (access, secret):
        if isinstance(key, str):
            current().remember(key)
    if isinstance(access, str) and access and isinstance(secret, str) and secret:
        creds = (Secret(access), Secret(secret))
    elif provider in ("az", "azure") and isinstance(access, str) and access:
        creds = (Secret(""), Secret(access))  # the chart passes the storage account key as accessKey
    # the parts each provider reads from the settings, then one reference built from them
    bucket, prefix = name, path
    account: str | None = None
    endpoint: str | None = None
    userinfo = f"{MASK}@" if creds is not None else ""  # shown masked, never the keys
    if provider == "s3":
        scheme, kind = "s3", Provider.AWS
        if looks_like_host(name) and path:
            bucket, _, prefix = path.partition("/")
            aws = is_aws_host(name)
            kind = Provider.AWS if aws else Provider.S3_COMPATIBLE
            endpoint, region = name, region or (_region_from_aws_host(name) if aws else None)
    elif provider in ("gcs", "gs"):
        # GCS takes no keys from global.bucket: none are shown or carried
        scheme, kind, userinfo, region, creds = "gs", Provider.GCP, "", None, None
    elif provider in ("az", "azure"):
        bucket, _, prefix = path.partition("/")
        if not bucket:
            return None
        scheme, kind, userinfo, account, region = "az", Provider.AZURE, "", name, None
    elif provider == "cw":
        scheme, kind, prefix = "cw", Provider.COREWEAVE, ""
        if looks_like_host(name) and path:
            endpoint, bucket = name, path.partition("/")[0]
    else:
        raise BucketURLError(f"unknown global.bucket.provider {provider!r} (expected s3, gcs, az or cw)")
    return BucketRef(
        provider=kind,
        name=bucket,
        origin=origin,
        display=f"{scheme}://{userinfo}{name}" + (f"/{path}" if path else ""),
        account=account,
        path=prefix or None,
        endpoint=endpoint,
        region=region,
        had_credentials=creds is not None,
        credentials=creds,
    )
