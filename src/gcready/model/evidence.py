"""The evidence gcready reads: inputs, server components and their env, signals, buckets and their states.

Everything here is a frozen dataclass or a closed enum, so a stage can hand its result to the next
without anyone changing it behind its back. Nothing here holds a secret value: sources redact before
they build these values (see :mod:`gcready.redact`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Union

from gcready.enums import DeploymentType as DeploymentType  # re-exported: a leaf, for the CLI
from gcready.enums import SourceKind as SourceKind
from gcready.model.bucket import Provider, bucket_label, endpoint_host
from gcready.redact import Secret

if TYPE_CHECKING:
    from gcready.model.placement import Placement

JSON = Union[str, int, float, bool, None, list["JSON"], dict[str, "JSON"]]


def fields_json(record: object, *names: str) -> dict[str, JSON]:
    """``{name: record.name}``, in that order, for fields whose JSON is their value as it is."""
    return {name: getattr(record, name) for name in names}


ALL_DEPLOYMENT_TYPES: frozenset[DeploymentType] = frozenset(DeploymentType)


@dataclass(frozen=True)
class Origin:
    """Where a piece of evidence came from: a file (and line), the environment, the command line."""

    source: str
    line: int | None = None
    path: str | None = None  # where inside the source, e.g. "spec.values.global.extraEnv.X"
    via: str | None = None  # the bundle this was read through; ``source`` stays the customer's file

    @property
    def shown_source(self) -> str:
        return f"{self.source} via {self.via}" if self.via else self.source

    def __str__(self) -> str:
        place = self.shown_source if self.line is None else f"{self.source}:{self.line}"
        if self.via and self.line is not None:
            place += f" via {self.via}"
        return f"{place} ({self.path})" if self.path else place

    def to_json(self) -> dict[str, JSON]:
        return {"source": self.shown_source, "line": self.line, "path": self.path}


@dataclass(frozen=True)
class EnvValue:
    """One environment variable as a server component would see it.

    ``value`` is None when gcready cannot know it: it comes from an object not among the inputs, or it
    lives in a Secret (whose values gcready never reads), or its name looks secret (then ``redacted``).
    """

    name: str
    value: str | None
    origin: Origin
    redacted: bool = False
    unresolved: str = ""  # why the value could not be known, when value is None and not redacted
    # env sources not among the inputs that rank above this value (a later envFrom or env_file): any of
    # them may set the variable over it, so the value the server gets is not known for sure
    outranked_by: tuple[str, ...] = ()
    # the operator-wandb values layer that set it ("global.env", "app.global.env", "app.extraEnv"…), for
    # values of that chart: a fix must write at that layer or above it, or the value it loses to stays
    layer: str = field(default="", compare=False)

    @property
    def known(self) -> bool:
        return self.value is not None


class ComponentKind(enum.StrEnum):
    HELM_COMPONENT = "helm-component"
    TERRAFORM_MODULE = "terraform-module"
    TERRAFORM_HELM = "terraform-helm-module"  # W&B's Helm module: operator values under spec.values
    COMPOSE_SERVICE = "compose-service"
    HELM_LEGACY = "helm-legacy"
    K8S_CONTAINER = "k8s-container"
    OPERATOR_APP = "operator-app"  # an application of a W&B operator v2 resource
    DOTENV = "dotenv"
    PROCESS_ENV = "process-env"


@dataclass(frozen=True)
class OperatorPlacement:
    """Where a W&B operator v2 application's env is written, so a fix can add to it.

    ``global_env`` / ``app_env`` are the ``spec.wandb.legacyOverrides`` env lists as given, one JSON
    text per entry (None for an entry holding a secret, which a fix cannot write back); None when the
    list is absent.
    """

    resource: str
    namespace: str
    application: str
    version: str = ""
    global_env: tuple[str | None, ...] | None = None
    app_env: tuple[str | None, ...] | None = None


@dataclass(frozen=True)
class Component:
    """A place where a W&B server process reads its environment, with the effective variables.

    ``env`` holds the winning value of each variable after the platform's precedence; ``shadowed`` the
    values that lost. ``gaps`` lists env sources the component imports that are not among the inputs
    (an ``envFrom`` ConfigMap, ``global.extraEnvFrom``…): a variable missing from ``env`` may be there.
    """

    name: str
    kind: ComponentKind
    origin: Origin
    env: tuple[EnvValue, ...] = ()
    shadowed: tuple[EnvValue, ...] = ()
    gaps: tuple[str, ...] = ()
    runs_gc: bool = True  # is this where the artifact garbage collector runs (the app server)?
    namespace: str = ""  # Kubernetes namespace of the workload, when its manifest names one
    operator: OperatorPlacement | None = field(default=None, compare=False)  # operator v2 apps only
    placement: Placement | None = field(default=None, compare=False)  # where a fix writes its env

    def get(self, name: str) -> EnvValue | None:
        for value in self.env:
            if value.name == name:
                return value
        return None


class SignalKind(enum.StrEnum):
    """Facts that tell the deployment type apart (see detect.py for what each implies)."""

    BASE_URL = "base-url"  # WANDB_BASE_URL / Helm global.host: where clients reach W&B
    SERVER_CONFIG = "server-config"  # a self-managed server's configuration is among the inputs
    ONPREM_FLAG = "onprem-flag"  # GORILLA_ONPREM / ONPREM true
    CLOUD_PROVIDER = "cloud-provider"  # Helm global.cloudProvider
    DECLARED = "declared"  # a bundle or the command line stated the type


@dataclass(frozen=True)
class Signal:
    """A fact that tells deployment types apart (see :class:`SignalKind`), and where it was seen."""

    kind: SignalKind
    value: str
    origin: Origin


@dataclass(frozen=True)
class BucketRef:
    """A bucket (or Azure container) the deployment stores artifacts in, credentials stripped.

    ``display`` is the redacted form to show; ``credentials`` is kept in memory only so a live probe can
    use keys that came inside a W&B bucket URL: (access key id / service account email, secret key), each
    a :class:`~gcready.redact.Secret` (plain strings given here are wrapped); never compared, printed,
    or serialised.
    """

    provider: Provider
    name: str
    origin: Origin
    display: str
    account: str | None = None  # Azure storage account
    path: str | None = None
    endpoint: str | None = None  # host[:port] when not the provider's default
    region: str | None = None
    tls: bool | None = None
    had_credentials: bool = False
    credentials: tuple[Secret, Secret] | None = field(default=None, repr=False, compare=False)
    # Declared in Terraform: the address of what creates the bucket, relative to the module it is written
    # in (``aws_s3_bucket.files``; ``module.wandb`` for W&B's published module, ``tf_published``), the file
    # a fix goes in, and whether ``name`` is the real name (else Terraform computes it and ``name`` is
    # the resource address).
    tf_address: str | None = field(default=None, compare=False)
    tf_file: str | None = field(default=None, compare=False)
    tf_published: bool = field(default=False, compare=False)
    name_known: bool = field(default=True, compare=False)
    tf_output: str = field(default="bucket_name", compare=False)  # the published module's output naming it

    def __post_init__(self) -> None:
        if self.credentials is not None and not all(isinstance(c, Secret) for c in self.credentials):
            pair = tuple(c if isinstance(c, Secret) else Secret(str(c)) for c in self.credentials)
            object.__setattr__(self, "credentials", pair)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity of the bucket, the same whichever file mentions it."""
        return (self.provider.value, self.account or "", self.name, self.endpoint or "")

    @property
    def label(self) -> str:
        """How reports name the bucket: no path, no keys."""
        if self.tf_address is not None and "://" not in self.display:
            return self.display  # a Terraform resource whose name Terraform computes
        return bucket_label(self.provider, self.name, account=self.account, endpoint=self.endpoint)


