"""The config file, ``gcready.toml``: where it is, and what it says once parsed and validated.

Keys are the long option names without ``--`` (``fail-on``, ``history-keep``), tables group the probe
options (``[probe]``), buckets (``[[bucket]]``), output files (``[outputs]``), waivers (``[[waiver]]``)
and fleet members (``[[deployment]]``). The file is validated against ``schemas/config.schema.json``; a
problem is one :class:`ConfigError` naming the file, the line and the key. How the keys become option
values is :mod:`gcready.cli.configured`'s concern.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tomllib

CONFIG_NAME = "gcready.toml"
ENV_VAR = "GCREADY_CONFIG"
# A config file is a few dozen lines; a bigger one is not a config file.
MAX_BYTES = 1 << 20
# Probe options belong in [probe]: written at the top level they get a hint instead of "unknown key".
PROBE_KEYS = frozenset(
    {"timeout", "retries", "concurrency", "endpoint-url", "region", "path-style", "ca-bundle", "verify-tls"}
    | {"azure-subscription", "azure-resource-group"}
)

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigError(Exception):
    """A config file gcready cannot use: ``FILE:LINE: key 'x': message``."""

    path: str
    message: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        what = f"key {self.key!r}: " if self.key else ""
        return f"{where}: {what}{self.message}"


@dataclass(frozen=True)
class Config:
    """A parsed, valid config file. ``data`` holds TOML dates as ISO strings (``2027-01-31``)."""

    path: Path
    data: Mapping[str, Any]
    text: str

    @property
    def base(self) -> Path:
        """The folder relative paths in the file are relative to."""
        return self.path.parent

    def rebase(self, value: str) -> str:
        """A path from the file as the command line would name it (``~`` expanded)."""
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else self.base / path)

    def line_of(self, keys: KeyPath) -> int | None:
        """The line that sets ``keys`` (or the nearest table or key above it that the file writes)."""
        return locate(self.text, keys)

    def error(self, keys: KeyPath, message: str) -> ConfigError:
        """A :class:`ConfigError` at the line of ``keys``."""
        return ConfigError(str(self.path), message, self.line_of(keys), dotted(keys))


def find(explicit: str | None, *, no_config: bool, environ: Mapping[str, str], cwd: Path) -> Path | None:
    """Which config file applies: ``--config``, else ``GCREADY_CONFIG``, else ``./gcready.toml``.

    ``--no-config`` ignores both of the latter (an explicit ``--config`` beside it is a usage error the
    caller reports).
    """
    if explicit:
        return Path(explicit)
    if no_config:
        return None
    from_env = environ.get(ENV_VAR, "").strip()
    if from_env:
        return Path(from_env)
    local = cwd / CONFIG_NAME
    return Path(CONFIG_NAME) if local.exists() else None


def load(path: Path) -> Config:
    """Read, parse and validate one config file; raises :class:`ConfigError`."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(str(path), f"larger than {MAX_BYTES} bytes: not a config file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    import tomllib  # here, not at the top: `gcready --help` reads no config

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, exc) from None
    config = Config(path, _plain(data), text)
    validate(config)
    return config


def _syntax_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    message = str(exc)
    found = re.search(r"\s*\(at line (\d+), column \d+\)$|\s*\(at end of document\)$", message)
    line: int | None = None
    if found:
        line = int(found.group(1)) if found.group(1) else max(1, text.count("\n") + 1)
        message = message[: found.start()]
    if re.search(r"^\s*deployment\s*=", text, re.M) and re.search(
        r"^\s*\[\[\s*deployment\s*\]\]", text, re.M
    ):
        message += " (a file with [[deployment]] tables sets deployment = TYPE inside each of them)"
    return ConfigError(str(path), f"not valid TOML: {message}", line)


