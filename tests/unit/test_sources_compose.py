"""docker-compose files: the W&B server service, env_file and environment precedence, interpolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcready.model import ComponentKind, Evidence, Finding, Provider, SignalKind, SourceKind, Status
from gcready.sources import collect
from gcready.sources.compose_interpolation import Unresolved, interpolate

FLAG = "GORILLA_ARTIFACT_GC_ENABLED"

COMPOSE = """\
services:
  wandb:
    image: registry.acme.lan/mirror/wandb/local:0.62.2
    env_file:
      - wandb.env
      - path: ./override.env
        required: false
    environment:
      GORILLA_ARTIFACT_GC_ENABLED: ${WANDB_GC:-true}
      HOST: https://wandb.acme.lan
      LICENSE:
  mysql:
    image: mysql:8.0
    environment:
      - MYSQL_PASSWORD=Compose-Mysql-Pw-31
"""

ENV_FILE = """\
GORILLA_ARTIFACT_GC_ENABLED=false
BUCKET=s3://compose-key:Compose-Secret-7Hq2@minio.acme.lan:9000/wandb?tls=true
GORILLA_DATA_RETENTION_PERIOD=48h
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _server(ev: Evidence) -> object:
    (comp,) = [c for c in ev.components if c.kind is ComponentKind.COMPOSE_SERVICE]
    return comp


def test_server_service_is_one_component_env_wins_over_env_file(tmp_path: Path) -> None:
    _write(tmp_path, "wandb.env", ENV_FILE)
    path = _write(tmp_path, "docker-compose.yml", COMPOSE)
    ev = collect([path])
    assert not ev.errors
    assert [i.kind for i in ev.inputs] == [SourceKind.COMPOSE]
    (comp,) = ev.components  # mysql is not a W&B server
    assert comp.kind is ComponentKind.COMPOSE_SERVICE and comp.runs_gc
    assert comp.name == "compose service wandb"
    assert comp.origin.line == 2
    flag = comp.get(FLAG)
    assert flag is not None and flag.value == "true"  # ${WANDB_GC:-true}: the default
    assert flag.origin.source == path and flag.origin.line == 9
    lost = [v for v in comp.shadowed if v.name == FLAG]
    assert [(v.value, Path(v.origin.source).name, v.origin.line) for v in lost] == [("false", "wandb.env", 1)]
    retention = comp.get("GORILLA_DATA_RETENTION_PERIOD")
    assert retention is not None and retention.value == "48h"
    assert retention.origin.source.endswith("wandb.env") and retention.origin.line == 3
    assert any(s.kind is SignalKind.SERVER_CONFIG for s in ev.signals)


def test_bucket_from_env_file_is_parsed_and_redacted(tmp_path: Path) -> None:
    _write(tmp_path, "wandb.env", ENV_FILE)
    ev = collect([_write(tmp_path, "docker-compose.yml", COMPOSE)])
    (bucket,) = ev.unique_buckets()
    assert bucket.provider is Provider.S3_COMPATIBLE
    assert bucket.name == "wandb" and bucket.endpoint == "minio.acme.lan:9000"
    value = _server(ev).get("BUCKET")  # type: ignore[attr-defined]
    assert "Compose-Secret-7Hq2" not in str(value)


def test_bare_name_takes_its_value_from_the_shell(tmp_path: Path) -> None:
    _write(tmp_path, "wandb.env", ENV_FILE)
    ev = collect([_write(tmp_path, "docker-compose.yml", COMPOSE)])
    license_ = _server(ev).get("LICENSE")  # type: ignore[attr-defined]
    assert license_ is not None and license_.value is None
    assert "shell" in license_.unresolved


def test_list_form_and_unresolved_interpolation(tmp_path: Path) -> None:
    text = """\
services:
  server:
    image: wandb/megabinary@sha256:0123abcd
    environment:
      - BUCKET=gs://acme-wandb-artifacts
      - GORILLA_ARTIFACT_GC_ENABLED=${GC_FLAG}
      - GORILLA_ONPREM=$$literal
"""
    ev = collect([_write(tmp_path, "compose.yaml", text)])
    comp = _server(ev)
    flag = comp.get(FLAG)  # type: ignore[attr-defined]
    assert flag is not None and flag.value is None and "${GC_FLAG}" in flag.unresolved
    assert flag.origin.line == 6
    assert comp.get("GORILLA_ONPREM").value == "$literal"  # type: ignore[attr-defined]
    assert [b.provider for b in ev.unique_buckets()] == [Provider.GCP]


