"""Fixes for what keeps storage from being freed, written for the bucket found.

Every command names the real bucket (container, storage account), region and endpoint, and is
runnable as printed; what gcready cannot know (keys, resource group, MFA code) is an upper-case
placeholder. Commands that replace a whole configuration (S3/GCS lifecycle, Azure management policy)
say so in their title.
"""

from __future__ import annotations

import json
import re
import shlex

from gcready.checks.fixes import (
    endpoint_url,
    env_var_fixes,
    fix_name,
    gcloud,
    name_note,
    tf_bucket_arg,
    tf_inside,
    tf_where,
)
from gcready.model import JSON, BucketRef, Component, ComponentKind, Fix, FixKind, Provider

DEFAULT_NONCURRENT_DAYS = 30
RULE_ID = "wandb-expire-noncurrent"
AZURE_RULE = "wandb-delete-previous-versions"


def _q(text: str) -> str:
    return shlex.quote(text)


def _hcl(text: str) -> str:
    return json.dumps(text)  # an HCL string literal is a JSON string literal


# ------------------------------------------------------------------------------------------ endpoints


def _aws_target(bucket: BucketRef) -> str:
    """``--bucket B [--region R] [--endpoint-url URL]`` for an aws s3api command."""
    out = f"--bucket {_q(fix_name(bucket))}"
    if bucket.region:
        out += f" --region {_q(bucket.region)}"
    url = endpoint_url(bucket)
    if url:
        out += f" --endpoint-url {_q(url)}"
    return out


def _tf_title(bucket: BucketRef, title: str) -> str:
    """A Terraform fix's title, with where the block goes when Terraform declares the bucket."""
    where = tf_where(bucket)
    return f"{title}; {where}" if title and where else title or where


def _mc_alias(bucket: BucketRef) -> str:
    return f"mc alias set wandb {_q(endpoint_url(bucket) or 'https://ENDPOINT')} ACCESS_KEY SECRET_KEY"


def _s3_prefix(bucket: BucketRef) -> str:
    """The key prefix W&B writes under (the bucket URL's path), "" for the whole bucket."""
    path = (bucket.path or "").strip("/")
    return f"{path}/" if path else ""


def _tf_provider_note(bucket: BucketRef) -> str:
    if bucket.provider is Provider.AWS:
        return ""
    url = endpoint_url(bucket) or "https://ENDPOINT"
    return (
        f'# provider "aws" pointed at the store: endpoints {{ s3 = {_hcl(url)} }}, s3_use_path_style = true,\n'
        "# skip_credentials_validation = true, skip_requesting_account_id = true\n"
    )


# ------------------------------------------------------------------------------- noncurrent expiry


def s3_lifecycle_document(bucket: BucketRef, days: int = DEFAULT_NONCURRENT_DAYS) -> dict[str, JSON]:
    """A complete S3 lifecycle configuration that frees what GC deletes on a versioned bucket."""
    return {
        "Rules": [
            {
                "ID": RULE_ID,
                "Status": "Enabled",
                "Filter": {"Prefix": _s3_prefix(bucket)},
                "NoncurrentVersionExpiration": {"NoncurrentDays": days},
                "Expiration": {"ExpiredObjectDeleteMarker": True},
            }
        ]
    }


def gcs_lifecycle_document(bucket: BucketRef, days: int = DEFAULT_NONCURRENT_DAYS) -> dict[str, JSON]:
    condition: dict[str, JSON] = {"isLive": False, "daysSinceNoncurrentTime": days}
    prefix = _s3_prefix(bucket)
    if prefix:
        condition["matchesPrefix"] = [prefix]
    return {"rule": [{"action": {"type": "Delete"}, "condition": condition}]}


