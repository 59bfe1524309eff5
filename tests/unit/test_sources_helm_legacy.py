"""Values of the legacy single-pod `wandb` chart: extraEnv list, bucket URL string, flat keys."""

from __future__ import annotations

from pathlib import Path

from gcready.model import Component, ComponentKind, Evidence, Provider, SignalKind, SourceKind
from gcready.sources import collect
from gcready.sources.helm import looks_like_values
from gcready.sources.helm_legacy import looks_like

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"

LEGACY = """\
image:
  repository: wandb/local
  tag: "0.58.1"
license: eyJhbGciOiJSUzI1NiJ9.legacyLicensePayload8fj3k.c2lnbmF0dXJlbGVnYWN5
bucket: s3://acme-wandb-legacy-files
bucketRegion: us-west-2
host: https://wandb.acme-corp.com
extraEnv:
  - name: GORILLA_ARTIFACT_GC_ENABLED
    value: "false"
  - name: GORILLA_ARTIFACT_GC_ENABLED
    value: "true"
  - name: GORILLA_SMTP_PASSWORD
    valueFrom:
      secretKeyRef:
        name: wandb-smtp
        key: password
mysql:
  managed: false
  password: Legacy-Mysql-Pw-77
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _comp(ev: Evidence) -> Component:
    (comp,) = ev.components
    return comp


def test_recognised_by_shape(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "values.yaml", LEGACY)])
    assert not ev.errors
    assert [i.kind for i in ev.inputs] == [SourceKind.HELM_LEGACY]
    comp = _comp(ev)
    assert comp.name == "legacy chart (values.yaml)"
    assert comp.kind is ComponentKind.HELM_LEGACY and comp.runs_gc
    assert any(s.kind is SignalKind.SERVER_CONFIG for s in ev.signals)
    assert any(s.kind is SignalKind.BASE_URL and s.value == "https://wandb.acme-corp.com" for s in ev.signals)


def test_later_extra_env_entry_wins(tmp_path: Path) -> None:
    comp = _comp(collect([_write(tmp_path, "values.yaml", LEGACY)]))
    flag = comp.get(FLAG)
    assert flag is not None and flag.value == "true"
    assert flag.origin.line == 11 and flag.origin.path == f"extraEnv[1] {FLAG}"
    assert [(v.value, v.origin.line) for v in comp.shadowed if v.name == FLAG] == [("false", 9)]


def test_bucket_url_string_and_chart_env(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "values.yaml", LEGACY)])
    (bucket,) = ev.unique_buckets()
    assert bucket.provider is Provider.AWS and bucket.name == "acme-wandb-legacy-files"
    assert bucket.origin.line == 5 and bucket.origin.path == "bucket"
    comp = _comp(ev)
    assert comp.get("AWS_REGION").value == "us-west-2"  # type: ignore[union-attr]
    license_ = comp.get("LICENSE")
    assert license_ is not None and license_.redacted and license_.value is None
    smtp = comp.get("GORILLA_SMTP_PASSWORD")
    assert smtp is not None and smtp.value is None and "Secret wandb-smtp" in smtp.unresolved


def test_unquoted_bool_is_rejected_by_the_api_server(tmp_path: Path) -> None:
    text = "bucket: gs://b\nextraEnv:\n  - name: GORILLA_ARTIFACT_GC_ENABLED\n    value: true\n"
    flag = _comp(collect([_write(tmp_path, "values.yaml", text)])).get(FLAG)
    assert flag is not None and flag.value is None and "not a string" in flag.unresolved


def test_extra_env_map_is_noted_and_not_counted(tmp_path: Path) -> None:
    text = "bucket: gs://b\nextraEnv:\n  GORILLA_ARTIFACT_GC_ENABLED: 'true'\n"
    ev = collect([_write(tmp_path, "values.yaml", text)])
    assert _comp(ev).get(FLAG) is None
    assert any("expects a list" in n.text and n.origin.line == 2 for n in ev.notes)


def test_minio_url_with_keys(tmp_path: Path) -> None:
    text = "bucket: s3://AKIAEXAMPLEKEY01:Legacy-Minio-Secret-9@minio.acme.lan:9000/wandb?tls=true\n"
    ev = collect([_write(tmp_path, "values.yaml", text)])
    (bucket,) = ev.unique_buckets()
    assert bucket.provider is Provider.S3_COMPATIBLE and bucket.endpoint == "minio.acme.lan:9000"
    assert "Legacy-Minio-Secret-9" not in str(_comp(ev).get("BUCKET"))


def test_operator_values_stay_helm_values() -> None:
    operator = {"global": {"bucket": {"provider": "s3", "name": "b"}, "extraEnv": {FLAG: "true"}}, "app": {}}
    assert looks_like_values(operator) and not looks_like(operator)
    later_wandb_chart = {"global": {"extraEnv": {}}, "webservice": {"image": {"repository": "wandb/local"}}}
    assert not looks_like(later_wandb_chart)
    legacy = {"extraEnv": [{"name": FLAG, "value": "true"}], "mysql": {"managed": True}}
    assert looks_like(legacy) and not looks_like_values(legacy)
    assert looks_like({"bucket": "s3://b"})
    assert not looks_like({"apiVersion": "v1", "kind": "ConfigMap", "bucket": "s3://b"})


def test_forced_kind(tmp_path: Path) -> None:
    path = _write(tmp_path, "wandb.yaml", "host: https://wandb.acme.lan\nimage:\n  repository: other/thing\n")
    assert collect([path]).errors
    ev = collect([path], default_kind=SourceKind.HELM_LEGACY)
    assert not ev.errors and _comp(ev).get("HOST") is not None


def _flag(tmp_path: Path, entries: str) -> tuple[str | None, str]:
    text = f"license: lic-abc\nhost: https://wandb.example.com\nldap:\n  enabled: true\n  tls: true\nextraEnv:\n{entries}"
    flag = _comp(collect([_write(tmp_path, "values.yaml", text)])).get(FLAG)
    assert flag is not None
    return flag.value, flag.unresolved


def test_a_reference_to_an_earlier_extra_env_entry_is_expanded(tmp_path: Path) -> None:
    entries = f"  - name: A_GC\n    value: 'true'\n  - name: {FLAG}\n    value: $(A_GC)\n"
    assert _flag(tmp_path, entries) == ("true", "")
    escaped = f"  - name: A_GC\n    value: 'true'\n  - name: {FLAG}\n    value: $$(A_GC)\n"
    assert _flag(tmp_path, escaped) == ("$(A_GC)", "")


def test_a_reference_the_chart_env_may_define_is_unknown(tmp_path: Path) -> None:
    """The chart sets LOCAL_LDAP_TLS_ENABLE=true before extraEnv (the kubelet expands it); gcready does not
    model that env, so the value is unknown, not judged as the text $(LOCAL_LDAP_TLS_ENABLE)."""
    value, why = _flag(tmp_path, f"  - name: {FLAG}\n    value: $(LOCAL_LDAP_TLS_ENABLE)\n")
    assert value is None and "$(LOCAL_LDAP_TLS_ENABLE)" in why
