"""Kubernetes manifests: container env resolved as the kubelet does, pooled across files."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from gcready.model import ComponentKind, DeploymentType, Evidence, Finding, SignalKind, SourceKind, Status
from gcready.pipeline import analyze
from gcready.requirements import load_builtin
from gcready.sources import collect
from gcready.sources.expansion import expand
from gcready.sources.workload_role import Role, container_role
from tests.conftest import run_gcready

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


def test_optional_missing_config_map_is_a_gap_all_the_same(tmp_path: Path) -> None:
    # optional: the pod starts without it; but it may exist in the cluster and set the flag: not "not set"
    deploy = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: wandb, namespace: wandb}\nspec:\n"
        "  template:\n    spec:\n      containers:\n      - name: wandb\n        image: wandb/local:0.60\n"
        "        envFrom:\n        - configMapRef: {name: maybe, optional: true}\n"
        "        env:\n        - {name: BUCKET, value: 's3://b'}\n"
    )
    ev = collect([_write(tmp_path, "deploy.yaml", deploy)])
    assert ev.components[0].gaps == ("ConfigMap maybe (envFrom, optional), not among the inputs",)
    assert _gc_flag(ev).status is Status.UNKNOWN


def _gc_flag(ev: Evidence) -> Finding:
    report = analyze(ev, load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_ONPREM)
    (finding,) = (f for f in report.findings if f.check == "gc-env-flag")
    return finding


ENV_FROM_TWO = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: wandb-env, namespace: wandb}
data:
  GORILLA_ARTIFACT_GC_ENABLED: "true"
  BUCKET: s3://b
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: wandb, namespace: wandb}
spec:
  template:
    spec:
      containers:
      - name: wandb
        image: wandb/local:0.60
        envFrom:
        - configMapRef: {name: %s}
        - configMapRef: {name: %s}
"""


def test_a_later_env_from_source_not_among_the_inputs_makes_the_value_unknown(tmp_path: Path) -> None:
    # the later envFrom source wins: wandb-overrides may set "false" over wandb-env's "true"
    ev = collect([_write(tmp_path, "d.yaml", ENV_FROM_TWO % ("wandb-env", "wandb-overrides"))])
    finding = _gc_flag(ev)
    assert finding.status is Status.UNKNOWN
    assert "may override" in finding.title and "wandb-overrides" in finding.detail


def test_an_earlier_env_from_source_not_among_the_inputs_does_not_matter(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "d.yaml", ENV_FROM_TWO % ("wandb-overrides", "wandb-env"))])
    assert _gc_flag(ev).status is Status.PASS


def test_an_env_entry_wins_over_a_later_unseen_env_from_source(tmp_path: Path) -> None:
    text = (ENV_FROM_TWO % ("wandb-env", "wandb-overrides")) + (
        "        env:\n        - {name: GORILLA_ARTIFACT_GC_ENABLED, value: 'true'}\n"
    )
    assert _gc_flag(collect([_write(tmp_path, "d.yaml", text)])).status is Status.PASS


def test_a_reference_to_a_value_a_later_unseen_source_may_override_is_unknown(tmp_path: Path) -> None:
    text = (ENV_FROM_TWO % ("wandb-env", "wandb-overrides")).replace(
        'GORILLA_ARTIFACT_GC_ENABLED: "true"', 'GC: "true"'
    ) + "        env:\n        - {name: GORILLA_ARTIFACT_GC_ENABLED, value: '$(GC)'}\n"
    finding = _gc_flag(collect([_write(tmp_path, "d.yaml", text)]))
    assert finding.status is Status.UNKNOWN and "wandb-overrides" in finding.detail


@pytest.mark.parametrize("how", ["envFrom", "configMapKeyRef"])
def test_config_map_data_that_is_not_a_string_is_rejected_not_read(tmp_path: Path, how: str) -> None:
    # `yes` unquoted is a YAML boolean: the API server rejects the ConfigMap (data is map[string]string)
    text = (ENV_FROM_TWO % ("wandb-env", "wandb-env")).replace('"true"', "yes")
    if how == "configMapKeyRef":
        text = text.replace(
            "        envFrom:\n        - configMapRef: {name: wandb-env}\n        - configMapRef: {name: wandb-env}\n",
            "        env:\n        - name: GORILLA_ARTIFACT_GC_ENABLED\n          valueFrom:\n"
            "            configMapKeyRef: {name: wandb-env, key: GORILLA_ARTIFACT_GC_ENABLED}\n",
        )
    finding = _gc_flag(collect([_write(tmp_path, "d.yaml", text)]))
    assert finding.status is Status.UNKNOWN
    assert "is a boolean, not a string" in finding.detail and "True" not in finding.detail


