"""gcready on real ``helm template`` output: operator-wandb's own 50 rendered snapshots.

The truth comes from a small oracle that knows nothing of gcready's model: it reads each render with
PyYAML (a repeated key keeps the later value, as Kubernetes does), takes the containers that run the
W&B server (``wandb/local``, or ``wandb/megabinary`` with the argument ``gorilla``), builds their env
as the kubelet does (envFrom, then env in order, ``$(VAR)`` from what is already defined, ``$$`` is
``$``) and judges GORILLA_ARTIFACT_GC_ENABLED as Go's ``strconv.ParseBool``. No snapshot sets the flag,
so each is also audited in a variant that sets it in one of the ways a user or a chart can.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gcready.model import DeploymentType, Status
from gcready.pipeline import analyze
from gcready.requirements import load_builtin
from gcready.sources import collect

REPO = Path(__file__).resolve().parents[2]


def _realworld() -> Path:
    # the main checkout sits beside shared/; a worktree one level further down
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "realworld").is_dir():
            return base / "shared" / "realworld"
    return REPO.parent / "shared" / "realworld"


SNAPSHOTS = _realworld() / "helm-charts" / "test-configs" / "operator-wandb" / "__snapshots__"
SNAPS = sorted(SNAPSHOTS.glob("*.snap")) if SNAPSHOTS.is_dir() else []
pytestmark = pytest.mark.skipif(
    not SNAPS, reason=f"W&B's rendered chart snapshots are not at {SNAPSHOTS} (shared/realworld absent)"
)

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
UNKNOWN = object()  # a value the oracle cannot know either (a Secret's)


# ---- the oracle -------------------------------------------------------------------------------------


def go_parse_bool(text: str) -> bool | None:
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def objects(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.load_all(text, Loader=_LOADER) if isinstance(d, dict)]


def pod_spec(obj: dict[str, Any]) -> Any:
    if obj["kind"] == "Pod":
        return obj["spec"]
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    return spec["template"]["spec"]


def runs_server(container: dict[str, Any]) -> bool:
    image = str(container.get("image", ""))
    if re.search(r"(^|/)wandb/local[:@]", image + ":"):
        return True
    return "wandb/megabinary" in image and (container.get("args") or [None])[0] == "gorilla"


def kubelet_env(container: dict[str, Any], objs: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """The container's env (UNKNOWN where a Secret decides), and whether an unseen source may add to it."""
    cms = {o["metadata"]["name"]: o for o in objs if o["kind"] == "ConfigMap"}
    secrets = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Secret"}
    env: dict[str, Any] = {}
    open_sources = unseen = False
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        ref = source.get("configMapRef") or source.get("secretRef")
        table = cms if "configMapRef" in source else secrets
        found = table.get(ref["name"])
        if found is None:
            open_sources |= not ref.get("optional", False)
            unseen = True  # even an optional source may exist in the cluster
            continue
        for section in ("data", "stringData"):
            for key, value in (found.get(section) or {}).items():
                env[prefix + key] = str(value) if table is cms else UNKNOWN
    for item in container.get("env") or []:
        name = item["name"]
        if "valueFrom" in item:
            ref = item["valueFrom"].get("configMapKeyRef") or item["valueFrom"].get("secretKeyRef")
            table = cms if "configMapKeyRef" in item["valueFrom"] else secrets
            found = table.get(ref["name"]) if ref else None
            keys = {k for s in ("data", "stringData") for k in ((found or {}).get(s) or {})}
            if found is not None and ref["key"] not in keys and ref.get("optional"):
                continue
            if found is not None and table is cms and ref["key"] in keys:
                env[name] = str(found["data"][ref["key"]])
            else:
                env[name] = UNKNOWN
            continue
        value = item.get("value", "")
        unknown = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal unknown
            if match.group(0) == "$$":
                return "$"
            known = env.get(match.group(1))
            if known is UNKNOWN or (known is None and unseen):
                unknown = True
                return ""
            return match.group(0) if known is None else str(known)

        value = re.sub(r"\$\$|\$\(([^)]*)\)", substitute, value) if value else value
        env[name] = UNKNOWN if unknown else value
    return env, open_sources


def label(obj: dict[str, Any], container: dict[str, Any]) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']} container {container['name']}"


def truth(text: str) -> dict[str, str]:
    """The GC flag verdict for each server container of a render."""
    objs = objects(text)
    verdicts: dict[str, str] = {}
    for obj in objs:
        if obj["kind"] not in WORKLOADS:
            continue
        for container in pod_spec(obj).get("containers") or []:
            if not runs_server(container):
                continue
            env, open_sources = kubelet_env(container, objs)
            value = env.get(FLAG)
            if value is None:
                verdict = "unknown" if open_sources else "fail"
            elif value is UNKNOWN:
                verdict = "unknown"
            else:
                verdict = "pass" if go_parse_bool(value) is True else "fail"
            verdicts[label(obj, container)] = verdict
    return verdicts


def bucket_truth(text: str) -> set[tuple[str, str]]:
    """(endpoint, bucket) that the server containers' BUCKET names after expansion."""
    objs = objects(text)
    found: set[tuple[str, str]] = set()
    for obj in objs:
        if obj["kind"] not in WORKLOADS:
            continue
        for container in pod_spec(obj).get("containers") or []:
            if not runs_server(container):
                continue
            env, _ = kubelet_env(container, objs)
            raw = next((e.get("value", "") for e in container.get("env") or [] if e["name"] == "BUCKET"), "")
            # credentials come from a Secret (unknown); the place comes from the bucket ConfigMap
            names = re.findall(r"\$\(([^)]*)\)", raw.rpartition("@")[2])
            place = raw.rpartition("@")[2].replace("s3://", "")
            for name in names:
                place = place.replace(f"$({name})", str(env.get(name, "")))
            endpoint, _, bucket = place.partition("/")
            if bucket:
                found.add((endpoint, bucket.split("/")[0]))
    return found


