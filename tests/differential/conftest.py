"""The real operator-wandb chart, made renderable once per session (wandb-base copied into charts/)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

# W&B's published charts, read-only test data beside the repository (GCREADY_REALWORLD overrides it).
REALWORLD = Path(os.environ.get("GCREADY_REALWORLD") or REPO.parent / "shared" / "realworld")
CHARTS = REALWORLD / "helm-charts" / "charts"
OWN_VALUES = Path(__file__).resolve().parent / "values"


def realworld_values() -> list[Path]:
    """The chart's examples and W&B's test-configs for it (empty when the data is absent)."""
    examples = sorted((CHARTS / "operator-wandb" / "examples").rglob("*.yaml"))
    # (.chartsnap.yaml there configures the snapshot tool: not values)
    configs = sorted((REALWORLD / "helm-charts" / "test-configs" / "operator-wandb").glob("[!.]*.yaml"))
    return [*examples, *configs]


@pytest.fixture(scope="session")
def chart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (CHARTS / "operator-wandb" / "Chart.yaml").is_file():
        pytest.skip(f"W&B's operator-wandb chart is not at {CHARTS} (shared/realworld beside the repository)")
    pytest.importorskip("helm_python", reason="helm-python-sdk (the gcready[helm] extra) is not installed")
    root = tmp_path_factory.mktemp("chart")
    chart = root / "operator-wandb"
    shutil.copytree(CHARTS / "operator-wandb", chart)
    shutil.copytree(CHARTS / "wandb-base", chart / "charts" / "wandb-base")
    return chart
