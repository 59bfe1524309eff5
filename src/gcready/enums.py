"""The closed sets the command line offers by name: deployment types, evidence kinds, output formats and
exit codes.

Only the standard library's ``enum``: ``gcready --help`` builds its option choices from these without
importing the model or the report formats. :mod:`gcready.model` and :mod:`gcready.report` re-export them,
so every other module keeps importing them from there.
"""

from __future__ import annotations

import enum


class DeploymentType(enum.StrEnum):
    """The six ways W&B is hosted, as the requirements table names them."""

    SHARED_CLOUD = "shared-cloud"
    SHARED_CLOUD_SSC = "shared-cloud-ssc"
    DEDICATED_CLOUD = "dedicated-cloud"
    DEDICATED_CLOUD_SSC = "dedicated-cloud-ssc"
    CUSTOMER_MANAGED_CLOUD = "customer-managed-cloud"
    CUSTOMER_MANAGED_ONPREM = "customer-managed-onprem"


class SourceKind(enum.StrEnum):
    """Kinds of evidence file gcready reads; ``--kind`` names them."""

    DOTENV = "dotenv"
    KUBERNETES = "kubernetes"
    WANDB_CR = "wandb-cr"
    HELM_VALUES = "helm-values"
    BUNDLE = "bundle"
    TERRAFORM = "terraform"  # HCL (*.tf, *.tfvars) or `terraform show -json` plan/state
    COMPOSE = "compose"  # docker-compose files
    HELM_LEGACY = "helm-legacy"  # values of the legacy `wandb` chart
    SERVER_MANIFEST = "server-manifest"  # W&B's server manifest (what operator v2 deploys)


class ExitCode(enum.IntEnum):
    """The command line's exit codes (the EPILOG of ``gcready --help`` lists them)."""

    OK = 0  # every applicable requirement passes
    INTERNAL = 1  # internal error
    INPUT = 2  # bad input or usage
    FAIL = 3  # a requirement fails
    WARN = 4  # warnings present and --fail-on warn
    UNKNOWN = 5  # no fail, but something could not be seen
    INTERRUPTED = 130  # Ctrl-C


class Format(enum.StrEnum):
    """Output formats, as ``--format`` names them (a ``str``: ``str(Format.JSON) == "json"``)."""

    TEXT = "text"
    JSON = "json"
    HTML = "html"
    SARIF = "sarif"  # SARIF 2.1.0, for code-scanning dashboards
    JUNIT = "junit"  # JUnit XML, for CI test reports
    OPENMETRICS = "openmetrics"  # Prometheus text format, for node_exporter's textfile collector
