"""The command line's options: click decorators shared by the commands, and the parsers that turn
option text into typed values. Choices come from the enums, so every kind, type and format is offered."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import click

from gcready.model import DeploymentType, SourceKind
from gcready.report import Format

if TYPE_CHECKING:
    from gcready.sources.envfile import Dialect

DEPLOYMENT_IDS = tuple(t.value for t in DeploymentType)
SOURCE_KINDS = tuple(k.value for k in SourceKind)
FORMATS = tuple(f.value for f in Format)

EPILOG = """\b
Exit codes:
  0  every applicable requirement passes
  3  a requirement fails
  5  no fail, but something could not be seen (unknown)
  4  warnings present and --fail-on warn
  2  bad input or usage (one line per problem on stderr)
  1  internal error; or --pushgateway failed on a run that would exit 0
"""


E = TypeVar("E", bound=enum.StrEnum)


# click.ParamType is generic only from click 8.4 (click>=8.1 is supported): not subscripted here
class ScopedChoice(click.ParamType, Generic[E]):  # type: ignore[type-arg]
    """``[PATH=]VALUE`` with VALUE a member of an enum: ``(PATH or None, member)``.

    The enum is loaded on first use, so ``gcready --help`` does not import the readers that define it.
    """

    def __init__(self, load: Callable[[], type[E]], metavar: str, what: str) -> None:
        self.load = load
        self.name = metavar
        self.what = what

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str | None, E]:
        if isinstance(value, tuple):
            return value  # already converted (a default, or click converting twice)
        text = str(value)
        path, sep, name = text.rpartition("=") if "=" in text else ("", "", text)
        members = self.load()
        try:
            member = members(name)
        except ValueError:
            names = ", ".join(m.value for m in members)
            self.fail(f"{text}: unknown {self.what} {name!r} (one of: {names})", param, ctx)
        return (path if sep else None, member)


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

# --bucket-option KEY: the BucketOverride field it sets, and whether its value is true/false
BUCKET_OPTION_KEYS: dict[str, tuple[str, bool]] = {
    "endpoint-url": ("endpoint_url", False),
    "region": ("region", False),
    "path-style": ("path_style", True),
    "ca-bundle": ("ca_bundle", False),
    "verify-tls": ("verify_tls", True),
}


@dataclass(frozen=True)
class BucketOption:
    """One ``--bucket-option BUCKET:KEY=VALUE``, parsed: the bucket, the override field, its value."""

    bucket: str
    field: str
    value: str | bool


class BucketOptionType(click.ParamType):  # type: ignore[type-arg]
    name = "BUCKET:KEY=VALUE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> BucketOption:
        if isinstance(value, BucketOption):
            return value
        text = str(value)
        # BUCKET may hold colons (az://…, s3://host:port/…) and so may the value (a URL): split at ":KEY="
        cut = max(text.rfind(f":{k}=") for k in BUCKET_OPTION_KEYS)
        if cut <= 0:
            self.fail(
                f"{text}: expected BUCKET:KEY=VALUE with KEY one of {', '.join(BUCKET_OPTION_KEYS)}",
                param,
                ctx,
            )
        key, _, setting = text[cut + 1 :].partition("=")
        field, boolean = BUCKET_OPTION_KEYS[key]
        if not boolean:
            return BucketOption(text[:cut], field, setting)
        if setting.lower() not in ("true", "false"):
            self.fail(f"{text}: {key} must be true or false, not {setting!r}", param, ctx)
        return BucketOption(text[:cut], field, setting.lower() == "true")


def audit_options(func: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=str)),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=KIND,
            help="Say what a file is when the guess from its content is wrong: "
            f"{', '.join(SOURCE_KINDS)}. Without PATH= it applies to every file named.",
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
            type=DIALECT,
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


def probe_options(func: click.decorators.FC) -> click.decorators.FC:
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
            type=BucketOptionType(),
            help="Per-bucket endpoint-url, region, path-style, ca-bundle or verify-tls; BUCKET is the name, "
            "account/container, or the label shown in reports. Repeatable.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def report_options(func: click.decorators.FC) -> click.decorators.FC:
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


def build_probe_options(params: dict[str, object]) -> object:
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
    per_bucket: dict[str, dict[str, object]] = {}
    for option in params["bucket_options"]:  # type: ignore[attr-defined]
        assert isinstance(option, BucketOption)
        per_bucket.setdefault(option.bucket, {})[option.field] = option.value
    for bucket, fields in per_bucket.items():
        options = options.with_override(bucket, BucketOverride(**fields))  # type: ignore[arg-type]
    return options


def server_manifest_kind() -> SourceKind:
    from gcready.model import SourceKind

    return SourceKind.SERVER_MANIFEST
