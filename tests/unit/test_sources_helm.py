"""Helm values of operator-wandb and the W&B operator resource; bad and unknown files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gcready.model import Component, ComponentKind, Evidence, Provider, SignalKind, SourceKind, Status
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


# --- the operator-wandb chart's rules (gcready.sources.chart) ---------------------------------------

SCALAR_FORMS = [
    "y", "Y", "n", "N", "yes", "on", "off", "true", "True", "1", "1.0", "0", "01", "017", "0x1F", "1e3",
    "1_000", "1000000", "123456", "1234567", "0.0001", "0.00001", "1:30", "2001-12-14", "~", "null", "''",
    "'y'", '"1.0"', "-1", "+1", ".5", "1.", "1e21", "1e20", "-0", "0b101", "0o17", "tRue", "1.5e-7",
]  # fmt: skip


def test_values_decode_as_helms_decoder() -> None:
    """Every scalar form decodes as Helm's own decoder (go-yaml v2 through JSON) reads it."""
    helm_python = pytest.importorskip("helm_python", reason="helm-python-sdk (gcready[helm]) not installed")
    from gcready.sources.chart.helmyaml import load_values

    text = "m:\n" + "".join(f"  k{i}: {form}\n" for i, form in enumerate(SCALAR_FORMS))
    want = helm_python.values_from_yaml(text)["m"]
    got = load_values("values.yaml", text)[0]["m"]
    for i, form in enumerate(SCALAR_FORMS):
        a, b = want.get(f"k{i}"), got.get(f"k{i}")
        same = a == b and type(a) in (type(b), int) if not isinstance(a, bool) else a is b
        assert same, f"{form!r}: Helm reads {a!r}, gcready {b!r}"


def test_values_print_as_the_chart_prints_them(tmp_path: Path) -> None:
    """``toString`` of each decoded value is what a real render prints (``1.0`` → ``1``, ``1e+06``)."""
    helm_python = pytest.importorskip("helm_python", reason="helm-python-sdk (gcready[helm]) not installed")
    import yaml

    from gcready.sources.chart.helmyaml import go_string, load_values

    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "t.yaml").write_text(
        "{{- range $k, $v := .Values.m }}\n{{ $k }}: {{ toString $v | quote }}\n{{- end }}\n"
    )
    forms = [f for f in SCALAR_FORMS if f not in ("~", "null")]
    text = "m:\n" + "".join(f"  k{i}: {form}\n" for i, form in enumerate(forms))
    with helm_python.Chart.load(str(chart)) as loaded:
        out = yaml.safe_load(loaded.render(values=helm_python.values_from_yaml(text))["c/templates/t.yaml"])
    mine = load_values("values.yaml", text)[0]["m"]
    for i, form in enumerate(forms):
        assert out[f"k{i}"] == go_string(mine[f"k{i}"]), form


def test_chart_defaults_match_the_real_chart() -> None:
    """DEFAULTS and COMPONENTS are the chart's own values.yaml and Chart.yaml conditions (drift check)."""
    import yaml

    from gcready.sources.chart import operator_wandb
    from tests.differential.conftest import CHARTS as charts

    if not (charts / "operator-wandb" / "values.yaml").is_file():
        pytest.skip(f"W&B's operator-wandb chart is not at {charts}")
    values = yaml.safe_load((charts / "operator-wandb" / "values.yaml").read_text())
    base = yaml.safe_load((charts / "wandb-base" / "values.yaml").read_text())
    meta = yaml.safe_load((charts / "operator-wandb" / "Chart.yaml").read_text())
    assert meta["version"] == operator_wandb.CHART_VERSION

    def leaves(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
        if isinstance(node, dict) and node:
            return [leaf for k, v in node.items() for leaf in leaves(v, (*path, k))]
        return [(path, node)]

    def at(node: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return False, None
            node = node[key]
        return True, node

    for path, want in leaves(operator_wandb.DEFAULTS):
        found, got = at(values, path)
        if not found:  # the subchart's own default (its globals included)
            found, got = at(base, path if path[0] == "global" else path[1:])
        assert found and (got == want or (want == {} and (got is None or isinstance(got, dict)))), path
    conditions = {d.get("alias", d["name"]): d.get("condition") for d in meta["dependencies"]}
    for rule in operator_wandb.COMPONENTS:
        assert conditions[rule.name] == rule.condition
        assert rule.container in values[rule.name]["containers"]
    assert set(values) <= operator_wandb.VALUES_SECTIONS | {"nameOverride", "fullnameOverride"}


def _values_ev(tmp_path: Path, text: str) -> Evidence:
    return collect([_write(tmp_path, "values.yaml", text)])


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: y\n", "true"),
        ("global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 1.0\n", "1"),
        ("global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'y'\n", "y"),
        # sprig merge: a false / "" / 0 in a higher layer is empty and a lower layer fills it
        ("global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\napp:\n  extraEnv:\n"
         "    GORILLA_ARTIFACT_GC_ENABLED: false\n", "true"),
        ("global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'false'\napp:\n  containers:\n    app:\n"
         "      env:\n        GORILLA_ARTIFACT_GC_ENABLED: 'true'\n", "true"),
        ("app:\n  size: large\n  sizing:\n    large:\n      env:\n        GORILLA_ARTIFACT_GC_ENABLED: 't'\n", "t"),
        ("global:\n  gc: y\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: '{{ .Values.global.gc }}'\n", "true"),
    ],
)  # fmt: skip
def test_flag_value_as_the_chart_renders_it(tmp_path: Path, text: str, want: str) -> None:
    flag = _app(_values_ev(tmp_path, text)).get(FLAG)
    assert flag is not None and flag.value == want


