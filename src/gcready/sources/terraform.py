"""Terraform: HCL module folders (``*.tf`` + ``*.tfvars``) and ``terraform show -json`` plan/state.

Terraform is read per module directory: every ``*.tf`` of a folder together, with ``terraform.tfvars``,
``*.auto.tfvars`` and any ``*.tfvars`` given beside them. Literals, ``var.x`` (defaults and tfvars),
``local.x`` and simple ``"${...}"`` interpolation are resolved; calls of local modules
(``source = "./modules/x"``) are followed with the call's arguments as the child's variables. Anything
Terraform computes (function calls, conditionals, other resources' attributes, variables with no value)
gives a non-``ok`` reading ("computed in Terraform: …"), never a pass or a fail.

Calls of W&B's published modules (``wandb/wandb/aws``, ``wandb/wandb/google``, ``wandb/wandb/azurerm``)
are recognised: ``other_wandb_env`` becomes the server's env (the modules write it to the chart's
``global.extraEnv``), ``bucket_name`` names an external bucket whose settings this code cannot show, and
without it the module creates the bucket itself: as published, with no versioning and no soft delete.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gcready.bucketurl import BucketURLError, parse_helm_bucket
from gcready.model import (
    JSON,
    BucketRef,
    BucketState,
    Component,
    ComponentKind,
    EnvValue,
    Evidence,
    InputError,
    InputFile,
    Note,
    Origin,
    Outcome,
    Provider,
    Reading,
    Signal,
    SignalKind,
    SourceKind,
)
from gcready.sources.envvars import read_env_var, unresolved
from gcready.sources.helm import COMPONENTS as HELM_COMPONENTS
from gcready.sources.helm import GC_COMPONENTS, env_from_gaps
from gcready.sources.helm import IGNORED_KEYS as HELM_IGNORED_KEYS
from gcready.sources.helm import deployed as helm_deployed
from gcready.sources.tfdetect import looks_like_plan

COMPUTED = "computed in Terraform"
GCS_DEFAULT_SOFT_DELETE_SECONDS = 7 * 86400

# W&B's published modules, as registry addresses or git sources.
_WANDB_REGISTRY = re.compile(
    r"^(?:(?:registry\.terraform\.io|app\.terraform\.io/[^/]+|[\w.-]+/[\w.-]+)/)?wandb/wandb/(aws|google|azurerm)(?://.*)?$",
    re.I,
)
_WANDB_GIT = re.compile(r"(?:github\.com[/:])wandb/terraform-(aws|google|azurerm)-wandb(?:\.git)?", re.I)
# W&B's Helm module (what the cloud modules call with the operator's values under ``spec.values``).
_WANDB_HELM = re.compile(
    r"^(?:(?:registry\.terraform\.io|app\.terraform\.io/[^/]+|[\w.-]+/[\w.-]+)/)?wandb/wandb/helm(?://.*)?$"
    r"|github\.com[/:]wandb/terraform-helm-wandb",
    re.I,
)
_WANDB_PROVIDER = {"aws": Provider.AWS, "google": Provider.GCP, "azurerm": Provider.AZURE}
_SIGNAL_PROVIDER = {"aws": "aws", "google": "gcp", "azurerm": "azure"}
# The bucket each published module creates when it is given no bucket (module path inside it).
_WANDB_CREATED = {
    "aws": "module.file_storage[0].aws_s3_bucket.file_storage",
    "google": "module.storage[0].module.bucket.google_storage_bucket.file_storage",
    "azurerm": "module.storage[0].azurerm_storage_container.default",
}
_BUCKET_TYPES = frozenset(
    {
        "aws_s3_bucket",
        "google_storage_bucket",
        "azurerm_storage_account",
        "azurerm_storage_container",
        "minio_s3_bucket",
    }
)
_LOOKALIKE = re.compile(
    r"(?:^|[-_.])(logs?|cloudtrail|flow[-_]?logs?|access[-_]?logs?|alb[-_]?logs?|tfstate|state)(?:$|[-_.])",
    re.I,
)
_WANDBISH = re.compile(r"wandb|file[-_]?storage|artifacts", re.I)


class TerraformError(ValueError):
    pass


@dataclass(frozen=True)
class Unknown:
    """A value Terraform would compute; ``reason`` says from what."""

    reason: str


@dataclass(frozen=True)
class Ref:
    """A reference to a resource (``aws_s3_bucket.x.id``): links settings resources to their bucket."""

    address: str
    attr: str

    @property
    def reason(self) -> str:
        return f"{COMPUTED}: {self.address}.{self.attr} (known after apply)"


# ---------------------------------------------------------------------------------------------------
# Parsing


@dataclass
class ParsedFile:
    path: str
    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int]

    def line(self, *key: Any) -> int:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


def _parse_hcl(path: str, text: str) -> ParsedFile:
    """Parse once: the Lark tree gives the lines, its transformation the values."""
    try:
        import hcl2
    except ImportError as exc:  # pragma: no cover - a dependency
        raise TerraformError(f"python-hcl2 is not installed ({exc.name})") from None
    try:
        tree = hcl2.parses_to_tree(text)
        options = hcl2.SerializationOptions(
            with_comments=False, strip_string_quotes=True, preserve_heredocs=False
        )
        data = hcl2.serialize(hcl2.transform(tree), serialization_options=options)
    except Exception as exc:
        line = getattr(exc, "line", None)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _HCLError(
            f"not valid HCL: {message[:200]}", line if isinstance(line, int) and line > 0 else None
        ) from None
    return ParsedFile(path, _clean(data), _line_index(tree))


class _HCLError(TerraformError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _unquote(text: str) -> str:
    text = str(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def _clean(node: Any) -> Any:
    """Drop the serializer's markers and quotes on keys."""
    if isinstance(node, dict):
        return {_unquote(k): _clean(v) for k, v in node.items() if not str(k).startswith("__")}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def _line_index(tree: Any) -> dict[tuple[Any, ...], int]:
    """Line of each block (``(type, *labels)``), nested block (``(..., name, i)``), attribute and map key,
    from python-hcl2's Lark parse tree."""
    index: dict[tuple[Any, ...], int] = {}
    from lark import Token, Tree

    def words(node: Any) -> str:
        if isinstance(node, Token):
            return str(node)
        if isinstance(node, Tree):
            return "".join(words(c) for c in node.children)
        return str(node)

    def line_of(node: Any) -> int | None:
        meta = getattr(node, "meta", None)
        return getattr(meta, "line", None) if meta is not None and not meta.empty else None

    def objects(node: Any, key: tuple[Any, ...]) -> None:
        if not isinstance(node, Tree):
            return
        if node.data == "object_elem":
            name = _unquote(words(node.children[0]).strip())
            sub = (*key, name)
            found = line_of(node)
            if found is not None:
                index.setdefault(sub, found)
            for child in node.children[1:]:
                objects(child, sub)
            return
        for child in node.children:
            objects(child, key)

    def body(node: Any, prefix: tuple[Any, ...], nested: bool) -> None:
        counts: dict[str, int] = {}
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "block":
                parts = [c for c in child.children if isinstance(c, Tree) and c.data != "body"]
                name = words(parts[0]).strip() if parts else ""
                labels = [_unquote(words(p).strip()) for p in parts[1:]]
                if nested:
                    key: tuple[Any, ...] = (*prefix, name, counts.get(name, 0))
                    counts[name] = counts.get(name, 0) + 1
                else:
                    key = (*prefix, name, *labels)
                found = line_of(child)
                if found is not None:
                    index.setdefault(key, found)
                for c in child.children:
                    if isinstance(c, Tree) and c.data == "body":
                        body(c, key, True)
            elif child.data == "attribute":
                name = words(child.children[0]).strip()
                key = (*prefix, name)
                found = line_of(child)
                if found is not None:
                    index.setdefault(key, found)
                for c in child.children[1:]:
                    objects(c, key)
            elif child.data == "body":
                body(child, prefix, nested)

    root = tree.children[0] if isinstance(tree, Tree) and tree.data == "start" and tree.children else tree
    if isinstance(root, Tree):
        body(root, (), False)
    return index


# ---------------------------------------------------------------------------------------------------
# Module folders and evaluation


@dataclass
class Located:
    value: Any
    file: ParsedFile
    key: tuple[Any, ...]

    @property
    def line(self) -> int:
        return self.file.line(*self.key)


@dataclass
class ModuleDir:
    path: str
    files: list[ParsedFile] = field(default_factory=list)
    tfvars: list[tuple[str, dict[str, Any], ParsedFile | None]] = field(default_factory=list)
    variables: dict[str, Located] = field(default_factory=dict)
    locals: dict[str, Located] = field(default_factory=dict)
    outputs: dict[str, Located] = field(default_factory=dict)
    resources: list[tuple[str, str, Located]] = field(default_factory=list)
    calls: list[tuple[str, Located]] = field(default_factory=list)
    providers: list[tuple[str, Located]] = field(default_factory=list)

    def index(self) -> None:
        for f in self.files:
            for block in _blocks(f.data.get("variable")):
                for name, body in block.items():
                    self.variables[name] = Located(body, f, ("variable", name))
            for block in _blocks(f.data.get("locals")):
                for name, value in block.items():
                    self.locals[name] = Located(value, f, ("locals", name))
            for block in _blocks(f.data.get("output")):
                for name, body in block.items():
                    self.outputs[name] = Located(body, f, ("output", name))
            for block in _blocks(f.data.get("resource")):
                for rtype, named in block.items():
                    if isinstance(named, dict):
                        for name, body in named.items():
                            self.resources.append((rtype, name, Located(body, f, ("resource", rtype, name))))
            for block in _blocks(f.data.get("module")):
                for name, body in block.items():
                    self.calls.append((name, Located(body, f, ("module", name))))
            for block in _blocks(f.data.get("provider")):
                for name, body in block.items():
                    self.providers.append((name, Located(body, f, ("provider", name))))


