"""Wall-clock deadlines: per call, per bucket, and the scheduler that abandons what overruns."""

from __future__ import annotations

import threading
import time

import pytest

from gcready.model import Outcome
from gcready.probes.answers import InvalidAnswer
from gcready.probes.deadline import (
    BucketDeadlineExceeded,
    Budget,
    CallTimedOut,
    bounded,
    bucket_deadline,
    retrying,
    run_bounded,
)
from gcready.probes.errors import answer_failure


def test_bounded_returns_result_or_exception() -> None:
    assert bounded(lambda: 42, 1.0) == 42

    def boom() -> int:
        raise KeyError("x")

    with pytest.raises(KeyError):
        bounded(boom, 1.0)


def test_bounded_gives_up_on_a_call_that_never_finishes() -> None:
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(CallTimedOut) as caught:
        bounded(lambda: release.wait(30), 0.3)
    elapsed = time.monotonic() - started
    release.set()
    assert 0.25 <= elapsed < 1.5
    assert caught.value.seconds == 0.3


def test_budget_is_timeout_times_attempts_and_cuts_calls_short() -> None:
    assert bucket_deadline(2.0, 3) == 8.0
    budget = Budget(timeout=0.4, retries=1)  # 0.8 s in all
    assert budget.call(lambda: "a") == "a"
    with pytest.raises(CallTimedOut):  # the call's own limit, 0.4 s
        budget.call(lambda: time.sleep(5))
    with pytest.raises(BucketDeadlineExceeded):  # only ~0.4 s left, less than a call's limit
        budget.call(lambda: time.sleep(5))
    with pytest.raises(BucketDeadlineExceeded):  # nothing left: not even started
        budget.call(lambda: "never")
    assert budget.remaining() == 0.0


def test_retrying_never_sleeps_past_the_bucket_deadline() -> None:
    calls: list[float] = []

    def busy() -> None:
        calls.append(time.monotonic())
        raise RuntimeError("503")

    budget = Budget(timeout=0.2, retries=10)  # 2.2 s: backoff 0.25-0.5 s, 0.5-1 s, 1-2 s ... stops early
    started = time.monotonic()
    with pytest.raises(RuntimeError):
        retrying(busy, lambda exc: True, 10, budget)
    assert time.monotonic() - started <= 2.2 + 0.3
    assert 2 <= len(calls) <= 4


def test_deadline_and_shape_failures_become_readings() -> None:
    budget = Budget(timeout=2.0, retries=3)
    call = answer_failure(CallTimedOut(2.0), "127.0.0.1:9", budget)
    assert call is not None and call.outcome is Outcome.TIMEOUT
    assert "127.0.0.1:9" in call.reason and "2 s" in call.reason
    whole = answer_failure(BucketDeadlineExceeded(8.0), "127.0.0.1:9", budget)
    assert whole is not None and whole.outcome is Outcome.TIMEOUT
    assert "8 s deadline" in whole.reason and "× 4 attempts" in whole.reason
    shape = answer_failure(InvalidAnswer("not an S3 answer: HTTP 200 with an empty body"), "h:1", budget)
    assert shape is not None and shape.outcome is Outcome.ERROR and shape.value is None
    assert shape.reason.endswith("from h:1")
    assert answer_failure(KeyError("x"), "h:1", budget) is None


def test_run_bounded_keeps_order_limits_concurrency_and_abandons_overruns() -> None:
    release = threading.Event()
    active = 0
    peak = 0
    lock = threading.Lock()

    def job(value: str, seconds: float) -> str:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        try:
            if seconds < 0:
                release.wait(30)  # stalls until the test ends
            else:
                time.sleep(seconds)
            return value
        finally:
            with lock:
                active -= 1

    jobs = [lambda v=v, s=s: job(v, s) for v, s in [("a", 0.05), ("stall", -1), ("b", 0.1), ("c", 0.0)]]
    seen: list[int] = []
    started = time.monotonic()
    out = run_bounded(
        jobs, workers=2, limit=0.6, overdue=lambda i: f"overdue-{i}", done=lambda i, _: seen.append(i)
    )
    elapsed = time.monotonic() - started
    release.set()
    assert out == ["a", "overdue-1", "b", "c"]
    assert sorted(seen) == [0, 1, 2, 3] and seen[-1] == 1  # reported once each; the stalled one last
    assert peak <= 2
    assert elapsed < 1.5


def test_run_bounded_re_raises_a_job_that_blows_up() -> None:
    def boom() -> str:
        raise ValueError("bug")

    with pytest.raises(ValueError):
        run_bounded([boom], workers=1, limit=5, overdue=lambda i: "x")


def test_abandoned_threads_are_daemons() -> None:
    release = threading.Event()
    with pytest.raises(CallTimedOut):
        bounded(lambda: release.wait(30), 0.05)
    stuck = [t for t in threading.enumerate() if t.name == "gcready-call" and t.is_alive()]
    assert stuck and all(t.daemon for t in stuck)
    release.set()


def test_jobs_run_in_the_callers_context_so_they_share_the_runs_redactor() -> None:
    from gcready.probes.errors import unexpected
    from gcready.redact import MASK, current, scrub

    run = current()

    def job() -> object:
        # a probe's secret, scrubbed from its own error text and remembered for every later output
        reading = unexpected(RuntimeError("refused key probe-secret-77"), "h:1", ["probe-secret-77"])
        return (current() is run, reading.reason)

    (result,) = run_bounded([job], workers=1, limit=5.0, overdue=lambda i: None)
    assert result == (True, f"RuntimeError from h:1: refused key {MASK}")
    assert scrub("later: probe-secret-77") == f"later: {MASK}"
