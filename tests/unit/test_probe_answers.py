"""Which successful answers are the provider's: pure checks of status, content type and body shape."""

from __future__ import annotations

import pytest

from gcready.probes.answers import (
    InvalidAnswer,
    check_azure_answer,
    check_gcs_answer,
    check_gcs_bucket,
    check_s3_answer,
    describe_body,
    documented,
    xml_root,
)
from gcready.probes.bodies import read_capped
from gcready.probes.minio import operation_of

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>portal</body></html>"


# ---------------------------------------------------------------- S3


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        # A never-versioned bucket: AWS and SeaweedFS answer an element with no <Status>, moto its own root.
        ("GetBucketVersioning", f"<VersioningConfiguration {NS}/>".encode()),
        ("GetBucketVersioning", f'<?xml version="1.0"?><GetBucketVersioningResponse {NS}/>'.encode()),
        (
            "GetBucketVersioning",
            f"<VersioningConfiguration {NS}><Status>Enabled</Status></VersioningConfiguration>".encode(),
        ),
        (
            "GetObjectLockConfiguration",
            b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>",
        ),
        (
            "GetBucketLifecycleConfiguration",
            f"<LifecycleConfiguration {NS}><Rule/></LifecycleConfiguration>".encode(),
        ),
        ("GetBucketLocation", f"<LocationConstraint {NS}/>".encode()),
        (
            "GetBucketLocation",
            b"<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>",
        ),
    ],
)
@pytest.mark.parametrize("content_type", ["application/xml", "text/xml; charset=utf-8", None])
def test_s3_documented_answers_pass(operation: str, body: bytes, content_type: str | None) -> None:
    assert check_s3_answer(operation, 200, content_type, body) is None


@pytest.mark.parametrize(
    ("content_type", "body", "said"),
    [
        ("text/html; charset=utf-8", HTML, "an HTML page (text/html)"),
        (None, HTML, "an HTML page"),
        ("application/xml", HTML, "an HTML page (application/xml)"),  # XHTML labelled as XML is not S3
        (None, b"", "an empty body"),
        ("application/xml", b"", "an empty body (application/xml)"),
        ("application/json", b'{"Status": "Enabled"}', "a JSON body (application/json)"),
        (None, b"\x00\x17garbage\xff", "10 bytes that are not XML"),
        ("application/xml", b"<Error><Code>x</Code></Error>", "XML <Error>"),
        ("text/plain", f"<VersioningConfiguration {NS}/>".encode(), "(text/plain)"),
    ],
)
def test_s3_answers_that_are_not_s3_are_named(content_type: str | None, body: bytes, said: str) -> None:
    reason = check_s3_answer("GetBucketVersioning", 200, content_type, body)
    assert reason is not None
    assert reason.startswith("not an S3 answer: HTTP 200")
    assert said in reason
    assert "VersioningConfiguration" in reason  # what was expected
    assert "portal" not in reason and "Sign in" not in reason  # never the body's text


def test_s3_checks_only_successful_reads_with_a_body() -> None:
    assert check_s3_answer("HeadBucket", 200, "text/html", b"") is None  # HEAD has no body to check
    assert check_s3_answer("GetBucketVersioning", 503, "text/html", HTML) is None  # errors: the SDK's job
    assert check_s3_answer("GetBucketVersioning", 404, None, b"") is None


def test_object_lock_answer_of_the_wrong_document_is_refused() -> None:
    body = f"<VersioningConfiguration {NS}/>".encode()
    reason = check_s3_answer("GetObjectLockConfiguration", 200, "application/xml", body)
    assert reason is not None and "<ObjectLockConfiguration>" in reason


def _versioning(inner: str) -> bytes:
    return f'<?xml version="1.0"?><VersioningConfiguration {NS}>{inner}</VersioningConfiguration>'.encode()


@pytest.mark.parametrize(
    "inner",
    [
        "<Status>enabled</Status>",
        "<Status>Enabeld</Status>",
        "<Status> Enabled </Status>",
        "<Status>Disabled</Status>",
        "<Status></Status>",
        "<Status><x/>Enabled</Status>",
        "<Status>Suspended</Status><Status>Enabled</Status>",
        "<Status>Enabled</Status><MfaDelete>enabled</MfaDelete>",
        "<Status>Enabled</Status><MfaDelete>Maybe</MfaDelete>",
    ],
)
def test_s3_versioning_values_s3_does_not_document_are_not_understood(inner: str) -> None:
    # Not "versioning off" and not "MFA delete off": an answer gcready cannot judge (unknown).
    reason = check_s3_answer("GetBucketVersioning", 200, "application/xml", _versioning(inner))
    assert reason is not None and reason.startswith("value not understood"), reason


