"""The text report as a user reads it in a terminal or a CI log."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

from gcready.model import Report, Status
from gcready.report import Format, render, text

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TAGS = "|".join(s.value.upper() for s in Status)


def _fixes(report: Report) -> list[str]:
    return [fix.text for finding in report.findings for fix in finding.fixes]


def test_first_line_is_the_verdict(
    failing_report: Report, passing_report: Report, input_error_report: Report
) -> None:
    first = text.render(failing_report, verbose=True).splitlines()[0]
    assert first.startswith("gcready: NOT READY for artifact garbage collection — ")
    assert "2 fail, 1 unknown" in first
    assert (
        text.render(passing_report)
        .splitlines()[0]
        .startswith("gcready: READY for artifact garbage collection")
    )
    assert text.render(input_error_report, verbose=True).splitlines()[0].startswith("gcready: INPUT ERROR")
    assert "1 input error" in text.render(input_error_report, verbose=True).splitlines()[0]


def test_no_escape_codes_without_color(any_report: Report) -> None:
    assert "\x1b" not in text.render(any_report, color=False, verbose=True)
    assert "\x1b" not in render(any_report, Format.TEXT)  # colour is opt-in


def test_color_goes_on_status_tags_only(failing_report: Report) -> None:
    colored = text.render(failing_report, color=True, verbose=True)
    assert "\x1b[31m\x1b[1m[FAIL]\x1b[0m" in colored  # bold red, through click.style
    assert "\x1b[33m\x1b[1m[UNKNOWN]\x1b[0m" in colored
    # Removing the coloured tags leaves no escape codes, and the rest reads exactly as without colour.
    assert "\x1b" not in re.sub(rf"(?:\x1b\[[0-9;]*m)+\[(?:{TAGS})\]\x1b\[0m", "", colored)
    assert ANSI.sub("", colored) == text.render(failing_report, color=False, verbose=True)


def test_control_characters_from_inputs_never_reach_the_terminal(failing_report: Report) -> None:
    planted = dataclasses.replace(failing_report.findings[1], detail="value \x1b[2J\x1b]0;owned\x07 here")
    report = dataclasses.replace(failing_report, findings=(planted,))
    out = text.render(report, verbose=True)
    assert "\x1b" not in out and "\x07" not in out
    assert "value \\x1b[2J" in out


def test_deployment_type_and_its_evidence_with_origins(failing_report: Report) -> None:
    out = text.render(failing_report, verbose=True)
    assert "Deployment: customer-managed-cloud (Customer-managed cloud)" in out
    assert "global.cloudProvider: aws  [wandb-cr.yaml:14 (spec.values.global.cloudProvider)]" in out
    assert "WANDB_BASE_URL points at shared cloud" in out  # the conflict


def test_requirements_row_is_shown(failing_report: Report, input_error_report: Report) -> None:
    out = text.render(failing_report, verbose=True)
    assert (
        "Customer-managed cloud (customer-managed-cloud): GORILLA_ARTIFACT_GC_ENABLED=true required; " in out
    )
    undecided = text.render(input_error_report, verbose=True)
    assert "could be: customer-managed-cloud, customer-managed-onprem" in undecided
    assert "(customer-managed-onprem): GORILLA_ARTIFACT_GC_ENABLED=true required" in undecided


def test_finding_evidence_shows_file_and_line(failing_report: Report) -> None:
    out = text.render(failing_report, verbose=True)
    assert "GORILLA_ARTIFACT_GC_ENABLED: yes  [wandb-cr.yaml:27 (" in out
    assert "bucket: s3://acme-wandb-backups  [.env:4]" in out


def test_findings_are_grouped_by_check(failing_report: Report) -> None:
    lines = text.render(failing_report, verbose=True).splitlines()
    headings = [line for line in lines if re.fullmatch(rf"[a-z-]+ \[(?:{TAGS})\]", line)]
    assert headings == [
        "deployment-type [PASS]",
        "gc-env-flag [FAIL]",
        "bucket-versioning [FAIL]",  # the worst of its two findings
        "ssc-provider [SKIP]",
    ]
    start = lines.index("bucket-versioning [FAIL]")
    end = lines.index("ssc-provider [SKIP]")
    block = "\n".join(lines[start:end])
    assert "s3://acme-wandb-artifacts" in block and "s3://acme-wandb-backups" in block


def test_unknown_says_what_it_needs(failing_report: Report) -> None:
    out = text.render(failing_report, verbose=True)
    assert "[UNKNOWN] Could not read the versioning of s3://acme-wandb-backups" in out
    assert "needs: s3:GetBucketVersioning on arn:aws:s3:::acme-wandb-backups" in out


def test_fixes_are_labelled_and_copyable_verbatim(failing_report: Report) -> None:
    lines = text.render(failing_report, verbose=True).splitlines()
    assert any(line.strip() == "fix (cli): Enable versioning" for line in lines)
    assert any(line.strip() == "fix (helm): Set the flag in the operator CR" for line in lines)
    for fix in _fixes(failing_report):
        fix_lines = fix.splitlines()
        # The first line sits alone on its line (never wrapped), the rest keep their own indentation.
        at = next(i for i, line in enumerate(lines) if line.strip() == fix_lines[0].strip())
        indent = lines[at][: len(lines[at]) - len(fix_lines[0])]
        assert indent.strip() == ""
        assert lines[at : at + len(fix_lines)] == [indent + line for line in fix_lines]


def test_long_commands_are_not_wrapped(failing_report: Report) -> None:
    command = (
        "aws s3api put-bucket-versioning --bucket acme-wandb-artifacts "
        "--versioning-configuration Status=Enabled"
    )
    assert any(line.strip() == command for line in text.render(failing_report, verbose=True).splitlines())


def test_notes_and_input_errors(failing_report: Report, input_error_report: Report) -> None:
    assert "GORILLA_GLUE_ARTIFACT_GC_ENABLED" in text.render(failing_report, verbose=True)
    out = text.render(input_error_report, verbose=True)
    assert "values.yaml:14: not valid YAML: mapping values are not allowed here" in out


def test_footer_names_version_and_time(failing_report: Report) -> None:
    last = text.render(failing_report, verbose=True).splitlines()[-1]
    assert last == "gcready 0.1.0 audit, live, 2025-03-14T09:26:53Z"


def test_text_and_json_do_not_import_jinja2() -> None:
    # Start-up speed: only the HTML renderer may pay for jinja2.
    code = (
        "import sys\n"
        "from gcready.report import Format, render\n"
        "from gcready.model import Deployment, Report\n"
        "r = Report('0', '2025-01-01T00:00:00Z', 'audit', True, 'v', 'built-in',"
        " Deployment(None, frozenset(), 'undecided'), (), ())\n"
        "render(r, Format.TEXT); render(r, Format.JSON)\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported'\n"
        "render(r, Format.HTML)\n"
        "assert 'jinja2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_format_names_are_what_the_cli_accepts() -> None:
    assert [f.value for f in Format] == ["text", "json", "html", "sarif", "junit", "openmetrics"]
    assert Format("json") is Format.JSON and str(Format.JSON) == "json"


# The short form (the default): what needs attention first, the rest summed up.


def test_short_form_puts_what_needs_attention_first_most_serious_first(failing_report: Report) -> None:
    lines = text.render(failing_report).splitlines()
    tagged = [line for line in lines if re.match(r"^\[(ERROR|FAIL|UNKNOWN|WARN)\]", line)]
    statuses = [line.split("]")[0].strip("[") for line in tagged]
    assert statuses == sorted(statuses, key=["ERROR", "FAIL", "UNKNOWN", "WARN"].index)
    assert statuses.count("FAIL") == 2 and statuses.count("UNKNOWN") == 1
    first_attention = lines.index(tagged[0])
    passed = lines.index("Passed:")
    assert first_attention < passed  # failures before passes


def test_short_form_gives_each_failure_its_reason_location_and_first_fix(failing_report: Report) -> None:
    out = text.render(failing_report)
    failing = [f for f in failing_report.findings if f.status is Status.FAIL and f.fixes]
    assert failing
    for finding in failing:
        first_fix = finding.fixes[0].text.splitlines()[0]
        assert any(line.strip() == first_fix.strip() for line in out.splitlines()), first_fix
    assert "at wandb-cr.yaml:27 (" in out  # where the failing value is
    assert "needs: s3:GetBucketVersioning on arn:aws:s3:::acme-wandb-backups" in out


def test_short_form_sums_up_skips_and_keeps_passes_to_one_line(failing_report: Report) -> None:
    out = text.render(failing_report)
    skipped = [f for f in failing_report.findings if f.status is Status.SKIP]
    assert skipped
    assert "1 skip" in out and "--verbose shows them" in out
    for finding in skipped:
        assert finding.title not in out
    for finding in (f for f in failing_report.findings if f.status is Status.PASS):
        assert sum(1 for line in out.splitlines() if finding.title in line) == 1


def test_short_form_of_an_input_error_with_nothing_read_is_the_error_alone(
    input_error_report: Report,
) -> None:
    nothing_read = dataclasses.replace(input_error_report, inputs=())
    lines = text.render(nothing_read).splitlines()
    assert lines[0].startswith("gcready: INPUT ERROR")
    assert "  - values.yaml:14: not valid YAML: mapping values are not allowed here" in lines
    assert len(lines) <= 4, lines


def test_the_demo_text_report_fits_on_a_screen() -> None:
    from tests.conftest import FIXTURES, run_gcready

    run = run_gcready("audit", str(FIXTURES / "demo"), "--offline")
    assert run.code == 3, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) <= 40, len(lines)
    assert lines[0].startswith("gcready: NOT READY")
    assert any(line.startswith("[FAIL] bucket-versioning:") for line in lines[:8])
    verbose = run_gcready("audit", str(FIXTURES / "demo"), "--offline", "--verbose")
    assert len(verbose.stdout.splitlines()) > 100  # every block, for whoever asks


def test_diagnose_short_form_still_shows_what_no_cause_covers(failing_report: Report) -> None:
    """A fail or unknown that is not among the ranked causes must not vanish from diagnose's screen."""
    from gcready.diagnosis import diagnose

    undecided = dataclasses.replace(
        failing_report.findings[0],
        check="deployment-type",  # a context check: never a ranked cause
        status=Status.UNKNOWN,
        title="Deployment type not decided by the evidence",
    )
    report = dataclasses.replace(failing_report, findings=(*failing_report.findings, undecided))
    diagnosed = dataclasses.replace(report, command="diagnose")
    diagnosed = dataclasses.replace(diagnosed, diagnosis=diagnose(diagnosed))
    out = text.render(diagnosed)
    assert diagnosed.diagnosis is not None
    in_causes = [f for c in diagnosed.diagnosis.causes for f in c.findings]
    for finding in diagnosed.findings:
        if finding.status in (Status.FAIL, Status.UNKNOWN, Status.ERROR, Status.WARN):
            assert finding.title in out, finding.title
    assert undecided not in in_causes
    assert "Also needs attention:" in out
