"""The ``gcready`` command line (``gcready.cli:run`` is the console script)."""

from gcready.cli.commands import main, run

__all__ = ["main", "run"]
