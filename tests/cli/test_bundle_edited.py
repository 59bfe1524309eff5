"""A hand-edited bundle whose env entries have the wrong types or contradict themselves is bad input: one
line naming the file and the JSON path, exit 2, never a READY resting on a value the server never gets.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, run_gcready

READY = FIXTURES / "scenarios" / "operator-cr-aws-ready" / "inputs"
FLAG = "GORILLA_ARTIFACT_GC_ENABLED"


@pytest.fixture(scope="module")
def ready_bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("ready") / "bundle.json"
    run = run_gcready("collect", str(READY), "--offline", "-o", str(out))
    assert run.code == 0, run.stderr
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def _flag_at(data: dict[str, Any]) -> tuple[int, int]:
    for i, component in enumerate(data["components"]):
        for j, entry in enumerate(component["env"]):
            if entry["name"] == FLAG and entry.get("value") == "true":
                return i, j
    raise AssertionError("the ready bundle sets the flag true")


def _set(key: str, value: object) -> Callable[[dict[str, Any], int, int], str]:
    def edit(data: dict[str, Any], i: int, j: int) -> str:
        data["components"][i]["env"][j][key] = value
        return f"components/{i}/env/{j}" + ("/value" if key == "value" else "")

    return edit


def _redacted_string(data: dict[str, Any], i: int, j: int) -> str:
    data["components"][i]["env"][j]["redacted"] = "no"
    return f"components/{i}/env/{j}/redacted"


def _runs_gc_string(data: dict[str, Any], i: int, j: int) -> str:
    data["components"][i]["runs_gc"] = "false"
    return f"components/{i}/runs_gc"


def _second_entry_false(data: dict[str, Any], i: int, j: int) -> str:
    env = data["components"][i]["env"]
    env.append({**env[j], "value": "false", "origin": {"source": "x", "line": 99, "path": "later"}})
    return f"components/{i}/env/{len(env) - 1}"


EDITS: dict[str, tuple[Callable[[dict[str, Any], int, int], str], str]] = {
    "value-json-true": (_set("value", True), "is not of type 'string', 'null'"),
    "value-json-1": (_set("value", 1), "is not of type 'string', 'null'"),
    "value-and-unresolved": (
        _set("unresolved", "from a ConfigMap not among the inputs"),
        f"{FLAG} has a value and also a reason it could not be read",
    ),
    "redacted-but-no-mask": (
        _set("redacted", True),
        f"{FLAG} is marked redacted, but its value shows no ***",
    ),
    "redacted-string": (_redacted_string, "'no' is not of type 'boolean'"),
    "runs-gc-string": (_runs_gc_string, "'false' is not of type 'boolean'"),
    "same-variable-twice": (_second_entry_false, f"{FLAG} appears twice in the component's env"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_env_entry_is_bad_input_at_its_json_path(
    edit: str, ready_bundle: dict[str, Any], tmp_path: Path
) -> None:
    data = copy.deepcopy(ready_bundle)
    change, message = EDITS[edit]
    where = change(data, *_flag_at(data))
    bundle = tmp_path / "edited.json"
    bundle.write_text(json.dumps(data, indent=2))
    run = run_gcready("audit", str(bundle), "--offline", "--format", "json")
    assert run.code == 2, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("gcready: error:")]
    assert len(errors) == 1, run.stderr
    assert f"{bundle}: not a valid gcready bundle at {where}: " in errors[0]
    assert message in errors[0]
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    assert report["summary"]["checks"]["gc-env-flag"] != "pass"


def test_the_unedited_bundle_still_passes(ready_bundle: dict[str, Any], tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(ready_bundle))
    run = run_gcready("audit", str(bundle), "--offline")
    assert run.code == 0, run.stdout + run.stderr


def test_a_redacted_value_showing_its_mask_is_read(ready_bundle: dict[str, Any], tmp_path: Path) -> None:
    """What collect writes for a URL with keys in it: redacted, the keys shown as ***."""
    data = copy.deepcopy(ready_bundle)
    i, _ = _flag_at(data)
    data["components"][i]["env"].append(
        {"name": "GORILLA_FILE_STORE", "value": "s3://***@minio.local:9000/wandb", "redacted": True}
    )
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(data))
    run = run_gcready("audit", str(bundle), "--offline")
    assert run.code == 0, run.stdout + run.stderr