def _blocks(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node]
    if isinstance(node, list):
        return [b for b in node if isinstance(b, dict)]
    return []


def _block(body: Any, name: str) -> dict[str, Any] | None:
    """The first nested block ``name`` of an (evaluated or raw) body."""
    if not isinstance(body, dict):
        return None
    node = body.get(name)
    if isinstance(node, list):
        node = node[0] if node else None
    return node if isinstance(node, dict) else None


def _block_list(body: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    node = body.get(name)
    if isinstance(node, dict):
        return [node]
    if isinstance(node, list):
        return [b for b in node if isinstance(b, dict)]
    return []


_REF = re.compile(r"^([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\s*(?:\d+|\"[^\"]*\")\s*\]|\.\d+)*)$")
_PART = re.compile(r"\.([A-Za-z_][\w-]*|\d+)|\[\s*(\d+|\"[^\"]*\")\s*\]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _split_template(text: str) -> list[tuple[bool, str]] | None:
    """``"a-${x}-b"`` → [(False, "a-"), (True, "x"), (False, "-b")]; None when it has directives."""
    parts: list[tuple[bool, str]] = []
    i, start = 0, 0
    while i < len(text):
        if text.startswith("$${", i) or text.startswith("%%{", i):
            i += 3
            continue
        if text.startswith("%{", i):
            return None
        if text.startswith("${", i):
            if i > start:
                parts.append((False, text[start:i]))
            depth, j, quoted = 1, i + 2, False
            while j < len(text) and depth:
                ch = text[j]
                if ch == '"' and text[j - 1] != "\\":
                    quoted = not quoted
                elif not quoted and ch == "{":
                    depth += 1
                elif not quoted and ch == "}":
                    depth -= 1
                j += 1
            if depth:
                return None
            parts.append((True, text[i + 2 : j - 1]))
            i = start = j
            continue
        i += 1
    if start < len(text):
        parts.append((False, text[start:]))
    return parts


class Scope:
    """One instance of a module folder: its variables' values and a prefix for addresses."""

    def __init__(
        self, reader: Reader, mod: ModuleDir, prefix: str, inputs: dict[str, Any], caller: Scope | None
    ):
        self.reader = reader
        self.mod = mod
        self.prefix = prefix
        self.inputs = inputs  # raw argument values, evaluated in the caller's scope
        self.caller = caller
        self._vars: dict[str, Any] = {}
        self._locals: dict[str, Any] = {}
        self._busy: set[str] = set()
        self.children: dict[str, Scope] = {}
        self.wandb_calls: dict[str, WandbCall] = {}

    # values -----------------------------------------------------------------------------------
    def var(self, name: str) -> Any:
        if name in self._vars:
            return self._vars[name]
        if f"var.{name}" in self._busy:
            return Unknown(f"{COMPUTED}: var.{name} refers to itself")
        self._busy.add(f"var.{name}")
        try:
            value = self._var(name)
        finally:
            self._busy.discard(f"var.{name}")
        self._vars[name] = value
        return value

    def _var(self, name: str) -> Any:
        if name in self.inputs:
            assert self.caller is not None
            return self.caller.value(self.inputs[name])
        if self.caller is None:
            for _path, values, _pf in reversed(self.mod.tfvars):
                if name in values:
                    return self.value(values[name]) if _pf is not None else values[name]
        decl = self.mod.variables.get(name)
        if decl is None:
            return Unknown(f"{COMPUTED}: var.{name} is not declared in {self.mod.path}")
        body = decl.value if isinstance(decl.value, dict) else {}
        if "default" in body:
            return self.value(body["default"])
        where = (
            "no argument in the module call" if self.caller is not None else "no value in the given tfvars"
        )
        return Unknown(f"{COMPUTED}: var.{name} has no default and {where}")

    def var_origin(self, name: str) -> tuple[ParsedFile, tuple[Any, ...]] | None:
        """Where a root variable's value is written: its tfvars entry, else its default."""
        if name in self.inputs:
            return None
        if self.caller is None:
            for _path, values, parsed in reversed(self.mod.tfvars):
                if name in values:
                    return (parsed, (name,)) if parsed is not None else None
        decl = self.mod.variables.get(name)
        if decl is not None and isinstance(decl.value, dict) and "default" in decl.value:
            return decl.file, ("variable", name, "default")
        return None

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        decl = self.mod.locals.get(name)
        if decl is None:
            return Unknown(f"{COMPUTED}: local.{name} is not defined in {self.mod.path}")
        if f"local.{name}" in self._busy:
            return Unknown(f"{COMPUTED}: local.{name} refers to itself")
        self._busy.add(f"local.{name}")
        try:
            value = self.value(decl.value)
        finally:
            self._busy.discard(f"local.{name}")
        self._locals[name] = value
        return value

    def value(self, raw: Any) -> Any:
        """Evaluate a serialized HCL value: literals, maps, lists, blocks and ``${...}`` strings."""
        if isinstance(raw, dict):
            return {k: self.value(v) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self.value(v) for v in raw]
        if isinstance(raw, str):
            return self.template(raw)
        return raw

    def template(self, text: str) -> Any:
        if "${" not in text and "%{" not in text:
            return text.replace("$${", "${").replace("%%{", "%{")
        parts = _split_template(text)
        if parts is None:
            return Unknown(f"{COMPUTED}: template {text!r}")
        if len(parts) == 1 and parts[0][0]:
            return self.expr(parts[0][1])
        out: list[str] = []
        for is_expr, part in parts:
            if not is_expr:
                out.append(part.replace("$${", "${"))
                continue
            got = self.expr(part)
            if isinstance(got, Unknown | Ref):
                return Unknown(f"{COMPUTED}: {text!r} ({got.reason.removeprefix(COMPUTED + ': ')})")
            if isinstance(got, bool):
                out.append("true" if got else "false")
            elif isinstance(got, int | float | str):
                out.append(str(got))
            else:
                return Unknown(f"{COMPUTED}: {text!r}")
        return "".join(out)

    def expr(self, expr: str) -> Any:
        expr = expr.strip()
        while expr.startswith("(") and expr.endswith(")") and _balanced(expr[1:-1]):
            expr = expr[1:-1].strip()
        if expr in ("true", "false"):
            return expr == "true"
        if expr == "null":
            return None
        if _NUMBER.match(expr):
            return float(expr) if "." in expr else int(expr)
        operators = self.operators(expr)
        if operators is not None:
            return operators
        if len(expr) >= 2 and expr[0] == expr[-1] == '"' and '"' not in expr[1:-1].replace('\\"', ""):
            return self.template(expr[1:-1].replace('\\"', '"').replace("\\\\", "\\"))
        call = _CALL.match(expr)
        if call and _balanced(call.group(2)):
            return self.call(call.group(1), call.group(2), expr)
        match = _REF.match(expr)
        if not match:
            return Unknown(f"{COMPUTED}: {expr}")
        head = match.group(1)
        parts = [
            m.group(1) if m.group(1) is not None else _unquote(m.group(2))
            for m in _PART.finditer(match.group(2))
        ]
        if head == "var" and parts:
            return _dig(self.var(parts[0]), parts[1:], expr)
        if head == "local" and parts:
            return _dig(self.local(parts[0]), parts[1:], expr)
        if head == "module" and parts:
            return self.module_output(parts[0], [p for p in parts[1:] if not p.isdigit()], expr)
        if head in ("data", "each", "count", "path", "terraform", "self") or not parts:
            return Unknown(f"{COMPUTED}: {expr}")
        names = [p for p in parts if not p.isdigit()]
        if names:
            address = f"{self.prefix}{head}.{names[0]}"
            return Ref(address, ".".join(names[1:]) or "id")
        return Unknown(f"{COMPUTED}: {expr}")

    def operators(self, expr: str) -> Any:
        """``c ? a : b``, ``||``, ``&&``, ``==``, ``!=`` and ``!x`` over known values; None when ``expr``
        has no such operator at its top level. An unknown operand makes the result unknown, except a
        conditional whose condition is known (only the branch taken is evaluated, as Terraform does)."""
        split = _top_level_conditional(expr)
        if split is not None:
            cond = self.expr(split[0])
            if isinstance(cond, bool):
                return self.expr(split[1] if cond else split[2])
            return Unknown(f"{COMPUTED}: {expr}")
        for op in ("||", "&&", "==", "!="):
            parts = _top_level_split(expr, op)
            if parts is None:
                continue
            left, right = self.expr(parts[0]), self.expr(parts[1])
            if isinstance(left, Unknown | Ref) or isinstance(right, Unknown | Ref):
                return Unknown(f"{COMPUTED}: {expr}")
            if op in ("||", "&&"):
                if not isinstance(left, bool) or not isinstance(right, bool):
                    return Unknown(f"{COMPUTED}: {expr}")
                return (left or right) if op == "||" else (left and right)
            return (left == right) if op == "==" else (left != right)
        if expr.startswith("!") and not expr.startswith("!="):
            inner = self.expr(expr[1:])
            return (not inner) if isinstance(inner, bool) else Unknown(f"{COMPUTED}: {expr}")
        return None

    def call(self, fn: str, args_text: str, expr: str) -> Any:
        """The few pure functions whose result gcready can know: string helpers, merge, coalesce."""
        if fn not in _FUNCTIONS:
            return Unknown(f"{COMPUTED}: {expr}")
        args = [self.expr(a) for a in _split_args(args_text)]
        for arg in args:
            if isinstance(arg, Unknown | Ref):
                return Unknown(f"{COMPUTED}: {expr} ({arg.reason.removeprefix(COMPUTED + ': ')})")
        try:
            return _FUNCTIONS[fn](args)
        except (TypeError, ValueError, IndexError, KeyError):
            return Unknown(f"{COMPUTED}: {expr}")

    def module_output(self, name: str, rest: list[str], expr: str) -> Any:
        call = self.wandb_calls.get(name)
        if call is not None:
            if rest and "bucket" in rest[0] and call.created is not None:
                return Ref(call.created, "id")
            return Unknown(f"{COMPUTED}: {expr} (an output of {call.source})")
        child = self.children.get(name)
        if child is None or not rest:
            return Unknown(f"{COMPUTED}: {expr} (a module output)")
        out = child.mod.outputs.get(rest[0])
        if out is None or not isinstance(out.value, dict) or "value" not in out.value:
            return Unknown(f"{COMPUTED}: {expr} (no such output in {child.mod.path})")
        key = f"output.{name}.{rest[0]}"
        if key in self._busy:
            return Unknown(f"{COMPUTED}: {expr} refers to itself")
        self._busy.add(key)
        try:
            return _dig(child.value(out.value["value"]), rest[1:], expr)
        finally:
            self._busy.discard(key)


_CALL = re.compile(r"^([a-z][a-z0-9_]*)\((.*)\)$", re.S)


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of a function call."""
    args: list[str] = []
    depth, quoted, start = 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and ch in "([{":
            depth += 1
        elif not quoted and ch in ")]}":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    if text[start:].strip():
        args.append(text[start:])
    return [a.strip() for a in args]


def _merge(args: list[Any]) -> Any:
    out: dict[str, Any] = {}
    for arg in args:
        if arg is None:
            continue
        if not isinstance(arg, dict):
            raise TypeError("merge of a non-map")
        out.update(arg)
    return out


def _coalesce(args: list[Any]) -> Any:
    for arg in args:
        if arg is not None and arg != "":
            return arg
    raise ValueError("no non-null argument")


def _strings(args: list[Any]) -> list[str]:
    if not all(isinstance(a, str | int | float) and not isinstance(a, bool) for a in args):
        raise TypeError("not strings")
    return [str(a) for a in args]


_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "replace": lambda a: (lambda s: s[0].replace(s[1], s[2]) if not s[1].startswith("/") else _raise())(
        _strings(a)
    ),
    "lower": lambda a: _strings(a)[0].lower(),
    "upper": lambda a: _strings(a)[0].upper(),
    "trimspace": lambda a: _strings(a)[0].strip(),
    "tostring": lambda a: _strings(a)[0],
    "format": lambda a: _go_format(_strings(a)),
    "substr": lambda a: (lambda s: s[0][int(s[1]) : (int(s[1]) + int(s[2])) if int(s[2]) >= 0 else None])(
        _strings(a)
    ),
    "merge": _merge,
    "coalesce": _coalesce,
}


def _raise() -> Any:
    raise ValueError("regular expression replace")


def _go_format(args: list[str]) -> str:
    spec, values = args[0], args[1:]
    if re.search(r"%[^sdv%]", spec):
        raise ValueError("format verb")
    parts = re.split(r"(%[sdv%])", spec)
    out, i = [], 0
    for part in parts:
        if part == "%%":
            out.append("%")
        elif part in ("%s", "%d", "%v"):
            out.append(values[i])
            i += 1
        else:
            out.append(part)
    return "".join(out)


def _none_created(scope: Scope, body: dict[str, Any]) -> bool:
    """Whether ``count`` / ``for_each`` are known to create no instance (``count = 0``, an empty map)."""
    if "count" in body:
        count = scope.value(body["count"])
        return isinstance(count, int) and not isinstance(count, bool) and count == 0
    if "for_each" in body:
        each = scope.value(body["for_each"])
        return isinstance(each, dict | list) and not each
    return False


def _top_level(text: str) -> list[tuple[int, str]]:
    """(index, character) of each character outside quotes and brackets."""
    out: list[tuple[int, str]] = []
    depth, quoted, i = 0, False, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            out.append((i, ch))
        i += 1
    return out


def _top_level_split(text: str, op: str) -> tuple[str, str] | None:
    """``text`` split at the last top-level ``op`` (left-associative), or None."""
    chars = _top_level(text)
    spots = {i for i, _ in chars}
    for i in sorted(spots, reverse=True):
        if text.startswith(op, i) and all(i + k in spots for k in range(len(op))):
            if op in ("==", "!=") and ((i > 0 and text[i - 1] in "=!<>") or text[i + 2 : i + 3] == "="):
                continue
            left, right = text[:i].strip(), text[i + len(op) :].strip()
            if left and right:
                return left, right
    return None


def _top_level_conditional(text: str) -> tuple[str, str, str] | None:
    """``cond ? a : b`` split at its top-level ``?`` and matching ``:``, or None."""
    chars = _top_level(text)
    question = next((i for i, ch in chars if ch == "?"), None)
    if question is None:
        return None
    nested = 0
    for i, ch in chars:
        if i <= question:
            continue
        if ch == "?":
            nested += 1
        elif ch == ":":
            if nested == 0:
                cond, yes, no = text[:question].strip(), text[question + 1 : i].strip(), text[i + 1 :].strip()
                return (cond, yes, no) if cond and yes and no else None
            nested -= 1
    return None


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def _raw_at(node: Any, *keys: str) -> Any:
    """A nested entry of an unevaluated HCL body (None where a level is not a map)."""
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    return node


def _dig(value: Any, parts: list[str], expr: str) -> Any:
    for part in parts:
        if isinstance(value, Unknown | Ref):
            return value
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return Unknown(f"{COMPUTED}: {expr}")
    return value


# ---------------------------------------------------------------------------------------------------
# What a bucket resource says


@dataclass
class BucketCandidate:
    """One bucket-like resource with the settings the tree declares for it."""

    provider: Provider
    address: str
    name: Any  # str or Unknown/Ref
    origin: Origin
    settings: dict[str, Reading]
    account: Any = None
    endpoint: str | None = None
    account_address: str | None = None  # Azure: the storage account resource
    tied: bool = False  # the W&B deployment uses it
    notes: list[Note] = field(default_factory=list)

    def resolved_name(self) -> str | None:
        return self.name if isinstance(self.name, str) and self.name else None

    def resolved_account(self) -> str | None:
        return self.account if isinstance(self.account, str) and self.account else None


@dataclass
class WandbCall:
    name: str
    kind: str  # aws | google | azurerm
    source: str
    version: str
    origin: Origin
    created: str | None  # address of the bucket the module creates, None when given an external one


def _ok(value: JSON, reason: str = "") -> Reading:
    return Reading(Outcome.OK, value, reason)


def _computed(value: Any, what: str) -> Reading:
    reason = value.reason if isinstance(value, Unknown | Ref) else f"{COMPUTED}: {what}"
    return Reading(Outcome.ERROR, None, reason)


def _is_unknown(value: Any) -> bool:
    if isinstance(value, Unknown | Ref):
        return True
    if isinstance(value, dict):
        return any(_is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_is_unknown(v) for v in value)
    return False


def _first_unknown(value: Any) -> Unknown | Ref | None:
    if isinstance(value, Unknown | Ref):
        return value
    if isinstance(value, dict):
        for v in value.values():
            found = _first_unknown(v)
            if found is not None:
                return found
    if isinstance(value, list):
        for v in value:
            found = _first_unknown(v)
            if found is not None:
                return found
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _s3_status(status: Any, what: str) -> Reading:
    if _is_unknown(status):
        return _computed(status, what)
    mapped = {"enabled": "enabled", "suspended": "suspended", "disabled": "disabled"}.get(str(status).lower())
    if mapped is None:
        return Reading(Outcome.ERROR, None, f"{what}: status {status!r} is not one Terraform accepts")
    reason = ""
    if mapped == "disabled":
        reason = f"{what} status Disabled: the bucket is never versioned (only valid on a new bucket)"
    return _ok(mapped, reason)


def _s3_lifecycle_rule(rule: dict[str, Any], legacy: bool) -> JSON:
    filt = _block(rule, "filter") or {}
    prefix = filt.get("prefix")
    if prefix is None:
        prefix = (_block(filt, "and") or {}).get("prefix")
    if prefix is None:
        prefix = rule.get("prefix")
    if legacy:
        enabled = _as_bool(rule.get("enabled"))
        noncurrent = _as_int((_block(rule, "noncurrent_version_expiration") or {}).get("days"))
    else:
        enabled = str(rule.get("status", "")).lower() == "enabled"
        noncurrent = _as_int((_block(rule, "noncurrent_version_expiration") or {}).get("noncurrent_days"))
    expiration = _block(rule, "expiration") or {}
    marker = _as_bool(expiration.get("expired_object_delete_marker"))
    days = _as_int(expiration.get("days")) or None  # plan JSON writes an unset days as 0
    return {
        "id": rule.get("id") if isinstance(rule.get("id"), str) else None,
        "enabled": bool(enabled),
        "prefix": prefix if isinstance(prefix, str) else None,
        "noncurrent_days": noncurrent,
        "expired_object_delete_marker": marker,
        "expiration_days": days,
    }


_GCS_CONDITION = {
    "age": "age",
    "created_before": "createdBefore",
    "num_newer_versions": "numNewerVersions",
    "days_since_noncurrent_time": "daysSinceNoncurrentTime",
    "noncurrent_time_before": "noncurrentTimeBefore",
    "days_since_custom_time": "daysSinceCustomTime",
    "custom_time_before": "customTimeBefore",
    "matches_prefix": "matchesPrefix",
    "matches_suffix": "matchesSuffix",
    "matches_storage_class": "matchesStorageClass",
}


def _gcs_rule(rule: dict[str, Any]) -> JSON:
    action = _block(rule, "action") or {}
    condition = _block(rule, "condition") or {}
    out_action: dict[str, JSON] = {"type": str(action.get("type", ""))}
    if isinstance(action.get("storage_class"), str):
        out_action["storageClass"] = action["storage_class"]
    out_cond: dict[str, JSON] = {}
    for key, api in _GCS_CONDITION.items():
        value = condition.get(key)
        if value is None or _is_unknown(value):
            continue
        number = _as_int(value)
        out_cond[api] = number if number is not None else _to_json(value)
    state = condition.get("with_state")
    if isinstance(state, str) and state.upper() in ("LIVE", "ARCHIVED"):
        out_cond["isLive"] = state.upper() == "LIVE"
    return {"action": out_action, "condition": out_cond}


def _to_json(value: Any) -> JSON:
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, Unknown | Ref):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------------
# The reader


@dataclass
class Resource:
    rtype: str
    name: str
    address: str
    body: dict[str, Any]  # evaluated
    origin: Origin
    references: dict[str, list[str]] = field(default_factory=dict)  # plan JSON: attr → referenced addresses


class Reader:
    def __init__(self) -> None:
        self.components: list[Component] = []
        self.signals: list[Signal] = []
        self.buckets: list[BucketRef] = []
        self.states: list[BucketState] = []
        self.notes: list[Note] = []
        self.errors: list[InputError] = []
        self.resources: list[Resource] = []
        self.wandb: list[WandbCall] = []
        self.env_buckets: list[BucketRef] = []
        self.passed: list[tuple[Any, WandbCall]] = []  # bucket_name values given to W&B modules
        self.helm_refs: list[str] = []  # resources named by a wandb/wandb/helm call's global.bucket.name
        self.minio_endpoint: str | None = None

    # HCL -------------------------------------------------------------------------------------
    def run_dir(self, scope: Scope, stack: tuple[str, ...]) -> None:
        mod = scope.mod
        for pname, loc in mod.providers:
            if pname == "minio" and isinstance(loc.value, dict):
                server = scope.value(loc.value.get("minio_server"))
                if isinstance(server, str):
                    self.minio_endpoint = server
        # register calls first so module.x.y references resolve in any order
        helm_calls: list[tuple[str, str, Located]] = []
        for cname, loc in mod.calls:
            body = loc.value if isinstance(loc.value, dict) else {}
            source = scope.value(body.get("source"))
            if not isinstance(source, str):
                continue
            kind = _wandb_kind(source)
            if _WANDB_HELM.search(source.split("?")[0]):
                helm_calls.append((cname, source, loc))
            elif kind is not None:
                scope.wandb_calls[cname] = self._wandb_call(scope, cname, kind, source, body, loc)
            elif source.startswith(("./", "../")):
                child_dir = os.path.normpath(os.path.join(mod.path, source))
                child = self.dirs.get(child_dir)
                if child is None:
                    self.notes.append(
                        Note(
                            f'module "{cname}": {source} is not among the inputs; what it creates is not read',
                            Origin(loc.file.path, loc.line, f"{scope.prefix}module.{cname}"),
                        )
                    )
                    continue
                if child_dir in stack:
                    continue
                if _none_created(scope, body):
                    self.notes.append(
                        Note(
                            f'module "{cname}": count/for_each makes no instance; what it creates is not read',
                            Origin(loc.file.path, loc.line, f"{scope.prefix}module.{cname}"),
                        )
                    )
                    continue
                args = {k: v for k, v in body.items() if k not in _META_ARGS}
                scope.children[cname] = Scope(self, child, f"{scope.prefix}module.{cname}.", args, scope)
        # resources after the calls are known: `bucket = module.wandb.bucket_name` resolves
        for rtype, name, loc in mod.resources:
            if isinstance(loc.value, dict) and _none_created(scope, loc.value):
                continue
            address = f"{scope.prefix}{rtype}.{name}"
            body = scope.value(loc.value) if isinstance(loc.value, dict) else {}
            origin = Origin(loc.file.path, loc.line, address)
            self.resources.append(Resource(rtype, name, address, body, origin))
        for cname, child_scope in scope.children.items():
            self.run_dir(child_scope, (*stack, child_scope.mod.path))
            del cname
        for cname, loc in mod.calls:
            call = scope.wandb_calls.get(cname)
            if call is not None:
                self._wandb_inputs(scope, call, loc)
        for cname, source, loc in helm_calls:
            self._helm_inputs(scope, cname, source, loc)

    def _wandb_call(
        self, scope: Scope, cname: str, kind: str, source: str, body: dict[str, Any], loc: Located
    ) -> WandbCall:
        version = scope.value(body.get("version"))
        if not isinstance(version, str):
            ref = re.search(r"[?&]ref=([^&]+)", source)
            version = ref.group(1) if ref else "(version not pinned)"
        origin = Origin(loc.file.path, loc.line, f"{scope.prefix}module.{cname}")
        external = body.get("bucket_name")
        create = scope.value(body.get("create_bucket", True)) if kind == "aws" else True
        created: str | None = f"{scope.prefix}module.{cname}.{_WANDB_CREATED[kind]}"
        if kind == "azurerm":
            given = [body.get(k) for k in ("external_bucket", "storage_account", "blob_container")]
            if any(v not in (None, "", {}) for v in given):
                created = None
        elif external is not None and scope.value(external) != "":
            created = None
        if create is False:
            created = None
        call = WandbCall(cname, kind, source, version, origin, created)
        self.wandb.append(call)
        return call

    def _env_entries(
        self,
        scope: Scope,
        value: dict[str, Any],
        raw: Any,
        written: tuple[ParsedFile, tuple[Any, ...]],
        path: str,
    ) -> list[EnvValue]:
        """The variables of an env map, each located where its value is written (the tfvars entry or the
        variable default when the map is a plain ``var.x``)."""
        plain = re.fullmatch(r"\$\{\s*var\.([A-Za-z_][\w-]*)\s*\}", str(raw))
        if plain:
            written = scope.var_origin(plain.group(1)) or written
        wfile, wkey = written
        out: list[EnvValue] = []
        for name, item in value.items():
            origin = Origin(wfile.path, wfile.line(*wkey, name), f"{path}.{name}")
            if isinstance(item, Unknown | Ref):
                out.append(unresolved(name, origin, item.reason))
                continue
            if isinstance(item, dict | list):  # a valueFrom reference: the value is elsewhere
                secret = "secretKeyRef" in json.dumps(item, default=str)
                why = "from a Secret: gcready never reads Secret values" if secret else "from valueFrom"
                out.append(unresolved(name, origin, f"{why}, not among the inputs", secret=secret))
                continue
            text = (
                ("true" if item else "false")
                if isinstance(item, bool)
                else ("" if item is None else str(item))
            )
            read = read_env_var(name, text, origin)
            out.append(read.value)
            self.env_buckets.extend(read.buckets)
            self.buckets.extend(read.buckets)
            self.signals.extend(read.signals)
            self.notes.extend(read.notes)
        return out

    def _helm_inputs(self, scope: Scope, cname: str, source: str, loc: Located) -> None:
        """A ``wandb/wandb/helm`` call (what W&B's cloud modules make): ``spec.values`` are operator-wandb
        values, read with the chart's precedence (global.extraEnv < global.env < component extraEnv < env)."""
        body = loc.value if isinstance(loc.value, dict) else {}
        f, key = loc.file, loc.key
        label = f"{scope.prefix}module.{cname}"
        origin = Origin(f.path, loc.line, label)
        self.signals.append(Signal(SignalKind.SERVER_CONFIG, f"W&B Terraform module {source}", origin))
        spec = scope.value(body.get("spec"))
        values = spec.get("values") if isinstance(spec, dict) else None
        if not isinstance(values, dict):
            reason = values.reason if isinstance(values, Unknown | Ref) else "not a map"
            self.components.append(
                Component(
                    name=f'app (module "{cname}" spec.values)',
                    kind=ComponentKind.TERRAFORM_HELM,
                    origin=origin,
                    gaps=(f"spec.values: {reason}",),
                )
            )
            return
        raw_values = _raw_at(body.get("spec"), "values")

        def at(*path: str) -> Origin:
            return Origin(
                f.path, f.line(*key, "spec", "values", *path), f"{label}.spec.values.{'.'.join(path)}"
            )

        glob: dict[str, Any] = values["global"] if isinstance(values.get("global"), dict) else {}
        provider = glob.get("cloudProvider")
        if isinstance(provider, str) and provider.strip():
            self.signals.append(
                Signal(SignalKind.CLOUD_PROVIDER, provider.strip(), at("global", "cloudProvider"))
            )
        host = glob.get("host")
        if isinstance(host, str) and host.strip():
            self.signals.append(Signal(SignalKind.BASE_URL, host.strip(), at("global", "host")))
        settings = glob.get("bucket")
        if isinstance(settings, dict) and isinstance(settings.get("name"), Ref):
            self.helm_refs.append(settings["name"].address)  # the bucket resource this tree creates
        if isinstance(settings, dict) and isinstance(settings.get("name"), str) and settings["name"]:
            plain = {k: v for k, v in settings.items() if isinstance(v, str | bool | int)}
            try:
                found = parse_helm_bucket(plain, at("global", "bucket", "name"))
            except BucketURLError as exc:
                self.notes.append(Note(f"global.bucket: {exc}", at("global", "bucket")))
            else:
                if found is not None:
                    self.buckets.append(found)
                    self.env_buckets.append(found)
        for comp in HELM_COMPONENTS:
            if not helm_deployed(values, comp):
                continue
            comp_values: dict[str, Any] = values[comp] if isinstance(values.get(comp), dict) else {}
            for bad, why in HELM_IGNORED_KEYS.items():
                if bad in comp_values:
                    self.notes.append(
                        Note(
                            f"spec.values.{comp}.{bad} is ignored by the operator-wandb chart: {why}",
                            at(comp, bad),
                        )
                    )
            env: dict[str, EnvValue] = {}
            shadowed: list[EnvValue] = []
            gaps: list[str] = []
            # env sources the chart imports whole (a ConfigMap, a Secret): the flag may be there
            for owner, imported in (("global", "extraEnvFrom"), (comp, "envFrom")):
                where = f"spec.values.{owner}.{imported}"
                sources = (glob if owner == "global" else comp_values).get(imported)
                if isinstance(sources, Unknown | Ref):
                    gaps.append(f"{where}: {sources.reason}")
                else:
                    gaps.extend(env_from_gaps(sources, where))
            for section, var in (
                ("global", "extraEnv"),
                ("global", "env"),
                (comp, "extraEnv"),
                (comp, "env"),
            ):
                holder = values.get(section)
                if not isinstance(holder, dict) or var not in holder:
                    continue
                value = holder[var]
                if isinstance(value, Unknown | Ref):
                    gaps.append(f"spec.values.{section}.{var}: {value.reason}")
                    continue
                if not isinstance(value, dict):
                    continue
                raw = _raw_at(raw_values, section, var)
                written = (f, (*key, "spec", "values", section, var))
                for got in self._env_entries(
                    scope, value, raw, written, f"{label}.spec.values.{section}.{var}"
                ):
                    if got.name in env:
                        shadowed.append(env[got.name])
                    env[got.name] = got
            self.components.append(
                Component(
                    name=f'{comp} (module "{cname}" spec.values)',
                    kind=ComponentKind.TERRAFORM_HELM,
                    origin=at(comp) if comp in values else origin,
                    env=tuple(env.values()),
                    shadowed=tuple(shadowed),
                    gaps=tuple(gaps),
                    runs_gc=comp in GC_COMPONENTS,
                )
            )

    def _wandb_inputs(self, scope: Scope, call: WandbCall, loc: Located) -> None:
        body = loc.value if isinstance(loc.value, dict) else {}
        f = loc.file
        key = loc.key
        label = f"{scope.prefix}module.{call.name}"
        provider = _WANDB_PROVIDER[call.kind]
        self.signals.append(
            Signal(SignalKind.SERVER_CONFIG, f"W&B Terraform module {call.source}", call.origin)
        )
        self.signals.append(Signal(SignalKind.CLOUD_PROVIDER, _SIGNAL_PROVIDER[call.kind], call.origin))
        env: dict[str, EnvValue] = {}
        shadowed: list[EnvValue] = []
        gaps: list[str] = []
        layers = [("other_wandb_env", "global.extraEnv")]
        if call.kind == "aws":
            layers.append(("app_wandb_env", "app.extraEnv"))  # terraform-aws-wandb writes app.extraEnv
        for var, target in layers:
            if var not in body:
                continue
            where = Origin(f.path, f.line(*key, var), f"{label}.{var}")
            value = scope.value(body[var])
            if isinstance(value, Unknown | Ref):
                gaps.append(f"{var} ({target}): {value.reason}")
                continue
            if not isinstance(value, dict):
                self.notes.append(Note(f"{var} is not a map; the module expects map(string)", where))
                continue
            for got in self._env_entries(scope, value, body[var], (f, (*key, var)), f"{label}.{var}"):
                if got.name in env:
                    shadowed.append(env[got.name])
                env[got.name] = got
        if call.kind == "google" and "app_wandb_env" in body:
            self.notes.append(
                Note(
                    "app_wandb_env feeds app.extraEnvs, a key the operator-wandb chart never reads; the variable "
                    "is not set on the server (use other_wandb_env)",
                    Origin(f.path, f.line(*key, "app_wandb_env"), f"{label}.app_wandb_env"),
                )
            )
        self.components.append(
            Component(
                name=f'module "{call.name}" ({os.path.basename(f.path)})',
                kind=ComponentKind.TERRAFORM_MODULE,
                origin=call.origin,
                env=tuple(env.values()),
                shadowed=tuple(shadowed),
                gaps=tuple(gaps),
                runs_gc=True,
            )
        )
        if call.created is None:
            for var in ("bucket_name", "external_bucket", "storage_account", "blob_container"):
                if var in body:
                    value = scope.value(body[var])
                    where = Origin(f.path, f.line(*key, var), f"{label}.{var}")
                    self.passed.append((value, call))
                    self._external(call, var, value, body, scope, where, provider)
                    break
            else:
                self.notes.append(
                    Note(
                        "create_bucket = false and no bucket_name: the bucket is not in this code",
                        call.origin,
                    )
                )

    def _external(
        self,
        call: WandbCall,
        var: str,
        value: Any,
        body: dict[str, Any],
        scope: Scope,
        where: Origin,
        provider: Provider,
    ) -> None:
        if isinstance(value, Ref):
            return  # a bucket resource of this tree: tied when buckets are chosen
        if call.kind == "azurerm":
            account = scope.value(body.get("storage_account"))
            container = scope.value(body.get("blob_container"))
            if isinstance(account, str) and account and isinstance(container, str) and container:
                self.buckets.append(
                    BucketRef(
                        Provider.AZURE, container, where, f"az://{account}/{container}", account=account
                    )
                )
            self.notes.append(
                Note(
                    f"{var}: the W&B module uses an existing storage account this Terraform does not create; "
                    "its blob soft delete is not visible here",
                    where,
                )
            )
            return
        if isinstance(value, str) and value:
            scheme = "gs" if provider is Provider.GCP else "s3"
            self.buckets.append(BucketRef(provider, value, where, f"{scheme}://{value}"))
            self.notes.append(
                Note(
                    f"bucket_name = {value!r}: an existing bucket this Terraform does not create; its versioning "
                    "is not visible here (probe it, or give a bundle)",
                    where,
                )
            )
        elif isinstance(value, Unknown):
            self.notes.append(Note(f"bucket_name is {value.reason}; the bucket is not known", where))

    # buckets ---------------------------------------------------------------------------------
    def candidates(self) -> list[BucketCandidate]:
        by_address = {r.address: r for r in self.resources}
        out: list[BucketCandidate] = []
        for res in self.resources:
            if res.rtype == "aws_s3_bucket":
                out.append(self._s3(res, Provider.AWS))
            elif res.rtype == "minio_s3_bucket":
                out.append(self._s3(res, Provider.S3_COMPATIBLE))
            elif res.rtype == "google_storage_bucket":
                out.append(self._gcs(res))
            elif res.rtype == "azurerm_storage_container":
                out.append(self._azure(res, by_address))
        # storage accounts no container of the tree refers to
        linked = {c.account_address for c in out if c.account_address}
        for res in self.resources:
            if res.rtype == "azurerm_storage_account" and res.address not in linked:
                out.append(self._azure_account_only(res))
        return out

    def _linked(self, res: Resource, rtype: str, attr: str = "bucket") -> list[Resource]:
        """Resources of ``rtype`` whose ``attr`` points at ``res`` (by reference or by literal name)."""
        name = (
            res.body.get("bucket")
            if res.rtype in ("aws_s3_bucket", "minio_s3_bucket")
            else res.body.get("name")
        )
        found = []
        for other in self.resources:
            if other.rtype != rtype:
                continue
            if res.address in other.references.get(attr, []):
                found.append(other)
                continue
            value = other.body.get(attr)
            if (isinstance(value, Ref) and _strip_index(value.address) == _strip_index(res.address)) or (
                isinstance(value, str) and isinstance(name, str) and value == name
            ):
                found.append(other)
        return found

    def _s3(self, res: Resource, provider: Provider) -> BucketCandidate:
        body = res.body
        name = body.get("bucket")
        if name is None and "bucket_prefix" in body:
            name = Unknown(f"{COMPUTED}: bucket_prefix {body.get('bucket_prefix')!r} + a random suffix")
        elif name is None:
            name = Unknown(f"{COMPUTED}: no bucket argument, Terraform names it at random")
        settings: dict[str, Reading] = {}
        vtype = (
            "minio_s3_bucket_versioning" if provider is Provider.S3_COMPATIBLE else "aws_s3_bucket_versioning"
        )
        versioning = self._linked(res, vtype)
        if versioning:
            conf = _block(versioning[-1].body, "versioning_configuration") or {}
            settings["versioning"] = _s3_status(conf.get("status"), versioning[-1].address)
            mfa = conf.get("mfa_delete")
            if isinstance(mfa, str):
                settings["mfa_delete"] = _ok("enabled" if mfa.lower() == "enabled" else "disabled")
            elif mfa is None and provider is Provider.AWS:
                settings["mfa_delete"] = _ok("disabled", "mfa_delete not declared: the provider default")
        elif _block(body, "versioning") is not None:
            enabled = (_block(body, "versioning") or {}).get("enabled")
            if _is_unknown(enabled):
                settings["versioning"] = _computed(enabled, "versioning.enabled")
            else:
                flag = _as_bool(enabled)
                settings["versioning"] = _ok(
                    "enabled" if flag else "disabled",
                    ""
                    if flag
                    else "inline versioning { enabled = false } (suspended if it was ever enabled)",
                )
        else:
            settings["versioning"] = _ok(
                "disabled",
                f"no {vtype} for this bucket: the provider default, versioning never enabled",
            )
            if provider is Provider.AWS:
                settings["mfa_delete"] = _ok("disabled", "not declared: the provider default")
        if provider is Provider.AWS:
            settings["object_lock"] = self._object_lock(res)
            settings["lifecycle"] = self._s3_lifecycle(res)
        endpoint = self.minio_endpoint if provider is Provider.S3_COMPATIBLE else None
        return BucketCandidate(provider, res.address, name, res.origin, settings, endpoint=endpoint)

    def _object_lock(self, res: Resource) -> Reading:
        configs = self._linked(res, "aws_s3_bucket_object_lock_configuration")
        enabled_attr = res.body.get("object_lock_enabled")
        inline = _block(res.body, "object_lock_configuration")
        rule: dict[str, Any] = {}
        if configs:
            rule = _block(_block(configs[-1].body, "rule"), "default_retention") or {}
            enabled: Any = True
        elif inline is not None:
            enabled = str(inline.get("object_lock_enabled", "Enabled")).lower() == "enabled"
            rule = _block(_block(inline, "rule"), "default_retention") or {}
        else:
            enabled = enabled_attr if enabled_attr is not None else False
        if _is_unknown(enabled) or _is_unknown(rule):
            return _computed(_first_unknown([enabled, rule]), "object lock")
        reason = (
            ""
            if configs or inline is not None or enabled_attr is not None
            else "not declared: no Object Lock"
        )
        return _ok(
            {
                "enabled": bool(_as_bool(enabled)),
                "mode": rule.get("mode") if isinstance(rule.get("mode"), str) else None,
                "days": _as_int(rule.get("days")),
                "years": _as_int(rule.get("years")),
            },
            reason,
        )

    def _s3_lifecycle(self, res: Resource) -> Reading:
        configs = self._linked(res, "aws_s3_bucket_lifecycle_configuration")
        if configs:
            rules = _block_list(configs[-1].body, "rule")
            if _is_unknown(rules):
                return _computed(_first_unknown(rules), "lifecycle rules")
            return _ok([_s3_lifecycle_rule(r, legacy=False) for r in rules])
        legacy = _block_list(res.body, "lifecycle_rule")
        if legacy:
            if _is_unknown(legacy):
                return _computed(_first_unknown(legacy), "lifecycle_rule")
            return _ok([_s3_lifecycle_rule(r, legacy=True) for r in legacy])
        return _ok([], "no lifecycle configuration declared")

    def _gcs(self, res: Resource) -> BucketCandidate:
        body = res.body
        settings: dict[str, Reading] = {}
        versioning = _block(body, "versioning")
        if versioning is None:
            settings["versioning"] = _ok(
                "disabled", "no versioning block: the provider default, versioning off"
            )
        elif _is_unknown(versioning.get("enabled")):
            settings["versioning"] = _computed(versioning.get("enabled"), "versioning.enabled")
        else:
            settings["versioning"] = _ok("enabled" if _as_bool(versioning.get("enabled")) else "disabled")
        soft = _block(body, "soft_delete_policy")
        if soft is None or soft.get("retention_duration_seconds") is None:
            seconds = GCS_DEFAULT_SOFT_DELETE_SECONDS
            settings["soft_delete"] = _ok(
                {"enabled": True, "days": 7, "seconds": seconds},
                "no soft_delete_policy: Google's default for new buckets, 7 days",
            )
        elif _is_unknown(soft.get("retention_duration_seconds")):
            settings["soft_delete"] = _computed(soft.get("retention_duration_seconds"), "soft_delete_policy")
        else:
            secs = _as_int(soft.get("retention_duration_seconds")) or 0
            days: int | float = secs // 86400 if secs % 86400 == 0 else round(secs / 86400, 3)
            settings["soft_delete"] = _ok({"enabled": secs > 0, "days": days, "seconds": secs})
        retention = _block(body, "retention_policy")
        if retention is None:
            settings["retention"] = _ok(None, "no retention_policy declared")
        elif _is_unknown(retention):
            settings["retention"] = _computed(_first_unknown(retention), "retention_policy")
        else:
            settings["retention"] = _ok(
                {
                    "seconds": _as_int(retention.get("retention_period")) or 0,
                    "locked": bool(_as_bool(retention.get("is_locked"))),
                }
            )
        rules = _block_list(body, "lifecycle_rule")
        if _is_unknown(rules):
            settings["lifecycle"] = _computed(_first_unknown(rules), "lifecycle_rule")
        else:
            settings["lifecycle"] = _ok(
                [_gcs_rule(r) for r in rules], "" if rules else "no lifecycle_rule declared"
            )
        return BucketCandidate(
            Provider.GCP, res.address, body.get("name", Unknown(f"{COMPUTED}: no name")), res.origin, settings
        )

    def _account_of(self, res: Resource, by_address: dict[str, Resource]) -> Resource | None:
        for attr in ("storage_account_name", "storage_account_id"):
            value = res.body.get(attr)
            if isinstance(value, Ref):
                return by_address.get(_strip_index(value.address)) or by_address.get(value.address)
            for address in res.references.get(attr, []):
                if address in by_address:
                    return by_address[address]
            if isinstance(value, str):
                for other in self.resources:
                    if other.rtype == "azurerm_storage_account" and other.body.get("name") == value:
                        return other
        return None

    def _azure(self, res: Resource, by_address: dict[str, Resource]) -> BucketCandidate:
        account = self._account_of(res, by_address)
        name = res.body.get("name", Unknown(f"{COMPUTED}: no name"))
        if account is None:
            value = res.body.get("storage_account_name") or res.body.get("storage_account_id")
            acct: Any = (
                value
                if isinstance(value, str) and "/" not in value
                else Unknown(f"{COMPUTED}: the storage account")
            )
            settings = {
                "soft_delete": Reading(
                    Outcome.ERROR,
                    None,
                    f"{COMPUTED}: the storage account of {res.address} is not in this code",
                )
            }
            return BucketCandidate(Provider.AZURE, res.address, name, res.origin, settings, account=acct)
        cand = self._azure_settings(account, res.address, name, res.origin)
        cand.account_address = account.address
        return cand

    def _azure_account_only(self, res: Resource) -> BucketCandidate:
        name = Unknown(f"{COMPUTED}: no azurerm_storage_container of {res.address} in this code")
        cand = self._azure_settings(res, res.address, name, res.origin)
        cand.account_address = res.address
        return cand

    def _azure_settings(self, account: Resource, address: str, name: Any, origin: Origin) -> BucketCandidate:
        props = _block(account.body, "blob_properties")
        settings: dict[str, Reading] = {}
        if props is None:
            settings["soft_delete"] = _ok(
                {"enabled": False, "days": None},
                f"{account.address} declares no blob_properties.delete_retention_policy: blob soft delete is off",
            )
            settings["blob_versioning"] = _ok({"enabled": False}, "not declared: the provider default, off")
            settings["container_soft_delete"] = _ok({"enabled": False, "days": None}, "not declared: off")
        else:
            policy = _block(props, "delete_retention_policy")
            if policy is None:
                settings["soft_delete"] = _ok(
                    {"enabled": False, "days": None},
                    f"{account.address} blob_properties has no delete_retention_policy: blob soft delete is off",
                )
            elif _is_unknown(policy):
                settings["soft_delete"] = _computed(_first_unknown(policy), "delete_retention_policy")
            else:
                days = _as_int(policy.get("days"))
                settings["soft_delete"] = _ok(
                    {"enabled": True, "days": days if days is not None else 7},
                    ""
                    if days is not None
                    else "delete_retention_policy without days: the provider default, 7",
                )
            versioning = props.get("versioning_enabled")
            if _is_unknown(versioning):
                settings["blob_versioning"] = _computed(versioning, "versioning_enabled")
            else:
                settings["blob_versioning"] = _ok(
                    {"enabled": bool(_as_bool(versioning))},
                    "" if versioning is not None else "not declared: off",
                )
            container = _block(props, "container_delete_retention_policy")
            if container is None:
                settings["container_soft_delete"] = _ok({"enabled": False, "days": None}, "not declared: off")
            elif _is_unknown(container):
                settings["container_soft_delete"] = _computed(
                    _first_unknown(container), "container_delete_retention_policy"
                )
            else:
                cdays = _as_int(container.get("days"))
                settings["container_soft_delete"] = _ok(
                    {"enabled": True, "days": cdays if cdays is not None else 7}
                )
        policies = [
            p
            for p in self.resources
            if p.rtype == "azurerm_storage_management_policy" and self._points_at(p, account)
        ]
        if policies:
            rules = _block_list(policies[-1].body, "rule")
            if _is_unknown(rules):
                settings["management_policy"] = _computed(_first_unknown(rules), "management policy")
            else:
                settings["management_policy"] = _ok({"rules": [_azure_rule(r) for r in rules]})
        else:
            settings["management_policy"] = _ok(
                {"rules": []}, "no azurerm_storage_management_policy declared"
            )
        return BucketCandidate(
            Provider.AZURE,
            address,
            name,
            origin,
            settings,
            account=account.body.get("name", Unknown(f"{COMPUTED}: name")),
        )

    def _points_at(self, policy: Resource, account: Resource) -> bool:
        value = policy.body.get("storage_account_id")
        if isinstance(value, Ref):
            return _strip_index(value.address) == _strip_index(account.address)
        return account.address in policy.references.get("storage_account_id", [])

    # choose and emit ---------------------------------------------------------------------------
    def emit_buckets(self) -> None:
        cands = self.candidates()
        tied_addresses: set[str] = set()
        for value, _call in self.passed:
            if isinstance(value, Ref):
                tied_addresses.add(_strip_index(value.address))
        tied_addresses.update(_strip_index(a) for a in self.helm_refs)
        for c in cands:
            name = c.resolved_name()
            if (
                _strip_index(c.address) in tied_addresses
                or (c.account_address and _strip_index(c.account_address) in tied_addresses)
                or (name and any(v == name for v, _ in self.passed if isinstance(v, str)))
                or (name and any(b.name == name and b.provider is c.provider for b in self.env_buckets))
            ):
                c.tied = True
            elif any(c.address.startswith(f"{_module_prefix(call)}") for call in self.wandb):
                c.tied = True  # inside a W&B module call (plan/state JSON)
        created = [call for call in self.wandb if call.created is not None]
        any_tied = (
            any(c.tied for c in cands)
            or bool(created)
            or bool(self.passed)
            or bool(self.env_buckets)
            or bool(self.helm_refs)
        )
        chosen: list[BucketCandidate] = []
        for c in cands:
            label = c.resolved_name() or c.address
            if c.tied or (
                not any_tied and _WANDBISH.search(f"{c.address} {label}") and not _LOOKALIKE.search(label)
            ):
                chosen.append(c)
            else:
                why = "not the bucket the W&B deployment uses" if any_tied else "not tied to W&B by name"
                self.notes.append(Note(f"skipped {c.address} ({label}): {why}", c.origin))
        for call in created:
            if any(_strip_index(c.address) == _strip_index(call.created or "") for c in cands):
                continue  # the plan/state shows the module's real resource
            chosen.append(self._wandb_created(call))
        for c in chosen:
            self._emit(c)

    def _wandb_created(self, call: WandbCall) -> BucketCandidate:
        assert call.created is not None
        provider = _WANDB_PROVIDER[call.kind]
        why = f"created by wandb/wandb/{call.kind} {call.version}"
        origin = Origin(call.origin.source, call.origin.line, call.created)
        settings: dict[str, Reading] = {}
        account: Any = None
        if provider is Provider.AWS:
            added = [
                r for r in self.resources if r.rtype == "aws_s3_bucket_versioning" and _refers_to(r, call)
            ]
            if added:
                conf = _block(added[-1].body, "versioning_configuration") or {}
                settings["versioning"] = _s3_status(conf.get("status"), added[-1].address)
            else:
                settings["versioning"] = _ok("disabled", f"{why}: the published module enables no versioning")
            settings["mfa_delete"] = _ok("disabled", why)
            settings["object_lock"] = _ok({"enabled": False, "mode": None, "days": None, "years": None}, why)
            settings["lifecycle"] = _ok([], f"{why}: no lifecycle rules")
        elif provider is Provider.GCP:
            settings["versioning"] = _ok(
                "disabled", f"{why}: the published module enables no object versioning"
            )
            settings["soft_delete"] = _ok(
                {"enabled": True, "days": 7, "seconds": GCS_DEFAULT_SOFT_DELETE_SECONDS},
                f"{why}: no soft_delete_policy, Google's 7-day default for new buckets",
            )
            settings["retention"] = _ok(None, why)
            settings["lifecycle"] = _ok([], why)
        else:
            settings["soft_delete"] = _ok(
                {"enabled": False, "days": None}, f"{why}: the published module enables no blob soft delete"
            )
            settings["blob_versioning"] = _ok({"enabled": False}, why)
            settings["container_soft_delete"] = _ok({"enabled": False, "days": None}, why)
            settings["management_policy"] = _ok({"rules": []}, why)
            account = Unknown(f"{COMPUTED}: the storage account the module names from its namespace")
        name = Unknown(f"{COMPUTED}: the module names the bucket from its namespace and a random suffix")
        cand = BucketCandidate(provider, call.created, name, origin, settings, account=account, tied=True)
        self.notes.append(
            Note(f"{why}: the bucket is {call.created}, named by the module at apply time", origin)
        )
        return cand

    def _emit(self, c: BucketCandidate) -> None:
        name = c.resolved_name()
        if name is None:
            name = c.address
            why = c.name.reason if isinstance(c.name, Unknown | Ref) else f"{COMPUTED}: the name"
            self.notes.append(
                Note(f"{c.address}: bucket name {why}; the resource address stands for it", c.origin)
            )
        account = None
        if c.provider is Provider.AZURE:
            account = c.resolved_account()
            if account is None:
                account = c.account_address or c.address
                self.notes.append(
                    Note(f"{c.address}: storage account name is computed in Terraform", c.origin)
                )
        self.notes.extend(c.notes)
        tf_address, tf_file, published = self._fix_place(c)
        ref = BucketRef(
            provider=c.provider,
            name=name,
            origin=c.origin,
            display=_display(c.provider, name, account, c.endpoint),
            account=account,
            endpoint=c.endpoint,
            tf_address=tf_address,
            tf_file=tf_file,
            tf_published=published,
            name_known=c.resolved_name() is not None,
        )
        self.buckets.append(ref)
        self.states.append(
            BucketState(
                provider=c.provider,
                name=name,
                origin=Origin(c.origin.source, c.origin.line, c.address),
                access=Reading(Outcome.OK, True, "declared in Terraform"),
                account=account,
                endpoint=c.endpoint,
                settings=tuple(c.settings.items()),
            )
        )

    def _fix_place(self, c: BucketCandidate) -> tuple[str | None, str | None, bool]:
        """(address relative to its module, the .tf file a fix goes in, created by W&B's published module)."""
        for call in self.wandb:
            if c.address.startswith(_module_prefix(call)):
                return f"module.{call.name}", call.origin.source, True
        address, source = c.address, c.origin.source
        if c.provider is Provider.AZURE and c.account_address:  # Azure settings live on the account
            address = c.account_address
            account = next((r for r in self.resources if r.address == address), None)
            source = account.origin.source if account is not None else source
        relative = _MODULE_PATH.sub("", address)
        return relative, (source if source.endswith(".tf") else None), False

    def evidence(self, inputs: Iterable[InputFile]) -> Evidence:
        return Evidence(
            inputs=tuple(inputs),
            components=tuple(self.components),
            signals=tuple(_unique(self.signals)),
            buckets=tuple(_unique(self.buckets)),
            bucket_states=tuple(self.states),
            notes=tuple(_unique(self.notes)),
            errors=tuple(self.errors),
        )

    dirs: dict[str, ModuleDir]


_META_ARGS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


_MODULE_PATH = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)+")


def _module_prefix(call: WandbCall) -> str:
    return (call.origin.path or f"module.{call.name}") + "."


def _refers_to(res: Resource, call: WandbCall) -> bool:
    value = res.body.get("bucket")
    if isinstance(value, Ref) and call.created and _strip_index(value.address) == _strip_index(call.created):
        return True
    return any(
        a.startswith(_module_prefix(call)) or a == call.origin.path for a in res.references.get("bucket", [])
    )


def _strip_index(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address)


def _display(provider: Provider, name: str, account: str | None, endpoint: str | None) -> str:
    if provider is Provider.AZURE:
        return f"az://{account}/{name}"
    scheme = {Provider.GCP: "gs", Provider.COREWEAVE: "cw"}.get(provider, "s3")
    return f"{scheme}://{endpoint + '/' if endpoint else ''}{name}"


def _azure_rule(rule: dict[str, Any]) -> JSON:
    filters = _block(rule, "filters") or {}
    actions = _block(rule, "actions") or {}
    version = _block(actions, "version") or {}
    out_actions: dict[str, JSON] = {}
    days = _as_int(version.get("delete_after_days_since_creation"))
    if days is not None:
        out_actions["version"] = {"delete": {"daysAfterCreationGreaterThan": days}}
    base = _block(actions, "base_blob") or {}
    base_days = _as_int(base.get("delete_after_days_since_modification_greater_than"))
    if base_days is not None:
        out_actions["baseBlob"] = {"delete": {"daysAfterModificationGreaterThan": base_days}}
    prefixes = filters.get("prefix_match")
    return {
        "name": rule.get("name") if isinstance(rule.get("name"), str) else None,
        "enabled": _as_bool(rule.get("enabled")) is not False,
        "definition": {
            "actions": out_actions,
            "filters": {"prefixMatch": [str(p) for p in prefixes] if isinstance(prefixes, list) else []},
        },
    }


def _wandb_kind(source: str) -> str | None:
    src = source.strip()
    match = _WANDB_REGISTRY.match(src.split("?")[0])
    if match:
        return match.group(1).lower()
    match = _WANDB_GIT.search(src)
    return match.group(1).lower() if match else None


def _unique(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# ---------------------------------------------------------------------------------------------------
# Entry point


def read(paths_and_texts: Sequence[tuple[str, str]]) -> Evidence:
    """Read Terraform inputs (HCL files grouped by folder, and plan/state JSON) into Evidence."""
    reader = Reader()
    reader.dirs = {}
    inputs: list[InputFile] = []
    loose_tfvars: list[tuple[str, str]] = []
    plans: list[tuple[str, str]] = []
    for path, text in paths_and_texts:
        inputs.append(InputFile(path, SourceKind.TERRAFORM))
        if path.endswith(".json") and not path.endswith(".tfvars.json"):
            plans.append((path, text))
            continue
        if looks_like_plan(text) and not path.endswith(".tfvars.json"):
            plans.append((path, text))
            continue
        folder = os.path.normpath(os.path.dirname(path) or ".")
        if path.endswith((".tfvars", ".tfvars.json")):
            loose_tfvars.append((path, text))
            continue
        mod = reader.dirs.setdefault(folder, ModuleDir(folder))
        try:
            mod.files.append(_parse_hcl(path, text))
        except _HCLError as exc:
            reader.errors.append(InputError(path, str(exc), exc.line))
        except TerraformError as exc:
            reader.errors.append(InputError(path, str(exc)))
    for mod in reader.dirs.values():
        mod.index()
    called: set[str] = set()
    for mod in reader.dirs.values():
        for _name, loc in mod.calls:
            source = loc.value.get("source") if isinstance(loc.value, dict) else None
            if isinstance(source, str) and source.startswith(("./", "../")):
                called.add(os.path.normpath(os.path.join(mod.path, source)))
    roots = [m for m in reader.dirs.values() if m.path not in called and m.files]
    _attach_tfvars(reader, roots, loose_tfvars)
    for root in roots:
        reader.run_dir(Scope(reader, root, "", {}, None), (root.path,))
    for path, text in plans:
        _read_plan(reader, path, text)
    reader.emit_buckets()
    return reader.evidence(inputs)


def _tfvars_order(path: str) -> tuple[int, str]:
    base = os.path.basename(path)
    if base == "terraform.tfvars":
        return (0, base)
    if base == "terraform.tfvars.json":
        return (1, base)
    if base.endswith((".auto.tfvars", ".auto.tfvars.json")):
        return (2, base)
    return (3, base)


def _attach_tfvars(reader: Reader, roots: list[ModuleDir], tfvars: list[tuple[str, str]]) -> None:
    for path, text in sorted(tfvars, key=lambda item: _tfvars_order(item[0])):
        folder = os.path.normpath(os.path.dirname(path) or ".")
        target = next((r for r in roots if r.path == folder), None)
        if target is None and len(roots) == 1:
            target = roots[0]
        if target is None:
            reader.notes.append(
                Note(
                    "tfvars not applied: no single root module among the inputs to apply it to", Origin(path)
                )
            )
            continue
        try:
            if path.endswith(".json"):
                values = json.loads(text)
                if not isinstance(values, dict):
                    raise TerraformError("a .tfvars.json file must hold an object")
                target.tfvars.append((path, values, None))
            else:
                parsed = _parse_hcl(path, text)
                target.tfvars.append((path, parsed.data, parsed))
        except _HCLError as exc:
            reader.errors.append(InputError(path, str(exc), exc.line))
        except (TerraformError, ValueError) as exc:
            reader.errors.append(InputError(path, f"not valid tfvars: {exc}"))


# ---------------------------------------------------------------------------------------------------
# terraform show -json


def _read_plan(reader: Reader, path: str, text: str) -> None:
    try:
        data = json.loads(text)
    except ValueError as exc:
        reader.errors.append(InputError(path, f"not valid JSON: {exc}"))
        return
    if not isinstance(data, dict):
        reader.errors.append(InputError(path, "not a terraform show -json document"))
        return
    planned = (
        data.get("planned_values") if isinstance(data.get("planned_values"), dict) else data.get("values")
    )
    root = planned.get("root_module") if isinstance(planned, dict) else None
    if not isinstance(root, dict):
        reader.notes.append(
            Note("terraform JSON with no planned_values/values.root_module: nothing to read", Origin(path))
        )
        return
    unknown: dict[str, Any] = {}
    for change in _list_or_empty(data.get("resource_changes")):
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            unknown[str(change.get("address"))] = change["change"].get("after_unknown") or {}
    config = (
        data.get("configuration", {}).get("root_module", {})
        if isinstance(data.get("configuration"), dict)
        else {}
    )
    references: dict[str, dict[str, list[str]]] = {}
    _config_refs(config, "", references, reader, path)

    def walk(module: dict[str, Any]) -> None:
        for res in _list_or_empty(module.get("resources")):
            if not isinstance(res, dict) or res.get("mode", "managed") != "managed":
                continue
            address = str(res.get("address", ""))
            values = res.get("values") if isinstance(res.get("values"), dict) else {}
            body = _mark_unknown(values, unknown.get(address, {}), address)
            origin = Origin(path, None, address)
            reader.resources.append(
                Resource(
                    str(res.get("type", "")),
                    str(res.get("name", "")),
                    address,
                    body,
                    origin,
                    references.get(_strip_index(address), {}),
                )
            )
        for child in _list_or_empty(module.get("child_modules")):
            if isinstance(child, dict):
                walk(child)

    walk(root)


def _list_or_empty(value: Any) -> list[Any]:
    """A plan's list field, or nothing when a hand-edited plan puts something else there."""
    return value if isinstance(value, list) else []


def _mark_unknown(values: Any, marks: Any, where: str) -> Any:
    if marks is True:
        return Unknown(f"{COMPUTED}: {where} (known after apply)")
    if isinstance(values, dict):
        out = {
            k: _mark_unknown(v, marks.get(k) if isinstance(marks, dict) else None, f"{where}.{k}")
            for k, v in values.items()
        }
        if isinstance(marks, dict):
            for k, mark in marks.items():
                if k not in out and mark is True:
                    out[k] = Unknown(f"{COMPUTED}: {where}.{k} (known after apply)")
        return out
    if isinstance(values, list):
        return [
            _mark_unknown(
                v, marks[i] if isinstance(marks, list) and i < len(marks) else None, f"{where}[{i}]"
            )
            for i, v in enumerate(values)
        ]
    return values


def _config_refs(
    module: Any, prefix: str, out: dict[str, dict[str, list[str]]], reader: Reader, path: str
) -> None:
    if not isinstance(module, dict):
        return
    for res in _list_or_empty(module.get("resources")):
        if not isinstance(res, dict) or not isinstance(res.get("expressions") or {}, dict):
            continue
        address = prefix + str(res.get("address", ""))
        refs: dict[str, list[str]] = {}
        for attr, expr in (res.get("expressions") or {}).items():
            if isinstance(expr, dict) and isinstance(expr.get("references"), list):
                refs[attr] = [prefix + _strip_index(str(r)) for r in expr["references"]]
                # "aws_s3_bucket.x.id" and "aws_s3_bucket.x": keep the resource address forms
                refs[attr] += [a.rsplit(".", 1)[0] for a in refs[attr] if a.count(".") >= 2]
        out[_strip_index(address)] = refs
    calls = module.get("module_calls")
    for name, call in (calls if isinstance(calls, dict) else {}).items():
        if not isinstance(call, dict):
            continue
        source = str(call.get("source", ""))
        kind = _wandb_kind(source)
        child_prefix = f"{prefix}module.{name}."
        if kind is not None:
            _plan_wandb_call(reader, path, prefix, name, kind, source, call)
        _config_refs(call.get("module"), child_prefix, out, reader, path)


def _plan_wandb_call(
    reader: Reader, path: str, prefix: str, name: str, kind: str, source: str, call: dict[str, Any]
) -> None:
    address = f"{prefix}module.{name}"
    origin = Origin(path, None, address)
    version = str(call.get("version_constraint") or "(version not pinned)")
    created = None  # the plan lists the module's real resources; no synthetic bucket
    wcall = WandbCall(name, kind, source, version, origin, created)
    reader.wandb.append(wcall)
    reader.signals.append(Signal(SignalKind.SERVER_CONFIG, f"W&B Terraform module {source}", origin))
    reader.signals.append(Signal(SignalKind.CLOUD_PROVIDER, _SIGNAL_PROVIDER[kind], origin))
    raw_expressions = call.get("expressions")
    expressions: dict[str, Any] = raw_expressions if isinstance(raw_expressions, dict) else {}
    env: dict[str, EnvValue] = {}
    gaps: list[str] = []
    for var in ("other_wandb_env", "app_wandb_env") if kind == "aws" else ("other_wandb_env",):
        expr = expressions.get(var)
        if not isinstance(expr, dict):
            continue
        if "constant_value" not in expr or not isinstance(expr["constant_value"], dict):
            refs = ", ".join(str(r) for r in expr.get("references") or []) or "an expression"
            gaps.append(f"{var}: {COMPUTED}: {refs}")
            continue
        for key, raw in expr["constant_value"].items():
            where = Origin(path, None, f"{address}.{var}.{key}")
            text = (
                ("true" if raw else "false") if isinstance(raw, bool) else ("" if raw is None else str(raw))
            )
            got = read_env_var(str(key), text, where)
            env[str(key)] = got.value
            reader.env_buckets.extend(got.buckets)
            reader.buckets.extend(got.buckets)
            reader.signals.extend(got.signals)
            reader.notes.extend(got.notes)
    if kind == "google" and "app_wandb_env" in expressions:
        reader.notes.append(
            Note(
                "app_wandb_env feeds app.extraEnvs, a key the operator-wandb chart never reads; the variable is not "
                "set on the server (use other_wandb_env)",
                Origin(path, None, f"{address}.app_wandb_env"),
            )
        )
    reader.components.append(
        Component(
            name=f'module "{name}" ({os.path.basename(path)})',
            kind=ComponentKind.TERRAFORM_MODULE,
            origin=origin,
            env=tuple(env.values()),
            gaps=tuple(gaps),
            runs_gc=True,
        )
    )
    bucket = expressions.get("bucket_name")
    if (
        isinstance(bucket, dict)
        and isinstance(bucket.get("constant_value"), str)
        and bucket["constant_value"]
    ):
        value = bucket["constant_value"]
        where = Origin(path, None, f"{address}.bucket_name")
        reader.passed.append((value, wcall))
        reader._external(wcall, "bucket_name", value, {}, _NULL_SCOPE, where, _WANDB_PROVIDER[kind])
    elif isinstance(bucket, dict):
        for ref in bucket.get("references") or []:
            reader.passed.append((Ref(prefix + _strip_index(str(ref)).rsplit(".", 1)[0], "id"), wcall))


class _NullScope:
    def value(self, raw: Any) -> Any:
        return raw


_NULL_SCOPE: Any = _NullScope()
