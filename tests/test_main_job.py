"""The README's main job (scripts/run-demo.sh): every bundled case audited with its own arguments,
its exit code the one the case expects, and the three reports written for each."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import FIXTURES, REPO


def test_main_job_audits_every_case_as_its_case_file_says(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    env = {
        # PYTHONPATH kept: the job runs the code under test (a checkout's src/), not an installed copy
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR", "PYTHONPATH"}},
        "PYTHON": sys.executable,
        "PYTHONPATH": str(REPO / "src"),  # this checkout's gcready, whichever one is installed
        "GCREADY_DEMO_NO_INSTALL": "1",
        "GCREADY_REPORTS": str(out),
    }
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "run-demo.sh")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    codes = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"/(?:scenarios/)?([\w.-]+)\.\{txt,json,html\}\s+exit (\d+)", done.stdout)
    }
    cases = sorted(p.parent for p in (FIXTURES / "scenarios").glob("*/case.yaml"))
    assert cases
    for case in cases:
        spec = yaml.safe_load((case / "case.yaml").read_text())
        assert codes.get(case.name) == spec["expect"]["exit_code"], (case.name, done.stdout)
        for suffix in ("txt", "json", "html"):
            assert (out / "scenarios" / f"{case.name}.{suffix}").stat().st_size > 0
    # no case gives an error it does not expect; the one broken on purpose says so, on stdout
    assert "error:" not in done.stderr, done.stderr
    assert "UNEXPECTED" not in done.stdout
    broken = [line for line in done.stdout.splitlines() if "broken on purpose:" in line]
    assert broken and all("bad-yaml-beside-good-inputs" in line for line in broken), broken
    demo = json.loads((out / "demo.json").read_text())
    assert codes["demo"] == 3 and demo["summary"]["checks"]["bucket-versioning"] == "fail"
    assert "GORILLA_ARTIFACT_GC_ENABLED=true" in (out / "requirements.md").read_text()
