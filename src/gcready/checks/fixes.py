"""Fixes written for the deployment found: real bucket names, endpoints, regions and component names."""

from __future__ import annotations

import json
import re
import shlex
from urllib.parse import urlsplit

from gcready.checks.operator_fixes import operator_v2_fixes
from gcready.model import BucketRef, Component, ComponentKind, Fix, FixKind, Provider


def _q(text: str) -> str:
    return shlex.quote(text)


def _as_url(endpoint: str, tls: bool | None) -> str:
    """An endpoint as a URL: a recorded one keeps its scheme; ``host[:port]`` gets http when the bucket
    URL says ``tls=false``, else https."""
    if "://" in endpoint:
        return endpoint.rstrip("/")
    return f"{'http' if tls is False else 'https'}://{endpoint.rstrip('/')}"


def endpoint_url(bucket: BucketRef) -> str | None:
    """The S3 endpoint URL to give the CLI: None for AWS's own endpoints (``--region`` picks them).

    ``http`` when the bucket URL says ``tls=false``; a recorded endpoint keeps its own scheme.
    """
    endpoint = bucket.endpoint
    if not endpoint and bucket.provider is Provider.COREWEAVE:
        endpoint = "cwobject.com"
    if not endpoint:
        return None if bucket.provider is Provider.AWS else "https://ENDPOINT"
    url = _as_url(endpoint, bucket.tls)
    host = urlsplit(url).hostname or ""
    if bucket.provider is Provider.AWS and (host == "amazonaws.com" or host.endswith(".amazonaws.com")):
        return None
    return url


def azure_blob_endpoint(bucket: BucketRef) -> str | None:
    """The blob endpoint to give ``az storage`` commands: None for Azure's public cloud (the account
    name picks it), else the URL the probe used (Azurite, Azure Stack, a private endpoint)."""
    if not bucket.endpoint:
        return None
    url = _as_url(bucket.endpoint, bucket.tls)
    host = urlsplit(url).hostname or ""
    return None if host.endswith(".blob.core.windows.net") else url


def gcloud(bucket: BucketRef) -> str:
    """``gcloud``, preceded by the storage endpoint override when the bucket was reached through
    another endpoint than Google's (an emulator, a private endpoint), so the command runs as printed
    against the same server. gcloud wants the override with a trailing slash; an endpoint outside
    googleapis.com is an emulator, which takes no Google credentials."""
    if not bucket.endpoint:
        return "gcloud"
    url = _as_url(bucket.endpoint, bucket.tls)
    host = urlsplit(url).hostname or ""
    if host == "storage.googleapis.com":
        return "gcloud"
    env = f"CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE={_q(url + '/')}"
    if not (host == "googleapis.com" or host.endswith(".googleapis.com")):
        env += " CLOUDSDK_AUTH_DISABLE_CREDENTIALS=true"
    return f"{env} gcloud"


# ------------------------------------------------------------------------ buckets declared in Terraform


def fix_name(bucket: BucketRef) -> str:
    """The bucket name for a command: ``BUCKET_NAME`` when Terraform computes it (see ``name_note``)."""
    return bucket.name if bucket.name_known else "BUCKET_NAME"


def name_note(bucket: BucketRef, title: str = "") -> str:
    """A command's title, saying what ``BUCKET_NAME`` stands for when the name is not known."""
    if bucket.name_known:
        return title
    if bucket.tf_published:
        what = f"BUCKET_NAME: the bucket {bucket.tf_address} creates (its {bucket.tf_output} output)"
    else:
        what = f"BUCKET_NAME: the name Terraform gives {bucket.name} at apply time (terraform state show)"
    return f"{title}; {what}" if title else what


def tf_bucket_arg(bucket: BucketRef) -> str:
    """The ``bucket`` argument of an S3 companion resource: a reference when Terraform declares the bucket."""
    if bucket.tf_address is None:
        return json.dumps(bucket.name)
    if bucket.tf_published:
        return f"{bucket.tf_address}.{bucket.tf_output}"
    return f"{bucket.tf_address}.id"


def tf_label(bucket: BucketRef) -> str:
    """A label for a new resource: the bucket resource's own label, else ``wandb``."""
    if bucket.tf_address and not bucket.tf_published:
        return re.sub(r"\[.*\]$", "", bucket.tf_address).rsplit(".", 1)[-1]
    return "wandb"


