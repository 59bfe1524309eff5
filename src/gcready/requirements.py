"""The requirements table as data: loaded from TOML, validated, and turned into typed values.

The bundled profile (``data/requirements.toml``) is the seed's table. ``--requirements FILE`` replaces it;
such a file is validated against ``schemas/requirements.schema.json`` (the bundled one is checked against
the same schema by the test suite, so start-up does not pay for jsonschema).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from gcready.model import JSON, KNOWN_VALUES, DeploymentType, Provider, Setting, fields_json


class RequirementsError(Exception):
    """A requirements file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Row:
    deployment: DeploymentType
    label: str
    env_var: bool
    versioning: bool
    note: str = ""


_MAX_PROFILE_BYTES = 1024 * 1024  # the seed profile is 3 KiB


@dataclass(frozen=True)
class VersioningMeaning:
    """What "bucket versioning" means on one provider: which bucket setting must read what."""

    provider: Provider
    label: str
    setting: Setting
    expect: JSON
    field: str | None = None

    def understood(self, value: JSON) -> bool:
        """Whether a reading's value is one gcready knows how to judge (else: unknown, never fail)."""
        if self.field is not None:
            return isinstance(value, dict) and type(value.get(self.field)) is type(self.expect)
        known = KNOWN_VALUES.get(self.setting)  # the values probes write (the bundle schema lists them too)
        if known is not None:
            return isinstance(value, str) and value in known
        return type(value) is type(self.expect)

    def met_by(self, value: JSON) -> bool:
        """Whether a setting value, as a probe reads it, meets the requirement."""
        if self.field is not None:
            value = value.get(self.field) if isinstance(value, dict) else None
        return value == self.expect


@dataclass(frozen=True)
class Requirements:
    version: str
    source: str
    origin: str  # the file it was loaded from, "built-in" for the bundled profile
    env_var: str
    env_value: str
    env_where: str
    rows: tuple[Row, ...]
    versioning: tuple[VersioningMeaning, ...]
    ssc_providers: frozenset[Provider]
    ssc_note: str = ""

    def row(self, deployment: DeploymentType) -> Row:
        for row in self.rows:
            if row.deployment is deployment:
                return row
        raise KeyError(deployment)  # validated on load: every type has a row

    def versioning_for(self, provider: Provider) -> VersioningMeaning:
        for meaning in self.versioning:
            if meaning.provider is provider:
                return meaning
        raise KeyError(provider)

    def to_json(self) -> dict[str, JSON]:
        return {
            **fields_json(self, "version", "source", "origin"),
            "env_var": {"name": self.env_var, "value": self.env_value, "where": self.env_where},
            "rows": [
                {
                    "deployment": r.deployment.value,
                    **fields_json(r, "label", "env_var", "versioning", "note"),
                }
                for r in self.rows
            ],
            "versioning": {
                m.provider.value: {
                    **fields_json(m, "label", "setting", "field", "expect"),
                }
                for m in self.versioning
            },
            "ssc": {"providers": [p.value for p in sorted(self.ssc_providers)], "note": self.ssc_note},
        }


def load_builtin() -> Requirements:
    """The seed profile shipped with gcready."""
    text = resources.files("gcready").joinpath("data/requirements.toml").read_text(encoding="utf-8")
    return _build(tomllib.loads(text), "built-in")


def load_file(path: Path) -> Requirements:
    """A user's profile: parsed, checked against the JSON Schema, then built."""
    from gcready import limits

    try:  # bounded and non-blocking: `--requirements /dev/zero` must not hang
        text = limits.read_text(str(path), _MAX_PROFILE_BYTES)
    except limits.InputReadError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise RequirementsError(f"{where}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RequirementsError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses per nested array or inline table
        raise RequirementsError(f"{path}: nested deeper than {limits.MAX_DEPTH} levels") from None
    if limits.nesting_depth(data) > limits.MAX_DEPTH:
        raise RequirementsError(f"{path}: nested deeper than {limits.MAX_DEPTH} levels")
    _validate_schema(path, data)
    return _build(data, str(path))


def schema() -> dict[str, Any]:
    from gcready.schemas_access import load_schema

    return load_schema("requirements.schema.json")


def _validate_schema(path: Path, data: dict[str, Any]) -> None:
    import jsonschema  # only a user-supplied profile pays for it

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path) or "(top level)"
        raise RequirementsError(f"{path}: {where}: {first.message}")


