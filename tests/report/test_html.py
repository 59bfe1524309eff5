"""The HTML report: one self-contained file to read, print, and attach to a ticket."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from gcready.model import Report
from gcready.report import Format, html, render

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "embed", "source", "track", "wbr"}


class _Page(HTMLParser):
    """What a reader (and the copy button) gets: ``<pre><code>`` texts, tags, classes, tag balance."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.unbalanced: list[str] = []
        self.codes: list[str] = []
        self.classes: list[str] = []
        self.tags: list[str] = []
        self._in_pre_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.classes += (dict(attrs).get("class") or "").split()
        if tag == "code" and self.stack and self.stack[-1] == "pre":
            self._in_pre_code = True
            self.codes.append("")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in_pre_code = False
        if not self.stack or self.stack[-1] != tag:
            self.unbalanced.append(tag)
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_pre_code:
            self.codes[-1] += data


def _parse(document: str) -> _Page:
    page = _Page()
    page.feed(document)
    page.close()
    return page


def _fixes(report: Report) -> list[str]:
    """Every fix, in the page's order: what needs attention (most serious first), then passes, then the rest."""
    from gcready.model import Status
    from gcready.report.text import by_severity

    attention = by_severity([f for f in report.findings if f.status in _ATTENTION])
    passed = [f for f in report.findings if f.status is Status.PASS]
    rest = [f for f in report.findings if f.status in (Status.INFO, Status.SKIP)]
    return [fix.text for finding in (*attention, *passed, *rest) for fix in finding.fixes]


_ATTENTION = ("error", "fail", "unknown", "warn")


def test_is_one_well_formed_document(any_report: Report) -> None:
    document = html.render(any_report)
    assert document.startswith("<!DOCTYPE html>")
    page = _parse(document)
    assert page.unbalanced == [] and page.stack == []


def test_nothing_is_fetched_from_anywhere(any_report: Report) -> None:
    document = html.render(any_report)
    # Report data may mention https://api.wandb.ai as text; no attribute or CSS may point anywhere.
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", document, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", document, re.I)
    assert not re.search(r"\b(?:src|href)\s*=", document, re.I)
    assert "@import" not in document
    assert {"link", "img", "iframe", "object"}.isdisjoint(_parse(document).tags)


def test_report_data_is_escaped(failing_report: Report) -> None:
    planted = dataclasses.replace(
        failing_report.findings[1],
        title='<img src=x onerror="alert(1)">',
        detail="<script>alert('pwned')</script>",
        resource="</code></pre><b>bold</b>",
    )
    report = dataclasses.replace(failing_report, findings=(planted,))
    document = html.render(report)
    assert "<script>alert(" not in document
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in document
    assert "<img" not in document and "<b>bold" not in document
    page = _parse(document)
    assert page.tags.count("script") == 1  # the report's own copy-button script, nothing else
    assert page.unbalanced == []


def test_every_fix_is_in_a_pre_code_block_verbatim(failing_report: Report, passing_report: Report) -> None:
    for report in (failing_report, passing_report):
        page = _parse(html.render(report))
        assert page.codes == _fixes(report)  # exactly what the copy button copies (textContent)


def test_each_fix_has_a_copy_button_that_degrades(failing_report: Report) -> None:
    document = html.render(failing_report)
    assert document.count('<button type="button" class="copy" hidden>Copy</button>') == len(
        _fixes(failing_report)
    )
    assert "navigator.clipboard" in document  # shown only when the Clipboard API exists


@pytest.mark.parametrize(
    ("fixture", "verdict"),
    [("failing_report", "fail"), ("passing_report", "pass"), ("input_error_report", "error")],
)
def test_verdict_banner(request: pytest.FixtureRequest, fixture: str, verdict: str) -> None:
    report: Report = request.getfixturevalue(fixture)
    document = html.render(report)
    assert f'<header class="verdict verdict-{verdict}"' in document
    assert f".verdict-{verdict} {{" in document  # and the stylesheet colours it


def test_unknown_banner() -> None:
    from gcready.model import Deployment, Finding, Severity, Status

    finding = Finding(
        "bucket-versioning", Status.UNKNOWN, Severity.HIGH, "Could not read", "", "s3://b", needs="x"
    )
    report = Report(
        "0.1.0", "2025-03-14T09:26:53Z", "audit", False, "v", "built-in",
        Deployment(None, frozenset(), "undecided"), (), (finding,),
    )  # fmt: skip
    assert '<header class="verdict verdict-unknown"' in html.render(report)


def test_deployment_evidence_requirements_and_findings(failing_report: Report) -> None:
    document = html.render(failing_report)
    assert "customer-managed-cloud" in document and "Customer-managed cloud" in document
    assert "<code>wandb-cr.yaml:14 (spec.values.global.cloudProvider)</code>" in document
    assert (
        "<code>wandb-cr.yaml:27 (spec.values.global.extraEnv.GORILLA_ARTIFACT_GC_ENABLED)</code>" in document
    )
    assert "WANDB_BASE_URL points at shared cloud" in document  # the conflict
    assert "<code>GORILLA_ARTIFACT_GC_ENABLED=true</code>" in document  # requirements table header
    classes = _parse(document).classes
    assert classes.count("finding") == len(failing_report.findings)
    assert "s3:GetBucketVersioning on arn:aws:s3:::acme-wandb-backups" in document  # needs
    assert "GORILLA_GLUE_ARTIFACT_GC_ENABLED" in document  # note