def azure_policy_document(bucket: BucketRef, days: int = DEFAULT_NONCURRENT_DAYS) -> dict[str, JSON]:
    prefix = f"{bucket.name}/{_s3_prefix(bucket)}"
    return {
        "rules": [
            {
                "enabled": True,
                "name": AZURE_RULE,
                "type": "Lifecycle",
                "definition": {
                    "actions": {"version": {"delete": {"daysAfterCreationGreaterThan": days}}},
                    "filters": {"blobTypes": ["blockBlob"], "prefixMatch": [prefix]},
                },
            }
        ]
    }


def noncurrent_expiry_fixes(
    bucket: BucketRef, other_rules: int = 0, days: int = DEFAULT_NONCURRENT_DAYS
) -> tuple[Fix, ...]:
    """A lifecycle rule that expires noncurrent versions (and, on S3, expired delete markers)."""
    if bucket.provider is Provider.GCP:
        return _gcs_lifecycle_fixes(bucket, other_rules, days)
    if bucket.provider is Provider.AZURE:
        return azure_version_policy_fixes(bucket, days)
    name = fix_name(bucket)
    document = json.dumps(s3_lifecycle_document(bucket, days), separators=(",", ":"))
    replaces = (
        "replaces the bucket's whole lifecycle configuration: it has "
        f"{other_rules} other rule(s); add them to the document first "
        f"(aws s3api get-bucket-lifecycle-configuration {_aws_target(bucket)})"
        if other_rules
        else "sets the bucket's lifecycle configuration"
    )
    prefix = _s3_prefix(bucket)
    fixes: list[Fix] = [
        Fix(
            FixKind.CLI,
            f"aws s3api put-bucket-lifecycle-configuration {_aws_target(bucket)} "
            f"--lifecycle-configuration {_q(document)}",
            name_note(
                bucket,
                f"AWS CLI: expire noncurrent versions after {days} days and remove expired delete markers "
                f"({replaces})",
            ),
        )
    ]
    if bucket.provider is Provider.S3_COMPATIBLE:
        prefix_flag = f" --prefix {_q(prefix)}" if prefix else ""
        fixes.append(
            Fix(
                FixKind.CLI,
                f"{_mc_alias(bucket)}\n"
                f"mc ilm rule add{prefix_flag} --noncurrent-expire-days {days} wandb/{name}\n"
                f"mc ilm rule add{prefix_flag} --expire-delete-marker wandb/{name}",
                "MinIO client (adds rules, keeps the existing ones)",
            )
        )
        fixes.append(
            Fix(
                FixKind.TERRAFORM,
                f'resource "minio_ilm_policy" "wandb" {{\n  bucket = {tf_bucket_arg(bucket)}\n\n  rule {{\n'
                f"    id                                 = {_hcl(RULE_ID)}\n"
                + (f"    filter                             = {_hcl(prefix)}\n" if prefix else "")
                + f"    noncurrent_version_expiration_days = {days}\n  }}\n}}",
                _tf_title(bucket, "Terraform, MinIO provider (aminueza/minio)"),
            )
        )
    filter_block = f"    filter {{\n      prefix = {_hcl(prefix)}\n    }}\n" if prefix else "    filter {}\n"
    fixes.append(
        Fix(
            FixKind.TERRAFORM,
            _tf_provider_note(bucket)
            + f'resource "aws_s3_bucket_lifecycle_configuration" "wandb" {{\n  bucket = {tf_bucket_arg(bucket)}\n\n'
            f'  rule {{\n    id     = {_hcl(RULE_ID)}\n    status = "Enabled"\n\n{filter_block}\n'
            f"    noncurrent_version_expiration {{\n      noncurrent_days = {days}\n    }}\n\n"
            "    expiration {\n      expired_object_delete_marker = true\n    }\n  }\n}",
            _tf_title(
                bucket,
                "Terraform, AWS provider (the resource owns the bucket's whole lifecycle configuration)",
            ),
        )
    )
    if bucket.provider is Provider.AWS:
        fixes.append(
            Fix(
                FixKind.CONSOLE,
                f"S3 console → Buckets → {name} → Management → Create lifecycle rule → scope: "
                + (f"prefix {prefix}" if prefix else "all objects")
                + f" → 'Permanently delete noncurrent versions of objects' after {days} days and "
                "'Delete expired object delete markers'",
            )
        )
    return tuple(fixes)


