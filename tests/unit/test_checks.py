"""Checks on hand-built evidence: what a user sees as pass / fail / unknown, and the exit code."""

from __future__ import annotations

import pytest

from gcready.model import (
    BucketRef,
    BucketState,
    Component,
    ComponentKind,
    Deployment,
    DeploymentType,
    EnvValue,
    Evidence,
    Finding,
    InputError,
    Origin,
    Outcome,
    Provider,
    Reading,
    Report,
    Severity,
    Signal,
    SignalKind,
    Status,
)
from gcready.pipeline import analyze
from gcready.requirements import load_builtin

D = DeploymentType
HERE = Origin("values.yaml", 4)
FLAG = "GORILLA_ARTIFACT_GC_ENABLED"
AWS = BucketRef(Provider.AWS, "acme-wandb-files", HERE, "s3://acme-wandb-files", region="us-east-1")
AZURE = BucketRef(Provider.AZURE, "wandb-files", HERE, "az://acmestore/wandb-files", account="acmestore")
GCS = BucketRef(Provider.GCP, "acme-wandb-gcs", HERE, "gs://acme-wandb-gcs")
SERVER = Signal(SignalKind.SERVER_CONFIG, "operator-wandb values", HERE)


def app(flag: str | None = "true", gaps: tuple[str, ...] = ()) -> Component:
    env = () if flag is None else (EnvValue(FLAG, flag, Origin("values.yaml", 9)),)
    return Component("app (Helm values)", ComponentKind.HELM_COMPONENT, HERE, env=env, gaps=gaps)


def state(
    bucket: BucketRef,
    access: Reading | None = None,
    **settings: Reading,
) -> BucketState:
    return BucketState(
        provider=bucket.provider,
        name=bucket.name,
        origin=Origin("bundle.json"),
        access=access or Reading(Outcome.OK),
        account=bucket.account,
        endpoint=bucket.endpoint,
        settings=tuple(settings.items()),
    )


def evidence(*states: BucketState, bucket: BucketRef = AWS, flag: str | None = "true") -> Evidence:
    return Evidence(components=(app(flag),), signals=(SERVER,), buckets=(bucket,), bucket_states=states)


def run(ev: Evidence, override: DeploymentType | None = None) -> Report:
    return analyze(ev, load_builtin(), override=override)


def of(report: Report, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]


def status(report: Report, check: str) -> Status:
    return report.check_statuses()[check]


TABLE_CHECKS = ("deployment-type", "gc-env-flag", "bucket-versioning", "ssc-provider")


def test_ready_deployment_passes() -> None:
    report = run(evidence(state(AWS, versioning=Reading(Outcome.OK, "enabled"))))
    assert report.deployment.type is D.CUSTOMER_MANAGED_CLOUD
    statuses = report.check_statuses()
    assert {k: statuses[k] for k in TABLE_CHECKS} == {
        "deployment-type": Status.PASS,
        "gc-env-flag": Status.PASS,
        "bucket-versioning": Status.PASS,
        "ssc-provider": Status.SKIP,
    }
    # the checks beyond the table have nothing to say about a bucket whose other settings were not read
    assert all(statuses[k] not in (Status.FAIL, Status.WARN, Status.UNKNOWN) for k in statuses)
    assert report.exit_code() == 0


def test_no_bundle_state_is_unknown_not_fail() -> None:
    report = run(evidence())
    (finding,) = of(report, "bucket-versioning")
    assert finding.status is Status.UNKNOWN
    assert finding.needs
    assert report.exit_code() == 5


def test_access_denied_is_unknown_naming_the_permission() -> None:
    denied = Reading(Outcome.DENIED, reason="403 Forbidden", permission="s3:GetBucketVersioning")
    report = run(evidence(state(AWS, access=denied)))
    (finding,) = of(report, "bucket-versioning")
    assert finding.status is Status.UNKNOWN
    assert "s3:GetBucketVersioning" in finding.needs


def test_denied_setting_read_names_the_permission() -> None:
    denied = Reading(Outcome.DENIED, permission="storage.buckets.get")
    report = run(evidence(state(GCS, versioning=denied), bucket=GCS))
    (finding,) = of(report, "bucket-versioning")
    assert finding.status is Status.UNKNOWN
    assert "storage.buckets.get" in finding.needs


@pytest.mark.parametrize("outcome", [o for o in Outcome if o is not Outcome.OK])
@pytest.mark.parametrize("value", ["enabled", "disabled", "suspended", None])
def test_a_setting_not_read_ok_never_decides(outcome: Outcome, value: str | None) -> None:
    report = run(evidence(state(AWS, versioning=Reading(outcome, value))))
    (finding,) = of(report, "bucket-versioning")
    assert finding.status is Status.UNKNOWN


