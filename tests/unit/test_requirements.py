"""The requirements table: the seed's six rows, the bundled TOML, user profiles."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from gcready.model import DeploymentType, Provider
from gcready.requirements import (
    RequirementsError,
    VersioningMeaning,
    load_builtin,
    load_file,
    render_requirements,
    schema,
)

# DOMAIN.md's table: (env var required, versioning required)
SEED = {
    "shared-cloud": (False, False),
    "shared-cloud-ssc": (False, True),
    "dedicated-cloud": (False, False),
    "dedicated-cloud-ssc": (False, True),
    "customer-managed-cloud": (True, True),
    "customer-managed-onprem": (True, True),
}


def _bundled_text() -> str:
    return resources.files("gcready").joinpath("data/requirements.toml").read_text(encoding="utf-8")


def test_builtin_table_is_the_seed() -> None:
    reqs = load_builtin()
    assert reqs.origin == "built-in"
    got = {r.deployment.value: (r.env_var, r.versioning) for r in reqs.rows}
    assert got == SEED
    assert [r.deployment for r in reqs.rows] == list(DeploymentType)
    assert reqs.env_var == "GORILLA_ARTIFACT_GC_ENABLED"
    assert reqs.env_value == "true"


def test_builtin_versioning_meanings() -> None:
    reqs = load_builtin()
    for provider in (Provider.AWS, Provider.GCP, Provider.S3_COMPATIBLE):
        meaning = reqs.versioning_for(provider)
        assert (meaning.setting, meaning.expect) == ("versioning", "enabled")
    azure = reqs.versioning_for(Provider.AZURE)
    assert azure.setting == "soft_delete"
    assert "soft delete" in azure.label.lower()


def test_builtin_ssc_is_aws_and_gcp_only() -> None:
    assert load_builtin().ssc_providers == {Provider.AWS, Provider.GCP}


def test_bundled_toml_validates_against_the_schema() -> None:
    data = tomllib.loads(_bundled_text())
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.Draft202012Validator(schema()).validate(data)


def test_a_valid_user_profile_loads(tmp_path: Path) -> None:
    text = _bundled_text().replace('providers = ["aws", "gcp"]', 'providers = ["aws", "gcp", "azure"]')
    path = tmp_path / "later-docs.toml"
    path.write_text(text)
    reqs = load_file(path)
    assert reqs.origin == str(path)
    assert Provider.AZURE in reqs.ssc_providers


def _without_row(text: str, deployment: str) -> str:
    head, *rows = text.split("[[rows]]")
    kept = [r for r in rows if f'deployment = "{deployment}"' not in r]
    last = rows[-1]
    tail = last[last.index("\n\n#") :] if deployment in last else ""
    return head + "[[rows]]".join(["", *kept]) + tail


@pytest.mark.parametrize(
    "text,says",
    [
        pytest.param(_without_row(_bundled_text(), "dedicated-cloud"), "rows", id="missing-row"),
        pytest.param(
            _bundled_text().replace("env_var = true", 'env_var = "yes"', 1), "env_var", id="wrong-type"
        ),
        pytest.param(_bundled_text().replace("[env_var]", "[env_var", 1), "TOML", id="bad-toml"),
        pytest.param(
            _bundled_text().replace('expect = "enabled"', "expect = 1.5", 1), "expect", id="wrong-expect"
        ),
        pytest.param("", "(top level)", id="empty"),
    ],
)
def test_bad_user_profile_raises_naming_the_file(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "my-profile.toml"
    path.write_text(text)
    with pytest.raises(RequirementsError) as info:
        load_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert says in message
    assert "\n" not in message.strip()


def test_missing_row_helper_really_drops_a_row() -> None:
    data = tomllib.loads(_without_row(_bundled_text(), "dedicated-cloud"))
    assert len(data["rows"]) == 5


def test_unreadable_profile_raises_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(RequirementsError, match=r"absent\.toml"):
        load_file(path)


def test_azure_soft_delete_meaning() -> None:
    meaning = load_builtin().versioning_for(Provider.AZURE)
    assert meaning.met_by({"enabled": True, "days": 7})
    assert not meaning.met_by({"enabled": False, "days": None})
    assert not meaning.met_by({"days": 7})
    assert not meaning.met_by(None)
    assert not meaning.met_by("enabled")
    assert not meaning.met_by(True)


def test_plain_meaning() -> None:
    meaning = VersioningMeaning(Provider.AWS, "S3 bucket versioning", "versioning", "enabled")
    assert meaning.met_by("enabled")
    assert not meaning.met_by("suspended")
    assert not meaning.met_by("disabled")
    assert not meaning.met_by(None)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_rendered_table_has_every_type(fmt: str) -> None:
    out = render_requirements(load_builtin(), fmt)
    for deployment in SEED:
        assert deployment in out
