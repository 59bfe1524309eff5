"""Calls of W&B's published modules: ``wandb/wandb/{aws,google,azurerm}`` (the server's env from
``other_wandb_env`` / ``app_wandb_env``, the bucket it creates or is given), the secure storage connector,
and ``wandb/wandb/helm`` (``spec.values`` read as operator-wandb values)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from gcready.bucketurl import BucketURLError, parse_helm_bucket
from gcready.model import (
    BucketRef,
    Component,
    ComponentKind,
    EnvValue,
    Note,
    Origin,
    Provider,
    Signal,
    SignalKind,
)
from gcready.model.placement import TerraformHelmValues, TerraformModuleInput
from gcready.sources.envvars import read_env_var, unresolved
from gcready.sources.helm import COMPONENTS as HELM_COMPONENTS
from gcready.sources.helm import GC_COMPONENTS, env_from_gaps
from gcready.sources.helm import IGNORED_KEYS as HELM_IGNORED_KEYS
from gcready.sources.helm import deployed as helm_deployed
from gcready.sources.terraform import wandb as tfwandb
from gcready.sources.terraform.config import Scope, _raw_at, _written_at
from gcready.sources.terraform.declarations import Located
from gcready.sources.terraform.hcl import ParsedFile
from gcready.sources.terraform.values import COMPUTED, Ref, Unknown

# a W&B module's address in a Terraform registry (public, HCP Terraform's private one, or another host)
_REGISTRY = r"^(?:(?:registry\.terraform\.io|app\.terraform\.io/[^/]+|[\w.-]+/[\w.-]+)/)?wandb/wandb/"
_WANDB_REGISTRY = re.compile(_REGISTRY + r"(aws|google|azurerm)(?://.*)?$", re.I)
_WANDB_GIT = re.compile(r"(?:github\.com[/:])wandb/terraform-(aws|google|azurerm)-wandb(?:\.git)?", re.I)
# W&B's Helm module (what the cloud modules call with the operator's values under ``spec.values``).
_WANDB_HELM = re.compile(_REGISTRY + r"helm(?://.*)?$|github\.com[/:]wandb/terraform-helm-wandb", re.I)
_WANDB_PROVIDER = {"aws": Provider.AWS, "google": Provider.GCP, "azurerm": Provider.AZURE}
_SIGNAL_PROVIDER = {"aws": "aws", "google": "gcp", "azurerm": "azure"}


_LOOKALIKE = re.compile(
    r"(?:^|[-_.])(logs?|cloudtrail|flow[-_]?logs?|access[-_]?logs?|alb[-_]?logs?|tfstate|state)(?:$|[-_.])",
    re.I,
)
_WANDBISH = re.compile(r"wandb|file[-_]?storage|artifacts", re.I)
# W&B's secure storage connector (BYOB): a module that creates only the bucket a W&B-hosted server uses
_CONNECTOR = re.compile(
    r"(?:^|\.)module\.[^.]*secure_storage_connector[^.]*\.|/modules/secure_storage_connector$"
)


@dataclass
class WandbCall:
    name: str
    kind: str  # aws | google | azurerm
    source: str
    version: str
    origin: Origin
    created: str | None  # address of the bucket the module creates, None when given an external one
    connector: bool = False  # the secure storage connector submodule: a bucket, no W&B server


def _module_prefix(call: WandbCall) -> str:
    return (call.origin.path or f"module.{call.name}") + "."


def _operator_components(values: dict[str, Any]) -> list[str]:
    """The operator-wandb components the chart renders from these values (the Helm reader's rules),
    plus each component that runs the garbage collector whose section is unknown (it may be rendered)."""
    out = []
    for comp in HELM_COMPONENTS:
        section = values.get(comp)
        if isinstance(section, Unknown | Ref):
            if comp in GC_COMPONENTS:
                out.append(comp)
        elif helm_deployed(values, comp):
            out.append(comp)
    return out


def _wandb_subdir(source: str) -> str:
    """The submodule path of a W&B module source (``wandb/wandb/aws//modules/x`` → ``modules/x``)."""
    path = source.split("?")[0]
    path = re.sub(r"^[a-z0-9+]+::", "", path)
    path = re.sub(r"^(?:https?|git\+ssh|ssh|git)://", "", path)
    return path.split("//", 1)[1].strip("/") if "//" in path else ""


def _wandb_kind(source: str) -> str | None:
    src = source.strip()
    match = _WANDB_REGISTRY.match(src.split("?")[0])
    if match:
        return match.group(1).lower()
    match = _WANDB_GIT.search(src)
    return match.group(1).lower() if match else None


class WandbInputs:
    """What W&B module calls contribute to one root's evidence."""

    components: list[Component]
    signals: list[Signal]
    buckets: list[BucketRef]
    notes: list[Note]
    wandb: list[WandbCall]
    env_buckets: list[BucketRef]
    passed: list[tuple[Any, WandbCall]]
    helm_refs: list[str]

    def named(self, name: str) -> str:
        return name

    def _wandb_call(
        self, scope: Scope, cname: str, kind: str, source: str, body: dict[str, Any], loc: Located
    ) -> WandbCall:
        external = body.get("bucket_name")
        create = scope.value(body.get("create_bucket", True)) if kind == "aws" else True
        created: str | None = f"{scope.prefix}module.{cname}.{tfwandb.CREATED[kind]}"
        if kind == "azurerm":
            given = [body.get(k) for k in ("external_bucket", "storage_account", "blob_container")]
            if any(v not in (None, "", {}) for v in given):
                created = None
        elif external is not None and scope.value(external) != "":
            created = None
        if create is False:
            created = None
        return self._record_call(scope, cname, kind, source, body, loc, created)

    def _connector_call(
        self, scope: Scope, cname: str, kind: str, source: str, body: dict[str, Any], loc: Located
    ) -> WandbCall:
        created = f"{scope.prefix}module.{cname}.{tfwandb.CONNECTOR_CREATED[kind]}"
        return self._record_call(scope, cname, kind, source, body, loc, created, connector=True)

    def _record_call(
        self,
        scope: Scope,
        cname: str,
        kind: str,
        source: str,
        body: dict[str, Any],
        loc: Located,
        created: str | None,
        connector: bool = False,
    ) -> WandbCall:
        """A W&B module call (``created``: the address of the bucket it creates), kept with the others."""
        version = _call_version(scope, body, source)
        origin = Origin(loc.file.path, loc.line, f"{scope.prefix}module.{cname}")
        call = WandbCall(cname, kind, source, version, origin, created, connector=connector)
        self.wandb.append(call)
        return call

    def _env_entries(
        self,
        scope: Scope,
        value: dict[str, Any],
        raw: Any,
        written: tuple[ParsedFile, tuple[Any, ...]],
        path: str,
    ) -> list[EnvValue]:
        """The variables of an env map, each located where its value is written (the tfvars entry or the
        variable default when the map is a plain ``var.x``)."""
        out: list[EnvValue] = []
        for name, item in value.items():
            wfile, wkey = _written_at(scope, raw, name, written)
            origin = Origin(wfile.path, wfile.line(*wkey, name), f"{path}.{name}")
            if isinstance(item, Unknown | Ref):
                out.append(unresolved(name, origin, item.reason))
                continue
            if isinstance(item, dict | list):  # a valueFrom reference: the value is elsewhere
                secret = "secretKeyRef" in json.dumps(item, default=str)
                why = "from a Secret: gcready never reads Secret values" if secret else "from valueFrom"
                out.append(unresolved(name, origin, f"{why}, not among the inputs", secret=secret))
                continue
            text = (
                ("true" if item else "false")
                if isinstance(item, bool)
                else ("" if item is None else str(item))
            )
            read = read_env_var(name, text, origin)
            out.append(read.value)
            self.env_buckets.extend(read.buckets)
            self.buckets.extend(read.buckets)
            self.signals.extend(read.signals)
            self.notes.extend(read.notes)
        return out

    def _helm_inputs(self, scope: Scope, cname: str, source: str, loc: Located) -> None:
        """A ``wandb/wandb/helm`` call (what W&B's cloud modules make): ``spec.values`` are operator-wandb
        values, read with the chart's precedence (global.extraEnv < global.env < component extraEnv < env)."""
        body = loc.value if isinstance(loc.value, dict) else {}
        f, key = loc.file, loc.key
        label = f"{scope.prefix}module.{cname}"
        origin = Origin(f.path, loc.line, label)
        self.signals.append(Signal(SignalKind.SERVER_CONFIG, f"W&B Terraform module {source}", origin))
        spec = scope.value(body.get("spec"))
        values = spec.get("values") if isinstance(spec, dict) else None
        if not isinstance(values, dict):
            reason = values.reason if isinstance(values, Unknown | Ref) else "not a map"
            self.components.append(
                Component(
                    name=self.named(f'app (module "{cname}" spec.values)'),
                    kind=ComponentKind.TERRAFORM_HELM,
                    origin=origin,
                    placement=TerraformHelmValues(cname, f.path, "app"),
                    gaps=(f"spec.values: {reason}",),
                )
            )
            return
        raw_values = _raw_at(body.get("spec"), "values")

        def at(*path: str) -> Origin:
            return Origin(
                f.path, f.line(*key, "spec", "values", *path), f"{label}.spec.values.{'.'.join(path)}"
            )

        glob: dict[str, Any] = values["global"] if isinstance(values.get("global"), dict) else {}
        if isinstance(values.get("global"), Unknown | Ref):
            self.notes.append(Note(f"spec.values.global is {values['global'].reason}", at("global")))
        provider = glob.get("cloudProvider")
        if isinstance(provider, str) and provider.strip():
            self.signals.append(
                Signal(SignalKind.CLOUD_PROVIDER, provider.strip(), at("global", "cloudProvider"))
            )
        host = glob.get("host")
        if isinstance(host, str) and host.strip():
            self.signals.append(Signal(SignalKind.BASE_URL, host.strip(), at("global", "host")))
        self._helm_bucket(glob, at)
        for comp in _operator_components(values):
            section = values.get(comp)
            comp_values: dict[str, Any] = section if isinstance(section, dict) else {}
            for bad, why in HELM_IGNORED_KEYS.items():
                if bad in comp_values:
                    self.notes.append(
                        Note(
                            f"spec.values.{comp}.{bad} is ignored by the operator-wandb chart: {why}",
                            at(comp, bad),
                        )
                    )
            env: dict[str, EnvValue] = {}
            shadowed: list[EnvValue] = []
            gaps: list[str] = []
            # env sources the chart imports whole (a ConfigMap, a Secret): the flag may be there
            for owner, imported in (("global", "extraEnvFrom"), (comp, "envFrom")):
                where = f"spec.values.{owner}.{imported}"
                sources = (glob if owner == "global" else comp_values).get(imported)
                if isinstance(sources, Unknown | Ref):
                    gaps.append(f"{where}: {sources.reason}")
                else:
                    gaps.extend(env_from_gaps(sources, where))
            for section_name, var in (
                ("global", "extraEnv"),
                ("global", "env"),
                (comp, "extraEnv"),
                (comp, "env"),
            ):
                holder = values.get(section_name)
                where = f"spec.values.{section_name}.{var}"
                hidden = holder if isinstance(holder, Unknown | Ref) else None
                if hidden is None and isinstance(holder, dict) and isinstance(holder.get(var), Unknown | Ref):
                    hidden = holder[var]
                if hidden is not None:
                    # a layer whose content is unknown may set or override any variable
                    why = f"{where} is {hidden.reason.removeprefix(COMPUTED + ': ')} ({COMPUTED})"
                    if isinstance(holder, Unknown | Ref):
                        why = f"spec.values.{section_name} is {COMPUTED} ({hidden.reason.removeprefix(COMPUTED + ': ')})"
                    gaps.append(why)
                    for name, got in list(env.items()):
                        shadowed.append(got)
                        hidden_by = unresolved(name, got.origin, f"{why}: it may override this value")
                        env[name] = replace(hidden_by, layer=got.layer)
                    continue
                if not isinstance(holder, dict) or not isinstance(holder.get(var), dict):
                    continue
                raw = _raw_at(raw_values, section_name, var)
                written = (f, (*key, "spec", "values", section_name, var))
                for got in self._env_entries(scope, holder[var], raw, written, f"{label}.{where}"):
                    if got.name in env:
                        shadowed.append(env[got.name])
                    env[got.name] = replace(got, layer=f"{section_name}.{var}")
            self.components.append(
                Component(
                    name=self.named(f'{comp} (module "{cname}" spec.values)'),
                    kind=ComponentKind.TERRAFORM_HELM,
                    origin=at(comp) if comp in values else origin,
                    env=tuple(env.values()),
                    shadowed=tuple(shadowed),
                    gaps=tuple(gaps),
                    runs_gc=comp in GC_COMPONENTS,
                    placement=TerraformHelmValues(cname, f.path, comp),
                )
            )

    def _helm_bucket(self, glob: dict[str, Any], at: Callable[..., Origin]) -> None:
        """``global.bucket`` when it names a bucket, else ``global.defaultBucket`` (as the chart does):
        a literal name is a bucket; a reference ties the resource this tree creates."""
        for which in ("bucket", "defaultBucket"):
            settings = glob.get(which)
            if isinstance(settings, Unknown | Ref):
                self.notes.append(
                    Note(
                        f"spec.values.global.{which} is {settings.reason}; the bucket is not known",
                        at("global", which),
                    )
                )
                return
            if not isinstance(settings, dict) or not settings.get("name"):
                continue
            name = settings["name"]
            if isinstance(name, Ref):
                self.helm_refs.append(name.address)  # the bucket resource this tree creates
            elif isinstance(name, str):
                plain = {k: v for k, v in settings.items() if isinstance(v, str | bool | int)}
                try:
                    found = parse_helm_bucket(plain, at("global", which, "name"))
                except BucketURLError as exc:
                    self.notes.append(Note(f"global.{which}: {exc}", at("global", which)))
                else:
                    if found is not None:
                        self.buckets.append(found)
                        self.env_buckets.append(found)
            else:
                self.notes.append(
                    Note(
                        f"spec.values.global.{which}.name is {name.reason}; the bucket is not known",
                        at("global", which),
                    )
                )
            return

    def _wandb_inputs(self, scope: Scope, call: WandbCall, loc: Located) -> None:
        body = loc.value if isinstance(loc.value, dict) else {}
        f = loc.file
        key = loc.key
        label = f"{scope.prefix}module.{call.name}"
        provider = _WANDB_PROVIDER[call.kind]
        self.signals.append(
            Signal(SignalKind.SERVER_CONFIG, f"W&B Terraform module {call.source}", call.origin)
        )
        self.signals.append(Signal(SignalKind.CLOUD_PROVIDER, _SIGNAL_PROVIDER[call.kind], call.origin))
        env: dict[str, EnvValue] = {}
        shadowed: list[EnvValue] = []
        gaps: list[str] = []
        layers = [("other_wandb_env", "global.extraEnv")]
        if call.kind == "aws":
            layers.append(("app_wandb_env", "app.extraEnv"))  # terraform-aws-wandb 4.5.3-4.24.0
        constraint = None if call.version.startswith("(") else call.version
        for var, target in layers:
            if var not in body:
                continue
            fv = loc.file_of(var)  # an override file may write it
            where = Origin(fv.path, fv.line(*key, var), f"{label}.{var}")
            value = scope.value(body[var])
            use = tfwandb.input_use(call.kind, var, constraint)
            if var == "app_wandb_env" and use is tfwandb.InputUse.USED and "enable_operator_alb" in body:
                alb = scope.value(body["enable_operator_alb"])
                if alb is True:
                    use = tfwandb.InputUse.IGNORED  # the module then writes app = {}
                elif not isinstance(alb, bool):
                    value = Unknown(f"{COMPUTED}: enable_operator_alb decides whether it is read")
            if use is tfwandb.InputUse.ABSENT:
                self.notes.append(
                    Note(
                        f"{var}: wandb/wandb/{call.kind} {call.version} has no such input; terraform plan fails "
                        "(Unsupported argument) and nothing it holds reaches the server (use other_wandb_env)",
                        where,
                    )
                )
                continue
            if use is tfwandb.InputUse.IGNORED:
                self.notes.append(
                    Note(
                        f"{var}: wandb/wandb/{call.kind} {call.version} does not write it to the server "
                        "(use other_wandb_env)",
                        where,
                    )
                )
                continue
            if use is tfwandb.InputUse.MIXED:
                value = Unknown(
                    f"{COMPUTED}: whether wandb/wandb/{call.kind} {call.version} reads {var} depends on the "
                    "release installed (pin a version)"
                )
            if isinstance(value, Unknown | Ref):
                why = f"{var} ({target}): {value.reason}"
                gaps.append(why)
                for name, got in list(env.items()):  # a higher layer, unknown: it may override
                    shadowed.append(got)
                    env[name] = unresolved(name, got.origin, f"{why}: it may override this value")
                continue
            if not isinstance(value, dict):
                self.notes.append(Note(f"{var} is not a map; the module expects map(string)", where))
                continue
            for got in self._env_entries(scope, value, body[var], (fv, (*key, var)), f"{label}.{var}"):
                if got.name in env:
                    shadowed.append(env[got.name])
                env[got.name] = got
        if call.kind == "google" and "app_wandb_env" in body:
            self.notes.append(
                Note(
                    "app_wandb_env feeds app.extraEnvs, a key the operator-wandb chart never reads; the variable "
                    "is not set on the server (use other_wandb_env)",
                    Origin(f.path, f.line(*key, "app_wandb_env"), f"{label}.app_wandb_env"),
                )
            )
        self.components.append(
            Component(
                name=self.named(f'module "{call.name}" ({os.path.basename(f.path)})'),
                kind=ComponentKind.TERRAFORM_MODULE,
                origin=call.origin,
                placement=self._module_placement(call, loc),
                env=tuple(env.values()),
                shadowed=tuple(shadowed),
                gaps=tuple(gaps),
                runs_gc=True,
            )
        )
        if call.created is None:
            for var in ("bucket_name", "external_bucket", "storage_account", "blob_container"):
                if var in body:
                    value = scope.value(body[var])
                    fv = loc.file_of(var)
                    where = Origin(fv.path, fv.line(*key, var), f"{label}.{var}")
                    self.passed.append((value, call))
                    self._external(call, var, value, body, scope, where, provider)
                    break
            else:
                self.notes.append(
                    Note(
                        "create_bucket = false and no bucket_name: the bucket is not in this code",
                        call.origin,
                    )
                )

    @staticmethod
    def _module_placement(call: WandbCall, loc: Located) -> TerraformModuleInput:
        """Where a fix of the server's env goes: the module block that writes ``other_wandb_env`` (an
        override file's, when one replaces it: a fix in the original would be overridden)."""
        fv = loc.file_of("other_wandb_env")
        if fv is loc.file:
            return TerraformModuleInput(call.name, call.origin.source, call.origin.line)
        return TerraformModuleInput(call.name, fv.path, fv.line(*loc.key))

    def _external(
        self,
        call: WandbCall,
        var: str,
        value: Any,
        body: dict[str, Any],
        scope: Scope,
        where: Origin,
        provider: Provider,
    ) -> None:
        if isinstance(value, Ref):
            return  # a bucket resource of this tree: tied when buckets are chosen
        if call.kind == "azurerm":
            account = scope.value(body.get("storage_account"))
            container = scope.value(body.get("blob_container"))
            if isinstance(account, str) and account and isinstance(container, str) and container:
                self.buckets.append(
                    BucketRef(
                        Provider.AZURE, container, where, f"az://{account}/{container}", account=account
                    )
                )
            self.notes.append(
                Note(
                    f"{var}: the W&B module uses an existing storage account this Terraform does not create; "
                    "its blob soft delete is not visible here",
                    where,
                )
            )
            return
        if isinstance(value, str) and value:
            scheme = "gs" if provider is Provider.GCP else "s3"
            self.buckets.append(BucketRef(provider, value, where, f"{scheme}://{value}"))
            self.notes.append(
                Note(
                    f"bucket_name = {value!r}: an existing bucket this Terraform does not create; its versioning "
                    "is not visible here (probe it, or give a bundle)",
                    where,
                )
            )
        elif isinstance(value, Unknown):
            self.notes.append(Note(f"bucket_name is {value.reason}; the bucket is not known", where))

    # buckets ---------------------------------------------------------------------------------


def _call_version(scope: Scope, body: dict[str, Any], source: str) -> str:
    """A module call's version: its ``version`` argument, else a git source's ``?ref=``."""
    version = scope.value(body.get("version"))
    if isinstance(version, str):
        return version
    ref = re.search(r"[?&]ref=([^&]+)", source)
    return ref.group(1) if ref else "(version not pinned)"
