"""The command line's options: click decorators shared by the commands. Choices come from the enums,
so every kind, type and format is offered; the typed values they give are in :mod:`gcready.cli.param_types`
and the argument objects built from them in :mod:`gcready.cli.args`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from gcready.cli.args import FailOn, ProbeArgs, shorthand_dest
from gcready.cli.param_types import (
    DIALECT,
    KIND,
    BucketKey,
    BucketOptionType,
    EnumChoice,
    ExtraOutputType,
    PathList,
)
from gcready.enums import DeploymentType, Format, SourceKind


def stacked(options: Sequence[Callable[[FC], FC]], func: FC) -> FC:
    """``func`` decorated with ``options`` as a stack written in that order (the first one on top)."""
    for option in reversed(options):
        func = option(func)
    return func


# A click option or argument decorator, or a function that applies several (click's own types are loose).
Decorator = Callable[[Any], Any]


@dataclass(frozen=True)
class OptionGroup:
    """A group of click options that decorates a command as one stack (the first one on top)."""

    options: tuple[Decorator, ...]

    def __call__(self, func: FC) -> FC:
        return stacked(self.options, func)


def option_group(*options: Decorator) -> OptionGroup:
    """The decorator that applies ``options`` in the order written, as ``--help`` lists them."""
    return OptionGroup(options)


# ``-q``: the same flag for every command that writes a summary line.
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")


def path_option(
    *decls: str, help: str, metavar: str | None = None, required: bool = False, **checks: bool
) -> Decorator:
    """An option that names a file or a folder, given to the command as text; ``checks`` are
    :class:`click.Path`'s (``exists``, ``dir_okay``, ``file_okay``)."""
    return click.option(
        *decls, metavar=metavar, type=click.Path(path_type=str, **checks), required=required, help=help
    )


def output_option(help: str, *, required: bool = False) -> Decorator:
    """``-o FILE`` / ``--output FILE``: where a command writes what it would print."""
    return path_option("-o", "--output", required=required, help=help)


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


# What each format's shorthand option says it writes; a format without an entry is "a FORMAT report".
_FORMAT_WORDS: dict[Format, str] = {
    Format.TEXT: "a text report",
    Format.JSON: "a JSON report",
    Format.HTML: "an HTML report",
    Format.SARIF: "a SARIF 2.1.0 report (code-scanning dashboards)",
    Format.JUNIT: "a JUnit XML report (CI test reports)",
    Format.OPENMETRICS: "Prometheus metrics (node_exporter's textfile collector)",
}


def format_shorthands(func: click.decorators.FC) -> click.decorators.FC:
    """``--json FILE``, ``--html FILE``…: one ``--also FORMAT=FILE`` shorthand per format of the enum."""
    for fmt in reversed(Format):
        words = _FORMAT_WORDS.get(fmt, f"a {fmt.value} report")
        func = path_option(
            f"--{fmt.value}",
            shorthand_dest(fmt),
            metavar="FILE",
            help=f"Also write {words} to FILE (--also {fmt.value}=FILE).",
        )(func)
    return func


audit_options = option_group(
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
        type=PathList(path_type=str),
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
        "--var-file",
        "var_files",
        multiple=True,
        metavar="FILE",
        type=PathList(path_type=str, exists=True, dir_okay=False),
        help="A .tfvars file terraform plan is given with -var-file: applied after the root's "
        "terraform.tfvars and *.auto.tfvars, in the order given. With one, a .tfvars that no "
        "--var-file names is not applied. Repeatable.",
    ),
    click.option(
        "--deployment",
        type=EnumChoice(DeploymentType),
        help="State the deployment type; wins over the evidence (a disagreement is reported).",
    ),
    click.option(
        "--bucket",
        "buckets",
        multiple=True,
        metavar="URL",
        help="A bucket no configuration mentions, as a W&B bucket URL (s3://, gs://, az://, cw://). Repeatable.",
    ),
    path_option(
        "--chart",
        exists=True,
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
)


def probe_limit(name: str, kind: click.FloatRange | click.IntRange, default: float, help: str) -> Decorator:
    """A number that bounds the probes; its default is :class:`ProbeArgs`'s, shown in ``--help``."""
    return click.option(name, type=kind, default=default, show_default=True, help=help)


probe_options = option_group(
    probe_limit(
        "--timeout",
        click.FloatRange(min=0.1),
        ProbeArgs.timeout,
        "Seconds each storage call may take, start to finish (connect and the whole answer, however "
        "slowly it comes). One bucket's probe is cut off after --timeout × (--retries + 1) in all; "
        "what it had not read by then is unknown (timed out).",
    ),
    probe_limit(
        "--retries",
        click.IntRange(min=0),
        ProbeArgs.retries,
        "Extra attempts for throttled or 5xx calls, with backoff.",
    ),
    probe_limit(
        "--concurrency", click.IntRange(min=1), ProbeArgs.concurrency, "Buckets probed at the same time."
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
    path_option("--ca-bundle", dir_okay=False, help="CA bundle for TLS to storage endpoints."),
    click.option(
        "--no-verify-tls", is_flag=True, help="Do not verify TLS certificates of storage endpoints."
    ),
    click.option(
        "--azure-subscription",
        envvar="AZURE_SUBSCRIPTION_ID",
        help="With --azure-resource-group: also read Azure management-plane settings (blob versioning, "
        "container soft delete, lifecycle policies); needs gcready[azure-mgmt].",
    ),
    click.option("--azure-resource-group", metavar="RG", help="Resource group of the storage account(s)."),
    click.option(
        "--bucket-option",
        "bucket_options",
        multiple=True,
        type=BucketOptionType(),
        help=f"Per-bucket {', '.join(k.value for k in BucketKey)}; BUCKET is the name, "
        "account/container, or the label shown in reports. Repeatable.",
    ),
)


report_options = option_group(
    click.option(
        "--format",
        "fmt",
        type=EnumChoice(Format),
        default="text",
        show_default=True,
        help="Format written to stdout (or --output).",
    ),
    output_option("Write the --format report to this file instead of stdout."),
    click.option(
        "--also",
        multiple=True,
        type=ExtraOutputType(),
        help=f"Also write the report in FORMAT ({', '.join(FORMATS)}) to FILE. Repeatable.",
    ),
    format_shorthands,
    click.option(
        "--fail-on",
        type=EnumChoice(FailOn),
        default="fail",
        show_default=True,
        help="With warn, warnings exit 4.",
    ),
    click.option(
        "--color/--no-color",
        default=None,
        help="Colour the text report (default: on a terminal, unless NO_COLOR is set).",
    ),
    quiet_option,
    click.option(
        "-v",
        "--verbose",
        is_flag=True,
        help="Text report in full: every finding with all its evidence and fixes, skips and notes "
        "(default: what needs attention first, passes one line each, skips summed up).",
    ),
)


bundle_options = option_group(
    output_option("Bundle file to write (JSON).", required=True),
    quiet_option,
)