def test_service_with_server_env_but_custom_image(tmp_path: Path) -> None:
    text = "services:\n  app:\n    image: acme/wandb-custom:1\n    environment:\n      GORILLA_ARTIFACT_GC_ENABLED: 'True'\n"
    ev = collect([_write(tmp_path, "compose.yaml", text)])
    assert _server(ev).get(FLAG).value == "True"  # type: ignore[attr-defined]


def test_later_env_file_wins_and_missing_required_file_is_a_gap(tmp_path: Path) -> None:
    _write(tmp_path, "a.env", "GORILLA_ARTIFACT_GC_ENABLED=false\n")
    _write(tmp_path, "b.env", "GORILLA_ARTIFACT_GC_ENABLED=true\n")
    text = """\
services:
  wandb:
    image: wandb/local
    env_file: [a.env, b.env, missing.env]
"""
    ev = collect([_write(tmp_path, "compose.yaml", text)])
    comp = _server(ev)
    flag = comp.get(FLAG)  # type: ignore[attr-defined]
    assert flag.value == "true" and flag.origin.source.endswith("b.env")
    assert any("missing.env" in gap for gap in comp.gaps)  # type: ignore[attr-defined]


def test_env_file_in_the_same_folder_is_not_judged_twice(tmp_path: Path) -> None:
    _write(tmp_path, "wandb.env", ENV_FILE)
    _write(tmp_path, "docker-compose.yml", COMPOSE)
    ev = collect([str(tmp_path)])
    assert [c.kind for c in ev.components] == [ComponentKind.COMPOSE_SERVICE]


def test_compose_without_wandb_is_not_recognised_unless_forced(tmp_path: Path) -> None:
    text = "services:\n  web:\n    image: nginx\n"
    path = _write(tmp_path, "compose.yaml", text)
    assert collect([path]).errors
    forced = collect([path], default_kind=SourceKind.COMPOSE)
    assert not forced.errors and not forced.components
    assert any("no service runs the W&B server" in n.text for n in forced.notes)


def test_operator_values_are_not_compose(tmp_path: Path) -> None:
    ev = collect(
        [_write(tmp_path, "values.yaml", "global:\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: 'true'\n")]
    )
    assert [i.kind for i in ev.inputs] == [SourceKind.HELM_VALUES]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("${A:-x}", "x"),
        ("${A-x}", "x"),
        ("pre-${A:-${B:-in}}-post", "pre-in-post"),
        ("${A:+alt}", ""),
        ("$$HOME", "$HOME"),
        ("cost $5", "cost $5"),
    ],
)
def test_interpolation_with_an_empty_shell(text: str, expected: str) -> None:
    assert interpolate(text) == expected


@pytest.mark.parametrize("text", ["${A}", "$A", "x${A:?needed}", "${A"])
def test_interpolation_that_needs_the_shell(text: str) -> None:
    with pytest.raises(Unresolved):
        interpolate(text)


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${A:-x}", {"A": "y"}, "y"),
        ("${A:-x}", {"A": ""}, "x"),
        ("${A-x}", {"A": ""}, ""),
        ("${A:+alt}", {"A": "1"}, "alt"),
        ("${A+alt}", {"A": ""}, "alt"),
        ("${A}/$A", {"A": "v"}, "v/v"),
        ("${A:?needed}", {"A": "v"}, "v"),
    ],
)
def test_interpolation_from_the_project_env(text: str, env: dict[str, str], expected: str) -> None:
    assert interpolate(text, env) == expected


def _gc_flag(ev: Evidence) -> Finding:
    from gcready.model import DeploymentType
    from gcready.pipeline import analyze
    from gcready.requirements import load_builtin

    report = analyze(ev, load_builtin(), override=DeploymentType.CUSTOMER_MANAGED_ONPREM)
    (finding,) = [f for f in report.findings if f.check == "gc-env-flag"]
    return finding


SERVICE = "services:\n  wandb:\n    image: wandb/local:0.60\n"


