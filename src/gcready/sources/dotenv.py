"""dotenv files (``docker run --env-file``, systemd ``EnvironmentFile``, a client's ``.env``).

Parsing is python-dotenv's (comments, ``export``, single and double quotes); we add origins and meaning.
"""

from __future__ import annotations

import io
import re

from gcready.model import (
    BucketRef,
    Component,
    ComponentKind,
    EnvValue,
    Evidence,
    InputError,
    InputFile,
    Note,
    Origin,
    Signal,
    SignalKind,
    SourceKind,
)
from gcready.sources.envvars import is_server_var, read_env_var

_LINE = re.compile(r"^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=")


def looks_like(text: str) -> bool:
    """Every meaningful line is ``NAME=value`` (optionally ``export``-ed), or inside a quoted value."""
    seen = False
    open_quote = ""
    for line in text.splitlines():
        if open_quote:
            if open_quote in line:
                open_quote = ""
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            return False
        seen = True
        value = line[match.end() :].strip()
        if value[:1] in ("'", '"') and value.find(value[0], 1) < 0:
            open_quote = value[0]  # a multi-line quoted value (a PEM key, say)
    return seen


def read(source: str, text: str) -> Evidence:
    """One dotenv file: a server component when it configures a W&B server, else client signals."""
    from dotenv.parser import parse_stream

    values: list[EnvValue] = []
    buckets: list[BucketRef] = []
    signals: list[Signal] = []
    notes: list[Note] = []
    errors: list[InputError] = []
    server = False
    for binding in parse_stream(io.StringIO(text)):
        # python-dotenv counts blank lines before a binding as part of it
        text_before = binding.original.string
        line = binding.original.line + len(text_before) - len(text_before.lstrip("\n"))
        if binding.error:
            errors.append(InputError(source, "not a NAME=value line", line))
            continue
        if binding.key is None:
            continue
        origin = Origin(source, line)
        got = read_env_var(binding.key, binding.value or "", origin)
        values.append(got.value)
        buckets.extend(got.buckets)
        signals.extend(got.signals)
        notes.extend(got.notes)
        server = server or is_server_var(binding.key)
    # later lines win, as with `docker run --env-file`
    effective = {v.name: v for v in values}
    shadowed = tuple(v for v in values if effective[v.name] is not v)
    components: tuple[Component, ...] = ()
    if server:
        signals.append(Signal(SignalKind.SERVER_CONFIG, "W&B server environment file", Origin(source, 1)))
        components = (
            Component(
                name=f"env file {source}",
                kind=ComponentKind.DOTENV,
                origin=Origin(source, 1),
                env=tuple(effective.values()),
                shadowed=shadowed,
            ),
        )
    return Evidence(
        inputs=(InputFile(source, SourceKind.DOTENV),),
        components=components,
        signals=tuple(signals),
        buckets=tuple(buckets),
        notes=tuple(notes),
        errors=tuple(errors),
    )
