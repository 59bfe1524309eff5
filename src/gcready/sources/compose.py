"""docker-compose files (``compose.yaml``, ``docker-compose.yml``…) that run the W&B server.

A service is the W&B server when its image is ``wandb/local`` or ``wandb/megabinary`` (any registry
prefix, tag or digest), or when its environment carries server variables (``GORILLA_*``, ``BUCKET``).
Its environment follows the Compose specification:

- ``env_file`` (a path or a list; entries may be ``{path, required, format}``), relative to the compose
  file, each read like a dotenv file (later lines win; a later file wins over an earlier one), or with
  ``format: raw`` as ``docker run --env-file`` reads it (quotes kept, nothing interpolated);
- ``environment`` (a map, or a list of ``NAME=value``) wins over every ``env_file``; a bare ``NAME``
  takes its value from the shell that runs ``docker compose``, which gcready cannot see;
- ``${VAR}`` / ``${VAR:-default}`` interpolation from the shell that runs ``docker compose`` and the
  project's ``.env`` (beside the compose file); the shell wins over ``.env``, but is not among the inputs:
  gcready takes it as not setting VAR, as it takes a default, so ``.env`` decides when it sets VAR, a
  default when given, and the value is otherwise unresolved (``$$`` is a literal ``$``); in an
  ``env_file`` the service's ``environment`` and what earlier lines and files set come next;
- ``profiles``: a service on a profile starts only when that profile is enabled (``--profile`` or
  ``COMPOSE_PROFILES``, not among the inputs): it is judged only when no service runs without a profile.

Not followed: ``extends`` and the override file (``compose.override.yaml``) that docker compose merges.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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
from gcready.model.placement import ComposeService
from gcready.redact import display_env_value
from gcready.sources.compose_interpolation import Chain, ProjectEnv, Unresolved, interpolate
from gcready.sources.envfile import Dialect
from gcready.sources.envvars import ONPREM_VARS, read_env_var, unresolved
from gcready.sources.yamldocs import Doc, key_line

SERVER_IMAGE = re.compile(r"(^|/)wandb/(local|megabinary)(:|@|$)")
# Noted on the env files a compose service reads, so the same file is not judged again on its own.
ENV_FILE_NOTE = "read as env_file of compose service"
PROJECT_ENV_NOTE = "read as the project .env (for ${…} interpolation) of compose file"
_SERVICE_KEYS = frozenset({"image", "environment", "env_file", "build"})


def looks_like(data: Any) -> bool:
    """A compose document (a ``services`` mapping of mappings with an image or env) with a W&B server.

    A compose file whose services are all something else (nginx, a database) holds no W&B evidence:
    it is left unrecognised, as before, unless ``--kind compose`` says otherwise.
    """
    if not isinstance(data, dict) or "apiVersion" in data or "kind" in data:
        return False
    services = data.get("services")
    return (
        isinstance(services, dict)
        and bool(services)
        and all(isinstance(s, dict) or s is None for s in services.values())
        and any(isinstance(s, dict) and _SERVICE_KEYS & {str(k) for k in s} for s in services.values())
        and any(is_server_service(s, _inline_env_names(s)) for s in services.values() if isinstance(s, dict))
    )


def _inline_env_names(service: dict[str, Any]) -> list[str]:
    """Variable names in a service's own ``environment`` (env files are only read by :func:`read`)."""
    env = service.get("environment")
    if isinstance(env, dict):
        return [str(k) for k in env]
    if isinstance(env, list):
        return [str(item).partition("=")[0].strip() for item in env]
    return []


def is_server_service(service: Any, env_names: list[str]) -> bool:
    """The W&B server: its image, or the server variables in its environment."""
    image = service.get("image") if isinstance(service, dict) else None
    if isinstance(image, str) and SERVER_IMAGE.search(image.strip()):
        return True
    return any(n.startswith("GORILLA_") or n == "BUCKET" or n in ONPREM_VARS for n in env_names)


# --- reading ------------------------------------------------------------------------------------


