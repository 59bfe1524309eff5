"""Classifying what went wrong on a probe call that no provider rule recognised.

Network failures (refused, unresolved, timed out, TLS), deadlines that ran out, answers that were not
the provider's, and anything else: each becomes a reading that says what happened, never a value. Error
text is scrubbed by the run's redactor (:mod:`gcready.redact`) before it reaches a reading.
"""

from __future__ import annotations

from collections.abc import Iterable

from gcready.model import Outcome, Reading
from gcready.probes.answers import InvalidAnswer
from gcready.probes.deadline import BucketDeadlineExceeded, Budget, CallTimedOut
from gcready.probes.state import failed
from gcready.redact import current

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


def scrubbed(text: str, secrets: Iterable[str | None] = (), limit: int = 240) -> str:
    """Error text safe for a reading: the probe's ``secrets`` remembered by the run's redactor, then
    everything it knows scrubbed, on one line of at most ``limit`` characters."""
    redactor = current()
    for secret in secrets:
        redactor.remember(secret)
    text = " ".join(redactor.scrub(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chain(exc: BaseException) -> list[BaseException]:
    """An exception and everything it wraps (cause, context, urllib3 ``reason``, wrapped args)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 20:
        current_exc = todo.pop(0)
        if any(current_exc is s for s in seen):
            continue
        seen.append(current_exc)
        for nxt in (
            current_exc.__cause__,
            current_exc.__context__,
            getattr(current_exc, "reason", None),
            getattr(current_exc, "inner_exception", None),
            getattr(current_exc, "error", None),
            *current_exc.args,
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
    detail = scrubbed(str(exc), secrets, limit=160)
    kind = type(exc).__name__
    reason = f"{kind} from {endpoint}: {detail}" if detail else f"{kind} from {endpoint}"
    return failed(Outcome.ERROR, reason)


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
    if isinstance(exc, InvalidAnswer):  # it may quote the answer: scrubbed like any error text
        return failed(Outcome.ERROR, scrubbed(f"{exc.reason}, from {endpoint}"))
    return None
