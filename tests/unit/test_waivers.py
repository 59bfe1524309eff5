"""Waivers, pure: parsing [[waiver]] tables (errors name file, line and waiver), matching, expiry, staleness."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gcready.model import (
    DecidedBy,
    Deployment,
    DeploymentType,
    ExitCode,
    Finding,
    Origin,
    Report,
    Severity,
    Status,
    Waiver,
)
from gcready.waivers import EXPIRED_CHECK, STALE_CHECK, WaiverError, apply, load, parse

KNOWN = ("bucket-versioning", "gc-env-flag", "object-lock")
EXPIRES = date(2027, 1, 31)


def _finding(check: str, resource: str, status: Status = Status.FAIL) -> Finding:
    return Finding(check, status, Severity.HIGH, f"{check} on {resource}", "detail", resource)


def _waiver(check: str = "bucket-versioning", resource: str = "s3://legacy-*", **kw: object) -> Waiver:
    fields: dict[str, object] = {"reason": "Legal hold on the legacy bucket", "expires": EXPIRES, **kw}
    return Waiver(check, resource, **fields)  # type: ignore[arg-type]


def _report(*findings: Finding, generated_at: str = "2027-01-15T03:00:00Z") -> Report:
    cmc = DeploymentType.CUSTOMER_MANAGED_CLOUD
    return Report(
        tool_version="0.1.0",
        generated_at=generated_at,
        command="audit",
        offline=True,
        requirements_version="1",
        requirements_origin="built-in",
        deployment=Deployment(cmc, frozenset({cmc}), DecidedBy.EVIDENCE),
        applicable=(),
        findings=findings,
    )


# --- parsing --------------------------------------------------------------------------------------

CONFIG = """\
# nightly audit of prod
inputs = ["values.yaml"]

[probe]
timeout = 10

[[waiver]]
check = "bucket-versioning"
resource = "s3://legacy-*"
reason = "Legal hold on the legacy bucket"
expires = 2027-01-31
ticket = "OPS-142"
owner = "platform"