def test_null_deletes_and_templates_stay_unknown(tmp_path: Path) -> None:
    ev = _values_ev(tmp_path, "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: null\n")
    assert _app(ev).get(FLAG) is None
    ev = _values_ev(
        tmp_path, "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: '{{ include \"x\" . }}'\n"
    )
    flag = _app(ev).get(FLAG)
    assert flag is not None and flag.value is None and "--chart" in flag.unresolved


def test_overlay_of_component_sections_is_values(tmp_path: Path) -> None:
    ev = _values_ev(tmp_path, "executor:\n  install: true\n  extraEnv:\n    LOG_LEVEL: debug\n")
    assert not ev.errors
    assert [i.kind for i in ev.inputs] == [SourceKind.HELM_VALUES]
    assert sorted(c.name.split(" ", 1)[0] for c in ev.components) == ["app", "console", "executor", "parquet"]


def test_env_from_the_chart_owns_is_no_gap_but_the_users_is(tmp_path: Path) -> None:
    assert not _app(_values_ev(tmp_path, "global:\n  host: https://w.acme.lan\n")).gaps
    text = "app:\n  envFrom:\n    '{{ .Release.Name }}-my-extra': configMapRef\n    wandb-gc: configMapRef\n"
    gaps = _app(_values_ev(tmp_path, text)).gaps
    assert len(gaps) == 2 and all("not among the inputs" in g for g in gaps)


def test_config_map_among_the_inputs_resolves_values_env_from(tmp_path: Path) -> None:
    values = _write(tmp_path, "values.yaml", "app:\n  envFrom:\n    wandb-gc: configMapRef\n")
    cm = _write(
        tmp_path,
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wandb-gc\ndata:\n  GORILLA_ARTIFACT_GC_ENABLED: 'true'\n",
    )
    assert _app(collect([values])).gaps
    app = _app(collect([values, cm]))
    flag = app.get(FLAG)
    assert not app.gaps and flag is not None and flag.value == "true" and flag.origin.source == cm


def _cm(tmp_path: Path, name: str, value: str) -> str:
    return _write(
        tmp_path,
        f"{name}.yaml",
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  GORILLA_ARTIFACT_GC_ENABLED: {value}\n",
    )


def _app_flag(*paths: str) -> Status:
    from gcready.model import DeploymentType
    from gcready.pipeline import analyze
    from gcready.requirements import load_builtin

    report = analyze(collect(list(paths)), load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_CLOUD)
    (finding,) = [f for f in report.findings if f.check == "gc-env-flag" and f.resource.startswith("app")]
    return finding.status


# the chart renders a component's envFrom map in the order of the objects' names (later wins):
# tests/differential/test_env_from_order.py checks that against the real render
TWO_ENV_FROM = "app:\n  envFrom:\n    wandb-a: configMapRef\n    wandb-b: configMapRef\n"


def test_a_later_values_env_from_object_not_among_the_inputs_makes_the_flag_unknown(tmp_path: Path) -> None:
    values = _write(tmp_path, "values.yaml", TWO_ENV_FROM)
    assert _app_flag(values, _cm(tmp_path, "wandb-a", "'true'")) is Status.UNKNOWN
    assert _app_flag(values, _cm(tmp_path, "wandb-b", "'true'")) is Status.PASS  # wandb-a comes first


def test_the_later_values_env_from_object_wins(tmp_path: Path) -> None:
    values = _write(tmp_path, "values.yaml", TWO_ENV_FROM)
    a, b = _cm(tmp_path, "wandb-a", "'true'"), _cm(tmp_path, "wandb-b", "'false'")
    assert _app_flag(values, a, b) is Status.FAIL


def test_a_non_string_config_map_value_through_values_env_from_is_not_read(tmp_path: Path) -> None:
    values = _write(tmp_path, "values.yaml", "app:\n  envFrom:\n    wandb-a: configMapRef\n")
    assert _app_flag(values, _cm(tmp_path, "wandb-a", "yes")) is Status.UNKNOWN


def test_fix_goes_to_the_component_layer_that_decides(tmp_path: Path) -> None:
    from gcready.model import DeploymentType, Status
    from gcready.pipeline import analyze
    from gcready.requirements import load_builtin

    text = "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\napp:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'false'\n"
    report = analyze(
        _values_ev(tmp_path, text), load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_CLOUD
    )
    (finding,) = [f for f in report.findings if f.check == "gc-env-flag" and f.resource.startswith("app")]
    assert finding.status is Status.FAIL
    helm_fixes = [f.text for f in finding.fixes if f.kind.value in ("helm", "cli")]
    assert helm_fixes and all("global" not in t for t in helm_fixes)
    assert any("app.extraEnv.GORILLA_ARTIFACT_GC_ENABLED=true" in t for t in helm_fixes)