@dataclass
class _Service:
    values: list[EnvValue] = field(default_factory=list)
    buckets: list[BucketRef] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    gap_at: list[int] = field(default_factory=list)  # for each gap, how many values were read before it
    project_env: ProjectEnv = field(default_factory=dict)  # the project .env, for interpolation
    service_env: dict[str, str | Unresolved] = field(default_factory=dict)  # `environment`, interpolated
    file_vars: dict[str, str | Unresolved] = field(default_factory=dict)  # what env files set so far

    def lookup(self, *, with_files: bool) -> ProjectEnv:
        """What an env_file's ``${VAR}`` (with_files) or bare ``NAME`` resolves from: compose-go looks in
        the project .env (and shell), then the service's ``environment``, then the variables earlier
        lines and env files set."""
        maps = (self.project_env, self.service_env, *((self.file_vars,) if with_files else ()))
        return Chain(*maps)

    def gap(self, text: str) -> None:
        self.gaps.append(text)
        self.gap_at.append(len(self.values))

    def take(self, name: str, raw: str, origin: Origin, env: ProjectEnv | None = None) -> str | Unresolved:
        """Read a value compose interpolates (from ``env``, by default the project .env)."""
        display_env_value(name, raw)  # the text as written ($$, ${…}) is remembered too when secret
        try:
            text = interpolate(raw, self.project_env if env is None else env)
        except Unresolved as exc:
            # A password may hold a "$": the reference compose would see is then a piece of the secret.
            _, secret = display_env_value(name, raw)
            why = f" ({exc.why})" if exc.why else ""
            ref = "a ${…} reference" if secret else f"${{{exc.name}}}{why}"
            self.values.append(
                unresolved(
                    name,
                    origin,
                    f"interpolates {ref}, set by the shell that runs docker compose, not among the inputs",
                    secret=secret,
                )
            )
            return exc
        self.keep(name, text, origin)
        return text

    def keep(self, name: str, text: str, origin: Origin) -> None:
        """A value as the server gets it (after interpolation), with the buckets and signals it names."""
        got = read_env_var(name, text, origin)
        self.values.append(got.value)
        self.buckets.extend(got.buckets)
        self.signals.extend(got.signals)
        self.notes.extend(got.notes)


def read(doc: Doc) -> Evidence:
    """Every service of a compose document that runs the W&B server, as one component each."""
    source = doc.source
    services = doc.data.get("services") if isinstance(doc.data, dict) else None
    evidence = Evidence(inputs=(InputFile(source, SourceKind.COMPOSE),))
    if not isinstance(services, dict):
        return evidence.merge(
            Evidence(errors=(InputError(source, "a compose file needs a `services` mapping", doc.line),))
        )
    project_env, dotenv_read = _project_env(source)
    evidence = evidence.merge(dotenv_read)
    servers: dict[str, tuple[dict[str, Any], _Service]] = {}
    for raw_name, service in services.items():
        if isinstance(service, dict):
            got = _read_service(source, str(raw_name), service, project_env)
            if is_server_service(service, [v.name for v in got.values]):
                servers[str(raw_name)] = (service, got)
    active = _active_profiles(project_env)
    started = {name for name, (service, _) in servers.items() if _starts(service, active) is True}
    for name, (service, got) in servers.items():
        where = Origin(source, key_line(services, name), f"services.{name}.profiles")
        if _starts(service, active) is not True:
            what = f"service {name} starts only with its profile enabled ({_profiles(service)})"
            if started:  # another server service starts whatever the profiles: that one is judged
                evidence = evidence.merge(Evidence(notes=(Note(f"{what}: not judged", where),)))
                continue
            got.notes.append(Note(f"{what}: judged as if enabled (--profile, COMPOSE_PROFILES)", where))
        evidence = evidence.merge(_component(source, services, name, service, got))
    if not servers:
        evidence = evidence.merge(
            Evidence(
                notes=(
                    Note(
                        "no service runs the W&B server (image wandb/local or wandb/megabinary, "
                        "or GORILLA_* / BUCKET in its environment)",
                        Origin(source, doc.line, "services"),
                    ),
                )
            )
        )
    return evidence


def _profiles(service: dict[str, Any]) -> str:
    profiles = service.get("profiles")
    return ", ".join(str(p) for p in profiles) if isinstance(profiles, list) else str(profiles)


def _active_profiles(project_env: ProjectEnv) -> frozenset[str] | None:
    """The profiles COMPOSE_PROFILES in the project .env enables; None when not known (the shell)."""
    value = project_env.get("COMPOSE_PROFILES")
    if not isinstance(value, str):
        return None
    return frozenset(p.strip() for p in value.split(",") if p.strip())


def _starts(service: dict[str, Any], active: frozenset[str] | None) -> bool | None:
    """Whether ``docker compose up`` starts the service: True without profiles; with profiles, whether
    one is enabled (None: the shell or the command line decides, not among the inputs)."""
    profiles = service.get("profiles")
    if not profiles:
        return True
    if not isinstance(profiles, list) or active is None:
        return None
    return "*" in active or bool(active & {str(p) for p in profiles}) or None