class Outcome(enum.StrEnum):
    """What happened when a setting was read. Only ``ok`` carries a value a verdict may rest on."""

    OK = "ok"
    DENIED = "denied"
    NOT_FOUND = "not-found"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    THROTTLED = "throttled"
    NOT_SUPPORTED = "not-supported"
    ERROR = "error"


@dataclass(frozen=True)
class Reading:
    """One setting as read (or not) from a bucket.

    The value each setting holds is listed with its name in :class:`~gcready.model.settings.Setting`
    (the bundle schema documents them too).
    """

    outcome: Outcome
    value: JSON = None
    reason: str = ""
    permission: str = ""  # the permission that was missing, when denied
    # the resource that declares the setting when it is not the bucket's own (Terraform's
    # aws_s3_bucket_versioning): a fix edits that one, never adds a second of the same address
    declared: Origin | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def to_json(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {"outcome": self.outcome.value, "value": self.value}
        if self.reason:
            out["reason"] = self.reason
        if self.permission:
            out["permission"] = self.permission
        if self.declared is not None:
            out["declared"] = self.declared.to_json()
        return out


@dataclass(frozen=True)
class BucketState:
    """What a bucket really is, as a probe read it (or a bundle recorded it).

    ``access`` says whether the bucket itself could be reached; ``settings`` maps a setting name (a
    :class:`~gcready.model.settings.Setting`, or its string from a bundle) to its reading. A setting
    absent from ``settings`` was not read.
    """

    provider: Provider
    name: str
    origin: Origin
    access: Reading
    account: str | None = None
    endpoint: str | None = None
    region: str | None = None
    settings: tuple[tuple[str, Reading], ...] = ()
    observed_at: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.provider.value, self.account or "", self.name, self.endpoint or "")

    def setting(self, name: str) -> Reading | None:
        for key, reading in self.settings:
            if key == name:
                return reading
        return None

    @property
    def settings_map(self) -> Mapping[str, Reading]:
        return dict(self.settings)


