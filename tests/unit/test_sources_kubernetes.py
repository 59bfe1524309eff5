"""Kubernetes manifests: container env resolved as the kubelet does, pooled across files."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from gcready.model import ComponentKind, Evidence, SignalKind, SourceKind
from gcready.sources import collect

SECRET_PW = "K8s-Mysql-Pw-Xq81z"
SECRET_LICENSE = "k8s-license-7fd0c2a9b1e34d"

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wandb-app
  namespace: wandb
spec:
  template:
    spec:
      containers:
        - name: app
          image: wandb/local:0.60.0
          envFrom:
            - configMapRef:
                name: wandb-global
          env:
            - name: GORILLA_ARTIFACT_GC_ENABLED
              valueFrom:
                configMapKeyRef:
                  name: wandb-gc
                  key: gc-enabled
            - name: MYSQL_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: wandb-mysql
                  key: password
            - name: LICENSE
              valueFrom:
                secretKeyRef:
                  name: wandb-mysql
                  key: license
"""

CONFIG = f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: wandb-global
  namespace: wandb
data:
  GORILLA_ARTIFACT_GC_ENABLED: "false"
  BUCKET: s3://acme-wandb-files
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: wandb-gc
  namespace: wandb
data:
  other: x
  gc-enabled: "true"
---
apiVersion: v1
kind: Secret
metadata:
  name: wandb-mysql
  namespace: wandb
type: Opaque
data:
  password: {base64.b64encode(SECRET_PW.encode()).decode()}
stringData:
  license: {SECRET_LICENSE}
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _pair(tmp_path: Path) -> Evidence:
    return collect([_write(tmp_path, "deploy.yaml", DEPLOY), _write(tmp_path, "config.yaml", CONFIG)])


def test_workload_is_a_server_component(tmp_path: Path) -> None:
    ev = _pair(tmp_path)
    assert not ev.errors
    assert {i.kind for i in ev.inputs} == {SourceKind.KUBERNETES}
    (comp,) = ev.components
    assert comp.kind is ComponentKind.K8S_CONTAINER
    assert "Deployment/wandb-app" in comp.name
    assert comp.runs_gc
    assert any(s.kind is SignalKind.SERVER_CONFIG for s in ev.signals)


def test_config_map_key_ref_resolved_from_another_file(tmp_path: Path) -> None:
    ev = _pair(tmp_path)
    flag = ev.components[0].get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None
    assert flag.value == "true"
    assert flag.origin.source.endswith("config.yaml")
    assert flag.origin.line == 17  # the `gc-enabled:` key of ConfigMap wandb-gc


def test_env_wins_over_env_from(tmp_path: Path) -> None:
    ev = _pair(tmp_path)
    comp = ev.components[0]
    lost = [v.value for v in comp.shadowed if v.name == "GORILLA_ARTIFACT_GC_ENABLED"]
    assert lost == ["false"]
    bucket = comp.get("BUCKET")  # from envFrom, not overridden
    assert bucket is not None and bucket.value == "s3://acme-wandb-files"
    assert [b.name for b in ev.buckets] == ["acme-wandb-files"]


def test_secret_key_ref_is_unknown_and_never_read(tmp_path: Path) -> None:
    ev = _pair(tmp_path)
    comp = ev.components[0]
    for name in ("MYSQL_PASSWORD", "LICENSE"):
        value = comp.get(name)
        assert value is not None
        assert value.value is None
        assert not value.known
    dump = repr(ev)
    assert SECRET_PW not in dump
    assert base64.b64encode(SECRET_PW.encode()).decode() not in dump
    assert SECRET_LICENSE not in dump


def test_secret_env_from_gives_names_not_values(tmp_path: Path) -> None:
    deploy = DEPLOY.replace(
        "            - configMapRef:\n                name: wandb-global\n",
        "            - secretRef:\n                name: wandb-mysql\n",
    )
    ev = collect([_write(tmp_path, "d.yaml", deploy), _write(tmp_path, "c.yaml", CONFIG)])
    comp = ev.components[0]
    pw = comp.get("password")
    assert pw is not None and pw.value is None
    dump = repr(ev)
    assert SECRET_PW not in dump
    assert base64.b64encode(SECRET_PW.encode()).decode() not in dump
    assert SECRET_LICENSE not in dump