def tf_where(bucket: BucketRef, default: str = "") -> str:
    """Where a new companion resource goes, for a Terraform fix's title."""
    if bucket.tf_address is None:
        return default
    place = bucket.tf_file or f"the configuration that declares {bucket.tf_address}"
    if bucket.tf_published:
        return f"add to {place}, beside module {bucket.tf_address.removeprefix('module.')!r}"
    return f"add to {place}, beside {bucket.tf_address}"


def tf_inside(bucket: BucketRef, rtype: str, name_attr: str, block: str, default_name: str) -> Fix:
    """A setting that lives inside the resource creating the bucket (GCS bucket, Azure storage account).

    ``block`` is the HCL to add, indented for the resource body. When W&B's published module creates
    that resource, the module has no input for the setting: the fix creates the resource beside it
    and hands it to the module instead.
    """
    if bucket.tf_address and not bucket.tf_published:
        place = bucket.tf_file or "its configuration"
        return Fix(
            FixKind.TERRAFORM,
            f'resource "{rtype}" "{tf_label(bucket)}" {{\n  # ... (its arguments as they are)\n\n{block}}}',
            f"in {bucket.tf_address} ({place})",
        )
    if bucket.tf_published:
        module = bucket.tf_address or "module.wandb"
        inputs = (
            "  storage_account = azurerm_storage_account.wandb.name\n"
            "  blob_container  = azurerm_storage_container.wandb.name\n"
            if rtype == "azurerm_storage_account"
            else f"  bucket_name = {rtype}.wandb.name\n"
        )
        container = (
            '\n\nresource "azurerm_storage_container" "wandb" {\n  name                 = "wandb"\n'
            "  storage_account_name = azurerm_storage_account.wandb.name\n}"
            if rtype == "azurerm_storage_account"
            else ""
        )
        return Fix(
            FixKind.TERRAFORM,
            f'resource "{rtype}" "wandb" {{\n  {name_attr} = "NEW_NAME"\n  # ... location and the rest\n\n'
            f'{block}}}{container}\n\nmodule "{module.removeprefix("module.")}" {{\n  # ...\n{inputs}}}',
            f"{module} creates it without this setting and has no input for it: create it yourself "
            f"({bucket.tf_file or 'beside the module call'}) and give it to the module",
        )
    return Fix(
        FixKind.TERRAFORM,
        f'resource "{rtype}" "wandb" {{\n  {name_attr} = {json.dumps(default_name)}\n  # ...\n{block}}}',
    )


