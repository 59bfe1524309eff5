"""Mutated real inputs through `gcready audit`: never an internal error, never a traceback, never slow.

Seeds are the fixtures of every source kind (dotenv, Kubernetes, W&B CR, Helm values, compose, legacy
chart, Terraform, bundle, requirements profile) and copies of W&B's published charts and Terraform
modules (``../shared/realworld``). A seeded random mutator flips bytes, truncates, nests deeply,
repeats, and puts wrong types into known keys; each result runs through the real CLI in-process.

GCREADY_FUZZ_SECONDS bounds the total time (default 60), GCREADY_FUZZ_SEED picks the sequence
(default: fixed, so a failure reproduces), GCREADY_FUZZ_INPUT_SECONDS the CPU time one input may take (CPU, not wall-clock: the machine running the
suite may be shared, and only gcready's own work should count).
"""

from __future__ import annotations

import json
import os
import random
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from gcready.cli import main
from tests.conftest import FIXTURES, REPO

REALWORLD = REPO.parent / "shared" / "realworld"
BUDGET = float(os.environ.get("GCREADY_FUZZ_SECONDS", "60"))
SEED = int(os.environ.get("GCREADY_FUZZ_SEED", "20261201"))
PER_INPUT = float(os.environ.get("GCREADY_FUZZ_INPUT_SECONDS", "5"))
ALLOWED = {0, 2, 3, 4, 5}
MAX_INPUT = 1_000_000  # characters; the size limits themselves are tested in tests/unit/test_limits.py
FORMATS = ("text", "json", "html", "sarif", "junit")

# Keys whose values gcready reads: a wrong type there is what a hand-edited file gets wrong.
_KEYS = """
    metadata spec values global extraEnv env envFrom containers data items bucket name value valueFrom
    services environment env_file image kind apiVersion components buckets bucket_states settings access
    outcome origin provider account endpoint region signals notes rows versioning ssc deployment env_var
    label expect field providers app api glue legacyOverrides wandb objectStore configMapKeyRef
    secretKeyRef tls line resource_changes planned_values root_module resources address type after
    soft_delete object_lock lifecycle retention immutability mfa_delete enabled days mode years seconds
    locked immutability_policy legal_hold rules status noncurrent_days prefix reason permission redacted
    unresolved runs_gc gaps cloudProvider host defaultBucket path secret accessKey secretKey
"""  # from `soft_delete` on: the readings a bundle records (model.Reading), judged by the checks
KNOWN_KEYS = frozenset(_KEYS.split())
WRONG_VALUES: tuple[Any, ...] = (
    "foo",
    0,
    -1,
    2**70,
    1.5,
    True,
    None,
    [],
    {},
    ["a", 1],
    {"a": {"b": []}},
    "s3://wandb-{env}-files",
    "${X}",
    "\u202e<script>",
    "%s%n{0}",
    "x" * 5000,
)


@dataclass(frozen=True)
class Seed:
    name: str  # file name to write (suffix matters for recognition)
    text: str
    kind: str  # the --kind it is, "requirements" for a profile


def _kind_of(path: Path, text: str) -> str | None:
    from gcready.sources import collect

    if path.name.endswith(".toml"):
        return "requirements"
    got = collect([str(path)])
    return got.inputs[0].kind.value if got.inputs else None


def _seeds() -> list[Seed]:
    files = sorted(p for p in (FIXTURES / "scenarios").rglob("*") if p.is_file() and "inputs" in p.parts)
    files += sorted(p for p in (FIXTURES / "demo").rglob("*") if p.is_file())
    files += sorted((FIXTURES / "terraform").rglob("*.tf")) + sorted((FIXTURES / "terraform").rglob("*.json"))
    files.append(REPO / "src" / "gcready" / "data" / "requirements.toml")
    if REALWORLD.is_dir():
        charts = REALWORLD / "helm-charts"
        files += sorted((charts / "test-configs" / "operator-wandb").glob("*.yaml"))[:12]
        files += [
            charts / "charts" / "wandb" / "values.yaml",
            charts / "charts" / "operator-wandb" / "values.yaml",
        ]
        files += sorted((charts / "test-configs" / "operator-wandb" / "__snapshots__").glob("*"))[:3]
        for repo in ("terraform-aws-wandb", "terraform-google-wandb", "terraform-azurerm-wandb"):
            files += sorted((REALWORLD / repo).glob("*.tf"))[:3]
    seeds: list[Seed] = []
    for path in files:
        if not path.is_file() or path.stat().st_size > 400_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        kind = _kind_of(path, text)
        if kind is not None:
            seeds.append(Seed(path.name, text, kind))
    seeds += [
        Seed(
            "docker-compose.yml",
            "services:\n  wandb:\n    image: wandb/local:0.60\n    env_file: [wandb.env]\n"
            "    environment:\n      GORILLA_ARTIFACT_GC_ENABLED: 'true'\n      BUCKET: s3://acme/files\n",
            "compose",
        ),
        Seed("wandb.env", "export GORILLA_ARTIFACT_GC_ENABLED=\"true\" # on\nBUCKET='s3://b/p'\n", "dotenv"),
    ]
    return seeds


# --- mutators -----------------------------------------------------------------------------------


def _flip(rng: random.Random, text: str) -> str:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return data.decode("utf-8", "replace")


