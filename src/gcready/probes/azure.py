"""Read-only probe of an Azure Blob container (and its storage account) with azure-storage-blob.

Calls: Get Container Properties (exists, immutability policy, legal hold), Get Blob Service Properties
(blob soft delete, ``DeleteRetentionPolicy``) and Get Account Information (account kind). Container
soft delete and blob versioning live on the management plane and are not read here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
    public_endpoint,
)
from gcready.probes.answers import InvalidAnswer, check_azure_answer
from gcready.probes.bodies import cap_requests_body
from gcready.probes.deadline import Budget, retrying
from gcready.probes.errors import answer_failure, network_failure, unexpected
from gcready.probes.options import ProbeOptions
from gcready.probes.state import StateBuilder, failed, halted, ok

# azure-storage-blob logs a warning for every non-XML error page (a proxy's HTML 503); the reading
# already says what happened, so without a logging set-up of the caller's those lines stay off stderr.
logging.getLogger("azure").addHandler(logging.NullHandler())

DATA_PERMISSION = "Storage Blob Data Reader / account key"
SERVICE_PERMISSION = "account key / Storage Account Contributor (Get Blob Service Properties)"
THROTTLE_CODES = frozenset({"ServerBusy", "TooManyRequests"})
CREDENTIAL_CODES = frozenset(
    {
        "AuthenticationFailed",
        "InvalidAuthenticationInfo",
        "NoAuthenticationInformation",
        "AuthorizationFailure",
    }
)


def parse_connection_string(text: str) -> dict[str, str]:
    """The ``Key=Value;…`` pairs of an Azure Storage connection string (keys lower-cased)."""
    pairs: dict[str, str] = {}
    for part in text.split(";"):
        if "=" in part:
            key, _, value = part.partition("=")
            pairs[key.strip().lower()] = value.strip()
    return pairs


def _error_code(exc: BaseException) -> str:
    code = getattr(exc, "error_code", None)
    if code:
        return str(getattr(code, "value", code))  # StorageErrorCode is an enum
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None:
        try:
            header = headers.get("x-ms-error-code")
        except Exception:
            header = None
        if header:
            return str(header)
    status = getattr(exc, "status_code", None)
    return str(status) if status is not None else type(exc).__name__


def _is_http_error(exc: BaseException) -> bool:
    return any(cls.__name__ == "HttpResponseError" for cls in type(exc).__mro__)


def is_retryable(exc: Exception) -> bool:
    """Retry throttling (503 ServerBusy, 429) and 5xx answers except 501/505."""
    if not _is_http_error(exc):
        return False
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int):
        return False
    return status == 429 or (status >= 500 and status not in (501, 505))


def classify_azure_error(exc: BaseException, where: str, permission: str) -> Reading:
    """Map an azure-core ``HttpResponseError`` to a reading."""
    status = getattr(exc, "status_code", None)
    code = _error_code(exc)
    label = f"{code} (HTTP {status}, {where})" if status else f"{code} ({where})"
    if code in THROTTLE_CODES or status == 429:
        return failed(Outcome.THROTTLED, f"throttled: {label} after retries")
    if code in CREDENTIAL_CODES or status == 401:
        return failed(
            Outcome.DENIED, f"credentials rejected or not allowed: {label}; needs {permission}", permission
        )
    if status == 403:
        return failed(Outcome.DENIED, f"access denied: {label}; needs {permission}", permission)
    if status == 404:
        return failed(Outcome.NOT_FOUND, f"container not found: {label}")
    if status == 501 or code == "NotImplemented":
        return failed(Outcome.NOT_SUPPORTED, f"the server does not support this call: {label}")
    return failed(Outcome.ERROR, label)


def _check_response(pipeline_response: Any) -> None:
    """azure-core ``raw_response_hook``: raise :class:`InvalidAnswer` for a 2xx that is not the Blob service's.

    It runs before the SDK deserializes the answer (which would turn a bare 200 into empty properties).
    """
    request = pipeline_response.http_request
    response = pipeline_response.http_response
    query = {k: v[-1] for k, v in parse_qs(urlsplit(request.url).query).items()}
    body = b""
    if request.method != "HEAD":
        try:
            body = response.body() or b""
        except Exception:  # a streamed body: not one of the reads checked here
            body = b""
    reason = check_azure_answer(request.method, query, response.status_code, response.headers, body)
    if reason is not None:
        raise InvalidAnswer(reason)


def _plan(
    bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]
) -> tuple[str, Any, list[str | None], str]:
    """(account URL, credential, secrets to scrub, how authenticated) or raise ``LookupError``."""
    account = bucket.account or ""
    conn = parse_connection_string(environ.get("AZURE_STORAGE_CONNECTION_STRING", ""))
    conn_usable = bool(conn) and (conn.get("accountname", account) == account)

    def default_url() -> str:
        if options.endpoint_url:
            return options.endpoint_url.rstrip("/")
        if conn_usable and conn.get("blobendpoint"):
            return conn["blobendpoint"].rstrip("/")
        if bucket.endpoint:
            return str(endpoint_url(Provider.AZURE, bucket.endpoint, tls=bucket.tls))
        if conn_usable and conn.get("endpointsuffix"):
            scheme = conn.get("defaultendpointsprotocol", "https")
            return f"{scheme}://{account}.blob.{conn['endpointsuffix']}"
        return str(default_endpoint(Provider.AZURE, account))

    url = default_url()
    if bucket.credentials and bucket.credentials[1]:
        key = bucket.credentials[1].reveal()
        return url, {"account_name": account, "account_key": key}, [key], "account key from the bucket URL"
    if conn_usable:
        if conn.get("accountkey"):
            key = conn["accountkey"]
            return (
                url,
                {"account_name": account, "account_key": key},
                [key],
                "AZURE_STORAGE_CONNECTION_STRING",
            )
        if conn.get("sharedaccesssignature"):
            sas = conn["sharedaccesssignature"]
            return url, sas, [sas], "AZURE_STORAGE_CONNECTION_STRING (SAS)"
    key_env = environ.get("AZURE_STORAGE_KEY")
    if key_env and environ.get("AZURE_STORAGE_ACCOUNT", account) == account:
        return url, {"account_name": account, "account_key": key_env}, [key_env], "AZURE_STORAGE_KEY"
    sas_env = environ.get("AZURE_STORAGE_SAS_TOKEN")
    if sas_env:
        return url, sas_env.lstrip("?"), [sas_env], "AZURE_STORAGE_SAS_TOKEN"
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:
        raise LookupError(
            "no Azure credentials: set AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY or "
            "AZURE_STORAGE_SAS_TOKEN, or install azure-identity for DefaultAzureCredential"
        ) from None
    return url, DefaultAzureCredential(), [], "DefaultAzureCredential"


# One client per account and credentials, and the account-wide settings (blob service properties,
# account kind) read once per account, not once per container.
_SERVICES: dict[tuple[object, ...], Any] = {}
_LOCK = threading.Lock()


def _account_wide(
    cache: dict[tuple[object, ...], Any] | None,
    account_key: tuple[object, ...],
    name: str,
    read: Callable[[], Reading],
) -> Reading:
    if cache is None:
        return read()
    key = ("azure", *account_key, name)
    with _LOCK:
        cached = cache.get(key)
    if isinstance(cached, Reading):
        return cached
    reading = read()
    if reading.ok:  # a failure is tried again for the next container
        with _LOCK:
            cache[key] = reading
    return reading


def probe_azure(bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]) -> BucketState:
    """Read the GC-relevant settings of an Azure Blob container; never raises for an API or network error."""
    if not bucket.account:
        builder = StateBuilder(bucket, "(no storage account)", bucket.region)
        builder.access = failed(Outcome.ERROR, "the Azure bucket names no storage account")
        return builder.build()
    try:
        url, credential, secrets, _how = _plan(bucket, options, environ)
    except LookupError as exc:
        builder = StateBuilder(bucket, str(default_endpoint(Provider.AZURE, bucket.account)), bucket.region)
        builder.access = failed(Outcome.ERROR, str(exc))
        return builder.build()
    shown = public_endpoint(url)
    where = host_port(shown)
    builder = StateBuilder(bucket, shown, bucket.region)

    try:
        import requests
        from azure.storage.blob import BlobServiceClient
    except ImportError as exc:  # pragma: no cover - a dependency
        builder.access = failed(Outcome.ERROR, f"azure-storage-blob is not installed ({exc.name})")
        return builder.build()

    account_key = (url, _how, tuple(str(x) for x in secrets), options.timeout, str(options.tls_verify))
    try:
        with _LOCK:
            service = _SERVICES.get(account_key)
            if service is None:
                # azure-core's requests transport reads bodies through this session: at most
                # MAX_ANSWER_BYTES of each. (Its own session differs only in upload block size.)
                session = requests.Session()
                session.hooks["response"].append(cap_requests_body)
                service = _SERVICES[account_key] = BlobServiceClient(
                    account_url=url,
                    credential=credential,
                    connection_timeout=options.timeout,
                    read_timeout=options.timeout,
                    # The SDK's own retries (10, 15 s base backoff) are off; throttling/5xx are retried below.
                    retry_total=0,
                    connection_verify=options.tls_verify,
                    raw_response_hook=_check_response,
                    session=session,
                )
        container = service.get_container_client(bucket.name)
    except Exception as exc:
        builder.access = unexpected(exc, where, secrets)
        return builder.build()

    def read(call: Callable[[], JSON], permission: str) -> Reading:
        try:
            return ok(retrying(call, is_retryable, options.retries, budget))
        except Exception as exc:
            answered = answer_failure(exc, where, budget)
            if answered is not None:
                return answered
            if _is_http_error(exc) and getattr(exc, "status_code", None) is not None:
                return classify_azure_error(exc, where, permission)
            name = type(exc).__name__
            if name in {"ClientAuthenticationError", "CredentialUnavailableError"}:
                return failed(Outcome.ERROR, f"no usable Azure credentials ({name})")
            return network_failure(exc, where, options.timeout) or unexpected(exc, where, secrets)

    def container_call() -> JSON:
        props = container.get_container_properties()
        policy = getattr(props, "has_immutability_policy", None)
        hold = getattr(props, "has_legal_hold", None)
        return {
            "immutability_policy": None if policy is None else bool(policy),
            "legal_hold": None if hold is None else bool(hold),
        }

    # The deadlines start with the first call: importing the SDK and building a client are not counted.
    budget = Budget(options.timeout, options.retries)
    container_reading = read(container_call, DATA_PERMISSION)
    builder.access = ok(True) if container_reading.ok else container_reading
    if halted(builder.access):
        return builder.build()
    if container_reading.ok and isinstance(container_reading.value, dict):
        value = container_reading.value
        if value["immutability_policy"] is None and value["legal_hold"] is None:
            builder.set(
                Setting.IMMUTABILITY,
                failed(Outcome.NOT_SUPPORTED, f"{where} did not report immutability policy or legal hold"),
            )
        else:
            builder.set(
                Setting.IMMUTABILITY,
                ok({k: bool(v) for k, v in value.items()}),
            )
    else:
        builder.set(Setting.IMMUTABILITY, container_reading)

    def service_call() -> JSON:
        # _check_response has refused an answer without a documented <DeleteRetentionPolicy> (the SDK
        # would read a missing one as "off").
        props = service.get_service_properties()
        policy = props.get("delete_retention_policy")
        enabled = bool(getattr(policy, "enabled", False))
        days = getattr(policy, "days", None)
        return {"enabled": enabled, "days": int(days) if enabled and days is not None else None}

    soft = _account_wide(
        options.run_cache, account_key, Setting.SOFT_DELETE, lambda: read(service_call, SERVICE_PERMISSION)
    )
    builder.set(Setting.SOFT_DELETE, soft)

    def account_call() -> JSON:
        info = service.get_account_information()
        kind = info.get("account_kind")
        return str(kind) if kind else None

    builder.set(
        Setting.ACCOUNT_KIND,
        _account_wide(
            options.run_cache, account_key, Setting.ACCOUNT_KIND, lambda: read(account_call, DATA_PERMISSION)
        ),
    )
    if options.azure_subscription and options.azure_resource_group:
        from gcready.probes.azure_mgmt import SETTINGS as MANAGEMENT_SETTINGS
        from gcready.probes.azure_mgmt import read_management_plane

        account, subscription, group = (
            bucket.account,
            options.azure_subscription,
            options.azure_resource_group,
        )
        try:
            readings = budget.call(
                lambda: read_management_plane(account, subscription, group, options.timeout),
                whole_bucket=True,
            )
        except Exception as exc:
            late = answer_failure(exc, "the Azure management endpoint", budget) or unexpected(exc, where)
            readings = [(name, late) for name in MANAGEMENT_SETTINGS]
        for name, reading in readings:
            builder.set(name, reading)
    return builder.build()
