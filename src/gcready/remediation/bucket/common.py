"""What every provider's bucket remedies share: the value they return, endpoints, names, Terraform aim.

Every command names the real bucket (container, storage account), region and endpoint and runs as
printed; what gcready cannot know (keys, resource group, MFA code) is an upper-case placeholder.
Shell words go through :func:`shlex.quote`, HCL through :mod:`gcready.remediation.render.hcl`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from gcready.model import BucketRef, Fix, FixKind, Origin, Provider
from gcready.remediation.render import hcl
from gcready.remediation.render.hcl import BLANK, Attr, Block, Comment, HCLError, Item, Ref


@dataclass(frozen=True)
class BucketFixes:
    """A bucket remedy, per medium: shell commands, Terraform, and steps in the provider's console."""

    cli: tuple[Fix, ...] = ()
    terraform: tuple[Fix, ...] = ()
    console: tuple[Fix, ...] = ()

    @property
    def fixes(self) -> tuple[Fix, ...]:
        """Every fix, commands first (reports show the first one)."""
        return (*self.cli, *self.terraform, *self.console)


def q(text: str) -> str:
    """One shell word."""
    return shlex.quote(text)


def cli(text: str, title: str = "") -> Fix:
    """A shell command fix."""
    return Fix(FixKind.CLI, text, title)


def terraform(items: tuple[Item, ...], title: str = "") -> Fix:
    """A Terraform fix, written from HCL items."""
    return Fix(FixKind.TERRAFORM, hcl.render(*items), title)


def console(text: str, title: str = "") -> Fix:
    """Steps in the provider's web console."""
    return Fix(FixKind.CONSOLE, text, title)


# ------------------------------------------------------------------------------------------ endpoints


def _as_url(endpoint: str, tls: bool | None) -> str:
    """A recorded endpoint keeps its scheme; ``host[:port]`` gets http when ``tls=false``, else https."""
    if "://" in endpoint:
        return endpoint.rstrip("/")
    return f"{'http' if tls is False else 'https'}://{endpoint.rstrip('/')}"


def endpoint_url(bucket: BucketRef) -> str | None:
    """The S3 endpoint URL to give the CLI: None for AWS's own endpoints (``--region`` picks them)."""
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
    """The blob endpoint for ``az storage`` commands: None for Azure's public cloud, else the URL the
    probe used (Azurite, Azure Stack, a private endpoint)."""
    if not bucket.endpoint:
        return None
    url = _as_url(bucket.endpoint, bucket.tls)
    host = urlsplit(url).hostname or ""
    return None if host.endswith(".blob.core.windows.net") else url


def gcloud(bucket: BucketRef) -> str:
    """``gcloud``, preceded by the storage endpoint override when the bucket was reached elsewhere than
    Google (an emulator, a private endpoint); an endpoint outside googleapis.com takes no credentials."""
    if not bucket.endpoint:
        return "gcloud"
    url = _as_url(bucket.endpoint, bucket.tls)
    host = urlsplit(url).hostname or ""
    if host == "storage.googleapis.com":
        return "gcloud"
    env = f"CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE={q(url + '/')}"
    if not (host == "googleapis.com" or host.endswith(".googleapis.com")):
        env += " CLOUDSDK_AUTH_DISABLE_CREDENTIALS=true"
    return f"{env} gcloud"


def aws_target(bucket: BucketRef) -> str:
    """``--bucket B [--region R] [--endpoint-url URL]`` for an ``aws s3api`` command."""
    out = f"--bucket {q(fix_name(bucket))}"
    if bucket.region:
        out += f" --region {q(bucket.region)}"
    url = endpoint_url(bucket)
    if url:
        out += f" --endpoint-url {q(url)}"
    return out


def mc_alias(bucket: BucketRef) -> str:
    """``mc alias set wandb ENDPOINT ACCESS_KEY SECRET_KEY``: the MinIO client's name for the store."""
    return f"mc alias set wandb {q(endpoint_url(bucket) or 'https://ENDPOINT')} ACCESS_KEY SECRET_KEY"


def key_prefix(bucket: BucketRef) -> str:
    """The key prefix W&B writes under (the bucket URL's path), "" for the whole bucket."""
    path = (bucket.path or "").strip("/")
    return f"{path}/" if path else ""


# ---------------------------------------------------------------------------- names, Terraform aim


def fix_name(bucket: BucketRef) -> str:
    """The bucket name for a command: ``BUCKET_NAME`` when Terraform computes it (see :func:`name_note`)."""
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


def tf_bucket(bucket: BucketRef) -> hcl.Value:
    """The ``bucket`` argument of a companion resource: a reference when Terraform declares the bucket."""
    if bucket.tf_address is None:
        return bucket.name
    attribute = bucket.tf_output if bucket.tf_published else "id"
    try:
        return Ref(f"{bucket.tf_address}.{attribute}")
    except HCLError:  # an address no reference can spell: the name, as a placeholder if computed
        return fix_name(bucket)


