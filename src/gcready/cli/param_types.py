"""The command line's click parameter types: option text in, typed values out, errors through click.

Each type accepts a value it already converted (a default, a config file's value, click converting
twice), so ``default_map`` and environment variables go through the same conversion as the command line.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import click

from gcready.enums import Format, SourceKind

if TYPE_CHECKING:
    from gcready.probes.options import BucketOverride
    from gcready.sources.envfile import Dialect

    # click's types are generic only from click 8.4 (click>=8.1 is supported): subscripted for mypy only
    _ParamType = click.ParamType[Any]
    _Choice = click.Choice[str]
    _Path = click.Path[str]
else:
    _ParamType = click.ParamType
    _Choice = click.Choice
    _Path = click.Path

E = TypeVar("E", bound=enum.StrEnum)
T = TypeVar("T")


class ParsedType(_ParamType, Generic[T]):
    """A type that parses an option's text into a value of class ``parsed``; a value of that class is
    kept as it is (a default, a config file's value, or click converting twice)."""

    parsed: type[Any]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> T:
        if isinstance(value, self.parsed):
            return cast(T, value)
        return self.parse(str(value), param, ctx)

    def parse(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> T:
        """The value ``text`` stands for, or ``self.fail(...)`` saying what is wrong with it."""
        raise NotImplementedError


class EnumChoice(_Choice, Generic[E]):
    """One of an enum's values, as its value is spelled (``--format json``), converted to the member."""

    def __init__(self, members: type[E]) -> None:
        super().__init__([m.value for m in members])
        self.members = members

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> E:
        if isinstance(value, self.members):
            return value
        return self.members(super().convert(value, param, ctx))


class LazyChoice(_Choice):
    """A choice whose values are computed on first use, so ``gcready --help`` does not import their enum."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._values: tuple[str, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        if self._values is None:
            self._values = tuple(self._load())
        return self._values

    @choices.setter
    def choices(self, _ignored: Sequence[str]) -> None:  # click's __init__ assigns; the loader decides
        pass


class ScopedChoice(ParsedType[tuple[str | None, E]]):
    """``[PATH=]VALUE`` with VALUE a member of an enum: ``(PATH or None, member)``.

    The enum is loaded on first use, so ``gcready --help`` does not import the readers that define it.
    """

    parsed = tuple

    def __init__(self, load: Callable[[], type[E]], metavar: str, what: str) -> None:
        self.load = load
        self.name = metavar
        self.what = what

    def parse(
        self, text: str, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str | None, E]:
        path, sep, name = text.rpartition("=") if "=" in text else ("", "", text)
        members = self.load()
        try:
            member = members(name)
        except ValueError:
            names = ", ".join(m.value for m in members)
            self.fail(f"{text}: unknown {self.what} {name!r} (one of: {names})", param, ctx)
        return (path if sep else None, member)


class PathList(_Path):
    """A repeatable path option whose environment variable splits on whitespace, like every other
    repeatable option's (click splits paths on ``os.pathsep``)."""

    def split_envvar_value(self, rv: str) -> Sequence[str]:
        return rv.split()


def by_path(values: Sequence[tuple[str | None, E]]) -> tuple[dict[str, E], E | None]:
    """What ``ScopedChoice`` options gave: the value for each PATH, and the one for every other file."""
    scoped: dict[str, E] = {}
    default: E | None = None
    for path, member in values:
        if path is None:
            default = member
        else:
            scoped[path] = member
    return scoped, default


def _dialect() -> type[Dialect]:
    from gcready.sources.envfile import Dialect

    return Dialect


KIND = ScopedChoice(lambda: SourceKind, "[PATH=]KIND", "kind")
DIALECT = ScopedChoice(_dialect, "[PATH=]DIALECT", "dialect")


class BucketKey(enum.StrEnum):
    """The KEYs of ``--bucket-option BUCKET:KEY=VALUE``: one field of a bucket's connection override."""

    ENDPOINT_URL = "endpoint-url"
    REGION = "region"
    PATH_STYLE = "path-style"
    CA_BUNDLE = "ca-bundle"
    VERIFY_TLS = "verify-tls"

    @property
    def boolean(self) -> bool:
        """Whether the value is ``true``/``false`` rather than text."""
        return self in (BucketKey.PATH_STYLE, BucketKey.VERIFY_TLS)


@dataclass(frozen=True)
class BucketOption:
    """One ``--bucket-option BUCKET:KEY=VALUE``, parsed: the bucket, the setting, its value."""

    bucket: str
    key: BucketKey
    value: str | bool

    def apply(self, override: BucketOverride) -> BucketOverride:
        """``override`` with this option's setting (a later option for the same key wins)."""
        text = self.value if isinstance(self.value, str) else None
        flag = self.value if isinstance(self.value, bool) else None
        match self.key:
            case BucketKey.ENDPOINT_URL:
                return replace(override, endpoint_url=text)
            case BucketKey.REGION:
                return replace(override, region=text)
            case BucketKey.CA_BUNDLE:
                return replace(override, ca_bundle=text)
            case BucketKey.PATH_STYLE:
                return replace(override, path_style=flag)
            case BucketKey.VERIFY_TLS:
                return replace(override, verify_tls=flag)


class BucketOptionType(ParsedType[BucketOption]):
    name = "BUCKET:KEY=VALUE"
    parsed = BucketOption

    def parse(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> BucketOption:
        # BUCKET may hold colons (az://…, s3://host:port/…) and so may the value (a URL): split at ":KEY="
        cut = max(text.rfind(f":{k.value}=") for k in BucketKey)
        if cut <= 0:
            keys = ", ".join(k.value for k in BucketKey)
            self.fail(f"{text}: expected BUCKET:KEY=VALUE with KEY one of {keys}", param, ctx)
        name, _, setting = text[cut + 1 :].partition("=")
        key = BucketKey(name)
        if not key.boolean:
            return BucketOption(text[:cut], key, setting)
        if setting.lower() not in ("true", "false"):
            self.fail(f"{text}: {key.value} must be true or false, not {setting!r}", param, ctx)
        return BucketOption(text[:cut], key, setting.lower() == "true")


@dataclass(frozen=True)
class ExtraOutput:
    """One more report to write besides the main one: ``--also FORMAT=FILE`` or ``--json FILE``."""

    fmt: Format
    path: str


class ExtraOutputType(ParsedType[ExtraOutput]):
    """``FORMAT=FILE``: FORMAT one of the report formats, FILE where to write it."""

    name = "FORMAT=FILE"
    parsed = ExtraOutput

    def parse(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> ExtraOutput:
        name, sep, path = text.partition("=")
        formats = ", ".join(f.value for f in Format)
        if not sep or not path:
            self.fail(f"{text}: expected FORMAT=FILE with FORMAT one of {formats}", param, ctx)
        try:
            fmt = Format(name)
        except ValueError:
            self.fail(f"{text}: unknown format {name!r} (one of: {formats})", param, ctx)
        return ExtraOutput(fmt, path)