def test_missing_config_map_env_from_is_a_gap(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "deploy.yaml", DEPLOY)])
    comp = ev.components[0]
    assert any("wandb-global" in gap for gap in comp.gaps)
    flag = comp.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value is None
    assert "wandb-gc" in flag.unresolved


def test_optional_missing_config_map_is_not_a_gap(tmp_path: Path) -> None:
    deploy = DEPLOY.replace(
        "                name: wandb-global\n",
        "                name: wandb-global\n                optional: true\n",
    )
    ev = collect([_write(tmp_path, "deploy.yaml", deploy)])
    assert ev.components[0].gaps == ()


WORKLOAD = """\
apiVersion: {api}
kind: {kind}
metadata:
  name: wandb-{lower}
spec:
{spec}
"""
CONTAINERS = """\
containers:
  - name: server
    image: wandb/local:0.60.0
    env:
      - name: GORILLA_ARTIFACT_GC_ENABLED
        value: "false"
      - name: GORILLA_ARTIFACT_GC_ENABLED
        value: "true"
"""


def _indent(text: str, n: int) -> str:
    return "".join(" " * n + line if line.strip() else line for line in text.splitlines(keepends=True))


SPECS = {
    "Deployment": ("apps/v1", "template:\n  spec:\n" + _indent(CONTAINERS, 4)),
    "StatefulSet": ("apps/v1", "serviceName: wandb\ntemplate:\n  spec:\n" + _indent(CONTAINERS, 4)),
    "DaemonSet": ("apps/v1", "template:\n  spec:\n" + _indent(CONTAINERS, 4)),
    "Pod": ("v1", CONTAINERS),
    "Job": ("batch/v1", "template:\n  spec:\n" + _indent(CONTAINERS, 4)),
    "CronJob": (
        "batch/v1",
        "schedule: '0 * * * *'\njobTemplate:\n  spec:\n    template:\n      spec:\n" + _indent(CONTAINERS, 8),
    ),
}


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_workload_kind_and_later_env_entry_wins(tmp_path: Path, kind: str) -> None:
    api, spec = SPECS[kind]
    text = WORKLOAD.format(api=api, kind=kind, lower=kind.lower(), spec=_indent(spec, 2))
    ev = collect([_write(tmp_path, f"{kind}.yaml", text)])
    assert not ev.errors, ev.errors
    (comp,) = ev.components
    assert comp.name.startswith(f"{kind}/wandb-{kind.lower()}")
    flag = comp.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "true"
    assert [v.value for v in comp.shadowed] == ["false"]


def test_multi_document_file(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "all.yaml", DEPLOY + "---\n" + CONFIG)])
    assert not ev.errors
    flag = ev.components[0].get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "true"
    # line inside the one file: DEPLOY has 32 lines, then `---`
    assert flag.origin.line == DEPLOY.count("\n") + 1 + 17


def test_kind_list_as_kubectl_writes_it(tmp_path: Path) -> None:
    def item(text: str) -> str:
        return "- " + _indent(text, 2)[2:]

    items = "".join(item(doc) for doc in (DEPLOY, *CONFIG.split("---\n")))
    text = "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: ''\nitems:\n" + items
    ev = collect([_write(tmp_path, "kubectl.yaml", text)])
    assert not ev.errors, ev.errors
    (comp,) = ev.components
    flag = comp.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "true"
    assert SECRET_PW not in repr(ev)


def test_non_string_value_is_unresolved(tmp_path: Path) -> None:
    text = DEPLOY.split("          envFrom:")[0] + (
        "          env:\n            - name: GORILLA_ARTIFACT_GC_ENABLED\n              value: true\n"
    )
    ev = collect([_write(tmp_path, "deploy.yaml", text)])
    flag = ev.components[0].get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None
    assert flag.value is None
    assert "not a string" in flag.unresolved


def test_non_wandb_container_is_not_a_component(tmp_path: Path) -> None:
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          env:
            - name: FOO
              value: bar
"""
    ev = collect([_write(tmp_path, "nginx.yaml", text)])
    assert ev.components == ()
    assert not any(s.kind is SignalKind.SERVER_CONFIG for s in ev.signals)
