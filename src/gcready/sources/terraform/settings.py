"""What a bucket resource says, per provider (mirroring ``probes/``): versioning, MFA delete, Object Lock,
lifecycle (S3, MinIO), versioning, soft delete, retention, lifecycle (GCS), blob soft delete, versioning,
container soft delete, management policy (Azure)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from gcready.model import (
    Origin,
    Outcome,
    Provider,
    Reading,
    Setting,
    Toggle,
    VersioningStatus,
)
from gcready.sources.terraform.candidates import (
    BucketCandidate,
    Resource,
    _computed,
    _ok,
    _unknown_block,
    agreed,
    disagreeing,
)
from gcready.sources.terraform.config import _MODULE_PATH, _block, _block_list, _strip_index
from gcready.sources.terraform.lifecycle import (
    _as_bool,
    _as_int,
    _azure_rule,
    _gcs_rule,
    _s3_lifecycle_rule,
)
from gcready.sources.terraform.values import COMPUTED, Ref, Unknown, Why, first_unknown, is_unknown

GCS_DEFAULT_SOFT_DELETE_SECONDS = 7 * 86400
_INDEX = re.compile(r"\[([^\]]*)\]$")


_BUCKET_TYPES = frozenset(
    {
        "aws_s3_bucket",
        "google_storage_bucket",
        "azurerm_storage_account",
        "azurerm_storage_container",
        "minio_s3_bucket",
    }
)


_S3_STATUSES = ("Enabled", "Suspended", "Disabled")


def _s3_status(status: Any, what: str, provider: Provider = Provider.AWS) -> Reading:
    """``versioning_configuration.status``. The AWS provider validates it case-sensitively: any other
    spelling (``"enabled"``) is rejected at plan, so the bucket is not versioned by this code."""
    if is_unknown(status):
        return _computed(status, what)
    text = str(status)
    if text not in _S3_STATUSES and text.capitalize() in _S3_STATUSES:
        if provider is Provider.AWS:
            return _ok(
                VersioningStatus.DISABLED,
                f"{what}: status {text!r} is rejected by the AWS provider (it accepts only "
                f"{', '.join(_S3_STATUSES)}, case-sensitive): terraform plan will fail and the bucket is "
                "not versioned",
            )
        return Reading(
            Outcome.ERROR,
            None,
            f"{what}: status {text!r}: the provider may reject any spelling but 'Enabled'",
        )
    mapped = {
        "Enabled": VersioningStatus.ENABLED,
        "Suspended": VersioningStatus.SUSPENDED,
        "Disabled": VersioningStatus.DISABLED,
    }.get(text)
    if mapped is None:
        return Reading(Outcome.ERROR, None, f"{what}: status {status!r} is not one Terraform accepts")
    reason = ""
    if mapped is VersioningStatus.DISABLED:
        reason = f"{what} status Disabled: the bucket is never versioned (only valid on a new bucket)"
    return _ok(mapped, reason)


def versioning_doubt(versioning: list[Resource], provider: Provider = Provider.AWS) -> Reading | None:
    """Why the versioning resources of one bucket do not say its status (an unknown block, a count
    not known, several that disagree), or None when the last one says it."""
    hidden = next(
        (h for v in versioning if (h := _unknown_block(v.body, "versioning_configuration")) is not None), None
    )
    if hidden is not None:
        return _computed(hidden, "versioning_configuration")
    maybe = next((v for v in versioning if v.uncertain), None)
    if maybe is not None:
        return _computed(Unknown(f"{COMPUTED}: whether {maybe.address} is created ({maybe.uncertain})"), "")
    statuses = {
        str(_s3_status((_block(v.body, "versioning_configuration") or {}).get("status"), "", provider).value)
        for v in versioning
    }
    if len(statuses) > 1:
        return disagreeing(versioning, "this bucket's versioning")
    return None


def _same_input(value: Any, name: Any, address: str, bucket_address: str) -> bool:
    """Both names are the same input with no value (``var.x`` in the same module): the same string,
    whatever it is, so the settings resource is the bucket's."""
    if not (isinstance(value, Unknown) and isinstance(name, Unknown) and value.why is Why.INPUT):
        return False
    return value == name and _module_of(address) == _module_of(bucket_address)


def _module_of(address: str) -> str:
    found = _MODULE_PATH.match(address)
    return found.group(0) if found else ""