OLD_REPLICA_SET = """\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: wandb-app, namespace: wandb}
  spec:
    replicas: 1
    template:
      spec:
        containers:
        - name: app
          image: wandb/local:0.60.0
          env:
          - {name: GORILLA_ARTIFACT_GC_ENABLED, value: "true"}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: wandb-app-5d8f7c9b6
    namespace: wandb
    ownerReferences:
    - {apiVersion: apps/v1, kind: Deployment, name: wandb-app, controller: true}
  spec:
    replicas: %s
    template:
      spec:
        containers:
        - name: app
          image: wandb/local:0.59.0
"""


@pytest.mark.parametrize("replicas", ["0", "1"])
def test_a_replica_set_of_a_deployment_among_the_inputs_is_not_judged(tmp_path: Path, replicas: str) -> None:
    # kubectl get all lists old ReplicaSets (scaled to 0) beside the Deployment whose template runs
    ev = collect([_write(tmp_path, "all.yaml", OLD_REPLICA_SET % replicas)])
    assert [c.name for c in ev.components] == ["Deployment/wandb-app container app"]
    assert any("ReplicaSet/wandb-app-5d8f7c9b6 is not judged" in n.text for n in ev.notes)
    assert _gc_flag(ev).status is Status.PASS


def test_a_workload_scaled_to_zero_is_not_judged(tmp_path: Path) -> None:
    text = (OLD_REPLICA_SET % "0").replace("name: wandb-app, controller", "name: gone, controller")
    text = text.replace('value: "true"', 'value: "true"}\n          - {name: BUCKET, value: "s3://b"')
    ev = collect([_write(tmp_path, "all.yaml", text)])
    assert [c.name for c in ev.components] == ["Deployment/wandb-app container app"]
    assert any("scaled to 0 replicas" in n.text for n in ev.notes)
    assert _gc_flag(ev).status is Status.PASS


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


# $(VAR) expansion, as the kubelet's third_party/forked/golang/expansion does it
EXPANSION_CONTEXT = {"VAR_A": "A", "VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)", "VAR_EMPTY": ""}


@pytest.mark.parametrize(
    ("value", "expanded"),
    [
        ("$(VAR_A)", "A"),
        ("___$(VAR_B)___", "___B___"),
        ("$(VAR_A)-$(VAR_A)", "A-A"),
        ("f000-$$VAR_A", "f000-$VAR_A"),
        ("foo\\$(VAR_C)bar", "foo\\Cbar"),
        ("foo\\\\$(VAR_C)bar", "foo\\\\Cbar"),
        ("$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),
        ("$$(VAR_A)", "$(VAR_A)"),
        ("$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"),
        ("$$$$$$(VAR_A)", "$$$(VAR_A)"),
        ("$$$$$$$(VAR_A)", "$$$A"),
        ("$(VAR_DNE)", "$(VAR_DNE)"),
        ("$(VAR_A", "$(VAR_A"),
        ("$VAR_A", "$VAR_A"),
        ("$", "$"),
        ("$$", "$"),
        ("$$$", "$$"),
        ("foo$", "foo$"),
        ("foo$()bar", "foo$()bar"),
        ("$(VAR_REF)", "$(VAR_A)"),  # substituted text is not expanded again
        ("$(VAR_EMPTY)x", "x"),
        ("$(VAR_$(VAR_A))", "$(VAR_$(VAR_A))"),
        ("s3://$(VAR_A):$(VAR_B)@$(VAR_C)/p", "s3://A:B@C/p"),
    ],
)
def test_var_expansion_table(value: str, expanded: str) -> None:
    assert expand(value, EXPANSION_CONTEXT.get) == expanded


def _container(env: str, env_from: str = "") -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wandb-app\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: app\n          image: wandb/local:0.60.0\n"
        + (f"          envFrom:\n{env_from}" if env_from else "")
        + f"          env:\n{env}"
    )


def test_env_references_expand_from_env_from_and_earlier_entries(tmp_path: Path) -> None:
    env = (
        "            - {name: GC_LATER, value: 'true'}\n"
        "            - {name: FROM_CM, value: '$(FLAG_IN_CM)'}\n"
        "            - {name: TOO_EARLY, value: '$(DEFINED_AFTER)'}\n"
        "            - {name: DEFINED_AFTER, value: x}\n"
        "            - {name: ESCAPED, value: '$$(GC_LATER)'}\n"
        "            - {name: GORILLA_ARTIFACT_GC_ENABLED, value: '$(GC_LATER)'}\n"
    )
    env_from = "            - configMapRef: {name: wandb-global}\n"
    cm = (
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wandb-global\ndata:\n  FLAG_IN_CM: 'True'\n"
    )
    ev = collect([_write(tmp_path, "d.yaml", _container(env, env_from) + cm)])
    (comp,) = ev.components
    values = {v.name: v.value for v in comp.env}
    assert values["FROM_CM"] == "True"
    assert values["TOO_EARLY"] == "$(DEFINED_AFTER)"
    assert values["ESCAPED"] == "$(GC_LATER)"
    assert values["GORILLA_ARTIFACT_GC_ENABLED"] == "true"


