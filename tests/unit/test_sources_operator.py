"""W&B operator resources: v1 (spec.values) and v2 (server manifest + legacyOverrides, objectStore)."""

from __future__ import annotations

import copy
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from gcready.model import Component, ComponentKind, Evidence, Provider, SignalKind, SourceKind
from gcready.sources import collect
from tests.conftest import FIXTURES, run_gcready

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"
MANIFEST = FIXTURES / "operator" / "server-manifest-0.84.0" / "manifest.yaml"
V2 = FIXTURES / "operator" / "wandb-v2.yaml"


def _v2(**wandb: Any) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(V2.read_text())
    doc["spec"]["wandb"].update(wandb)
    return doc


def _write(tmp_path: Path, name: str, *docs: Any) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(list(docs), sort_keys=False))
    return str(path)


def _overrides(global_env: list[Any] | None = None, **apps: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if global_env is not None:
        out["global"] = {"env": global_env}
    out.update({app: {"env": env} for app, env in apps.items()})
    return out


def _api(ev: Evidence) -> Component:
    (api,) = [c for c in ev.components if c.runs_gc and c.kind is ComponentKind.OPERATOR_APP]
    return api


def _audit(*paths: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    run = run_gcready("audit", *paths, "--offline", "--format", "json", *extra)
    assert run.stdout, run.stderr
    report: dict[str, Any] = json.loads(run.stdout)
    report["exit"] = run.code
    return report


def _flag_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["check"] == "gc-env-flag"]


# ------------------------------------------------------------------------------------ v2 env


def test_v2_global_override_sets_the_flag_for_api(tmp_path: Path) -> None:
    env = [{"name": "HTTP_PROXY", "value": "http://proxy:3128"}, {"name": FLAG, "value": "true"}]
    ev = collect([_write(tmp_path, "cr.yaml", _v2(legacyOverrides=_overrides(env)))])
    assert not ev.errors
    assert [i.kind for i in ev.inputs] == [SourceKind.WANDB_CR]
    api = _api(ev)
    flag = api.get(FLAG)
    assert flag is not None and flag.value == "true"
    assert flag.origin.path == f"spec.wandb.legacyOverrides.global.env[1] {FLAG}"
    assert api.namespace == "wandb"
    assert api.operator is not None and api.operator.resource == "wandb"
    assert any(s.kind is SignalKind.SERVER_CONFIG and "v2" in s.value for s in ev.signals)


def test_v2_per_app_override_wins_over_global(tmp_path: Path) -> None:
    lo = _overrides([{"name": FLAG, "value": "true"}], api=[{"name": FLAG, "value": "false"}])
    ev = collect([_write(tmp_path, "cr.yaml", _v2(legacyOverrides=lo))])
    api = _api(ev)
    assert api.get(FLAG).value == "false"  # type: ignore[union-attr]
    assert [v.value for v in api.shadowed if v.name == FLAG] == ["true"]


def test_v2_yes_in_per_app_override_is_a_silent_failure(tmp_path: Path) -> None:
    lo = _overrides(api=[{"name": FLAG, "value": "yes"}])
    report = _audit(_write(tmp_path, "cr.yaml", _v2(legacyOverrides=lo)))
    (finding,) = _flag_findings(report)
    assert finding["status"] == "fail"
    assert "silent failure" in finding["title"]
    assert report["exit"] == 3


def test_v2_flag_absent_without_manifest_is_unknown_and_says_how_to_get_it(tmp_path: Path) -> None:
    report = _audit(_write(tmp_path, "cr.yaml", _v2()))
    (finding,) = _flag_findings(report)
    assert finding["status"] == "unknown"
    needs = finding["needs"]
    assert "oci://us-docker.pkg.dev/wandb-production/public/wandb/server-manifest:0.84.0" in needs
    assert (
        "oras manifest fetch us-docker.pkg.dev/wandb-production/public/wandb/server-manifest:0.84.0" in needs
    )
    assert "oras blob fetch us-docker.pkg.dev/wandb-production/public/wandb/server-manifest@" in needs
    assert "--server-manifest" in needs and "kubectl get deploy -n wandb -o yaml" in needs
    assert report["exit"] == 5
    assert any("applications read from legacyOverrides only" in n["text"] for n in report["notes"])


def test_v2_flag_absent_with_manifest_fails(tmp_path: Path) -> None:
    cr = _write(tmp_path, "cr.yaml", _v2())
    for args in ((cr, str(MANIFEST)), (cr, "--server-manifest", str(MANIFEST))):
        report = _audit(*args)
        (finding,) = _flag_findings(report)
        assert finding["status"] == "fail", args
        assert report["exit"] == 3
        assert {"path": str(MANIFEST), "kind": "server-manifest"} in report["inputs"]
        note = next(n["text"] for n in report["notes"] if "applications read from" in n["text"])
        assert "api, filemeta, glue, parquet" in note and "frontend" not in note


def test_v2_manifest_env_then_app_env_then_overrides(tmp_path: Path) -> None:
    lo = _overrides([{"name": "TMPDIR", "value": "/scratch"}])
    ev = collect([_write(tmp_path, "cr.yaml", _v2(legacyOverrides=lo)), str(MANIFEST)])
    api = _api(ev)
    assert api.get("GORILLA_ONPREM").value == "true"  # type: ignore[union-attr]  # commonEnvvars group
    assert api.get("GORILLA_LICENSE_CERT_PATH").origin.path.startswith("applications.api.env[0]")  # type: ignore[union-attr]
    bucket = api.get("BUCKET")
    assert bucket is not None and bucket.value is None and "bucket default" in bucket.unresolved
    assert api.get("TMPDIR").value == "/scratch"  # type: ignore[union-attr]
    assert [v.value for v in api.shadowed if v.name == "TMPDIR"] == ["/tmp"]
    assert not api.gaps


def test_v2_manifest_of_another_version_is_not_used(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "cr.yaml", _v2(version="0.85.1")), str(MANIFEST)])
    api = _api(ev)
    assert api.gaps and "0.85.1" in api.gaps[0]
    assert any("is not that of W&B 0.85.1" in n.text for n in ev.notes)