[[waiver]]  # the flag rolls out next quarter
check = "gc-env-flag"
resource = "app (WeightsAndBiases/wandb)"
reason = "Rolled out with the Q1 upgrade"
expires = "2027-03-31"
"""


def test_parse_reads_every_waiver_with_its_line() -> None:
    first, second = parse(CONFIG, "gcready.toml", KNOWN)
    assert first == Waiver(
        "bucket-versioning",
        "s3://legacy-*",
        "Legal hold on the legacy bucket",
        date(2027, 1, 31),
        "OPS-142",
        "platform",
        Origin("gcready.toml", 7),
    )
    assert (second.check, second.expires, second.origin) == (
        "gc-env-flag",
        date(2027, 3, 31),
        Origin("gcready.toml", 15),
    )
    assert second.ticket == "" and second.owner == ""


def test_a_file_without_waivers_has_none() -> None:
    assert parse('inputs = ["values.yaml"]\n', "gcready.toml", KNOWN) == ()


def _error(text: str) -> str:
    with pytest.raises(WaiverError) as caught:
        parse(text, "waivers.toml", KNOWN)
    return str(caught.value)


def _table(**keys: str) -> str:
    return "[[waiver]]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())


GOOD = {"check": '"bucket-versioning"', "resource": '"s3://b"', "reason": '"r"', "expires": "2027-01-31"}


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("reason", "waivers.toml:8: waiver 2: missing reason (why the finding is accepted)"),
        ("expires", "waivers.toml:8: waiver 2: missing expires (a date, YYYY-MM-DD: every waiver ends)"),
        ("check", "waivers.toml:8: waiver 2: missing check (a check id (gcready explain lists them))"),
    ],
)
def test_a_missing_required_key_names_the_waiver_and_its_header_line(missing: str, message: str) -> None:
    second = {k: v for k, v in GOOD.items() if k != missing}
    # line 1 a comment, 2-6 the first waiver, 7 blank, 8 the second waiver's header
    assert _error("# waivers\n" + _table(**GOOD) + "\n" + _table(**second)) == message


def test_a_bad_date_names_the_line_of_expires() -> None:
    text = _table(**{**GOOD, "expires": '"2027-02-30"'})
    assert _error(text) == "waivers.toml:5: waiver 1: expires = 2027-02-30 is not a date (YYYY-MM-DD)"
    assert "waivers.toml:5: waiver 1: expires" in _error(_table(**{**GOOD, "expires": '"31/01/2027"'}))
    # a date-time is not a day
    assert "is not a date" in _error(_table(**{**GOOD, "expires": "2027-01-31T00:00:00Z"}))


def test_an_unknown_check_id_is_an_error_with_a_suggestion() -> None:
    message = _error(_table(**{**GOOD, "check": '"bucket-versionin"'}))
    assert message.startswith("waivers.toml:2: waiver 1: unknown check 'bucket-versionin'")
    assert "did you mean 'bucket-versioning'?" in message


def test_an_unknown_key_is_an_error_not_ignored() -> None:
    text = _table(**{k: v for k, v in GOOD.items() if k != "expires"}, expire="2027-01-31")
    assert _error(text) == (
        "waivers.toml:5: waiver 1: unknown key 'expire' (known: check, resource, reason, expires, ticket, owner, deployment)"
    )


def test_empty_reason_and_wrong_types_are_errors() -> None:
    assert _error(_table(**{**GOOD, "reason": '"  "'})).startswith(
        "waivers.toml:4: waiver 1: reason is empty"
    )
    assert (
        _error(_table(**{**GOOD, "ticket": "142"}))
        == "waivers.toml:6: waiver 1: ticket must be a string, not int"
    )


def test_invalid_toml_names_its_line() -> None:
    assert _error('[[waiver]]\ncheck = "gc-env-flag"\nreason = \n') == (
        "waivers.toml:3: not valid TOML: Invalid value"
    )


def test_a_single_waiver_table_is_not_a_list_of_waivers() -> None:
    assert _error('[waiver]\ncheck = "gc-env-flag"\n') == "waivers.toml: waivers must be [[waiver]] tables"


def test_load_reports_a_missing_file_in_one_line() -> None:
    with pytest.raises(WaiverError, match=r"nope\.toml: cannot read: No such file"):
        load("nope.toml", KNOWN)


# --- matching -------------------------------------------------------------------------------------


def test_exact_and_glob_resources_match_with_fnmatch_semantics() -> None:
    glob = _waiver(resource="s3://legacy-*")
    assert glob.matches("bucket-versioning", "s3://legacy-archive")
    assert not glob.matches("bucket-versioning", "s3://wandb-prod")
    assert not glob.matches("object-lock", "s3://legacy-archive")  # another check
    assert not glob.matches("bucket-versioning", "S3://LEGACY-ARCHIVE")  # case matters, on every OS
    exact = _waiver(resource="module.wandb.aws_s3_bucket.file_storage[0]")
    # brackets are a glob class to fnmatch, but an exact resource always matches itself
    assert exact.matches("bucket-versioning", "module.wandb.aws_s3_bucket.file_storage[0]")
    assert _waiver(resource="gs://team-?").matches("bucket-versioning", "gs://team-a")


def test_a_waived_fail_alone_gives_verdict_pass_and_exit_0() -> None:
    report = _report(
        _finding("bucket-versioning", "s3://legacy-archive"), _finding("gc-env-flag", "app", Status.PASS)
    )
    assert report.verdict() == "fail" and report.exit_code() is ExitCode.FAIL
    waived = apply(report, [_waiver()])
    first = waived.findings[0]
    assert first.status is Status.FAIL and first.waiver == _waiver()  # keeps its status, carries the waiver
    assert waived.verdict() == "pass" and waived.exit_code() is ExitCode.OK
    assert waived.counts()[Status.FAIL] == 0 and waived.waived() == (first,)
    assert waived.check_statuses() == {"bucket-versioning": Status.FAIL, "gc-env-flag": Status.PASS}


def test_a_waiver_covers_only_what_it_matches() -> None:
    report = _report(
        _finding("bucket-versioning", "s3://legacy-archive"), _finding("bucket-versioning", "s3://wandb-prod")
    )
    waived = apply(report, [_waiver()])
    assert [f.waiver is not None for f in waived.findings] == [True, False]
    assert waived.verdict() == "fail" and waived.exit_code() is ExitCode.FAIL
    # the check's status is that of the finding still counted
    assert waived.check_statuses()["bucket-versioning"] is Status.FAIL
    assert len(waived.waived()) == 1


def test_a_waived_unknown_no_longer_makes_the_run_exit_5() -> None:
    report = _report(_finding("bucket-versioning", "s3://legacy-archive", Status.UNKNOWN))
    assert apply(report, [_waiver()]).exit_code() is ExitCode.OK
    assert report.exit_code() is ExitCode.UNKNOWN


def test_input_errors_are_never_waived() -> None:
    from gcready.model import InputError

    report = replace(
        _report(_finding("bucket-versioning", "s3://legacy-a")), errors=(InputError("x.yaml", "bad"),)
    )
    assert apply(report, [_waiver()]).exit_code() is ExitCode.INPUT


# --- expiry ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "applies"),
    [(date(2027, 1, 30), True), (date(2027, 1, 31), True), (date(2027, 2, 1), False)],
)
def test_a_waiver_applies_through_its_expiry_day_and_not_after(today: date, applies: bool) -> None:
    findings = apply([_finding("bucket-versioning", "s3://legacy-a")], [_waiver()], today)
    assert (findings[0].waiver is not None) is applies
    expired = [f for f in findings if f.check == EXPIRED_CHECK]
    assert len(expired) == (0 if applies else 1)


def test_an_expired_waiver_warns_by_name_and_the_fail_counts_again() -> None:
    report = _report(_finding("bucket-versioning", "s3://legacy-a"), generated_at="2027-02-01T03:00:00Z")
    waiver = _waiver(ticket="OPS-142", origin=Origin("gcready.toml", 7))
    out = apply(report, [waiver])  # today: the report's own day
    assert out.exit_code() is ExitCode.FAIL and out.waived() == ()
    (warn,) = [f for f in out.findings if f.check == EXPIRED_CHECK]
    assert warn.status is Status.WARN
    assert warn.title == "Waiver of bucket-versioning on s3://legacy-* expired on 2027-01-31"
    assert "gcready.toml:7" in warn.detail and "OPS-142" in warn.detail
    assert warn.evidence[0].origin == Origin("gcready.toml", 7)
    assert out.exit_code(fail_on_warn=True) is ExitCode.FAIL


def test_an_expired_waiver_alone_is_a_warning_only_with_fail_on_warn() -> None:
    report = _report(
        _finding("bucket-versioning", "s3://wandb", Status.PASS), generated_at="2027-06-01T00:00:00Z"
    )
    out = apply(report, [_waiver()])
    assert out.exit_code() is ExitCode.OK and out.exit_code(fail_on_warn=True) is ExitCode.WARN
    assert [f.check for f in out.findings if f.status is Status.WARN] == [EXPIRED_CHECK]


# --- stale ----------------------------------------------------------------------------------------


def test_a_waiver_that_matches_nothing_is_stale() -> None:
    out = apply([_finding("bucket-versioning", "s3://wandb-prod")], [_waiver()], date(2027, 1, 1))
    (stale,) = [f for f in out if f.check == STALE_CHECK]
    assert stale.status is Status.WARN and "no finding of this run" in stale.detail
    assert out[0].waiver is None


def test_a_waiver_whose_finding_passes_now_is_stale_too() -> None:
    out = apply([_finding("bucket-versioning", "s3://legacy-a", Status.PASS)], [_waiver()], date(2027, 1, 1))
    assert out[0].waiver is None  # a pass is never marked waived
    (stale,) = [f for f in out if f.check == STALE_CHECK]
    assert "pass now" in stale.detail


def test_the_first_waiver_that_matches_is_carried_and_neither_is_stale() -> None:
    broad = _waiver(resource="s3://*", reason="all buckets")
    narrow = _waiver(resource="s3://legacy-a", reason="legacy")
    out = apply([_finding("bucket-versioning", "s3://legacy-a")], [broad, narrow], date(2027, 1, 1))
    assert out[0].waiver == broad
    assert [f.check for f in out] == ["bucket-versioning"]


def test_an_expired_waiver_gives_way_to_a_later_one_that_still_applies() -> None:
    old = _waiver(expires=date(2026, 12, 31), reason="old")
    new = _waiver(expires=date(2027, 6, 30), reason="renewed")
    out = apply([_finding("bucket-versioning", "s3://legacy-a")], [old, new], date(2027, 1, 5))
    assert out[0].waiver == new
    assert [f.check for f in out[1:]] == [EXPIRED_CHECK]


def test_no_waivers_change_nothing() -> None:
    findings = (_finding("bucket-versioning", "s3://legacy-a"),)
    assert apply(findings, [], date(2027, 1, 1)) == findings


def test_describe_is_what_every_format_shows() -> None:
    assert _waiver(ticket="OPS-142", owner="platform").describe() == (
        "Legal hold on the legacy bucket (expires 2027-01-31, ticket OPS-142, owner platform)"
    )
    assert _waiver().describe() == "Legal hold on the legacy bucket (expires 2027-01-31)"


# --- fleet runs: the deployment key, and staleness across deployments ------------------------------


def test_the_deployment_key_is_read_and_an_empty_one_is_an_error() -> None:
    (waiver,) = parse(_table(**GOOD, deployment='"prod-*"'), "waivers.toml", KNOWN)
    assert waiver.deployment == "prod-*"
    assert waiver.applies_to("prod-eu") and not waiver.applies_to("staging") and not waiver.applies_to(None)
    assert "deployment prod-*" in waiver.describe()
    assert _error(_table(**GOOD, deployment='" "')) == (
        "waivers.toml:6: waiver 1: deployment is empty (a [[deployment]] name, or a glob such as prod-*)"
    )
    assert (
        _error(_table(**GOOD, deployment="3"))
        == "waivers.toml:6: waiver 1: deployment must be a string, not int"
    )


def test_apply_fleet_waives_per_deployment_and_reports_a_stale_waiver_once() -> None:
    from gcready.waivers import apply_fleet

    failing = _finding("bucket-versioning", "s3://legacy-a")
    reports = [("prod", _report(failing)), ("lab", _report(failing)), ("dev", _report())]
    used_in_lab = _waiver(resource="s3://legacy-*", deployment="lab")
    nowhere = _waiver(resource="s3://none")
    prod, lab, dev = apply_fleet(reports, [used_in_lab, nowhere])
    assert prod.findings[0].waiver is None and lab.findings[0].waiver == used_in_lab
    assert [f.resource for f in prod.findings if f.check == STALE_CHECK] == ["s3://none"]
    assert not [f for r in (lab, dev) for f in r.findings if f.check == STALE_CHECK]
    assert (prod.exit_code(), lab.exit_code(), dev.exit_code()) == (ExitCode.FAIL, ExitCode.OK, ExitCode.OK)


def test_apply_fleet_puts_a_scoped_stale_or_expired_waiver_where_it_belongs() -> None:
    from gcready.waivers import apply_fleet

    reports = [("prod", _report()), ("lab", _report())]
    stale_lab = _waiver(resource="s3://x", deployment="lab")
    unknown_name = _waiver(resource="s3://y", deployment="retired")
    expired_everywhere = _waiver(resource="s3://z", expires=date(2027, 1, 1))
    expired_nowhere = _waiver(resource="s3://w", expires=date(2027, 1, 1), deployment="retired")
    prod, lab = apply_fleet(reports, [stale_lab, unknown_name, expired_everywhere, expired_nowhere])
    assert [(f.check, f.resource) for f in prod.findings] == [
        (STALE_CHECK, "s3://y"),
        (EXPIRED_CHECK, "s3://z"),
        (EXPIRED_CHECK, "s3://w"),
    ]
    assert [(f.check, f.resource) for f in lab.findings] == [
        (STALE_CHECK, "s3://x"),
        (EXPIRED_CHECK, "s3://z"),
    ]
