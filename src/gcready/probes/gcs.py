"""Read-only probe of a Google Cloud Storage bucket with google-cloud-storage.

One call (``buckets.get``, permission ``storage.buckets.get``) returns every setting gcready needs:
object versioning, the soft-delete policy, the retention policy, lifecycle rules and the location.
"""

from __future__ import annotations

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
    VersioningStatus,
    default_endpoint,
    host_port,
    public_endpoint,
)
from gcready.probes.answers import (
    InvalidAnswer,
    check_gcs_answer,
    check_gcs_bucket,
    documented,
    not_understood,
)
from gcready.probes.bodies import cap_requests_body
from gcready.probes.deadline import Budget, retrying
from gcready.probes.errors import answer_failure, network_failure, unexpected
from gcready.probes.options import ProbeOptions
from gcready.probes.state import StateBuilder, failed, ok

GCS_DEFAULT_ENDPOINT = str(default_endpoint(Provider.GCP))
PERMISSION = "storage.buckets.get"
SCOPES = ("https://www.googleapis.com/auth/devstorage.read_only",)


def _status(exc: BaseException) -> int | None:
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return code
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(exc: Exception) -> bool:
    """Retry throttling (429) and server errors (5xx) only."""
    if not _is_api_error(exc):
        return False
    status = _status(exc)
    return status is not None and (status == 429 or status >= 500)


def _is_api_error(exc: BaseException) -> bool:
    return any(cls.__name__ == "GoogleAPICallError" for cls in type(exc).__mro__)


def classify_gcs_error(exc: BaseException, where: str) -> Reading:
    """Map a google-api-core error to a reading."""
    status = _status(exc)
    reason_word = ""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        reason_word = str(errors[0].get("reason") or "")
    label = f"{reason_word or type(exc).__name__} (HTTP {status}, {where})"
    if status == 429:
        return failed(Outcome.THROTTLED, f"throttled: {label} after retries")
    if status == 401:
        return failed(Outcome.DENIED, f"credentials rejected: {label}")
    if status == 403:
        return failed(Outcome.DENIED, f"access denied: {label}; needs {PERMISSION}", PERMISSION)
    if status == 404:
        return failed(Outcome.NOT_FOUND, f"bucket not found: {label}")
    if status == 501:
        return failed(Outcome.NOT_SUPPORTED, f"the server does not support this call: {label}")
    return failed(Outcome.ERROR, label)


def _credentials(bucket: BucketRef, environ: Mapping[str, str], emulator: bool) -> tuple[Any, str | None]:
    """(credentials, project) to build the client with; credentials None means the ADC chain."""
    from google.auth.credentials import AnonymousCredentials

    if emulator:
        anonymous = AnonymousCredentials()  # type: ignore[no-untyped-call]
        return anonymous, environ.get("GOOGLE_CLOUD_PROJECT") or "test"
    project = environ.get("GOOGLE_CLOUD_PROJECT") or environ.get("GCLOUD_PROJECT")
    if bucket.credentials:
        from google.oauth2 import service_account

        email, key = (c.reveal() for c in bucket.credentials)
        info = {
            "type": "service_account",
            "client_email": email,
            "private_key": key,
            "token_uri": "https://oauth2.googleapis.com/token",
        }
        creds = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=SCOPES
        )
        return creds, project
    path = environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path:
        import google.auth

        creds, file_project = google.auth.load_credentials_from_file(  # type: ignore[no-untyped-call]
            path, scopes=SCOPES
        )
        return creds, project or file_project
    import google.auth

    creds, adc_project = google.auth.default(scopes=SCOPES)
    return creds, project or adc_project


def _check_response(response: Any, *args: Any, **kwargs: Any) -> None:
    """requests response hook: raise :class:`InvalidAnswer` for a 2xx that is not a JSON API answer."""
    reason = check_gcs_answer(response.status_code, response.headers.get("content-type"), response.content)
    if reason is not None:
        raise InvalidAnswer(reason)


# A JSON boolean as the GCS JSON API writes it; a string "false" is not one (bool("false") is True).
_FLAG: Mapping[str | bool | None, bool] = {True: True, False: False, None: False}


