"""What the user asked for, as typed argument objects built from the click parameters.

Each group of options has its frozen dataclass; its fields are named as the options' click
destinations (``fmt``, ``json_out``, ``timeout``, ``buckets``…), so a config file's ``default_map`` and
the ``GCREADY_*`` variables reach the same fields as the command line. :func:`takes` hands a command
its argument objects instead of click's keyword arguments.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

from gcready.cli.param_types import BucketOption, ExtraOutput, by_path
from gcready.enums import DeploymentType, Format, SourceKind

if TYPE_CHECKING:
    from gcready.pipeline import Inputs
    from gcready.probes.options import ProbeOptions
    from gcready.sources.envfile import Dialect


class FailOn(enum.StrEnum):
    """``--fail-on``: the least serious status that fails the run."""

    FAIL = "fail"
    WARN = "warn"


def shorthand_dest(fmt: Format) -> str:
    """``json_out`` for ``--json FILE``: where click puts a format's shorthand of ``--also``."""
    return f"{fmt.value.replace('-', '_')}_out"


def _from(cls: type[Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The click values a dataclass's fields are named after (a value click did not give keeps its default)."""
    return {f.name: params[f.name] for f in fields(cls) if f.name in params}


@dataclass(frozen=True)
class InputArgs:
    """What to read: paths and how to read them, extra buckets, the deployment type, the requirements."""

    paths: tuple[str, ...] = ()
    kinds: tuple[tuple[str | None, SourceKind], ...] = ()
    server_manifests: tuple[str, ...] = ()
    env_file_dialects: tuple[tuple[str | None, Dialect], ...] = ()
    var_files: tuple[str, ...] = ()  # --var-file, in the order given
    deployment: DeploymentType | None = None
    buckets: tuple[str, ...] = ()
    chart: str | None = None
    environment: bool | None = None  # None: read the environment only when no paths are given
    requirements_file: Path | None = None
    offline: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The arguments from click's parsed parameters."""
        return cls(**_from(cls, params))

    def inputs(self, environ: Mapping[str, str]) -> Inputs:
        """The pipeline's inputs; ``environ`` is read when asked, or when no path is given."""
        from gcready.pipeline import Inputs

        kind_map, default_kind = by_path(self.kinds)
        kind_map.update(dict.fromkeys(self.server_manifests, SourceKind.SERVER_MANIFEST))
        dialects, default_dialect = by_path(self.env_file_dialects)
        use_env = self.environment if self.environment is not None else not self.paths
        return Inputs(
            paths=(*self.paths, *(m for m in self.server_manifests if m not in self.paths)),
            kinds=kind_map,
            default_kind=default_kind,
            environ=dict(environ) if use_env else None,
            buckets=self.buckets,
            chart=self.chart,
            dialects=dialects,
            default_dialect=default_dialect,
            var_files=self.var_files,
        )


@dataclass(frozen=True)
class ProbeArgs:
    """How to probe buckets live: time limits, concurrency, endpoints, per-bucket overrides."""

    timeout: float = 10.0
    retries: int = 3
    concurrency: int = 8
    endpoint_url: str | None = None
    region: str | None = None
    path_style: bool | None = None
    ca_bundle: str | None = None
    no_verify_tls: bool = False
    azure_subscription: str | None = None
    azure_resource_group: str | None = None
    bucket_options: tuple[BucketOption, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The arguments from click's parsed parameters."""
        return cls(**_from(cls, params))

    def options(self) -> ProbeOptions:
        """The probes' options, with each bucket's ``--bucket-option`` settings as its override."""
        from gcready.probes.options import BucketOverride, ProbeOptions

        # the settings both name alike (timeout, retries, endpoint, region, TLS, Azure) carry over as they are
        options = ProbeOptions(**_from(ProbeOptions, vars(self)), verify_tls=not self.no_verify_tls)
        per_bucket: dict[str, BucketOverride] = {}
        for option in self.bucket_options:
            per_bucket[option.bucket] = option.apply(per_bucket.get(option.bucket, BucketOverride()))
        for bucket, override in per_bucket.items():
            options = options.with_override(bucket, override)
        return options


@dataclass(frozen=True)
class OutputArgs:
    """What to write: the main format and where, every extra output, colour, verbosity, the exit rule.

    ``extras`` are the ``--json FILE``-style shorthands (in the format enum's order), then each
    ``--also FORMAT=FILE`` in the order given.
    """

    fmt: Format = Format.TEXT
    output: str | None = None
    extras: tuple[ExtraOutput, ...] = ()
    fail_on: FailOn = FailOn.FAIL
    color: bool | None = None
    quiet: bool = False
    verbose: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The arguments from click's parsed parameters."""
        shorthands = [
            ExtraOutput(f, params[shorthand_dest(f)]) for f in Format if params.get(shorthand_dest(f))
        ]
        also: tuple[ExtraOutput, ...] = params.get("also", ())
        return cls(**_from(cls, params), extras=(*shorthands, *also))

    @property
    def fail_on_warn(self) -> bool:
        """Whether warnings fail the run (exit 4)."""
        return self.fail_on is FailOn.WARN


@dataclass(frozen=True)
class BundleArgs:
    """``collect``'s output: the bundle file, and whether to keep quiet about it."""

    output: str
    quiet: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The arguments from click's parsed parameters."""
        return cls(**_from(cls, params))


class ArgsGroup(Protocol):
    """An argument object that can be built from click's parsed parameters."""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self: ...


def takes(*groups: type[ArgsGroup]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Call the command with one argument object per group, built from click's keyword arguments.

    A parameter no group names (an option another module adds) stays in ``click.get_current_context().params``.
    """

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def wrapper(**params: Any) -> None:
            command(*(group.from_params(params) for group in groups))

        return wrapper

    return decorate
