"""Helm values of operator-wandb and the W&B operator resource; bad and unknown files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcready.model import Component, ComponentKind, Evidence, Provider, SignalKind, SourceKind
from gcready.sources import collect

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"

VALUES = """\
global:
  host: https://wandb.acme-corp.com
  cloudProvider: aws
  license: helm-license-9b8c7d6e5f4a
  bucket:
    provider: s3
    name: acme-wandb-files
    region: us-east-1
  extraEnv:
    GORILLA_ARTIFACT_GC_ENABLED: true
    GORILLA_DATA_RETENTION_PERIOD: 168h
  extraEnvFrom:
    wandb-extra-env: configMapRef
app:
  extraEnvs:
    GORILLA_ARTIFACT_GC_ENABLED: "false"
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _app(ev: Evidence) -> Component:
    (app,) = [c for c in ev.components if c.name.startswith("app")]
    return app


def test_values_file_recognised(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "values.yaml", VALUES)])
    assert not ev.errors
    assert [i.kind for i in ev.inputs] == [SourceKind.HELM_VALUES]
    app = _app(ev)
    assert app.kind is ComponentKind.HELM_COMPONENT
    assert app.runs_gc
    assert any(s.kind is SignalKind.SERVER_CONFIG for s in ev.signals)


def test_yaml_bool_true_rendered_as_string_true(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "values.yaml", VALUES)])
    flag = _app(ev).get(FLAG)
    assert flag is not None
    assert flag.value == "true"
    assert flag.origin.line == 10
    assert flag.origin.path == f"global.extraEnv.{FLAG}"


def test_app_extra_envs_is_ignored_with_a_note(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "values.yaml", VALUES)])
    assert _app(ev).get(FLAG).value == "true"  # type: ignore[union-attr]
    notes = [n for n in ev.notes if "app.extraEnvs" in n.text]
    assert len(notes) == 1
    assert "ignored" in notes[0].text
    assert notes[0].origin.line == 15


def test_global_extra_env_from_is_not_read_by_app(tmp_path: Path) -> None:
    """operator-wandb 0.43.x imports global.extraEnvFrom only in the exporters', otel's and mysql's
    templates: it is no gap of app's env, and a note says the chart ignores it there."""
    ev = collect([_write(tmp_path, "values.yaml", VALUES)])
    assert not any("wandb-extra-env" in gap for gap in _app(ev).gaps)
    (note,) = [n for n in ev.notes if "global.extraEnvFrom" in n.text]
    assert "not read" in note.text and note.origin.line == 12


def test_global_bucket_with_line(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "values.yaml", VALUES)])
    (bucket,) = ev.buckets
    assert bucket.provider is Provider.AWS
    assert bucket.name == "acme-wandb-files"
    assert bucket.region == "us-east-1"
    assert bucket.origin.line == 7  # the `name:` key


def test_cloud_provider_and_host_signals(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "values.yaml", VALUES)])
    found = {(s.kind, s.value, s.origin.line) for s in ev.signals}
    assert (SignalKind.CLOUD_PROVIDER, "aws", 3) in found
    assert (SignalKind.BASE_URL, "https://wandb.acme-corp.com", 2) in found


def test_license_value_not_kept(tmp_path: Path) -> None:
    text = VALUES + "  extraEnv:\n    LICENSE: helm-license-env-0a1b2c3d\n"
    ev = collect([_write(tmp_path, "values.yaml", text)])
    lic = _app(ev).get("LICENSE")
    assert lic is not None and lic.value is None and lic.redacted
    assert "helm-license-env-0a1b2c3d" not in repr(ev)


LAYERS = {
    "global.extraEnv": "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'True'\n",
    "global.env": "  env:\n    GORILLA_ARTIFACT_GC_ENABLED: 'TRUE'\n",
    "app.extraEnv": "app:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 't'\n",
    "app.env": "  env:\n    GORILLA_ARTIFACT_GC_ENABLED: '1'\n",
}
EXPECTED = {"global.extraEnv": "True", "global.env": "TRUE", "app.extraEnv": "t", "app.env": "1"}


@pytest.mark.parametrize("top", list(LAYERS))
def test_precedence(tmp_path: Path, top: str) -> None:
    """app.env > app.extraEnv > global.env > global.extraEnv: each layer wins over all below it."""
    names = list(LAYERS)[: list(LAYERS).index(top) + 1]
    text = "".join(LAYERS[n] for n in names)
    ev = collect([_write(tmp_path, "values.yaml", text)])
    app = _app(ev)
    flag = app.get(FLAG)
    assert flag is not None
    assert flag.value == EXPECTED[top]
    assert flag.origin.path == f"{top}.{FLAG}"
    assert sorted(v.value for v in app.shadowed if v.name == FLAG) == sorted(
        EXPECTED[n] for n in names if n != top
    )


def test_app_extra_env_false_overrides_global_true(tmp_path: Path) -> None:
    text = "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\napp:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'false'\n"
    ev = collect([_write(tmp_path, "values.yaml", text)])
    assert _app(ev).get(FLAG).value == "false"  # type: ignore[union-attr]


