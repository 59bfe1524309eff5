"""What the "why are deletes stuck?" bucket checks share: scope, bucket selection and reading a setting.

These checks look beyond the requirements table (object lock, lifecycle, retention…), so they never
fail: ``warn`` when a setting keeps storage from being freed, ``info`` for a delay or context, ``pass``
when the setting was read and is fine, ``unknown`` when it could not be read, ``skip`` when it does not
apply. Only an ``ok`` reading may give pass or warn.

A setting absent from a recorded state (a hand-written or older bundle that records only versioning)
is reported as ``info`` with what gcready would need (``needs``), not ``unknown``: these settings are
not requirements, and a bundle that proves every requirement must keep its exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from gcready.checks.base import Applies, Check, CheckContext, CheckMeta, applies, skipped
from gcready.checks.buckets import buckets_in
from gcready.model import (
    BucketRef,
    BucketState,
    Component,
    EnvValue,
    Fact,
    Finding,
    Fix,
    Origin,
    Outcome,
    Provider,
    Reading,
    Setting,
    Severity,
    Status,
    provider_words,
)
from gcready.model.remedy import Remedy

S3_FAMILY = frozenset({Provider.AWS, Provider.S3_COMPATIBLE, Provider.COREWEAVE})

# The status of a setting a recorded state does not hold (see the module docstring).
NOT_RECORDED_STATUS = Status.INFO


def outcome_text(outcome: Outcome) -> str:
    return {
        Outcome.DENIED: "access denied",
        Outcome.NOT_FOUND: "bucket not found",
        Outcome.UNREACHABLE: "endpoint unreachable",
        Outcome.TIMEOUT: "timed out",
        Outcome.THROTTLED: "throttled",
        Outcome.NOT_SUPPORTED: "not supported by the endpoint",
        Outcome.ERROR: "error while reading",
        Outcome.OK: "read",
    }[outcome]


def needs_for(permission: str, outcome: Outcome, what: str) -> str:
    if permission:
        return f"the permission {permission} for the identity gcready runs as"
    if outcome is Outcome.NOT_FOUND:
        return "the right bucket name (this one does not exist, or is not visible to these credentials)"
    if outcome in (Outcome.UNREACHABLE, Outcome.TIMEOUT):
        return "network access to the storage endpoint (or a bundle collected where it is reachable)"
    return f"a successful read of {what}"


def show(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return f"{len(value)} rule(s)" if value else "no rules"
    return str(value)


@dataclass(frozen=True)
class Target:
    """One bucket a check judges, with its recorded state (region and endpoint filled in from it)."""

    bucket: BucketRef
    state: BucketState | None

    @property
    def observed(self) -> Origin | None:
        if self.state is None:
            return None
        origin = self.state.origin
        return Origin(origin.source, origin.line, self.state.observed_at or origin.path)

    @property
    def fixable(self) -> BucketRef:
        """The bucket as fix commands address it (see ``as_probed``); not for naming it in reports."""
        return as_probed(self.bucket, self.state)

    @property
    def where(self) -> Fact:
        return Fact("bucket", self.bucket.display, self.bucket.origin)


@dataclass(frozen=True)
class Got:
    """A setting read ``ok``: its value, and the fact that shows it."""

    value: object
    fact: Fact


class Judge:
    """Builds the findings of one check on one bucket (resource, facts and fixes filled in)."""

    def __init__(self, meta: CheckMeta, target: Target) -> None:
        self.meta = meta
        self.target = target
        self.facts: list[Fact] = [target.where]

    def finding(
        self,
        status: Status,
        title: str,
        detail: str,
        *,
        fixes: tuple[Fix, ...] = (),
        remedy: Remedy | None = None,
        severity: Severity | None = None,
        needs: str = "",
    ) -> Finding:
        return self.meta.finding(
            status,
            title,
            detail,
            self.target.bucket.label,
            severity=severity,
            evidence=tuple(self.facts),
            fixes=fixes if status in (Status.WARN, Status.INFO) else (),
            remedy=remedy if status in (Status.WARN, Status.INFO) else None,
            needs=needs,
        )

    def read(self, setting: Setting, label: str) -> Got | Finding:
        """The ``ok`` value of a setting, or the finding that says why there is none to judge."""
        state = self.target.state
        name = self.target.bucket.label
        if state is None:
            return self.finding(
                Status.UNKNOWN,
                f"{label} of {name} not read",
                f"The configuration names this bucket, but its settings were not read (no live probe, "
                f"and no evidence bundle records them), so gcready cannot tell whether its {label.lower()} "
                "keeps storage from being freed.",
                needs="a live probe (gcready audit without --offline, with read access to the bucket) or a "
                "bundle from gcready collect",
            )
        observed = self.target.observed
        if not state.access.ok:
            self.facts.append(Fact("access", state.access.outcome.value, observed))
            return self.finding(
                Status.UNKNOWN,
                f"{name}: {outcome_text(state.access.outcome)}",
                f"The bucket could not be read ({state.access.outcome.value}): "
                f"{state.access.reason or 'no detail'}. Its {label.lower()} is unknown.",
                needs=needs_for(state.access.permission, state.access.outcome, f"'{setting}'"),
            )
        reading = state.setting(setting)
        if reading is None:
            return self.finding(
                NOT_RECORDED_STATUS,
                f"{label} of {name} not recorded",
                f"The recorded state of this bucket has no '{setting}' setting, so gcready cannot tell "
                f"whether its {label.lower()} keeps storage from being freed.",
                needs=f"a probe or bundle that reads '{setting}' (gcready collect records it)",
            )
        return self.got(reading, setting, label, observed)

    def read_supported(self, setting: Setting, label: str, meaning: str) -> Got | Finding:
        """As :meth:`read`, but ``skip`` when the endpoint has no such feature (see :meth:`unsupported`)."""
        skipped = self.unsupported(setting, label, meaning)
        return skipped if skipped is not None else self.read(setting, label)

    def got(self, reading: Reading, setting: Setting, label: str, observed: Origin | None) -> Got | Finding:
        name = self.target.bucket.label
        fact = Fact(label, show(reading.value) if reading.ok else reading.outcome.value, observed)
        self.facts.append(fact)
        if not reading.ok:
            return self.finding(
                Status.UNKNOWN,
                f"{label} of {name}: {outcome_text(reading.outcome)}",
                f"Reading '{setting}' gave {reading.outcome.value}: {reading.reason or 'no detail'}.",
                needs=needs_for(reading.permission, reading.outcome, f"'{setting}'"),
            )
        return Got(reading.value, fact)

    def unsupported(self, setting: Setting, label: str, meaning: str) -> Finding | None:
        """``skip`` when the endpoint answered that it has no such feature (then nothing can be held)."""
        state = self.target.state
        if state is None or not state.access.ok:
            return None
        reading = state.setting(setting)
        if reading is None or reading.outcome is not Outcome.NOT_SUPPORTED:
            return None
        self.facts.append(Fact(label, reading.outcome.value, self.target.observed))
        return self.finding(
            Status.SKIP,
            f"{self.target.bucket.label}: the endpoint does not support {label}",
            f"Reading '{setting}' gave not-supported ({reading.reason or 'no detail'}): {meaning}",
        )

    def not_understood(self, setting: Setting, label: str, value: object) -> Finding:
        return self.finding(
            Status.UNKNOWN,
            f"{label} of {self.target.bucket.label}: value not understood",
            f"'{setting}' was recorded as {value!r}, which is not a value gcready knows how to judge.",
            needs=f"a probe or bundle that records '{setting}' as the bundle schema describes",
        )


def with_state(bucket: BucketRef, state: BucketState | None) -> BucketRef:
    """The bucket with the region the probe found, when the configuration did not name one."""
    if state is None or bucket.region or not state.region:
        return bucket
    return replace(bucket, region=state.region)


def as_probed(bucket: BucketRef, state: BucketState | None) -> BucketRef:
    """The bucket as a fix command must address it: the region and, when its configuration names no
    endpoint, the endpoint the probe reached it through (``AWS_ENDPOINT_URL``, ``--endpoint-url``,
    ``--bucket-option``, a connection string's BlobEndpoint, ``STORAGE_EMULATOR_HOST``).
    The providers' own public endpoints are dropped again when the fix is written."""
    bucket = with_state(bucket, state)
    if state is None or bucket.endpoint or not state.endpoint:
        return bucket
    return replace(bucket, endpoint=state.endpoint)


def run_per_bucket(
    ctx: CheckContext,
    meta: CheckMeta,
    providers: frozenset[Provider],
    judge: Callable[[Judge], Finding],
) -> list[Finding]:
    """Scope and bucket selection shared by the bucket checks; ``judge`` decides one bucket."""
    scope = applies(ctx.deployment.candidates, lambda t: ctx.requirements.row(t).versioning)
    if scope is Applies.NONE:
        return skipped(
            meta,
            f"{meta.title}: no customer bucket in this deployment type",
            "W&B manages the bucket of shared and dedicated cloud instances.",
        )
    mine = []
    for bucket in buckets_in(ctx.evidence):
        if bucket.provider in providers:
            state = ctx.evidence.state_of(bucket)
            mine.append(Target(with_state(bucket, state), state))
    if not mine:
        return skipped(
            meta,
            f"{meta.title}: no {provider_words(providers)} bucket among the inputs",
            f"This check applies to {provider_words(providers)} buckets only.",
            "bucket",
        )
    return [judge(Judge(meta, target)) for target in mine]


@dataclass(frozen=True)
class SettingRead:
    """The one setting a bucket check judges, and what an endpoint without that feature means."""

    setting: Setting
    label: str
    unsupported: str  # why nothing can be held when the endpoint answers not-supported


def bucket_check(
    meta: CheckMeta,
    providers: frozenset[Provider],
    read: SettingRead,
    decide: Callable[[Judge, object], Finding],
    not_read: Callable[[Finding], Finding] = lambda finding: finding,
) -> Check:
    """A check of one setting on each bucket of ``providers``: ``decide`` judges an ``ok`` value;
    ``not_read`` may restate the finding given when there is none (not recorded, denied, unsupported)."""

    def judge_one(judge: Judge) -> Finding:
        got = judge.read_supported(read.setting, read.label, read.unsupported)
        return decide(judge, got.value) if isinstance(got, Got) else not_read(got)

    return Check(meta, lambda ctx: run_per_bucket(ctx, meta, providers, judge_one))


def env_report_check(
    meta: CheckMeta, var: str, unset: str, report: Callable[[str, str], tuple[str, str]]
) -> Check:
    """A context check of one env var: ``skip`` (explained by ``unset``) when no component sets it, else
    one ``info`` per distinct value on the components that set it, its title and detail from
    ``report(value, components)``."""

    def run(ctx: CheckContext) -> list[Finding]:
        seen = env_sightings(ctx.evidence.components, var)
        if not seen:
            return skipped(meta, f"{var} not set in any component among the inputs", unset, "W&B server")
        findings = []
        for value, found in seen.items():
            where = ", ".join(c.name for c, _ in found)
            title, detail = report(value, where)
            findings.append(
                meta.finding(Status.INFO, title, detail, where, evidence=sighting_facts(var, found))
            )
        return findings

    return Check(meta, run)


def env_sightings(components: Iterable[Component], var: str) -> dict[str, list[tuple[Component, EnvValue]]]:
    """Each distinct value of ``var`` (``"(not readable)"`` when unknown) and where it was seen."""
    seen: dict[str, list[tuple[Component, EnvValue]]] = {}
    for component in components:
        value = component.get(var)
        if value is not None:
            shown = value.value if value.value is not None else "(not readable)"
            seen.setdefault(shown, []).append((component, value))
    return seen


def sighting_facts(var: str, found: list[tuple[Component, EnvValue]]) -> tuple[Fact, ...]:
    """One fact per place the value was set (a global value shared by several components: once)."""
    facts: dict[Origin, Fact] = {}
    for component, value in found:
        shown = value.value if value.value is not None else "(not readable)"
        facts.setdefault(value.origin, Fact(f"{var} ({component.name})", shown, value.origin))
    return tuple(facts.values())