def test_v2_override_key_that_is_no_manifest_application_is_ignored(tmp_path: Path) -> None:
    lo = _overrides(app=[{"name": FLAG, "value": "true"}])
    report = _audit(_write(tmp_path, "cr.yaml", _v2(legacyOverrides=lo)), str(MANIFEST))
    assert {f["status"] for f in _flag_findings(report)} == {"fail"}
    assert any("legacyOverrides.app is ignored by the operator" in n["text"] for n in report["notes"])
    # without the manifest gcready cannot know the operator ignores it: unknown for api, and a note
    report = _audit(_write(tmp_path, "cr.yaml", _v2(legacyOverrides=lo)))
    assert [f["status"] for f in _flag_findings(report)] == ["unknown"]
    assert any("legacyOverrides.app applies only if" in n["text"] for n in report["notes"])


def test_v2_feature_gated_application(tmp_path: Path) -> None:
    names = {
        c.name.split(" ")[0] for c in collect([_write(tmp_path, "cr.yaml", _v2()), str(MANIFEST)]).components
    }
    assert "filestream" not in names
    cr = _v2(features={"filestreamQueue": True})
    names = {
        c.name.split(" ")[0] for c in collect([_write(tmp_path, "cr.yaml", cr), str(MANIFEST)]).components
    }
    assert "filestream" in names


def test_v2_value_from(tmp_path: Path) -> None:
    env = [
        {"name": FLAG, "valueFrom": {"configMapKeyRef": {"name": "wandb-gc", "key": "enabled"}}},
        {"name": "GORILLA_CUSTOMER_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
    ]
    cr = _write(tmp_path, "cr.yaml", _v2(legacyOverrides=_overrides(env)))
    api = _api(collect([cr]))
    assert api.get(FLAG).value is None  # type: ignore[union-attr]
    assert "ConfigMap wandb-gc key enabled, not among the inputs" in api.get(FLAG).unresolved  # type: ignore[union-attr]
    secret = api.get("GORILLA_CUSTOMER_SECRET")
    assert secret is not None and secret.value is None and secret.redacted
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "wandb-gc", "namespace": "wandb"}}
    cm["data"] = {"enabled": "true"}
    api = _api(collect([cr, _write(tmp_path, "cm.yaml", cm)]))
    assert api.get(FLAG).value == "true"  # type: ignore[union-attr]
    assert api.get(FLAG).origin.source.endswith("cm.yaml")  # type: ignore[union-attr]


# ------------------------------------------------------------------------------ object store


def test_v2_managed_object_store_is_seaweedfs_on_prem(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "cr.yaml", _v2())])
    (bucket,) = ev.buckets
    assert bucket.provider is Provider.S3_COMPATIBLE
    assert bucket.name == "bucket"
    assert bucket.endpoint == "wandb-seaweedfs-s3.wandb.svc.cluster.local:8333"
    assert any("does not turn bucket versioning on" in n.text for n in ev.notes)


