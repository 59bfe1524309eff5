"""The check catalog's text lives in data/checks.toml: it must match the schema and the checks exactly."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import jsonschema
import pytest

from gcready.checks import CATALOG
from gcready.model import Severity, Tier
from gcready.schemas_access import load_schema


def _data() -> dict[str, Any]:
    text = resources.files("gcready").joinpath("data/checks.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_catalog_text_matches_its_schema() -> None:
    jsonschema.validate(_data(), load_schema("checks.schema.json"))


def test_schema_enums_are_the_model_enums() -> None:
    item = load_schema("checks.schema.json")["properties"]["check"]["items"]["properties"]
    assert item["severity"]["enum"] == [s.value for s in Severity]
    assert item["tier"]["enum"] == [t.value for t in Tier]


def test_every_check_has_text_and_every_text_a_check() -> None:
    ids = [entry["id"] for entry in _data()["check"]]
    assert len(ids) == len(set(ids)), "a check's text is written twice"
    assert set(ids) == {check.meta.id for check in CATALOG}


def test_before_names_checks_of_the_catalog() -> None:
    known = {check.meta.id for check in CATALOG}
    for check in CATALOG:
        assert set(check.meta.before) <= known - {check.meta.id}


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: e.update(severity="severe"),
        lambda e: e.update(colour="red"),
        lambda e: e.pop("why"),
    ],
    ids=["unknown severity", "stray key", "missing why"],
)
def test_schema_rejects_a_damaged_entry(damage: Any) -> None:
    data = copy.deepcopy(_data())
    damage(data["check"][0])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_schema("checks.schema.json"))
