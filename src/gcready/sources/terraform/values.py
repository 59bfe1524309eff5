"""Values of the Terraform evaluator: what is not known before apply is a typed ``Unknown``."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any

COMPUTED = "computed in Terraform"


class Why(enum.Enum):
    """Why a value is not known."""

    INPUT = "input"  # a variable with no default and no value in the given tfvars
    APPLY = "apply"  # computed at apply time (another resource's attribute, a module output, data)
    UNSUPPORTED = "unsupported"  # an expression this reader does not evaluate


@dataclass(frozen=True)
class Unknown:
    """A value Terraform would compute; ``reason`` says from what, ``why`` which kind of gap it is."""

    reason: str
    why: Why = Why.APPLY


@dataclass(frozen=True)
class Ref:
    """A reference to a resource (``aws_s3_bucket.x.id``): links settings resources to their bucket."""

    address: str
    attr: str

    @property
    def reason(self) -> str:
        return f"{COMPUTED}: {self.address}.{self.attr} (known after apply)"

    @property
    def why(self) -> Why:
        return Why.APPLY


class EvalError(ValueError):
    """What Terraform reports as an error (a missing key, a wrong type): ``try`` / ``can`` catch it."""


def is_unknown(value: Any) -> bool:
    """Whether a value is unknown or holds an unknown anywhere."""
    if isinstance(value, Unknown | Ref):
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def first_unknown(value: Any) -> Unknown | Ref | None:
    if isinstance(value, Unknown | Ref):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        found = first_unknown(item)
        if found is not None:
            return found
    return None


def number(value: float) -> int | float:
    """Terraform numbers are decimals: 4/2 is 2, 0.1 + 0.2 is 0.3 (to 15 significant digits)."""
    if isinstance(value, bool):
        raise EvalError("a number is required")
    if isinstance(value, int):
        return value
    if math.isinf(value) or math.isnan(value):
        return value
    rounded = float(f"{value:.15g}")
    if rounded.is_integer() and abs(rounded) < 2**63:
        return int(rounded)
    return rounded


def to_string(value: Any) -> str:
    """How Terraform converts a primitive to a string (template interpolation, ``tostring``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        rounded = number(value)
        return str(rounded) if isinstance(rounded, int) else f"{rounded:.15g}"
    if isinstance(value, str):
        return value
    if value is None:
        raise EvalError("a null value cannot be used in a string")
    raise EvalError("a string is required")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("a number is required")
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, str):
        try:
            parsed = float(value)
        except ValueError:
            raise EvalError("a string that is not a number") from None
        return number(parsed)
    raise EvalError("a number is required")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise EvalError("a bool is required")


def same(left: Any, right: Any) -> bool:
    """Terraform's ``==``: equal values of the same type (``1 == "1"`` is false, ``1 == 1.0`` true)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return number(left) == number(right)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and bool(left == right)
