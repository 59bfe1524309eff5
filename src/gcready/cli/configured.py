"""The config file as option defaults: ``gcready.toml`` becomes click's ``default_map``.

click resolves each option from the command line, then its environment variable, then the
``default_map``, then the option's own default: so the command line and ``GCREADY_*`` win over the file,
and the file over the built-in defaults, with no merging code here.

A top-level key maps to the command's option of the same long name (``fail-on`` → ``--fail-on``);
``[probe]`` keys to the probe options; ``[[bucket]]`` to ``--bucket`` plus ``--bucket-option``;
``[outputs]`` to ``--also FORMAT=FILE`` (or ``--json FILE``… where this build has no ``--also``); the
file itself is the ``--waivers`` file unless ``waivers`` names another. ``[[deployment]]`` entries are
fleet members, read by :mod:`gcready.cli.fleet`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import click

from gcready.cli import config as config_file
from gcready.cli.config import Config, ConfigError, KeyPath
from gcready.cli.envvars import EnvCommand
from gcready.cli.output import die
from gcready.cli.param_types import BucketKey, BucketOption

CONFIG_META = "gcready.config"
CONFIG_PATH_META = "gcready.config_file"
DEFAULT_FLEET_CONCURRENCY = 4
NO_CONFIG_ENV = "GCREADY_NO_CONFIG"

# Keys whose values are paths, relative to the config file's folder.
_PATH_KEYS = frozenset({"requirements", "output", "chart", "history", "baseline", "waivers", "ca-bundle"})
_PATH_LIST_KEYS = frozenset({"server-manifest", "var-file"})
_SCOPED_KEYS = frozenset({"kind", "env-file-dialect"})  # [PATH=]VALUE
# A config key that is the inverse of the option it sets.
_INVERTED = {"verify-tls": "no-verify-tls"}
# Keys the tables below handle, never an option of the same name.
_TABLES = frozenset({"inputs", "probe", "outputs", "bucket", "buckets", "waiver"})
# Only the commands that write a report take these: collect's --output is its bundle.
_REPORT_ONLY = frozenset({"output", "format"})


def config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config FILE`` and ``--no-config``."""
    func = click.option(
        "--no-config",
        is_flag=True,
        envvar=NO_CONFIG_ENV,
        help=f"Ignore ./{config_file.CONFIG_NAME} and {config_file.ENV_VAR}.",
    )(func)
    return click.option(
        "--config",
        "config_file",
        metavar="FILE",
        envvar=config_file.ENV_VAR,
        type=click.Path(dir_okay=False, path_type=str),
        help=f"Read option defaults from this TOML file (default: ./{config_file.CONFIG_NAME} when it "
        "exists). The command line and GCREADY_* variables win over it.",
    )(func)


def fleet_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--fleet-concurrency N``."""
    return click.option(
        "--fleet-concurrency",
        type=click.IntRange(min=1),
        default=DEFAULT_FLEET_CONCURRENCY,
        show_default=True,
        envvar="GCREADY_FLEET_CONCURRENCY",
        help="Deployments of the config's [[deployment]] fleet audited at the same time (each probes "
        "its buckets with --concurrency).",
    )(func)


@dataclass(frozen=True)
class ConfigArgs:
    """Which config file the run read (already applied as option defaults) and how a fleet runs."""

    config_file: str | None = None
    no_config: bool = False
    fleet_concurrency: int = DEFAULT_FLEET_CONCURRENCY

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ConfigArgs:
        """The arguments from click's parsed parameters (``collect`` has no ``--fleet-concurrency``)."""
        return cls(**{f.name: params[f.name] for f in fields(cls) if f.name in params})


class ConfiguredCommand(EnvCommand):
    """A command whose option defaults come from the config file, read before the options are (and
    whose every option reads its ``GCREADY_*`` variable, which wins over the file)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Load the config file into ``ctx.default_map``, then parse the arguments as click does."""
        if not ctx.resilient_parsing:
            _apply(self, ctx, args)
        return super().parse_args(ctx, args)


def loaded(ctx: click.Context) -> Config | None:
    """The config file this run uses, if any."""
    found = ctx.meta.get(CONFIG_META)
    return found if isinstance(found, Config) else None


def _apply(command: click.Command, ctx: click.Context, args: Sequence[str]) -> None:
    # A first pass over the arguments only to learn --config / --no-config; click parses them again.
    try:
        opts, _, _ = command.make_parser(ctx).parse_args(args=list(args))
    except click.UsageError:
        return  # the real parse reports it, with the usage line
    if any(arg in ctx.help_option_names for arg in args):
        return  # help is shown whatever the config file says
    explicit = opts.get("config_file")
    explicit = explicit if isinstance(explicit, str) else None
    if explicit and opts.get("no_config") is True:
        raise click.UsageError("--config and --no-config exclude each other", ctx)
    path = config_file.find(
        explicit,
        no_config=opts.get("no_config") is True or _true(os.environ.get(NO_CONFIG_ENV)),
        environ=os.environ,
        cwd=Path.cwd(),
    )
    if path is None:
        return
    try:
        config = config_file.load(path)
        defaults = default_map(config, command, _all_options(ctx))
    except ConfigError as exc:
        die(str(exc))
    ctx.meta[CONFIG_META] = config
    ctx.meta[CONFIG_PATH_META] = str(config.path)  # the file's name alone, for readers of its other tables
    ctx.default_map = {**(ctx.default_map or {}), **defaults}