def _gcs_lifecycle_fixes(bucket: BucketRef, other_rules: int, days: int) -> tuple[Fix, ...]:
    name = fix_name(bucket)
    document = json.dumps(gcs_lifecycle_document(bucket, days), indent=2)
    replaces = (
        f"replaces the bucket's lifecycle configuration: it has {other_rules} other rule(s); add them to "
        f"lifecycle.json first ({gcloud(bucket)} storage buckets describe gs://{name} --format='json(lifecycle_config)')"
        if other_rules
        else "sets the bucket's lifecycle configuration"
    )
    location = f"  location = {_hcl(bucket.region.upper())}\n" if bucket.region else ""
    prefix = _s3_prefix(bucket)
    prefix_line = f"      matches_prefix             = [{_hcl(prefix)}]\n" if prefix else ""
    rule = (
        "  lifecycle_rule {\n    condition {\n"
        f"      days_since_noncurrent_time = {days}\n"
        '      with_state                 = "ARCHIVED"\n'
        f'{prefix_line}    }}\n    action {{\n      type = "Delete"\n    }}\n  }}\n'
    )
    return (
        Fix(
            FixKind.CLI,
            f"cat > lifecycle.json <<'EOF'\n{document}\nEOF\n"
            f"{gcloud(bucket)} storage buckets update gs://{name} --lifecycle-file=lifecycle.json",
            name_note(
                bucket,
                f"gcloud: delete noncurrent versions {days} days after they become noncurrent ({replaces})",
            ),
        ),
        tf_inside(bucket, "google_storage_bucket", "name", rule, name)
        if bucket.tf_address
        else Fix(
            FixKind.TERRAFORM,
            f'resource "google_storage_bucket" "wandb" {{\n  name     = {_hcl(name)}\n{location}  # ...\n\n'
            f"  versioning {{\n    enabled = true\n  }}\n\n{rule}}}",
        ),
        Fix(
            FixKind.CONSOLE,
            f"Cloud Storage → Buckets → {name} → Lifecycle → Add a rule → Delete object → "
            f"'Days since object became noncurrent': {days}",
        ),
    )


def azure_version_policy_fixes(bucket: BucketRef, days: int = DEFAULT_NONCURRENT_DAYS) -> tuple[Fix, ...]:
    """A lifecycle management policy that deletes previous blob versions of the W&B container."""
    account = bucket.account or "STORAGE_ACCOUNT"
    document = json.dumps(azure_policy_document(bucket, days), indent=2)
    prefix = f"{bucket.name}/{_s3_prefix(bucket)}"
    return (
        Fix(
            FixKind.CLI,
            f"cat > policy.json <<'EOF'\n{document}\nEOF\n"
            f"az storage account management-policy create --account-name {_q(account)} "
            "--resource-group RESOURCE_GROUP --policy @policy.json",
            f"Azure CLI: delete previous versions {days} days after they were created (replaces the "
            f"account's management policy: merge existing rules from az storage account management-policy "
            f"show --account-name {account} --resource-group RESOURCE_GROUP)",
        ),
        Fix(
            FixKind.TERRAFORM,
            'resource "azurerm_storage_management_policy" "wandb" {\n'
            "  storage_account_id = azurerm_storage_account.wandb.id  # the account "
            f"{account}\n\n  rule {{\n    name    = {_hcl(AZURE_RULE)}\n    enabled = true\n"
            f'    filters {{\n      blob_types   = ["blockBlob"]\n      prefix_match = [{_hcl(prefix)}]\n    }}\n'
            "    actions {\n      version {\n"
            f"        delete_after_days_since_creation = {days}\n      }}\n    }}\n  }}\n}}",
        ),
        Fix(
            FixKind.CONSOLE,
            f"Azure portal → Storage accounts → {account} → Data management → Lifecycle management → "
            f"Add a rule → 'Previous versions' → delete after {days} days, filter {prefix}",
        ),
    )


