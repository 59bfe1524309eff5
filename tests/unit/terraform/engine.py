"""The real Terraform, run offline in a folder: the engine the Terraform tests check gcready against."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any


def terraform(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``terraform ARGS`` in ``folder``, with no CLI config, no checkpoint call and no prompt."""
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    return subprocess.run(
        ["terraform", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=120,
        check=False,
    )


def console_json(folder: Path, expression: str, *args: str) -> Any:
    """What ``terraform console`` evaluates ``expression`` to (one line), as JSON values."""
    done = terraform(folder, "console", *args, stdin=f"jsonencode({expression})\n")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(json.loads(done.stdout.strip().splitlines()[-1]))