def _true(value: str | None) -> bool:
    """An environment variable's flag value as click reads it (``1``, ``true``, ``yes``, ``on``)."""
    if not value:
        return False
    try:
        return bool(click.BOOL.convert(value, None, None))
    except click.BadParameter:
        return False


def _all_options(ctx: click.Context) -> frozenset[str]:
    """Every long option name of every command of this gcready."""
    root = ctx.find_root().command
    commands: Iterable[click.Command] = getattr(root, "commands", {}).values()
    return frozenset(name for c in (root, *commands) for name in _options(c))


@dataclass(frozen=True)
class _Target:
    param: str  # the click parameter name
    inverted: bool  # the key is the option's --no-… side


def _options(command: click.Command) -> dict[str, _Target]:
    found: dict[str, _Target] = {}
    for param in command.params:
        if not isinstance(param, click.Option) or param.name is None:
            continue
        for opt in param.opts:
            if opt.startswith("--"):
                found[opt[2:]] = _Target(param.name, False)
        for opt in param.secondary_opts:
            if opt.startswith("--"):
                found[opt[2:]] = _Target(param.name, True)
    return found


def default_map(config: Config, command: click.Command, everywhere: frozenset[str]) -> dict[str, object]:
    """The option defaults ``config`` gives ``command`` (click parameter name → value).

    A key for an option this command lacks is left out (``fail-on`` for ``collect``); one that no command
    of this gcready has is a :class:`ConfigError`, so a setting is never silently ignored.
    """
    options = _options(command)
    names = {p.name for p in command.params if p.name}
    reports = "format" in options  # collect writes a bundle, not a report
    out: dict[str, object] = {}

    def put(keys: KeyPath, key: str, value: object) -> None:
        option = _INVERTED.get(key, key)
        target = options.get(option)
        if target is None or (key in _REPORT_ONLY and not reports):
            if option not in everywhere:
                raise config.error(keys, f"this gcready has no --{option} option")
            return
        inverted = target.inverted != (key in _INVERTED)
        out[target.param] = (not value) if inverted else _value(config, key, value)

    data = config.data
    for key, value in data.items():
        if key in _TABLES or (key == "deployment" and isinstance(value, list)):
            continue
        put((key,), key, value)
    for key, value in data.get("probe", {}).items():
        put(("probe", key), key, value)
    if "inputs" in data and "paths" in names:
        out["paths"] = tuple(config.rebase(p) for p in data["inputs"])
    buckets, options_of = bucket_settings(config, data)
    if buckets and "bucket" in options:
        out[options["bucket"].param] = buckets
    if options_of and "bucket-option" in options:
        out[options["bucket-option"].param] = options_of
    if reports:
        out.update(_outputs(config, data.get("outputs", {}), options))
    if "waivers" in options and "waivers" not in data:
        # the config file is the waivers file (its [[waiver]] tables)
        out[options["waivers"].param] = str(config.path)
    return out


def _value(config: Config, key: str, value: object) -> object:
    if key in _PATH_KEYS and isinstance(value, str):
        return config.rebase(value)
    if key in _PATH_LIST_KEYS and isinstance(value, list):
        return tuple(config.rebase(v) for v in value)
    if key in _SCOPED_KEYS and isinstance(value, list):
        return tuple(_scoped(config, v) for v in value)
    return tuple(value) if isinstance(value, list) else value


def _scoped(config: Config, value: str) -> str:
    path, sep, rest = value.rpartition("=")
    return f"{config.rebase(path)}={rest}" if sep and path else value


def _outputs(config: Config, outputs: Mapping[str, str], options: Mapping[str, _Target]) -> dict[str, object]:
    if "also" in options:
        return {options["also"].param: tuple(f"{fmt}={config.rebase(path)}" for fmt, path in outputs.items())}
    out: dict[str, object] = {}
    for fmt, path in outputs.items():  # --json FILE, --html FILE…
        if fmt not in options:
            raise config.error(("outputs", fmt), f"this gcready cannot also write {fmt}")
        out[options[fmt].param] = config.rebase(path)
    return out


def bucket_settings(
    config: Config, table: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[BucketOption, ...]]:
    """``buckets = [URL…]`` and ``[[bucket]]`` tables of one table: the URLs, and each bucket's probe
    options as ``--bucket-option`` values."""
    urls = list(table.get("buckets", []))
    options: list[BucketOption] = []
    for entry in table.get("bucket", []):
        url = entry["url"]
        urls.append(url)
        key = override_key(url, str(config.path))
        for name, value in entry.items():
            if name == "url":
                continue
            setting = config.rebase(value) if name == "ca-bundle" else value
            options.append(BucketOption(key, BucketKey(name), setting))
    return tuple(urls), tuple(options)


def override_key(url: str, source: str) -> str:
    """The name a ``--bucket-option`` uses for the bucket of ``url``: its report label."""
    from gcready.bucketurl import BucketURLError, parse_bucket_url
    from gcready.model import Origin

    try:
        return parse_bucket_url(url, Origin(source)).label
    except BucketURLError:
        return url  # the bad URL is reported by --bucket's own check