@pytest.mark.parametrize(
    "inner",
    ["", "<Status>Enabled</Status>", "<Status>Suspended</Status><MfaDelete>Disabled</MfaDelete>"],
)
def test_s3_documented_versioning_values_pass(inner: str) -> None:
    assert check_s3_answer("GetBucketVersioning", 200, "application/xml", _versioning(inner)) is None


LOCK_RULE = "<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>30</Days></DefaultRetention></Rule>"


@pytest.mark.parametrize(
    ("inner", "understood"),
    [
        (f"<ObjectLockEnabled>Enabled</ObjectLockEnabled>{LOCK_RULE}", True),
        ("<ObjectLockEnabled>Enabled</ObjectLockEnabled>", True),
        (f"<ObjectLockEnabled>enabled</ObjectLockEnabled>{LOCK_RULE}", False),
        (LOCK_RULE, False),  # a default retention without ObjectLockEnabled is not "no lock"
        (
            "<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>STRICT</Mode>"
            "<Days>1</Days></DefaultRetention></Rule>",
            False,
        ),
    ],
)
def test_s3_object_lock_values(inner: str, understood: bool) -> None:
    body = f"<ObjectLockConfiguration {NS}>{inner}</ObjectLockConfiguration>".encode()
    reason = check_s3_answer("GetObjectLockConfiguration", 200, "application/xml", body)
    assert (reason is None) is understood, reason


def test_s3_lifecycle_filter_parts_gcready_does_not_know_are_not_understood() -> None:
    def lifecycle(filter_xml: str) -> bytes:
        return (
            f"<LifecycleConfiguration {NS}><Rule><ID>r</ID><Filter>{filter_xml}</Filter><Status>Enabled</Status>"
            "</Rule></LifecycleConfiguration>"
        ).encode()

    known = "<And><Prefix/><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeLessThan>9</ObjectSizeLessThan></And>"
    assert check_s3_answer("GetBucketLifecycleConfiguration", 200, None, lifecycle(known)) is None
    odd = check_s3_answer(
        "GetBucketLifecycleConfiguration", 200, None, lifecycle("<StorageClass>X</StorageClass>")
    )
    assert odd is not None and "<StorageClass>" in odd


def test_documented_values_are_matched_exactly() -> None:
    flags = {True: "on", False: "off", None: "off"}
    assert documented(True, flags, "enabled") == "on" and documented(None, flags, "enabled") == "off"
    for garbage in ("false", "no", "true", 1, 0, [], {}):
        with pytest.raises(InvalidAnswer, match="value not understood: enabled is"):
            documented(garbage, flags, "enabled")


def test_answer_bodies_are_read_at_most_to_the_limit() -> None:
    assert read_capped([b"ab", b"cd"], "4", limit=4) == b"abcd"
    with pytest.raises(InvalidAnswer, match="answer too large"):
        read_capped([b"ab", b"cde"], None, limit=4)  # chunked: refused once past the limit
    with pytest.raises(InvalidAnswer, match="answer too large"):
        read_capped(iter(()), "2147483648", limit=4)  # a declared length over it: refused before reading


@pytest.mark.parametrize(
    ("policy", "understood"),
    [
        ("<DeleteRetentionPolicy><Enabled>true</Enabled><Days>7</Days></DeleteRetentionPolicy>", True),
        ("<DeleteRetentionPolicy><Enabled>false</Enabled></DeleteRetentionPolicy>", True),
        ("<Cors/>", False),  # no policy: the SDK would say "off", which nothing on the wire said
        ("", False),
        ("<deleteRetentionPolicy><enabled>true</enabled><days>7</days></deleteRetentionPolicy>", False),
        ("<DeleteRetentionPolicy><Days>7</Days></DeleteRetentionPolicy>", False),
        ("<DeleteRetentionPolicy><Enabled>yes</Enabled><Days>7</Days></DeleteRetentionPolicy>", False),
        ("<DeleteRetentionPolicy><Enabled>true</Enabled><Days>0</Days></DeleteRetentionPolicy>", False),
        ("<DeleteRetentionPolicy><Enabled>true</Enabled></DeleteRetentionPolicy>", False),
    ],
)
def test_azure_blob_soft_delete_must_be_stated_exactly(policy: str, understood: bool) -> None:
    body = f'<?xml version="1.0"?><StorageServiceProperties>{policy}</StorageServiceProperties>'.encode()
    headers = {**AZ_HEADERS, "Content-Type": "application/xml"}
    reason = check_azure_answer("GET", SERVICE, 200, headers, body)
    assert (reason is None) is understood, reason


