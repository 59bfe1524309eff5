"""Read-only probe of a bucket on an S3-compatible server (MinIO, SeaweedFS, Ceph…) with the minio SDK.

Calls: HeadBucket, GetBucketVersioning, GetObjectLockConfiguration, GetBucketLifecycleConfiguration.
Setting names and values are the same as the S3 probe's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gcready.model import JSON, BucketRef, BucketState, Outcome, Reading, Setting, host_port, public_endpoint
from gcready.probes.answers import (
    S3_QUERY_OPERATIONS,
    InvalidAnswer,
    check_s3_answer,
    element_names,
)
from gcready.probes.bodies import CHUNK, read_capped
from gcready.probes.deadline import BucketDeadlineExceeded, Budget, CallTimedOut, retrying
from gcready.probes.errors import answer_failure, network_failure, unexpected
from gcready.probes.options import ProbeOptions
from gcready.probes.s3 import THROTTLE_CODES, classify_s3_error, s3_endpoint_url
from gcready.probes.state import StateBuilder, failed, halted, ok, record_versioning, s3_versioning

RETRY_STATUSES = (429, 500, 502, 503, 504)


def _keys(bucket: BucketRef, environ: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    if bucket.credentials:
        return bucket.credentials[0].reveal(), bucket.credentials[1].reveal(), None
    access = environ.get("MINIO_ACCESS_KEY") or environ.get("AWS_ACCESS_KEY_ID")
    secret = environ.get("MINIO_SECRET_KEY") or environ.get("AWS_SECRET_ACCESS_KEY")
    return access, secret, environ.get("AWS_SESSION_TOKEN")


def operation_of(method: str, url: str) -> str | None:
    """The S3 read a minio request URL is (``?versioning`` → GetBucketVersioning), or None."""
    if method != "GET":
        return None
    words = parse_qs(urlsplit(url).query, keep_blank_values=True)
    for word, operation in S3_QUERY_OPERATIONS.items():
        if word in words:
            return operation
    return None


_POOL_CLASS: list[type[Any]] = []
# Lifecycle conditions the minio SDK drops when it parses a rule (it knows only Prefix, Tag and And of
# those): a rule limited by object size would read as one for every object.
_SIZE_FILTER = frozenset({"ObjectSizeGreaterThan", "ObjectSizeLessThan"})


def sdk_blind_spot(operation: str, body: bytes) -> str | None:
    """Why a good S3 answer would be misread by the minio SDK, or None."""
    if operation == "GetBucketLifecycleConfiguration" and element_names(body) & _SIZE_FILTER:
        return (
            "value not understood: a lifecycle rule limited by object size, which the minio SDK "
            "cannot read (it would apply the rule to every object)"
        )
    return None


def _checked_pool(**kwargs: Any) -> Any:
    """A urllib3 PoolManager that reads each answer (at most ``MAX_ANSWER_BYTES``) and checks each
    successful S3 read is an S3 answer before minio parses it.

    minio parses whatever XML a 200 carries (an HTML page with no <Status> reads as "versioning off")
    and only looks at the content type of errors, so the check sits where minio hands over the wire.
    """
    if not _POOL_CLASS:
        import urllib3

        class CheckedPoolManager(urllib3.PoolManager):
            def urlopen(self, method: str, url: str, *args: Any, **kw: Any) -> Any:
                if not kw.get("preload_content", True):  # a streamed download: never one of gcready's reads
                    return super().urlopen(method, url, *args, **kw)
                streamed = super().urlopen(method, url, *args, **{**kw, "preload_content": False})
                try:
                    length = None if method == "HEAD" else streamed.headers.get("content-length")
                    body = read_capped(streamed.stream(CHUNK), length)
                except BaseException:
                    streamed.close()  # not drained: the rest is what was refused
                    raise
                streamed.release_conn()
                response = urllib3.HTTPResponse(
                    body=body,
                    headers=streamed.headers,
                    status=streamed.status,
                    reason=streamed.reason,
                    version=streamed.version,
                    request_method=method,
                    request_url=url,
                )
                operation = operation_of(method, url)
                if operation is not None:
                    content_type = response.headers.get("content-type")
                    reason = check_s3_answer(operation, response.status, content_type, body)
                    if reason is None and 200 <= response.status < 300:
                        reason = sdk_blind_spot(operation, body)
                    if reason is not None:
                        raise InvalidAnswer(reason)
                return response

        _POOL_CLASS.append(CheckedPoolManager)
    return _POOL_CLASS[0](**kwargs)


def _lifecycle(config: Any) -> JSON:
    rules: list[JSON] = []
    for rule in getattr(config, "rules", None) or []:
        rule_filter = getattr(rule, "rule_filter", None)
        both = getattr(rule_filter, "and_operator", None)
        prefix = getattr(rule_filter, "prefix", None)
        if prefix is None:
            prefix = getattr(both, "prefix", None)
        # A tag narrows the rule to the objects that match. (minio cannot read object-size conditions:
        # an answer with one is refused before it gets here, see _SIZE_FILTER.)
        tag = getattr(rule_filter, "tag", None)
        tags = {tag.key: tag.value} if tag is not None else dict(getattr(both, "tags", None) or {})
        noncurrent = getattr(rule, "noncurrent_version_expiration", None)
        expiration = getattr(rule, "expiration", None)
        marker = getattr(expiration, "expired_object_delete_marker", None)
        days = getattr(expiration, "days", None)
        noncurrent_days = getattr(noncurrent, "noncurrent_days", None)
        rules.append(
            {
                "id": getattr(rule, "rule_id", None),
                "enabled": getattr(rule, "status", None) == "Enabled",
                "prefix": prefix,
                "tags": [f"{k}={v}" for k, v in tags.items()],
                "object_size_greater_than": None,
                "object_size_less_than": None,
                "noncurrent_days": int(noncurrent_days) if noncurrent_days is not None else None,
                "expired_object_delete_marker": bool(marker) if marker is not None else None,
                "expiration_days": int(days) if days is not None else None,
            }
        )
    return rules


def _object_lock(config: Any) -> JSON:
    mode = getattr(config, "mode", None)
    duration = getattr(config, "duration", None)
    unit = getattr(config, "duration_unit", None)
    return {
        "enabled": True,
        "mode": mode,
        "days": int(duration) if duration is not None and unit == "Days" else None,
        "years": int(duration) if duration is not None and unit == "Years" else None,
    }


def probe_minio(bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]) -> BucketState:
    """Read the GC-relevant settings of a bucket on an S3-compatible server; never raises for an S3 error.

    The endpoint is the option override, else the bucket's own ``host[:port]`` (``tls=False`` → http),
    else ``AWS_ENDPOINT_URL``. Credentials are the keys from the W&B bucket URL, else
    ``MINIO_ACCESS_KEY``/``MINIO_SECRET_KEY``, else ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``.
    """
    # an S3-compatible store has no default endpoint: None unless one is given or in the bucket URL
    endpoint_url = s3_endpoint_url(bucket, options, environ)
    if endpoint_url is None:
        builder = StateBuilder(bucket, "(no endpoint)", bucket.region)
        builder.access = failed(
            Outcome.ERROR, "no endpoint for the S3-compatible bucket (give --endpoint or AWS_ENDPOINT_URL)"
        )
        return builder.build()
    shown = public_endpoint(endpoint_url)
    where = host_port(shown)
    region = bucket.region or options.region or environ.get("AWS_REGION") or "us-east-1"
    builder = StateBuilder(bucket, shown, region)
    access_key, secret_key, token = _keys(bucket, environ)
    secrets = [secret_key, token]

    try:
        import urllib3
        from minio import Minio
        from minio.error import S3Error, ServerError
    except ImportError as exc:  # pragma: no cover - minio is a dependency
        builder.access = failed(Outcome.ERROR, f"the minio SDK is not installed ({exc.name})")
        return builder.build()

    verify = options.tls_verify
    pool_kwargs: dict[str, Any] = {
        "timeout": urllib3.Timeout(connect=options.timeout, read=options.timeout, total=options.timeout),
        # urllib3 never retries: throttling / 5xx answers are retried call by call below (each attempt
        # under its own deadline), refused or silent endpoints not at all.
        "retries": urllib3.Retry(total=0, redirect=0, raise_on_status=False),
        "cert_reqs": "CERT_REQUIRED" if verify else "CERT_NONE",
    }
    if isinstance(verify, str):
        pool_kwargs["ca_certs"] = verify
    else:
        try:
            import certifi

            pool_kwargs["ca_certs"] = certifi.where()
        except ImportError:  # pragma: no cover
            pass
    try:
        secure = shown.startswith("https://")
        client = Minio(
            where,
            access_key=access_key,
            secret_key=secret_key,
            session_token=token,
            secure=secure,
            region=region,
            http_client=_checked_pool(**pool_kwargs),
            cert_check=bool(verify),
        )
    except Exception as exc:
        builder.access = unexpected(exc, where, secrets)
        return builder.build()

    def retryable(exc: Exception) -> bool:
        if isinstance(exc, S3Error):
            if exc.code in THROTTLE_CODES:
                return True
            status = getattr(getattr(exc, "response", None), "status", None)
        elif isinstance(exc, ServerError):
            status = exc.status_code
        else:
            status = getattr(exc, "_code", None) if type(exc).__name__ == "InvalidResponseError" else None
        return status in RETRY_STATUSES

    def read(call: Callable[[], JSON], permission: str, missing_ok: Callable[[str], JSON | None]) -> Reading:
        try:
            return ok(retrying(call, retryable, options.retries, budget))
        except (InvalidAnswer, CallTimedOut, BucketDeadlineExceeded) as exc:
            return answer_failure(exc, where, budget) or unexpected(exc, where, secrets)
        except S3Error as exc:
            value = missing_ok(exc.code or "")
            if value is not None:
                return ok(value)
            status = getattr(getattr(exc, "response", None), "status", None)
            return classify_s3_error(exc.code or "unknown", status, where, permission)
        except ServerError as exc:
            return classify_s3_error(str(exc.status_code), exc.status_code, where, permission)
        except Exception as exc:
            status = getattr(exc, "_code", None)
            if type(exc).__name__ == "InvalidResponseError" and isinstance(status, int):
                return classify_s3_error(str(status), status, where, permission)
            return network_failure(exc, where, options.timeout) or unexpected(exc, where, secrets)

    def nothing(_: str) -> JSON | None:
        return None

    # The deadlines start with the first call: importing the SDK and building a client are not counted.
    budget = Budget(options.timeout, options.retries)
    name = bucket.name

    access = read(lambda: client.bucket_exists(name), "s3:ListBucket", nothing)
    if access.ok and access.value is False:
        access = failed(Outcome.NOT_FOUND, f"bucket not found: NoSuchBucket (HTTP 404, {where})")
    builder.access = access
    if halted(access):
        return builder.build()

    def versioning_call() -> JSON:
        config = client.get_bucket_versioning(name)
        return s3_versioning(config.status, config.mfa_delete)

    versioning = read(versioning_call, "s3:GetBucketVersioning", nothing)
    if record_versioning(builder, access, versioning):
        return builder.build()

    builder.set(
        Setting.OBJECT_LOCK,
        read(
            lambda: _object_lock(client.get_object_lock_config(name)),
            "s3:GetBucketObjectLockConfiguration",
            lambda code: (
                {"enabled": False, "mode": None, "days": None, "years": None}
                if code == "ObjectLockConfigurationNotFoundError"
                else None
            ),
        ),
    )
    builder.set(
        Setting.LIFECYCLE,
        read(
            lambda: _lifecycle(client.get_bucket_lifecycle(name)),
            "s3:GetLifecycleConfiguration",
            lambda code: [] if code == "NoSuchLifecycleConfiguration" else None,
        ),
    )
    return builder.build()
