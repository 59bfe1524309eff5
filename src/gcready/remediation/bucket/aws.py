"""AWS S3 bucket remedies: versioning, noncurrent-version expiry, Object Lock, MFA delete.

The lifecycle and Object Lock commands are the S3 API's, so :mod:`.s3_compatible` builds on them.
"""

from __future__ import annotations

import json

from gcready.model import JSON, BucketRef, Fix, Origin, Provider
from gcready.remediation.bucket.common import (
    BucketFixes,
    aws_target,
    cli,
    companion,
    console,
    declared_place,
    fix_name,
    key_prefix,
    name_note,
    q,
    s3_endpoint_note,
    terraform,
    tf_edit,
    tf_title,
    tf_where,
)
from gcready.remediation.render.hcl import BLANK, Attr, Block, Comment

RULE_ID = "wandb-expire-noncurrent"
MFA = "arn:aws:iam::ACCOUNT_ID:mfa/root-account-mfa-device MFA_CODE"


_STATUS = Block("versioning_configuration", (), (Attr("status", "Enabled"),))


def versioning_block(bucket: BucketRef, rtype: str = "aws_s3_bucket_versioning") -> Block:
    """``resource "aws_s3_bucket_versioning"`` (or the MinIO provider's twin) with status Enabled."""
    return companion(bucket, rtype, _STATUS)


def versioning_terraform(bucket: BucketRef, declared: Origin | None, rtype: str) -> Fix:
    """The versioning resource to add, or, when one already declares the bucket's versioning (with a
    status that is not ``Enabled``), that resource edited: a second one of the same address would be a
    duplicate declaration."""
    if declared is None:
        return terraform((versioning_block(bucket, rtype),), tf_where(bucket))
    return tf_edit(declared, (_STATUS,), 'set versioning_configuration.status = "Enabled" (case-sensitive)')


def declared_note(declared: Origin | None, title: str = "") -> str:
    """A command's title, saying the Terraform resource that declares the setting must be fixed too."""
    if declared is None:
        return title
    note = (
        f"Terraform declares it in {declared.path} ({declared_place(declared)}): fix that resource too, or "
        "the next terraform plan fails or sets it back"
    )
    return f"{title}; {note}" if title else note


def versioning(bucket: BucketRef, declared: Origin | None = None) -> BucketFixes:
    """Bucket versioning Enabled: the AWS CLI, ``aws_s3_bucket_versioning`` and the S3 console."""
    name = fix_name(bucket)
    return BucketFixes(
        cli=(
            cli(
                f"aws s3api put-bucket-versioning {aws_target(bucket)} --versioning-configuration Status=Enabled",
                declared_note(declared, name_note(bucket)),
            ),
        ),
        terraform=(versioning_terraform(bucket, declared, "aws_s3_bucket_versioning"),),
        console=(console(f"S3 console → Buckets → {name} → Properties → Bucket Versioning → Edit → Enable"),),
    )


def lifecycle_document(bucket: BucketRef, days: int) -> dict[str, JSON]:
    """A complete S3 lifecycle configuration that frees what GC deletes on a versioned bucket."""
    return {
        "Rules": [
            {
                "ID": RULE_ID,
                "Status": "Enabled",
                "Filter": {"Prefix": key_prefix(bucket)},
                "NoncurrentVersionExpiration": {"NoncurrentDays": days},
                "Expiration": {"ExpiredObjectDeleteMarker": True},
            }
        ]
    }


def lifecycle_command(bucket: BucketRef, other_rules: int, days: int) -> BucketFixes:
    """``put-bucket-lifecycle-configuration`` and the AWS provider's resource (any S3 API store)."""
    document = json.dumps(lifecycle_document(bucket, days), separators=(",", ":"))
    replaces = (
        "replaces the bucket's whole lifecycle configuration: it has "
        f"{other_rules} other rule(s); add them to the document first "
        f"(aws s3api get-bucket-lifecycle-configuration {aws_target(bucket)})"
        if other_rules
        else "sets the bucket's lifecycle configuration"
    )
    prefix = key_prefix(bucket)
    rule = Block(
        "rule",
        (),
        (
            Attr("id", RULE_ID),
            Attr("status", "Enabled"),
            BLANK,
            Block("filter", (), (Attr("prefix", prefix),) if prefix else ()),
            BLANK,
            Block("noncurrent_version_expiration", (), (Attr("noncurrent_days", days),)),
            BLANK,
            Block("expiration", (), (Attr("expired_object_delete_marker", True),)),
        ),
    )
    resource = companion(bucket, "aws_s3_bucket_lifecycle_configuration", BLANK, rule, label="wandb")
    return BucketFixes(
        cli=(
            cli(
                f"aws s3api put-bucket-lifecycle-configuration {aws_target(bucket)} "
                f"--lifecycle-configuration {q(document)}",
                name_note(
                    bucket,
                    f"AWS CLI: expire noncurrent versions after {days} days and remove expired delete markers "
                    f"({replaces})",
                ),
            ),
        ),
        terraform=(
            terraform(
                (*s3_endpoint_note(bucket), resource),
                tf_title(
                    bucket,
                    "Terraform, AWS provider (the resource owns the bucket's whole lifecycle configuration)",
                ),
            ),
        ),
    )


