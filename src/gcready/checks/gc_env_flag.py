"""gc-env-flag: the W&B server that runs the garbage collector has GORILLA_ARTIFACT_GC_ENABLED=true.

The value is judged as the server (Go) reads it, with strconv.ParseBool: "yes" or "on" look right to a
person and are silently not true to the server.
"""

from __future__ import annotations

from gcready.checks.base import (
    Applies,
    Check,
    CheckContext,
    RequirementFinding,
    applies,
    described,
    needed_by,
    skipped,
    unless_required,
)
from gcready.goparse import parse_bool
from gcready.model import Component, ComponentKind, Fact, Finding, Status
from gcready.model.remedy import Example, SetEnv

_TERRAFORM_NEEDS = (
    "the value Terraform would use (the .tfvars that sets it, or a plan: terraform show -json PLAN)"
)

# why gc-env-flag does not apply to shared and dedicated cloud
_WANDB_RUNS_GC = "W&B runs garbage collection itself on shared and dedicated cloud."

META = described("gc-env-flag", examples=(Example(SetEnv("GORILLA_ARTIFACT_GC_ENABLED", "true")),))


def gc_components(ctx: CheckContext) -> list[Component]:
    """The components where the collector runs; all server components if none is marked.

    A Kubernetes container is told by its image and command line: one that is not the server (glue,
    parquet, hooks…) is never judged, even when no server container is among the inputs.
    """
    components = list(ctx.evidence.components)
    runs = [c for c in components if c.runs_gc]
    # a Helm chart component, too, says for sure whether it runs the collector: never a stand-in for one
    return runs or [
        c for c in components if c.kind not in (ComponentKind.K8S_CONTAINER, ComponentKind.HELM_COMPONENT)
    ]


def run(ctx: CheckContext) -> list[Finding]:
    var, want = ctx.requirements.env_var, ctx.requirements.env_value
    scope = applies(ctx.deployment.candidates, lambda t: ctx.requirements.row(t).env_var)
    if scope is Applies.NONE:
        return skipped(META, f"{var} not required for this deployment type", _WANDB_RUNS_GC)
    components = gc_components(ctx)
    if not components:
        # components that run no server already have the value: setting it again would change nothing
        has_it = any((v := c.get(var)) is not None and v.value == want for c in ctx.evidence.components)
        return [
            META.finding(
                Status.UNKNOWN,
                f"No W&B server configuration among the inputs: {var} not seen",
                "gcready found no place where the W&B server reads its environment.",
                "W&B server",
                remedy=None if has_it else SetEnv(var, want),
                needs=f"a configuration that runs the W&B server: the inputs' components already set {var}="
                f"{want} but none of them runs it (see the notes: a server component not installed or its "
                "container disabled)"
                if has_it
                else "the Helm values, the operator resource (kubectl get weightsandbiases -o yaml), "
                "the server's manifests (kubectl get deploy,sts,cm -o yaml) or its env file",
            )
        ]
    findings = [_judge(ctx, c, var, want) for c in components]
    if scope is Applies.SOME:
        findings = unless_required(findings, needed_by(ctx, "env_var"))
    return findings


def _judge(ctx: CheckContext, component: Component, var: str, want: str) -> Finding:
    value = component.get(var)
    # global.extraEnv would lose to a component-level value: the fix then goes to that layer
    own_layer = (
        component.kind is ComponentKind.HELM_COMPONENT
        and value is not None
        and _component_level(value.origin.path)
    )
    finding = RequirementFinding(META, component.name, SetEnv(var, want, component, own_layer))
    where = (Fact("component", component.name, component.origin),)
    terraform = component.kind in (ComponentKind.TERRAFORM_MODULE, ComponentKind.TERRAFORM_HELM)
    if value is None:
        if component.gaps:
            return finding(
                Status.UNKNOWN,
                f"{var} not seen; it may come from a source that is not among the inputs",
                f"{component.name} takes env from: " + "; ".join(component.gaps) + ".",
                where,
                "; ".join(component.gaps)
                if component.kind is ComponentKind.OPERATOR_APP  # the server manifest it needs
                else (_TERRAFORM_NEEDS + ", or " if terraform else "")
                + "those objects among the inputs (kubectl get cm,secret -o yaml), or the server's "
                f"environment (kubectl exec … -- printenv {var})",
            )
        return finding(
            Status.FAIL,
            f"{var} is not set: deleted artifacts are never garbage-collected",
            f"{component.name} does not set {var}; the W&B server then leaves soft-deleted "
            "artifacts' files in the bucket forever.",
            where,
        )
    shadowed = tuple(
        Fact(f"overridden value of {var}", v.value if v.value is not None else "(not readable)", v.origin)
        for v in component.shadowed
        if v.name == var
    )
    facts = (Fact(var, value.value if value.value is not None else "(not readable)", value.origin), *shadowed)
    if value.value is None:
        return finding(
            Status.UNKNOWN,
            f"{var} is set, but gcready cannot read its value",
            f"{component.name}: {value.unresolved or 'the value is not among the inputs'}.",
            facts,
            _TERRAFORM_NEEDS
            if terraform
            else "the value: which program reads the env file (--env-file-dialect docker|compose|systemd), "
            f"or the running server's environment (docker exec … printenv {var})"
            if component.kind is ComponentKind.DOTENV
            else "the value: put the ConfigMap among the inputs, or check the running server "
            f"(kubectl exec … -- printenv {var})",
        )
    if value.outranked_by:  # a source gcready did not see comes later and wins over this value
        return finding(
            Status.UNKNOWN,
            f"{var} is {value.value!r} here, but a later source that is not among the inputs may override it",
            f"{component.name} sets {var}={value.value} at {value.origin}, and then takes env from: "
            + "; ".join(value.outranked_by)
            + ", which wins over it.",
            facts,
            "those env files, readable among the inputs, or the server's environment "
            f"(docker compose exec … printenv {var})"
            if component.kind is ComponentKind.COMPOSE_SERVICE
            else "those objects among the inputs (kubectl get cm,secret -o yaml), or the server's "
            f"environment (kubectl exec … -- printenv {var})",
        )
    parsed = parse_bool(value.value)
    if parsed is True:
        return finding(
            Status.PASS,
            f"{var} is {value.value!r}: garbage collection is on",
            f"{component.name} sets {var}={value.value}.",
            facts,
        )
    if parsed is False:
        return finding(
            Status.FAIL,
            f"{var} is {value.value!r}: garbage collection is off",
            f"{component.name} sets {var}={value.value}; deleted artifacts stay in the bucket.",
            facts,
        )
    return finding(
        Status.FAIL,
        f"{var} is {value.value!r}, which the server does not read as true (silent failure)",
        f"The W&B server parses {var} with Go's strconv.ParseBool, which accepts only "
        f"1, t, T, TRUE, true, True (and the false forms). {value.value!r} is rejected and garbage "
        f'collection stays off without any error. Set it to "{want}".',
        facts,
    )


def _component_level(path: str | None) -> bool:
    """Whether a Helm value sits in a component's own env/extraEnv (which wins over global.*)."""
    return bool(path) and ".global." not in f".{path}" and (".env." in str(path) or ".extraEnv." in str(path))


CHECK = Check(META, run)
