"""YAML decoded as each consumer decodes it: Helm and kubectl (go-yaml v2), docker compose (go-yaml v3).

The Helm side is checked against Helm's own decoder (helm-python-sdk's ``values_from_yaml``, which is
sigs.k8s.io/yaml, the library kubectl uses too).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gcready.model import ComponentKind, Evidence
from gcready.sources import collect
from gcready.sources.chart.helmyaml import load_values
from gcready.sources.yamldocs import YAMLInputError, read_documents
from gcready.sources.yamlscalars import Schema
from tests.conftest import run_gcready

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"

TAGGED_FORMS = [
    '!!str y', "!!str on", "!!str 1", '!!bool "y"', '!!bool "yes"', "!!bool Off", '!!bool "maybe"', "!!bool 1",
    '!!int "12"', '!!int "0x1F"', '!!int "abc"', '!!int "0x"', "!!int y", '!!float "1"', '!!float "x"',
    '!!timestamp "2020-01-02"', '!!timestamp "2020-13-45"', "!!null ~", "!!null x", "!foo bar", "! y",
    "!!binary aGVsbG8=",
    # a leading 0 with an 8 or 9 is not octal: strconv.ParseInt fails and go-yaml reads the float
    "!!float 08", "!!int 08", "!!int -018",
    # strconv.ParseInt(s, 0, 64) takes a prefix in either case; a uint64 is no !!float
    "!!int 0X1F", "!!float 0B101", "!!int 0O17", "!!float 9223372036854775808", "!!float -9223372036854775808",
    '!!float 1e400', '!!binary "a GVsbG8="', '!!binary "/w=="', '!!binary "4oI="', '!!binary "7aCA"', "!!float .inf",
]  # fmt: skip

PLAIN_FORMS = [
    "08", "09", "018", "-08", "+09", "0_8", "089.5", "08e2", "00", "0X1F", "0O17", "0B101", "-0X1F",
    "0o8", "1e400", "-1e400", ".5e400", "1e-400", "9223372036854775808", "18446744073709551616",
    "-9223372036854775809", "3.14159265358979", "16777217.0", ".inf", "-.inf", ".nan",
]  # fmt: skip

DOCUMENTS = {
    "merge after an explicit key": "b: &b {K: from-merge}\nx:\n  K: explicit\n  <<: *b\n",
    "merge before an explicit key": "b: &b {K: from-merge}\nx:\n  <<: *b\n  K: explicit\n",
    "list of merges": "a: &a {K: a}\nb: &b {K: b, L: b}\nx:\n  K: x\n  <<: [*a, *b]\n",
    "repeated key": "x:\n  K: first\n  K: second\n",
    "YAML 1.1 keys": "x:\n  y: 1\n  on: 2\n  n: 3\n  1: 4\n  1.5: 5\n",
}


def _helm() -> Any:
    return pytest.importorskip("helm_python", reason="helm-python-sdk (gcready[helm]) not installed")


def _plain(node: Any) -> Any:
    """gcready's decoded values as plain JSON data (Helm's decoder returns JSON numbers)."""
    return json.loads(json.dumps(node))


@pytest.mark.parametrize("form", TAGGED_FORMS)
def test_tagged_scalars_as_helms_decoder(form: str) -> None:
    """An explicit tag is honoured; one that does not fit its text is an error naming the line."""
    helm = _helm()
    text = f"a: 1\nk: {form}\n"
    try:
        want = helm.values_from_yaml(text)
    except helm.HelmError:
        with pytest.raises(YAMLInputError) as raised:
            load_values("values.yaml", text)
        assert raised.value.error.line == 2
        return
    assert _plain(load_values("values.yaml", text)[0]) == _numbers_as_floats(want)


@pytest.mark.parametrize("where", ["k: {}\n", "k: [{}]\n", "{}: v\n"], ids=["value", "item", "key"])
@pytest.mark.parametrize("form", PLAIN_FORMS)
def test_plain_numbers_as_helms_decoder(form: str, where: str) -> None:
    """``k: 08`` is the number 8 and ``08: v`` the key "8", as Helm reads them; ``1e400`` a string."""
    helm = _helm()
    text = "a: 1\n" + where.format(form)
    try:
        want = helm.values_from_yaml(text)
    except helm.HelmError:
        with pytest.raises(YAMLInputError) as raised:
            load_values("values.yaml", text)
        assert raised.value.error.line == 2
        return
    assert _plain(load_values("values.yaml", text)[0]) == _numbers_as_floats(want)


@pytest.mark.parametrize(("text", "want"), [("09", 9.0), ("018", 18.0), ("0X1F", 31), ("1e400", "1e400")])
def test_compose_numbers_as_go_yaml_v3_reads_them(text: str, want: object) -> None:
    """go-yaml v3's resolve: ParseInt(s, 0, 64), then ParseUint, then ParseFloat (in range) when the
    text looks like a YAML float; otherwise the string."""
    (doc,) = read_documents("compose.yaml", f"k: {text}\n", Schema.COMPOSE).docs
    assert doc.data["k"] == want and type(doc.data["k"]) is type(want)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("values.yaml", f"image:\n  port: 08\nglobal:\n  extraEnv:\n    {FLAG}: 'true'\n"),
        ("compose.yaml", f"services:\n  wandb:\n    image: wandb/local:0.60\n    stop_grace_period: 09\n"
         f"    environment:\n      {FLAG}: 'true'\n"),
    ],
)  # fmt: skip
def test_a_leading_zero_number_is_read_not_an_internal_error(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    run = run_gcready("audit", str(path), "--offline", "--no-config", "--format", "json")
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert run.code in (0, 3, 5), run.stderr
    report = json.loads(run.stdout)
    assert any(f["check"] == "gc-env-flag" and f["status"] == "pass" for f in report["findings"])


def _numbers_as_floats(node: Any) -> Any:
    """Helm's decoder returns JSON numbers as Python ints when they have no fraction."""
    if isinstance(node, dict):
        return {key: _numbers_as_floats(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_numbers_as_floats(item) for item in node]
    if isinstance(node, int) and not isinstance(node, bool):
        return float(node)
    return node


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_merges_repeated_keys_and_keys_as_helms_decoder(text: str) -> None:
    assert _plain(load_values("values.yaml", text)[0]) == _helm().values_from_yaml(text)


def _flag(evidence: Evidence, kind: ComponentKind | None = None) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for component in evidence.components:
        if kind is None or component.kind is kind:
            value = component.get(FLAG)
            out[component.name] = None if value is None else value.value
    return out


def test_kubernetes_env_item_merge_after_the_value_overrides_it(tmp_path: Path) -> None:
    path = tmp_path / "deploy.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: wandb-app}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: app\n          image: wandb/local:0.60\n"
        "          env:\n            - name: GORILLA_ARTIFACT_GC_ENABLED\n              value: 'true'\n"
        "              <<: {value: 'false'}\n"
    )
    evidence = collect([str(path)])
    assert not evidence.errors
    assert list(_flag(evidence).values()) == ["false"]