def _plain(value: Any) -> Any:
    """TOML values as JSON values: dates and times become their ISO text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def validate(config: Config) -> None:
    """Check the file against the config schema and the rules a schema cannot say; raise the first
    problem (the one nearest the top of the file)."""
    import jsonschema

    from gcready.schemas_access import load_schema

    schema = load_schema("config.schema.json")
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems = [_problem(config, schema, e) for e in validator.iter_errors(config.data)]
    problems += _duplicate_names(config)
    if problems:
        raise min(problems, key=lambda p: (p.line or 0, str(p)))


def _problem(config: Config, schema: Mapping[str, Any], error: Any) -> ConfigError:
    keys: KeyPath = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(_subschema(schema, keys).get("properties", {}))
        extra = sorted(k for k in error.instance if k not in known)
        if extra:
            return _unknown_key(config, (*keys, extra[0]), known)
    if error.validator == "required":
        missing = next((k for k in error.validator_value if k not in error.instance), "")
        return config.error((*keys, missing), "required key missing")
    if "propertyNames" in error.absolute_schema_path:  # the error is about a key, not a value
        return config.error((*keys, str(error.instance)), f"unknown output format {error.instance!r}")
    if keys == ("deployment",) and error.validator == "type":
        return config.error(keys, "expected a deployment type or [[deployment]] tables")
    if error.validator == "format" and error.validator_value == "date":
        return config.error(keys, f"{error.instance!r} is not a date (YYYY-MM-DD)")
    return config.error(keys, _short(error.message))


def _unknown_key(config: Config, keys: KeyPath, known: set[str]) -> ConfigError:
    name = str(keys[-1])
    if len(keys) == 1 and name in PROBE_KEYS:
        return config.error(keys, "a probe option: put it under [probe]")
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return config.error(keys, f"unknown key{hint}")


def _subschema(schema: Mapping[str, Any], keys: KeyPath) -> Mapping[str, Any]:
    """The schema of the table at ``keys`` (through arrays' items and the deployment if/else)."""
    node: Mapping[str, Any] = schema
    for key in keys:
        if isinstance(key, int):
            node = node.get("items", node.get("else", {}).get("items", {}))
        else:
            node = node.get("properties", {}).get(key, {})
    return node


def _short(message: str) -> str:
    # jsonschema quotes whole values; a long one (a list of inputs) would hide the point.
    return message if len(message) <= 160 else message[:157] + "..."


def _duplicate_names(config: Config) -> list[ConfigError]:
    entries = config.data.get("deployment")
    if not isinstance(entries, list):
        return []
    seen: set[str] = set()
    problems: list[ConfigError] = []
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str):
            if name in seen:
                problems.append(config.error(("deployment", index, "name"), f"duplicate deployment {name!r}"))
            seen.add(name)
    return problems


def dotted(keys: Sequence[str | int]) -> str:
    """``("bucket", 1, "region")`` → ``bucket.region``: the key as a reader finds it in the file."""
    return ".".join(str(k) for k in keys if not isinstance(k, int))


# --- where a key is written -----------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def locate(text: str, keys: KeyPath) -> int | None:
    """The 1-based line of the TOML text that writes ``keys``; else of its nearest written parent.

    A line scanner, not a parser (the file already parsed): it follows ``[table]`` and ``[[array]]``
    headers, counting array entries, and skips multi-line strings.
    """
    written: dict[KeyPath, int] = {}
    counters: dict[KeyPath, int] = {}
    table: KeyPath = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            table = _resolve(_split_key(header.group(2)), counters, is_array=header.group(1) == "[[")
            written.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = (*table, *_split_key(key.group(1)))
            written.setdefault(path, number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
    for end in range(len(keys), 0, -1):
        if keys[:end] in written:
            return written[keys[:end]]
    return None


def _resolve(names: tuple[str, ...], counters: dict[KeyPath, int], *, is_array: bool) -> KeyPath:
    """A header's key path with array indexes: ``[[deployment.bucket]]`` → ``("deployment", 1, "bucket", 0)``."""
    path: KeyPath = ()
    for position, name in enumerate(names):
        path = (*path, name)
        last = position == len(names) - 1
        if last and is_array:
            counters[path] = counters.get(path, -1) + 1
            path = (*path, counters[path])
        elif path in counters:  # a parent that is an array of tables: its latest entry
            path = (*path, counters[path])
    return path