# ---------------------------------------------------------------------------------------- S3 locks


def object_lock_fixes(bucket: BucketRef, mode: str | None) -> tuple[Fix, ...]:
    """Stop locking new versions; what can be done about versions already locked depends on the mode."""
    name = fix_name(bucket)
    compliance = (mode or "").upper() == "COMPLIANCE"
    fixes: list[Fix] = []
    if bucket.provider is Provider.S3_COMPATIBLE:
        fixes.append(
            Fix(
                FixKind.CLI,
                f"{_mc_alias(bucket)}\nmc retention clear --default wandb/{name}",
                "MinIO client: remove the bucket's default retention (versions already locked stay locked)",
            )
        )
    fixes.append(
        Fix(
            FixKind.CLI,
            f"aws s3api put-object-lock-configuration {_aws_target(bucket)} "
            f"--object-lock-configuration {_q(json.dumps({'ObjectLockEnabled': 'Enabled'}))}",
            name_note(
                bucket,
                "remove the default retention: new versions are no longer locked (Object Lock itself cannot "
                "be turned off; versions already locked stay locked until their retain-until date)",
            ),
        )
    )
    if not compliance:
        fixes.append(
            Fix(
                FixKind.CLI,
                f"aws s3api delete-object {_aws_target(bucket)} --key KEY --version-id VERSION_ID "
                "--bypass-governance-retention",
                "GOVERNANCE mode: an identity with s3:BypassGovernanceRetention can delete a locked version "
                "(W&B's collector does not bypass retention)",
            )
        )
    fixes.append(
        Fix(
            FixKind.TERRAFORM,
            _tf_provider_note(bucket)
            + f'resource "aws_s3_bucket_object_lock_configuration" "wandb" {{\n  bucket = {tf_bucket_arg(bucket)}\n'
            "  # no rule block: no default retention, new versions are not locked\n}",
            _tf_title(bucket, ""),
        )
    )
    fixes.append(
        Fix(
            FixKind.CONSOLE,
            (
                "COMPLIANCE mode: no one (not even the root user) can shorten or remove the retention of "
                "versions already locked; they are freed only when it ends. To stop paying for it sooner, "
                "move W&B to a new bucket without Object Lock and migrate the artifacts. "
                if compliance
                else ""
            )
            + (
                f"S3 console → Buckets → {name} → Properties → Object Lock → Edit → Default retention: Disable"
                if bucket.provider is Provider.AWS
                else "Remove the bucket's default retention in the store's console."
            ),
        )
    )
    return tuple(fixes)


def mfa_delete_fixes(bucket: BucketRef) -> tuple[Fix, ...]:
    """Turn MFA delete off (only the bucket owner's root user, with its MFA device, can)."""
    mfa = "arn:aws:iam::ACCOUNT_ID:mfa/root-account-mfa-device MFA_CODE"
    return (
        Fix(
            FixKind.CLI,
            f"aws s3api put-bucket-versioning {_aws_target(bucket)} "
            f"--versioning-configuration Status=Enabled,MFADelete=Disabled --mfa {_q(mfa)}",
            name_note(
                bucket,
                "as the bucket owner's root user, with its MFA device serial and a current code "
                "(keeps versioning on)",
            ),
        ),
        Fix(
            FixKind.TERRAFORM,
            f'resource "aws_s3_bucket_versioning" "wandb" {{\n  bucket = {tf_bucket_arg(bucket)}\n  mfa    = {_hcl(mfa)}\n\n'
            '  versioning_configuration {\n    status     = "Enabled"\n    mfa_delete = "Disabled"\n  }\n}',
            _tf_title(bucket, "Terraform, applied with the root user's credentials"),
        ),
        Fix(
            FixKind.CONSOLE,
            "MFA delete cannot be changed in the S3 console: run the CLI command above as the root user.",
        ),
    )


# ------------------------------------------------------------------------------------------- GCS


