"""Read-only probe of an S3 bucket (AWS, CoreWeave, or any S3 endpoint) with boto3.

Calls: HeadBucket, GetBucketVersioning, GetObjectLockConfiguration, GetBucketLifecycleConfiguration,
GetBucketLocation. Nothing is ever written.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable, Mapping
from typing import Any

from gcready.model import (
    JSON,
    BucketRef,
    BucketState,
    Outcome,
    Provider,
    Reading,
    Setting,
    default_endpoint,
    endpoint_url,
    host_port,
    is_aws_host,
    public_endpoint,
)
from gcready.probes.answers import InvalidAnswer, check_s3_answer, documented
from gcready.probes.bodies import CHUNK, read_capped
from gcready.probes.deadline import Budget, retrying
from gcready.probes.errors import answer_failure, network_failure, unexpected
from gcready.probes.options import ProbeOptions
from gcready.probes.state import StateBuilder, failed, halted, ok, record_versioning, s3_versioning

AWS_DEFAULT_ENDPOINT = str(default_endpoint(Provider.AWS))

THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "SlowDown",
        "RequestLimitExceeded",
        "TooManyRequests",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
        "429",
    }
)
DENIED_CODES = frozenset(
    {"AccessDenied", "AllAccessDisabled", "AccessDeniedException", "Forbidden", "403", "UnauthorizedAccess"}
)
CREDENTIAL_CODES = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "InvalidToken",
        "ExpiredToken",
        "TokenRefreshRequired",
        "InvalidSecurity",
        "AuthorizationHeaderMalformed",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "401",
    }
)
NOT_FOUND_CODES = frozenset({"NoSuchBucket", "404", "NotFound"})
NOT_SUPPORTED_CODES = frozenset({"NotImplemented", "501", "MethodNotAllowed", "405"})


def error_code(exc: BaseException) -> tuple[str, int | None] | None:
    """``(code, http status)`` of an S3 error response (boto3 ``ClientError``), else None."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    err = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    status = meta.get("HTTPStatusCode")
    code = str(err.get("Code") or (status if status is not None else "unknown"))
    return code, status if isinstance(status, int) else None


def is_retryable(exc: Exception) -> bool:
    """Throttling and 5xx answers are worth another try; nothing else is."""
    found = error_code(exc)
    if found is None:
        return False
    code, status = found
    return code in THROTTLE_CODES or (status is not None and (status == 429 or status >= 500))


def classify_s3_error(
    code: str,
    status: int | None,
    endpoint: str,
    permission: str,
) -> Reading:
    """Turn an S3 error code / status into a reading that says what really happened."""
    if code in THROTTLE_CODES or status == 429 or (status == 503 and code in {"SlowDown", "503"}):
        # S3 answers 503 SlowDown when throttling; a HEAD answer has no body, so only its status.
        shown = code if code != str(status) else "no error code"
        return failed(Outcome.THROTTLED, f"throttled: {shown} (HTTP {status}, {endpoint}) after retries")
    if status is not None and code == str(status):
        label = f"HTTP {status} ({endpoint})"  # a HEAD answer carries no error code
    else:
        label = f"{code} (HTTP {status}, {endpoint})" if status else f"{code} ({endpoint})"
    if code in CREDENTIAL_CODES or status == 401:
        return failed(Outcome.DENIED, f"credentials rejected: {label}")
    if code in DENIED_CODES or status == 403:
        return failed(Outcome.DENIED, f"access denied: {label}; needs {permission}", permission)
    if code in NOT_FOUND_CODES:
        return failed(Outcome.NOT_FOUND, f"bucket not found: {label}")
    if code in NOT_SUPPORTED_CODES or status == 501:
        return failed(Outcome.NOT_SUPPORTED, f"the server does not support this call: {label}")
    return failed(Outcome.ERROR, label)


