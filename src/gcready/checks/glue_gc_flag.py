"""glue-gc-flag: GORILLA_GLUE_ARTIFACT_GC_ENABLED, reported as context (its effect is unconfirmed)."""

from __future__ import annotations

from gcready.checks.base import described
from gcready.checks.blocker_common import env_report_check

VAR = "GORILLA_GLUE_ARTIFACT_GC_ENABLED"

META = described("glue-gc-flag")


def _report(value: str, where: str) -> tuple[str, str]:
    return (
        f"{VAR} is {value!r} in {where}",
        "Relation to the main flag (GORILLA_ARTIFACT_GC_ENABLED) unconfirmed; the operator chart "
        "hard-codes it false for glue. Not a verdict: the collector is judged by gc-env-flag.",
    )


CHECK = env_report_check(
    META, VAR, "Nothing to report (the operator chart sets it false for glue when it renders).", _report
)