def test_operator_v1_values_decode_as_kubectl_does(tmp_path: Path) -> None:
    """``y`` is true and ``app.install: n`` is false in a resource applied with kubectl."""
    path = tmp_path / "cr.yaml"
    path.write_text(
        "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata: {name: wandb}\nspec:\n"
        "  values:\n    app:\n      install: n\n    global:\n      api: {enabled: true}\n"
        "    api:\n      extraEnv:\n        GORILLA_ARTIFACT_GC_ENABLED: y\n"
    )
    evidence = collect([str(path)])
    assert not evidence.errors
    flags = {name.split(" ", 1)[0]: value for name, value in _flag(evidence).items()}
    assert {k: v for k, v in flags.items() if k in ("app", "api")} == {"api": "true"}  # app is not rendered


@pytest.mark.parametrize("written", ["yes", "on", "y", "Yes"])
def test_compose_reads_yaml_1_1_words_as_strings(tmp_path: Path, written: str) -> None:
    """compose-go decodes YAML 1.2: an unquoted ``yes`` is the string the server rejects."""
    path = tmp_path / "compose.yaml"
    path.write_text(
        f"services:\n  wandb:\n    image: wandb/local:0.60\n    environment:\n      {FLAG}: {written}\n"
    )
    evidence = collect([str(path)])
    assert not evidence.errors
    assert _flag(evidence, ComponentKind.COMPOSE_SERVICE) == {"compose service wandb": written}


def test_compose_true_is_still_true(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(
        f"services:\n  wandb:\n    image: wandb/local:0.60\n    environment:\n      {FLAG}: True\n"
    )
    assert _flag(collect([str(path)]), ComponentKind.COMPOSE_SERVICE) == {"compose service wandb": "true"}


def test_compose_merge_only_fills_in_keys_the_mapping_does_not_set(tmp_path: Path) -> None:
    """compose-go inlines a ``<<`` merge under the mapping's own keys, wherever the merge is written."""
    path = tmp_path / "compose.yaml"
    path.write_text(
        "x-env: &env\n  GORILLA_ARTIFACT_GC_ENABLED: 'false'\nservices:\n  wandb:\n    image: wandb/local:0.60\n"
        "    environment:\n      GORILLA_ARTIFACT_GC_ENABLED: 'true'\n      <<: *env\n"
    )
    assert _flag(collect([str(path)]), ComponentKind.COMPOSE_SERVICE) == {"compose service wandb": "true"}


def test_compose_refuses_a_repeated_key(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(
        "services:\n  wandb:\n    image: wandb/local:0.60\n    environment:\n"
        f"      {FLAG}: 'false'\n      {FLAG}: 'true'\n"
    )
    evidence = collect([str(path)])
    (error,) = evidence.errors
    assert (error.source, error.line) == (str(path), 6)
    assert "docker compose refuses" in error.message and "line 5" in error.message
    assert not [c for c in evidence.components if c.kind is ComponentKind.COMPOSE_SERVICE]
    assert not [n for n in evidence.notes if "repeated key" in n.text]  # not "read as Kubernetes reads it"


@pytest.mark.parametrize("form", ['!!int "abc"', '!!timestamp "2020-13-45"', '!!bool "maybe"', '!!float "x"'])
def test_a_tag_that_does_not_fit_is_one_input_error_and_the_rest_is_audited(
    tmp_path: Path, form: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"global:\n  extraEnv:\n    {FLAG}: {form}\n")
    good = tmp_path / "good.env"
    good.write_text(f"{FLAG}=true\n")
    run = run_gcready("audit", str(bad), str(good), "--offline", "--no-config", "--format", "json")
    assert run.code == 2, run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    (line,) = [x for x in run.stderr.splitlines() if "bad.yaml" in x]
    assert f"{bad}:3: cannot decode" in line
    report = json.loads(run.stdout)
    assert any(f["check"] == "gc-env-flag" and f["status"] == "pass" for f in report["findings"])
