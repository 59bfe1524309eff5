"""Remedies for an S3-compatible store of the customer's own (MinIO, SeaweedFS, Ceph…) and CoreWeave.

The MinIO client (``mc``) first, then the S3 API command any such store takes, then Terraform
(the MinIO provider's resources, and the AWS provider pointed at the store).
"""

from __future__ import annotations

from gcready.model import BucketRef, Origin
from gcready.remediation.bucket import aws
from gcready.remediation.bucket.common import (
    BucketFixes,
    cli,
    companion,
    endpoint_url,
    fix_name,
    key_prefix,
    mc_alias,
    name_note,
    q,
    terraform,
    tf_title,
)
from gcready.remediation.render.hcl import BLANK, Attr, Block


def versioning(bucket: BucketRef, declared: Origin | None = None) -> BucketFixes:
    """Bucket versioning with the MinIO client, the S3 API, and the MinIO Terraform provider."""
    name, url = fix_name(bucket), endpoint_url(bucket) or "https://ENDPOINT"
    return BucketFixes(
        cli=(
            cli(
                f"mc alias set wandb {q(url)} ACCESS_KEY SECRET_KEY\nmc version enable {q(f'wandb/{name}')}",
                aws.declared_note(declared, name_note(bucket, "MinIO client")),
            ),
            cli(
                f"aws s3api put-bucket-versioning --bucket {q(name)} --endpoint-url {q(url)} "
                "--versioning-configuration Status=Enabled",
                aws.declared_note(declared, name_note(bucket, "any S3-compatible store")),
            ),
        ),
        terraform=(aws.versioning_terraform(bucket, declared, "minio_s3_bucket_versioning"),),
    )


def noncurrent_expiry(bucket: BucketRef, other_rules: int, days: int) -> BucketFixes:
    """Lifecycle rules freeing noncurrent versions: mc ilm, the S3 API, and both Terraform providers."""
    target, prefix = q(f"wandb/{fix_name(bucket)}"), key_prefix(bucket)
    prefix_flag = f" --prefix {q(prefix)}" if prefix else ""
    s3 = aws.lifecycle_command(bucket, other_rules, days)
    rule = Block(
        "rule",
        (),
        (
            Attr("id", aws.RULE_ID),
            *((Attr("filter", prefix),) if prefix else ()),
            Attr("noncurrent_version_expiration_days", days),
        ),
    )
    policy = companion(bucket, "minio_ilm_policy", BLANK, rule, label="wandb")
    return BucketFixes(
        cli=(
            *s3.cli,
            cli(
                f"{mc_alias(bucket)}\n"
                f"mc ilm rule add{prefix_flag} --noncurrent-expire-days {days} {target}\n"
                f"mc ilm rule add{prefix_flag} --expire-delete-marker {target}",
                "MinIO client (adds rules, keeps the existing ones)",
            ),
        ),
        terraform=(
            terraform((policy,), tf_title(bucket, "Terraform, MinIO provider (aminueza/minio)")),
            *s3.terraform,
        ),
    )


def object_lock(bucket: BucketRef, mode: str | None) -> BucketFixes:
    """Clear the default retention with the MinIO client, then as on S3."""
    compliance = (mode or "").upper() == "COMPLIANCE"
    s3 = aws.object_lock_commands(bucket, compliance)
    clear = cli(
        f"{mc_alias(bucket)}\nmc retention clear --default {q(f'wandb/{fix_name(bucket)}')}",
        "MinIO client: remove the bucket's default retention (versions already locked stay locked)",
    )
    return BucketFixes(
        cli=(clear, *s3.cli),
        terraform=s3.terraform,
        console=(aws.console_fix(bucket, compliance),),
    )
