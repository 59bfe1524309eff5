"""Pieces the provider probes share: readings, error shapes that are not provider-specific, scrubbing."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlsplit

from gcready.model import JSON, BucketRef, BucketState, Origin, Outcome, Reading
from gcready.probes.answers import InvalidAnswer
from gcready.probes.deadline import BucketDeadlineExceeded, Budget, CallTimedOut

T = TypeVar("T")

_TIMEOUT_NAMES = frozenset(
    {
        "ReadTimeoutError",
        "ConnectTimeoutError",
        "ConnectTimeout",
        "ReadTimeout",
        "Timeout",
        "TimeoutError",
        "timeout",
    }
)
_RESOLVE_NAMES = frozenset({"gaierror", "NameResolutionError"})
_CONNECT_NAMES = frozenset(
    {
        "ConnectionRefusedError",
        "ConnectionResetError",
        "ConnectionAbortedError",
        "NewConnectionError",
        "EndpointConnectionError",
        "ConnectionClosedError",
        "ConnectionError",
        "ProtocolError",
        "RemoteDisconnected",
        "ServiceRequestError",
        "ServiceResponseError",
        "SSLError",
        "MaxRetryError",
    }
)


def now_iso() -> str:
    """The current time, ISO-8601 UTC to the second (``2026-01-02T03:04:05Z``)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def ok(value: JSON) -> Reading:
    """A setting that was actually read."""
    return Reading(outcome=Outcome.OK, value=value)


def failed(outcome: Outcome, reason: str, permission: str = "") -> Reading:
    """A setting that could not be read, and why."""
    return Reading(outcome=outcome, value=None, reason=reason, permission=permission)


