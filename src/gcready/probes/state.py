"""Building a probe's result: readings of settings, and the :class:`BucketState` they make up."""

from __future__ import annotations

from datetime import UTC, datetime

from gcready.model import (
    JSON,
    BucketRef,
    BucketState,
    Origin,
    Outcome,
    Reading,
    Setting,
    Toggle,
    VersioningStatus,
)
from gcready.probes.answers import not_understood


def now_iso() -> str:
    """The current time, ISO-8601 UTC to the second (``2026-01-02T03:04:05Z``)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def ok(value: JSON) -> Reading:
    """A setting that was actually read."""
    return Reading(outcome=Outcome.OK, value=value)


def failed(outcome: Outcome, reason: str, permission: str = "") -> Reading:
    """A setting that could not be read, and why."""
    return Reading(outcome=outcome, value=None, reason=reason, permission=permission)


class StateBuilder:
    """Collects the readings of one probe and turns them into a :class:`BucketState`."""

    def __init__(self, bucket: BucketRef, endpoint: str, region: str | None = None) -> None:
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = region
        self.access: Reading = failed(Outcome.ERROR, "not probed")
        self.settings: list[tuple[Setting, Reading]] = []

    def set(self, name: Setting, reading: Reading) -> None:
        """Record (or replace) the reading of one setting."""
        self.settings = [(k, v) for k, v in self.settings if k != name]
        self.settings.append((name, reading))

    def build(self) -> BucketState:
        """The finished state, stamped with the time."""
        return BucketState(
            provider=self.bucket.provider,
            name=self.bucket.name,
            origin=Origin(source="probe", path=self.endpoint),
            access=self.access,
            account=self.bucket.account,
            endpoint=self.endpoint,
            region=self.region,
            settings=tuple(self.settings),
            observed_at=now_iso(),
        )


def s3_versioning(status: object, mfa_delete: object) -> JSON:
    """The versioning and MFA delete an S3 ``GetBucketVersioning`` answer says, as the settings record them.

    Raises :class:`InvalidAnswer` for a ``Status`` or ``MfaDelete`` S3 does not document (``enabled``,
    ``Disabled`` as a status): such an answer is not "versioning off", it is one gcready cannot read.
    """
    try:
        versioning = VersioningStatus.from_s3(status)
    except ValueError:
        raise not_understood("the versioning Status", status, "Enabled, Suspended, absent") from None
    try:
        mfa = Toggle.from_s3(mfa_delete)
    except ValueError:
        raise not_understood("MfaDelete", mfa_delete, "Enabled, Disabled, absent") from None
    return {"versioning": versioning, "mfa_delete": mfa}


def halted(access: Reading) -> bool:
    """After this access reading, reading settings is pointless (missing bucket, dead endpoint)."""
    return access.outcome in (Outcome.NOT_FOUND, Outcome.UNREACHABLE, Outcome.TIMEOUT)


def record_versioning(builder: StateBuilder, access: Reading, versioning: Reading) -> bool:
    """Record a versioning answer (:func:`s3_versioning`) as :attr:`Setting.VERSIONING` and
    :attr:`Setting.MFA_DELETE`.

    Returns True when the answer shows the bucket is missing (the probe then stops: nothing else is
    read, and nothing is reported as "off").
    """
    if versioning.ok and isinstance(versioning.value, dict):
        builder.set(Setting.VERSIONING, ok(versioning.value.get("versioning")))
        builder.set(Setting.MFA_DELETE, ok(versioning.value.get("mfa_delete")))
    else:
        builder.set(Setting.VERSIONING, versioning)
        builder.set(Setting.MFA_DELETE, versioning)
    if (
        access.outcome is Outcome.DENIED
        and versioning.outcome is Outcome.DENIED
        and not versioning.permission
    ):
        # A HEAD answer has no body; the versioning answer says the keys themselves were rejected.
        builder.access = versioning
    if versioning.outcome is Outcome.NOT_FOUND:
        builder.access = versioning
        builder.settings = []
        return True
    return False