def s3_endpoint_url(bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]) -> str | None:
    """The endpoint an S3 client is pointed at: the option, the bucket's own, ``AWS_ENDPOINT_URL[_S3]``,
    then the provider's default; None leaves AWS's regional endpoint to boto3."""
    if options.endpoint_url:
        return options.endpoint_url
    if bucket.endpoint:
        return endpoint_url(bucket.provider, bucket.endpoint, tls=bucket.tls)
    from_env = environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL")
    if from_env:
        return from_env
    return None if bucket.provider is Provider.AWS else default_endpoint(bucket.provider)


def _session_kwargs(bucket: BucketRef, environ: Mapping[str, str]) -> dict[str, str]:
    if bucket.credentials:
        access_key, secret_key = (c.reveal() for c in bucket.credentials)
        return {"aws_access_key_id": access_key, "aws_secret_access_key": secret_key}
    key_id = environ.get("AWS_ACCESS_KEY_ID")
    secret = environ.get("AWS_SECRET_ACCESS_KEY")
    if key_id and secret:
        kwargs = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
        token = environ.get("AWS_SESSION_TOKEN")
        if token:
            kwargs["aws_session_token"] = token
        return kwargs
    profile = environ.get("AWS_PROFILE")
    return {"profile_name": profile} if profile else {}


# A boto3 session parses S3's service model (~250 ms of pure Python holding the GIL) and a client
# builds on it: both are made once per set of credentials and connection settings, not per bucket.
# boto3 clients are safe to share between threads; sessions are not, so making clients is locked.
_CLIENTS: dict[tuple[object, ...], Any] = {}
_SESSIONS: dict[tuple[tuple[str, str], ...], Any] = {}
_LOCK = threading.Lock()


def _client(session_kwargs: dict[str, str], **client_kwargs: Any) -> Any:
    import boto3

    session_key = tuple(sorted(session_kwargs.items()))
    config = client_kwargs["config"]
    key = (
        session_key,
        client_kwargs["endpoint_url"],
        client_kwargs["region_name"],
        str(client_kwargs["verify"]),
        config.connect_timeout,
        config.read_timeout,
        repr(config.s3),
    )
    with _LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            session = _SESSIONS.get(session_key)
            if session is None:
                session = _SESSIONS[session_key] = boto3.session.Session(**session_kwargs)
            client = _CLIENTS[key] = session.client("s3", **client_kwargs)
            # Before botocore parses an answer (an empty 200 would parse as "nothing set"), check it is
            # an S3 answer at all.
            client.meta.events.register("before-parse.s3", _check_answer)
            _cap_answers(client)
        return client


def _cap_answers(client: Any) -> None:
    """Make the client read at most ``MAX_ANSWER_BYTES`` of any answer.

    botocore reads a whole body before any hook sees it, and has no public way to plug in another HTTP
    session. Its ``before-send`` event may answer a request itself (moto's in-process mock does): the
    handler sends the request through the client's own HTTP session (same TLS, proxies, pool, timeouts)
    without letting it read the body, then reads the body with a limit.
    """
    http_session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    if http_session is None:  # pragma: no cover - a botocore without it: answers are not capped
        return
    client.meta.events.register("before-send.s3", functools.partial(_send_capped, http_session))


def _send_capped(http_session: Any, request: Any, **_: Any) -> Any:
    import urllib3
    from botocore.awsrequest import AWSResponse

    request.stream_output = True  # the session then leaves the body unread
    response = http_session.send(request)
    raw = response.raw
    try:
        length = None if request.method == "HEAD" else response.headers.get("content-length")
        body = read_capped(raw.stream(CHUNK, decode_content=False), length)
    except BaseException:
        raw.close()  # not drained: the rest is what was refused
        raise
    raw.release_conn()
    # An answer botocore reads as it reads any (AWSResponse.content joins raw.stream()).
    preloaded = urllib3.HTTPResponse(
        body=io.BytesIO(body),
        headers=raw.headers,
        status=raw.status,
        preload_content=False,
        decode_content=False,
        enforce_content_length=False,  # the length was checked on the wire (a HEAD answer has none)
    )
    return AWSResponse(response.url, response.status_code, response.headers, preloaded)


