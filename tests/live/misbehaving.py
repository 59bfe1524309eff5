"""A local endpoint that misbehaves on purpose, for the probes' hostile-input tests.

Each :class:`MisbehavingServer` listens on 127.0.0.1 on a free port and answers every request in one
:class:`Mode`: it never answers, refuses, answers 503, garbage, an HTML 200, an empty 200, answers only
after a delay, or drips its answer one byte a second (which defeats socket read timeouts). It runs on
daemon threads, holds at most ``max_connections`` connections, stops when :meth:`close` is called and,
whatever happens, by itself after ``lifetime`` seconds.
"""

from __future__ import annotations

import contextlib
import enum
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.live.servers import free_port


class Mode(enum.StrEnum):
    BLACKHOLE = "blackhole"  # accepts connections, reads the request, never answers
    REFUSED = "refused"  # nothing listens: connection refused
    UNAVAILABLE = "503"  # a load balancer's HTML 503 page
    GARBAGE = "garbage"  # bytes that are not HTTP, then close
    HTML_200 = "html-200"  # a captive portal / proxy page with status 200
    EMPTY_200 = "empty-200"  # status 200, no body
    SLOW = "slow"  # an empty 200, but only after ``delay`` seconds
    DRIP = "drip"  # a 200 XML answer sent one byte every ``drip_interval`` seconds
    HUGE = "huge"  # a 200 declaring a 2 GiB body, then sending it as fast as the client reads


HUGE_LENGTH = 2 * 1024**3


HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head>"
    b"<body><h1>Network login</h1><p>Please sign in.</p></body></html>\n"
)
GARBAGE = b"\x00\xff\x13\x37SSH-2.0-OpenSSH_9.6\r\n\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(
    range(64)
)
DRIP_BODY = b'<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration><Status>Enabled</Status>' + (
    b" " * 4096
)


