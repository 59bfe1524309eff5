"""Azure Blob remedies: blob soft delete (what W&B calls versioning there), a policy deleting previous
versions, and a container's immutability policy and legal holds."""

from __future__ import annotations

import json

from gcready.model import JSON, BucketRef
from gcready.remediation.bucket.common import (
    BucketFixes,
    azure_blob_endpoint,
    cli,
    console,
    key_prefix,
    q,
    terraform,
    tf_inside,
)
from gcready.remediation.render.hcl import BLANK, Attr, Block, Comment, Ref

POLICY_RULE = "wandb-delete-previous-versions"


def _account(bucket: BucketRef) -> str:
    account = bucket.account or "STORAGE_ACCOUNT"
    if bucket.tf_address and "." in account:  # Terraform computes the account name: an address stands for it
        return "STORAGE_ACCOUNT"
    return account


def soft_delete(bucket: BucketRef) -> BucketFixes:
    """Blob soft delete on the storage account (W&B's "versioning" on Azure), 7 days."""
    account = _account(bucket)
    blob_endpoint = azure_blob_endpoint(bucket)
    retention = Block("blob_properties", (), (Block("delete_retention_policy", (), (Attr("days", 7),)),))
    return BucketFixes(
        cli=(
            cli(
                f"az storage account blob-service-properties update -n {q(account)} -g RESOURCE_GROUP "
                "--enable-delete-retention true --delete-retention-days 7",
                "management plane (az login with rights on the storage account)",
            ),
            cli(
                f"az storage blob service-properties delete-policy update --account-name {q(account)}"
                + (f" --blob-endpoint {q(blob_endpoint)}" if blob_endpoint else "")
                + " --enable true --days-retained 7",
                "data plane, with the account key (AZURE_STORAGE_KEY) or AZURE_STORAGE_CONNECTION_STRING; "
                "also works on Azurite",
            ),
        ),
        terraform=(tf_inside(bucket, "azurerm_storage_account", (retention,), account),),
        console=(
            console(
                f"Azure portal → Storage accounts → {account} → Data protection → Enable soft delete for blobs"
            ),
        ),
    )


def _policy_prefix(bucket: BucketRef) -> str:
    return f"{bucket.name}/{key_prefix(bucket)}"


def policy_document(bucket: BucketRef, days: int) -> dict[str, JSON]:
    """A management policy deleting previous versions of the W&B container's blobs after ``days``."""
    return {
        "rules": [
            {
                "enabled": True,
                "name": POLICY_RULE,
                "type": "Lifecycle",
                "definition": {
                    "actions": {"version": {"delete": {"daysAfterCreationGreaterThan": days}}},
                    "filters": {"blobTypes": ["blockBlob"], "prefixMatch": [_policy_prefix(bucket)]},
                },
            }
        ]
    }


def delete_previous_versions(bucket: BucketRef, days: int) -> BucketFixes:
    """A lifecycle management policy that deletes previous blob versions of the W&B container."""
    account = bucket.account or "STORAGE_ACCOUNT"
    document = json.dumps(policy_document(bucket, days), indent=2)
    prefix = _policy_prefix(bucket)
    rule = Block(
        "rule",
        (),
        (
            Attr("name", POLICY_RULE),
            Attr("enabled", True),
            Block("filters", (), (Attr("blob_types", ["blockBlob"]), Attr("prefix_match", [prefix]))),
            Block(
                "actions",
                (),
                (Block("version", (), (Attr("delete_after_days_since_creation", days),)),),
            ),
        ),
    )
    policy = Block(
        "resource",
        ("azurerm_storage_management_policy", "wandb"),
        (
            Attr("storage_account_id", Ref("azurerm_storage_account.wandb.id"), f"the account {account}"),
            BLANK,
            rule,
        ),
    )
    return BucketFixes(
        cli=(
            cli(
                f"cat > policy.json <<'EOF'\n{document}\nEOF\n"
                f"az storage account management-policy create --account-name {q(account)} "
                "--resource-group RESOURCE_GROUP --policy @policy.json",
                f"Azure CLI: delete previous versions {days} days after they were created (replaces the "
                f"account's management policy: merge existing rules from az storage account management-policy "
                f"show --account-name {q(account)} --resource-group RESOURCE_GROUP)",
            ),
        ),
        terraform=(terraform((policy,)),),
        console=(
            console(
                f"Azure portal → Storage accounts → {account} → Data management → Lifecycle management → "
                f"Add a rule → 'Previous versions' → delete after {days} days, filter {prefix}",
            ),
        ),
    )


def immutability(bucket: BucketRef, policy: bool, hold: bool) -> BucketFixes:
    """Remove the container's (unlocked) immutability policy and clear its legal hold tags."""
    where = (
        f"--account-name {q(bucket.account or 'STORAGE_ACCOUNT')} --container-name {q(bucket.name)} "
        "--resource-group RESOURCE_GROUP"
    )
    commands = []
    if policy:
        commands.append(
            cli(
                f"az storage container immutability-policy show {where} --query etag -o tsv\n"
                f"az storage container immutability-policy delete {where} --if-match ETAG",
                "delete the container's time-based retention policy (only while it is unlocked; a locked "
                "policy can only expire)",
            )
        )
    if hold:
        commands.append(
            cli(
                f"az storage container legal-hold show {where}\n"
                f"az storage container legal-hold clear {where} --tags TAG1 TAG2",
                "clear every legal hold tag shown by the first command",
            )
        )
    removed = Comment(
        "Remove the container's immutability policy resource while it is unlocked:\n"
        f'resource "azurerm_storage_container_immutability_policy" "wandb" {{  # {_one_line(bucket.name)}\n'
        "  storage_container_resource_manager_id = azurerm_storage_container.wandb.id\n"
        "  immutability_period_in_days           = ...\n  locked                                = false\n}\n"
        "Legal holds are not managed by azurerm: clear them with the CLI command above."
    )
    return BucketFixes(
        cli=tuple(commands),
        terraform=(terraform((removed,)),),
        console=(
            console(
                f"Azure portal → Storage accounts → {bucket.account or 'STORAGE_ACCOUNT'} → Containers → "
                f"{bucket.name} → Access policy → Immutable blob storage: delete the time-based retention policy "
                "(if unlocked) and the legal hold",
            ),
        ),
    )


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())