def noncurrent_expiry(bucket: BucketRef, other_rules: int, days: int) -> BucketFixes:
    """Expire noncurrent versions and delete markers: the AWS CLI, Terraform and the S3 console."""
    name, prefix = fix_name(bucket), key_prefix(bucket)
    scope = f"prefix {prefix}" if prefix else "all objects"
    s3 = lifecycle_command(bucket, other_rules, days)
    return BucketFixes(
        cli=s3.cli,
        terraform=s3.terraform,
        console=(
            console(
                f"S3 console → Buckets → {name} → Management → Create lifecycle rule → scope: {scope}"
                f" → 'Permanently delete noncurrent versions of objects' after {days} days and "
                "'Delete expired object delete markers'",
            ),
        ),
    )


def object_lock_commands(bucket: BucketRef, compliance: bool) -> BucketFixes:
    """Remove the default retention (and, in GOVERNANCE mode, how to delete a locked version)."""
    clear = cli(
        f"aws s3api put-object-lock-configuration {aws_target(bucket)} "
        f"--object-lock-configuration {q(json.dumps({'ObjectLockEnabled': 'Enabled'}))}",
        name_note(
            bucket,
            "remove the default retention: new versions are no longer locked (Object Lock itself cannot "
            "be turned off; versions already locked stay locked until their retain-until date)",
        ),
    )
    bypass = cli(
        f"aws s3api delete-object {aws_target(bucket)} --key KEY --version-id VERSION_ID "
        "--bypass-governance-retention",
        "GOVERNANCE mode: an identity with s3:BypassGovernanceRetention can delete a locked version "
        "(W&B's collector does not bypass retention)",
    )
    resource = companion(
        bucket,
        "aws_s3_bucket_object_lock_configuration",
        Comment("no rule block: no default retention, new versions are not locked"),
        label="wandb",
    )
    return BucketFixes(
        cli=(clear,) if compliance else (clear, bypass),
        terraform=(terraform((*s3_endpoint_note(bucket), resource), tf_title(bucket, "")),),
    )


def console_fix(bucket: BucketRef, compliance: bool) -> Fix:
    """What the console can do about the lock (nothing, for versions locked in COMPLIANCE mode)."""
    held = (
        "COMPLIANCE mode: no one (not even the root user) can shorten or remove the retention of "
        "versions already locked; they are freed only when it ends. To stop paying for it sooner, "
        "move W&B to a new bucket without Object Lock and migrate the artifacts. "
        if compliance
        else ""
    )
    where = (
        f"S3 console → Buckets → {fix_name(bucket)} → Properties → Object Lock → Edit → Default retention: Disable"
        if bucket.provider is Provider.AWS
        else "Remove the bucket's default retention in the store's console."
    )
    return console(held + where)


def object_lock(bucket: BucketRef, mode: str | None) -> BucketFixes:
    """Stop locking new versions; what the console can do depends on the mode."""
    compliance = (mode or "").upper() == "COMPLIANCE"
    s3 = object_lock_commands(bucket, compliance)
    return BucketFixes(cli=s3.cli, terraform=s3.terraform, console=(console_fix(bucket, compliance),))


def mfa_delete(bucket: BucketRef) -> BucketFixes:
    """Turn MFA delete off (only the bucket owner's root user, with its MFA device, can)."""
    resource = companion(
        bucket,
        "aws_s3_bucket_versioning",
        Attr("mfa", MFA),
        BLANK,
        Block("versioning_configuration", (), (Attr("status", "Enabled"), Attr("mfa_delete", "Disabled"))),
        label="wandb",
    )
    return BucketFixes(
        cli=(
            cli(
                f"aws s3api put-bucket-versioning {aws_target(bucket)} "
                f"--versioning-configuration Status=Enabled,MFADelete=Disabled --mfa {q(MFA)}",
                name_note(
                    bucket,
                    "as the bucket owner's root user, with its MFA device serial and a current code "
                    "(keeps versioning on)",
                ),
            ),
        ),
        terraform=(
            terraform((resource,), tf_title(bucket, "Terraform, applied with the root user's credentials")),
        ),
        console=(
            console(
                "MFA delete cannot be changed in the S3 console: run the CLI command above as the root user."
            ),
        ),
    )