class BucketSettings:
    """The settings of each bucket-like resource of one root (the reader's resources)."""

    resources: list[Resource]
    minio_endpoint: str | None

    def candidates(self) -> list[BucketCandidate]:
        by_address = {r.address: r for r in self.resources}
        out: list[BucketCandidate] = []
        for res in self.resources:
            if res.rtype == "aws_s3_bucket":
                out.append(self._s3(res, Provider.AWS))
            elif res.rtype == "minio_s3_bucket":
                out.append(self._s3(res, Provider.S3_COMPATIBLE))
            elif res.rtype == "google_storage_bucket":
                out.append(self._gcs(res))
            elif res.rtype == "azurerm_storage_container":
                out.append(self._azure(res, by_address))
        # storage accounts no container of the tree refers to
        linked = {c.account_address for c in out if c.account_address}
        for res in self.resources:
            if res.rtype == "azurerm_storage_account" and res.address not in linked:
                out.append(self._azure_account_only(res))
        return out

    def _linked(self, res: Resource, rtype: str, attr: str = "bucket") -> list[Resource]:
        """Resources of ``rtype`` whose ``attr`` points at ``res`` (by reference or by literal name)."""
        name = (
            res.body.get("bucket")
            if res.rtype in ("aws_s3_bucket", "minio_s3_bucket")
            else res.body.get("name")
        )
        found = []
        for other in self.resources:
            if other.rtype != rtype:
                continue
            if res.address in other.references.get(attr, []):
                found.append(other)
                continue
            value = other.body.get(attr)
            if (
                (isinstance(value, Ref) and _strip_index(value.address) == _strip_index(res.address))
                or (isinstance(value, str) and isinstance(name, str) and value == name)
                or _same_input(value, name, other.address, res.address)
            ):
                found.append(other)
        return found

    def used_instances(self, address: str) -> set[str] | None:
        """The instance indices of a counted bucket resource the W&B deployment names (None: not known)."""
        return None

    def _for_instance(self, res: Resource, linked: list[Resource]) -> tuple[list[Resource], Reading | None]:
        """Of the settings resources linked to a counted bucket, those for the instance W&B uses: one
        naming ``files[0]`` says nothing of ``files[1]``; when which instance W&B uses is not known, the
        setting is not known either."""
        if "count" not in res.body and "for_each" not in res.body:
            return linked, None
        used = self.used_instances(res.address)
        kept: list[Resource] = []
        for other in linked:
            value = other.body.get("bucket")
            target = value.address if isinstance(value, Ref) else ""
            index = _INDEX.search(target)
            if index is None:
                kept.append(other)
            elif used is None or len(used) != 1:
                why = f"{other.address} is for {target} only"
                return linked, _computed(
                    Unknown(f"{COMPUTED}: {why}; which instance of {res.address} W&B uses is not known"), ""
                )
            elif index.group(1) in used:
                kept.append(other)
        return kept, None

    def _s3(self, res: Resource, provider: Provider) -> BucketCandidate:
        body = res.body
        name = body.get("bucket")
        if name is None and "bucket_prefix" in body:
            name = Unknown(f"{COMPUTED}: bucket_prefix {body.get('bucket_prefix')!r} + a random suffix")
        elif name is None:
            name = Unknown(f"{COMPUTED}: no bucket argument, Terraform names it at random")
        settings: dict[str, Reading] = {}
        vtype = (
            "minio_s3_bucket_versioning" if provider is Provider.S3_COMPATIBLE else "aws_s3_bucket_versioning"
        )
        versioning, which = self._for_instance(res, self._linked(res, vtype))
        doubt = which or versioning_doubt(versioning, provider)
        if doubt is not None:
            settings[Setting.VERSIONING] = doubt
        elif versioning:
            declared = versioning[-1]
            conf = _block(declared.body, "versioning_configuration") or {}
            status = _s3_status(conf.get("status"), declared.address, provider)
            where = Origin(declared.origin.source, declared.origin.line, declared.address)
            settings[Setting.VERSIONING] = replace(status, declared=where)
            mfa = conf.get("mfa_delete")
            if isinstance(mfa, str):
                settings[Setting.MFA_DELETE] = _ok(Toggle.of(mfa.lower() == "enabled"))
            elif mfa is None and provider is Provider.AWS:
                settings[Setting.MFA_DELETE] = _ok(
                    Toggle.DISABLED, "mfa_delete not declared: the provider default"
                )
        elif _unknown_block(body, "versioning") is not None:
            settings[Setting.VERSIONING] = _computed(_unknown_block(body, "versioning"), "versioning")
        elif _block(body, "versioning") is not None:
            enabled = (_block(body, "versioning") or {}).get("enabled")
            if is_unknown(enabled):
                settings[Setting.VERSIONING] = _computed(enabled, "versioning.enabled")
            else:
                flag = _as_bool(enabled)
                settings[Setting.VERSIONING] = _ok(
                    VersioningStatus.ENABLED if flag else VersioningStatus.DISABLED,
                    ""
                    if flag
                    else "inline versioning { enabled = false } (suspended if it was ever enabled)",
                )
        else:
            settings[Setting.VERSIONING] = _ok(
                VersioningStatus.DISABLED,
                f"no {vtype} for this bucket: the provider default, versioning never enabled",
            )
            if provider is Provider.AWS:
                settings[Setting.MFA_DELETE] = _ok(Toggle.DISABLED, "not declared: the provider default")
        if provider is Provider.AWS:
            settings[Setting.OBJECT_LOCK] = self._object_lock(res)
            settings[Setting.LIFECYCLE] = self._s3_lifecycle(res)
        endpoint = self.minio_endpoint if provider is Provider.S3_COMPATIBLE else None
        return BucketCandidate(provider, res.address, name, res.origin, settings, endpoint=endpoint)

    def _object_lock(self, res: Resource) -> Reading:
        configs = self._linked(res, "aws_s3_bucket_object_lock_configuration")
        hidden = _unknown_block(res.body, "object_lock_configuration")
        if hidden is not None:
            return _computed(hidden, "object lock")
        if configs:
            return agreed(configs, _lock_config, "Object Lock configuration")
        enabled_attr = res.body.get("object_lock_enabled")
        inline = _block(res.body, "object_lock_configuration")
        if inline is not None:
            enabled = str(inline.get("object_lock_enabled", "Enabled")).lower() == "enabled"
            return _lock(enabled, _block(_block(inline, "rule"), "default_retention") or {}, "")
        enabled = enabled_attr if enabled_attr is not None else False
        return _lock(enabled, {}, "" if enabled_attr is not None else "not declared: no Object Lock")

    def _s3_lifecycle(self, res: Resource) -> Reading:
        configs = self._linked(res, "aws_s3_bucket_lifecycle_configuration")
        if configs:
            return agreed(configs, _lifecycle_config, "lifecycle configuration")
        if _unknown_block(res.body, "lifecycle_rule") is not None:
            return _computed(_unknown_block(res.body, "lifecycle_rule"), "lifecycle_rule")
        legacy = _block_list(res.body, "lifecycle_rule")
        if legacy:
            if is_unknown(legacy):
                return _computed(first_unknown(legacy), "lifecycle_rule")
            return _ok([_s3_lifecycle_rule(r, legacy=True) for r in legacy])
        return _ok([], "no lifecycle configuration declared")

    def _gcs(self, res: Resource) -> BucketCandidate:
        body = res.body
        settings: dict[str, Reading] = {}
        versioning = _block(body, "versioning")
        if _unknown_block(body, "versioning") is not None:
            settings[Setting.VERSIONING] = _computed(_unknown_block(body, "versioning"), "versioning")
        elif versioning is None:
            settings[Setting.VERSIONING] = _ok(
                VersioningStatus.DISABLED, "no versioning block: the provider default, versioning off"
            )
        elif is_unknown(versioning.get("enabled")):
            settings[Setting.VERSIONING] = _computed(versioning.get("enabled"), "versioning.enabled")
        else:
            settings[Setting.VERSIONING] = _ok(
                VersioningStatus.ENABLED if _as_bool(versioning.get("enabled")) else VersioningStatus.DISABLED
            )
        soft = _block(body, "soft_delete_policy")
        if _unknown_block(body, "soft_delete_policy") is not None:
            settings[Setting.SOFT_DELETE] = _computed(
                _unknown_block(body, "soft_delete_policy"), "soft_delete_policy"
            )
        elif soft is None or soft.get("retention_duration_seconds") is None:
            seconds = GCS_DEFAULT_SOFT_DELETE_SECONDS
            settings[Setting.SOFT_DELETE] = _ok(
                {"enabled": True, "days": 7, "seconds": seconds},
                "no soft_delete_policy: Google's default for new buckets, 7 days",
            )
        elif is_unknown(soft.get("retention_duration_seconds")):
            settings[Setting.SOFT_DELETE] = _computed(
                soft.get("retention_duration_seconds"), "soft_delete_policy"
            )
        else:
            secs = _as_int(soft.get("retention_duration_seconds")) or 0
            days: int | float = secs // 86400 if secs % 86400 == 0 else round(secs / 86400, 3)
            settings[Setting.SOFT_DELETE] = _ok({"enabled": secs > 0, "days": days, "seconds": secs})
        retention = _block(body, "retention_policy")
        if _unknown_block(body, "retention_policy") is not None:
            settings[Setting.RETENTION] = _computed(
                _unknown_block(body, "retention_policy"), "retention_policy"
            )
        elif retention is None:
            settings[Setting.RETENTION] = _ok(None, "no retention_policy declared")
        elif is_unknown(retention):
            settings[Setting.RETENTION] = _computed(first_unknown(retention), "retention_policy")
        else:
            settings[Setting.RETENTION] = _ok(
                {
                    "seconds": _as_int(retention.get("retention_period")) or 0,
                    "locked": bool(_as_bool(retention.get("is_locked"))),
                }
            )
        rules = _block_list(body, "lifecycle_rule")
        if _unknown_block(body, "lifecycle_rule") is not None:
            settings[Setting.LIFECYCLE] = _computed(_unknown_block(body, "lifecycle_rule"), "lifecycle_rule")
        elif is_unknown(rules):
            settings[Setting.LIFECYCLE] = _computed(first_unknown(rules), "lifecycle_rule")
        else:
            settings[Setting.LIFECYCLE] = _ok(
                [_gcs_rule(r) for r in rules], "" if rules else "no lifecycle_rule declared"
            )
        return BucketCandidate(
            Provider.GCP, res.address, body.get("name", Unknown(f"{COMPUTED}: no name")), res.origin, settings
        )

    def _account_of(self, res: Resource, by_address: dict[str, Resource]) -> Resource | None:
        for attr in ("storage_account_name", "storage_account_id"):
            value = res.body.get(attr)
            if isinstance(value, Ref):
                return by_address.get(_strip_index(value.address)) or by_address.get(value.address)
            for address in res.references.get(attr, []):
                if address in by_address:
                    return by_address[address]
            if isinstance(value, str):
                for other in self.resources:
                    if other.rtype == "azurerm_storage_account" and other.body.get("name") == value:
                        return other
        return None

    def _azure(self, res: Resource, by_address: dict[str, Resource]) -> BucketCandidate:
        account = self._account_of(res, by_address)
        name = res.body.get("name", Unknown(f"{COMPUTED}: no name"))
        if account is None:
            value = res.body.get("storage_account_name") or res.body.get("storage_account_id")
            acct: Any = (
                value
                if isinstance(value, str) and "/" not in value
                else Unknown(f"{COMPUTED}: the storage account")
            )
            settings: dict[str, Reading] = {
                Setting.SOFT_DELETE: Reading(
                    Outcome.ERROR,
                    None,
                    f"{COMPUTED}: the storage account of {res.address} is not in this code",
                )
            }
            return BucketCandidate(Provider.AZURE, res.address, name, res.origin, settings, account=acct)
        cand = self._azure_settings(account, res.address, name, res.origin)
        cand.account_address = account.address
        return cand

    def _azure_account_only(self, res: Resource) -> BucketCandidate:
        name = Unknown(f"{COMPUTED}: no azurerm_storage_container of {res.address} in this code")
        cand = self._azure_settings(res, res.address, name, res.origin)
        cand.account_address = res.address
        return cand

    def _azure_settings(self, account: Resource, address: str, name: Any, origin: Origin) -> BucketCandidate:
        props = _block(account.body, "blob_properties")
        settings: dict[str, Reading] = {}
        hidden = _unknown_block(account.body, "blob_properties")
        if hidden is not None:
            for key in (Setting.SOFT_DELETE, Setting.BLOB_VERSIONING, Setting.CONTAINER_SOFT_DELETE):
                settings[key] = _computed(hidden, "blob_properties")
        elif props is None:
            settings[Setting.SOFT_DELETE] = _ok(
                {"enabled": False, "days": None},
                f"{account.address} declares no blob_properties.delete_retention_policy: blob soft delete is off",
            )
            settings[Setting.BLOB_VERSIONING] = _ok(
                {"enabled": False}, "not declared: the provider default, off"
            )
            settings[Setting.CONTAINER_SOFT_DELETE] = _ok(
                {"enabled": False, "days": None}, "not declared: off"
            )
        else:
            policy = _block(props, "delete_retention_policy")
            if _unknown_block(props, "delete_retention_policy") is not None:
                settings[Setting.SOFT_DELETE] = _computed(
                    _unknown_block(props, "delete_retention_policy"), "delete_retention_policy"
                )
            elif policy is None:
                settings[Setting.SOFT_DELETE] = _ok(
                    {"enabled": False, "days": None},
                    f"{account.address} blob_properties has no delete_retention_policy: blob soft delete is off",
                )
            elif is_unknown(policy):
                settings[Setting.SOFT_DELETE] = _computed(first_unknown(policy), "delete_retention_policy")
            else:
                days = _as_int(policy.get("days"))
                settings[Setting.SOFT_DELETE] = _ok(
                    {"enabled": True, "days": days if days is not None else 7},
                    ""
                    if days is not None
                    else "delete_retention_policy without days: the provider default, 7",
                )
            versioning = props.get("versioning_enabled")
            if is_unknown(versioning):
                settings[Setting.BLOB_VERSIONING] = _computed(versioning, "versioning_enabled")
            else:
                settings[Setting.BLOB_VERSIONING] = _ok(
                    {"enabled": bool(_as_bool(versioning))},
                    "" if versioning is not None else "not declared: off",
                )
            container = _block(props, "container_delete_retention_policy")
            if _unknown_block(props, "container_delete_retention_policy") is not None:
                settings[Setting.CONTAINER_SOFT_DELETE] = _computed(
                    _unknown_block(props, "container_delete_retention_policy"),
                    "container_delete_retention_policy",
                )
            elif container is None:
                settings[Setting.CONTAINER_SOFT_DELETE] = _ok(
                    {"enabled": False, "days": None}, "not declared: off"
                )
            elif is_unknown(container):
                settings[Setting.CONTAINER_SOFT_DELETE] = _computed(
                    first_unknown(container), "container_delete_retention_policy"
                )
            else:
                cdays = _as_int(container.get("days"))
                settings[Setting.CONTAINER_SOFT_DELETE] = _ok(
                    {"enabled": True, "days": cdays if cdays is not None else 7}
                )
        policies = [
            p
            for p in self.resources
            if p.rtype == "azurerm_storage_management_policy" and self._points_at(p, account)
        ]
        if policies:
            settings[Setting.MANAGEMENT_POLICY] = agreed(policies, _management_policy, "management policy")
        else:
            settings[Setting.MANAGEMENT_POLICY] = _ok(
                {"rules": []}, "no azurerm_storage_management_policy declared"
            )
        return BucketCandidate(
            Provider.AZURE,
            address,
            name,
            origin,
            settings,
            account=account.body.get("name", Unknown(f"{COMPUTED}: name")),
        )

    def _points_at(self, policy: Resource, account: Resource) -> bool:
        value = policy.body.get("storage_account_id")
        if isinstance(value, Ref):
            return _strip_index(value.address) == _strip_index(account.address)
        return account.address in policy.references.get("storage_account_id", [])

    # choose and emit ---------------------------------------------------------------------------


