"""What one raw environment variable tells gcready, whatever file it came from.

Every source that finds ``NAME=value`` hands it here, so redaction, bucket URLs and deployment-type
signals are read the same way from a dotenv file, a Kubernetes container, Helm values or the process.
"""

from __future__ import annotations

from dataclasses import dataclass

from gcready.bucketurl import BUCKET_ENV_VARS, LIST_ENV_VARS, BucketURLError, parse_bucket_url
from gcready.goparse import parse_bool
from gcready.model import BucketRef, EnvValue, Note, Origin, Signal, SignalKind
from gcready.redact import display_env_value

# Variables only a W&B server reads: their presence makes a file a server configuration.
SERVER_VARS = frozenset({"BUCKET", "MYSQL", "LICENSE", "HOST", "BUCKET_QUEUE", "REDIS"})
ONPREM_VARS = ("GORILLA_ONPREM", "ONPREM")
BASE_URL_VARS = ("WANDB_BASE_URL",)


def is_server_var(name: str) -> bool:
    return name.startswith("GORILLA_") or name in SERVER_VARS or name in ONPREM_VARS


@dataclass(frozen=True)
class EnvRead:
    value: EnvValue
    buckets: tuple[BucketRef, ...] = ()
    signals: tuple[Signal, ...] = ()
    notes: tuple[Note, ...] = ()


def read_env_var(name: str, raw: str, origin: Origin) -> EnvRead:
    """Redact the value, and pull out the buckets and signals it carries."""
    shown, redacted = display_env_value(name, raw)
    value = EnvValue(name=name, value=shown, origin=origin, redacted=redacted)
    buckets: list[BucketRef] = []
    signals: list[Signal] = []
    notes: list[Note] = []
    if name in BUCKET_ENV_VARS or name in LIST_ENV_VARS:
        urls = [u for u in raw.split(",") if u.strip()] if name in LIST_ENV_VARS else [raw]
        for url in urls:
            if not url.strip():
                continue
            try:
                buckets.append(parse_bucket_url(url, origin))
            except BucketURLError as exc:
                notes.append(Note(f"{name}: {exc}", origin))
    if name in ONPREM_VARS and parse_bool(raw.strip()) is True:
        signals.append(Signal(SignalKind.ONPREM_FLAG, f"{name}={raw.strip()}", origin))
    if name in BASE_URL_VARS and raw.strip():
        signals.append(Signal(SignalKind.BASE_URL, shown or raw.strip(), origin))
    return EnvRead(value, tuple(buckets), tuple(signals), tuple(notes))


def unresolved(name: str, origin: Origin, why: str, *, secret: bool = False) -> EnvValue:
    """A variable whose value gcready cannot know from the inputs."""
    return EnvValue(name=name, value=None, origin=origin, redacted=secret, unresolved=why)


def not_a_string(config_map: object, value: object) -> str:
    """Why a ConfigMap ``data`` value is not read: ``data`` is a map of strings (``yes`` unquoted is a
    YAML boolean), so the API server rejects the ConfigMap and no pod gets the variable from it."""
    what = {bool: "a boolean", int: "a number", float: "a number"}.get(type(value), "not a string")
    return (
        f"ConfigMap {config_map} data value is {what}, not a string (quote it): "
        "the Kubernetes API server rejects this ConfigMap"
    )


def from_secret(name: str, origin: Origin, secret: str) -> EnvValue:
    """A variable a Secret sets (``secret`` names it, and its key where known): never read."""
    return unresolved(name, origin, f"from Secret {secret}: gcready never reads Secret values", secret=True)
