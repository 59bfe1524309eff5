"""Reports as an audit of real-looking inputs would produce them, built by hand.

The shapes follow what W&B's operator CR, Helm chart and Terraform modules produce (see DOMAIN.md): an
AWS customer-managed install whose operator CR sets the flag to ``yes`` (not a Go bool) and whose bucket
was created by terraform-aws-wandb without versioning.
"""

from __future__ import annotations

import pytest

from gcready.checks import RULES
from gcready.model import (
    Deployment,
    DeploymentType,
    Fact,
    Finding,
    Fix,
    FixKind,
    InputError,
    InputFile,
    Note,
    Origin,
    Report,
    RequirementView,
    Severity,
    SourceKind,
    Status,
)

CMC = DeploymentType.CUSTOMER_MANAGED_CLOUD
ONPREM = DeploymentType.CUSTOMER_MANAGED_ONPREM

CMC_ROW = RequirementView(CMC, "Customer-managed cloud", env_var=True, versioning=True)
ONPREM_ROW = RequirementView(ONPREM, "Customer-managed on-prem", env_var=True, versioning=True)

HELM_FIX = 'spec:\n  values:\n    global:\n      extraEnv:\n        GORILLA_ARTIFACT_GC_ENABLED: "true"'
TF_ENV_FIX = 'other_wandb_env = {\n  GORILLA_ARTIFACT_GC_ENABLED = "true"\n}'
S3_CLI_FIX = (
    "aws s3api put-bucket-versioning --bucket acme-wandb-artifacts --versioning-configuration Status=Enabled"
)
S3_TF_FIX = (
    'resource "aws_s3_bucket_versioning" "wandb" {\n'
    "  bucket = aws_s3_bucket.file_storage.id\n"
    "  versioning_configuration {\n"
    '    status = "Enabled"\n'
    "  }\n"
    "}"
)
MINIO_LIFECYCLE_FIX = "mc ilm rule add --noncurrent-expire-days 30 onprem/wandb"

FAILING_FIXES = (HELM_FIX, TF_ENV_FIX, S3_CLI_FIX, S3_TF_FIX)

CR = "wandb-cr.yaml"
VALUES = "values.yaml"


def _deployment_finding(row: RequirementView, origin: Origin) -> Finding:
    return Finding(
        check="deployment-type",
        status=Status.PASS,
        severity=Severity.INFO,
        title=f"Deployment type: {row.label}",
        detail="The server configuration is among the inputs and names a cloud provider.",
        resource="deployment",
        evidence=(Fact("global.cloudProvider", "aws", origin),),
    )


@pytest.fixture
def failing_report() -> Report:
    """Customer-managed on AWS: the flag reads "yes", one bucket unversioned, one unreadable."""
    provider_origin = Origin(CR, 14, "spec.values.global.cloudProvider")
    flag_origin = Origin(CR, 27, "spec.values.global.extraEnv.GORILLA_ARTIFACT_GC_ENABLED")
    findings = (
        _deployment_finding(CMC_ROW, provider_origin),
        Finding(
            check="gc-env-flag",
            status=Status.FAIL,
            severity=Severity.HIGH,
            title="GORILLA_ARTIFACT_GC_ENABLED is not true on the app server",
            detail=(
                'The value is "yes". The W&B server parses it with Go\'s strconv.ParseBool, which does not '
                'accept "yes": garbage collection stays off.'
            ),
            resource="app (helm component)",
            requirement="env_var",
            evidence=(Fact("GORILLA_ARTIFACT_GC_ENABLED", "yes", flag_origin),),
            fixes=(
                Fix(FixKind.HELM, HELM_FIX, "Set the flag in the operator CR"),
                Fix(FixKind.TERRAFORM, TF_ENV_FIX, "Or in the terraform-aws-wandb module"),
            ),
        ),
        Finding(
            check="bucket-versioning",
            status=Status.FAIL,
            severity=Severity.HIGH,
            title="S3 bucket versioning is off",
            detail="GetBucketVersioning returned no Status: the bucket has never been versioned.",
            resource="s3://acme-wandb-artifacts",
            requirement="versioning",
            evidence=(
                Fact("bucket", "s3://acme-wandb-artifacts", Origin(CR, 31, "spec.values.global.bucket.name")),
                Fact("versioning", "disabled", Origin("live:s3", None, "GetBucketVersioning")),
            ),
            fixes=(
                Fix(FixKind.CLI, S3_CLI_FIX, "Enable versioning"),
                Fix(FixKind.TERRAFORM, S3_TF_FIX, "Or in Terraform"),
            ),
        ),
        Finding(
            check="bucket-versioning",
            status=Status.UNKNOWN,
            severity=Severity.HIGH,
            title="Could not read the versioning of s3://acme-wandb-backups",
            detail="AccessDenied (403) from GetBucketVersioning.",
            resource="s3://acme-wandb-backups",
            requirement="versioning",
            evidence=(
                Fact("bucket", "s3://acme-wandb-backups", Origin(".env", 4)),
                Fact("versioning", "denied", Origin("live:s3", None, "GetBucketVersioning")),
            ),
            needs=(
                "s3:GetBucketVersioning on arn:aws:s3:::acme-wandb-backups, "
                "or a bundle from someone who has it"
            ),
        ),
        Finding(
            check="ssc-provider",
            status=Status.SKIP,
            severity=Severity.INFO,
            title="Secure storage connector: not applicable",
            detail="The connector exists only on shared and dedicated cloud.",
            resource="deployment",
        ),
    )
    return Report(
        tool_version="0.1.0",
        rules=RULES,  # as the pipeline fills it from the check catalog
        generated_at="2025-03-14T09:26:53Z",
        command="audit",
        offline=False,
        requirements_version="2024.seed.1",
        requirements_origin="built-in",
        deployment=Deployment(
            type=CMC,
            candidates=frozenset({CMC}),
            decided_by="evidence",
            evidence=(
                Fact("server configuration", "WeightsAndBiases custom resource", Origin(CR, 1)),
                Fact("global.cloudProvider", "aws", provider_origin),
                Fact("WANDB_BASE_URL", "https://api.wandb.ai", Origin(".env", 2)),
            ),
            conflicts=(
                ".env:2 WANDB_BASE_URL points at shared cloud (https://api.wandb.ai), but wandb-cr.yaml "
                "describes a self-managed server; the server configuration wins",
            ),
        ),
        applicable=(CMC_ROW,),
        findings=findings,
        inputs=(InputFile(CR, SourceKind.WANDB_CR), InputFile(".env", SourceKind.DOTENV)),
        notes=(
            Note(
                'The operator chart\'s glue.yaml hard-codes GORILLA_GLUE_ARTIFACT_GC_ENABLED: "false"; '
                "its relation to the main flag is unconfirmed.",
                Origin("operator-wandb chart", None, "charts/glue/values.yaml"),
            ),
        ),
    )