@dataclass(frozen=True)
class InputFile:
    """A file gcready read, and what it took it for."""

    path: str
    kind: SourceKind


@dataclass(frozen=True)
class InputError:
    """A bad input: reported on one line, never as a traceback."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        place = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{place}: {self.message}"


@dataclass(frozen=True)
class Note:
    """Something a reader should know that is not a verdict (a value the chart ignores, say)."""

    text: str
    origin: Origin


@dataclass(frozen=True)
class Evidence:
    """Everything gcready learned from the inputs, merged. Serialised, it is the bundle."""

    inputs: tuple[InputFile, ...] = ()
    components: tuple[Component, ...] = ()
    signals: tuple[Signal, ...] = ()
    buckets: tuple[BucketRef, ...] = ()
    bucket_states: tuple[BucketState, ...] = ()
    notes: tuple[Note, ...] = ()
    errors: tuple[InputError, ...] = ()

    def merge(self, other: Evidence) -> Evidence:
        return Evidence(
            inputs=self.inputs + other.inputs,
            components=self.components + other.components,
            signals=self.signals + other.signals,
            buckets=self.buckets + other.buckets,
            bucket_states=self.bucket_states + other.bucket_states,
            notes=self.notes + other.notes,
            errors=self.errors + other.errors,
        )

    def unique_buckets(self) -> tuple[BucketRef, ...]:
        """Each bucket once (first mention wins), in the order first mentioned."""
        seen: dict[tuple[str, str, str, str], BucketRef] = {}
        for bucket in self.buckets:
            seen.setdefault(bucket.key, bucket)
        return tuple(seen.values())

    @cached_property
    def _states_by_bucket(self) -> dict[tuple[Provider, str, str], list[BucketState]]:
        """Recorded states by provider, name and account, in order: ``same_bucket`` needs all three equal."""
        index: dict[tuple[Provider, str, str], list[BucketState]] = {}
        for state in self.bucket_states:
            index.setdefault((state.provider, state.name, state.account or ""), []).append(state)
        return index

    def all_buckets(self) -> tuple[BucketRef, ...]:
        """Each bucket once: those the configuration names, then those only a recorded state names."""
        found = list(self.unique_buckets())
        # Indexed like the states, so thousands of buckets are not each compared with every state.
        by_key: dict[tuple[Provider, str, str], list[BucketRef]] = {}
        for bucket in found:
            by_key.setdefault((bucket.provider, bucket.name, bucket.account or ""), []).append(bucket)
        for state in self.bucket_states:
            key = (state.provider, state.name, state.account or "")
            if not any(same_bucket(state, b) for b in by_key.get(key, ())):
                display = bucket_label(
                    state.provider, state.name, account=state.account, endpoint=state.endpoint
                )
                added = BucketRef(
                    state.provider,
                    state.name,
                    state.origin,
                    display,
                    account=state.account,
                    endpoint=state.endpoint,
                    region=state.region,
                )
                found.append(added)
                by_key.setdefault(key, []).append(added)
        return tuple(found)

    def state_of(self, bucket: BucketRef) -> BucketState | None:
        """The newest recorded state of a bucket, if any."""
        found = None
        for state in self._states_by_bucket.get((bucket.provider, bucket.name, bucket.account or ""), ()):
            if same_bucket(state, bucket):
                found = state
        return found


def same_bucket(state: BucketState, bucket: BucketRef) -> bool:
    """Whether a recorded state is of this bucket; an endpoint only counts when both name one."""
    state_host, bucket_host = endpoint_host(state.endpoint), endpoint_host(bucket.endpoint)
    return (
        state.provider is bucket.provider
        and state.name == bucket.name
        and (state.account or "") == (bucket.account or "")
        and not (state_host and bucket_host and state_host != bucket_host)
    )


def unique(items: list[Any]) -> list[Any]:
    """Each item once, first mention first (values here need not be hashable)."""
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