def _build(data: dict[str, Any], origin: str) -> Requirements:
    try:
        rows = tuple(
            Row(
                deployment=DeploymentType(r["deployment"]),
                label=str(r["label"]),
                env_var=_bool(r["env_var"]),
                versioning=_bool(r["versioning"]),
                note=str(r.get("note", "")),
            )
            for r in data["rows"]
        )
        meanings = tuple(
            VersioningMeaning(
                provider=Provider(name),
                label=str(spec["label"]),
                setting=Setting(spec["setting"]),
                expect=spec["expect"],
                field=spec.get("field"),
            )
            for name, spec in data["versioning"].items()
        )
        env = data["env_var"]
        reqs = Requirements(
            version=str(data["version"]),
            source=str(data.get("source", "")),
            origin=origin,
            env_var=str(env["name"]),
            env_value=str(env["value"]),
            env_where=str(env.get("where", "")),
            rows=rows,
            versioning=meanings,
            ssc_providers=frozenset(Provider(p) for p in data["ssc"]["providers"]),
            ssc_note=str(data["ssc"].get("note", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RequirementsError(f"{origin}: malformed requirements: {exc!r}") from None
    missing_rows = set(DeploymentType) - {r.deployment for r in rows}
    if missing_rows or len(rows) != len(DeploymentType):
        raise RequirementsError(
            f"{origin}: needs exactly one row per deployment type; missing or repeated: "
            + ", ".join(sorted(t.value for t in missing_rows) or ["(a repeated row)"])
        )
    missing_providers = set(Provider) - {m.provider for m in meanings}
    if missing_providers:
        raise RequirementsError(
            f"{origin}: versioning meaning missing for: "
            + ", ".join(sorted(p.value for p in missing_providers))
        )
    return reqs


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def render_requirements(reqs: Requirements, fmt: str) -> str:
    """The table as text, JSON or Markdown (``gcready requirements``)."""
    if fmt == "json":
        return json.dumps(reqs.to_json(), indent=2) + "\n"
    mark = {True: "X", False: ""}
    header = ("deployment type", "id", f"{reqs.env_var}={reqs.env_value}", "bucket versioning")
    rows = [(r.label, r.deployment.value, mark[r.env_var], mark[r.versioning]) for r in reqs.rows]
    meanings = [(m.provider.value, m.label) for m in reqs.versioning]
    ssc = ", ".join(sorted(p.value for p in reqs.ssc_providers))
    if fmt == "markdown":
        lines = [f"| {' | '.join(header)} |", "|---|---|:-:|:-:|"]
        lines += [f"| {a} | `{b}` | {c} | {d} |" for a, b, c, d in rows]
        lines += ["", "What bucket versioning means per provider:", ""]
        lines += [f"- **{p}**: {label}" for p, label in meanings]
        lines += ["", f"Secure storage connector providers: {ssc}. {reqs.ssc_note}".rstrip()]
        lines += ["", f"Profile {reqs.version} ({reqs.origin}). Source: {reqs.source}"]
        return "\n".join(lines) + "\n"
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    fmt_row = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt_row.format(*header), fmt_row.format(*("-" * w for w in widths))]
    lines += [fmt_row.format(*row).rstrip() for row in rows]
    lines += ["", "X = required. Bucket versioning means:"]
    lines += [f"  {p:<14} {label}" for p, label in meanings]
    lines += ["", f"Secure storage connector: {ssc} only. {reqs.ssc_note}".rstrip()]
    lines += ["", f"Profile {reqs.version} ({reqs.origin}). Source: {reqs.source}"]
    return "\n".join(lines) + "\n"