@pytest.mark.parametrize(
    ("value", "dotenv", "expected"),
    [
        ("${GC_ENABLED:-true}", "GC_ENABLED=false\n", Status.FAIL),  # the .env beats the default
        ("${GC_ENABLED}", "GC_ENABLED=true\n", Status.PASS),
        ("${GC_ENABLED:-false}", "export GC_ENABLED='true'  # on\n", Status.PASS),
        ("${GC_ENABLED:-true}", "GC_ENABLED\n", Status.UNKNOWN),  # the .env takes it from the shell
        ("${GC_ENABLED:-true}", "GC_ENABLED=${FROM_SHELL}\n", Status.UNKNOWN),
        ("${GC_ENABLED:-true}", "OTHER=x\n", Status.PASS),
    ],
)
def test_the_project_env_file_decides_interpolation(
    tmp_path: Path, value: str, dotenv: str, expected: Status
) -> None:
    _write(tmp_path, ".env", dotenv)
    path = _write(tmp_path, "compose.yaml", SERVICE + f"    environment:\n      {FLAG}: {value}\n")
    ev = collect([str(tmp_path)])
    assert [c.kind for c in ev.components] == [ComponentKind.COMPOSE_SERVICE]  # .env is not the server's env
    assert _gc_flag(collect([path])).status is expected


def test_a_project_env_file_gcready_must_not_read_leaves_interpolation_unknown(tmp_path: Path) -> None:
    (tmp_path / ".env").symlink_to("/proc/self/environ")
    path = _write(tmp_path, "compose.yaml", SERVICE + f"    environment:\n      {FLAG}: ${{GC:-true}}\n")
    ev = collect([path])
    assert _gc_flag(ev).status is Status.UNKNOWN
    assert any("project .env was not read" in n.text for n in ev.notes)


def test_a_later_env_file_gcready_did_not_read_makes_the_value_unknown(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    _write(tmp_path, "override.env", f"{FLAG}=false\n")  # outside the input tree: refused
    _write(sub, "wandb.env", f"{FLAG}=true\nBUCKET=s3://b\n")
    path = _write(
        sub, "compose.yaml", SERVICE + "    env_file:\n      - wandb.env\n      - ../override.env\n"
    )
    finding = _gc_flag(collect([path]))
    assert finding.status is Status.UNKNOWN and "override.env" in finding.detail
    earlier = _write(
        sub, "compose.yaml", SERVICE + "    env_file:\n      - ../override.env\n      - wandb.env\n"
    )
    assert _gc_flag(collect([earlier])).status is Status.PASS  # the file that was read comes later


def test_an_env_file_path_the_shell_decides_makes_an_earlier_value_unknown(tmp_path: Path) -> None:
    _write(tmp_path, "wandb.env", f"{FLAG}=true\n")
    _write(tmp_path, "prod.env", f"{FLAG}=false\n")
    path = _write(
        tmp_path, "compose.yaml", SERVICE + "    env_file:\n      - wandb.env\n      - ${STAGE}.env\n"
    )
    assert _gc_flag(collect([path])).status is Status.UNKNOWN
    _write(tmp_path, ".env", "STAGE=prod\n")  # the project .env names it: that file is read
    assert _gc_flag(collect([path])).status is Status.FAIL


def test_environment_wins_over_an_env_file_gcready_did_not_read(tmp_path: Path) -> None:
    text = SERVICE + f"    env_file: ${{STAGE}}.env\n    environment:\n      {FLAG}: 'true'\n"
    assert _gc_flag(collect([_write(tmp_path, "compose.yaml", text)])).status is Status.PASS


def test_single_quoted_env_file_values_keep_their_bucket_and_signals(tmp_path: Path) -> None:
    _write(
        tmp_path, "wandb.env", f"{FLAG}=true\nBUCKET='s3://minio.local:9000/wandb'\nGORILLA_ONPREM='true'\n"
    )
    ev = collect([_write(tmp_path, "compose.yaml", SERVICE + "    env_file: wandb.env\n")])
    assert [(b.endpoint, b.name) for b in ev.buckets] == [("minio.local:9000", "wandb")]
    assert any(s.kind is SignalKind.ONPREM_FLAG for s in ev.signals)


PROFILES = f"""\
services:
  wandb:
    image: wandb/local:0.60
    environment:
      {FLAG}: "true"
  wandb-debug:
    image: wandb/local:0.60
    profiles: [debug]
"""


def test_a_server_service_on_a_profile_is_not_judged_beside_one_that_always_starts(tmp_path: Path) -> None:
    ev = collect([_write(tmp_path, "compose.yaml", PROFILES)])
    assert [c.name for c in ev.components] == ["compose service wandb"]
    assert any("starts only with its profile enabled (debug): not judged" in n.text for n in ev.notes)
    assert _gc_flag(ev).status is Status.PASS
    _write(tmp_path, ".env", "COMPOSE_PROFILES=debug\n")  # enabled: it starts, and is judged
    ev = collect([str(tmp_path / "compose.yaml")])
    assert [c.name for c in ev.components] == ["compose service wandb", "compose service wandb-debug"]


def test_extends_is_not_followed_so_a_variable_not_seen_is_unknown(tmp_path: Path) -> None:
    text = (
        f"services:\n  base:\n    image: busybox\n    profiles: [never]\n    environment:\n      {FLAG}: 'true'\n"
        "  wandb:\n    extends: {service: base}\n    image: wandb/local:0.60\n"
    )
    assert _gc_flag(collect([_write(tmp_path, "compose.yaml", text)])).status is Status.UNKNOWN


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f'{FLAG}="true"', Status.FAIL),  # docker run --env-file keeps the quotes
        (f"{FLAG}=true", Status.PASS),
        (f"X=true\n{FLAG}=${{X}}", Status.FAIL),  # not interpolated: the server gets "${X}"
    ],
)
def test_an_env_file_in_the_raw_format_is_read_as_docker_run_reads_it(
    tmp_path: Path, line: str, expected: Status
) -> None:
    """docker compose registers `format: raw` with docker/cli's kvfile parser: no quote removal, no
    interpolation."""
    _write(tmp_path, "a.env", line + "\n")
    text = SERVICE + "    env_file:\n      - path: a.env\n        format: raw\n"
    ev = collect([_write(tmp_path, "compose.yaml", text)])
    assert not ev.errors
    assert _gc_flag(ev).status is expected