def env_var_fixes(name: str, value: str, component: Component | None) -> tuple[Fix, ...]:
    """How to set the server's GC flag, for the kind of configuration the evidence came from."""
    helm = Fix(
        FixKind.HELM,
        f'global:\n  extraEnv:\n    {name}: "{value}"',
        "Helm values of the operator-wandb chart (then helm upgrade)",
    )
    cr = Fix(
        FixKind.HELM,
        f'spec:\n  values:\n    global:\n      extraEnv:\n        {name}: "{value}"',
        "W&B operator resource (kubectl edit weightsandbiases wandb)",
    )
    terraform = Fix(
        FixKind.TERRAFORM,
        f'module "wandb" {{\n  # ...\n  other_wandb_env = {{\n    {name} = "{value}"\n  }}\n}}',
        "W&B's Terraform modules (wandb/wandb/aws, google, azurerm)",
    )
    fixes: list[Fix] = []
    if component is not None and component.operator is not None:
        return operator_v2_fixes(name, value, component)
    if component is not None and component.kind is ComponentKind.TERRAFORM_MODULE:
        module = component.name.split(" (", 1)[0]
        where = (
            component.origin.source
            if component.origin.line is None
            else f"{component.origin.source}:{component.origin.line}"
        )
        return (
            Fix(
                FixKind.TERRAFORM,
                f'{module} {{\n  # ... ({where})\n  other_wandb_env = {{\n    {name} = "{value}"\n  }}\n}}',
                "the W&B module call (merge with the variables already there), then terraform apply",
            ),
        )
    if component is not None and component.kind is ComponentKind.TERRAFORM_HELM:
        found = re.search(r'module "([^"]+)"', component.name)
        module = found.group(1) if found else "wandb"
        return (
            Fix(
                FixKind.TERRAFORM,
                f'module "{module}" {{\n  # ... ({component.origin.source})\n  spec = {{\n    values = {{\n'
                f'      global = {{\n        extraEnv = {{\n          {name} = "{value}"\n        }}\n'
                "      }\n    }\n  }\n}",
                "the wandb/wandb/helm module call: add the entry to spec.values.global.extraEnv (merge with "
                "what is there), then terraform apply",
            ),
            Fix(
                FixKind.TERRAFORM,
                f'other_wandb_env = {{\n  {name} = "{value}"\n}}',
                "terraform.tfvars, when spec.values.global.extraEnv is the other_wandb_env variable (as in "
                "W&B's cloud modules)",
            ),
        )
    if component is not None and component.kind is ComponentKind.COMPOSE_SERVICE:
        service = component.name.rsplit(" ", 1)[-1]
        return (
            Fix(
                FixKind.CLI,
                f'# {component.origin.source}: services.{service}.environment\n{name}: "{value}"\n'
                f"# then recreate the service:\ndocker compose up -d {_q(service)}",
                "docker-compose",
            ),
        )
    if component is not None and component.kind is ComponentKind.HELM_LEGACY:
        return (
            Fix(
                FixKind.HELM,
                f'extraEnv:\n  - name: {name}\n    value: "{value}"',
                f"values of the legacy wandb chart ({component.origin.source}), then helm upgrade",
            ),
        )
    if component is not None and component.kind is ComponentKind.K8S_CONTAINER:
        kind_name, _, container = component.name.partition(" container ")
        if kind_name.split("/")[0] in {"Deployment", "StatefulSet", "DaemonSet"}:
            workload = kind_name.lower()
            namespace = f"-n {_q(component.namespace)} " if component.namespace else ""
            fixes.append(
                Fix(
                    FixKind.CLI,
                    f"kubectl set env {_q(workload)} {namespace}-c {_q(container)} {name}={value}",
                    "live workload (lasts until the operator or Helm renders it again: also fix the source)"
                    + ("" if component.namespace else "; add -n NAMESPACE if it is not the current one"),
                )
            )
    if component is not None and component.kind in (ComponentKind.DOTENV, ComponentKind.PROCESS_ENV):
        where = component.origin.source
        fixes.append(
            Fix(FixKind.CLI, f"{name}={value}", f"add this line to {where} and restart the W&B server")
        )
        return (*fixes, helm)
    helm_cli = Fix(
        FixKind.CLI,
        f"helm upgrade wandb wandb/operator-wandb --reuse-values --set-string global.extraEnv.{name}={value}",
        "a release installed with the operator-wandb chart",
    )
    if component is not None and "WeightsAndBiases/" in component.name:
        resource = component.name.split("WeightsAndBiases/", 1)[1].rstrip(")")
        patch = json.dumps(
            {"spec": {"values": {"global": {"extraEnv": {name: value}}}}}, separators=(",", ":")
        )
        namespace = f" -n {_q(component.namespace)}" if component.namespace else ""
        kubectl = Fix(
            FixKind.CLI,
            f"kubectl patch weightsandbiases.v1.apps.wandb.com {_q(resource)}{namespace} --type merge -p {_q(patch)}",
            "the live operator resource" + ("" if namespace else " (add -n NAMESPACE)"),
        )
        cr = Fix(
            cr.kind, cr.text, f"W&B operator resource (kubectl edit weightsandbiases {resource}{namespace})"
        )
        return (*fixes, kubectl, cr, helm, terraform)
    return (*fixes, helm, helm_cli, cr, terraform)


