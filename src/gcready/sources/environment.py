"""The process environment: the server's own env when gcready runs inside its container, or a client's."""

from __future__ import annotations

from collections.abc import Mapping

from gcready.bucketurl import BUCKET_ENV_VARS
from gcready.model import Component, ComponentKind, Evidence, Origin, Signal, SignalKind
from gcready.model.placement import ProcessEnv
from gcready.sources.envvars import BASE_URL_VARS, is_server_var, read_env_var

SOURCE = "environment"


def read(environ: Mapping[str, str]) -> Evidence:
    """Only the variables that matter to gcready are looked at; the rest are never touched."""
    names = sorted(n for n in environ if is_server_var(n) or n in BASE_URL_VARS or n in BUCKET_ENV_VARS)
    reads = [read_env_var(n, environ[n], Origin(SOURCE, None, n)) for n in names]
    signals = [s for r in reads for s in r.signals]
    components: tuple[Component, ...] = ()
    if any(is_server_var(n) for n in names):
        signals.append(
            Signal(SignalKind.SERVER_CONFIG, "W&B server variables in the environment", Origin(SOURCE))
        )
        components = (
            Component(
                name="process environment",
                kind=ComponentKind.PROCESS_ENV,
                origin=Origin(SOURCE),
                env=tuple(r.value for r in reads),
                placement=ProcessEnv(),
            ),
        )
    return Evidence(
        components=components,
        signals=tuple(signals),
        buckets=tuple(b for r in reads for b in r.buckets),
        notes=tuple(n for r in reads for n in r.notes),
    )
