"""``--pushgateway URL``: push the run's metrics (the ``openmetrics`` format's registry) to a Pushgateway.

Each deployment is pushed to its own group, ``job="gcready"`` and ``deployment=NAME``, with PUT, so a
push replaces everything the previous run of that deployment left there: a finding that went away does
not linger. Credentials in the URL (``https://user:password@host``) are sent as HTTP basic auth and never
shown: every message about the push names the URL with them masked.

A push that fails prints one line on stderr after the reports are written. It never hides the audit's
verdict (exit 3, 5 or 2 stand as they are), and never lets a run that lost its metrics look successful:
an exit 0 becomes 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote

import click

if TYPE_CHECKING:
    from gcready.model import ExitCode, Report
    from gcready.model.fleet import Fleet
    from gcready.report.context import RunContext
    from gcready.report.openmetrics import DeploymentRun

JOB = "gcready"


def _gateway_url(ctx: click.Context, param: click.Parameter, url: str | None) -> str | None:
    """An http(s) URL with a host, or a usage error (exit 2) that shows it with its credentials masked."""
    if url is None:
        return None
    from urllib.parse import urlsplit

    from gcready.redact import redact_url

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in url)
    ):
        raise click.BadParameter(
            f"{redact_url(url)}: expected http://HOST[:PORT][/PATH] or https://…", ctx, param
        )
    return url


def pushgateway_option(func: click.decorators.FC) -> click.decorators.FC:
    """The ``--pushgateway URL`` option of ``audit`` and ``diagnose``."""
    return click.option(
        "--pushgateway",
        metavar="URL",
        callback=_gateway_url,
        help="Also push the run's metrics (as --format openmetrics writes them) to this Prometheus "
        "Pushgateway: job gcready, grouping key deployment. A failed push is one line on stderr; "
        "exit 0 then becomes 1, other exit codes stand.",
    )(func)


Handler = Callable[[str, str, float | None, list[tuple[str, str]], bytes], Callable[[], None]]


def _split_credentials(url: str) -> tuple[str, Handler]:
    """The URL without its userinfo, and the handler that sends the userinfo as basic auth."""
    from prometheus_client.exposition import basic_auth_handler, default_handler

    from gcready.redact import split_userinfo

    scheme, userinfo, rest = split_userinfo(url.strip())
    if not scheme or userinfo is None:
        return url.strip(), default_handler
    user, _, password = userinfo.partition(":")

    def handler(
        url: str, method: str, timeout: float | None, headers: list[tuple[str, str]], data: bytes
    ) -> Callable[[], None]:
        return basic_auth_handler(url, method, timeout, headers, data, unquote(user), unquote(password))

    return f"{scheme}://{rest}", handler


def push(url: str, runs: Sequence[DeploymentRun], timeout: float) -> str | None:
    """Push each deployment's run to its group; None when every push was taken, else why not.

    The reports must already be redacted. The reason is one line, with the URL's credentials masked.
    """
    from prometheus_client.exposition import push_to_gateway

    from gcready.redact import redact_url, scrub
    from gcready.report.openmetrics import registry

    shown = redact_url(url)  # also remembers the URL's credentials, so scrub() masks them anywhere
    target, handler = _split_credentials(url)
    for run in runs:
        try:
            push_to_gateway(
                target,
                job=JOB,
                registry=registry([run]),
                grouping_key={"deployment": scrub(run.name)},  # the same value as the series' label
                timeout=timeout,
                handler=handler,
            )
        except Exception as exc:  # urllib raises URLError, HTTPError, OSError, ValueError…: all one line
            return scrub(f"pushgateway {shown}: push of deployment {run.name!r} failed: {_reason(exc)}")
    return None


@dataclass(frozen=True)
class PushRequest:
    """What ``--pushgateway`` asked for: where to push the run's metrics, if anywhere."""

    pushgateway: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The option from click's parsed parameters (already checked by the option's callback)."""
        url = params.get("pushgateway")
        return cls(pushgateway=str(url) if url else None)

    def push(self, report: Report, code: ExitCode, context: RunContext | None, timeout: float) -> ExitCode:
        """Push the run's metrics when asked; the exit code the run ends with.

        Called after the reports are written. A failed push is one line on stderr and turns only an
        exit 0 into 1; ``timeout`` (the probes' ``--timeout``) bounds it.
        """
        if self.pushgateway is None:
            return code
        from gcready.redact import redact
        from gcready.report.openmetrics import DEFAULT_DEPLOYMENT, DeploymentRun

        run = DeploymentRun(DEFAULT_DEPLOYMENT, redact(report), context)
        return self._push_runs([run], code, timeout)

    def push_fleet(
        self, fleet: Fleet, code: ExitCode, contexts: Mapping[str, RunContext], timeout: float
    ) -> ExitCode:
        """Push each deployment of a fleet run to its own group (``deployment=NAME``), as :meth:`push`."""
        if self.pushgateway is None:
            return code
        from gcready.redact import redact
        from gcready.report.openmetrics import DeploymentRun

        runs = [DeploymentRun(m.name, redact(m.report), contexts.get(m.name)) for m in fleet.members]
        return self._push_runs(runs, code, timeout)

    def _push_runs(self, runs: Sequence[DeploymentRun], code: ExitCode, timeout: float) -> ExitCode:
        from gcready.cli.output import err
        from gcready.model import ExitCode

        assert self.pushgateway is not None
        failure = push(self.pushgateway, runs, timeout)
        if failure is None:
            return code
        err(failure)
        return ExitCode.INTERNAL if code == ExitCode.OK else code


def _reason(exc: Exception) -> str:
    """Why a push failed, on one line: the HTTP status and the Pushgateway's own words, or the OS error."""
    from urllib.error import HTTPError

    if isinstance(exc, HTTPError):
        try:
            body = exc.read().decode("utf-8", "replace")
        except Exception:  # the body is a courtesy; the status says enough
            body = ""
        text = f"HTTP {exc.code} {exc.reason}" + (f": {body}" if body.strip() else "")
    else:
        text = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
    return " ".join(text.split())[:300]
