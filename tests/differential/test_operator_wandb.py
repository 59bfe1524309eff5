"""Differential: gcready's verdicts on Helm values against the real chart's rendering.

For every values file (the chart's examples, W&B's test-configs, and tests/differential/values/), the
GC-flag verdict per W&B server component must agree between
(a) the values model (``gcready audit values.yaml``),
(b) gcready on the real render: ``--chart`` (render in-process, audited through the Kubernetes reader),
    and the rendered manifests given to gcready as a file (``helm template > out.yaml``),
(c) the rendered truth: :mod:`tests.differential.oracle` over the rendered Deployments.
Each file is rendered once per session; the agreement figures and render times print at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from gcready.model import DeploymentType, Evidence
from gcready.pipeline import analyze
from gcready.requirements import load_builtin
from gcready.sources import collect
from gcready.sources.render import split_manifests
from tests.differential import oracle
from tests.differential.conftest import OWN_VALUES, REALWORLD, realworld_values

FILES = [*realworld_values(), *sorted(OWN_VALUES.glob("*.yaml"))]
DEPLOYMENT = DeploymentType.CUSTOMER_MANAGED_CLOUD
# the chart's server Deployments as `helm template` names them (release "wandb")
WORKLOAD_NAMES = {"Deployment/wandb-app-bc container app": "app", "Deployment/wandb-api container api": "api"}
# Values the model leaves unknown by design, where the render decides: the model leg must say unknown for
# that component (never the rendered verdict nor its opposite); the other legs must agree with the render.
MODEL_UNKNOWN = {
    "envtpls-template-flag.yaml": ("app", "a template in app.envTpls: the model evaluates no template"),
    "expand-chart-configmap.yaml": (
        "app",
        "$(GORILLA_ONPREM) comes from the chart's own ConfigMap, whose content the model does not hold",
    ),
}


@dataclass
class Rendered:
    manifests: dict[str, str]
    seconds: float
    truth: dict[str, str]


_CACHE: dict[Path, Rendered] = {}
_TALLY: dict[str, list[bool]] = {"model": [], "chart": [], "file": []}


def _id(path: Path) -> str:
    return path.name if path.parent == OWN_VALUES else str(path.relative_to(REALWORLD))


def _render(chart: Path, values: Path) -> Rendered:
    if values not in _CACHE:
        import helm_python

        from gcready.sources.render import render_manifests

        started = time.perf_counter()
        manifests = render_manifests(str(chart), helm_python.values_from_yaml(values.read_text()))
        took = time.perf_counter() - started
        _CACHE[values] = Rendered(manifests, took, oracle.truth(manifests))
    return _CACHE[values]


def _verdicts(evidence: Evidence, names: dict[str, str] | None = None) -> dict[str, str]:
    """Component → gc-env-flag status; ``names`` maps component names to chart components."""
    report = analyze(evidence, load_builtin(), override=DEPLOYMENT)
    out: dict[str, str] = {}
    for finding in report.findings:
        if finding.check != "gc-env-flag" or finding.resource in ("W&B server", "deployment"):
            continue
        if names is not None:
            if finding.resource not in names:
                continue
            out[names[finding.resource]] = finding.status.value
        else:
            out[finding.resource.split(" ", 1)[0]] = finding.status.value
    return out


def _agree(leg: str, got: dict[str, str], want: dict[str, str]) -> None:
    _TALLY[leg].append(got == want)
    assert got == want, f"{leg}: {got} but the rendered truth is {want}"


@pytest.mark.parametrize("values", FILES, ids=_id)
def test_model_agrees_with_the_render(chart_dir: Path, values: Path) -> None:
    rendered = _render(chart_dir, values)
    evidence = collect([str(values)])
    assert not evidence.errors, evidence.errors
    want = dict(rendered.truth)
    if values.parent == OWN_VALUES and values.name in MODEL_UNKNOWN:
        component, _why = MODEL_UNKNOWN[values.name]
        assert want.get(component) in ("pass", "fail"), "the render decides it: no allowance needed"
        want[component] = "unknown"
    _agree("model", _verdicts(evidence), want)


@pytest.mark.parametrize("values", FILES, ids=_id)
def test_chart_option_agrees_with_the_render(
    chart_dir: Path, values: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--chart`` end to end; its render call returns this session's render of the same chart and
    values (checked equal), so each file is rendered once."""
    import helm_python

    from gcready.sources import render

    rendered = _render(chart_dir, values)
    decoded = helm_python.values_from_yaml(values.read_text())

    def cached(chart: str, given: dict[str, object]) -> dict[str, str]:
        assert chart == str(chart_dir) and given == decoded
        return dict(rendered.manifests)

    monkeypatch.setattr(render, "render_manifests", cached)
    evidence = collect([str(values)], chart=str(chart_dir))
    assert not evidence.errors, evidence.errors
    _agree("chart", _verdicts(evidence), rendered.truth)


@pytest.mark.parametrize("values", FILES, ids=_id)
def test_rendered_file_agrees_with_the_render(chart_dir: Path, values: Path, tmp_path: Path) -> None:
    """``helm template … > out.yaml; gcready audit out.yaml``: the Kubernetes reader on real output."""
    rendered = _render(chart_dir, values)
    out = tmp_path / "rendered.yaml"
    out.write_text(
        "".join(
            f"---\n# Source: {path}\n{part}\n"
            for path, text in sorted(rendered.manifests.items())
            for part in split_manifests(text)
        )
    )
    evidence = collect([str(out)])
    assert not evidence.errors, evidence.errors  # repeated keys (otel's labels) read as Kubernetes does
    _agree("file", _verdicts(evidence, WORKLOAD_NAMES), rendered.truth)
    server_names = {name.split(" container ")[0] for name in WORKLOAD_NAMES}
    # rename hooks, anaconda2, filemeta… carry GORILLA_* variables but do not run the server
    assert set(_verdicts(evidence)) <= server_names


def test_zz_agreement_figures(chart_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the agreement per leg and the render time per chart (run last: the name sorts after)."""
    if not _CACHE:
        pytest.skip("no values file was rendered")
    times = sorted(r.seconds for r in _CACHE.values())
    lines = [
        f"differential over {len(FILES)} values files ({len(realworld_values())} from W&B's charts, "
        f"{len(FILES) - len(realworld_values())} variations)",
        *(f"  {leg}: {sum(v)}/{len(v)} agree with the rendered truth" for leg, v in _TALLY.items() if v),
        f"  model: unknown by design (counted as agreeing) on {', '.join(sorted(MODEL_UNKNOWN))}",
        f"  render time per values file: median {times[len(times) // 2] * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms, total {sum(times):.1f} s",
    ]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert all(_TALLY["model"]) and all(_TALLY["chart"]) and all(_TALLY["file"])
