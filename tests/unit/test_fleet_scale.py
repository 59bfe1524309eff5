"""Thousands of buckets: the analysis grows with the number of buckets, not with its square."""

from __future__ import annotations

import time
from dataclasses import replace

from gcready.model import BucketState, DeploymentType, Origin, Outcome, Reading, Status
from gcready.pipeline import ProbeRun, analyze, extra_buckets, probe_counts
from gcready.requirements import load_builtin

N = 2000


def test_an_audit_of_2000_probed_buckets_takes_seconds_not_minutes() -> None:
    evidence = extra_buckets([f"s3://fleet-{i:04d}" for i in range(N)])
    settings = (("versioning", Reading(Outcome.OK, "enabled" if i % 2 else "suspended")) for i in range(N))
    states = tuple(
        BucketState(
            b.provider,
            b.name,
            Origin("probe", path="https://s3.eu-west-1.amazonaws.com"),
            Reading(Outcome.OK, True),
            endpoint="https://s3.eu-west-1.amazonaws.com",
            settings=(setting,),
        )
        for b, setting in zip(evidence.buckets, settings, strict=True)
    )
    evidence = replace(evidence, bucket_states=states)
    started = time.monotonic()
    report = analyze(evidence, load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_CLOUD, offline=False)
    elapsed = time.monotonic() - started
    versioning = [f for f in report.findings if f.check == "bucket-versioning"]
    assert len(versioning) == N
    # Each bucket is judged by its own state: every other one suspended.
    assert sum(f.status is Status.FAIL for f in versioning) == N // 2
    assert probe_counts(evidence) == ProbeRun(probed=N, failed=0)
    assert elapsed < 5.0, f"{elapsed:.1f} s for {N} buckets (~15 s when every check scanned every state)"
