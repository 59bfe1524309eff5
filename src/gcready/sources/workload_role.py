"""Which W&B service a container runs, from its image and its command line (never from its env).

The W&B server binary ships in two images: ``wandb/local`` (the all-in-one server of the legacy chart
and of operator v1's ``app``) and ``wandb/megabinary``, one binary whose first argument names the
service: ``gorilla`` is the API server (operator ``api``), ``glue``, ``parquet``, ``filestream``,
``filemeta``, ``executor``… are the others, and hooks run ``megabinary migrate`` from a shell. The
artifact garbage collector runs in the server (``wandb/local``, ``megabinary gorilla``). Many other
containers of a W&B install carry ``GORILLA_*`` variables (rename hooks, ``anaconda2``, the lumen agent,
weave, console…): having one says nothing about where the collector runs.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

_ALL_IN_ONE = re.compile(r"(^|/)wandb/(local|server|gorilla)(:|@|$)")
_MEGABINARY = re.compile(r"(^|/)wandb/megabinary(:|@|$)")
_WANDB_IMAGE = re.compile(r"(^|/)wandb/[a-z0-9._-]+(:|@|$)")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
_SERVER_COMMAND = "gorilla"
# Names of megabinary services that are not the server, for a megabinary container without arguments
# (hand-written manifests): its workload or container name is then the only hint.
_NOT_GC_NAME = re.compile(
    r"glue|parquet|console|filestream|filemeta|flat-run|executor|weave|nginx|frontend|otel|mysql|redis"
)


class Role(enum.Enum):
    GC_SERVER = "gc-server"  # the W&B server, where the artifact garbage collector runs
    WANDB_SERVICE = "wandb-service"  # another W&B service: not judged for the GC flag
    OTHER = "other"  # not a W&B service at all


@dataclass(frozen=True)
class ContainerRole:
    role: Role
    why: str  # how the role was told, for the evidence


def _words(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, (str, int, float))]


def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def megabinary_service(command: list[str], args: list[str]) -> str | None:
    """The service a megabinary command line runs (its first argument), or None when it cannot tell."""
    if not command:
        return args[0] if args else None
    words = command + args
    if _basename(words[0]) in _SHELLS:
        script = " ".join(w for w in words[1:] if w != "-c")
        found = re.search(r"(?:^|[\s/;&|(])megabinary\s+([A-Za-z0-9_-]+)", script)
        return found.group(1) if found else None
    for index, word in enumerate(words):
        if _basename(word) == "megabinary":
            return words[index + 1] if index + 1 < len(words) else None
        if _basename(word) == _SERVER_COMMAND:
            return _SERVER_COMMAND
    return None


def container_role(container: Any, workload_name: str) -> ContainerRole:
    """The role of one container of a workload (see the module docstring)."""
    image = str(container.get("image") or "")
    command = _words(container.get("command"))
    args = _words(container.get("args"))
    name = str(container.get("name") or "")
    if _ALL_IN_ONE.search(image):
        return ContainerRole(Role.GC_SERVER, f"image {image}: the W&B server")
    if _MEGABINARY.search(image):
        service = megabinary_service(command, args)
        if service == _SERVER_COMMAND:
            return ContainerRole(Role.GC_SERVER, f"image {image} runs {_SERVER_COMMAND}: the W&B server")
        if service is not None:
            return ContainerRole(Role.WANDB_SERVICE, f"image {image} runs {service}, not the server")
        if command:
            return ContainerRole(
                Role.WANDB_SERVICE, f"image {image} with a command that does not run the server"
            )
        if _NOT_GC_NAME.search(f"{workload_name} {name}".lower()):
            return ContainerRole(
                Role.WANDB_SERVICE, f"image {image}, no arguments, named {name or workload_name}"
            )
        return ContainerRole(Role.GC_SERVER, f"image {image} without arguments: taken as the server")
    if _WANDB_IMAGE.search(image):
        return ContainerRole(Role.WANDB_SERVICE, f"image {image}: a W&B service, not the server")
    return ContainerRole(Role.OTHER, f"image {image or '(none)'}: not a W&B server image")
