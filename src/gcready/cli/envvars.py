"""``GCREADY_<OPTION>`` environment variables: one for every option of a command, generated.

The command line wins over a variable and a variable over a config file's ``default_map`` (click's
order). A multi-value option splits its variable on whitespace. A bad value in a variable is a usage
error (exit 2) that names the variable, since the command line the user typed does not show it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import click
from click.core import ParameterSource

PREFIX = "GCREADY_"


def envvar_for(option: click.Option) -> str:
    """``--bucket-option`` → ``GCREADY_BUCKET_OPTION``: the option's first long name."""
    longs = [o for o in option.opts if o.startswith("--")] or list(option.opts)
    return PREFIX + longs[0].lstrip("-").replace("-", "_").upper()


def _names(option: click.Option) -> list[str]:
    if option.envvar is None:
        return []
    return [option.envvar] if isinstance(option.envvar, str) else list(option.envvar)


def _plain_hint(param: click.Parameter) -> str:
    return " / ".join(f"'{opt}'" for opt in (param.opts or [param.human_readable_name]))


class EnvCommand(click.Command):
    """A command whose every option also reads ``GCREADY_<OPTION>`` (shown in ``--help``).

    An option that already reads another variable (``AZURE_SUBSCRIPTION_ID``) keeps it, after its own.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if not isinstance(param, click.Option) or param.name == "help":
                continue
            own = envvar_for(param)
            param.envvar = [own, *(n for n in _names(param) if n != own)]
            param.show_envvar = True

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.BadParameter as exc:
            if isinstance(exc.param, click.Option) and exc.param_hint is None:
                exc.param_hint = _hint(ctx, exc.param)
            raise


def _hint(ctx: click.Context, option: click.Option) -> str:
    """The option, and the variable its bad value came from when it came from one."""
    hint = _plain_hint(option)
    if option.name is None or ctx.get_parameter_source(option.name) is not ParameterSource.ENVIRONMENT:
        return hint  # from the command line or a config file: the variables are beside the point
    used = _first_set(_names(option))
    return f"{hint} (env var: '{used}')" if used else hint


def _first_set(names: Sequence[str]) -> str | None:
    return next((name for name in names if os.environ.get(name)), None)
