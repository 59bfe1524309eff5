"""The ``gcready`` command line: parse options, call the pipeline, render, write, exit.

Exit codes: 0 ready; 3 a requirement fails; 5 no fail but something could not be seen (unknown);
4 warnings with ``--fail-on warn``; 2 bad input or usage; 1 internal error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from gcready import __version__

if TYPE_CHECKING:
    from gcready.model import Report, SourceKind

# Literal ids, so `gcready --help` needs no model import (a test keeps them equal to the enums).
DEPLOYMENT_IDS = (
    "shared-cloud",
    "shared-cloud-ssc",
    "dedicated-cloud",
    "dedicated-cloud-ssc",
    "customer-managed-cloud",
    "customer-managed-onprem",
)
SOURCE_KINDS = (
    "dotenv",
    "kubernetes",
    "wandb-cr",
    "helm-values",
    "bundle",
    "terraform",
    "compose",
    "helm-legacy",
)

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_FAIL, EXIT_WARN, EXIT_UNKNOWN = 0, 1, 2, 3, 4, 5
FORMATS = ("text", "json", "html", "sarif", "junit")

EPILOG = """\b
Exit codes:
  0  every applicable requirement passes
  3  a requirement fails
  5  no fail, but something could not be seen (unknown)
  4  warnings present and --fail-on warn
  2  bad input or usage (one line per problem on stderr)
  1  internal error
"""


def _err(message: str) -> None:
    from gcready.redact import scrub

    click.echo(scrub(f"gcready: {message}"), err=True)


def _die(message: str, code: int = EXIT_INPUT) -> NoReturn:
    _err(message)
    sys.exit(code)


def write_atomic(path: str, text: str) -> None:
    """Write a whole file or nothing: a temp file in the same folder, then rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(path: str, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as exc:
        _die(f"{path}: cannot write: {exc.strerror or exc}")


def _use_color(choice: bool | None) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _parse_kinds(values: Sequence[str]) -> tuple[dict[str, SourceKind], SourceKind | None]:
    from gcready.model import SourceKind

    kinds: dict[str, SourceKind] = {}
    default: SourceKind | None = None
    names = ", ".join(k.value for k in SourceKind)
    for value in values:
        path, sep, kind = value.rpartition("=") if "=" in value else ("", "", value)
        try:
            parsed = SourceKind(kind)
        except ValueError:
            _die(f"--kind {value}: unknown kind {kind!r} (one of: {names})")
        if sep:
            kinds[path] = parsed
        else:
            default = parsed
    return kinds, default


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EPILOG
)
@click.version_option(__version__, "-V", "--version", prog_name="gcready")
def main() -> None:
    """Is this Weights & Biases deployment ready for artifact garbage collection?

    \b
    W&B only soft-deletes artifacts; a garbage collector later removes their files from the bucket.
    On self-managed installs that needs GORILLA_ARTIFACT_GC_ENABLED=true on the server and a
    versioned bucket (Azure: blob soft delete). gcready reads your configuration (Helm values, the
    W&B operator resource, Kubernetes manifests, env files, evidence bundles), recognises the
    deployment type, checks each requirement that applies, and tells you how to fix what fails.

    \b
    Examples:
      gcready audit values.yaml --offline            # pre-install check of Helm values
      gcready audit manifests/ --json report.json    # periodic audit, JSON kept
      gcready audit bundle.json --html report.html   # support: a customer's bundle
      gcready diagnose bundle.json                   # why are deletes stuck?
      gcready explain bucket-versioning              # what a check looks at and how to fix it
      gcready requirements                           # the requirements table
    """
    from gcready.redact import redaction_scope

    # One redactor per run: what this run's inputs hold is what its outputs are scrubbed of.
    click.get_current_context().with_resource(redaction_scope())


