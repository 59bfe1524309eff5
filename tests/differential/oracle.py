"""The rendered truth: what the W&B server containers of a real render get as GORILLA_ARTIFACT_GC_ENABLED.

Independent of gcready's readers on purpose (plain PyYAML, where a repeated key keeps the later value as
Kubernetes tooling does): a server container runs ``wandb/local``, or ``wandb/megabinary`` with args
``[gorilla]``; env entries are read in order (later wins) over envFrom (later source wins); a
ConfigMap the render holds is read, one it does not (optional or not) is unknown, and so is what an
earlier source set; ``valueFrom`` is unknown; the kubelet expands ``$(VAR)`` from earlier entries;
Go's ``strconv.ParseBool`` decides.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import yaml

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
_SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def _objects(manifests: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path, text in manifests.items():
        for part in _SEPARATOR.split(text):  # as Helm's releaseutil.SplitManifests cuts documents
            doc = yaml.safe_load(part) if part.strip() else None
            if isinstance(doc, dict) and "kind" in doc:
                out.append((path, doc))
    return out


def _is_server(container: dict[str, Any]) -> bool:
    image = str(container.get("image") or "")
    if re.search(r"(^|/)wandb/local[:@]", image):
        return True
    return bool(re.search(r"(^|/)wandb/megabinary[:@]", image)) and container.get("args") == ["gorilla"]


def _expand(value: str, earlier: dict[str, str | None]) -> str | None:
    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        if name in earlier:
            got = earlier[name]
            if got is None:
                raise LookupError(name)
            return got
        return match.group(0)

    try:
        return _REF.sub(one, value)
    except LookupError:
        return None


def container_verdict(
    container: dict[str, Any], config_maps: dict[str, dict[str, Any]], secrets: dict[str, dict[str, Any]]
) -> str:
    """pass | fail | unknown for one server container."""
    env: dict[str, str | None] = {}
    unknown_source = False
    for source in container.get("envFrom") or []:
        prefix = str(source.get("prefix") or "")
        if "configMapRef" in source:
            ref = source["configMapRef"]
            cm = config_maps.get(str(ref.get("name")))
            if cm is None:  # it may exist (optional or not) and win over every earlier source
                env, unknown_source = dict.fromkeys(env), True
                continue
            for key, value in (cm.get("data") or {}).items():
                env[prefix + str(key)] = str(value)
        elif "secretRef" in source:
            ref = source["secretRef"]
            secret = secrets.get(str(ref.get("name")))
            if secret is None:
                env, unknown_source = dict.fromkeys(env), True
                continue
            for key, value in (secret.get("data") or {}).items():
                env[prefix + str(key)] = base64.b64decode(str(value)).decode("utf-8", "replace")
            for key, value in (secret.get("stringData") or {}).items():
                env[prefix + str(key)] = str(value)
    for entry in container.get("env") or []:
        name = str(entry.get("name"))
        if "valueFrom" in entry:
            env[name] = None
        else:
            env[name] = _expand(str(entry.get("value", "")), env)
    if FLAG not in env:
        return "unknown" if unknown_source else "fail"
    value = env[FLAG]
    if value is None:
        return "unknown"
    return "pass" if value in _TRUE else "fail"


def truth(manifests: dict[str, str]) -> dict[str, str]:
    """Chart component (the subchart the Deployment comes from) → verdict, for each server container."""
    objects = _objects(manifests)
    config_maps = {str(doc["metadata"]["name"]): doc for _, doc in objects if doc.get("kind") == "ConfigMap"}
    secrets = {str(doc["metadata"]["name"]): doc for _, doc in objects if doc.get("kind") == "Secret"}
    verdicts: dict[str, str] = {}
    for path, doc in objects:
        if doc.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        parts = path.split("/")
        component = parts[2] if len(parts) > 3 and parts[1] == "charts" else parts[0]
        for container in doc["spec"]["template"]["spec"].get("containers") or []:
            if _is_server(container):
                verdicts[component] = container_verdict(container, config_maps, secrets)
    return verdicts