CR = """\
apiVersion: apps.wandb.com/v1
kind: WeightsAndBiases
metadata:
  name: wandb
  namespace: default
spec:
  chart:
    name: operator-wandb
  values:
    global:
      cloudProvider: gcp
      bucket:
        provider: gcs
        name: acme-wandb-gcs
      env:
        GORILLA_ARTIFACT_GC_ENABLED: "false"
    app:
      extraEnv:
        GORILLA_ARTIFACT_GC_ENABLED: "true"
"""


def test_operator_cr_spec_values(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "wandb-cr.yaml", CR)])
    assert not ev.errors
    assert [i.kind for i in ev.inputs] == [SourceKind.WANDB_CR]
    app = _app(ev)
    flag = app.get(FLAG)
    assert flag is not None
    assert flag.value == "true"
    assert flag.origin.line == 19
    assert flag.origin.path == f"spec.values.app.extraEnv.{FLAG}"
    assert [v.value for v in app.shadowed if v.name == FLAG] == ["false"]
    (bucket,) = ev.buckets
    assert bucket.provider is Provider.GCP and bucket.name == "acme-wandb-gcs"
    assert bucket.origin.line == 14
    assert any(s.kind is SignalKind.CLOUD_PROVIDER and s.value == "gcp" for s in ev.signals)


def test_operator_cr_without_values(tmp_path: Path) -> None:
    text = CR.split("  values:")[0]
    ev = collect([_write(tmp_path, "wandb-cr.yaml", text)])
    assert not ev.errors
    assert any(s.kind is SignalKind.SERVER_CONFIG for s in ev.signals)
    assert ev.notes


BAD_YAML = "global:\n  bucket:\n    name: foo\n   bad: indentation\n"


def test_bad_yaml_names_file_and_line_and_others_still_read(tmp_path: Path) -> None:
    bad = _write(tmp_path, "broken.yaml", BAD_YAML)
    good = _write(tmp_path, "values.yaml", VALUES)
    ev = collect([bad, good])
    (error,) = ev.errors
    assert error.source == bad
    assert error.line == 4
    assert str(error).startswith(f"{bad}:4: ")
    assert _app(ev).get(FLAG).value == "true"  # type: ignore[union-attr]


def test_bad_yaml_inside_folder_is_an_error_too(tmp_path: Path) -> None:
    _write(tmp_path, "broken.yaml", BAD_YAML)
    _write(tmp_path, "values.yaml", VALUES)
    ev = collect([str(tmp_path)])
    assert [e.line for e in ev.errors] == [4]
    assert ev.components


def test_unrecognised_named_file_is_an_error(tmp_path: Path) -> None:
    other = _write(tmp_path, "docker-compose.yaml", "services:\n  web:\n    image: nginx\n")
    ev = collect([other, _write(tmp_path, "values.yaml", VALUES)])
    (error,) = ev.errors
    assert error.source == other
    assert "--kind" in error.message
    assert ev.components


def test_unrecognised_file_in_folder_is_only_a_note(tmp_path: Path) -> None:
    _write(tmp_path, "docker-compose.yaml", "services:\n  web:\n    image: nginx\n")
    _write(tmp_path, "README.md", "# how we deploy W&B\n\nSome words.\n")
    _write(tmp_path, "values.yaml", VALUES)
    ev = collect([str(tmp_path)])
    assert ev.errors == ()
    skipped = {Path(n.origin.source).name for n in ev.notes if n.text.startswith("skipped")}
    assert {"docker-compose.yaml", "README.md"} <= skipped


def test_missing_path_is_an_error_and_others_still_read(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    ev = collect([missing, _write(tmp_path, "values.yaml", VALUES)])
    (error,) = ev.errors
    assert error.source == missing
    assert ev.components


def test_components_render_by_the_charts_conditions(tmp_path: Path) -> None:
    """Chart.yaml decides: api renders on global.api.enabled (not on an api: section, nor api.install),
    glue on global.glue.enabled; parquet and console install by default, app unless app.install: false."""
    values = VALUES + "api:\n  install: true\n  extraEnv: {}\nglue:\n  install: true\n"
    assert not collect([_write(tmp_path, "values.yaml", values)]).errors
    ev = collect([_write(tmp_path, "values.yaml", values)])
    names = sorted(c.name.split(" ", 1)[0] for c in ev.components)
    assert names == ["app", "console", "parquet"]
    on = VALUES.replace("global:\n", "global:\n  api:\n    enabled: true\n  glue:\n    enabled: y\n", 1)
    on = on.replace("app:\n", "app:\n  install: false\n")
    shown = collect([_write(tmp_path, "shown.yaml", on)])
    assert sorted(c.name.split(" ", 1)[0] for c in shown.components) == ["api", "console", "glue", "parquet"]
    (api,) = [c for c in shown.components if c.name.startswith("api")]
    assert api.runs_gc