@pytest.mark.parametrize(
    ("method", "url", "operation"),
    [
        ("GET", "http://h:9000/b?versioning=", "GetBucketVersioning"),
        ("GET", "http://h:9000/b?object-lock=", "GetObjectLockConfiguration"),
        ("GET", "http://h:9000/b?lifecycle=", "GetBucketLifecycleConfiguration"),
        ("GET", "http://h:9000/b?location=", "GetBucketLocation"),
        ("HEAD", "http://h:9000/b", None),
        ("GET", "http://h:9000/b?list-type=2", None),
    ],
)
def test_minio_request_urls_name_the_read(method: str, url: str, operation: str | None) -> None:
    assert operation_of(method, url) == operation


# ---------------------------------------------------------------- GCS


def test_gcs_json_answers_pass_and_others_are_named() -> None:
    assert check_gcs_answer(200, "application/json; charset=UTF-8", b'{"kind": "storage#bucket"}') is None
    empty = check_gcs_answer(200, None, b"")
    assert empty is not None and "an empty body" in empty and "application/json" in empty
    html = check_gcs_answer(200, "text/html", HTML)
    assert html is not None and "an HTML page" in html
    broken = check_gcs_answer(200, "application/json", b"{not json")
    assert broken is not None and "does not parse" in broken
    assert check_gcs_answer(404, "text/html", HTML) is None  # an error: google-api-core's job


def test_gcs_bucket_resource_must_be_the_bucket_asked_for() -> None:
    assert check_gcs_bucket({"kind": "storage#bucket", "name": "b1"}, "b1") is None
    assert check_gcs_bucket({"name": "b1"}, "b1") is None
    assert check_gcs_bucket({}, "b1") is not None  # {} would read as "versioning off"
    assert check_gcs_bucket({"kind": "storage#object", "name": "b1"}, "b1") is not None
    assert check_gcs_bucket({"kind": "storage#bucket", "name": "other"}, "b1") is not None
    assert check_gcs_bucket(b"", "b1") is not None
    assert check_gcs_bucket([], "b1") is not None


# ---------------------------------------------------------------- Azure

SERVICE = {"restype": "service", "comp": "properties"}
AZ_HEADERS = {"x-ms-request-id": "905730df", "x-ms-version": "2025-11-05"}


def test_azure_answers_carry_a_request_id() -> None:
    assert check_azure_answer("GET", {"restype": "container"}, 200, AZ_HEADERS, b"") is None
    bare = check_azure_answer("GET", {"restype": "container"}, 200, {"Content-Type": "text/html"}, HTML)
    assert bare is not None and "x-ms-request-id" in bare and "an HTML page" in bare
    head = check_azure_answer("HEAD", {}, 200, {}, b"")
    assert head is not None and "x-ms-request-id" in head
    assert check_azure_answer("GET", {"restype": "container"}, 503, {}, HTML) is None


def test_azure_service_properties_must_be_the_documented_xml() -> None:
    good = (
        b'<?xml version="1.0"?><StorageServiceProperties><DeleteRetentionPolicy><Enabled>false</Enabled>'
        b"</DeleteRetentionPolicy></StorageServiceProperties>"
    )
    headers = {**AZ_HEADERS, "Content-Type": "application/xml"}
    assert check_azure_answer("GET", SERVICE, 200, headers, good) is None
    empty = check_azure_answer("GET", SERVICE, 200, AZ_HEADERS, b"")
    assert empty is not None and "an empty body" in empty
    wrong = check_azure_answer("GET", SERVICE, 200, headers, b"<Error/>")
    assert wrong is not None and "<Error>" in wrong
    html = check_azure_answer("GET", SERVICE, 200, {**AZ_HEADERS, "content-type": "text/html"}, good)
    assert html is not None and "text/html" in html


# ---------------------------------------------------------------- shared


def test_xml_root_and_body_descriptions() -> None:
    assert xml_root(f"<a:VersioningConfiguration xmlns:a='x' {NS}/>".encode()) == "VersioningConfiguration"
    assert xml_root(b"not xml") is None
    assert describe_body(b"   \n", None) == "an empty body"
    assert describe_body(b"<html><body>x</body></html>", "text/html") == "an HTML page (text/html)"