@pytest.mark.parametrize("outcome", [o for o in Outcome if o is not Outcome.OK])
def test_bucket_not_reached_never_decides(outcome: Outcome) -> None:
    report = run(evidence(state(AWS, Reading(outcome), versioning=Reading(Outcome.OK, "enabled"))))
    assert of(report, "bucket-versioning")[0].status is Status.UNKNOWN


def test_setting_not_recorded_is_unknown() -> None:
    report = run(evidence(state(AWS, mfa_delete=Reading(Outcome.OK, "disabled"))))
    assert of(report, "bucket-versioning")[0].status is Status.UNKNOWN


def test_suspended_versioning_fails_with_fixes() -> None:
    report = run(evidence(state(AWS, versioning=Reading(Outcome.OK, "suspended"))))
    (finding,) = of(report, "bucket-versioning")
    assert finding.status is Status.FAIL
    assert "suspended" in finding.title
    assert any(
        "put-bucket-versioning" in fix.text and "acme-wandb-files" in fix.text for fix in finding.fixes
    )
    assert report.exit_code() == 3


def test_never_versioned_bucket_fails() -> None:
    report = run(evidence(state(AWS, versioning=Reading(Outcome.OK, "disabled"))))
    assert of(report, "bucket-versioning")[0].status is Status.FAIL


def test_newest_state_wins() -> None:
    old = state(AWS, versioning=Reading(Outcome.OK, "disabled"))
    new = state(AWS, versioning=Reading(Outcome.OK, "enabled"))
    assert of(run(evidence(old, new)), "bucket-versioning")[0].status is Status.PASS


def test_azure_blob_soft_delete_enabled_passes() -> None:
    soft = Reading(Outcome.OK, {"enabled": True, "days": 7})
    report = run(evidence(state(AZURE, soft_delete=soft), bucket=AZURE))
    assert report.deployment.type is D.CUSTOMER_MANAGED_CLOUD
    assert of(report, "bucket-versioning")[0].status is Status.PASS


def test_azure_blob_soft_delete_off_fails_even_with_blob_versioning() -> None:
    soft = Reading(Outcome.OK, {"enabled": False, "days": None})
    report = run(
        evidence(state(AZURE, soft_delete=soft, versioning=Reading(Outcome.OK, "enabled")), bucket=AZURE)
    )
    (finding,) = of(report, "bucket-versioning")
    assert finding.status is Status.FAIL
    assert any("delete-retention" in fix.text for fix in finding.fixes)


@pytest.mark.parametrize(
    "flag,expected", [("true", Status.PASS), ("yes", Status.FAIL), ("false", Status.FAIL)]
)
def test_env_flag_parsed_as_go_does(flag: str, expected: Status) -> None:
    report = run(evidence(state(AWS, versioning=Reading(Outcome.OK, "enabled")), flag=flag))
    assert status(report, "gc-env-flag") is expected


def test_env_flag_missing_fails_but_unknown_when_an_env_source_is_missing() -> None:
    ok = state(AWS, versioning=Reading(Outcome.OK, "enabled"))
    plain = Evidence(components=(app(None),), signals=(SERVER,), buckets=(AWS,), bucket_states=(ok,))
    assert status(run(plain), "gc-env-flag") is Status.FAIL
    gapped = Evidence(
        components=(app(None, gaps=("ConfigMap wandb-env (envFrom), not among the inputs",)),),
        signals=(SERVER,),
        buckets=(AWS,),
        bucket_states=(ok,),
    )
    assert status(run(gapped), "gc-env-flag") is Status.UNKNOWN


def test_env_flag_from_a_secret_is_unknown() -> None:
    value = EnvValue(FLAG, None, HERE, redacted=True, unresolved="from Secret wandb")
    comp = Component("app", ComponentKind.K8S_CONTAINER, HERE, env=(value,))
    ev = Evidence(components=(comp,), signals=(SERVER,), buckets=(AWS,))
    assert status(run(ev), "gc-env-flag") is Status.UNKNOWN


def test_ssc_with_azure_bucket_fails() -> None:
    soft = Reading(Outcome.OK, {"enabled": True, "days": 7})
    ev = Evidence(buckets=(AZURE,), bucket_states=(state(AZURE, soft_delete=soft),))
    report = run(ev, override=D.SHARED_CLOUD_SSC)
    assert status(report, "ssc-provider") is Status.FAIL
    assert status(report, "gc-env-flag") is Status.SKIP
    assert report.exit_code() == 3


def test_ssc_with_aws_bucket_passes() -> None:
    ev = Evidence(buckets=(AWS,), bucket_states=(state(AWS, versioning=Reading(Outcome.OK, "enabled")),))
    report = run(ev, override=D.DEDICATED_CLOUD_SSC)
    assert status(report, "ssc-provider") is Status.PASS
    assert status(report, "bucket-versioning") is Status.PASS
    assert status(report, "gc-env-flag") is Status.SKIP