@pytest.fixture
def passing_report() -> Report:
    """Customer-managed on-prem with MinIO: both requirements met, one warning about noncurrent versions."""
    flag_origin = Origin(VALUES, 8, "global.extraEnv.GORILLA_ARTIFACT_GC_ENABLED")
    findings = (
        Finding(
            check="deployment-type",
            status=Status.PASS,
            severity=Severity.INFO,
            title="Deployment type: Customer-managed on-prem",
            detail="GORILLA_ONPREM is true and the bucket is S3-compatible.",
            resource="deployment",
            evidence=(Fact("GORILLA_ONPREM", "true", Origin(VALUES, 9, "global.extraEnv.GORILLA_ONPREM")),),
        ),
        Finding(
            check="gc-env-flag",
            status=Status.PASS,
            severity=Severity.HIGH,
            title="GORILLA_ARTIFACT_GC_ENABLED is true on the app server",
            detail="",
            resource="app (helm component)",
            requirement="env_var",
            evidence=(Fact("GORILLA_ARTIFACT_GC_ENABLED", "true", flag_origin),),
        ),
        Finding(
            check="bucket-versioning",
            status=Status.PASS,
            severity=Severity.HIGH,
            title="Bucket versioning is enabled",
            detail="",
            resource="s3://minio.acme.lan:9000/wandb",
            requirement="versioning",
            evidence=(
                Fact("versioning", "enabled", Origin("live:s3-compatible", None, "GetBucketVersioning")),
            ),
        ),
        Finding(
            check="noncurrent-expiry",
            status=Status.WARN,
            severity=Severity.MEDIUM,
            title="No lifecycle rule expires noncurrent versions",
            detail="With versioning on, deleted files stay as noncurrent versions until a rule expires them.",
            resource="s3://minio.acme.lan:9000/wandb",
            fixes=(Fix(FixKind.CLI, MINIO_LIFECYCLE_FIX, "Expire noncurrent versions after 30 days"),),
        ),
    )
    return Report(
        tool_version="0.1.0",
        rules=RULES,  # as the pipeline fills it from the check catalog
        generated_at="2025-03-14T09:30:00Z",
        command="audit",
        offline=False,
        requirements_version="2024.seed.1",
        requirements_origin="built-in",
        deployment=Deployment(
            type=ONPREM,
            candidates=frozenset({ONPREM}),
            decided_by="evidence",
            evidence=(Fact("GORILLA_ONPREM", "true", Origin(VALUES, 9, "global.extraEnv.GORILLA_ONPREM")),),
        ),
        applicable=(ONPREM_ROW,),
        findings=findings,
        inputs=(InputFile(VALUES, SourceKind.HELM_VALUES),),
    )


@pytest.fixture
def input_error_report() -> Report:
    """A Helm values file that does not parse: the type stays undecided and the verdict is error."""
    return Report(
        tool_version="0.1.0",
        rules=RULES,  # as the pipeline fills it from the check catalog
        generated_at="2025-03-14T09:31:12+00:00",
        command="audit",
        offline=True,
        requirements_version="2024.seed.1",
        requirements_origin="profiles/later-docs.toml",
        deployment=Deployment(type=None, candidates=frozenset({CMC, ONPREM}), decided_by="undecided"),
        applicable=(CMC_ROW, ONPREM_ROW),
        findings=(
            Finding(
                check="deployment-type",
                status=Status.UNKNOWN,
                severity=Severity.HIGH,
                title="The deployment type is not decided",
                detail="Either customer-managed type is possible.",
                resource="deployment",
                needs="global.cloudProvider in the Helm values, or --deployment",
            ),
        ),
        inputs=(InputFile(VALUES, SourceKind.HELM_VALUES),),
        errors=(InputError(VALUES, "not valid YAML: mapping values are not allowed here", 14),),
    )


@pytest.fixture(params=["failing_report", "passing_report", "input_error_report"])
def any_report(request: pytest.FixtureRequest) -> Report:
    report: Report = request.getfixturevalue(request.param)
    return report
