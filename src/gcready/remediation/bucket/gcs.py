"""Google Cloud Storage bucket remedies: object versioning, noncurrent deletes, retention, soft delete."""

from __future__ import annotations

import json

from gcready.model import JSON, BucketRef
from gcready.remediation.bucket.common import (
    BucketFixes,
    cli,
    console,
    fix_name,
    gcloud,
    key_prefix,
    name_note,
    q,
    terraform,
    tf_inside,
)
from gcready.remediation.render.hcl import BLANK, Attr, Block, Comment, Item

VERSIONING = Block("versioning", (), (Attr("enabled", True),))


def _url(bucket: BucketRef, name: str | None = None) -> str:
    return q(f"gs://{name or fix_name(bucket)}")


def versioning(bucket: BucketRef) -> BucketFixes:
    """Object versioning on the bucket (inside its Terraform resource)."""
    name = fix_name(bucket)
    return BucketFixes(
        cli=(cli(f"{gcloud(bucket)} storage buckets update {_url(bucket)} --versioning", name_note(bucket)),),
        terraform=(tf_inside(bucket, "google_storage_bucket", (VERSIONING,), name),),
        console=(console(f"Cloud Storage → Buckets → {name} → Protection → Object versioning → On"),),
    )


def lifecycle_document(bucket: BucketRef, days: int) -> dict[str, JSON]:
    """A GCS lifecycle configuration deleting versions ``days`` after they become noncurrent."""
    condition: dict[str, JSON] = {"isLive": False, "daysSinceNoncurrentTime": days}
    prefix = key_prefix(bucket)
    if prefix:
        condition["matchesPrefix"] = [prefix]
    return {"rule": [{"action": {"type": "Delete"}, "condition": condition}]}


def noncurrent_expiry(bucket: BucketRef, other_rules: int, days: int) -> BucketFixes:
    """A lifecycle rule deleting noncurrent versions (replacing the bucket's lifecycle, as gcloud does)."""
    name = fix_name(bucket)
    document = json.dumps(lifecycle_document(bucket, days), indent=2)
    replaces = (
        f"replaces the bucket's lifecycle configuration: it has {other_rules} other rule(s); add them to "
        f"lifecycle.json first ({gcloud(bucket)} storage buckets describe {_url(bucket)} "
        "--format='json(lifecycle_config)')"
        if other_rules
        else "sets the bucket's lifecycle configuration"
    )
    prefix = key_prefix(bucket)
    rule = Block(
        "lifecycle_rule",
        (),
        (
            Block(
                "condition",
                (),
                (
                    Attr("days_since_noncurrent_time", days),
                    Attr("with_state", "ARCHIVED"),
                    *((Attr("matches_prefix", [prefix]),) if prefix else ()),
                ),
            ),
            Block("action", (), (Attr("type", "Delete"),)),
        ),
    )
    if bucket.tf_address:
        tf = tf_inside(bucket, "google_storage_bucket", (rule,), name)
    else:
        location: tuple[Item, ...] = (Attr("location", bucket.region.upper()),) if bucket.region else ()
        body = (Attr("name", name), *location, Comment("..."), BLANK, VERSIONING, BLANK, rule)
        tf = terraform((Block("resource", ("google_storage_bucket", "wandb"), body),))
    return BucketFixes(
        cli=(
            cli(
                f"cat > lifecycle.json <<'EOF'\n{document}\nEOF\n"
                f"{gcloud(bucket)} storage buckets update {_url(bucket)} --lifecycle-file=lifecycle.json",
                name_note(
                    bucket,
                    f"gcloud: delete noncurrent versions {days} days after they become noncurrent ({replaces})",
                ),
            ),
        ),
        terraform=(tf,),
        console=(
            console(
                f"Cloud Storage → Buckets → {name} → Lifecycle → Add a rule → Delete object → "
                f"'Days since object became noncurrent': {days}",
            ),
        ),
    )


def retention(bucket: BucketRef, locked: bool) -> BucketFixes:
    """Remove an unlocked retention policy; a locked one stays: move W&B to a new bucket."""
    name = fix_name(bucket)
    if not locked:
        drop = Comment("delete its retention_policy { ... } block")
        tf = (
            tf_inside(bucket, "google_storage_bucket", (drop,), name)
            if bucket.tf_address and not bucket.tf_published
            else terraform(
                (
                    Block(
                        "resource",
                        ("google_storage_bucket", "wandb"),
                        (
                            Attr("name", name),
                            Comment("..."),
                            Comment("delete the retention_policy { ... } block"),
                            BLANK,
                            VERSIONING,
                        ),
                    ),
                )
            )
        )
        return BucketFixes(
            cli=(
                cli(
                    f"{gcloud(bucket)} storage buckets update {_url(bucket)} --clear-retention-period",
                    "remove the (unlocked) retention policy",
                ),
            ),
            terraform=(tf,),
            console=(
                console(f"Cloud Storage → Buckets → {name} → Protection → Bucket retention policy → Delete"),
            ),
        )
    new = f"{name}-v2"
    location = f" --location={q(bucket.region.upper())}" if bucket.region else " --location=LOCATION"
    replacement = Block(
        "resource",
        ("google_storage_bucket", "wandb_v2"),
        (
            Attr("name", new),
            Attr("location", bucket.region.upper() if bucket.region else "LOCATION"),
            BLANK,
            Attr("uniform_bucket_level_access", True),
            BLANK,
            VERSIONING,
            BLANK,
            Block("soft_delete_policy", (), (Attr("retention_duration_seconds", 604800),)),
            Comment("no retention_policy block"),
        ),
    )
    return BucketFixes(
        cli=(
            cli(
                f"{gcloud(bucket)} storage buckets create {_url(bucket, new)}{location} --uniform-bucket-level-access\n"
                f"{gcloud(bucket)} storage buckets update {_url(bucket, new)} --versioning --soft-delete-duration=7d",
                "a locked retention policy can be neither removed nor shortened: create a new bucket without "
                "one, then point W&B at it and migrate the artifacts",
            ),
        ),
        terraform=(terraform((replacement,)),),
        console=(
            console(
                f"The retention policy of {name} is locked: it cannot be removed. Objects become deletable "
                "once they are older than the retention period.",
            ),
        ),
    )


def soft_delete(bucket: BucketRef, days: int) -> BucketFixes:
    """Shorten (not remove: W&B's secure storage connector asks for it) the soft-delete window."""
    policy = Block("soft_delete_policy", (), (Attr("retention_duration_seconds", days * 86400),))
    return BucketFixes(
        cli=(
            cli(
                f"{gcloud(bucket)} storage buckets update {_url(bucket)} --soft-delete-duration={days}d",
                f"keep soft delete on (W&B asks for it) with a {days}-day window",
            ),
        ),
        terraform=(tf_inside(bucket, "google_storage_bucket", (policy,), fix_name(bucket)),),
    )