def test_shared_cloud_needs_nothing() -> None:
    report = run(Evidence(signals=(Signal(SignalKind.BASE_URL, "https://api.wandb.ai", HERE),)))
    assert report.deployment.type is D.SHARED_CLOUD
    assert status(report, "gc-env-flag") is Status.SKIP
    assert status(report, "bucket-versioning") is Status.SKIP
    assert report.exit_code() == 0


@pytest.mark.parametrize(
    "flag,expected", [("false", Status.FAIL), ("true", Status.PASS), ("on", Status.FAIL)]
)
def test_both_customer_managed_candidates_judged_normally(flag: str, expected: Status) -> None:
    # Both candidates need the env var: the undecided type must not turn a fail into unknown.
    ev = Evidence(components=(app(flag),), signals=(SERVER,))
    report = run(ev)
    assert report.deployment.type is None
    assert report.deployment.candidates == {D.CUSTOMER_MANAGED_CLOUD, D.CUSTOMER_MANAGED_ONPREM}
    assert status(report, "gc-env-flag") is expected
    assert status(report, "deployment-type") is Status.UNKNOWN
    assert {v.deployment for v in report.applicable} == report.deployment.candidates


def test_candidates_that_disagree_turn_fail_into_unknown() -> None:
    # A custom address: dedicated cloud (no env var needed) or customer-managed (needed).
    ev = Evidence(
        components=(app("false"),), signals=(Signal(SignalKind.BASE_URL, "https://wandb.acme.com", HERE),)
    )
    report = run(ev)
    assert status(report, "gc-env-flag") is Status.UNKNOWN


def test_conflicting_override_warns() -> None:
    report = run(evidence(state(AWS, versioning=Reading(Outcome.OK, "enabled"))), D.CUSTOMER_MANAGED_ONPREM)
    assert status(report, "deployment-type") is Status.WARN
    assert report.exit_code() == 0
    assert report.exit_code(fail_on_warn=True) == 4


def _report(*statuses: Status, errors: int = 0) -> Report:
    findings = tuple(Finding(f"c{i}", s, Severity.INFO, "t", "d", "r") for i, s in enumerate(statuses))
    return Report(
        tool_version="0",
        generated_at="2026-01-01T00:00:00Z",
        command="audit",
        offline=True,
        requirements_version="x",
        requirements_origin="built-in",
        deployment=Deployment(None, frozenset(), "undecided"),
        applicable=(),
        findings=findings,
        errors=tuple(InputError(f"f{i}", "bad") for i in range(errors)),
    )


S = Status


@pytest.mark.parametrize(
    "statuses,errors,fail_on_warn,code",
    [
        ((S.PASS, S.SKIP, S.INFO), 0, False, 0),
        ((S.PASS, S.WARN), 0, False, 0),
        ((S.PASS, S.WARN), 0, True, 4),
        ((S.WARN, S.UNKNOWN), 0, True, 5),
        ((S.UNKNOWN, S.PASS), 0, False, 5),
        ((S.FAIL, S.UNKNOWN, S.WARN), 0, True, 3),
        ((S.ERROR, S.PASS), 0, False, 3),
        ((S.FAIL,), 1, False, 2),
        ((S.PASS,), 1, True, 2),
        ((), 0, False, 0),
    ],
)
def test_exit_code_precedence(
    statuses: tuple[Status, ...], errors: int, fail_on_warn: bool, code: int
) -> None:
    assert _report(*statuses, errors=errors).exit_code(fail_on_warn=fail_on_warn) == code


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        ("wandb", "kubectl set env deployment/wandb -n wandb -c app GORILLA_ARTIFACT_GC_ENABLED=true"),
        ("", "kubectl set env deployment/wandb -c app GORILLA_ARTIFACT_GC_ENABLED=true"),
    ],
)
def test_kubectl_fix_targets_the_workloads_namespace(namespace: str, expected: str) -> None:
    from gcready.model.placement import WorkloadContainer
    from gcready.remediation.set_env import env_var_fixes

    comp = Component(
        "Deployment/wandb container app",
        ComponentKind.K8S_CONTAINER,
        HERE,
        namespace=namespace,
        placement=WorkloadContainer("Deployment", "wandb", "app", namespace),
    )
    (kubectl,) = [f for f in env_var_fixes(FLAG, "true", comp) if f.text.startswith("kubectl set env")]
    assert kubectl.text == expected
    assert ("add -n NAMESPACE" in kubectl.title) is (not namespace)


def test_the_report_carries_every_catalog_rule_for_the_formats() -> None:
    from gcready.checks import CATALOG

    report = analyze(Evidence(), load_builtin())
    assert report.rules == tuple(check.meta for check in CATALOG)
    flag = next(rule for rule in report.rules if rule.id == "gc-env-flag")
    assert (flag.requirement, flag.severity) == ("env_var", Severity.CRITICAL) and flag.examples