def test_no_gc_component_means_no_stand_in(tmp_path: Path) -> None:
    """app not installed and api not enabled: no W&B server renders; parquet's flag does not pass for it."""
    from gcready.model import DeploymentType, Status
    from gcready.pipeline import analyze
    from gcready.requirements import load_builtin

    text = "app:\n  install: false\nglobal:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\n"
    report = analyze(
        _values_ev(tmp_path, text), load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_CLOUD
    )
    statuses = {f.status for f in report.findings if f.check == "gc-env-flag"}
    assert statuses == {Status.UNKNOWN}


def test_chart_without_the_helm_extra_uses_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "helm_python", None)  # as if gcready[helm] were not installed
    values = _write(tmp_path, "values.yaml", "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: y\n")
    ev = collect([values], chart=str(tmp_path))
    assert not ev.errors
    assert _app(ev).get(FLAG).value == "true"  # type: ignore[union-attr]
    assert any("helm-python-sdk is not installed" in n.text for n in ev.notes)


def test_reading_values_never_imports_helm() -> None:
    import subprocess
    import sys

    code = "import sys; from gcready.sources import collect; collect([]); print('helm_python' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_subchart_global_fills_what_the_parent_global_lacks(tmp_path: Path) -> None:
    """Helm's coalesceGlobals: app.global.env reaches app's .Values.global.env; a parent key wins."""
    text = (
        "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\n"
        "app:\n  global:\n    env:\n      GORILLA_ARTIFACT_GC_ENABLED: 'false'\n"
    )
    flag = _app(_values_ev(tmp_path, text)).get(FLAG)
    assert flag is not None and flag.value == "false"
    assert flag.origin.line == 7 and flag.origin.path == "app.global.env.GORILLA_ARTIFACT_GC_ENABLED"
    text = (
        "global:\n  env:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\n"
        "app:\n  global:\n    env:\n      GORILLA_ARTIFACT_GC_ENABLED: 'false'\n"
    )
    flag = _app(_values_ev(tmp_path, text)).get(FLAG)
    assert flag is not None and flag.value == "true" and flag.origin.line == 3


def test_a_v1_resource_reads_a_subchart_global(tmp_path: Path) -> None:
    text = (
        "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata:\n  name: wandb\nspec:\n"
        "  values:\n    global:\n      extraEnv:\n        GORILLA_ARTIFACT_GC_ENABLED: 'true'\n"
        "    app:\n      global:\n        env:\n          GORILLA_ARTIFACT_GC_ENABLED: 'false'\n"
    )
    ev = collect([_write(tmp_path, "wandb-cr.yaml", text)])
    (app,) = [c for c in ev.components if c.name.startswith("app")]
    flag = app.get(FLAG)
    assert flag is not None and flag.value == "false"


@pytest.mark.parametrize(
    "text",
    [
        # Z_GC comes after the flag in key order: the chart's own ConfigMaps could still define it
        "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: $(Z_GC)\n    Z_GC: 'true'\n",
        # the chart's local ConfigMap sets GORILLA_GLUE_CONTAINER_PORT before the env list
        "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: $(GORILLA_GLUE_CONTAINER_PORT)\n",
        # a reference to a variable whose value is a Secret's
        "global:\n  extraEnv:\n    A_GC:\n      valueFrom:\n        secretKeyRef: {name: s, key: k}\n"
        "    GORILLA_ARTIFACT_GC_ENABLED: $(A_GC)\n",
    ],
)
def test_a_reference_the_model_cannot_resolve_is_unknown(tmp_path: Path, text: str) -> None:
    flag = _app(_values_ev(tmp_path, text)).get(FLAG)
    assert flag is not None and flag.value is None
    assert flag.unresolved is not None and "refers to $(" in flag.unresolved


def test_a_templated_env_tpls_entry_is_a_gap_naming_chart(tmp_path: Path) -> None:
    text = "app:\n  envTpls:\n    - '{{ include \"my.env\" . }}'\n"
    app = _app(_values_ev(tmp_path, text))
    assert app.get(FLAG) is None
    assert any("app.envTpls[0]" in g and "--chart" in g for g in app.gaps)


def test_later_documents_of_a_values_file_are_not_read(tmp_path: Path) -> None:
    text = "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\n---\napp:\n  install: false\n"
    ev = _values_ev(tmp_path, text)
    assert [c.name for c in ev.components if c.name.startswith("app")] == ["app (Helm values)"]
    (note,) = [n for n in ev.notes if "document 2" in n.text]
    assert "reads only the first document" in note.text and note.origin.line == 5


def test_a_disabled_server_container_is_not_judged(tmp_path: Path) -> None:
    text = "app:\n  containers:\n    app:\n      enabled: false\n"
    ev = _values_ev(tmp_path, text)
    assert not [c for c in ev.components if c.name.startswith("app")]
    assert any("app.containers.app.enabled is off" in n.text for n in ev.notes)