def test_v2_object_store_defaults_to_managed_when_absent(tmp_path: Path) -> None:
    cr = _v2()
    del cr["spec"]["objectStore"]
    (bucket,) = collect([_write(tmp_path, "cr.yaml", cr)]).buckets
    assert bucket.provider is Provider.S3_COMPATIBLE and bucket.endpoint is not None


EXTERNAL = {
    field: {"name": "wandb-bucket", "key": key}
    for field, key in {
        "provider": "Provider",
        "endpoint": "Host",
        "port": "Port",
        "bucket": "Bucket",
        "region": "Region",
        "accessKey": "AccessKey",
        "secretKey": "SecretKey",
    }.items()
}


def _external_cr() -> dict[str, Any]:
    cr = _v2(legacyOverrides=_overrides([{"name": FLAG, "value": "true"}]))
    cr["spec"]["objectStore"] = {"default": {"externalObjectStore": copy.deepcopy(EXTERNAL)}}
    return cr


def _secret(**data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "wandb-bucket", "namespace": "wandb"},
        "type": "Opaque",
        "stringData": data,
    }


KEYS = {"AccessKey": "AKIAQ3EGRV7XWJ2KZL5N", "SecretKey": "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"}


def test_v2_external_store_read_from_its_secret(tmp_path: Path) -> None:
    secret = _secret(
        Provider="s3",
        Host="minio.lab.example.org",
        Port="9000",
        Bucket="wandb-files",
        Region="us-east-1",
        **KEYS,
    )
    cr = _write(tmp_path, "cr.yaml", _external_cr())
    ev = collect([cr, _write(tmp_path, "secret.yaml", secret)])
    (bucket,) = ev.buckets
    assert (bucket.provider, bucket.name, bucket.endpoint) == (
        Provider.S3_COMPATIBLE,
        "wandb-files",
        "minio.lab.example.org:9000",
    )
    assert not bucket.had_credentials
    run = run_gcready("audit", str(tmp_path), "--offline", "--format", "json")
    assert "wandb-files" in run.stdout  # the bucket name is not a credential: it is shown
    for value in KEYS.values():
        assert value not in run.stdout and value not in run.stderr


def test_v2_external_aws_bucket_without_endpoint(tmp_path: Path) -> None:
    secret = _secret(Bucket="acme-wandb", Region="eu-west-1", **KEYS)
    cr = _external_cr()
    store = cr["spec"]["objectStore"]["default"]["externalObjectStore"]
    for absent in ("provider", "endpoint", "port"):  # plain AWS S3: no endpoint, provider s3 by default
        del store[absent]
    ev = collect([_write(tmp_path, "all.yaml", cr, secret)])
    (bucket,) = ev.buckets
    assert (bucket.provider, bucket.name, bucket.region, bucket.endpoint) == (
        Provider.AWS,
        "acme-wandb",
        "eu-west-1",
        None,
    )


def test_v2_external_store_without_its_secret_names_secret_and_key(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "cr.yaml", _external_cr())])
    assert not ev.buckets
    (note,) = [n for n in ev.notes if "externalObjectStore" in n.text]
    assert "key Bucket of Secret wandb-bucket" in note.text
    assert "never accessKey or secretKey" in note.text


# ------------------------------------------------------------------------- v1, lists, documents


def test_v1_without_spec_values_runs_on_chart_defaults_and_fails(tmp_path: Path) -> None:
    cr = {
        "apiVersion": "apps.wandb.com/v1",
        "kind": "WeightsAndBiases",
        "metadata": {"name": "wandb-staging", "namespace": "staging"},
        "spec": {"chart": {"name": "operator-wandb"}},
    }
    path = _write(tmp_path, "cr.yaml", cr)
    # the chart's defaults also render parquet and console, which do not run the collector
    (app,) = [c for c in collect([path]).components if c.runs_gc]
    assert app.get(FLAG) is None and app.runs_gc and app.namespace == "staging"
    report = _audit(path)
    assert [f["status"] for f in _flag_findings(report)] == ["fail"]
    assert any("no spec.values" in n["text"] for n in report["notes"])