class MisbehavingServer:
    """One misbehaving endpoint; ``where`` is its ``127.0.0.1:PORT``, ``endpoint`` its http URL."""

    def __init__(
        self,
        mode: Mode,
        *,
        delay: float = 6.0,
        drip_interval: float = 1.0,
        max_connections: int = 64,
        lifetime: float = 600.0,
    ) -> None:
        self.mode = mode
        self.delay = delay
        self.drip_interval = drip_interval
        self.requests: list[str] = []  # "METHOD /path?query" of each request read (no headers: they sign)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._clients: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        if mode is Mode.REFUSED:
            self.port = free_port()
        else:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            listener.settimeout(0.2)
            self._listener = listener
            self.port = listener.getsockname()[1]
            threading.Thread(target=self._accept_loop, name=f"misbehaving-{mode}", daemon=True).start()
        self._timer = threading.Timer(lifetime, self.close)
        self._timer.daemon = True
        self._timer.start()

    @property
    def where(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"http://{self.where}"

    def close(self) -> None:
        """Stop accepting and drop every open connection (idempotent)."""
        self._stop.set()
        self._timer.cancel()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        with self._lock:
            clients = list(self._clients)
            self._clients.clear()
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                client.close()

    # ------------------------------------------------------------ serving

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._slots.acquire(blocking=False):
                client.close()  # bounded: beyond max_connections, hang up at once
                continue
            with self._lock:
                self._clients.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(5.0)
            while not self._stop.is_set():
                request = self._read_request(client)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                if not self._answer(client, request.split(" ", 1)[0]):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._clients.discard(client)
            with contextlib.suppress(OSError):
                client.close()
            self._slots.release()

    def _read_request(self, client: socket.socket) -> str | None:
        """The request line of the next request (its head and body consumed), or None at end of stream."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return None
            data += chunk
            if len(data) > 1 << 20:
                return None
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length" and value.strip().isdigit():
                length = int(value.strip())
        while len(rest) < length:
            chunk = client.recv(65536)
            if not chunk:
                return None
            rest += chunk
        method, _, tail = lines[0].partition(" ")
        return f"{method} {tail.rsplit(' ', 1)[0]}"

    def _answer(self, client: socket.socket, method: str) -> bool:
        """Answer one request; True to keep the connection for another."""
        mode = self.mode
        if mode is Mode.BLACKHOLE:
            self._stop.wait()  # hold the connection, say nothing
            return False
        if mode is Mode.GARBAGE:
            client.sendall(GARBAGE)
            return False
        if mode is Mode.UNAVAILABLE:
            body = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n"
            self._send(client, method, "503 Service Unavailable", "text/html", body)
            return False
        if mode is Mode.HTML_200:
            self._send(client, method, "200 OK", "text/html; charset=utf-8", HTML_PAGE)
            return True
        if mode is Mode.EMPTY_200:
            self._send(client, method, "200 OK", None, b"")
            return True
        if mode is Mode.SLOW:
            if self._stop.wait(self.delay):
                return False
            self._send(client, method, "200 OK", None, b"")
            return False
        if mode is Mode.DRIP:
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
                f"Content-Length: {len(DRIP_BODY)}\r\nx-amz-request-id: drip\r\nx-ms-request-id: drip\r\n\r\n"
            ).encode()
            payload = head if method == "HEAD" else head + DRIP_BODY
            for index in range(len(payload)):
                client.sendall(payload[index : index + 1])
                if self._stop.wait(self.drip_interval):
                    return False
            return False
        if mode is Mode.HUGE:
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {HUGE_LENGTH}\r\n"
                "x-amz-request-id: huge\r\nx-ms-request-id: huge\r\n\r\n"
            ).encode()
            client.sendall(head)
            if method == "HEAD":
                return True
            self._flood(client, HUGE_LENGTH)
            return False
        raise AssertionError(f"unhandled mode {mode}")  # pragma: no cover

    def _flood(self, client: socket.socket, total: int | None) -> None:
        """Send ``total`` bytes (None: chunked, without end) until the client hangs up or the server stops."""
        chunk = b" " * 65536
        sent = 0
        while not self._stop.is_set() and (total is None or sent < total):
            client.sendall(chunk if total is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)

    def _send(
        self,
        client: socket.socket,
        method: str,
        status: str,
        content_type: str | None,
        body: bytes,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        headers = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Server: misbehaving"]
        if content_type:
            headers.append(f"Content-Type: {content_type}")
        headers.extend(f"{k}: {v}" for k, v in (extra or {}).items())
        head = ("\r\n".join(headers) + "\r\n\r\n").encode()
        client.sendall(head if method == "HEAD" else head + body)


@dataclass(frozen=True)
class Answer:
    """One crafted answer: ``body`` None with ``chunked_forever`` sends a chunked body that never ends."""

    status: str = "200 OK"
    body: bytes = b""
    content_type: str | None = "application/xml"
    headers: Mapping[str, str] = field(default_factory=dict)
    chunked_forever: bool = False


class ScriptedServer(MisbehavingServer):
    """An endpoint that answers each request with the first route whose text occurs in its request line
    (``"GET /b?versioning"``), else 404. Each answer carries the request-id headers S3 and Azure send,
    so the SDKs take it for the service's; what it says is what the test crafted."""

    def __init__(self, routes: Sequence[tuple[str, Answer]], **kwargs: Any) -> None:
        self.routes = list(routes)
        self._current = threading.local()  # the request line each connection's thread is answering
        super().__init__(Mode.EMPTY_200, **kwargs)

    def _read_request(self, client: socket.socket) -> str | None:
        self._current.request = super()._read_request(client)
        return self._current.request

    def _answer(self, client: socket.socket, method: str) -> bool:
        request = self._current.request or ""
        answer = next((a for match, a in self.routes if match in request), None)
        if answer is None:
            answer = Answer("404 Not Found", b"<Error><Code>NoSuchKey</Code></Error>")
        extra = {"x-amz-request-id": "scripted", "x-ms-request-id": "scripted", **answer.headers}
        if answer.chunked_forever:
            head = [f"HTTP/1.1 {answer.status}", "Transfer-Encoding: chunked", "Server: misbehaving"]
            head.extend(f"{k}: {v}" for k, v in extra.items())
            client.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            if method != "HEAD":
                self._flood(client, None)
            return False
        self._send(client, method, answer.status, answer.content_type, answer.body, extra)
        return True
