"""The JSON Schemas shipped inside the package (report, bundle, requirements)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def load_schema(name: str) -> dict[str, Any]:
    text = resources.files("gcready").joinpath(f"schemas/{name}").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
