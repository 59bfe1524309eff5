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
from collections.abc import Iterator, Mapping
from typing import TypeVar

T = TypeVar("T")

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

# The elements of an S3 answer whose text is one of a closed set of values (S3 API reference), by read.
# Anything else there (``enabled``, `` Enabled ``, an element inside) is not an answer gcready can judge.
S3_VALUES: Mapping[str, Mapping[str, frozenset[str]]] = {
    "GetBucketVersioning": {
        "Status": frozenset({"Enabled", "Suspended"}),
        "MfaDelete": frozenset({"Enabled", "Disabled"}),
    },
    "GetObjectLockConfiguration": {
        "ObjectLockEnabled": frozenset({"Enabled"}),
        "Mode": frozenset({"GOVERNANCE", "COMPLIANCE"}),
    },
    "GetBucketLifecycleConfiguration": {"Status": frozenset({"Enabled", "Disabled"})},
}
# Reads whose answer holds each of those elements at most once (a second <Status> is not S3's).
_S3_SINGLE = frozenset({"GetBucketVersioning", "GetObjectLockConfiguration"})
# What a lifecycle rule's <Filter> (and its <And>) may hold; a filter element gcready does not know
# could narrow the rule to some objects, so the answer is not judged.
_S3_FILTER_PARTS = frozenset({"Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And"})


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


def _parsed(body: bytes) -> ET.Element | None:
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        return None


def xml_root(body: bytes) -> str | None:
    """The local name of the root element of an XML body, or None when it is not XML."""
    root = _parsed(body)
    return None if root is None else _local(root.tag)


