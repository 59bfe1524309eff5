"""``--also FORMAT=FILE`` and its per-format shorthands (``--json FILE``…): every format of the enum gets
both, each file is written whole, and a bad FORMAT is click's usage error naming the valid ones."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gcready.cli import main
from gcready.cli.args import OutputArgs
from gcready.cli.param_types import ExtraOutput
from gcready.report import Format
from gcready.report.context import RunContext, RunTiming
from tests.cli.test_cli import BUNDLE, VALUES
from tests.conftest import run_gcready

FORMATS = ", ".join(f.value for f in Format)
EPOCH = {"SOURCE_DATE_EPOCH": "1764590400"}  # the same report time in every run


@pytest.fixture
def ready(tmp_path: Path) -> list[str]:
    values, bundle = tmp_path / "in" / "values.yaml", tmp_path / "in" / "bucket.bundle.json"
    values.parent.mkdir()
    values.write_text(VALUES)
    bundle.write_text(json.dumps(BUNDLE))
    return [str(values), str(bundle)]


def audit(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, ["audit", *args], env=EPOCH)
    return done.exit_code, done.stdout, done.stderr


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_has_a_shorthand_that_writes_what_also_writes(
    fmt: Format, ready: list[str], tmp_path: Path
) -> None:
    short, also = tmp_path / f"short.{fmt.value}", tmp_path / f"also.{fmt.value}"
    code, _, err = audit(
        *ready, "--offline", "-q", f"--{fmt.value}", str(short), "--also", f"{fmt.value}={also}"
    )
    assert code == 0, err
    assert short.read_text() == also.read_text()
    assert short.stat().st_size > 200


def test_shorthands_are_generated_from_the_format_enum() -> None:
    params = {p.name: p for p in main.commands["audit"].params}  # type: ignore[attr-defined]
    for fmt in Format:
        option = params[f"{fmt.value}_out"]  # the destinations a config file's default_map names
        assert isinstance(option, click.Option) and option.opts == [f"--{fmt.value}"]


def test_also_repeats_and_each_file_is_the_format_it_names(ready: list[str], tmp_path: Path) -> None:
    out = tmp_path / "reports"
    args = [
        "--also",
        f"json={out / 'r.json'}",
        "--also",
        f"junit={out / 'r.xml'}",
        "--also",
        f"html={out / 'r.html'}",
    ]
    code, stdout, err = audit(*ready, "--offline", *args)
    assert code == 0, err
    assert stdout.startswith("gcready: READY")  # the main report still goes to stdout
    assert sorted(p.name for p in out.iterdir()) == ["r.html", "r.json", "r.xml"]  # no temp file left
    assert json.loads((out / "r.json").read_text())["summary"]["verdict"] == "pass"
    assert (out / "r.xml").read_text().startswith("<?xml")
    assert "<html" in (out / "r.html").read_text().lower()


def test_shorthands_come_first_then_also_in_the_order_given() -> None:
    command = main.commands["audit"]  # type: ignore[attr-defined]
    ctx = command.make_context(
        "audit", ["--also", "text=b.txt", "--sarif", "a.sarif", "--also", "json=c.json"]
    )
    assert OutputArgs.from_params(ctx.params).extras == (
        ExtraOutput(Format.SARIF, "a.sarif"),
        ExtraOutput(Format.TEXT, "b.txt"),
        ExtraOutput(Format.JSON, "c.json"),
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("yaml=r.yaml", f"yaml=r.yaml: unknown format 'yaml' (one of: {FORMATS})"),
        ("JSON=r.json", f"JSON=r.json: unknown format 'JSON' (one of: {FORMATS})"),
        ("r.json", f"r.json: expected FORMAT=FILE with FORMAT one of {FORMATS}"),
        ("json=", f"json=: expected FORMAT=FILE with FORMAT one of {FORMATS}"),
    ],
)
def test_a_bad_also_is_a_usage_error_naming_the_formats(value: str, says: str, tmp_path: Path) -> None:
    run = run_gcready("audit", "--offline", str(tmp_path), "--also", value)
    assert run.code == 2 and run.stdout == ""
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: Invalid value for '--also': {says}"], run.stderr


def test_an_unwritable_extra_output_is_one_line_and_exit_2(ready: list[str], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder is needed")
    run = run_gcready("audit", *ready, "--offline", "--also", f"json={blocker / 'r.json'}")
    assert run.code == 2
    [line] = run.stderr.splitlines()
    assert line.startswith(f"gcready: {blocker / 'r.json'}: cannot write: "), run.stderr
    assert blocker.read_text() == "a file where a folder is needed"


def test_emit_gives_every_format_the_runs_timing(
    ready: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gcready.report

    seen: list[tuple[Format, RunContext | None]] = []
    real = gcready.report.render

    def spy(report: object, fmt: Format, **kwargs: object) -> str:
        context = kwargs.get("context")
        assert context is None or isinstance(context, RunContext)
        seen.append((fmt, context))
        return real(report, fmt, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gcready.report, "render", spy)
    code, _, err = audit(*ready, "--offline", "--json", str(tmp_path / "r.json"))
    assert code == 0, err
    assert [fmt for fmt, _ in seen] == [Format.JSON, Format.TEXT]
    for _, context in seen:
        assert context is not None
        timing = context.get(RunTiming)
        assert timing is not None and 0 <= timing.duration_seconds < 60


def test_run_context_holds_one_item_per_type() -> None:
    @dataclasses.dataclass(frozen=True)
    class Other:
        name: str

    context = RunContext().with_item(RunTiming(1.5)).with_item(Other("x"))
    assert context.get(RunTiming) == RunTiming(1.5)
    assert context.get(Other) == Other("x")
    replaced = context.with_item(RunTiming(2.0))
    assert replaced.get(RunTiming) == RunTiming(2.0) and len(replaced.items) == 2
    assert RunContext().get(RunTiming) is None
    assert context.get(RunTiming) == RunTiming(1.5)  # with_item returned a copy