def test_reference_to_a_secret_value_is_unknown_and_the_bucket_is_still_found(tmp_path: Path) -> None:
    env = (
        "            - name: BUCKET_ACCESS_KEY\n              valueFrom:\n"
        "                secretKeyRef: {name: wandb-bucket, key: ACCESS_KEY, optional: true}\n"
        "            - name: BUCKET_SECRET_KEY\n              valueFrom:\n"
        "                secretKeyRef: {name: wandb-bucket, key: SECRET_KEY, optional: true}\n"
        "            - {name: BUCKET, value: 's3://$(BUCKET_ACCESS_KEY):$(BUCKET_SECRET_KEY)@$(BUCKET_NAME)'}\n"
        "            - {name: GORILLA_ARTIFACT_GC_ENABLED, value: '$(BUCKET_ACCESS_KEY)'}\n"
    )
    env_from = "            - configMapRef: {name: wandb-bucket-configmap}\n"
    objs = (
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wandb-bucket-configmap\n"
        "data:\n  BUCKET_NAME: 'minio.acme.lan:9000/wandb-files'\n"
        f"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: wandb-bucket\nstringData:\n"
        f"  ACCESS_KEY: AKIAQX7EXAMPLE\n  SECRET_KEY: {SECRET_PW}\n"
    )
    ev = collect([_write(tmp_path, "d.yaml", _container(env, env_from) + objs)])
    (comp,) = ev.components
    flag = comp.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value is None and "BUCKET_ACCESS_KEY" in (flag.unresolved or "")
    (bucket,) = ev.buckets
    assert (bucket.endpoint, bucket.name) == ("minio.acme.lan:9000", "wandb-files")
    assert bucket.credentials is None and bucket.had_credentials
    assert SECRET_PW not in repr(ev) and "AKIAQX7EXAMPLE" not in repr(ev)


def test_optional_secret_key_absent_from_a_listed_secret_is_not_set(tmp_path: Path) -> None:
    env = (
        "            - name: GC_FROM_SECRET\n              valueFrom:\n"
        "                secretKeyRef: {name: wandb-s, key: missing, optional: true}\n"
        "            - {name: GORILLA_ARTIFACT_GC_ENABLED, value: '$(GC_FROM_SECRET)'}\n"
    )
    secret = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: wandb-s\ndata:\n  other: eA==\n"
    ev = collect([_write(tmp_path, "d.yaml", _container(env) + secret)])
    (comp,) = ev.components
    assert comp.get("GC_FROM_SECRET") is None
    flag = comp.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value == "$(GC_FROM_SECRET)"  # undefined: stays literal


@pytest.mark.parametrize(
    ("image", "command", "args", "name", "role"),
    [
        ("wandb/local:0.60.0", None, None, "app", Role.GC_SERVER),
        ("registry.acme.lan/mirror/wandb/local@sha256:ab12", None, None, "app", Role.GC_SERVER),
        (
            "us-docker.pkg.dev/wandb-production/public/wandb/megabinary:0.74.2",
            None,
            ["gorilla"],
            "api",
            Role.GC_SERVER,
        ),
        ("wandb/megabinary:0.74.2", ["/usr/local/bin/megabinary", "gorilla"], None, "api", Role.GC_SERVER),
        ("wandb/megabinary:0.74.2", None, ["glue"], "glue", Role.WANDB_SERVICE),
        ("wandb/megabinary:0.74.2", None, ["filemeta"], "filemeta", Role.WANDB_SERVICE),
        ("wandb/megabinary:0.74.2", None, ["executor"], "api", Role.WANDB_SERVICE),  # args, not the name
        (
            "wandb/megabinary:0.74.2",
            ["bash", "-c", "./megabinary migrate --db=$X"],
            None,
            "migrate",
            Role.WANDB_SERVICE,
        ),
        ("wandb/megabinary:0.66.1", None, None, "app", Role.GC_SERVER),  # no arguments: the name decides
        ("wandb/megabinary:0.66.1", None, None, "glue", Role.WANDB_SERVICE),
        (
            "us-docker.pkg.dev/wandb-production/public/wandb/anaconda2:1",
            None,
            None,
            "anaconda2",
            Role.WANDB_SERVICE,
        ),
        ("wandb/lumen:1", ["/app/entrypoint.sh", "agent"], None, "collector", Role.WANDB_SERVICE),
        (
            "alpine/k8s:1.30",
            ["sh", "-c", "/cleanup-scripts/pre_upgrade.sh"],
            None,
            "app-rename-pre-hook",
            Role.OTHER,
        ),
        ("otel/opentelemetry-collector-contrib:0.1", None, None, "daemonset", Role.OTHER),
        ("nginx:1.27", None, None, "nginx", Role.OTHER),
    ],
)
def test_server_container_told_by_image_and_command(
    image: str, command: list[str] | None, args: list[str] | None, name: str, role: Role
) -> None:
    container = {"name": name, "image": image, "command": command, "args": args}
    assert container_role(container, f"chartsnap-{name}").role is role