def _environment_form(env: Any) -> str:
    """How the service writes ``environment``: "map", "list", or "" (none, or neither)."""
    return "map" if isinstance(env, dict) else "list" if isinstance(env, list) else ""


def _component(source: str, services: Any, name: str, service: Any, got: _Service) -> Evidence:
    for index, value in enumerate(got.values):  # a later env_file gcready could not read wins over it
        later = tuple(gap for gap, at in zip(got.gaps, got.gap_at, strict=True) if at > index)
        if later:
            got.values[index] = replace(value, outranked_by=later)
    effective: dict[str, EnvValue] = {}
    for value in got.values:  # lowest precedence first: env files in order, then `environment`
        effective.pop(value.name, None)
        effective[value.name] = value
    shadowed = tuple(v for v in got.values if effective[v.name] is not v)
    origin = Origin(source, key_line(services, name), f"services.{name}")
    image = service.get("image")
    what = f"image {image}" if isinstance(image, str) else "W&B server environment"
    got.signals.insert(0, Signal(SignalKind.SERVER_CONFIG, f"docker-compose service {name} ({what})", origin))
    component = Component(
        name=f"compose service {name}",
        kind=ComponentKind.COMPOSE_SERVICE,
        origin=origin,
        env=tuple(effective.values()),
        shadowed=shadowed,
        gaps=tuple(got.gaps),
        runs_gc=True,
        placement=ComposeService(source, name, _environment_form(service.get("environment"))),
    )
    return Evidence(
        components=(component,),
        signals=tuple(got.signals),
        buckets=tuple(got.buckets),
        notes=tuple(got.notes),
        errors=tuple(got.errors),
    )


def _read_service(source: str, name: str, service: dict[str, Any], project_env: ProjectEnv) -> _Service:
    got = _Service(project_env=project_env)
    prefix = f"services.{name}"
    extends = service.get("extends")
    if extends is not None:  # what the extended service sets ranks below this one's own env
        base = extends.get("service") if isinstance(extends, dict) else extends
        got.gap(f"extends service {base} ({prefix}.extends), not followed by gcready")
    env = service.get("environment")
    got.service_env = _service_env(env, project_env)
    for entry in _env_files(source, service, prefix, got):
        if isinstance(entry, str):
            got.gap(entry)
        else:
            _read_env_file(entry, name, got)
    if isinstance(env, dict):
        for key, raw in env.items():
            var = str(key)
            where = Origin(source, key_line(env, key), f"{prefix}.environment.{var}")
            if raw is None:
                got.values.append(_from_shell(var, where))
            else:
                got.take(var, _scalar(raw), where)
    elif isinstance(env, list):
        for index, item in enumerate(env):
            text = str(item)
            var, sep, raw_value = text.partition("=")
            var = var.strip()
            where = Origin(source, key_line(env, index), f"{prefix}.environment[{index}] {var}")
            if not var:
                got.notes.append(Note(f"{prefix}.environment[{index}] has no variable name", where))
            elif not sep:
                got.values.append(_from_shell(var, where))
            else:
                got.take(var, raw_value, where)
    elif env is not None:
        got.notes.append(
            Note(
                f"{prefix}.environment is neither a map nor a list: ignored",
                Origin(source, key_line(service, "environment"), f"{prefix}.environment"),
            )
        )
    return got


def _service_env(env: Any, project_env: ProjectEnv) -> dict[str, str | Unresolved]:
    """A service's ``environment`` as its env files' interpolation sees it (a bare NAME adds nothing
    the project .env does not already give)."""
    if isinstance(env, dict):
        pairs = [(str(k), _scalar(v)) for k, v in env.items() if v is not None]
    elif isinstance(env, list):
        pairs = [(n.strip(), v) for n, sep, v in (str(i).partition("=") for i in env) if sep and n.strip()]
    else:
        return {}
    out: dict[str, str | Unresolved] = {}
    for name, raw in pairs:
        try:
            out[name] = interpolate(raw, project_env)
        except Unresolved as exc:
            out[name] = exc
    return out


