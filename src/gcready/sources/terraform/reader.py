"""One root module's reader: it walks the root and the modules it calls, then chooses the W&B bucket
and emits buckets, their declared settings, components and notes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from gcready.model import (
    BucketRef,
    BucketState,
    Component,
    Evidence,
    InputError,
    InputFile,
    Note,
    Origin,
    Outcome,
    Provider,
    Reading,
    Setting,
    Signal,
    Toggle,
    VersioningStatus,
    unique,
)
from gcready.sources.terraform import wandb as tfwandb
from gcready.sources.terraform.candidates import BucketCandidate, Resource, _ok
from gcready.sources.terraform.config import (
    _MODULE_PATH,
    Scope,
    _block,
    _instances_unknown,
    _load_dir,
    _none_created,
    _relative,
    _strip_index,
)
from gcready.sources.terraform.declarations import Located, ModuleDir
from gcready.sources.terraform.modules import (
    _CONNECTOR,
    _LOOKALIKE,
    _WANDB_HELM,
    _WANDB_PROVIDER,
    _WANDBISH,
    WandbCall,
    WandbInputs,
    _module_prefix,
    _wandb_kind,
    _wandb_subdir,
)
from gcready.sources.terraform.settings import (
    GCS_DEFAULT_SOFT_DELETE_SECONDS,
    BucketSettings,
    _s3_status,
    versioning_doubt,
)
from gcready.sources.terraform.values import COMPUTED, Ref, Unknown

_META_ARGS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


class Reader(WandbInputs, BucketSettings):
    dirs: dict[str, ModuleDir]

    def __init__(self) -> None:
        self.components: list[Component] = []
        self.signals: list[Signal] = []
        self.buckets: list[BucketRef] = []
        self.states: list[BucketState] = []
        self.notes: list[Note] = []
        self.errors: list[InputError] = []
        self.resources: list[Resource] = []
        self.wandb: list[WandbCall] = []
        self.env_buckets: list[BucketRef] = []
        self.passed: list[tuple[Any, WandbCall]] = []  # bucket_name values given to W&B modules
        self.helm_refs: list[str] = []  # resources named by a wandb/wandb/helm call's global.bucket.name
        self.minio_endpoint: str | None = None
        self.root = ""  # the root module's folder, relative to the tree, when the tree has several
        self.base = ""  # the folder every root is under

    def used_instances(self, address: str) -> set[str] | None:
        """The indices of ``address`` (a counted bucket) that W&B module inputs and Helm values name."""
        refs = [v.address for v, _call in self.passed if isinstance(v, Ref)] + self.helm_refs
        mine = [a for a in refs if _strip_index(a) == _strip_index(address)]
        if not mine or any(a == _strip_index(a) for a in mine):
            return None
        return {a[a.rindex("[") + 1 : -1] for a in mine}

    # HCL -------------------------------------------------------------------------------------

    def run_dir(self, scope: Scope, stack: tuple[str, ...]) -> None:
        mod = scope.mod
        for pname, loc in mod.providers:
            if pname == "minio" and isinstance(loc.value, dict):
                server = scope.value(loc.value.get("minio_server"))
                if isinstance(server, str):
                    self.minio_endpoint = server
        # register calls first so module.x.y references resolve in any order
        helm_calls: list[tuple[str, str, Located]] = []
        for cname, loc in mod.calls:
            body = loc.value if isinstance(loc.value, dict) else {}
            source = scope.value(body.get("source"))
            if not isinstance(source, str):
                continue
            kind = _wandb_kind(source)
            subdir = _wandb_subdir(source) if kind is not None else ""
            helm = bool(_WANDB_HELM.search(source.split("?")[0]))
            if (kind is not None or helm) and _none_created(scope, body):
                self.notes.append(
                    Note(
                        f'module "{cname}": count/for_each makes no instance of {source}; not audited',
                        Origin(loc.file.path, loc.line, f"{scope.prefix}module.{cname}"),
                    )
                )
                continue
            if helm:
                helm_calls.append((cname, source, loc))
            elif kind is not None and subdir == tfwandb.CONNECTOR_SUBDIR:
                # the BYOB connector: a bucket for a W&B-hosted server, no server of its own
                scope.wandb_calls[cname] = self._connector_call(scope, cname, kind, source, body, loc)
            elif kind is not None and subdir:
                self.notes.append(
                    Note(
                        f'module "{cname}": {source} is a submodule of W&B\'s module; what it creates is not read',
                        Origin(loc.file.path, loc.line, f"{scope.prefix}module.{cname}"),
                    )
                )
            elif kind is not None:
                scope.wandb_calls[cname] = self._wandb_call(scope, cname, kind, source, body, loc)
            elif source.startswith(("./", "../")):
                child_dir = os.path.normpath(os.path.join(mod.path, source))
                child = self.dirs.get(child_dir) or _load_dir(self.dirs, child_dir, self.errors)
                if child is None:
                    self.notes.append(
                        Note(
                            f'module "{cname}": {source} is not among the inputs; what it creates is not read',
                            Origin(loc.file.path, loc.line, f"{scope.prefix}module.{cname}"),
                        )
                    )
                    continue
                if child_dir in stack:
                    continue
                if _none_created(scope, body):
                    self.notes.append(
                        Note(
                            f'module "{cname}": count/for_each makes no instance; what it creates is not read',
                            Origin(loc.file.path, loc.line, f"{scope.prefix}module.{cname}"),
                        )
                    )
                    continue
                args = {k: v for k, v in body.items() if k not in _META_ARGS}
                scope.children[cname] = Scope(self, child, f"{scope.prefix}module.{cname}.", args, scope)
        # resources after the calls are known: `bucket = module.wandb.bucket_name` resolves
        for rtype, name, loc in mod.resources:
            if isinstance(loc.value, dict) and _none_created(scope, loc.value):
                continue
            address = f"{scope.prefix}{rtype}.{name}"
            body = scope.value(loc.value) if isinstance(loc.value, dict) else {}
            origin = Origin(loc.file.path, loc.line, address)
            uncertain = _instances_unknown(scope, loc.value) if isinstance(loc.value, dict) else None
            self.resources.append(Resource(rtype, name, address, body, origin, uncertain=uncertain))
        for cname, child_scope in scope.children.items():
            self.run_dir(child_scope, (*stack, child_scope.mod.path))
            del cname
        for cname, loc in mod.calls:
            call = scope.wandb_calls.get(cname)
            if call is not None and not call.connector:
                self._wandb_inputs(scope, call, loc)
        for cname, source, loc in helm_calls:
            self._helm_inputs(scope, cname, source, loc)

    def emit_buckets(self) -> None:
        cands = self.candidates()
        tied_addresses: set[str] = set()
        for value, _call in self.passed:
            if isinstance(value, Ref):
                tied_addresses.add(_strip_index(value.address))
        tied_addresses.update(_strip_index(a) for a in self.helm_refs)
        for c in cands:
            name = c.resolved_name()
            if (
                _strip_index(c.address) in tied_addresses
                or (c.account_address and _strip_index(c.account_address) in tied_addresses)
                or (name and any(v == name for v, _ in self.passed if isinstance(v, str)))
                or (name and any(b.name == name and b.provider is c.provider for b in self.env_buckets))
            ):
                c.tied = True
            elif any(
                c.address.startswith(f"{_module_prefix(call)}") and not self._given_bucket(call)
                for call in self.wandb
            ):
                c.tied = True  # inside a W&B module call (plan/state JSON) that is given no bucket
        created = [call for call in self.wandb if call.created is not None]
        any_tied = (
            any(c.tied for c in cands)
            or bool(created)
            or bool(self.passed)
            or bool(self.env_buckets)
            or bool(self.helm_refs)
        )
        chosen: list[BucketCandidate] = []
        for c in cands:
            label = c.resolved_name() or c.address
            # judged by its own names (resource and bucket), not by the module path it sits in: a
            # `module.wandb_infra.module.networking.aws_s3_bucket.flow_log` is a flow-log bucket
            own = [_strip_index(c.address).rsplit(".", 1)[-1], c.resolved_name() or ""]
            if c.tied or (
                not any_tied
                and (any(_WANDBISH.search(n) for n in own) or _CONNECTOR.search(c.address))
                and not any(_LOOKALIKE.search(n) for n in own if n)
            ):
                chosen.append(c)
            else:
                why = "not the bucket the W&B deployment uses" if any_tied else "not tied to W&B by name"
                self.notes.append(Note(f"skipped {c.address} ({label}): {why}", c.origin))
        for call in created:
            if any(_strip_index(c.address) == _strip_index(call.created or "") for c in cands):
                continue  # the plan/state shows the module's real resource
            chosen.append(self._wandb_created(call))
        for c in chosen:
            self._emit(c)

    def _given_bucket(self, call: WandbCall) -> bool:
        """Whether the W&B module call is handed a bucket (``bucket_name`` a name, or a resource's): the
        module then writes it to ``global.bucket``, and the bucket it creates inside is only
        ``global.defaultBucket``, which the server does not use. A variable or local that may be ""
        leaves the module's own bucket in play."""
        for value, given_to in self.passed:
            if given_to is not call:
                continue
            if isinstance(value, str) and value:
                return True
            if isinstance(value, Ref) and _MODULE_PATH.sub("", value.address).split(".")[0] not in (
                "var",
                "local",
            ):
                return True
        return False

    def _wandb_created(self, call: WandbCall) -> BucketCandidate:
        assert call.created is not None
        provider = _WANDB_PROVIDER[call.kind]
        why = f"created by wandb/wandb/{call.kind} {call.version}"
        if call.connector:
            why = f"created by W&B's secure storage connector {call.source} {call.version}"
        origin = Origin(call.origin.source, call.origin.line, call.created)
        settings: dict[str, Reading] = {}
        account: Any = None
        if provider is Provider.AWS:
            added = [
                r for r in self.resources if r.rtype == "aws_s3_bucket_versioning" and _refers_to(r, call)
            ]
            doubt = versioning_doubt(added)
            if doubt is not None:
                settings[Setting.VERSIONING] = doubt
            elif added:
                conf = _block(added[-1].body, "versioning_configuration") or {}
                settings[Setting.VERSIONING] = _s3_status(conf.get("status"), added[-1].address)
            else:
                settings[Setting.VERSIONING] = _ok(
                    VersioningStatus.DISABLED, f"{why}: the published module enables no versioning"
                )
            settings[Setting.MFA_DELETE] = _ok(Toggle.DISABLED, why)
            settings[Setting.OBJECT_LOCK] = _ok(
                {"enabled": False, "mode": None, "days": None, "years": None}, why
            )
            settings[Setting.LIFECYCLE] = _ok([], f"{why}: no lifecycle rules")
        elif provider is Provider.GCP:
            settings[Setting.VERSIONING] = _ok(
                VersioningStatus.DISABLED, f"{why}: the published module enables no object versioning"
            )
            settings[Setting.SOFT_DELETE] = _ok(
                {"enabled": True, "days": 7, "seconds": GCS_DEFAULT_SOFT_DELETE_SECONDS},
                f"{why}: no soft_delete_policy, Google's 7-day default for new buckets",
            )
            settings[Setting.RETENTION] = _ok(None, why)
            settings[Setting.LIFECYCLE] = _ok([], why)
        else:
            settings[Setting.SOFT_DELETE] = _ok(
                {"enabled": False, "days": None}, f"{why}: the published module enables no blob soft delete"
            )
            settings[Setting.BLOB_VERSIONING] = _ok({"enabled": False}, why)
            settings[Setting.CONTAINER_SOFT_DELETE] = _ok({"enabled": False, "days": None}, why)
            settings[Setting.MANAGEMENT_POLICY] = _ok({"rules": []}, why)
            account = Unknown(f"{COMPUTED}: the storage account the module names from its namespace")
        name = Unknown(f"{COMPUTED}: the module names the bucket from its namespace and a random suffix")
        cand = BucketCandidate(provider, call.created, name, origin, settings, account=account, tied=True)
        self.notes.append(
            Note(f"{why}: the bucket is {call.created}, named by the module at apply time", origin)
        )
        return cand

    def _emit(self, c: BucketCandidate) -> None:
        name = c.resolved_name()
        if name is None:
            name = f"{c.address} (root {self.root})" if self.root else c.address
            why = c.name.reason if isinstance(c.name, Unknown | Ref) else f"{COMPUTED}: the name"
            self.notes.append(
                Note(f"{c.address}: bucket name {why}; the resource address stands for it", c.origin)
            )
        account = None
        if c.provider is Provider.AZURE:
            account = c.resolved_account()
            if account is None:
                account = c.account_address or c.address
                if self.root:
                    account = f"{account} (root {self.root})"
                self.notes.append(
                    Note(f"{c.address}: storage account name is computed in Terraform", c.origin)
                )
        self.notes.extend(c.notes)
        tf_address, tf_file, published = self._fix_place(c)
        ref = BucketRef(
            provider=c.provider,
            name=name,
            origin=c.origin,
            display=self._label(c) or _display(c.provider, name, account, c.endpoint),
            account=account,
            endpoint=c.endpoint,
            tf_address=tf_address,
            tf_file=tf_file,
            tf_published=published,
            tf_output=self._fix_output(c),
            name_known=c.resolved_name() is not None,
        )
        self.buckets.append(ref)
        self.states.append(
            BucketState(
                provider=c.provider,
                name=name,
                origin=Origin(c.origin.source, c.origin.line, c.address),
                access=Reading(Outcome.OK, True, "declared in Terraform"),
                account=account,
                endpoint=c.endpoint,
                settings=tuple(c.settings.items()),
            )
        )

    def _label(self, c: BucketCandidate) -> str | None:
        """A bucket whose name Terraform computes is shown as its resource
        (``aws_s3_bucket.file_storage in modules/file_storage, name computed``), never as a URL."""
        computed = c.resolved_name() is None
        account_computed = c.provider is Provider.AZURE and c.resolved_account() is None
        if not computed and not account_computed:
            return None
        resource = _strip_index(_MODULE_PATH.sub("", c.address))
        if c.provider is Provider.AZURE and c.account_address and (account_computed or computed):
            resource = _strip_index(_MODULE_PATH.sub("", c.account_address)) + (
                f" / container {c.resolved_name()}" if not computed else ""
            )
        inside = _MODULE_PATH.match(c.address)
        folder = os.path.dirname(c.origin.source) if c.origin.source.endswith((".tf", ".tf.json")) else ""
        synthetic = any(c.address.startswith(_module_prefix(call)) for call in self.wandb)
        if inside and (synthetic or not folder):
            where = f" in {_strip_index(inside.group(0).rstrip('.'))}"  # inside a registry module / a plan
        elif folder:
            base = os.path.commonpath([self.base, folder]) if self.base else folder
            rel = _relative(folder, base)
            where = f" in {rel}" if rel != "." else ""
        else:
            where = ""
        root = f", root {self.root}" if self.root else ""
        what = "account name computed" if not computed else "name computed"
        return f"{resource}{where} ({what}{root})"

    def _fix_output(self, c: BucketCandidate) -> str:
        """The output of the W&B module creating the bucket that names it (for fixes that refer to it)."""
        for call in self.wandb:
            if call.connector and c.address.startswith(_module_prefix(call)):
                return tfwandb.CONNECTOR_OUTPUT[call.kind]
        return "bucket_name"

    def _fix_place(self, c: BucketCandidate) -> tuple[str | None, str | None, bool]:
        """(address relative to its module, the .tf file a fix goes in, created by W&B's published module)."""
        for call in self.wandb:
            if c.address.startswith(_module_prefix(call)):
                return f"module.{call.name}", call.origin.source, True
        address, source = c.address, c.origin.source
        if c.provider is Provider.AZURE and c.account_address:  # Azure settings live on the account
            address = c.account_address
            account = next((r for r in self.resources if r.address == address), None)
            source = account.origin.source if account is not None else source
        relative = _MODULE_PATH.sub("", address)
        return relative, (source if source.endswith(".tf") else None), False

    def evidence(self, inputs: Iterable[InputFile]) -> Evidence:
        return Evidence(
            inputs=tuple(inputs),
            components=tuple(self.components),
            signals=tuple(unique(self.signals)),
            buckets=tuple(unique(self.buckets)),
            bucket_states=tuple(self.states),
            notes=tuple(unique(self.notes)),
            errors=tuple(self.errors),
        )

    def named(self, name: str) -> str:
        """A component's name, with its root when the tree has several."""
        return f"{name} in root {self.root}" if self.root else name


def _refers_to(res: Resource, call: WandbCall) -> bool:
    value = res.body.get("bucket")
    if isinstance(value, Ref) and call.created and _strip_index(value.address) == _strip_index(call.created):
        return True
    return any(
        a.startswith(_module_prefix(call)) or a == call.origin.path for a in res.references.get("bucket", [])
    )


def _display(provider: Provider, name: str, account: str | None, endpoint: str | None) -> str:
    if provider is Provider.AZURE:
        return f"az://{account}/{name}"
    scheme = {Provider.GCP: "gs", Provider.COREWEAVE: "cw"}.get(provider, "s3")
    return f"{scheme}://{endpoint + '/' if endpoint else ''}{name}"