def _lock(enabled: Any, rule: Any, reason: str) -> Reading:
    if is_unknown(enabled) or is_unknown(rule):
        return _computed(first_unknown([enabled, rule]), "object lock")
    return _ok(
        {
            "enabled": bool(_as_bool(enabled)),
            "mode": rule.get("mode") if isinstance(rule.get("mode"), str) else None,
            "days": _as_int(rule.get("days")),
            "years": _as_int(rule.get("years")),
        },
        reason,
    )


def _lock_config(config: Resource) -> Reading:
    """An ``aws_s3_bucket_object_lock_configuration``: Object Lock on, with its default retention."""
    hidden = _unknown_block(config.body, "rule", "default_retention")
    if hidden is not None:
        return _computed(hidden, "object lock")
    return _lock(True, _block(_block(config.body, "rule"), "default_retention") or {}, "")


def _rules(body: dict[str, Any], what: str) -> list[Any] | Reading:
    """A settings resource's ``rule`` blocks, or the unknown reading when they are not known."""
    hidden = _unknown_block(body, "rule")
    if hidden is not None:
        return _computed(hidden, what)
    rules = _block_list(body, "rule")
    if is_unknown(rules):
        return _computed(first_unknown(rules), what)
    return list(rules)


def _lifecycle_config(config: Resource) -> Reading:
    rules = _rules(config.body, "lifecycle rules")
    if isinstance(rules, Reading):
        return rules
    return _ok([_s3_lifecycle_rule(r, legacy=False) for r in rules])


def _management_policy(policy: Resource) -> Reading:
    rules = _rules(policy.body, "management policy")
    if isinstance(rules, Reading):
        return rules
    return _ok({"rules": [_azure_rule(r) for r in rules]})
