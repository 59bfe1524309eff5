"""fixtures/README.md lists every scenario: the table is generated from the case files and kept so."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import FIXTURES, REPO


def test_the_fixtures_readme_lists_every_scenario_as_its_case_file_says() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "fixtures_readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    readme = (FIXTURES / "README.md").read_text()
    for case in sorted((FIXTURES / "scenarios").glob("*/case.yaml")):
        assert f"| {case.parent.name} |" in readme
