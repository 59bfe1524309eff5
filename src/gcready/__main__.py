"""``python -m gcready``."""

from gcready.cli import run

run()
