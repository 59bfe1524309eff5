"""The order the real chart renders a component's envFrom map in: the values model relies on it."""

from __future__ import annotations

from pathlib import Path

import yaml


def test_a_components_env_from_map_renders_in_the_order_of_the_names(chart_dir: Path) -> None:
    import helm_python

    from gcready.sources.render import render_manifests

    values = "app:\n  envFrom:\n    zz-cm: configMapRef\n    aa-cm: configMapRef\n    mm-s: secretRef\n"
    manifests = render_manifests(str(chart_dir), helm_python.values_from_yaml(values))
    (text,) = [t for p, t in manifests.items() if p.endswith("charts/app/templates/deployment.yaml")]
    (deployment,) = [
        d for d in yaml.safe_load_all(text) if isinstance(d, dict) and d.get("kind") == "Deployment"
    ]
    (container,) = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "app"]
    names = [next(iter(source.values()))["name"] for source in container["envFrom"]]
    assert [n for n in names if n in ("aa-cm", "mm-s", "zz-cm")] == ["aa-cm", "mm-s", "zz-cm"]