def _check_answer(operation_model: Any, response_dict: Mapping[str, Any], **_: Any) -> None:
    """botocore ``before-parse`` hook: raise :class:`InvalidAnswer` for a 2xx that is not S3's shape."""
    headers = response_dict.get("headers") or {}
    body = response_dict.get("body")
    reason = check_s3_answer(
        str(getattr(operation_model, "name", "")),
        int(response_dict.get("status_code") or 0),
        headers.get("content-type"),
        body if isinstance(body, bytes) else b"",
    )
    if reason is not None:
        raise InvalidAnswer(reason)


def _secrets(bucket: BucketRef, environ: Mapping[str, str]) -> list[str | None]:
    found: list[str | None] = [environ.get("AWS_SECRET_ACCESS_KEY"), environ.get("AWS_SESSION_TOKEN")]
    if bucket.credentials:
        found.extend(c.reveal() for c in bucket.credentials)
    return found


def _object_lock(response: Mapping[str, Any]) -> JSON:
    config = response.get("ObjectLockConfiguration") or {}
    rule = config.get("Rule")
    # S3 documents only ``Enabled``; a configuration without it holds no default retention.
    absent = None if rule else False
    enabled = documented(
        config.get("ObjectLockEnabled"), {"Enabled": True, None: absent}, "ObjectLockEnabled"
    )
    if enabled is None:
        raise InvalidAnswer("value not understood: a default retention Rule without ObjectLockEnabled")
    retention = (rule or {}).get("DefaultRetention") or {}
    mode = documented(
        retention.get("Mode"), {"GOVERNANCE": "GOVERNANCE", "COMPLIANCE": "COMPLIANCE", None: None}, "Mode"
    )
    days = retention.get("Days")
    years = retention.get("Years")
    # AWS requires a positive period; some servers (moto) also send the unused unit as 0.
    return {
        "enabled": enabled,
        "mode": mode,
        "days": int(days) if days else None,
        "years": int(years) if years else None,
    }


