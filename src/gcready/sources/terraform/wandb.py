"""What W&B's published Terraform modules are, per module and version (read from their releases).

- ``wandb/wandb/aws`` (github.com/wandb/terraform-aws-wandb): ``other_wandb_env`` (from 4.0.0) is written
  to the chart's ``global.extraEnv``. ``app_wandb_env`` exists in 4.5.3–4.24.0, where it is merged into
  ``app.extraEnv`` unless ``enable_operator_alb`` is true (then ``app = {}``); 5.0.0–5.0.1 declare it and
  never use it; every other release has no such input, so Terraform rejects the argument
  ("Unsupported argument") and the plan fails.
- ``modules/secure_storage_connector`` (BYOB): a bucket for a W&B-hosted server, no server of its own.
- What each module creates when given no bucket (the address inside the module).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

# The bucket each published module creates when it is given no bucket (module path inside it).
CREATED = {
    "aws": "module.file_storage[0].aws_s3_bucket.file_storage",
    "google": "module.storage[0].module.bucket.google_storage_bucket.file_storage",
    "azurerm": "module.storage[0].azurerm_storage_container.default",
}
# What the secure storage connector submodule creates (module path inside it).
CONNECTOR_CREATED = {
    "aws": "module.file_storage.aws_s3_bucket.file_storage",
    "google": "module.resources.module.bucket.google_storage_bucket.file_storage",
    "azurerm": "module.storage.azurerm_storage_container.default",
}
CONNECTOR_SUBDIR = "modules/secure_storage_connector"
# The output naming the bucket: the main modules' ``bucket_name``; the connectors' own.
CONNECTOR_OUTPUT = {"aws": "bucket_id", "google": "bucket.name", "azurerm": "storage_container_name"}

Version = tuple[int, int, int]
_NEWEST_AWS: Version = (8, 0, 0)  # the newest release when this table was written


class InputUse(enum.Enum):
    USED = "used"  # every release the constraint allows reads the input
    IGNORED = "ignored"  # declared, never read
    ABSENT = "absent"  # no such input: Terraform rejects the argument
    MIXED = "mixed"  # the constraint allows releases that differ


@dataclass(frozen=True)
class InputRange:
    """Releases as [first release, next release after the last): no release lies between."""

    used: tuple[Version, Version]
    ignored: tuple[Version, Version] | None = None


# Releases in which an input is read (4.5.3 … 4.24.0; the next release is 5.0.0) or only declared.
_INPUTS: dict[tuple[str, str], InputRange] = {
    ("aws", "app_wandb_env"): InputRange(used=((4, 5, 3), (5, 0, 0)), ignored=((5, 0, 0), (5, 1, 0))),
}

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_INFINITY: Version = (10**6, 0, 0)


def _parse(text: str) -> tuple[Version, int] | None:
    """``4.7`` → ((4, 7, 0), 2): the version and how many parts were written."""
    match = _VERSION.match(text.strip())
    if not match:
        return None
    parts = [p for p in match.groups() if p is not None]
    nums = [int(p) for p in parts] + [0] * (3 - len(parts))
    return (nums[0], nums[1], nums[2]), len(parts)


def allowed(constraint: str | None) -> tuple[Version, Version] | None:
    """The releases a version constraint allows, as [low, high) (``!=`` is ignored: it only narrows);
    None when the constraint is not understood. No constraint means the newest release."""
    if constraint is None or not constraint.strip():
        return (_NEWEST_AWS, (_NEWEST_AWS[0], _NEWEST_AWS[1], _NEWEST_AWS[2] + 1))
    low: Version = (0, 0, 0)
    high: Version = _INFINITY
    for clause in constraint.split(","):
        clause = clause.strip()
        match = re.match(r"^(~>|>=|<=|!=|=|>|<)?\s*(.+)$", clause)
        if not match:
            return None
        op, rest = match.group(1) or "=", match.group(2)
        parsed = _parse(rest)
        if parsed is None:
            return None
        version, written = parsed
        bump = (version[0], version[1], version[2] + 1)
        if op == "=":
            low, high = max(low, version), min(high, bump)
        elif op == ">=":
            low = max(low, version)
        elif op == ">":
            low = max(low, bump)
        elif op == "<":
            high = min(high, version)
        elif op == "<=":
            high = min(high, bump)
        elif op == "~>":
            low = max(low, version)
            top = (version[0] + 1, 0, 0) if written <= 2 else (version[0], version[1] + 1, 0)
            high = min(high, top)
    return (low, high) if low < high else None


def input_use(kind: str, name: str, constraint: str | None) -> InputUse:
    """Whether the releases of module ``kind`` a constraint allows read the input ``name``.
    Inputs this table does not list are taken as read (the module's main inputs)."""
    span = _INPUTS.get((kind, name))
    if span is None:
        return InputUse.USED
    window = allowed(constraint)
    if window is None:
        return InputUse.MIXED
    low, high = window

    def within(bounds: tuple[Version, Version]) -> bool:
        return low >= bounds[0] and high <= bounds[1]

    def overlaps(bounds: tuple[Version, Version]) -> bool:
        return low < bounds[1] and high > bounds[0]

    if within(span.used):
        return InputUse.USED
    if span.ignored is not None and within(span.ignored):
        return InputUse.IGNORED
    if not overlaps(span.used) and (span.ignored is None or not overlaps(span.ignored)):
        return InputUse.ABSENT
    return InputUse.MIXED
