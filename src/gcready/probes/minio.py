"""Read-only probe of a bucket on an S3-compatible server (MinIO, SeaweedFS, Ceph…) with the minio SDK.

Calls: HeadBucket, GetBucketVersioning, GetObjectLockConfiguration, GetBucketLifecycleConfiguration.
Setting names and values are the same as the S3 probe's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gcready.model import JSON, BucketRef, BucketState, Outcome, Reading
from gcready.probes._common import (
    StateBuilder,
    failed,
    halted,
    host_port,
    network_failure,
    ok,
    public_endpoint,
    record_versioning,
    unexpected,
)
from gcready.probes.options import ProbeOptions
from gcready.probes.s3 import classify_s3_error

RETRY_STATUSES = (429, 500, 502, 503, 504)


def _endpoint_url(bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]) -> str | None:
    if options.endpoint_url:
        return options.endpoint_url
    if bucket.endpoint:
        scheme = "http" if bucket.tls is False else "https"
        return f"{scheme}://{bucket.endpoint}"
    return environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL") or None


def _keys(bucket: BucketRef, environ: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    if bucket.credentials:
        return bucket.credentials[0].reveal(), bucket.credentials[1].reveal(), None
    access = environ.get("MINIO_ACCESS_KEY") or environ.get("AWS_ACCESS_KEY_ID")
    secret = environ.get("MINIO_SECRET_KEY") or environ.get("AWS_SECRET_ACCESS_KEY")
    return access, secret, environ.get("AWS_SESSION_TOKEN")


def _lifecycle(config: Any) -> JSON:
    rules: list[JSON] = []
    for rule in getattr(config, "rules", None) or []:
        rule_filter = getattr(rule, "rule_filter", None)
        prefix = getattr(rule_filter, "prefix", None)
        if prefix is None:
            prefix = getattr(getattr(rule_filter, "and_operator", None), "prefix", None)
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
    endpoint_url = _endpoint_url(bucket, options, environ)
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
        "timeout": urllib3.Timeout(connect=options.timeout, read=options.timeout),
        # Only throttling / 5xx answers are retried (with backoff); refused or silent endpoints are not.
        "retries": urllib3.Retry(
            total=options.retries,
            connect=0,
            read=0,
            redirect=0,
            other=0,
            status=options.retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,
            backoff_factor=0.5,
            backoff_max=8.0,
            raise_on_status=False,
            respect_retry_after_header=False,
        ),
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
            http_client=urllib3.PoolManager(**pool_kwargs),
            cert_check=bool(verify),
        )
    except Exception as exc:
        builder.access = unexpected(exc, where, secrets)
        return builder.build()

    def read(call: Callable[[], JSON], permission: str, missing_ok: Callable[[str], JSON | None]) -> Reading:
        try:
            return ok(call())
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

    name = bucket.name

    access = read(lambda: client.bucket_exists(name), "s3:ListBucket", nothing)
    if access.ok and access.value is False:
        access = failed(Outcome.NOT_FOUND, f"bucket not found: NoSuchBucket (HTTP 404, {where})")
    builder.access = access
    if halted(access):
        return builder.build()

    def versioning_call() -> JSON:
        config = client.get_bucket_versioning(name)
        return {"status": config.status, "mfa_delete": config.mfa_delete}

    versioning = read(versioning_call, "s3:GetBucketVersioning", nothing)
    if record_versioning(builder, access, versioning, "status", "mfa_delete"):
        return builder.build()

    builder.set(
        "object_lock",
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
        "lifecycle",
        read(
            lambda: _lifecycle(client.get_bucket_lifecycle(name)),
            "s3:GetLifecycleConfiguration",
            lambda code: [] if code == "NoSuchLifecycleConfiguration" else None,
        ),
    )
    return builder.build()