def _lifecycle(response: Mapping[str, Any]) -> JSON:
    rules: list[JSON] = []
    for rule in response.get("Rules") or []:
        rule_filter = rule.get("Filter") or {}
        both = rule_filter.get("And") or {}
        prefix = rule_filter.get("Prefix")
        if prefix is None:
            prefix = both.get("Prefix")
        if prefix is None:
            prefix = rule.get("Prefix")
        # A tag or object-size condition narrows the rule to the objects that match (all are ANDed).
        tags = [rule_filter["Tag"]] if rule_filter.get("Tag") else list(both.get("Tags") or [])
        larger = rule_filter.get("ObjectSizeGreaterThan", both.get("ObjectSizeGreaterThan"))
        smaller = rule_filter.get("ObjectSizeLessThan", both.get("ObjectSizeLessThan"))
        noncurrent = (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
        expiration = rule.get("Expiration") or {}
        marker = expiration.get("ExpiredObjectDeleteMarker")
        days = expiration.get("Days")
        rules.append(
            {
                "id": rule.get("ID"),
                "enabled": documented(
                    rule.get("Status"), {"Enabled": True, "Disabled": False}, "rule Status"
                ),
                "prefix": prefix,
                "tags": [f"{t.get('Key')}={t.get('Value')}" for t in tags],
                "object_size_greater_than": int(larger) if larger is not None else None,
                "object_size_less_than": int(smaller) if smaller is not None else None,
                "noncurrent_days": int(noncurrent) if noncurrent is not None else None,
                "expired_object_delete_marker": bool(marker) if marker is not None else None,
                "expiration_days": int(days) if days is not None else None,
            }
        )
    return rules


def probe_s3(bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]) -> BucketState:
    """Read the GC-relevant settings of an S3 bucket with boto3; never raises for an S3 or network error.

    The endpoint is the option override, else the bucket's own endpoint (``tls=False`` → http), else
    ``AWS_ENDPOINT_URL_S3``/``AWS_ENDPOINT_URL``, else AWS. Credentials are the keys from the W&B bucket
    URL, else ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, else ``AWS_PROFILE``, else boto3's chain.
    """
    url = s3_endpoint_url(bucket, options, environ)
    shown = public_endpoint(url) if url else AWS_DEFAULT_ENDPOINT
    where = host_port(shown)
    region = bucket.region or options.region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    builder = StateBuilder(bucket, shown, region)
    secrets = _secrets(bucket, environ)

    try:
        import boto3  # noqa: F401 - fail here, as a reading, when boto3 is missing
        from botocore.config import Config
    except ImportError as exc:  # pragma: no cover - boto3 is a dependency
        builder.access = failed(Outcome.ERROR, f"boto3 is not installed ({exc.name})")
        return builder.build()

    non_aws = url is not None and not is_aws_host(url)
    path_style = options.path_style if options.path_style is not None else non_aws
    config = Config(
        connect_timeout=options.timeout,
        read_timeout=options.timeout,
        # botocore must not retry on its own: timeouts and refused connections are reported at once,
        # throttling and 5xx are retried below with backoff (``retries`` extra attempts).
        retries={"total_max_attempts": 1, "mode": "standard"},
        s3={"addressing_style": "path" if path_style else "auto"},
        user_agent_extra="gcready-probe",
        max_pool_connections=64,
    )
    try:
        client = _client(
            _session_kwargs(bucket, environ),
            endpoint_url=url,
            region_name=region or "us-east-1",
            config=config,
            verify=options.tls_verify,
        )
    except Exception as exc:
        builder.access = unexpected(exc, where, secrets)
        return builder.build()

    def read(call: Callable[[], Any], permission: str, missing_ok: Callable[[str], JSON | None]) -> Reading:
        try:
            return ok(_as_json(retrying(call, is_retryable, options.retries, budget)))
        except Exception as exc:
            answered = answer_failure(exc, where, budget)
            if answered is not None:
                return answered
            found = error_code(exc)
            if found is not None:
                code, status = found
                value = missing_ok(code)
                if value is not None:
                    return ok(value)
                return classify_s3_error(code, status, where, permission)
            name = type(exc).__name__
            if name in {"NoCredentialsError", "PartialCredentialsError", "ProfileNotFound"}:
                return failed(Outcome.ERROR, f"no usable AWS credentials ({name})")
            return network_failure(exc, where, options.timeout) or unexpected(exc, where, secrets)

    def nothing(_: str) -> JSON | None:
        return None

    # The deadlines start with the first call: importing the SDK and building a client are not counted.
    budget = Budget(options.timeout, options.retries)
    name = bucket.name
    access = read(lambda: client.head_bucket(Bucket=name) and True, "s3:ListBucket", nothing)
    builder.access = access
    if halted(access):
        return builder.build()

    def versioning_call() -> JSON:
        answer = client.get_bucket_versioning(Bucket=name)
        return s3_versioning(answer.get("Status"), answer.get("MFADelete"))

    versioning = read(versioning_call, "s3:GetBucketVersioning", nothing)
    if record_versioning(builder, access, versioning):
        return builder.build()

    lock = read(
        lambda: _object_lock(client.get_object_lock_configuration(Bucket=name)),
        "s3:GetBucketObjectLockConfiguration",
        lambda code: (
            {"enabled": False, "mode": None, "days": None, "years": None}
            if code == "ObjectLockConfigurationNotFoundError"
            else None
        ),
    )
    builder.set(Setting.OBJECT_LOCK, lock)

    lifecycle = read(
        lambda: _lifecycle(client.get_bucket_lifecycle_configuration(Bucket=name)),
        "s3:GetLifecycleConfiguration",
        lambda code: [] if code == "NoSuchLifecycleConfiguration" else None,
    )
    builder.set(Setting.LIFECYCLE, lifecycle)

    location = read(
        lambda: client.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1",
        "s3:GetBucketLocation",
        nothing,
    )
    builder.set(Setting.LOCATION, location)
    return builder.build()


def _as_json(value: Any) -> JSON:
    """Keep JSON-able values; boto3 responses are reduced to their data (no metadata)."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [_as_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


__all__ = ["classify_s3_error", "error_code", "is_retryable", "probe_s3", "s3_endpoint_url"]
