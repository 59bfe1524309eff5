"""The pipeline's analysis: `diagnose` ranks the causes inside it, so every caller gets the same ranking."""

from __future__ import annotations

from gcready.pipeline import analyze
from gcready.requirements import load_builtin
from gcready.sources import collect
from tests.conftest import FIXTURES


def test_diagnose_ranks_the_causes_and_audit_does_not() -> None:
    evidence = collect([str(FIXTURES / "scenarios" / "operator-cr-aws-flag-yes" / "inputs")])
    audit = analyze(evidence, load_builtin(), command="audit")
    diagnosed = analyze(evidence, load_builtin(), command="diagnose")
    assert audit.diagnosis is None
    assert diagnosed.diagnosis is not None
    top = diagnosed.diagnosis.causes[0]
    assert (top.findings[0].check, top.findings[0].status.value, top.confirmed) == (
        "gc-env-flag",
        "fail",
        True,
    )
    assert top.title in diagnosed.diagnosis.headline
    assert diagnosed.findings == audit.findings  # ranking adds, it never changes a verdict
