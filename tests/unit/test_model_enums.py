"""The closed enums of the verdicts: their values are what the reports print, so they stay fixed."""

from __future__ import annotations

import json

from gcready.checks import CATALOG
from gcready.model import BLOCKING_TIERS, DecidedBy, ExitCode, Tier


def test_tiers_rank_in_declaration_order() -> None:
    assert [t.value for t in Tier] == [
        "gc-never-runs",
        "gc-cannot-delete",
        "storage-held",
        "delay",
        "context",
    ]
    assert [t.rank for t in Tier] == [1, 2, 3, 4, 5]
    assert {t for t in Tier if t.rank < Tier.DELAY.rank} == BLOCKING_TIERS


def test_every_check_has_a_tier() -> None:
    assert all(isinstance(check.meta.tier, Tier) for check in CATALOG)


def test_values_serialise_as_before() -> None:
    assert json.dumps({"tier": Tier.STORAGE_HELD, "by": DecidedBy.OVERRIDE, "exit": ExitCode.UNKNOWN}) == (
        '{"tier": "storage-held", "by": "override", "exit": 5}'
    )
    assert f"{DecidedBy.UNDECIDED}" == "undecided" and str(ExitCode.FAIL) == "3"


def test_exit_codes() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "INTERNAL": 1,
        "INPUT": 2,
        "FAIL": 3,
        "WARN": 4,
        "UNKNOWN": 5,
        "INTERRUPTED": 130,
    }


def test_verdicts_are_one_enum_ordered_worst_first() -> None:
    from gcready.model import Verdict

    assert [v.value for v in Verdict] == ["error", "fail", "unknown", "pass"]
    assert Verdict.worst([Verdict.PASS, Verdict.UNKNOWN, Verdict.FAIL]) is Verdict.FAIL
    assert Verdict.worst([Verdict.PASS, Verdict.UNKNOWN]) is Verdict.UNKNOWN
    assert Verdict.worst([]) is Verdict.PASS  # an empty fleet has nothing failing