def versioning_fixes(bucket: BucketRef) -> tuple[Fix, ...]:
    """Turn on what "versioning" means for this bucket's provider."""
    name = fix_name(bucket)

    def s3_versioning(resource: str) -> str:
        # built per resource type, never by formatting: bucket names are user text and may hold braces
        return (
            f'resource "{resource}" "{tf_label(bucket)}" {{\n  bucket = {tf_bucket_arg(bucket)}\n'
            '  versioning_configuration {\n    status = "Enabled"\n  }\n}'
        )

    if bucket.provider is Provider.AWS:
        region = f" --region {_q(bucket.region)}" if bucket.region else ""
        url = endpoint_url(bucket)
        endpoint = f" --endpoint-url {_q(url)}" if url else ""
        return (
            Fix(
                FixKind.CLI,
                f"aws s3api put-bucket-versioning --bucket {_q(name)}{region}{endpoint} "
                "--versioning-configuration Status=Enabled",
                name_note(bucket),
            ),
            Fix(FixKind.TERRAFORM, s3_versioning("aws_s3_bucket_versioning"), tf_where(bucket)),
            Fix(
                FixKind.CONSOLE,
                f"S3 console → Buckets → {name} → Properties → Bucket Versioning → Edit → Enable",
            ),
        )
    if bucket.provider in (Provider.S3_COMPATIBLE, Provider.COREWEAVE):
        url = endpoint_url(bucket) or "https://ENDPOINT"
        return (
            Fix(
                FixKind.CLI,
                f"mc alias set wandb {url} ACCESS_KEY SECRET_KEY\nmc version enable wandb/{name}",
                name_note(bucket, "MinIO client"),
            ),
            Fix(
                FixKind.CLI,
                f"aws s3api put-bucket-versioning --bucket {_q(name)} --endpoint-url {url} "
                "--versioning-configuration Status=Enabled",
                name_note(bucket, "any S3-compatible store"),
            ),
            Fix(FixKind.TERRAFORM, s3_versioning("minio_s3_bucket_versioning"), tf_where(bucket)),
        )
    if bucket.provider is Provider.GCP:
        return (
            Fix(
                FixKind.CLI,
                f"{gcloud(bucket)} storage buckets update gs://{name} --versioning",
                name_note(bucket),
            ),
            tf_inside(
                bucket, "google_storage_bucket", "name", "  versioning {\n    enabled = true\n  }\n", name
            ),
            Fix(FixKind.CONSOLE, f"Cloud Storage → Buckets → {name} → Protection → Object versioning → On"),
        )
    account = bucket.account or "STORAGE_ACCOUNT"
    if bucket.tf_address and "." in account:  # Terraform computes the account name: an address stands for it
        account = "STORAGE_ACCOUNT"
    blob_endpoint = azure_blob_endpoint(bucket)
    return (
        Fix(
            FixKind.CLI,
            f"az storage account blob-service-properties update -n {_q(account)} -g RESOURCE_GROUP "
            "--enable-delete-retention true --delete-retention-days 7",
            "management plane (az login with rights on the storage account)",
        ),
        Fix(
            FixKind.CLI,
            f"az storage blob service-properties delete-policy update --account-name {_q(account)}"
            + (f" --blob-endpoint {_q(blob_endpoint)}" if blob_endpoint else "")
            + " --enable true --days-retained 7",
            "data plane, with the account key (AZURE_STORAGE_KEY) or AZURE_STORAGE_CONNECTION_STRING; "
            "also works on Azurite",
        ),
        tf_inside(
            bucket,
            "azurerm_storage_account",
            "name",
            "  blob_properties {\n    delete_retention_policy {\n      days = 7\n    }\n  }\n",
            account,
        ),
        Fix(
            FixKind.CONSOLE,
            f"Azure portal → Storage accounts → {account} → Data protection → Enable soft delete for blobs",
        ),
    )


def example_buckets() -> tuple[BucketRef, ...]:
    """One bucket per provider with example names, for `gcready explain`."""
    from gcready.model import Origin

    here = Origin("example")
    return (
        BucketRef(Provider.AWS, "wandb-artifacts", here, "s3://wandb-artifacts", region="us-east-1"),
        BucketRef(
            Provider.S3_COMPATIBLE,
            "wandb",
            here,
            "s3://minio.example.internal:9000/wandb",
            endpoint="minio.example.internal:9000",
        ),
        BucketRef(Provider.GCP, "wandb-artifacts", here, "gs://wandb-artifacts"),
        BucketRef(Provider.AZURE, "wandb", here, "az://wandbstorage/wandb", account="wandbstorage"),
    )