def test_input_errors_and_candidates(input_error_report: Report) -> None:
    document = html.render(input_error_report)
    assert "<code>values.yaml:14</code>: not valid YAML: mapping values are not allowed here" in document
    assert "<code>customer-managed-cloud</code>, <code>customer-managed-onprem</code>" in document


def test_version_and_time_are_shown(failing_report: Report) -> None:
    document = html.render(failing_report)
    assert "gcready 0.1.0" in document and "2025-03-14T09:26:53Z" in document


def test_prints_in_black_and_white(failing_report: Report) -> None:
    document = html.render(failing_report)
    print_css = document[document.index("@media print") : document.index("</style>")]
    assert "button.copy { display: none" in print_css
    assert "pre { white-space: pre-wrap" in print_css
    assert "break-inside: avoid" in print_css


def test_dispatch_renders_html(failing_report: Report) -> None:
    assert render(failing_report, Format.HTML) == html.render(failing_report)


def _section(document: str, start: str, end: str) -> str:
    return document[document.index(start) : document.index(end, document.index(start))]


def test_attention_comes_first_most_serious_first(failing_report: Report) -> None:
    from gcready.model import Severity, Status

    fail, unknown, warn = (
        dataclasses.replace(failing_report.findings[1], status=status, severity=severity, title=title)
        for status, severity, title in [
            (Status.FAIL, Severity.LOW, "the fail"),
            (Status.UNKNOWN, Severity.CRITICAL, "the unknown"),
            (Status.WARN, Severity.HIGH, "the warn"),
        ]
    )
    passed = failing_report.findings[0]
    report = dataclasses.replace(failing_report, findings=(passed, warn, unknown, fail))
    document = html.render(report)
    attention = _section(document, '<section id="attention">', "</section>")
    assert attention.index("the fail") < attention.index("the unknown") < attention.index("the warn")
    assert passed.title not in attention
    # the attention section is right under the banner, before the deployment and any pass
    assert document.index("</header>") < document.index('<section id="attention">')
    assert document.index("the warn") < document.index('<section id="deployment">')
    assert document.index('<section id="deployment">') < document.index(passed.title)


def test_passes_and_skips_are_folded(failing_report: Report) -> None:
    document = html.render(failing_report)
    passed = _section(document, '<details class="fold" id="passed">', "\n</details>")
    others = _section(document, '<details class="fold" id="others">', "\n</details>")
    assert passed.count('<details class="finding status-pass">') == 1
    assert others.count('<details class="finding status-skip">') == 1
    assert "(1 skip)" in others
    assert " open" not in passed + others  # folded until opened (or printed)
    print_css = document[document.index("@media print") : document.index("</style>")]
    assert "details::details-content { content-visibility: visible" in print_css
    assert 'addEventListener("beforeprint"' in document


def test_deployment_evidence_is_shown_once(failing_report: Report) -> None:
    document = html.render(failing_report)
    deployment_fact = failing_report.findings[0].evidence[0]
    assert deployment_fact in failing_report.deployment.evidence
    shown = (
        f'<td data-label="Value"><code>{deployment_fact.value}</code></td>'
        f'<td data-label="From"><code>{deployment_fact.origin}</code></td>'
    )
    assert document.count(shown) == 1
    assert shown in _section(document, '<section id="deployment">', "</section>")
    assert "Its evidence is the deployment evidence" in document


def test_each_finding_has_its_reason_and_location(failing_report: Report) -> None:
    document = html.render(failing_report)
    attention = _section(document, '<section id="attention">', "</section>")
    for finding in failing_report.findings:
        if finding.status.value in _ATTENTION:
            assert html.show_invisible(finding.title) in attention or finding.title in attention
    assert '<p class="location">at <code>' in attention


def test_dark_mode_and_wrapping_rules(failing_report: Report) -> None:
    document = html.render(failing_report)
    assert "@media (prefers-color-scheme: dark)" in document
    assert '<meta name="color-scheme" content="light dark">' in document
    assert "overflow-wrap: anywhere" in document  # long values wrap
    assert "th, th *, td:first-child { overflow-wrap: break-word; word-break: normal" in document


def test_diagnosis_findings_are_not_repeated(failing_report: Report) -> None:
    from gcready.model import Cause, Diagnosis

    cause_finding = failing_report.findings[1]
    diagnosis = Diagnosis(
        headline="Versioning is off",
        causes=(Cause(1, "gc-cannot-delete", "Versioning is off", "why", (cause_finding,), True),),
        unseen=(),
    )
    report = dataclasses.replace(failing_report, command="diagnose", diagnosis=diagnosis)
    document = html.render(report)
    page = _parse(document)
    assert page.classes.count("finding") == len(report.findings)  # each finding once
    assert "Other findings that need attention" in document
    attention = _section(document, '<section id="attention">', "</section>")
    assert cause_finding.title not in attention
    assert document.index('<section id="diagnosis">') < document.index('<section id="attention">')