def gcs_retention_fixes(bucket: BucketRef, locked: bool) -> tuple[Fix, ...]:
    """Remove an unlocked retention policy; a locked one stays: move W&B to a new bucket."""
    name = fix_name(bucket)
    if not locked:
        return (
            Fix(
                FixKind.CLI,
                f"{gcloud(bucket)} storage buckets update gs://{name} --clear-retention-period",
                "remove the (unlocked) retention policy",
            ),
            tf_inside(
                bucket,
                "google_storage_bucket",
                "name",
                "  # delete its retention_policy { ... } block\n",
                name,
            )
            if bucket.tf_address and not bucket.tf_published
            else Fix(
                FixKind.TERRAFORM,
                f'resource "google_storage_bucket" "wandb" {{\n  name = {_hcl(name)}\n  # ...\n'
                "  # delete the retention_policy { ... } block\n\n  versioning {\n    enabled = true\n  }\n}",
            ),
            Fix(
                FixKind.CONSOLE,
                f"Cloud Storage → Buckets → {name} → Protection → Bucket retention policy → Delete",
            ),
        )
    new = f"{name}-v2"
    location = f" --location={_q(bucket.region.upper())}" if bucket.region else " --location=LOCATION"
    tf_location = _hcl(bucket.region.upper()) if bucket.region else '"LOCATION"'
    return (
        Fix(
            FixKind.CLI,
            f"{gcloud(bucket)} storage buckets create gs://{new}{location} --uniform-bucket-level-access\n"
            f"{gcloud(bucket)} storage buckets update gs://{new} --versioning --soft-delete-duration=7d",
            "a locked retention policy can be neither removed nor shortened: create a new bucket without "
            "one, then point W&B at it and migrate the artifacts",
        ),
        Fix(
            FixKind.TERRAFORM,
            f'resource "google_storage_bucket" "wandb_v2" {{\n  name     = {_hcl(new)}\n'
            f"  location = {tf_location}\n\n  uniform_bucket_level_access = true\n\n"
            "  versioning {\n    enabled = true\n  }\n\n"
            "  soft_delete_policy {\n    retention_duration_seconds = 604800\n  }\n"
            "  # no retention_policy block\n}",
        ),
        Fix(
            FixKind.CONSOLE,
            f"The retention policy of {name} is locked: it cannot be removed. Objects become deletable "
            "once they are older than the retention period.",
        ),
    )


def gcs_soft_delete_fixes(bucket: BucketRef, days: int = 7) -> tuple[Fix, ...]:
    """Shorten (not remove: W&B's secure storage connector asks for it) the soft-delete window."""
    name = fix_name(bucket)
    return (
        Fix(
            FixKind.CLI,
            f"{gcloud(bucket)} storage buckets update gs://{name} --soft-delete-duration={days}d",
            f"keep soft delete on (W&B asks for it) with a {days}-day window",
        ),
        tf_inside(
            bucket,
            "google_storage_bucket",
            "name",
            f"  soft_delete_policy {{\n    retention_duration_seconds = {days * 86400}\n  }}\n",
            name,
        ),
    )


# ----------------------------------------------------------------------------------------- Azure