# ---- variants: the flag set the ways a render can carry it ----------------------------------------

SCENARIOS: list[list[tuple[str, Any]]] = [
    [(FLAG, "true")],
    [(FLAG, "True")],
    [(FLAG, "yes")],
    [(FLAG, " true")],
    [(FLAG, "false"), (FLAG, "1")],  # the later entry wins
    [("GC_SOURCE", "true"), (FLAG, "$(GC_SOURCE)")],
    [(FLAG, "$(GC_SOURCE)"), ("GC_SOURCE", "true")],  # defined too late: stays literal
    [("GC_SOURCE", "true"), (FLAG, "$$(GC_SOURCE)")],  # escaped: the text $(GC_SOURCE)
    [(FLAG, {"secretKeyRef": {"name": "chartsnap-bucket", "key": "ACCESS_KEY"}})],
    [(FLAG, "$(BUCKET_ACCESS_KEY)")],  # a Secret's value
    [(FLAG, "$(GORILLA_ONPREM)")],  # from the global ConfigMap (envFrom): "true"
    [(FLAG, {"configMapKeyRef": {"name": "chartsnap-global-configmap", "key": "GORILLA_ONPREM"}})],
    [(FLAG, "T"), ("OTHER", "$(FLAG")],
    [("envFrom", {"configMapRef": {"name": "gc-settings", "optional": True}}), (FLAG, "$(GC_SETTING)")],
]


def variant(text: str, scenario: list[tuple[str, Any]]) -> str:
    """The render with the scenario's env in every server container, and the flag true elsewhere."""
    docs = objects(text)
    for obj in docs:
        if obj["kind"] not in WORKLOADS:
            continue
        for container in pod_spec(obj).get("containers") or []:
            env = container["env"] = container.get("env") or []
            if not runs_server(container):
                env.append({"name": FLAG, "value": "true"})  # glue, hooks, anaconda2… never judged
                continue
            for name, value in scenario:
                if name == "envFrom":  # a source that is not in the render: it may define anything
                    container["envFrom"] = [*(container.get("envFrom") or []), value]
                    continue
                entry = {"name": name, "valueFrom": copy.deepcopy(value)}
                env.append(entry if isinstance(value, dict) else {"name": name, "value": value})
    return yaml.dump_all(docs, Dumper=_DUMPER, sort_keys=False)


# ---- the tests --------------------------------------------------------------------------------------


def gcready_verdicts(path: Path) -> tuple[dict[str, str], Any]:
    evidence = collect([str(path)])
    report = analyze(evidence, load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_ONPREM)
    found = [f for f in report.findings if f.check == "gc-env-flag"]
    verdicts = {f.resource: f.status.value for f in found if f.status is not Status.SKIP}
    return verdicts, evidence


def test_every_snapshot_and_variant_gets_the_true_gc_flag_verdict(tmp_path: Path) -> None:
    renders: list[tuple[str, Path]] = [(p.name, p) for p in SNAPS]
    for index, snap in enumerate(SNAPS):
        out = tmp_path / f"{snap.stem}.variant.yaml"
        out.write_text(variant(snap.read_text(), SCENARIOS[index % len(SCENARIOS)]))
        renders.append((f"{snap.name} variant {index % len(SCENARIOS)}", out))
    agree = total = 0
    disagreements: list[str] = []
    statuses: dict[str, int] = {}
    for name, path in renders:
        expected = truth(path.read_text())
        assert expected, f"{name}: the oracle found no server container"
        got, evidence = gcready_verdicts(path)
        assert not evidence.errors, f"{name}: {evidence.errors}"
        for container in sorted(expected.keys() | got.keys()):
            total += 1
            statuses[expected.get(container, "-")] = statuses.get(expected.get(container, "-"), 0) + 1
            if expected.get(container) == got.get(container):
                agree += 1
            else:
                disagreements.append(
                    f"{name}: {container}: truth {expected.get(container)}, gcready {got.get(container)}"
                )
    print(
        f"\ngc-env-flag on rendered operator-wandb: {agree}/{total} server containers agree with the oracle "
        f"({len(SNAPS)} snapshots + {len(SNAPS)} variants; truths {statuses})"
    )
    assert not disagreements, "\n".join(disagreements)
    assert len(SNAPS) == 50
    assert {"pass", "fail", "unknown"} <= statuses.keys()  # the variants reach every verdict


def test_snapshot_documents_keep_their_template_and_repeated_keys_are_notes() -> None:
    snap = SNAPSHOTS / "default.snap"
    evidence = collect([str(snap)])
    assert not evidence.errors
    assert any("repeated key 'global-common-label'" in n.text for n in evidence.notes)
    (app,) = (c for c in evidence.components if c.runs_gc)
    assert app.origin.path is not None
    assert app.origin.path.startswith("operator-wandb/charts/app/templates/deployment.yaml")


def test_bucket_of_every_snapshot_is_found_through_var_expansion() -> None:
    with_bucket = 0
    for snap in SNAPS:
        expected = bucket_truth(snap.read_text())
        evidence = collect([str(snap)])
        got = {
            (b.endpoint or "", b.name)
            for b in evidence.buckets
            if b.origin.path is not None and b.origin.path.endswith(" BUCKET")
        }
        assert got == expected, snap.name
        with_bucket += bool(expected)
        for bucket in evidence.buckets:
            assert bucket.credentials is None  # they live in a Secret: never read
    print(
        f"\nBUCKET found through $(VAR) expansion in {with_bucket}/{len(SNAPS)} snapshots (the others name none)"
    )
    assert with_bucket > 0
