"""Bucket settings by one closed set of names, with typed values: what states, bundles and checks share."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from gcready.model import KNOWN_VALUES, Provider, Setting, Toggle, VersioningStatus
from gcready.requirements import VersioningMeaning, load_builtin
from gcready.schemas_access import load_schema

SRC = Path(__file__).resolve().parents[2] / "src" / "gcready"
# Moving to remediation/: their literals stay until they move.
NOT_YET = {"fixes.py", "blocker_fixes.py", "operator_fixes.py"}
# Calls whose first argument names a setting.
SETTING_CALLS = {"set", "setting", "read", "unsupported", "not_understood", "_not_recorded", "_account_wide"}


def test_the_bundle_schema_documents_exactly_the_settings() -> None:
    state = load_schema("bundle.schema.json")["$defs"]["bucket_state"]["properties"]["settings"]
    assert set(state["properties"]) == {s.value for s in Setting}
    versioning = state["properties"]["versioning"]["allOf"][1]["properties"]["value"]["enum"]
    assert set(versioning) - {None} == set(VersioningStatus) == KNOWN_VALUES[Setting.VERSIONING]
    mfa = state["properties"]["mfa_delete"]["allOf"][1]["properties"]["value"]["enum"]
    assert set(mfa) - {None} == set(Toggle) == KNOWN_VALUES[Setting.MFA_DELETE]


def test_a_requirements_profile_names_settings_by_the_enum() -> None:
    allowed = load_schema("requirements.schema.json")["properties"]["versioning"]["additionalProperties"]
    assert set(allowed["properties"]["setting"]["enum"]) <= {s.value for s in Setting}
    meanings = {m.provider: m.setting for m in load_builtin().versioning}
    assert all(isinstance(s, Setting) for s in meanings.values())
    assert meanings[Provider.AZURE] is Setting.SOFT_DELETE and meanings[Provider.AWS] is Setting.VERSIONING


def test_values_stay_the_strings_bundles_and_json_hold() -> None:
    assert Setting.VERSIONING == "versioning" and f"'{Setting.SOFT_DELETE}'" == "'soft_delete'"
    assert json.dumps({Setting.VERSIONING: VersioningStatus.SUSPENDED}) == '{"versioning": "suspended"}'
    assert {"versioning": 1}[Setting.VERSIONING] == 1  # a state read from a bundle keys by plain strings


@pytest.mark.parametrize(
    ("status", "expected"),
    [("Enabled", "enabled"), ("Suspended", "suspended"), (None, "disabled")],
)
def test_s3_versioning_status(status: object, expected: str) -> None:
    # no Status at all is a never-versioned bucket
    assert VersioningStatus.from_s3(status) == expected


@pytest.mark.parametrize("status", ["enabled", "Disabled", " Enabled ", "", ["Enabled", "Suspended"]])
def test_an_s3_versioning_status_s3_does_not_document_is_not_off(status: object) -> None:
    # S3 spells its statuses with a capital; anything else is an answer gcready cannot read, not "off"
    with pytest.raises(ValueError):
        VersioningStatus.from_s3(status)


def test_a_value_outside_the_closed_set_is_not_understood() -> None:
    meaning = VersioningMeaning(Provider.AWS, "S3 bucket versioning", Setting.VERSIONING, "enabled")
    assert meaning.understood("suspended") and meaning.understood(VersioningStatus.ENABLED)
    assert not meaning.understood("Enabled")  # S3's spelling, not a recorded value: unknown, never fail
    assert not meaning.understood({"status": "enabled"})  # a value of the wrong shape, not a crash


def literal_setting_names(source: str, name: str) -> list[str]:
    """``name:line call('setting')`` for each setting-naming call whose setting is a string literal."""
    names = {s.value for s in Setting}
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        for arg in node.args[:3]:
            if called in SETTING_CALLS and isinstance(arg, ast.Constant) and arg.value in names:
                found.append(f"{name}:{node.lineno} {called}({arg.value!r})")
    return found


def test_probes_and_checks_name_settings_by_the_enum() -> None:
    files = [*sorted((SRC / "probes").glob("*.py")), *sorted((SRC / "checks").glob("*.py"))]
    literals = [
        hit
        for path in files
        if path.name not in NOT_YET
        for hit in literal_setting_names(path.read_text(), str(path.relative_to(SRC)))
    ]
    assert len(files) > 20 and not literals, literals


def test_a_setting_spelled_as_a_string_is_found() -> None:
    source = 'builder.set("versioning", ok("enabled"))\njudge.read("soft_delete", "Soft delete")\n'
    assert literal_setting_names(source, "x.py") == ["x.py:1 set('versioning')", "x.py:2 read('soft_delete')"]
