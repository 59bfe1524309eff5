"""Is a successful answer really the provider's? Checks of status, content type and body shape.

An endpoint that is not the storage service (a captive portal, a proxy's error page, a misrouted load
balancer) can answer ``200`` with an HTML page or an empty body. SDKs parse such answers into empty
settings (boto3 turns an empty 200 into ``{}``, which reads as "versioning off, no object lock"), so
every successful answer a verdict may rest on is checked here first; one that is not the documented
shape becomes an :class:`InvalidAnswer` (an ``error`` reading, so the verdict is ``unknown``), never a
setting. The functions are pure: each SDK path hands them what it saw on the wire.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping

# The root element each S3 read may answer with (namespace ignored). AWS and SeaweedFS answer
# GetBucketVersioning with <VersioningConfiguration> (no <Status> on a never-versioned bucket); moto
# with <GetBucketVersioningResponse>. SeaweedFS wraps the location in <CreateBucketConfiguration>.
S3_ROOTS: Mapping[str, frozenset[str]] = {
    "GetBucketVersioning": frozenset({"VersioningConfiguration", "GetBucketVersioningResponse"}),
    "GetObjectLockConfiguration": frozenset({"ObjectLockConfiguration"}),
    "GetBucketLifecycleConfiguration": frozenset({"LifecycleConfiguration"}),
    "GetBucketLifecycle": frozenset({"LifecycleConfiguration"}),
    "GetBucketLocation": frozenset({"LocationConstraint", "CreateBucketConfiguration"}),
}
# The sub-resource query word of each S3 read, for SDKs that only show the URL (minio).
S3_QUERY_OPERATIONS: Mapping[str, str] = {
    "versioning": "GetBucketVersioning",
    "object-lock": "GetObjectLockConfiguration",
    "lifecycle": "GetBucketLifecycleConfiguration",
    "location": "GetBucketLocation",
}
_XML_TYPES = frozenset({"application/xml", "text/xml"})
# Some S3-compatible servers and proxies label XML as a generic byte stream.
_OPAQUE_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
_AZURE_SERVICE_ROOT = "StorageServiceProperties"


class InvalidAnswer(Exception):
    """A successful status whose answer is not the provider's documented shape."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def media_type(content_type: str | None) -> str:
    """``text/html`` from ``text/html; charset=utf-8``; empty when there is none."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_xml_type(kind: str) -> bool:
    return kind in _XML_TYPES or kind.endswith("+xml")


def _looks_html(body: bytes) -> bool:
    head = body.lstrip()[:200].lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def describe_body(body: bytes, content_type: str | None) -> str:
    """A short, content-free description of a body (never its text: it could carry anything)."""
    kind = media_type(content_type)
    shown = f" ({kind})" if kind else ""
    if not body.strip():
        return f"an empty body{shown}"
    if "html" in kind or _looks_html(body):
        return f"an HTML page{shown}"
    if kind == "application/json" or body.lstrip()[:1] in (b"{", b"["):
        return f"a JSON body{shown}"
    return f"{len(body)} bytes that are not XML{shown}"


def xml_root(body: bytes) -> str | None:
    """The local name of the root element of an XML body, or None when it is not XML."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    return root.tag.rsplit("}", 1)[-1]


def check_s3_answer(operation: str, status: int, content_type: str | None, body: bytes) -> str | None:
    """Why a 2xx answer to an S3 read is not an S3 answer, or None when it is (or is not checked).

    HeadBucket has no body to check; every other read must carry the XML document the S3 API
    documents for it, with an XML (or generic byte-stream) content type.
    """
    roots = S3_ROOTS.get(operation)
    if roots is None or not 200 <= status < 300:
        return None
    expected = " or ".join(f"<{r}>" for r in sorted(roots))
    kind = media_type(content_type)
    if kind and not (_is_xml_type(kind) or kind in _OPAQUE_TYPES):
        return f"not an S3 answer: HTTP {status} with {describe_body(body, content_type)} (expected XML {expected})"
    root = xml_root(body) if body.strip() else None
    if root is None or root.lower() == "html":
        return f"not an S3 answer: HTTP {status} with {describe_body(body, content_type)} (expected XML {expected})"
    if root not in roots:
        return f"not an S3 answer: HTTP {status} with XML <{root}> (expected {expected})"
    return None


def check_gcs_answer(status: int, content_type: str | None, body: bytes) -> str | None:
    """Why a 2xx answer from the GCS JSON API is not one (the API always answers JSON), or None."""
    if not 200 <= status < 300 or status == 204:
        return None
    kind = media_type(content_type)
    problem = f"not a Cloud Storage answer: HTTP {status} with {describe_body(body, content_type)}"
    if kind != "application/json":
        return f"{problem} (expected application/json)"
    try:
        json.loads(body)
    except ValueError:
        return f"{problem} that does not parse (expected JSON)"
    return None


def check_gcs_bucket(props: object, name: str) -> str | None:
    """Why a parsed ``buckets.get`` answer is not the bucket asked for, or None when it is."""
    if not isinstance(props, Mapping):
        return f"not a Cloud Storage bucket resource: a JSON {type(props).__name__}"
    kind = props.get("kind")
    if kind is not None and kind != "storage#bucket":
        return f"not a Cloud Storage bucket resource: kind {str(kind)[:40]!r}"
    if props.get("name") != name:
        return "not a Cloud Storage bucket resource: it does not name the bucket asked for"
    return None


def check_azure_answer(
    method: str, query: Mapping[str, str], status: int, headers: Mapping[str, str], body: bytes
) -> str | None:
    """Why a 2xx answer from the Blob service is not one, or None.

    Every Blob service answer carries ``x-ms-request-id``; Get Blob Service Properties must carry a
    ``<StorageServiceProperties>`` XML document.
    """
    if not 200 <= status < 300:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    content_type = lowered.get("content-type")
    if not lowered.get("x-ms-request-id"):
        shown = "" if method == "HEAD" else f" and {describe_body(body, content_type)}"
        return f"not an Azure Blob answer: HTTP {status} without an x-ms-request-id header{shown}"
    if method == "GET" and query.get("restype") == "service" and query.get("comp") == "properties":
        kind = media_type(content_type)
        root = xml_root(body) if body.strip() else None
        if (kind and not _is_xml_type(kind)) or root is None or root.lower() == "html":
            return (
                f"not an Azure Blob answer: HTTP {status} with {describe_body(body, content_type)} "
                f"(expected XML <{_AZURE_SERVICE_ROOT}>)"
            )
        if root != _AZURE_SERVICE_ROOT:
            return f"not an Azure Blob answer: HTTP {status} with XML <{root}> (expected <{_AZURE_SERVICE_ROOT}>)"
    return None
