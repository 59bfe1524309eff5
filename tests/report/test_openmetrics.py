"""The metrics format: the series a Prometheus user queries, read back with Prometheus' own text parser."""

from __future__ import annotations

from dataclasses import replace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gcready.model import Finding, Report, Severity, Status
from gcready.pipeline import ProbeRun
from gcready.redact import current
from gcready.report import Format, render
from gcready.report.context import RunContext, RunTiming
from gcready.report.openmetrics import DeploymentRun, render_fleet

Samples = dict[str, list[tuple[dict[str, str], float]]]


def parse(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return out


def value(found: Samples, name: str, **labels: str) -> float:
    matching = [v for got, v in found.get(name, []) if labels.items() <= got.items()]
    assert len(matching) == 1, f"{name}{labels}: {len(matching)} samples in {found.get(name)}"
    return matching[0]


def metrics(report: Report) -> Samples:
    return parse(render(report, Format.OPENMETRICS))


def test_a_failing_report_is_not_ready_and_names_each_finding_with_its_status(failing_report: Report) -> None:
    found = metrics(failing_report)
    assert value(found, "gcready_ready") == 0
    assert value(found, "gcready_verdict", verdict="fail") == 1
    assert value(found, "gcready_verdict", verdict="unknown") == 0
    assert (
        value(found, "gcready_finding", check="bucket-versioning", resource="s3://acme-wandb-artifacts") == 1
    )
    unread = [
        labels["status"]
        for labels, _ in found["gcready_finding"]
        if labels["resource"] == "s3://acme-wandb-backups"
    ]
    assert unread == ["unknown"]  # what gcready could not see stays unknown in the metrics too
    assert value(found, "gcready_finding", check="gc-env-flag", status="fail") == 1
    # Per check, the worst of its findings: bucket-versioning has a fail and an unknown.
    assert value(found, "gcready_check", check="bucket-versioning") == 1
    assert value(found, "gcready_check", check="bucket-versioning", status="fail") == 1
    assert value(found, "gcready_check", check="ssc-provider", status="skip") == 1
    counts = failing_report.counts()
    for status in Status:
        assert value(found, "gcready_findings", status=status.value) == counts[status]


def test_a_passing_report_is_ready_even_with_a_warning(passing_report: Report) -> None:
    found = metrics(passing_report)
    assert value(found, "gcready_ready") == 1
    assert value(found, "gcready_verdict", verdict="pass") == 1
    assert value(found, "gcready_findings", status="warn") == 1
    assert value(found, "gcready_check", check="noncurrent-expiry", status="warn") == 1


def test_an_input_error_is_never_ready(input_error_report: Report) -> None:
    found = metrics(input_error_report)
    assert value(found, "gcready_ready") == 0
    assert value(found, "gcready_verdict", verdict="error") == 1
    assert value(found, "gcready_input_errors") == 1
    assert value(found, "gcready_info", deployment_type="unknown") == 1


def test_every_series_carries_the_deployment_label(any_report: Report) -> None:
    found = metrics(any_report)
    assert found
    for name, rows in found.items():
        assert all(labels.get("deployment") == "default" for labels, _ in rows), name


def test_text_format_for_the_textfile_collector(any_report: Report) -> None:
    text = render(any_report, Format.OPENMETRICS)
    families = list(text_string_to_metric_families(text))
    assert {f.type for f in families} == {"gauge"}  # no counter _total/_created pairs, no OpenMetrics types
    assert all(s.timestamp is None for f in families for s in f.samples)  # the collector skips those files
    assert "# EOF" not in text and text.endswith("\n")
    names = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(names) == len(set(names))


def test_run_time_duration_and_probe_counts(failing_report: Report) -> None:
    assert not {"gcready_run_duration_seconds", "gcready_probes", "gcready_probes_failed"} & set(
        metrics(failing_report)
    )  # not measured: left out, not reported as 0
    context = RunContext().with_item(RunTiming(2.5)).with_item(ProbeRun(probed=3, failed=1))
    found = parse(render(failing_report, Format.OPENMETRICS, context=context))
    assert value(found, "gcready_run_duration_seconds") == 2.5
    assert value(found, "gcready_probes") == 3
    assert value(found, "gcready_probes_failed") == 1
    # generated_at 2025-03-14T09:26:53Z
    assert value(found, "gcready_last_run_timestamp_seconds") == 1741944413


def test_findings_that_would_be_one_series_are_counted_not_repeated(failing_report: Report) -> None:
    twin = failing_report.findings[1]
    found = metrics(replace(failing_report, findings=(*failing_report.findings, twin)))
    assert value(found, "gcready_finding", check=twin.check, resource=twin.resource, status="fail") == 2


def test_label_values_are_escaped_and_read_back_whole(failing_report: Report) -> None:
    odd = 'app "main"\\worker\nline two'
    finding = Finding("gc-env-flag", Status.FAIL, Severity.HIGH, "t", "d", resource=odd)
    found = metrics(replace(failing_report, findings=(finding,)))
    assert value(found, "gcready_finding", resource=odd) == 1


def test_secrets_never_reach_a_label(failing_report: Report) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    current().remember(secret)
    finding = Finding(
        "bucket-versioning", Status.FAIL, Severity.HIGH, "t", "d", resource=f"s3://AKIA:{secret}@minio/b"
    )
    text = render(replace(failing_report, findings=(finding,)), Format.OPENMETRICS)
    assert secret not in text
    assert render_fleet([DeploymentRun(f"prod-{secret}", failing_report)]).count(secret) == 0


@pytest.mark.parametrize("names", [("prod", "staging"), ("eu", "us", "apac")])
def test_a_fleet_is_one_family_per_metric_with_each_deployment_labelled(
    failing_report: Report, passing_report: Report, names: tuple[str, ...]
) -> None:
    reports = [
        DeploymentRun(name, failing_report if i % 2 == 0 else passing_report) for i, name in enumerate(names)
    ]
    text = render_fleet(reports)
    assert text.count("# TYPE gcready_ready gauge") == 1
    found = parse(text)
    for i, name in enumerate(names):
        assert value(found, "gcready_ready", deployment=name) == (0 if i % 2 == 0 else 1)
