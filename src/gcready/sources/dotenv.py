"""dotenv files (``docker run --env-file``, systemd ``EnvironmentFile``, a client's ``.env``).

Each consumer parses the file its own way (:mod:`gcready.sources.envfile`); we add origins and meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
from gcready.model.placement import EnvFile
from gcready.redact import current, display_env_value, is_secret_name, learn_env_value
from gcready.sources import envfile
from gcready.sources.envfile import CONSUMER, Assignment, Dialect
from gcready.sources.envvars import is_server_var, read_env_var, unresolved

# Noted on dialect differences; a file a compose service reads as env_file drops them (compose reads it).
DIALECT_NOTE = "env file dialects:"
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
        if not line.strip() or line.lstrip().startswith(("#", ";")):  # `;` comments: systemd
            continue
        match = _LINE.match(line)
        if not match:
            return False
        seen = True
        value = line[match.end() :].strip()
        if value[:1] in ("'", '"') and value.find(value[0], 1) < 0:
            open_quote = value[0]  # a multi-line quoted value (a PEM key, say)
    return seen


def read(source: str, text: str, dialect: Dialect | None = None) -> Evidence:
    """One dotenv file: a server component when it configures a W&B server, else client signals.

    ``dialect`` names the consumer of the file (``--env-file-dialect``). Without it, each consumer's
    reading is compared: a consumer that would refuse the file is ruled out (noted), and a variable
    the remaining ones read differently is unknown, with what each would read.
    """
    dialects = (dialect,) if dialect is not None else tuple(Dialect)
    parsed = {d: envfile.parse(text, d) for d in dialects}
    _learn_secrets(text, parsed)
    notes: list[Note] = []
    errors: list[InputError] = []
    usable = [d for d in dialects if parsed[d].refused is None]
    for d in dialects:
        refused = parsed[d].refused
        if refused is None:
            continue
        why = f"{CONSUMER[d]} refuses this file: {refused[1]}"
        if dialect is not None:
            errors.append(InputError(source, why, refused[0]))
        elif usable:
            notes.append(Note(f"{DIALECT_NOTE} {why}", Origin(source, refused[0])))
    if dialect is None and not usable:
        line, why = parsed[Dialect.COMPOSE].refused or (None, "")
        errors.append(InputError(source, f"not a NAME=value line ({why})", line))
    if not usable:
        return Evidence(
            inputs=(InputFile(source, SourceKind.DOTENV),), notes=tuple(notes), errors=tuple(errors)
        )
    if dialect is not None:
        notes += [
            Note(f"{CONSUMER[dialect]} ignores this line: {why}", Origin(source, line))
            for line, why in parsed[dialect].ignored
        ]
    got = _Reading()
    first = usable[0]
    readings = {d: _effective(parsed[d].assignments) for d in usable}
    names = list(dict.fromkeys(a.name for d in usable for a in parsed[d].assignments))
    for name in names:
        seen = {d: readings[d].get(name) for d in usable}
        values = {d: _value_of(a, d) for d, a in seen.items()}
        present = next(a for a in seen.values() if a is not None)
        origin = Origin(source, present.line)
        if len(set(values.values())) == 1:
            got.take(name, values[first], origin)
        else:
            got.differs(name, values, origin)
    # the variables each consumer reads and later lines override (the first consumer's view)
    winners = readings[first]
    shadowed = tuple(
        _value(a, first, source)
        for a in parsed[first].assignments
        if winners.get(a.name) is not a and a.name in winners
    )
    components: tuple[Component, ...] = ()
    if got.server:
        got.signals.append(Signal(SignalKind.SERVER_CONFIG, "W&B server environment file", Origin(source, 1)))
        components = (
            Component(
                name=f"env file {source}",
                kind=ComponentKind.DOTENV,
                origin=Origin(source, 1),
                env=tuple(got.values),
                shadowed=shadowed,
                placement=EnvFile(source),
            ),
        )
    return Evidence(
        inputs=(InputFile(source, SourceKind.DOTENV),),
        components=components,
        signals=tuple(got.signals),
        buckets=tuple(got.buckets),
        notes=tuple(notes + got.notes),
        errors=tuple(errors),
    )


def _learn_secrets(text: str, parsed: dict[Dialect, envfile.Parsed]) -> None:
    """Remember every credential of the file, as each consumer reads it, before any message is formed.

    A message may quote a line (docker's refusal names the text before ``=``) or a value of another
    variable: the secrets of later lines, and the lines of a multi-line secret that docker reads one by
    one, must be known by then. Every consumer's reading counts, whichever consumer was named.
    """
    redactor = current()
    seen: set[tuple[str, str]] = set()
    for d in Dialect:
        reading = parsed.get(d) or envfile.parse(text, d)
        for a in reading.assignments:
            for value in (a.value, _value_of(a, d)):
                if not isinstance(value, str) or (a.name, value) in seen:
                    continue
                seen.add((a.name, value))
                learn_env_value(a.name, value)  # each line of a multi-line secret too
                if is_secret_name(a.name):
                    # docker reads each later line on its own: the text before "=" as a name, the rest
                    # as its value (a base64 line ending in "==" is a name without its padding)
                    for line in value.splitlines()[1:]:
                        name, _, rest = line.strip().partition("=")
                        redactor.remember(name)
                        redactor.remember(rest)


_FROM_ENV = object()  # a bare NAME: its value comes from the consumer's own environment


def _effective(assignments: tuple[Assignment, ...]) -> dict[str, Assignment]:
    """Later lines win, with every consumer."""
    return {a.name: a for a in assignments}


def _value_of(a: Assignment | None, dialect: Dialect) -> str | object | None:
    """What the server gets: the text, None (unset) or _FROM_ENV; compose interpolates ``${VAR}``."""
    if a is None:
        return None
    if a.value is None:
        return _FROM_ENV
    if dialect is Dialect.COMPOSE and not a.literal and "$" in a.value:
        from gcready.sources.compose_interpolation import Unresolved, interpolate

        try:
            return interpolate(a.value)
        except Unresolved:
            return _FROM_ENV
    return a.value


def _value(a: Assignment, dialect: Dialect, source: str) -> EnvValue:
    raw = _value_of(a, dialect)
    origin = Origin(source, a.line)
    if not isinstance(raw, str):
        return unresolved(a.name, origin, _FROM_ENV_WHY)
    return read_env_var(a.name, raw, origin).value


_FROM_ENV_WHY = (
    "takes its value from the environment of the process that reads the file, not among the inputs"
)


@dataclass
class _Reading:
    values: list[EnvValue] = field(default_factory=list)
    buckets: list[BucketRef] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    server: bool = False

    def take(self, name: str, raw: str | object | None, origin: Origin) -> None:
        self.server = self.server or is_server_var(name)
        if not isinstance(raw, str):
            self.values.append(unresolved(name, origin, _FROM_ENV_WHY))
            return
        got = read_env_var(name, raw, origin)
        self.values.append(got.value)
        self.buckets.extend(got.buckets)
        self.signals.extend(got.signals)
        self.notes.extend(got.notes)

    def differs(self, name: str, values: dict[Dialect, str | object | None], origin: Origin) -> None:
        """Consumers disagree: the value is unknown until the user says which consumer reads the file."""
        self.server = self.server or is_server_var(name)
        shown: list[str] = []
        secret = False
        for dialect, raw in values.items():
            if raw is None:
                what = "does not set it"
            elif not isinstance(raw, str):
                what = "takes it from its own environment"
            else:
                display, redacted = display_env_value(name, raw)
                secret = secret or redacted
                what = f"reads {_quoted(display)}" if display is not None else "reads a secret (not shown)"
                for bucket in read_env_var(name, raw, origin).buckets:
                    if all(b.key != bucket.key for b in self.buckets):
                        self.buckets.append(bucket)
            shown.append(f"{CONSUMER[dialect]} {what}")
        why = (
            "the consumers of this env file read it differently: "
            + "; ".join(shown)
            + ". Say which one reads it with --env-file-dialect docker|compose|systemd"
        )
        self.values.append(unresolved(name, origin, why, secret=secret))


_SHOWN = 240  # characters of a reading shown whole; a longer one is shown by its length only


def _quoted(text: str) -> str:
    """A reading in quotes (the quotes are the point: they show, and repr escapes what cannot be seen).

    Never a part of it: the text is scrubbed again as the report is written, and a cut could end inside
    a secret learned after this message was formed, which no redactor would then recognise.
    """
    if len(text) > _SHOWN:
        return f"a value of {len(text)} characters (too long to show)"
    return repr(text)