def _audit_options(func: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=str)),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            metavar="[PATH=]KIND",
            help="Say what a file is when the guess from its content is wrong: dotenv, kubernetes, "
            "wandb-cr, helm-values, bundle. Without PATH= it applies to every file named.",
        ),
        click.option(
            "--server-manifest",
            "server_manifests",
            multiple=True,
            metavar="FILE",
            type=click.Path(path_type=str),
            help="W&B's server manifest (manifest.yaml of oci://us-docker.pkg.dev/wandb-production/public/"
            "wandb/server-manifest:VERSION) for a W&B operator v2 resource; also recognised among PATHS.",
        ),
        click.option(
            "--env-file-dialect",
            "env_file_dialects",
            multiple=True,
            metavar="[PATH=]DIALECT",
            help="Who reads an env file: docker (docker run --env-file: quotes and # text are part of "
            "the value), compose (env_file) or systemd (EnvironmentFile). Without it, a variable they "
            "read differently is unknown. Without PATH= it applies to every env file.",
        ),
        click.option(
            "--deployment",
            type=click.Choice(DEPLOYMENT_IDS),
            help="State the deployment type; wins over the evidence (a disagreement is reported).",
        ),
        click.option(
            "--bucket",
            "buckets",
            multiple=True,
            metavar="URL",
            help="A bucket no configuration mentions, as a W&B bucket URL (s3://, gs://, az://, cw://). Repeatable.",
        ),
        click.option(
            "--chart",
            type=click.Path(exists=True, path_type=str),
            metavar="DIR|TGZ",
            help="Render Helm values with this operator-wandb chart (folder or .tgz) and audit what it "
            "renders; needs the gcready[helm] extra (without it, gcready's model of the chart is used).",
        ),
        click.option(
            "--environment/--no-environment",
            default=None,
            help="Read W&B variables from this process's environment (default: only when no PATHS are given).",
        ),
        click.option(
            "--requirements",
            "requirements_file",
            type=click.Path(path_type=Path),
            help="A requirements profile (TOML) to use instead of the built-in seed table.",
        ),
        click.option("--offline", is_flag=True, help="Contact no endpoint: judge only the evidence given."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _probe_options(func: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=10.0,
            show_default=True,
            help="Seconds each storage call may take, start to finish (connect and the whole answer, however "
            "slowly it comes). One bucket's probe is cut off after --timeout × (--retries + 1) in all; "
            "what it had not read by then is unknown (timed out).",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0),
            default=3,
            show_default=True,
            help="Extra attempts for throttled or 5xx calls, with backoff.",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1),
            default=8,
            show_default=True,
            help="Buckets probed at the same time.",
        ),
        click.option(
            "--endpoint-url",
            metavar="URL",
            help="Storage endpoint for every bucket (else the bucket URL's, AWS_ENDPOINT_URL, or the provider's).",
        ),
        click.option("--region", help="Region for buckets whose URL names none."),
        click.option(
            "--path-style/--virtual-style",
            default=None,
            help="S3 addressing (default: path style for non-AWS endpoints).",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(dir_okay=False, path_type=str),
            help="CA bundle for TLS to storage endpoints.",
        ),
        click.option(
            "--no-verify-tls", is_flag=True, help="Do not verify TLS certificates of storage endpoints."
        ),
        click.option(
            "--azure-subscription",
            envvar="AZURE_SUBSCRIPTION_ID",
            help="With --azure-resource-group: also read Azure management-plane settings (blob versioning, "
            "container soft delete, lifecycle policies); needs gcready[azure-mgmt]. Default: AZURE_SUBSCRIPTION_ID.",
        ),
        click.option(
            "--azure-resource-group", metavar="RG", help="Resource group of the storage account(s)."
        ),
        click.option(
            "--bucket-option",
            "bucket_options",
            multiple=True,
            metavar="BUCKET:KEY=VALUE",
            help="Per-bucket endpoint-url, region, path-style, ca-bundle or verify-tls; BUCKET is the name, "
            "account/container, or the label shown in reports. Repeatable.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _build_probe_options(params: dict[str, object]) -> object:
    from gcready.probes.options import BucketOverride, ProbeOptions

    options = ProbeOptions(
        timeout=float(params["timeout"]),  # type: ignore[arg-type]
        retries=int(params["retries"]),  # type: ignore[call-overload]
        endpoint_url=params["endpoint_url"],  # type: ignore[arg-type]
        region=params["region"],  # type: ignore[arg-type]
        path_style=params["path_style"],  # type: ignore[arg-type]
        ca_bundle=params["ca_bundle"],  # type: ignore[arg-type]
        verify_tls=not params["no_verify_tls"],
        azure_subscription=params.get("azure_subscription"),  # type: ignore[arg-type]
        azure_resource_group=params.get("azure_resource_group"),  # type: ignore[arg-type]
    )
    keys = {
        "endpoint-url": "endpoint_url",
        "region": "region",
        "path-style": "path_style",
        "ca-bundle": "ca_bundle",
        "verify-tls": "verify_tls",
    }
    per_bucket: dict[str, dict[str, object]] = {}
    for raw in params["bucket_options"]:  # type: ignore[attr-defined]
        # BUCKET may hold colons (az://…, s3://host:port/…) and so may the value (a URL): split at ":KEY="
        text = str(raw)
        cut = max(text.rfind(f":{k}=") for k in keys)
        bucket, sep, setting = (text[:cut], ":", text[cut + 1 :]) if cut > 0 else ("", "", "")
        key, eq, value = setting.partition("=")
        if not sep or not eq or key not in keys:
            _die(f"--bucket-option {raw}: expected BUCKET:KEY=VALUE with KEY one of {', '.join(keys)}")
        field = keys[key]
        parsed: object = value
        if field in ("path_style", "verify_tls"):
            if value.lower() not in ("true", "false"):
                _die(f"--bucket-option {raw}: {key} must be true or false")
            parsed = value.lower() == "true"
        per_bucket.setdefault(bucket, {})[field] = parsed
    for bucket, fields in per_bucket.items():
        options = options.with_override(bucket, BucketOverride(**fields))  # type: ignore[arg-type]
    return options


class _Progress:
    """A one-line progress display on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.active = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.active:
            return
        line = f"probing buckets {done}/{total}  {label}"[:100]
        click.echo(f"\r\033[K{line}", err=True, nl=False)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)


def _server_manifest_kind() -> SourceKind:
    from gcready.model import SourceKind

    return SourceKind.SERVER_MANIFEST


def _parse_dialects(values: Sequence[str]) -> tuple[dict[str, object], object]:
    from gcready.sources.envfile import Dialect

    by_path: dict[str, object] = {}
    default: object = None
    for value in values:
        path, sep, name = value.rpartition("=") if "=" in value else ("", "", value)
        try:
            parsed = Dialect(name)
        except ValueError:
            _die(f"--env-file-dialect {value}: unknown dialect {name!r} (one of: docker, compose, systemd)")
        if sep:
            by_path[path] = parsed
        else:
            default = parsed
    return by_path, default


def _gather(
    paths: tuple[str, ...],
    kinds: tuple[str, ...],
    buckets: tuple[str, ...],
    environment: bool | None,
    offline: bool,
    params: dict[str, object],
) -> object:
    """Evidence from the inputs, and from live probes unless --offline."""
    from gcready.pipeline import Inputs, gather, probe

    manifests = tuple(str(m) for m in params.pop("server_manifests", None) or ())  # type: ignore[attr-defined]
    kind_map, default_kind = _parse_kinds(kinds)
    kind_map.update(dict.fromkeys(manifests, _server_manifest_kind()))
    dialects, default_dialect = _parse_dialects(params.pop("env_file_dialects", ()))  # type: ignore[arg-type]
    use_env = environment if environment is not None else not paths
    paths = (*paths, *(m for m in manifests if m not in paths))
    inputs = Inputs(
        paths=paths,
        kinds=kind_map,
        default_kind=default_kind,
        environ=dict(os.environ) if use_env else None,
        buckets=buckets,
        chart=params.get("chart"),  # type: ignore[arg-type]
        dialects=dialects,  # type: ignore[arg-type]
        default_dialect=default_dialect,  # type: ignore[arg-type]
    )
    evidence = gather(inputs)
    if offline:
        return evidence
    from gcready.probes.options import ProbeOptions

    options = _build_probe_options(params)
    assert isinstance(options, ProbeOptions)
    progress = _Progress()
    try:
        return probe(evidence, options, os.environ, concurrency=int(params["concurrency"]), progress=progress)  # type: ignore[call-overload]
    finally:
        progress.close()


def _load_requirements(path: Path | None) -> object:
    from gcready import requirements

    try:
        return requirements.load_file(path) if path is not None else requirements.load_builtin()
    except requirements.RequirementsError as exc:
        _die(str(exc))


def _report_options(func: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="text",
            show_default=True,
            help="Format written to stdout (or --output).",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(path_type=str),
            help="Write the --format report to this file instead of stdout.",
        ),
        click.option(
            "--json",
            "json_out",
            type=click.Path(path_type=str),
            metavar="FILE",
            help="Also write a JSON report to FILE.",
        ),
        click.option(
            "--html",
            "html_out",
            type=click.Path(path_type=str),
            metavar="FILE",
            help="Also write an HTML report to FILE.",
        ),
        click.option(
            "--text",
            "text_out",
            type=click.Path(path_type=str),
            metavar="FILE",
            help="Also write a text report to FILE.",
        ),
        click.option(
            "--sarif",
            "sarif_out",
            type=click.Path(path_type=str),
            metavar="FILE",
            help="Also write a SARIF 2.1.0 report to FILE (code-scanning dashboards).",
        ),
        click.option(
            "--junit",
            "junit_out",
            type=click.Path(path_type=str),
            metavar="FILE",
            help="Also write a JUnit XML report to FILE (CI test reports).",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(["fail", "warn"]),
            default="fail",
            show_default=True,
            help="With warn, warnings exit 4.",
        ),
        click.option(
            "--color/--no-color",
            default=None,
            help="Colour the text report (default: on a terminal, unless NO_COLOR is set).",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr."),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="Text report in full: every finding with all its evidence and fixes, skips and notes "
            "(default: what needs attention first, passes one line each, skips summed up).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@main.command(epilog=EPILOG)
@_audit_options
@_probe_options
@_report_options
def audit(**params: object) -> None:
    """Audit a deployment's readiness for artifact garbage collection.

    PATHS are files or folders (searched recursively): Helm values of the operator-wandb chart,
    the W&B operator resource, Kubernetes YAML (kubectl get -o yaml), env files, evidence bundles.
    Each file's kind is recognised from its content.

    Unless --offline, every bucket the inputs name (and each --bucket) that has no recorded state is
    probed live, read-only, with the credentials of this environment (AWS_PROFILE and the AWS chain,
    AWS_ENDPOINT_URL, Google ADC / GOOGLE_APPLICATION_CREDENTIALS / STORAGE_EMULATOR_HOST,
    AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_KEY / AZURE_STORAGE_SAS_TOKEN) or the keys inside a
    W&B bucket URL. Buckets a bundle already recorded are not probed again.
    """
    _report_command("audit", params)


@main.command(epilog=EPILOG)
@_audit_options
@_probe_options
@_report_options
def diagnose(**params: object) -> None:
    """Why are deletes stuck? The audit's evidence, ranked as causes, with proof and fixes.

    Same inputs, probes, formats and exit codes as `audit`. Causes are ranked from "garbage
    collection never runs here", through "it runs but the bucket holds the bytes" (Object Lock,
    retention, no noncurrent-version expiry, immutability…), to what only delays; then the causes
    no setting can show (files shared with other versions, protected aliases, GC being periodic,
    Dedicated Cloud's retention window), with how to check each.
    """
    _report_command("diagnose", params)


def _report_command(command: str, params: dict[str, object]) -> None:
    from gcready.model import DeploymentType, Evidence
    from gcready.pipeline import analyze
    from gcready.requirements import Requirements

    reqs = _load_requirements(params.pop("requirements_file"))  # type: ignore[arg-type]
    assert isinstance(reqs, Requirements)
    offline = bool(params.pop("offline"))
    evidence = _gather(
        params.pop("paths"),  # type: ignore[arg-type]
        params.pop("kinds"),  # type: ignore[arg-type]
        params.pop("buckets"),  # type: ignore[arg-type]
        params.pop("environment"),  # type: ignore[arg-type]
        offline,
        params,
    )
    assert isinstance(evidence, Evidence)
    deployment = params["deployment"]
    report = analyze(
        evidence,
        reqs,
        override=DeploymentType(str(deployment)) if deployment else None,
        command=command,
        offline=offline,
    )
    if command == "diagnose":
        from dataclasses import replace

        from gcready.diagnosis import diagnose as rank_causes

        report = replace(report, diagnosis=rank_causes(report))
    code = report.exit_code(fail_on_warn=params["fail_on"] == "warn")
    _emit(
        report,
        str(params["fmt"]),
        params["output"],  # type: ignore[arg-type]
        params["json_out"],  # type: ignore[arg-type]
        params["html_out"],  # type: ignore[arg-type]
        params["text_out"],  # type: ignore[arg-type]
        params["color"],  # type: ignore[arg-type]
        bool(params["quiet"]),
        code,
        sarif_out=params.get("sarif_out"),  # type: ignore[arg-type]
        junit_out=params.get("junit_out"),  # type: ignore[arg-type]
        verbose=bool(params.get("verbose")),
    )
    sys.exit(code)


def _emit(
    report: Report,
    fmt: str,
    output: str | None,
    json_out: str | None,
    html_out: str | None,
    text_out: str | None,
    color: bool | None,
    quiet: bool,
    code: int,
    *,
    sarif_out: str | None = None,
    junit_out: str | None = None,
    verbose: bool = False,
) -> None:
    from gcready.redact import redact, scrub
    from gcready.report import Format, render

    report = redact(report)  # every value scrubbed before a format escapes it; scrub() stays the net
    for error in report.errors:
        _err(f"error: {error}")
    extra = [
        (Format.JSON, json_out),
        (Format.HTML, html_out),
        (Format.TEXT, text_out),
        (Format.SARIF, sarif_out),
        (Format.JUNIT, junit_out),
    ]
    for extra_fmt, path in extra:
        if path:
            _write(path, scrub(render(report, extra_fmt, verbose=verbose)))
    main_fmt = Format(fmt)
    if output:
        _write(output, scrub(render(report, main_fmt, verbose=verbose)))
    else:
        colored = main_fmt is Format.TEXT and _use_color(color)
        click.echo(scrub(render(report, main_fmt, color=colored, verbose=verbose)), nl=False, color=colored)
    if not quiet and (output or main_fmt is not Format.TEXT):
        from gcready.report import VERDICT_HEADLINES, count_phrase

        _err(f"{VERDICT_HEADLINES[report.verdict()]} ({count_phrase(report)}); exit {code}")


@main.command()
@_audit_options
@_probe_options
@click.option(
    "-o", "--output", type=click.Path(path_type=str), required=True, help="Bundle file to write (JSON)."
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def collect(
    paths: tuple[str, ...],
    kinds: tuple[str, ...],
    deployment: str | None,
    buckets: tuple[str, ...],
    environment: bool | None,
    requirements_file: Path | None,
    offline: bool,
    output: str,
    quiet: bool,
    **probe_params: object,
) -> None:
    """Write a redacted evidence bundle: what the inputs say, plus each bucket's live settings.

    Send the bundle to support; `gcready audit BUNDLE` reaches the same verdicts offline. The bundle
    holds no secret: values of secret-looking variables, Secret values, URL credentials and keys are
    never written.

    Exit 0 when written with every bucket's settings; 5 when some bucket's settings could not be read
    (no credentials, denied, unreachable, timed out, or --offline): stderr and the bundle's ``unread``
    list say which and why, since such a bundle cannot prove the bucket requirements; 2 on bad input
    (the bundle is still written).
    """
    from gcready.model import DeploymentType, Evidence
    from gcready.pipeline import declare, now_iso, unread_buckets
    from gcready.redact import redact, scrub
    from gcready.sources.bundle import dumps

    evidence = _gather(paths, kinds, buckets, environment, offline, probe_params)
    assert isinstance(evidence, Evidence)
    evidence = declare(evidence, DeploymentType(deployment) if deployment else None)
    for error in evidence.errors:
        _err(f"error: {error}")
    unread = unread_buckets(evidence, offline=offline)
    for label, reason in unread:
        _err(scrub(f"unread: {label}: {reason}"))
    _write(output, scrub(dumps(redact(evidence), now_iso(), unread)))
    if not quiet:
        from gcready.checks.buckets import buckets_in

        total = len(buckets_in(evidence))
        _err(
            f"wrote {output}: {len(evidence.inputs)} input(s), {len(evidence.components)} server "
            f"component(s), {total} bucket(s): settings read for {total - len(unread)}, "
            f"not read for {len(unread)}"
        )
    if evidence.errors:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_UNKNOWN if unread else EXIT_OK)


@main.command()
@click.argument("check_id", required=False)
def explain(check_id: str | None) -> None:
    """What a check looks at, why it matters for garbage collection, and how to fix it.

    Without CHECK_ID, lists every check id with its title.
    """
    from gcready.checks import CATALOG, by_id

    if check_id is None:
        width = max(len(c.meta.id) for c in CATALOG)
        for check in CATALOG:
            click.echo(f"{check.meta.id:<{width}}  {check.meta.title}")
        return
    found = by_id(check_id)
    if found is None:
        _die(f"no check {check_id!r}; known: {', '.join(c.meta.id for c in CATALOG)}")
    meta = found.meta
    lines = [
        f"{meta.id}: {meta.title}",
        f"severity: {meta.severity.value}; requirement: {meta.requirement or '(beyond the requirements table)'}; "
        f"diagnosis tier: {meta.tier.name.lower().replace('_', '-')}",
        "",
        "What it looks at:",
        f"  {meta.description}",
        "",
        "Why it matters for garbage collection:",
        f"  {meta.why}",
    ]
    if meta.examples:
        lines += ["", "Fixes (example names; reports print them with your bucket, endpoint and region):"]
        for fix in meta.examples:
            title = f": {fix.title}" if fix.title else ""
            lines.append(f"  ({fix.kind.value}){title}")
            lines += [f"      {line}" for line in fix.text.splitlines()]
    click.echo("\n".join(lines))


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option(
    "--requirements",
    "requirements_file",
    type=click.Path(path_type=Path),
    help="Print this profile instead of the built-in one.",
)
def requirements(fmt: str, requirements_file: Path | None) -> None:
    """Print the requirements table: which deployment types need the env var and bucket versioning."""
    from gcready.requirements import Requirements, render_requirements

    reqs = _load_requirements(requirements_file)
    assert isinstance(reqs, Requirements)
    click.echo(render_requirements(reqs, fmt), nl=False)


def run() -> None:
    """Entry point with the last line of defence: an internal error is one line and exit 1."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _die("interrupted", 130)
    except Exception as exc:
        _die(f"internal error: {type(exc).__name__}: {exc}", EXIT_INTERNAL)