def test_hook_with_gorilla_vars_is_not_judged_and_glue_is_not_the_collector(tmp_path: Path) -> None:
    text = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: wandb-app-rename-pre-hook
spec:
  template:
    spec:
      containers:
        - name: app-rename-pre-hook
          image: alpine/k8s:1.30.4
          command: [sh, -c, /cleanup-scripts/pre_upgrade.sh]
          env:
            - {name: GORILLA_ARTIFACT_GC_ENABLED, value: "false"}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wandb-glue
spec:
  template:
    spec:
      containers:
        - name: glue
          image: wandb/megabinary:0.74.2
          args: [glue]
          env:
            - {name: GORILLA_ARTIFACT_GC_ENABLED, value: "true"}
"""
    ev = collect([_write(tmp_path, "r.yaml", text)])
    (glue,) = ev.components
    assert glue.name == "Deployment/wandb-glue container glue" and not glue.runs_gc
    assert any("not judged" in n.text and "alpine/k8s" in n.text for n in ev.notes)
    report = analyze(ev, load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_ONPREM)
    (flag,) = (f for f in report.findings if f.check == "gc-env-flag")
    assert flag.status is Status.UNKNOWN  # neither is the server: no verdict on either


def test_undefined_reference_with_an_unseen_env_from_source_is_unknown(tmp_path: Path) -> None:
    # $(GC) may be defined by the ConfigMap that is not among the inputs: not a literal, not a verdict
    env = "            - {name: GORILLA_ARTIFACT_GC_ENABLED, value: '$(GC)'}\n"
    env_from = "            - configMapRef: {name: wandb-gc, optional: true}\n"
    ev = collect([_write(tmp_path, "d.yaml", _container(env, env_from))])
    (comp,) = ev.components
    flag = comp.get("GORILLA_ARTIFACT_GC_ENABLED")
    assert flag is not None and flag.value is None
    assert "ConfigMap wandb-gc (envFrom)" in (flag.unresolved or "")
    report = analyze(ev, load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_ONPREM)
    (finding,) = (f for f in report.findings if f.check == "gc-env-flag")
    assert finding.status is Status.UNKNOWN


def test_a_secret_substituted_into_another_variable_never_leaves(tmp_path: Path) -> None:
    env = "            - {name: MIGRATE_ARGS, value: 'user=$(DB_USER) password=$(DB_PASSWORD)'}\n"
    env_from = "            - configMapRef: {name: wandb-db}\n"
    cm = (
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wandb-db\n"
        "data:\n  DB_USER: wandb\n  DB_PASSWORD: Cm-Held-Pw-51x9q\n"
    )
    path = _write(tmp_path, "d.yaml", _container(env, env_from) + cm)
    (comp,) = collect([path]).components
    dsn = comp.get("MIGRATE_ARGS")
    assert dsn is not None and dsn.value is not None and dsn.value.startswith("user=wandb")
    out = tmp_path / "bundle.json"
    run = run_gcready("collect", path, "--offline", "--output", str(out))
    assert run.code == 0, run.stderr
    assert "MIGRATE_ARGS" in out.read_text()
    assert "Cm-Held-Pw-51x9q" not in out.read_text() + run.stdout + run.stderr


def test_a_value_a_later_unseen_source_may_override_stays_unknown_through_a_bundle(tmp_path: Path) -> None:
    import json

    path = _write(tmp_path, "d.yaml", ENV_FROM_TWO % ("wandb-env", "wandb-overrides"))
    bundle = tmp_path / "bundle.json"
    run_gcready("collect", "--no-config", path, "--offline", "--output", str(bundle))  # 5: bucket unread
    run = run_gcready(
        "audit", "--no-config", str(bundle), "--offline", "--format", "json",
        "--deployment", "customer-managed-onprem",
    )  # fmt: skip
    (flag,) = [f for f in json.loads(run.stdout)["findings"] if f["check"] == "gc-env-flag"]
    assert flag["status"] == "unknown" and "wandb-overrides" in flag["detail"]
