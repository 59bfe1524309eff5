"""Waivers on the command line: ``--waivers FILE`` for ``audit``/``diagnose``, and ``gcready waive``.

Which file holds the waivers: ``--waivers FILE`` (or ``GCREADY_WAIVERS``); without it, the config file in
use (``--config``, ``GCREADY_CONFIG``, or ``./gcready.toml`` when it exists; not with ``--no-config``).
Only its ``[[waiver]]`` tables are read here. tomlkit is imported by ``gcready waive`` only, so audits never pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import click

from gcready.cli.options import path_option
from gcready.cli.output import die, err, write

if TYPE_CHECKING:
    from gcready.model import Waiver

CONFIG_FILE = "gcready.toml"
CONFIG_META_KEY = "gcready.config_file"  # where a config loader records the file it read
NO_CONFIG_ENV = "GCREADY_NO_CONFIG"


# ``--waivers FILE``: accepted exceptions, each with a reason and an expiry date.
waiver_options = path_option(
    "--waivers",
    "waivers_file",
    dir_okay=False,
    metavar="FILE",
    help="Read [[waiver]] tables (check, resource, reason, expires, ticket, owner) from this TOML file: "
    "a waived finding is shown but not counted; an expired or unused waiver is a warning. Default: the "
    "config file in use (--config, GCREADY_CONFIG, or ./gcready.toml).",
)


@dataclass(frozen=True)
class WaiverArgs:
    """``--waivers FILE``, as a typed argument object (its field is named as the option's click destination)."""

    waivers_file: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The argument from click's parsed parameters."""
        return cls(waivers_file=params.get("waivers_file"))

    def load(self, params: Mapping[str, object] | None = None) -> tuple[Waiver, ...]:
        """This run's waivers: the file given, else the config file in use (exit 2 when it is bad)."""
        return waivers_for_run(self.waivers_file, params)


def config_in_use(params: Mapping[str, object] | None = None) -> str | None:
    """The config file this run reads, if any: the loader's record, ``--config``, ``GCREADY_CONFIG``,
    or ``./gcready.toml`` when it exists; none with ``--no-config`` / ``GCREADY_NO_CONFIG``."""
    ctx = click.get_current_context(silent=True)
    given: dict[str, object] = {**(ctx.params if ctx is not None else {}), **(params or {})}
    if given.get("no_config") or os.environ.get(NO_CONFIG_ENV, "").lower() not in ("", "0", "false", "no"):
        return None
    while ctx is not None:
        recorded = ctx.meta.get(CONFIG_META_KEY)
        if recorded:
            return str(recorded)
        ctx = ctx.parent
    named = given.get("config_file") or given.get("config") or os.environ.get("GCREADY_CONFIG")
    if named:
        return str(named)
    return CONFIG_FILE if Path(CONFIG_FILE).is_file() else None


def waivers_for_run(explicit: str | None, params: Mapping[str, object] | None = None) -> tuple[Waiver, ...]:
    """The waivers of this run (exit 2 with ``FILE:LINE: waiver N: message`` when the file is bad)."""
    from gcready.waivers import WaiverError, load

    path = explicit or config_in_use(params)
    if path is None:
        return ()
    try:
        return load(path)
    except WaiverError as exc:
        die(str(exc))


def _today() -> date:
    from gcready.pipeline import now_iso

    return date.fromisoformat(now_iso()[:10])  # UTC, and SOURCE_DATE_EPOCH sets it, as for reports


@click.command()
@click.argument("check")
@click.argument("resource")
@click.option("--reason", required=True, help="Why the finding is accepted (shown in every report).")
@click.option(
    "--expires",
    required=True,
    metavar="YYYY-MM-DD",
    help="Last day the waiver applies (UTC); not in the past.",
)
@click.option("--ticket", default="", metavar="T", help="Ticket that tracks the exception.")
@click.option("--owner", default="", metavar="O", help="Who owns the exception.")
@click.option(
    "--deployment",
    default="",
    metavar="NAME",
    help="Only in this fleet deployment ([[deployment]] name, or a glob such as prod-*).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE",
    help=f"TOML file to append to (default: ./{CONFIG_FILE}; created when missing).",
)
def waive(
    check: str,
    resource: str,
    reason: str,
    expires: str,
    ticket: str,
    owner: str,
    deployment: str,
    config_file: str | None,
) -> None:
    """Accept a finding until a date: append a [[waiver]] to gcready.toml.

    CHECK is a check id (gcready explain lists them); RESOURCE is the finding's resource as reports
    show it, or a glob (s3://legacy-*); with --deployment it applies only to that deployment of a
    fleet run. The file's comments and formatting are kept. A waived finding
    is still shown, with the reason, but counts towards neither the verdict nor the exit code; from the
    day after --expires it counts again and the report warns that the waiver expired.
    """
    from gcready.waivers import WaiverError, known_check_ids, load, parse_date

    known = known_check_ids()
    if check not in known:
        die(f"waive: unknown check {check!r}; known: {', '.join(known)}")
    if not resource.strip():
        die("waive: RESOURCE is empty (the finding's resource, or a glob such as s3://legacy-*)")
    if not reason.strip():
        die("waive: --reason is empty (why the finding is accepted)")
    if deployment and not deployment.strip():
        die("waive: --deployment is empty (a [[deployment]] name, or a glob such as prod-*)")
    until = parse_date(expires)
    if until is None:
        die(f"waive: --expires {expires!r} is not a date (YYYY-MM-DD)")
    today = _today()
    if until < today:
        die(f"waive: --expires {until.isoformat()} is in the past (today is {today.isoformat()}, UTC)")
    path = config_file or os.environ.get("GCREADY_CONFIG") or CONFIG_FILE
    target = Path(path)
    text = ""
    if target.exists():
        try:
            text = target.read_bytes().decode("utf-8")
            existing = load(path, known)
        except WaiverError as exc:
            die(str(exc))
        except (OSError, UnicodeDecodeError) as exc:
            die(f"{path}: cannot read: {exc}")
        for old in existing:
            if old.check == check and old.resource == resource and old.deployment == deployment.strip():
                err(
                    f"note: {old.origin} already waives {check} on {resource} (expires {old.expires}); "
                    "delete it if this one replaces it"
                )
    fields = _Fields(reason.strip(), until, ticket.strip(), owner.strip(), deployment.strip())
    updated = _append(text, path, check, resource, fields)
    try:
        added = _load_last(updated, path, known)
    except WaiverError as exc:  # the file we would write must read back: never leave it broken
        die(f"waive: not written: {exc}")
    write(path, updated)
    from gcready.redact import scrub

    click.echo(scrub(f"Added to {added.origin}:\n{_snippet(updated, added)}"))  # echoes user text: scrubbed


def _load_last(text: str, path: str, known: tuple[str, ...]) -> Waiver:
    from gcready.waivers import parse

    return parse(text, path, known)[-1]


@dataclass(frozen=True)
class _Fields:
    """What ``gcready waive`` writes beside the check and the resource."""

    reason: str
    until: date
    ticket: str
    owner: str
    deployment: str


def _append(text: str, path: str, check: str, resource: str, fields: _Fields) -> str:
    """``text`` with one more ``[[waiver]]`` table, comments and layout kept (tomlkit round trip)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        die(f"{path}: not valid TOML: {exc}")
    table = tomlkit.table()
    table.add("check", check)
    table.add("resource", resource)
    table.add("reason", fields.reason)
    table.add("expires", fields.until)
    if fields.ticket:
        table.add("ticket", fields.ticket)
    if fields.owner:
        table.add("owner", fields.owner)
    if fields.deployment:
        table.add("deployment", fields.deployment)
    table.add(tomlkit.nl())  # a blank line before whatever table follows
    current = document.get("waiver")
    if current is None:
        tables = tomlkit.aot()
        tables.append(table)
        document.add("waiver", tables)
    elif isinstance(current, tomlkit.items.AoT):
        current.append(table)
    else:
        die(f"{path}: waiver is not a list of [[waiver]] tables; cannot append")
    return tomlkit.dumps(document)


def _snippet(text: str, added: Waiver) -> str:
    """The lines of the table just added, as they now stand in the file."""
    lines = text.splitlines()
    start = (added.origin.line or 1) - 1 if added.origin else 0
    out = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.strip() or line.lstrip().startswith("["):
            break
        out.append(line)
    return "\n".join(out)
