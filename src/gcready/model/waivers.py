"""An accepted exception: a finding the team knows about, with a reason and an expiry date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from gcready.model.evidence import JSON, Origin, fields_json


@dataclass(frozen=True)
class Waiver:
    """One ``[[waiver]]`` entry: findings of ``check`` on a matching ``resource`` are waived until ``expires``.

    ``resource`` is the finding's resource exactly, or an ``fnmatch`` glob (``s3://legacy-*``). The waiver
    applies up to and including its ``expires`` day (UTC); from the day after, it no longer applies.
    """

    check: str
    resource: str
    reason: str
    expires: date
    ticket: str = ""
    owner: str = ""
    origin: Origin | None = None  # the file and line of its [[waiver]] header
    deployment: str = ""  # a fleet deployment's name or glob; empty: every deployment

    def applies_to(self, deployment: str | None) -> bool:
        """Whether the waiver may waive findings of ``deployment`` (a fleet member's name; None: a single
        run, which only an unlimited waiver applies to, so a waiver meant for one deployment hides nothing
        elsewhere)."""
        if not self.deployment:
            return True
        return deployment is not None and (
            deployment == self.deployment or fnmatchcase(deployment, self.deployment)
        )

    def matches(self, check: str, resource: str) -> bool:
        """Same check id, and the resource equal to ``resource`` or matching it as a glob (case-sensitive)."""
        return check == self.check and (resource == self.resource or fnmatchcase(resource, self.resource))

    def expired(self, today: date) -> bool:
        """True from the day after ``expires``: on the expiry day itself the waiver still applies."""
        return self.expires < today

    def describe(self) -> str:
        """``reason (expires 2027-01-31, ticket OPS-142, owner platform)``: what every format shows."""
        parts = [f"expires {self.expires.isoformat()}"]
        if self.ticket:
            parts.append(f"ticket {self.ticket}")
        if self.owner:
            parts.append(f"owner {self.owner}")
        if self.deployment:
            parts.append(f"deployment {self.deployment}")
        return f"{self.reason} ({', '.join(parts)})"

    def to_json(self) -> dict[str, JSON]:
        """The waiver as the JSON report writes it (``finding.waiver``)."""
        return {
            **fields_json(self, "check", "resource", "reason"),
            "expires": self.expires.isoformat(),
            **fields_json(self, "ticket", "owner"),
            "origin": self.origin.to_json() if self.origin else None,
            **({"deployment": self.deployment} if self.deployment else {}),
        }
