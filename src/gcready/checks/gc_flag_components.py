"""gc-flag-components: the GC flag is set where the collector runs, not only in other components.

A common slip: GORILLA_ARTIFACT_GC_ENABLED=true lands in glue, parquet or console (or in a global value
that the app component then overrides), while the component that runs the garbage collector does not
have it: the configuration "has the flag", and deletes still never free storage.
"""

from __future__ import annotations

from gcready.checks.base import Applies, Check, CheckContext, applies, described, skipped
from gcready.goparse import parse_bool
from gcready.model import Component, Fact, Finding, Severity, Status
from gcready.model.remedy import Example, Remedy, SetEnv

META = described(
    "gc-flag-components",
    examples=(Example(SetEnv("GORILLA_ARTIFACT_GC_ENABLED", "true"), first=1),),
)


def _shown(component: Component, var: str) -> str:
    value = component.get(var)
    if value is None:
        return "not set"
    return repr(value.value) if value.value is not None else "(not readable)"


def run(ctx: CheckContext) -> list[Finding]:
    var, want = ctx.requirements.env_var, ctx.requirements.env_value
    components = list(ctx.evidence.components)
    if not components:
        return skipped(META, "No W&B server components among the inputs", "Nothing to compare.", "W&B server")
    if applies(ctx.deployment.candidates, lambda t: ctx.requirements.row(t).env_var) is Applies.NONE:
        return skipped(
            META,
            f"{var} not required for this deployment type",
            "W&B runs garbage collection itself on shared and dedicated cloud.",
            "W&B server",
        )
    runners = [c for c in components if c.runs_gc]
    others = [c for c in components if not c.runs_gc]
    if not runners or not others:
        return skipped(
            META,
            "Only one kind of server component among the inputs",
            "The flag can only be misplaced when components that do not run the collector are present too.",
            "W&B server",
        )
    on_elsewhere = [
        c for c in others if (v := c.get(var)) is not None and v.value is not None and parse_bool(v.value)
    ]
    return [_judge(runner, on_elsewhere, var, want) for runner in runners]


def _judge(runner: Component, on_elsewhere: list[Component], var: str, want: str) -> Finding:
    value = runner.get(var)
    facts = (
        Fact(
            f"{var} in {runner.name} (runs GC)",
            _shown(runner, var),
            value.origin if value else runner.origin,
        ),
        *(
            Fact(f"{var} in {c.name}", _shown(c, var), v.origin)
            for c in on_elsewhere
            if (v := c.get(var)) is not None
        ),
    )

    def finding(
        status: Status, title: str, detail: str, needs: str = "", remedy: Remedy | None = None
    ) -> Finding:
        return META.finding(
            status,
            title,
            detail,
            runner.name,
            severity=Severity.INFO if status is Status.PASS else META.severity,
            evidence=facts,
            needs=needs,
            remedy=remedy,
        )

    if value is not None and value.value is not None and parse_bool(value.value) is True:
        return finding(
            Status.PASS,
            f"{var} is true in {runner.name}, where the collector runs",
            "The component that runs the garbage collector has the flag.",
        )
    if not on_elsewhere:
        return finding(
            Status.PASS,
            f"{var} is not set true in any component: nothing misplaced",
            "No component that does not run the collector has the flag either; gc-env-flag "
            "judges the collector's value.",
        )
    names = ", ".join(c.name for c in on_elsewhere)
    if value is not None and value.value is None:
        return finding(
            Status.UNKNOWN,
            f"{var} is true in {names}; its value in {runner.name} cannot be read",
            f"{runner.name}: {value.unresolved or 'the value is not among the inputs'}.",
            needs="the value: put the ConfigMap among the inputs, or check the running server "
            f"(kubectl exec … -- printenv {var})",
        )
    return finding(
        Status.WARN,
        f"{var} is true in {names} but {_shown(runner, var)} in {runner.name}, which runs GC",
        f"The flag is set true in {names}, which do not run the garbage collector, but "
        f"{runner.name} has it {_shown(runner, var)}. Only {runner.name} runs the collector: "
        "deleted artifacts are not collected.",
        remedy=SetEnv(var, want, runner, own_layer=True),
    )


CHECK = Check(META, run)
