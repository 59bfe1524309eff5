"""Wall-clock deadlines for probe calls and for each bucket's whole probe, and the retries they bound.

A socket read timeout restarts on every byte, so an endpoint that drips one byte a second never trips
it. Each SDK call therefore runs in a daemon thread that is abandoned when its wall-clock deadline
passes (the thread ends on its own when the socket finally closes; being a daemon, it never keeps the
process alive). On top, a bucket's probe as a whole (every call, retry and backoff) gets
``timeout × (retries + 1)`` seconds; what is not read by then is reported as a timeout.
"""

from __future__ import annotations

import contextvars
import queue
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class CallTimedOut(Exception):
    """One call did not complete (connect, request and the whole answer) within its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


class BucketDeadlineExceeded(Exception):
    """The bucket's overall deadline ran out before (or while) this call was made."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the bucket's {seconds:g} s deadline ran out")
        self.seconds = seconds


def bucket_deadline(timeout: float, retries: int) -> float:
    """Seconds one bucket's probe may take in all: ``timeout × (retries + 1)``."""
    return timeout * (retries + 1)


# Calls run on reusable daemon threads: starting a thread per call would cost ~0.1 ms each on the
# healthy path. A thread whose call overran is simply not idle again until that call returns.
_TASKS: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
_IDLE_LOCK = threading.Lock()
_idle = 0


def _runner() -> None:
    global _idle
    while True:
        task = _TASKS.get()
        task()  # never raises: bounded() wraps every call
        with _IDLE_LOCK:
            _idle += 1


def _dispatch(task: Callable[[], None]) -> None:
    global _idle
    with _IDLE_LOCK:
        spawn = _idle == 0
        if not spawn:
            _idle -= 1  # an idle runner is claimed; it takes a task from the queue
    _TASKS.put(task)
    if spawn:
        threading.Thread(target=_runner, name="gcready-call", daemon=True).start()


def bounded(call: Callable[[], T], seconds: float) -> T:
    """``call()``'s result or exception, or :class:`CallTimedOut` once ``seconds`` of wall time pass."""
    box: list[tuple[bool, object]] = []
    finished = threading.Event()

    def run() -> None:
        try:
            box.append((True, call()))
        except BaseException as exc:  # handed to the caller, whatever it is
            box.append((False, exc))
        finally:
            finished.set()

    _dispatch(run)
    if not finished.wait(max(seconds, 0.0)):
        raise CallTimedOut(seconds)
    succeeded, value = box[0]
    if succeeded:
        return value  # type: ignore[return-value]
    raise value  # type: ignore[misc]


class Budget:
    """The deadlines of one bucket's probe: ``timeout`` per call, ``timeout × (retries + 1)`` in all."""

    def __init__(self, timeout: float, retries: int) -> None:
        self.timeout = timeout
        self.retries = retries
        self.total = bucket_deadline(timeout, retries)
        self._ends = time.monotonic() + self.total

    def remaining(self) -> float:
        """Seconds left of the bucket's deadline (0 when it has passed)."""
        return max(0.0, self._ends - time.monotonic())

    def call(self, call: Callable[[], T], whole_bucket: bool = False) -> T:
        """Run one call under ``timeout`` (or, with ``whole_bucket``, all that is left of the bucket's time).

        Raises :class:`BucketDeadlineExceeded` when the bucket's time is up before or during the call,
        :class:`CallTimedOut` when the call alone overran ``timeout``.
        """
        left = self.remaining()
        if left <= 0:
            raise BucketDeadlineExceeded(self.total)
        limit = left if whole_bucket else min(self.timeout, left)
        try:
            return bounded(call, limit)
        except CallTimedOut:
            if whole_bucket or limit < self.timeout:
                raise BucketDeadlineExceeded(self.total) from None
            raise

    def allows_wait(self, seconds: float) -> bool:
        """Whether sleeping ``seconds`` (a retry backoff) still leaves time for another attempt."""
        return self.remaining() > seconds


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


def run_bounded(
    jobs: Sequence[Callable[[], T]],
    workers: int,
    limit: float,
    overdue: Callable[[int], T],
    done: Callable[[int, T], None] | None = None,
) -> list[T]:
    """Run ``jobs`` at most ``workers`` at a time, each in a daemon thread given ``limit`` seconds.

    A job still running after ``limit`` seconds is abandoned: its result becomes ``overdue(index)`` and a
    later answer from it is dropped. ``done(index, result)`` is called once per job, from the calling
    thread, in completion order. Results come back in the order of ``jobs``. A job must not raise (an
    exception is re-raised here, as a bug). Each job runs in a copy of the caller's context.
    """
    total = len(jobs)
    results: list[T | None] = [None] * total
    finished: queue.SimpleQueue[tuple[int, bool, object]] = queue.SimpleQueue()
    running: dict[int, float] = {}  # index -> monotonic time it is given up at
    started = 0

    def start(index: int) -> None:
        def run() -> None:
            try:
                finished.put((index, True, jobs[index]()))
            except BaseException as exc:
                finished.put((index, False, exc))

        running[index] = time.monotonic() + limit
        # in the caller's context: what a probe remembers reaches the run's redactor
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(run,), name="gcready-probe", daemon=True).start()

    def settle(index: int, value: T) -> None:
        del running[index]
        results[index] = value
        if done is not None:
            done(index, value)

    while started < total or running:
        while started < total and len(running) < max(1, workers):
            start(started)
            started += 1
        wait = max(0.0, min(running.values()) - time.monotonic())
        try:
            index, succeeded, value = finished.get(timeout=wait)
        except queue.Empty:
            pass
        else:
            if index in running:  # else an abandoned job answered after all: its overdue result stands
                if not succeeded:
                    raise value  # type: ignore[misc]
                settle(index, value)  # type: ignore[arg-type]
        now = time.monotonic()
        for index, ends in sorted(running.items()):
            if ends <= now:
                settle(index, overdue(index))
    return [r for r in results if r is not None]
