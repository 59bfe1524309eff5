"""Metrics of an audit for Prometheus: the ``--format openmetrics`` file and what ``--pushgateway`` pushes.

Written with ``prometheus-client`` in the Prometheus text format 0.0.4 (``generate_latest``), not in
OpenMetrics 1.0: node_exporter's textfile collector parses ``.prom`` files with the 0.0.4 text parser
(OpenMetrics there is an open request), rejects files whose samples carry timestamps, and knows no
OpenMetrics-only types. So every series here is a gauge without a timestamp, and a run's time is a
value (``gcready_last_run_timestamp_seconds``). The Pushgateway takes the same text.

Every series carries a ``deployment`` label: the deployment's name in a fleet run, else
:data:`DEFAULT_DEPLOYMENT`. Label values are the report's own strings, so the report must be redacted
before it gets here (the CLI does it); each label value is scrubbed once more on the way out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from gcready.model import Report, Status, Verdict
from gcready.pipeline import ProbeRun
from gcready.redact import scrub
from gcready.report.context import RunContext, RunTiming

DEFAULT_DEPLOYMENT = "default"
VERDICTS = (Verdict.PASS, Verdict.FAIL, Verdict.UNKNOWN, Verdict.ERROR)

# (name, help) of every family, in the order they are written; the README documents each.
FAMILIES: tuple[tuple[str, str], ...] = (
    (
        "gcready_ready",
        "1 when the deployment is ready for artifact garbage collection (verdict pass), else 0.",
    ),
    ("gcready_verdict", "1 for the run's verdict (pass, fail, unknown or error), 0 for the others."),
    ("gcready_finding", "Findings by check, resource and status (normally 1 per check and resource)."),
    ("gcready_check", "1 for the worst status of each check."),
    ("gcready_findings", "Number of findings of each status."),
    ("gcready_input_errors", "Number of inputs that could not be read (bad input)."),
    ("gcready_probes", "Buckets whose settings this run probed live."),
    ("gcready_probes_failed", "Probed buckets whose access or some setting could not be read."),
    ("gcready_last_run_timestamp_seconds", "Unix time of the run that wrote these metrics."),
    ("gcready_run_duration_seconds", "Seconds the run took, from reading the inputs to the verdict."),
    ("gcready_info", "1, labelled with the gcready version, the command and the deployment type."),
)
HELP = dict(FAMILIES)


def _timestamp(generated_at: str) -> float | None:
    try:
        moment = datetime.fromisoformat(generated_at)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class DeploymentRun:
    """One deployment's part of a run: its name (the ``deployment`` label), report and run context."""

    name: str
    report: Report
    context: RunContext | None = None


def families(run: DeploymentRun) -> dict[str, GaugeMetricFamily]:
    """The metric families of one deployment's run, by metric name (only the series it has values for).

    The duration comes from the context's :class:`RunTiming`, the probe counts from its
    :class:`~gcready.pipeline.ProbeRun`; a run without them has no such series (never a made-up 0).
    """
    report, context = run.report, run.context or RunContext()
    deployment = scrub(run.name)
    out: dict[str, GaugeMetricFamily] = {}

    def gauge(metric: str, labels: Sequence[str], samples: Sequence[tuple[Sequence[str], float]]) -> None:
        family = GaugeMetricFamily(metric, HELP[metric], labels=["deployment", *labels])
        for values, value in samples:
            family.add_metric([deployment, *(scrub(v) for v in values)], value)
        out[metric] = family

    verdict = report.verdict()
    gauge("gcready_ready", (), [((), 1.0 if verdict is Verdict.PASS else 0.0)])
    gauge("gcready_verdict", ("verdict",), [((v,), 1.0 if v == verdict else 0.0) for v in VERDICTS])
    # Two findings of one check on one resource with the same status would be the same series: count them.
    per_finding = Counter((f.check, f.resource, f.status.value) for f in report.findings)
    gauge(
        "gcready_finding",
        ("check", "resource", "status"),
        [(key, float(count)) for key, count in per_finding.items()],
    )
    gauge(
        "gcready_check",
        ("check", "status"),
        [((check, status.value), 1.0) for check, status in report.check_statuses().items()],
    )
    counts = report.counts()
    gauge("gcready_findings", ("status",), [((s.value,), float(counts[s])) for s in Status])
    gauge("gcready_input_errors", (), [((), float(len(report.errors)))])
    probes = context.get(ProbeRun)
    if probes is not None:
        gauge("gcready_probes", (), [((), float(probes.probed))])
        gauge("gcready_probes_failed", (), [((), float(probes.failed))])
    stamp = _timestamp(report.generated_at)
    if stamp is not None:
        gauge("gcready_last_run_timestamp_seconds", (), [((), stamp)])
    timing = context.get(RunTiming)
    if timing is not None:
        gauge("gcready_run_duration_seconds", (), [((), round(timing.duration_seconds, 3))])
    deployment_type = report.deployment.type.value if report.deployment.type is not None else "unknown"
    gauge(
        "gcready_info",
        ("version", "command", "deployment_type"),
        [((report.tool_version, report.command, deployment_type), 1.0)],
    )
    return out


class ReportCollector(Collector):
    """A collector over finished runs, one :class:`DeploymentRun` per deployment."""

    def __init__(self, runs: Sequence[DeploymentRun]) -> None:
        self.runs = tuple(runs)

    def collect(self) -> Iterator[Metric]:
        per_deployment = [families(run) for run in self.runs]
        # One family per metric name holding every deployment's samples: the text format allows one.
        for metric, _ in FAMILIES:
            present = [fams[metric] for fams in per_deployment if metric in fams]
            if not present:
                continue
            merged = present[0]
            for other in present[1:]:
                merged.samples.extend(other.samples)
            yield merged


def registry(runs: Sequence[DeploymentRun]) -> CollectorRegistry:
    """A registry holding only gcready's series for these deployments (no process or platform metrics)."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(ReportCollector(runs))
    return reg


def render_fleet(runs: Sequence[DeploymentRun]) -> str:
    """The text exposition of several deployments' runs, each sample labelled with its deployment."""
    return generate_latest(registry(runs)).decode("utf-8")


def render(report: Report, context: RunContext | None = None, deployment: str = DEFAULT_DEPLOYMENT) -> str:
    """One deployment's report in the Prometheus text format 0.0.4 (for node_exporter's textfile collector)."""
    return render_fleet([DeploymentRun(deployment, report, context)])
