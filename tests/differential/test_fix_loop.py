"""Differential: the GC flag's printed Helm fixes, applied, turn the real render's verdict to pass.

For every values file of the differential set, a failing gc-env-flag or gc-flag-components finding
must print a fix; for every such finding that is not a pass, each printed fix for a Helm values file (the YAML, and the ``helm upgrade --set-string``) is applied
the way Helm applies a later ``-f`` file or ``--set-string`` (maps merge, anything else is replaced), then
(a) the real chart renders the result and the finding's component must get the flag true
(:mod:`tests.differential.oracle`), and (b) gcready audits the result again and must say pass.
A fix that leaves the values as they were (it re-prints what the input has) fails the test too.
"""

from __future__ import annotations

import copy
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from gcready.model import DeploymentType, Finding, FixKind, Status
from gcready.pipeline import analyze
from gcready.requirements import load_builtin
from gcready.sources import collect
from tests.conftest import REPO
from tests.differential import oracle
from tests.differential.conftest import CHARTS, OWN_VALUES, REALWORLD, realworld_values

FILES = [*realworld_values(), *sorted(OWN_VALUES.glob("*.yaml"))]
CHECKS = ("gc-env-flag", "gc-flag-components")
_RENDERS: dict[str, dict[str, str]] = {}


def _id(path: Path) -> str:
    return path.name if path.parent == OWN_VALUES else str(path.relative_to(REALWORLD))


def layered(base: Any, over: Any) -> Any:
    """``helm -f base -f over``: maps merge key by key, anything else (a list too) is replaced."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return copy.deepcopy(over)
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = layered(out[key], value) if key in out else copy.deepcopy(value)
    return out


def set_string(command: str) -> dict[str, Any]:
    """The values a printed ``helm upgrade … --set-string KEY.PATH=VALUE`` sets."""
    words = shlex.split(command)
    key, _, value = words[words.index("--set-string") + 1].partition("=")
    out: dict[str, Any] = {}
    node = out
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def _findings(path: Path) -> list[Finding]:
    """The file's gc-env-flag and gc-flag-components findings that are not a pass."""
    report = analyze(collect([str(path)]), load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_CLOUD)
    return [f for f in report.findings if f.check in CHECKS and f.status is not Status.PASS]


def _truth(chart: Path, values: dict[str, Any]) -> dict[str, str]:
    import helm_python  # noqa: F401  (the chart_dir fixture skips without it)

    from gcready.sources.render import render_manifests

    key = json.dumps(values, sort_keys=True, default=str)
    if key not in _RENDERS:
        _RENDERS[key] = render_manifests(str(chart), values)
    return oracle.truth(_RENDERS[key])


def _applied(finding: Finding) -> list[tuple[str, dict[str, Any]]]:
    """The Helm values fixes of a finding, as values to layer over the user's (not the operator
    resource's ``spec.values``: a different input)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for fix in finding.fixes:
        if fix.kind is FixKind.HELM:
            values = yaml.safe_load(fix.text)
            if isinstance(values, dict) and "spec" not in values:
                out.append((fix.title, values))
        elif fix.kind is FixKind.CLI and fix.text.startswith("helm upgrade") and "--set-string" in fix.text:
            out.append((fix.title, set_string(fix.text)))
    return out


@pytest.mark.parametrize("values", FILES, ids=_id)
def test_every_printed_helm_fix_makes_the_render_pass(chart_dir: Path, values: Path, tmp_path: Path) -> None:
    import helm_python

    findings = _findings(values)
    unfixed = [f"{f.check} on {f.resource}" for f in findings if f.status is Status.FAIL and not f.fixes]
    assert not unfixed, f"a failing finding prints no fix: {unfixed}"
    base = helm_python.values_from_yaml(values.read_text())
    for finding in (f for f in findings if f.fixes):
        component = finding.resource.split(" ", 1)[0]
        fixes = _applied(finding)
        for title, fix in fixes:
            merged = layered(base, fix)
            assert merged != base, f"{finding.check}: the fix {title!r} changes nothing: {fix}"
            got = _truth(chart_dir, merged).get(component)
            assert got == "pass", (
                f"{finding.check} on {component}: after {title!r} ({fix}) the render says {got}"
            )
            edited = tmp_path / "values.yaml"
            edited.write_text(yaml.safe_dump(merged, sort_keys=False))
            again = [
                f.status
                for f in analyze(
                    collect([str(edited)]), load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_CLOUD
                ).findings
                if f.check == finding.check and f.resource.split(" ", 1)[0] == component
            ]
            assert again == [Status.PASS], f"re-audit after {title!r}: {again}"


LEGACY_CASES = [
    REPO / "fixtures" / "scenarios" / "legacy-chart-minio-flag-missing" / "inputs" / "values.yaml",
]


def _server_env(manifests: dict[str, str]) -> dict[str, str]:
    """The legacy chart's wandb/local container env (plain values only)."""
    for text in manifests.values():
        for doc in yaml.safe_load_all(text):
            if isinstance(doc, dict) and doc.get("kind") == "Deployment":
                for container in doc["spec"]["template"]["spec"]["containers"]:
                    if "wandb/local" in str(container.get("image")):
                        return {e["name"]: e["value"] for e in container.get("env") or [] if "value" in e}
    raise AssertionError("no wandb/local container in the render")


@pytest.mark.parametrize("values", LEGACY_CASES, ids=lambda p: p.parent.parent.name)
def test_the_legacy_chart_fix_keeps_the_extra_env_already_there(values: Path, tmp_path: Path) -> None:
    """The legacy chart's extraEnv is a list: a later values file replaces it whole. The printed list,
    layered over the user's values, renders the flag true and every variable the user had."""
    import helm_python

    from gcready.sources.render import render_manifests

    chart = CHARTS / "wandb"
    if not (chart / "Chart.yaml").is_file():
        pytest.skip(f"W&B's legacy wandb chart is not at {chart}")
    base = helm_python.values_from_yaml(values.read_text())
    before = _server_env(render_manifests(str(chart), base))
    (finding,) = [f for f in _findings(values) if f.check == "gc-env-flag"]
    (fix,) = finding.fixes
    merged = layered(base, yaml.safe_load(fix.text))
    after = _server_env(render_manifests(str(chart), merged))
    assert after[oracle.FLAG] == "true"
    assert {k: v for k, v in before.items() if k != oracle.FLAG} == {
        k: v for k, v in after.items() if k != oracle.FLAG
    }
    edited = tmp_path / "values.yaml"
    edited.write_text(yaml.safe_dump(merged, sort_keys=False))
    assert [
        f.status for f in analyze(collect([str(edited)]), load_builtin()).findings if f.check == "gc-env-flag"
    ] == [Status.PASS]