def shown(value: object, limit: int = 40) -> str:
    """A value seen in an answer, quoted and cut short (it is never trusted to be small)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_understood(what: str, value: object, expected: str) -> InvalidAnswer:
    """An answer whose ``what`` holds ``value``, which is none of the documented ``expected`` values."""
    return InvalidAnswer(f"value not understood: {what} is {shown(value)} (documented: {expected})")


def documented(value: object, meanings: Mapping[str | bool | None, T], what: str) -> T:
    """The meaning of a value an answer holds, when it is exactly one the provider documents.

    ``meanings`` maps each documented value (a string, a JSON boolean, or None for "absent") to what it
    means; any other value, ``1`` for ``True`` or ``"false"`` for ``False`` included, is an
    :class:`InvalidAnswer`.
    """
    if value is None or isinstance(value, str | bool):
        for known, meaning in meanings.items():
            if type(known) is type(value) and known == value:
                return meaning
    expected = ", ".join("absent" if k is None else json.dumps(k) for k in meanings)
    raise not_understood(what, value, expected)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _elements(root: ET.Element, name: str) -> Iterator[ET.Element]:
    return (e for e in root.iter() if isinstance(e.tag, str) and _local(e.tag) == name)


def element_names(body: bytes) -> frozenset[str]:
    """The local names of every element of an XML body (none when it is not XML)."""
    root = _parsed(body)
    if root is None:
        return frozenset()
    return frozenset(_local(e.tag) for e in root.iter() if isinstance(e.tag, str))


def s3_document_problem(operation: str, root: ET.Element) -> str | None:
    """Why an S3 answer's document holds values gcready cannot judge exactly, or None.

    Both SDK paths parse the same bytes differently (botocore keeps ``enabled`` as text, minio drops
    an unknown MfaDelete and reads the first of two <Status>), so the values are checked on the wire.
    """
    for name, allowed in S3_VALUES.get(operation, {}).items():
        found = list(_elements(root, name))
        if operation in _S3_SINGLE and len(found) > 1:
            return f"value not understood: {len(found)} <{name}> elements (S3 sends at most one)"
        for element in found:
            text = element.text or ""
            if len(element) or text not in allowed:
                seen = "an element with child elements" if len(element) else shown(text)
                return f"value not understood: <{name}> is {seen} (documented: {', '.join(sorted(allowed))})"
    if operation == "GetObjectLockConfiguration":
        has_rule = next(_elements(root, "Rule"), None) is not None
        if has_rule and next(_elements(root, "ObjectLockEnabled"), None) is None:
            return "value not understood: a default retention <Rule> without <ObjectLockEnabled>"
    if operation == "GetBucketLifecycleConfiguration":
        for rule_filter in _elements(root, "Filter"):
            parts = [*rule_filter, *(p for a in rule_filter if _local(str(a.tag)) == "And" for p in a)]
            unknown = sorted({_local(str(p.tag)) for p in parts} - _S3_FILTER_PARTS)
            if unknown:
                return (
                    f"value not understood: a lifecycle <Filter> holds <{unknown[0][:40]}>, "
                    "which gcready does not know"
                )
    return None


def check_s3_answer(operation: str, status: int, content_type: str | None, body: bytes) -> str | None:
    """Why a 2xx answer to an S3 read is not an S3 answer, or None when it is (or is not checked).

    HeadBucket has no body to check; every other read must carry the XML document the S3 API
    documents for it, with an XML (or generic byte-stream) content type, whose enumerated values are
    the documented ones (:func:`s3_document_problem`).
    """
    roots = S3_ROOTS.get(operation)
    if roots is None or not 200 <= status < 300:
        return None
    expected = " or ".join(f"<{r}>" for r in sorted(roots))
    kind = media_type(content_type)
    if kind and not (_is_xml_type(kind) or kind in _OPAQUE_TYPES):
        return f"not an S3 answer: HTTP {status} with {describe_body(body, content_type)} (expected XML {expected})"
    document = _parsed(body) if body.strip() else None
    root = None if document is None else _local(document.tag)
    if document is None or root is None or root.lower() == "html":
        return f"not an S3 answer: HTTP {status} with {describe_body(body, content_type)} (expected XML {expected})"
    if root not in roots:
        return f"not an S3 answer: HTTP {status} with XML <{root}> (expected {expected})"
    return s3_document_problem(operation, document)


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
        seen = "" if method == "HEAD" else f" and {describe_body(body, content_type)}"
        return f"not an Azure Blob answer: HTTP {status} without an x-ms-request-id header{seen}"
    if method == "GET" and query.get("restype") == "service" and query.get("comp") == "properties":
        kind = media_type(content_type)
        document = _parsed(body) if body.strip() else None
        root = None if document is None else _local(document.tag)
        if (kind and not _is_xml_type(kind)) or document is None or root is None or root.lower() == "html":
            return (
                f"not an Azure Blob answer: HTTP {status} with {describe_body(body, content_type)} "
                f"(expected XML <{_AZURE_SERVICE_ROOT}>)"
            )
        if root != _AZURE_SERVICE_ROOT:
            return f"not an Azure Blob answer: HTTP {status} with XML <{root}> (expected <{_AZURE_SERVICE_ROOT}>)"
        return azure_retention_problem(document)
    return None


def azure_retention_problem(properties: ET.Element) -> str | None:
    """Why a ``<StorageServiceProperties>`` document does not say exactly whether blob soft delete is on.

    Azure answers every Get Blob Service Properties (version 2017-07-29 and later; the SDK asks a later
    one) with ``<DeleteRetentionPolicy><Enabled>true|false</Enabled>[<Days>1–365</Days>]``. The SDK turns
    a missing element into "off", which nothing on the wire said, so that is refused here.
    """
    policies = [e for e in properties if _local(str(e.tag)) == "DeleteRetentionPolicy"]
    if len(policies) != 1:
        return f"value not understood: {len(policies)} <DeleteRetentionPolicy> elements (Azure sends one)"
    policy = policies[0]
    parts = {_local(str(e.tag)): e for e in policy}
    enabled = parts.get("Enabled")
    if enabled is None or len(enabled) or (enabled.text or "") not in ("true", "false"):
        seen = "absent" if enabled is None else shown(enabled.text or "")
        return f"value not understood: <DeleteRetentionPolicy><Enabled> is {seen} (documented: true, false)"
    days = parts.get("Days")
    text = "" if days is None else (days.text or "")
    if enabled.text == "true" and not (text.isascii() and text.isdigit() and 1 <= int(text) <= 365):
        seen = "absent" if days is None else shown(text)
        return f"value not understood: <DeleteRetentionPolicy><Days> is {seen} (documented: 1 to 365 when enabled)"
    return None
