"""The command line's options: click decorators shared by the commands, and the parsers that turn
option text into typed values. Choices come from the enums, so every kind, type and format is offered."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gcready.cli.output import die
from gcready.model import DeploymentType, SourceKind
from gcready.report import Format

if TYPE_CHECKING:
    pass

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
  1  internal error
"""


def parse_kinds(values: Sequence[str]) -> tuple[dict[str, SourceKind], SourceKind | None]:
    from gcready.model import SourceKind

    kinds: dict[str, SourceKind] = {}
    default: SourceKind | None = None
    names = ", ".join(k.value for k in SourceKind)
    for value in values:
        path, sep, kind = value.rpartition("=") if "=" in value else ("", "", value)
        try:
            parsed = SourceKind(kind)
        except ValueError:
            die(f"--kind {value}: unknown kind {kind!r} (one of: {names})")
        if sep:
            kinds[path] = parsed
        else:
            default = parsed
    return kinds, default


def audit_options(func: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=str)),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            metavar="[PATH=]KIND",
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
            metavar="BUCKET:KEY=VALUE",
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
            die(f"--bucket-option {raw}: expected BUCKET:KEY=VALUE with KEY one of {', '.join(keys)}")
        field = keys[key]
        parsed: object = value
        if field in ("path_style", "verify_tls"):
            if value.lower() not in ("true", "false"):
                die(f"--bucket-option {raw}: {key} must be true or false")
            parsed = value.lower() == "true"
        per_bucket.setdefault(bucket, {})[field] = parsed
    for bucket, fields in per_bucket.items():
        options = options.with_override(bucket, BucketOverride(**fields))  # type: ignore[arg-type]
    return options


def server_manifest_kind() -> SourceKind:
    from gcready.model import SourceKind

    return SourceKind.SERVER_MANIFEST


def parse_dialects(values: Sequence[str]) -> tuple[dict[str, object], object]:
    from gcready.sources.envfile import Dialect

    by_path: dict[str, object] = {}
    default: object = None
    for value in values:
        path, sep, name = value.rpartition("=") if "=" in value else ("", "", value)
        try:
            parsed = Dialect(name)
        except ValueError:
            die(f"--env-file-dialect {value}: unknown dialect {name!r} (one of: docker, compose, systemd)")
        if sep:
            by_path[path] = parsed
        else:
            default = parsed
    return by_path, default