def azure_immutability_fixes(bucket: BucketRef, policy: bool, hold: bool) -> tuple[Fix, ...]:
    """Remove the container's (unlocked) immutability policy and clear its legal hold tags."""
    account = _q(bucket.account or "STORAGE_ACCOUNT")
    container = _q(bucket.name)
    where = f"--account-name {account} --container-name {container} --resource-group RESOURCE_GROUP"
    fixes: list[Fix] = []
    if policy:
        fixes.append(
            Fix(
                FixKind.CLI,
                f"az storage container immutability-policy show {where} --query etag -o tsv\n"
                f"az storage container immutability-policy delete {where} --if-match ETAG",
                "delete the container's time-based retention policy (only while it is unlocked; a locked "
                "policy can only expire)",
            )
        )
    if hold:
        fixes.append(
            Fix(
                FixKind.CLI,
                f"az storage container legal-hold show {where}\n"
                f"az storage container legal-hold clear {where} --tags TAG1 TAG2",
                "clear every legal hold tag shown by the first command",
            )
        )
    fixes.append(
        Fix(
            FixKind.TERRAFORM,
            "# Remove the container's immutability policy resource while it is unlocked:\n"
            f'# resource "azurerm_storage_container_immutability_policy" "wandb" {{  # {bucket.name}\n'
            "#   storage_container_resource_manager_id = azurerm_storage_container.wandb.id\n"
            "#   immutability_period_in_days           = ...\n#   locked                                = false\n# }\n"
            "# Legal holds are not managed by azurerm: clear them with the CLI command above.",
        )
    )
    fixes.append(
        Fix(
            FixKind.CONSOLE,
            f"Azure portal → Storage accounts → {bucket.account or 'STORAGE_ACCOUNT'} → Containers → "
            f"{bucket.name} → Access policy → Immutable blob storage: delete the time-based retention policy "
            "(if unlocked) and the legal hold",
        )
    )
    return tuple(fixes)


# ------------------------------------------------------------------------------ server components

_CR_NAME = re.compile(r"\(WeightsAndBiases/([^)]+)\)")
_LIST_ITEM = re.compile(r"^items\[\d+\]\.")


def _in_resource(path: str) -> str:
    """A path inside the resource itself, without the ``items[N].`` of the kubectl List it came in."""
    return _LIST_ITEM.sub("", path)


def component_flag_fixes(var: str, value: str, component: Component) -> tuple[Fix, ...]:
    """Set the GC flag where the collector's component reads it, so it wins over what it has now.

    A global value loses to a component's own ``extraEnv`` / ``env`` (chart precedence), so for a Helm
    component the flag is set at the component's level, or where its current value comes from.
    """
    if component.kind is not ComponentKind.HELM_COMPONENT:
        return env_var_fixes(var, value, component)
    current = component.get(var)
    comp_path = _in_resource(component.origin.path or "app")
    key_path = f"{comp_path}.extraEnv"
    if current is not None and current.origin.path and current.origin.path.endswith(f".{var}"):
        found = _in_resource(current.origin.path)[: -len(var) - 1]
        if "global." not in found:
            key_path = found  # the component's own env / extraEnv: overwrite it there
    parts = key_path.split(".")
    nested: JSON = {var: value}
    for part in reversed(parts):
        nested = {part: nested}
    yaml = (
        "\n".join(f"{'  ' * i}{p}:" for i, p in enumerate(parts)) + f'\n{"  " * len(parts)}{var}: "{value}"'
    )
    cr = _CR_NAME.search(component.name)
    fixes: list[Fix] = []
    if cr is not None:
        fixes.append(
            Fix(
                FixKind.CLI,
                f"kubectl patch weightsandbiases {_q(cr.group(1))} --type merge "
                f"-p {_q(json.dumps(nested, separators=(',', ':')))}",
                f"the live operator resource (add -n NAMESPACE): set {var} at {key_path} for {component.name}",
            )
        )
        fixes.append(Fix(FixKind.HELM, yaml, f"W&B operator resource {cr.group(1)}"))
    else:
        fixes.append(
            Fix(
                FixKind.CLI,
                f"helm upgrade wandb wandb/operator-wandb --reuse-values --set-string {key_path}.{var}={value}",
                f"a release installed with the operator-wandb chart: set {var} at {key_path}",
            )
        )
        fixes.append(Fix(FixKind.HELM, yaml, "Helm values of the operator-wandb chart (then helm upgrade)"))
    for fix in env_var_fixes(var, value, component):
        if fix.kind is FixKind.TERRAFORM:
            fixes.append(
                Fix(
                    fix.kind,
                    fix.text,
                    f"{fix.title}: this sets global.extraEnv, which {key_path} overrides; remove the "
                    "component-level value too",
                )
            )
    return tuple(fixes)