def tf_label(bucket: BucketRef) -> str:
    """A label for a new resource: the bucket resource's own label, else ``wandb``."""
    if bucket.tf_address and not bucket.tf_published:
        label = re.sub(r"\[.*\]$", "", bucket.tf_address).rsplit(".", 1)[-1]
        if hcl.is_identifier(label):
            return label
    return "wandb"


def tf_where(bucket: BucketRef, default: str = "") -> str:
    """Where a new companion resource goes, for a Terraform fix's title."""
    if bucket.tf_address is None:
        return default
    place = bucket.tf_file or f"the configuration that declares {bucket.tf_address}"
    if bucket.tf_published:
        return f"add to {place}, beside module {bucket.tf_address.removeprefix('module.')!r}"
    return f"add to {place}, beside {bucket.tf_address}"


def tf_title(bucket: BucketRef, title: str) -> str:
    """A Terraform fix's title, with where the block goes when Terraform declares the bucket."""
    where = tf_where(bucket)
    return f"{title}; {where}" if title and where else title or where


def s3_endpoint_note(bucket: BucketRef) -> tuple[Item, ...]:
    """For a store that is not AWS: how to point the AWS provider at it, as comment lines."""
    if bucket.provider is Provider.AWS:
        return ()
    url = endpoint_url(bucket) or "https://ENDPOINT"
    return (
        Comment(
            f'provider "aws" pointed at the store: endpoints {{ s3 = {hcl.string(url)} }}, '
            "s3_use_path_style = true,\nskip_credentials_validation = true, skip_requesting_account_id = true"
        ),
    )


def companion(bucket: BucketRef, rtype: str, *body: Item, label: str | None = None) -> Block:
    """``resource "RTYPE" "LABEL" { bucket = ...; body }``: a resource that configures the bucket."""
    return Block("resource", (rtype, label or tf_label(bucket)), (Attr("bucket", tf_bucket(bucket)), *body))


def declared_place(declared: Origin) -> str:
    """``file:line`` of the resource that declares a setting."""
    return f"{declared.source}:{declared.line}" if declared.line else declared.source


def tf_edit(declared: Origin, settings: tuple[Item, ...], change: str) -> Fix:
    """Edit the resource that already declares a setting (a second resource of the same address is a
    duplicate declaration ``terraform plan`` rejects): the block as it must read, and where it is."""
    address = declared.path or ""
    parts = re.sub(r"\[[^\]]*\]", "", address).split(".")
    where = (
        f"edit {address} at {declared_place(declared)}: {change} (edit it in place, do not add a second one)"
    )
    if len(parts) >= 2 and all(hcl.is_identifier(p) for p in parts[-2:]):
        own = Block(
            "resource",
            (parts[-2], parts[-1]),
            (Comment("... (its other arguments as they are)"), BLANK, *settings),
        )
        return terraform((own,), where)
    return terraform(settings, where)


def tf_inside(bucket: BucketRef, rtype: str, settings: tuple[Item, ...], default_name: str) -> Fix:
    """A setting that lives inside the resource creating the bucket (GCS bucket, Azure storage account).

    When W&B's published module creates that resource, the module has no input for the setting: the
    fix creates the resource beside it and hands it to the module instead.
    """
    if bucket.tf_address and not bucket.tf_published:
        place = bucket.tf_file or "its configuration"
        own = Block(
            "resource",
            (rtype, tf_label(bucket)),
            (Comment("... (its arguments as they are)"), BLANK, *settings),
        )
        return terraform((own,), f"in {bucket.tf_address} ({place})")
    if bucket.tf_published:
        module = bucket.tf_address or "module.wandb"
        azure = rtype == "azurerm_storage_account"
        created = Block(
            "resource",
            (rtype, "wandb"),
            (Attr("name", "NEW_NAME"), Comment("... location and the rest"), BLANK, *settings),
        )
        inputs: tuple[Item, ...] = (
            (
                Attr("storage_account", Ref("azurerm_storage_account.wandb.name")),
                Attr("blob_container", Ref("azurerm_storage_container.wandb.name")),
            )
            if azure
            else (Attr("bucket_name", Ref(f"{rtype}.wandb.name")),)
        )
        container: tuple[Item, ...] = (
            (
                BLANK,
                Block(
                    "resource",
                    ("azurerm_storage_container", "wandb"),
                    (
                        Attr("name", "wandb"),
                        Attr("storage_account_name", Ref("azurerm_storage_account.wandb.name")),
                    ),
                ),
            )
            if azure
            else ()
        )
        call = Block("module", (module.removeprefix("module."),), (Comment("..."), *inputs))
        return terraform(
            (created, *container, BLANK, call),
            f"{module} creates it without this setting and has no input for it: create it yourself "
            f"({bucket.tf_file or 'beside the module call'}) and give it to the module",
        )
    resource = Block("resource", (rtype, "wandb"), (Attr("name", default_name), Comment("..."), *settings))
    return terraform((resource,))
