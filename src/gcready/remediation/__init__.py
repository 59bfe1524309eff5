"""Fixes: what a finding's :mod:`remedy <gcready.model.remedy>` asks for, written for the deployment found.

Checks say what is wrong and what to change (a remedy, as data); this package writes how: commands,
Terraform and YAML, aimed at where the evidence says the setting lives. ``pipeline.analyze`` calls
:func:`attach` once every check has run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from gcready.model import Finding, Fix
from gcready.model.remedy import Example, Remedy, SetEnv
from gcready.remediation.bucket import bucket_fixes
from gcready.remediation.set_env import set_env_fixes


def fixes_for(remedy: Remedy) -> tuple[Fix, ...]:
    """Every fix for one remedy, commands first."""
    match remedy:
        case SetEnv():
            return set_env_fixes(remedy)
        case _:
            return bucket_fixes(remedy).fixes


def attach(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings with the fixes their remedies ask for, after any fix the check wrote itself."""
    return tuple(
        f if f.remedy is None else replace(f, fixes=(*f.fixes, *fixes_for(f.remedy))) for f in findings
    )


def example_fixes(examples: Iterable[Example]) -> tuple[Fix, ...]:
    """The fixes ``gcready explain`` shows for a check's examples (example names, not the user's)."""
    return tuple(fix for example in examples for fix in fixes_for(example.remedy)[: example.first])


__all__ = ["attach", "example_fixes", "fixes_for"]