def _scalar(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _from_shell(name: str, origin: Origin) -> EnvValue:
    return unresolved(
        name, origin, "takes its value from the shell that runs docker compose, not among the inputs"
    )


@dataclass(frozen=True)
class _EnvFile:
    path: str  # as gcready can open it
    required: bool
    named_at: Origin
    dialect: Dialect  # `format: raw` is read as `docker run --env-file` reads it: quotes are kept


# The parsers docker compose reads an env_file with: compose-go's dotenv by default, and `raw`, which
# the docker compose CLI registers with docker/cli's kvfile parser, the one `docker run --env-file` uses.
_FORMATS = {None: Dialect.COMPOSE, "": Dialect.COMPOSE, "raw": Dialect.DOCKER}


def _env_files(source: str, service: dict[str, Any], prefix: str, got: _Service) -> list[_EnvFile | str]:
    """``env_file`` entries in order, or the gap an entry whose path or format gcready cannot know
    leaves."""
    node = service.get("env_file")
    if node is None:
        return []
    entries: list[tuple[Any, int | None]]
    if isinstance(node, list):
        entries = [(item, key_line(node, i)) for i, item in enumerate(node)]
    else:
        entries = [(node, key_line(service, "env_file"))]
    out: list[_EnvFile | str] = []
    for item, line in entries:
        origin = Origin(source, line, f"{prefix}.env_file")
        required = True
        raw_path: Any = item
        written: Any = None
        if isinstance(item, dict):
            raw_path = item.get("path")
            required = item.get("required", True) is not False
            written = item.get("format")
        if not isinstance(raw_path, str) or not raw_path.strip():
            got.notes.append(Note(f"{prefix}.env_file entry without a path: ignored", origin))
            continue
        dialect = _FORMATS.get(written) if isinstance(written, str) or written is None else None
        if dialect is None:  # compose-go: "unsupported env_file format"
            why = (
                f"docker compose refuses it: unsupported env_file format {written!r} (it reads 'raw' or none)"
            )
            got.errors.append(InputError(source, f"{prefix}.env_file {raw_path}: {why}", line))
            out.append(f"env_file {raw_path} ({prefix}.env_file), not read: format {written!r}")
            continue
        try:
            rel = interpolate(raw_path.strip(), got.project_env)
        except Unresolved as exc:
            out.append(f"env_file {raw_path} (its path uses ${{{exc.name}}}), not among the inputs")
            continue
        path = Path(rel)
        if not path.is_absolute():
            path = Path(source).parent / path
        out.append(_EnvFile(str(path), required, origin, dialect))
    return out


@contextmanager
def input_roots(paths: Iterable[str]) -> Iterator[None]:
    """While reading these inputs, an ``env_file`` is read only inside them (a folder, or a file's folder)."""
    roots = []
    for raw in paths:
        with suppress(OSError, ValueError):
            path = Path(raw).resolve()
            roots.append(path if path.is_dir() else path.parent)
    token = _ROOTS.set(tuple(roots))
    try:
        yield
    finally:
        _ROOTS.reset(token)


_ROOTS: ContextVar[tuple[Path, ...] | None] = ContextVar("gcready_compose_roots", default=None)
_SPECIAL_TREES = (Path("/proc"), Path("/sys"), Path("/dev"))
_NOT_REGULAR = "not a regular file (a device, FIFO or socket)"


def _refusal(path: str, compose_file: str) -> str | None:
    """Why an env_file must not be read, or None. Never a file outside the input tree, never a special
    file: ``env_file: /proc/self/environ`` would copy gcready's own environment into the report."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):
        return "its path cannot be resolved"
    roots = _ROOTS.get() or (Path(compose_file).resolve().parent,)
    if any(resolved.is_relative_to(tree) for tree in _SPECIAL_TREES):
        return "a special file (/proc, /sys, /dev), not an env file"
    if not any(resolved.is_relative_to(root) for root in roots):
        return "outside the input tree"
    try:
        mode = resolved.stat().st_mode
    except OSError:
        return None  # missing: reported as not among the inputs
    if not stat.S_ISREG(mode):
        return _NOT_REGULAR
    return None


def _read_env_file(entry: _EnvFile, service: str, got: _Service) -> None:
    from gcready import limits
    from gcready.sources import envfile

    path, required, named_at = entry.path, entry.required, entry.named_at
    refusal = _refusal(path, named_at.source)
    if refusal == _NOT_REGULAR:  # a FIFO or device inside the inputs: refused, as a bad input
        try:
            limits.read_text(path)  # names what it is (FIFO, device…) without opening it for reading
        except limits.InputReadError as exc:
            got.errors.append(InputError(path, f"env_file of service {service}: {exc}", exc.line))
            return
    if refusal is not None:
        got.gap(f"env_file {path} ({named_at.path}), not read: {refusal}")
        got.notes.append(Note(f"env_file {path} of service {service} was not read: {refusal}", named_at))
        return
    if not os.path.exists(path):
        if required:
            got.gap(f"env_file {path} ({named_at.path}), not among the inputs")
            got.notes.append(Note(f"env_file {path} of service {service} could not be read", named_at))
        return
    try:  # bounded: a FIFO or /dev/zero named as env_file must not hang the audit
        text = limits.read_text(path)
    except limits.InputReadError as exc:
        got.errors.append(InputError(path, f"env_file of service {service}: {exc}", exc.line))
        return
    got.notes.append(Note(f"{ENV_FILE_NOTE} {service}", Origin(path)))
    parsed = envfile.parse(text, entry.dialect)  # compose's own reading, whatever else reads the file
    if parsed.refused is not None:  # `docker compose up` stops on this file
        line, why = parsed.refused
        got.errors.append(
            InputError(path, f"env_file of service {service}: docker compose refuses it: {why}", line)
        )
    for assignment in parsed.assignments:
        name, origin = assignment.name, Origin(path, assignment.line)
        set_to: str | Unresolved | None
        if assignment.value is None:  # a bare NAME: what compose looks up for it, else the shell's
            set_to = got.lookup(with_files=False).get(name)
            if isinstance(set_to, str):
                got.keep(name, set_to, origin)
            else:
                got.values.append(_from_shell(name, origin))
        elif assignment.literal or entry.dialect is Dialect.DOCKER:
            set_to = assignment.value  # '…', or the raw format: read literally, not interpolated
            got.keep(name, set_to, origin)
        else:
            set_to = got.take(name, assignment.value, origin, got.lookup(with_files=True))
        if set_to is not None:
            got.file_vars[name] = set_to


class _Unread(Mapping[str, "str | Unresolved"]):
    """A project .env gcready did not read: any variable may be set there."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __getitem__(self, name: str) -> str | Unresolved:
        return Unresolved(name, self.why)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _project_env(source: str) -> tuple[ProjectEnv, Evidence]:
    """The project ``.env`` beside the compose file, which docker compose reads for interpolation (not
    as a service's environment): each variable's value, or why it is not known."""
    from gcready import limits
    from gcready.sources import envfile

    path = str(Path(source).parent / ".env")
    if not os.path.lexists(path):
        return {}, Evidence()
    refusal = _refusal(path, source)
    if refusal is None:
        try:
            text = limits.read_text(path)
        except limits.InputReadError as exc:
            refusal = str(exc)
    if refusal is not None:  # every ${VAR} it might set is then unknown
        note = Note(
            f"the project .env was not read: {refusal}; what it sets for ${{…}} is not known", Origin(path)
        )
        return _Unread(f"the project .env was not read: {refusal}"), Evidence(notes=(note,))
    parsed = envfile.parse(text, envfile.Dialect.COMPOSE)
    errors: tuple[InputError, ...] = ()
    if parsed.refused is not None:
        line, why = parsed.refused
        errors = (InputError(path, f"project .env of {source}: docker compose refuses it: {why}", line),)
    env: dict[str, str | Unresolved] = {}
    for a in parsed.assignments:
        if a.value is None:
            env[a.name] = Unresolved(a.name, "the project .env takes it from the shell, not among the inputs")
            continue
        display_env_value(a.name, a.value)  # a password kept in .env is remembered, wherever it goes
        try:
            env[a.name] = a.value if a.literal else interpolate(a.value, env)
        except Unresolved as exc:
            env[a.name] = Unresolved(exc.name, exc.why)
    return env, Evidence(notes=(Note(f"{PROJECT_ENV_NOTE} {source}", Origin(path)),), errors=errors)


def absorb_env_files(evidence: Evidence) -> Evidence:
    """Drop the stand-alone dotenv components of files a compose service already reads as env_file.

    When a folder holds ``compose.yaml`` and the ``wandb.env`` it names, the env file alone is not the
    server's environment (the service's ``environment`` wins over it): judging it again would give a
    second, wrong verdict.
    """
    consumed = {
        Path(n.origin.source).resolve()
        for n in evidence.notes
        if n.text.startswith((ENV_FILE_NOTE, PROJECT_ENV_NOTE))
    }
    if not consumed:
        return evidence
    kept = tuple(
        c
        for c in evidence.components
        if not (c.kind is ComponentKind.DOTENV and Path(c.origin.source).resolve() in consumed)
    )
    if len(kept) == len(evidence.components):
        return evidence
    return replace(evidence, components=kept)