def _truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _repeat(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True) or ["X=1\n"]
    line = rng.choice(lines)
    at = rng.randrange(len(lines) + 1)
    times = min(rng.choice((50, 2000, 20000)), MAX_INPUT // max(1, len(line)))  # never more than MAX_INPUT
    return "".join(lines[:at]) + line * times + "".join(lines[at:])


def _nest(rng: random.Random, text: str, seed: Seed) -> str:
    depth = rng.choice((70, 500, 5000, 100_000))
    if seed.kind in ("bundle", "terraform") and text.lstrip().startswith("{"):
        return text.rstrip().rstrip("}") + ', "x": ' + "[" * depth + "]" * depth + "}"
    if seed.kind == "requirements":
        return text + "\nx = " + "[" * depth + "]" * depth + "\n"
    if seed.kind == "terraform":
        return text + "\nlocals {\n  x = " + "[" * depth + "]" * depth + "\n}\n"
    if seed.kind == "dotenv":
        return text + "X=" + "{" * depth + "\n"
    return text + "\nx: " + "[" * min(depth, 5000) + "]" * min(depth, 5000) + "\n"


def _walk_replace(rng: random.Random, node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in KNOWN_KEYS and rng.random() < 0.3:
                out[key] = rng.choice(WRONG_VALUES)
            else:
                out[key] = _walk_replace(rng, value)
        return out
    if isinstance(node, list):
        return [rng.choice(WRONG_VALUES) if rng.random() < 0.1 else _walk_replace(rng, v) for v in node]
    return node


def _wrong_types(rng: random.Random, text: str, seed: Seed) -> str:
    try:
        if text.lstrip().startswith("{"):
            return json.dumps(_walk_replace(rng, json.loads(text)))
        if seed.kind == "requirements":
            import tomllib

            data = _walk_replace(rng, tomllib.loads(text))
            return json.dumps(data)  # not TOML any more: still must be exit 2
        if seed.kind in ("dotenv", "terraform"):
            return _flip(rng, text)
        docs = list(yaml.safe_load_all(text))
        return yaml.safe_dump_all([_walk_replace(rng, d) for d in docs], sort_keys=False)
    except Exception:  # a seed the mutator cannot parse: flip bytes instead
        return _flip(rng, text)


MUTATORS: tuple[Callable[[random.Random, str, Seed], str], ...] = (
    lambda r, t, s: _flip(r, t),
    lambda r, t, s: _truncate(r, t),
    lambda r, t, s: _repeat(r, t),
    _nest,
    _wrong_types,
    _wrong_types,
)


def _mutate(rng: random.Random, seed: Seed) -> str:
    text = seed.text
    for _ in range(rng.choice((1, 1, 2, 3))):
        text = rng.choice(MUTATORS)(rng, text, seed)[:MAX_INPUT]  # repetition of repetition grows fast
    return text


# --- the run ------------------------------------------------------------------------------------


def _args(seed: Seed, path: Path, rng: random.Random, out: Path) -> list[str]:
    fmt = rng.choice(FORMATS)
    args = ["audit", "--offline", "--no-environment", "--format", fmt, "-o", str(out), "-q"]
    if seed.kind == "requirements":
        return [*args, "--requirements", str(path), str(FIXTURES / "demo")]
    if rng.random() < 0.5:
        args += ["--kind", seed.kind]
    if seed.kind == "dotenv" and rng.random() < 0.5:
        args += ["--env-file-dialect", rng.choice(("docker", "compose", "systemd"))]
    if rng.random() < 0.3:
        args += ["--html", str(out.with_suffix(".html"))]
    return [*args, str(path)]


@pytest.mark.timeout(int(BUDGET) + 240)
def test_mutated_inputs_never_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = _seeds()
    kinds = {s.kind for s in seeds}
    assert {
        "dotenv",
        "kubernetes",
        "wandb-cr",
        "helm-values",
        "compose",
        "helm-legacy",
        "terraform",
        "bundle",
        "requirements",
    } <= kinds, f"a source kind has no seed: {sorted(kinds)}"
    rng = random.Random(SEED)
    runner = CliRunner()
    ran = 0
    problems: list[str] = []
    slowest = 0.0
    start = time.monotonic()
    deadline = start + BUDGET
    while time.monotonic() < deadline and len(problems) < 5:
        seed = seeds[ran % len(seeds)] if ran < len(seeds) else rng.choice(seeds)
        text = _mutate(rng, seed)
        case = tmp_path / f"case{ran}"
        case.mkdir()
        path = case / seed.name
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        if seed.kind == "compose":  # the env_file it may name, mutated too
            env_seed = next(s for s in seeds if s.kind == "dotenv")
            (case / "wandb.env").write_text(
                _mutate(rng, env_seed), encoding="utf-8", errors="surrogateescape"
            )
        args = _args(seed, path, rng, case / "report.out")
        started = time.process_time()
        result = runner.invoke(main, args, catch_exceptions=True)
        took = time.process_time() - started
        slowest = max(slowest, took)
        ran += 1
        output = result.output
        keep = case / "input.keep"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            keep.write_text(text)
            where = traceback.format_exception(result.exception, limit=-3)
            problems.append(
                f"{seed.name} ({seed.kind}) {args[1:-1]} [kept in {keep}]\n{''.join(where)[-1500:]}"
            )
        elif result.exit_code not in ALLOWED:
            problems.append(f"{seed.name} ({seed.kind}) → exit {result.exit_code}: {output[-300:]}")
        elif "Traceback" in output:
            problems.append(f"{seed.name} ({seed.kind}) → a traceback in the output")
        elif took > PER_INPUT:
            keep.write_text(text)
            problems.append(
                f"{seed.name} ({seed.kind}) took {took:.1f}s of CPU (limit {PER_INPUT}s) [kept in {keep}]"
            )
    with capsys.disabled():
        elapsed = time.monotonic() - start
        print(
            f"\nfuzz: {ran} mutated inputs from {len(seeds)} seeds in {elapsed:.0f}s; slowest {slowest:.2f}s of CPU"
        )
    assert not problems, "\n".join(problems)