def _kubectl_list(*items: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": list(items)}


def test_operator_resources_inside_a_kubectl_list_are_all_audited(tmp_path: Path) -> None:
    v2 = _v2(legacyOverrides=_overrides([{"name": FLAG, "value": "true"}]))
    v1 = {
        "apiVersion": "apps.wandb.com/v1",
        "kind": "WeightsAndBiases",
        "metadata": {"name": "wandb-staging", "namespace": "staging"},
        "spec": {"chart": {"name": "operator-wandb"}},
    }
    path = _write(tmp_path, "kubectl-get.yaml", _kubectl_list(v2, v1))
    ev = collect([path])
    names = sorted(c.name for c in ev.components if c.runs_gc)
    assert names == ["api (WeightsAndBiases/wandb)", "app (WeightsAndBiases/wandb-staging)"]
    api = _api(ev)
    assert api.get(FLAG).origin.path == f"items[0].spec.wandb.legacyOverrides.global.env[0] {FLAG}"  # type: ignore[union-attr]
    report = _audit(path)
    assert sorted(f["status"] for f in _flag_findings(report)) == ["fail", "pass"]
    assert report["exit"] == 3


def test_v1_and_v2_in_one_multi_document_file(tmp_path: Path) -> None:
    v1 = {
        "apiVersion": "apps.wandb.com/v1",
        "kind": "WeightsAndBiases",
        "metadata": {"name": "old", "namespace": "wandb"},
        "spec": {"values": {"global": {"extraEnv": {FLAG: "true"}}}},
    }
    v2 = _v2(legacyOverrides=_overrides(api=[{"name": FLAG, "value": "True"}]))
    report = _audit(_write(tmp_path, "both.yaml", v1, v2))
    assert sorted(f["resource"] for f in _flag_findings(report)) == [
        "api (WeightsAndBiases/wandb)",
        "app (WeightsAndBiases/old)",
    ]
    assert {f["status"] for f in _flag_findings(report)} == {"pass"}


# ------------------------------------------------------------------- printed fixes, applied


def _merge_patch(fix_text: str) -> Any:
    args = shlex.split(fix_text)
    assert args[:2] == ["kubectl", "patch"] and args[args.index("--type") + 1] == "merge"
    return json.loads(args[args.index("-p") + 1])


def _fixes(report: dict[str, Any]) -> list[dict[str, Any]]:
    (finding,) = [f for f in _flag_findings(report) if f["status"] != "pass"]
    return list(finding["fixes"])


CASES = {
    "v2, not set (global)": (_v2(), True),
    "v2, yes in api": (
        _v2(legacyOverrides=_overrides([{"name": "X", "value": "1"}], api=[{"name": FLAG, "value": "yes"}])),
        True,
    ),
    "v2, false in global": (_v2(legacyOverrides=_overrides([{"name": FLAG, "value": "false"}])), True),
    "v1, no values": (
        {
            "apiVersion": "apps.wandb.com/v1",
            "kind": "WeightsAndBiases",
            "metadata": {"name": "w"},
            "spec": {},
        },
        False,
    ),
    "v1, app.extraEnv false": (
        {
            "apiVersion": "apps.wandb.com/v1",
            "kind": "WeightsAndBiases",
            "metadata": {"name": "w", "namespace": "wandb"},
            "spec": {"values": {"global": {"extraEnv": {"A": "1"}}, "app": {"extraEnv": {FLAG: "false"}}}},
        },
        False,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_printed_operator_fix_applied_passes(tmp_path: Path, case: str) -> None:
    """Apply each kubectl merge patch (and, for v2, the YAML) as RFC 7386 merge patches; re-audit."""
    import json_merge_patch

    cr, v2 = CASES[case]
    extra = (str(MANIFEST),) if v2 else ()
    report = _audit(_write(tmp_path, "cr.yaml", cr), *extra)
    fixes = _fixes(report)
    patches = [_merge_patch(f["text"]) for f in fixes if f["text"].startswith("kubectl patch")]
    if v2:
        patches += [yaml.safe_load(f["text"]) for f in fixes if f["kind"] == "helm"]
        assert all(f["text"].split()[2] == RESOURCE for f in fixes if f["kind"] == "cli")
    assert patches
    for index, patch in enumerate(patches):
        fixed = json_merge_patch.merge(copy.deepcopy(cr), patch)
        after = _audit(_write(tmp_path, f"fixed-{index}.yaml", fixed), *extra)
        assert {f["status"] for f in _flag_findings(after)} == {"pass"}, (case, patch)
        if v2:  # the entries already in the list survive the patch
            before = cr["spec"]["wandb"].get("legacyOverrides", {})
            for layer, spec in before.items():
                names = {e["name"] for e in fixed["spec"]["wandb"]["legacyOverrides"][layer]["env"]}
                assert {e["name"] for e in spec["env"]} <= names


RESOURCE = "weightsandbiases.v2.apps.wandb.com"


def test_v2_fix_with_a_secret_in_the_list_is_a_json_patch(tmp_path: Path) -> None:
    jsonpatch = pytest.importorskip("jsonpatch")
    lo = _overrides(
        [{"name": "GORILLA_LICENSE", "value": "lic-0123456789abcdef"}],
        api=[{"name": "MYSQL", "value": "mysql://u:pw-9f8e7d@db:3306/w"}, {"name": FLAG, "value": "on"}],
    )
    cr = _v2(legacyOverrides=lo)
    report = _audit(_write(tmp_path, "cr.yaml", cr), str(MANIFEST))
    (cli,) = [f for f in _fixes(report) if f["kind"] == "cli"]
    args = shlex.split(cli["text"])
    assert args[args.index("--type") + 1] == "json"
    assert "lic-0123456789abcdef" not in json.dumps(report) and "pw-9f8e7d" not in json.dumps(report)
    fixed = jsonpatch.apply_patch(cr, json.loads(args[args.index("-p") + 1]))
    after = _audit(_write(tmp_path, "fixed.yaml", fixed), str(MANIFEST))
    assert {f["status"] for f in _flag_findings(after)} == {"pass"}
    assert fixed["spec"]["wandb"]["legacyOverrides"]["api"]["env"][0]["name"] == "MYSQL"


@pytest.mark.parametrize("case", ["v2, yes in api", "v1, app.extraEnv false"])
def test_fixes_for_a_resource_inside_a_kubectl_list_apply_to_that_item(tmp_path: Path, case: str) -> None:
    import json_merge_patch

    cr, v2 = CASES[case]
    extra = (str(MANIFEST),) if v2 else ()
    report = _audit(_write(tmp_path, "list.yaml", _kubectl_list(cr)), *extra)
    patches = [_merge_patch(f["text"]) for f in _fixes(report) if f["text"].startswith("kubectl patch")]
    assert patches and all("items[" not in json.dumps(p) for p in patches)
    for index, patch in enumerate(patches):
        fixed = _kubectl_list(json_merge_patch.merge(copy.deepcopy(cr), patch))
        after = _audit(_write(tmp_path, f"fixed-{index}.yaml", fixed), *extra)
        assert {f["status"] for f in _flag_findings(after)} == {"pass"}, (case, patch)


def test_v2_object_store_without_default_instance_is_not_guessed(tmp_path: Path) -> None:
    cr = _v2()
    cr["spec"]["objectStore"] = {"externalObjectStore": EXTERNAL}  # the flat form: not keyed by instance
    ev = collect([_write(tmp_path, "cr.yaml", cr)])
    assert not ev.buckets
    assert any("no 'default' instance" in n.text for n in ev.notes)


def test_v2_retention_field_sets_nothing(tmp_path: Path) -> None:
    cr = _v2(retention={"artifactGarbageCollection": True})
    report = _audit(_write(tmp_path, "cr.yaml", cr))
    assert [f["status"] for f in _flag_findings(report)] == ["unknown"]  # never a pass from it
    assert any("spec.wandb.retention is not a field" in n["text"] for n in report["notes"])


def test_v2_secret_without_namespace_still_shows_the_bucket(tmp_path: Path) -> None:
    secret = _secret(Bucket="acme-shown-bucket", Region="eu-west-1", **KEYS)
    del secret["metadata"]["namespace"]
    cr = _external_cr()
    store = cr["spec"]["objectStore"]["default"]["externalObjectStore"]
    for absent in ("provider", "endpoint", "port"):
        del store[absent]
    run = run_gcready("audit", _write(tmp_path, "all.yaml", cr, secret), "--offline", "--format", "json")
    assert "s3://acme-shown-bucket" in run.stdout
    assert KEYS["SecretKey"] not in run.stdout


def test_v2_bundle_keeps_verdicts_and_fix_placement(tmp_path: Path) -> None:
    lo = _overrides([{"name": "A", "value": "1"}], api=[{"name": FLAG, "value": "yes"}])
    cr = _write(tmp_path, "cr.yaml", _v2(legacyOverrides=lo))
    bundle = tmp_path / "bundle.json"
    # offline: the bucket is not probed, so collect says the bundle cannot prove it (exit 5)
    assert run_gcready("collect", cr, str(MANIFEST), "--offline", "-o", str(bundle), "-q").code == 5
    direct, offline = _audit(cr, str(MANIFEST)), _audit(str(bundle))
    assert offline["summary"]["checks"] == direct["summary"]["checks"]
    assert _fixes(offline) == _fixes(direct)


def _rendered_api(env: list[Any]) -> dict[str, Any]:
    """The Deployment operator v2 renders for the api application (named after it)."""
    container = {
        "name": "api",
        "image": "us-docker.pkg.dev/wandb-production/public/wandb/megabinary:0.84.0",
        "args": ["gorilla"],
        "env": env,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "wandb"},
        "spec": {"template": {"spec": {"containers": [container]}}},
    }


@pytest.mark.parametrize(("rendered", "status"), [("true", "pass"), (None, "fail")])
def test_v2_rendered_deployment_stands_in_for_the_manifest(
    tmp_path: Path, rendered: str | None, status: str
) -> None:
    env = [{"name": "GORILLA_ONPREM", "value": "true"}]
    if rendered is not None:
        env.append({"name": FLAG, "value": rendered})
    path = _write(tmp_path, "live.yaml", _kubectl_list(_v2(), _rendered_api(env)))
    ev = collect([path])
    api = _api(ev)
    assert not api.gaps
    assert any("stands in for it" in n.text for n in ev.notes)
    report = _audit(path)
    cr_finding = next(f for f in _flag_findings(report) if f["resource"] == "api (WeightsAndBiases/wandb)")
    assert cr_finding["status"] == status


REALWORLD = Path(__file__).resolve().parents[2].parent / "shared" / "realworld"
TEST_CONFIGS = REALWORLD / "helm-charts" / "test-configs" / "operator-wandb"


def _real_values() -> list[Path]:
    return sorted(TEST_CONFIGS.glob("*.yaml")) if TEST_CONFIGS.is_dir() else []


def _same_reading(values_file: Path, tmp_path: Path) -> None:
    """W&B's own chart test values read the same alone and as a v1 resource's spec.values."""
    values = yaml.safe_load(values_file.read_text()) or {}
    alone = collect([str(values_file)], kinds={str(values_file): SourceKind.HELM_VALUES})
    cr = {"apiVersion": "apps.wandb.com/v1", "kind": "WeightsAndBiases", "metadata": {"name": "wandb"}}
    cr["spec"] = {"values": values}
    wrapped = collect([_write(tmp_path, "cr.yaml", cr)])

    def shape(ev: Evidence) -> list[tuple[str, bool, list[tuple[str, str | None]]]]:
        return [
            (c.name.split(" (")[0], c.runs_gc, sorted((v.name, v.value) for v in c.env))
            for c in ev.components
        ]

    assert shape(wrapped) == shape(alone), values_file.name
    assert [b.key for b in wrapped.buckets] == [b.key for b in alone.buckets]


@pytest.mark.skipif(
    not _real_values(), reason=f"W&B's published chart test values not found at {TEST_CONFIGS}"
)
def test_v1_resource_reads_real_chart_values_as_the_values_reader_does(tmp_path: Path) -> None:
    files = _real_values()
    assert len(files) >= 40
    for values_file in files:
        _same_reading(values_file, tmp_path)


def test_v2_override_env_written_as_a_map_is_a_note_not_a_value(tmp_path: Path) -> None:
    cr = _v2(legacyOverrides={"global": {"env": {FLAG: "true"}}})  # the v1 extraEnv shape, wrong here
    ev = collect([_write(tmp_path, "cr.yaml", cr)])
    assert _api(ev).get(FLAG) is None
    assert any("must be a list" in n.text for n in ev.notes)


def test_v2_value_from_a_config_map_value_that_is_not_a_string_is_not_read(tmp_path: Path) -> None:
    # `enabled: yes` is a YAML boolean: the API server rejects the ConfigMap (data is map[string]string)
    env = [{"name": FLAG, "valueFrom": {"configMapKeyRef": {"name": "wandb-gc", "key": "enabled"}}}]
    cr = _write(tmp_path, "cr.yaml", _v2(legacyOverrides=_overrides(env)))
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "wandb-gc", "namespace": "wandb"}}
    cm["data"] = {"enabled": True}
    flag = _api(collect([cr, _write(tmp_path, "cm.yaml", cm)])).get(FLAG)
    assert flag is not None and flag.value is None and "is a boolean, not a string" in flag.unresolved