def test_an_env_file_format_compose_does_not_know_is_an_input_error_and_unknown(tmp_path: Path) -> None:
    _write(tmp_path, "a.env", f"{FLAG}=true\n")
    text = SERVICE + "    env_file:\n      - path: a.env\n        format: json\n"
    path = _write(tmp_path, "compose.yaml", text)
    ev = collect([path])
    (error,) = ev.errors
    assert (error.source, error.line) == (path, 5) and "unsupported env_file format 'json'" in error.message
    assert _gc_flag(ev).status is Status.UNKNOWN


@pytest.mark.parametrize(
    ("env_file", "extra", "expected"),
    [
        (f"X=true\n{FLAG}=${{X}}\n", {}, Status.PASS),  # an earlier line of the same file
        (f"{FLAG}=${{X}}\nX=true\n", {}, Status.UNKNOWN),  # a later line: not yet set
        (f'X=true\n{FLAG}="${{X}}"\n', {}, Status.PASS),
        (f"X=true\n{FLAG}='${{X}}'\n", {}, Status.FAIL),  # single quotes: literal
        (f"{FLAG}=${{X}}\n", {"first.env": "X=true\n"}, Status.PASS),  # an earlier env file
        (f"X=true\n{FLAG}=${{X}}\n", {".env": "X=false\n"}, Status.FAIL),  # the project .env comes first
        (f"X=true\n{FLAG}=${{X}}\n", {"environment": "X: 'false'"}, Status.FAIL),  # then `environment`
        (f"{FLAG}\n", {".env": f"{FLAG}=true\n"}, Status.PASS),  # a bare NAME: looked up the same way
    ],
)
def test_an_env_file_interpolates_from_what_compose_looks_up(
    tmp_path: Path, env_file: str, extra: dict[str, str], expected: Status
) -> None:
    """compose-go (WithServicesEnvironmentResolved, dotenv expandVariables): the project .env and
    shell, then the service's `environment`, then what earlier lines and env files set."""
    files = ["a.env"]
    _write(tmp_path, "a.env", env_file)
    for name, text in extra.items():
        if name.endswith(".env"):
            _write(tmp_path, name, text)
    if "first.env" in extra:
        files.insert(0, "first.env")
    text = SERVICE + f"    env_file: [{', '.join(files)}]\n"
    if "environment" in extra:
        text += f"    environment:\n      {extra['environment']}\n"
    ev = collect([_write(tmp_path, "compose.yaml", text)])
    assert not ev.errors
    assert _gc_flag(ev).status is expected