def _seconds(value: object, what: str) -> int:
    """An int64 field, which the JSON API writes as a decimal string (some emulators as a number)."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise not_understood(what, value, "a number of seconds")


def _reading(read: Callable[[], JSON], where: str) -> Reading:
    """One setting taken from the bucket resource, or why its value cannot be judged."""
    try:
        return ok(read())
    except InvalidAnswer as exc:
        return failed(Outcome.ERROR, f"{exc.reason}, from {where}")


def _versioning(props: Mapping[str, Any]) -> JSON:
    versioning = props.get("versioning")
    if versioning is None:
        return VersioningStatus.DISABLED
    if not isinstance(versioning, dict):
        raise not_understood("the versioning field", versioning, "an object with a boolean enabled")
    enabled = documented(versioning.get("enabled"), _FLAG, "versioning.enabled")
    return VersioningStatus.ENABLED if enabled else VersioningStatus.DISABLED


def _soft_delete(props: Mapping[str, Any], where: str) -> Reading:
    policy = props.get("softDeletePolicy")
    if not isinstance(policy, dict):
        return failed(Outcome.NOT_SUPPORTED, f"{where} did not report a soft-delete policy")

    def read() -> JSON:
        seconds = _seconds(
            policy.get("retentionDurationSeconds"), "softDeletePolicy.retentionDurationSeconds"
        )
        days: int | float = seconds // 86400 if seconds % 86400 == 0 else round(seconds / 86400, 3)
        return {"enabled": seconds > 0, "days": days, "seconds": seconds}

    return _reading(read, where)


def _retention(props: Mapping[str, Any]) -> JSON:
    policy = props.get("retentionPolicy")
    if not isinstance(policy, dict):
        return None
    return {
        "seconds": _seconds(policy.get("retentionPeriod"), "retentionPolicy.retentionPeriod"),
        "locked": documented(policy.get("isLocked"), _FLAG, "retentionPolicy.isLocked"),
    }


def _json(value: Any) -> JSON:
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def probe_gcs(bucket: BucketRef, options: ProbeOptions, environ: Mapping[str, str]) -> BucketState:
    """Read the GC-relevant settings of a GCS bucket; never raises for an API or network error.

    With ``STORAGE_EMULATOR_HOST`` in ``environ`` the emulator is asked with anonymous credentials;
    otherwise the key from the W&B bucket URL, ``GOOGLE_APPLICATION_CREDENTIALS`` or ADC is used.
    """
    emulator_host = environ.get("STORAGE_EMULATOR_HOST")
    endpoint_url = options.endpoint_url
    if endpoint_url is None and emulator_host:
        endpoint_url = emulator_host if "://" in emulator_host else f"http://{emulator_host}"
    shown = public_endpoint(endpoint_url) if endpoint_url else GCS_DEFAULT_ENDPOINT
    where = host_port(shown)
    builder = StateBuilder(bucket, shown, bucket.region)
    secrets = [bucket.credentials[1].reveal() if bucket.credentials else None]

    try:
        from google.cloud import storage
    except ImportError as exc:  # pragma: no cover - a dependency
        builder.access = failed(Outcome.ERROR, f"google-cloud-storage is not installed ({exc.name})")
        return builder.build()

    try:
        credentials, project = _credentials(bucket, environ, emulator=bool(emulator_host))
        kwargs: dict[str, Any] = {"project": project or "<none>", "credentials": credentials}
        if endpoint_url:
            kwargs["client_options"] = {"api_endpoint": endpoint_url.rstrip("/")}
        verify = options.tls_verify
        if verify is not True:
            from google.auth.transport.requests import AuthorizedSession

            session = AuthorizedSession(credentials)  # type: ignore[no-untyped-call]
            session.verify = verify
            kwargs["_http"] = session
        client = storage.Client(**kwargs)
        # Read at most MAX_ANSWER_BYTES of any answer; an empty or HTML 200 would otherwise become an
        # empty bucket resource ("versioning off").
        client._http.hooks["response"].extend([cap_requests_body, _check_response])
    except Exception as exc:
        name = type(exc).__name__
        if name in {"DefaultCredentialsError", "TransportError", "RefreshError"}:
            builder.access = failed(Outcome.ERROR, f"no usable Google credentials ({name})")
        else:
            builder.access = unexpected(exc, where, secrets)
        return builder.build()

    # The deadlines start with the first call: importing the SDK and building a client are not counted.
    budget = Budget(options.timeout, options.retries)
    handle = client.bucket(bucket.name)
    try:
        retrying(
            lambda: handle.reload(timeout=options.timeout, retry=None), is_retryable, options.retries, budget
        )
    except Exception as exc:
        answered = answer_failure(exc, where, budget)
        if answered is not None:
            builder.access = answered
        elif _is_api_error(exc):
            builder.access = classify_gcs_error(exc, where)
        else:
            name = type(exc).__name__
            network = network_failure(exc, where, options.timeout)
            if network is not None:
                builder.access = network
            elif name in {"DefaultCredentialsError", "RefreshError"}:
                builder.access = failed(Outcome.ERROR, f"no usable Google credentials ({name})")
            else:
                builder.access = unexpected(exc, where, secrets)
        if builder.access.outcome is Outcome.DENIED and builder.access.permission:
            # Every setting comes from the same call: say so for each.
            for setting in (
                Setting.VERSIONING,
                Setting.SOFT_DELETE,
                Setting.RETENTION,
                Setting.LIFECYCLE,
                Setting.LOCATION,
            ):
                builder.set(setting, builder.access)
        return builder.build()

    props: Mapping[str, Any] = handle._properties
    shape = check_gcs_bucket(props, bucket.name)
    if shape is not None:
        builder.access = failed(Outcome.ERROR, f"{shape}, from {where}")
        return builder.build()
    builder.access = ok(True)
    builder.set(Setting.VERSIONING, _reading(lambda: _versioning(props), where))
    builder.set(Setting.SOFT_DELETE, _soft_delete(props, where))
    builder.set(Setting.RETENTION, _reading(lambda: _retention(props), where))
    builder.set(Setting.LIFECYCLE, ok(_json((props.get("lifecycle") or {}).get("rule") or [])))
    location = props.get("location")
    builder.set(
        Setting.LOCATION,
        ok(str(location))
        if location
        else failed(Outcome.NOT_SUPPORTED, f"{where} did not report a location"),
    )
    if builder.region is None and location:
        builder.region = str(location).lower()
    return builder.build()