def host_port(url: str) -> str:
    """``host:port`` of an endpoint URL (default port filled in), never its userinfo or path."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = parts.hostname or "?"
    try:
        port = parts.port
    except ValueError:
        port = None
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
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


_URL_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@")
_QUERY = re.compile(r"\?[^\s'\"<>]*")
_SIGNATURE_WORDS = re.compile(
    r"(?i)\b(sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|accountkey|"
    r"sharedaccesssignature|secret[a-z_]*|password|token)\s*[=:]\s*[^\s;&,'\"<>]+"
)


def scrub(text: str, secrets: Iterable[str | None] = (), limit: int = 240) -> str:
    """Remove anything secret-looking from ``text``: known secrets, URL userinfo and query, signatures."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _URL_USERINFO.sub(r"\1***@", text)
    text = _QUERY.sub("?***", text)
    text = _SIGNATURE_WORDS.sub(lambda m: f"{m.group(1)}=***", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chain(exc: BaseException) -> list[BaseException]:
    """An exception and everything it wraps (cause, context, urllib3 ``reason``, wrapped args)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        for nxt in (
            current.__cause__,
            current.__context__,
            getattr(current, "reason", None),
            getattr(current, "inner_exception", None),
            getattr(current, "error", None),
            *current.args,
        ):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
    return seen


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def network_failure(exc: BaseException, endpoint: str, timeout: float) -> Reading | None:
    """A TIMEOUT or UNREACHABLE reading if ``exc`` is a network failure, else None.

    ``endpoint`` is the ``host:port`` asked; it is the only place name a reason carries.
    """
    chain = _chain(exc)
    # Refusal first: urllib3's NewConnectionError subclasses ConnectTimeoutError for old callers.
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or any(
        "Connection refused" in str(e) or "Errno 111" in str(e) for e in chain
    ):
        return failed(Outcome.UNREACHABLE, f"connection refused by {endpoint}")
    if any(_names(e) & _RESOLVE_NAMES for e in chain):
        return failed(Outcome.UNREACHABLE, f"cannot resolve the host of {endpoint}")
    if any(type(e).__name__ in _TIMEOUT_NAMES or isinstance(e, TimeoutError) for e in chain):
        return failed(Outcome.TIMEOUT, f"no answer from {endpoint} within {timeout:g} s")
    for e in chain:
        names = _names(e)
        if "SSLError" in names or "SSLCertVerificationError" in names:
            return failed(Outcome.UNREACHABLE, f"TLS handshake with {endpoint} failed (certificate?)")
    if any(_names(e) & _CONNECT_NAMES for e in chain):
        kind = type(exc).__name__
        return failed(Outcome.UNREACHABLE, f"cannot connect to {endpoint} ({kind})")
    return None


def unexpected(exc: BaseException, endpoint: str, secrets: Iterable[str | None] = ()) -> Reading:
    """An ERROR reading for an exception no provider rule recognised (class name, scrubbed text)."""
    detail = scrub(str(exc), secrets, limit=160)
    kind = type(exc).__name__
    reason = f"{kind} from {endpoint}: {detail}" if detail else f"{kind} from {endpoint}"
    return failed(Outcome.ERROR, reason)


def retrying(
    call: Callable[[], T],
    retryable: Callable[[Exception], bool],
    retries: int,
    budget: Budget | None = None,
) -> T:
    """Run ``call``; while it raises a ``retryable`` error, try again up to ``retries`` more times.

    Backoff is exponential (0.5 s, 1 s, 2 s … capped at 8 s) with jitter. With a ``budget`` each attempt
    runs under its wall-clock deadlines, and no backoff is slept that would outlast the bucket's time
    (the last error is raised instead).
    """
    attempt = 0
    while True:
        try:
            return budget.call(call) if budget is not None else call()
        except Exception as exc:
            if attempt >= retries or not retryable(exc):
                raise
            delay = min(0.5 * (2**attempt), 8.0) * random.uniform(0.5, 1.0)
            if budget is not None and not budget.allows_wait(delay):
                raise
            time.sleep(delay)
            attempt += 1


def answer_failure(exc: BaseException, endpoint: str, budget: Budget) -> Reading | None:
    """A reading for a deadline that ran out or an answer that was not the provider's, else None."""
    if isinstance(exc, CallTimedOut):
        return failed(
            Outcome.TIMEOUT,
            f"no complete answer from {endpoint} within {exc.seconds:g} s (--timeout bounds each call)",
        )
    if isinstance(exc, BucketDeadlineExceeded):
        return failed(
            Outcome.TIMEOUT,
            f"not read: this bucket's {exc.seconds:g} s deadline (--timeout {budget.timeout:g} s × "
            f"{budget.retries + 1} attempts) ran out waiting on {endpoint}",
        )
    if isinstance(exc, InvalidAnswer):
        return failed(Outcome.ERROR, f"{exc.reason}, from {endpoint}")
    return None


class StateBuilder:
    """Collects the readings of one probe and turns them into a :class:`BucketState`."""

    def __init__(self, bucket: BucketRef, endpoint: str, region: str | None = None) -> None:
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = region
        self.access: Reading = failed(Outcome.ERROR, "not probed")
        self.settings: list[tuple[str, Reading]] = []

    def set(self, name: str, reading: Reading) -> None:
        """Record (or replace) the reading of one setting."""
        self.settings = [(k, v) for k, v in self.settings if k != name]
        self.settings.append((name, reading))

    def build(self) -> BucketState:
        """The finished state, stamped with the time."""
        return BucketState(
            provider=self.bucket.provider,
            name=self.bucket.name,
            origin=Origin(source="probe", path=self.endpoint),
            access=self.access,
            account=self.bucket.account,
            endpoint=self.endpoint,
            region=self.region,
            settings=tuple(self.settings),
            observed_at=now_iso(),
        )


def halted(access: Reading) -> bool:
    """After this access reading, reading settings is pointless (missing bucket, dead endpoint)."""
    return access.outcome in (Outcome.NOT_FOUND, Outcome.UNREACHABLE, Outcome.TIMEOUT)


def record_versioning(
    builder: StateBuilder, access: Reading, versioning: Reading, status_key: str, mfa_key: str
) -> bool:
    """Record an S3-style versioning answer as ``versioning`` and ``mfa_delete``.

    Returns True when the answer shows the bucket is missing (the probe then stops: nothing else is
    read, and nothing is reported as "off").
    """
    if versioning.ok and isinstance(versioning.value, dict):
        status = versioning.value.get(status_key)
        mfa = versioning.value.get(mfa_key)
        builder.set(
            "versioning", ok({"Enabled": "enabled", "Suspended": "suspended"}.get(str(status), "disabled"))
        )
        builder.set("mfa_delete", ok("enabled" if mfa == "Enabled" else "disabled"))
    else:
        builder.set("versioning", versioning)
        builder.set("mfa_delete", versioning)
    if (
        access.outcome is Outcome.DENIED
        and versioning.outcome is Outcome.DENIED
        and not versioning.permission
    ):
        # A HEAD answer has no body; the versioning answer says the keys themselves were rejected.
        builder.access = versioning
    if versioning.outcome is Outcome.NOT_FOUND:
        builder.access = versioning
        builder.settings = []
        return True
    return False
