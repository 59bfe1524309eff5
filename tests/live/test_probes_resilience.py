"""Dead and silent endpoints: each bucket reports what happened, quickly, and the others still come back."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest

from gcready.model import BucketRef, Outcome, Provider
from gcready.probes import BucketOverride, ProbeOptions, probe_all
from tests.live.servers import AZURITE_ACCOUNT, AZURITE_KEY, RunningServer, free_port, ref

TIMEOUT = 2.0


@pytest.fixture
def blackhole() -> Iterator[str]:
    """``127.0.0.1:PORT`` of a socket that completes TCP handshakes but never accepts nor answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@pytest.fixture
def closed_port() -> str:
    """``127.0.0.1:PORT`` where nothing listens (connection refused)."""
    return f"127.0.0.1:{free_port()}"


def _dead_buckets(where: str, tag: str) -> list[BucketRef]:
    """One bucket per provider, all pointed at ``where``."""
    return [
        ref(Provider.AWS, f"aws-{tag}", endpoint=where, credentials=("AKIDEXAMPLE", "aws-secret-" + tag)),
        ref(
            Provider.S3_COMPATIBLE,
            f"minio-{tag}",
            endpoint=where,
            credentials=("minio", "minio-secret-" + tag),
        ),
        ref(Provider.GCP, f"gcs-{tag}"),
        ref(Provider.AZURE, f"az-{tag}", account=AZURITE_ACCOUNT, credentials=("", AZURITE_KEY)),
    ]


def test_dead_endpoints_do_not_hold_up_live_buckets(
    moto_server: RunningServer,
    make_moto_bucket: Callable[..., str],
    moto_env: dict[str, str],
    blackhole: str,
    closed_port: str,
) -> None:
    live_first = make_moto_bucket("live", versioning="Enabled")
    live_last = make_moto_bucket("live")
    silent = _dead_buckets(blackhole, "silent")
    refused = _dead_buckets(closed_port, "refused")
    buckets = [
        ref(Provider.AWS, live_first, endpoint=moto_server.host_port),
        *silent,
        *refused,
        ref(Provider.AWS, live_last, endpoint=moto_server.host_port),
    ]
    options = ProbeOptions(timeout=TIMEOUT, retries=3)
    # GCS and Azure take their endpoints from overrides (per bucket), the S3 ones from the bucket URL.
    for where, group in ((blackhole, silent), (closed_port, refused)):
        options = options.with_override(group[2].name, BucketOverride(endpoint_url=f"http://{where}"))
        options = options.with_override(
            f"{AZURITE_ACCOUNT}/{group[3].name}",
            BucketOverride(endpoint_url=f"http://{where}/{AZURITE_ACCOUNT}"),
        )
    seen: list[tuple[int, int, str]] = []

    started = time.monotonic()
    # Emulator mode (anonymous) for GCS; the overrides above still decide which endpoint is asked.
    env = {**moto_env, "STORAGE_EMULATOR_HOST": f"http://{blackhole}"}
    states = probe_all(buckets, options, env, concurrency=8, progress=lambda *a: seen.append(a))
    elapsed = time.monotonic() - started

    assert elapsed < TIMEOUT * 3 + 5, f"took {elapsed:.1f} s"
    assert [s.name for s in states] == [b.name for b in buckets]  # input order kept
    assert sorted(done for done, _, _ in seen) == list(range(1, len(buckets) + 1))
    assert {total for _, total, _ in seen} == {len(buckets)}

    first, *dead, last = states
    for state in (first, last):
        assert state.access.outcome is Outcome.OK, state.access
    assert first.setting("versioning") is not None
    assert first.settings_map["versioning"].value == "enabled"
    assert last.settings_map["versioning"].value == "disabled"

    for state in dead[: len(silent)]:
        assert state.access.outcome is Outcome.TIMEOUT, (state.provider, state.access)
        assert blackhole in state.access.reason
    for state in dead[len(silent) :]:
        assert state.access.outcome is Outcome.UNREACHABLE, (state.provider, state.access)
        assert closed_port in state.access.reason
    for state in dead:
        assert state.settings == (), "nothing is claimed about a bucket that never answered"
        text = repr(state)
        assert AZURITE_KEY not in text
        assert "-secret-" not in text


def test_a_probe_that_blows_up_is_that_buckets_error_only(
    moto_server: RunningServer, make_moto_bucket: Callable[..., str], moto_env: dict[str, str]
) -> None:
    name = make_moto_bucket("ok")
    good = ref(Provider.AWS, name, endpoint=moto_server.host_port)
    # An endpoint that is not even a URL makes the SDK raise outside any call.
    broken = ref(Provider.AWS, "broken", endpoint="exa mple:not-a-port")
    states = probe_all([broken, good], ProbeOptions(timeout=TIMEOUT, retries=0), moto_env)
    assert states[0].access.outcome in (Outcome.ERROR, Outcome.UNREACHABLE)
    assert not any(r.ok for _, r in states[0].settings)
    assert states[1].access.outcome is Outcome.OK


class _Throttler:
    """A local HTTP endpoint that answers every request with 503 SlowDown, counting requests."""

    BODY = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
        b"<Message>Please reduce your request rate.</Message></Error>"
    )

    def __init__(self) -> None:
        import http.server
        import threading

        outer = self
        self.requests = 0
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                with outer.lock:
                    outer.requests += 1
                self.send_response(503)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(outer.BODY)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(outer.BODY)

            do_GET = do_HEAD = do_PUT = do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.where = f"127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def throttler() -> Iterator[_Throttler]:
    server = _Throttler()
    try:
        yield server
    finally:
        server.close()


@pytest.mark.parametrize("provider", [Provider.AWS, Provider.S3_COMPATIBLE])
def test_throttling_is_retried_then_reported_as_throttled(throttler: _Throttler, provider: Provider) -> None:
    bucket = ref(provider, "busy", endpoint=throttler.where, credentials=("AKIDEXAMPLE", "busy-secret"))
    (state,) = probe_all([bucket], ProbeOptions(timeout=TIMEOUT, retries=1), {})
    assert state.access.outcome is Outcome.THROTTLED, state.access
    versioning = state.setting("versioning")
    assert versioning is not None and versioning.outcome is Outcome.THROTTLED, versioning
    assert not any(reading.ok for _, reading in state.settings)
    calls = 1 + sum(1 for name, _ in state.settings if name != "mfa_delete")
    assert throttler.requests == calls * 2  # each call tried once more (retries=1)
    assert "busy-secret" not in repr(state)
