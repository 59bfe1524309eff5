"""Module folders and their evaluation scope: variables (tfvars, defaults, call arguments), locals,
outputs, dynamic blocks; expressions go to ``expr.py``."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from lark import Tree

from gcready.model import InputError
from gcready.redact import is_secret_name
from gcready.sources.terraform.declarations import ModuleDir, _blocks
from gcready.sources.terraform.expr import evaluate
from gcready.sources.terraform.hcl import ParsedFile, TerraformError, _HCLError, _parse_hcl
from gcready.sources.terraform.tfjson import parse_json_config
from gcready.sources.terraform.tree import Expr, call_arguments
from gcready.sources.terraform.values import (
    COMPUTED,
    EvalError,
    Ref,
    Unknown,
    Why,
    is_unknown,
    same,
    to_string,
)

if TYPE_CHECKING:
    from gcready.sources.terraform.modules import WandbCall
    from gcready.sources.terraform.reader import Reader


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


_NOT_GIVEN = object()


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
        self.iterators: dict[str, Any] = {}  # a dynamic block's iterator while its content is evaluated

    # values -----------------------------------------------------------------------------------
    def var(self, name: str) -> Any:
        if name in self._vars:
            return self._vars[name]
        if f"var.{name}" in self._busy:
            return Unknown(f"{COMPUTED}: var.{name} refers to itself")
        self._busy.add(f"var.{name}")
        try:
            value = self._var_files(name, self._var(name))
        finally:
            self._busy.discard(f"var.{name}")
        self._vars[name] = value
        return value

    def _var(self, name: str) -> Any:
        decl = self.mod.variables.get(name)
        body = decl.value if decl is not None and isinstance(decl.value, dict) else {}
        given = self._given(name)
        if given is not _NOT_GIVEN and (
            given is not None or self.value(body.get("nullable", True)) is not False
        ):
            return given
        if decl is None:
            return Unknown(f"{COMPUTED}: var.{name} is not declared in {self.mod.path}")
        if "default" in body:  # `nullable = false` given null takes the default too
            return self.value(body["default"])
        where = (
            "no argument in the module call" if self.caller is not None else "no value in the given tfvars"
        )
        return Unknown(f"{COMPUTED}: var.{name} has no default and {where}", Why.INPUT)

    def _var_files(self, name: str, value: Any) -> Any:
        """A root variable a var-file Terraform loads only with ``-var-file`` would change: unknown (which
        files plan is given is not among the inputs); one they agree with keeps its value."""
        if self.caller is not None:
            return value
        for path, values, parsed in self.mod.var_files:
            if name not in values:
                continue
            other = self.value(values[name]) if parsed is not None else values[name]
            if is_unknown(value) or is_unknown(other) or not same(value, other):
                shown = (
                    f" would make it {other!r}"
                    if isinstance(other, str | bool | int | float) and not is_secret_name(name)
                    else " sets it"
                )
                return Unknown(
                    f"{COMPUTED}: var.{name}: {os.path.basename(path)}{shown}, but Terraform reads it only when "
                    "plan is given -var-file; gcready did not apply it (name the files plan is given with --var-file)",
                    Why.INPUT,
                )
        return value

    def _given(self, name: str) -> Any:
        """The value the module call or the tfvars give the variable (``_NOT_GIVEN`` when none)."""
        if name in self.inputs:
            assert self.caller is not None
            return self.caller.value(self.inputs[name])
        if self.caller is None:
            for _path, values, _pf in reversed(self.mod.tfvars):
                if name in values:
                    return self.value(values[name]) if _pf is not None else values[name]
        return _NOT_GIVEN

    def var_origin(self, name: str) -> tuple[ParsedFile, tuple[Any, ...]] | None:
        """Where a root variable's value is written: its tfvars entry, else its default."""
        if name in self.inputs:
            return None
        decl = self.mod.variables.get(name)
        nullable = decl is None or not isinstance(decl.value, dict) or decl.value.get("nullable") is not False
        if self.caller is None:
            for _path, values, parsed in reversed(self.mod.tfvars):
                if name in values and (values[name] is not None or nullable):
                    return (parsed, (name,)) if parsed is not None else None
        if decl is not None and isinstance(decl.value, dict) and "default" in decl.value:
            return decl.file_of("default"), ("variable", name, "default")
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
        """Evaluate a serialized HCL value: literals, maps, lists, blocks (``dynamic`` ones expanded) and
        ``${...}`` strings."""
        if isinstance(raw, dict):
            out: dict[str, Any] = {}
            for k, v in raw.items():
                if k == "dynamic":
                    continue
                key = self._key(k)
                if not isinstance(key, str):  # any entry may be the one it names: none is known
                    written = k[2:-1] if k.startswith("${") and k.endswith("}") else k
                    why = key.reason.removeprefix(COMPUTED + ": ")
                    return Unknown(f"{COMPUTED}: the object key {written} ({why})", key.why)
                out[key] = self.value(v)
            for block in _blocks(raw.get("dynamic")):
                for name, spec in block.items():
                    self._expand_dynamic(out, name, spec)
            return out
        if isinstance(raw, list):
            return [self.value(v) for v in raw]
        if isinstance(raw, str):
            return self.template(raw)
        return raw

    def _key(self, key: str) -> str | Unknown | Ref:
        """An object key: a word as written; ``(expr)`` and ``"${…}"`` (kept as ``${…}``) evaluated."""
        if "${" not in key and "%{" not in key:
            return key
        got = self.template(key)
        if isinstance(got, Unknown | Ref):
            return got
        if isinstance(got, bool | int | float | str) and got is not None:
            return to_string(got)
        return Unknown(f"{COMPUTED}: {key!r} is not a string", Why.UNSUPPORTED)

    def _expand_dynamic(self, out: dict[str, Any], name: str, spec: Any) -> None:
        """``dynamic "name" { for_each = …; content { … } }``: one ``name`` block per element; an
        unknown ``for_each`` makes the blocks unknown (how many, and what they say)."""
        spec = spec if isinstance(spec, dict) else {}
        each = self.value(spec.get("for_each"))
        iterator = spec.get("iterator") if isinstance(spec.get("iterator"), str) else name
        content = _block(spec, "content") or {}
        if is_unknown(each) or not isinstance(each, dict | list):
            why = each.reason if isinstance(each, Unknown | Ref) else f"{COMPUTED}: for_each"
            out[name] = Unknown(
                f"{COMPUTED}: dynamic {name!r} block, for_each {why.removeprefix(COMPUTED + ': ')}"
            )
            return
        items = list(each.items()) if isinstance(each, dict) else list(enumerate(each))
        blocks: list[Any] = []
        saved = self.iterators.get(iterator)
        try:
            for key, item in items:
                self.iterators[iterator] = {"key": key, "value": item}
                blocks.append(self.value(content))
        finally:
            if saved is None:
                self.iterators.pop(iterator, None)
            else:
                self.iterators[iterator] = saved
        existing = out.get(name)
        if isinstance(existing, Unknown | Ref):
            return
        static = (
            existing if isinstance(existing, list) else ([existing] if isinstance(existing, dict) else [])
        )
        out[name] = static + blocks

    def template(self, text: str) -> Any:
        if isinstance(text, Expr) and text.tree is not None:  # one expression, evaluated over its tree
            return evaluate(text[2:-1].strip(), self, text.tree)
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
        """An expression's value (the evaluator over python-hcl2's rule tree; names resolved here)."""
        return evaluate(expr.strip(), self)

    def resolve(self, head: str, parts: list[str], expr: str) -> Any:
        """``var.x…``, ``local.x…``, ``module.x.output…``, a dynamic block's iterator, a resource
        attribute (a ``Ref``); what Terraform knows only at apply time is unknown."""
        if head in self.iterators:
            return _dig(self.iterators[head], parts, expr)
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
            # `aws_s3_bucket.files[1]` is one instance of a counted resource: the index is kept
            index = f"[{parts[1]}]" if parts[0] == names[0] and len(parts) > 1 and parts[1].isdigit() else ""
            address = f"{self.prefix}{head}.{names[0]}{index}"
            return Ref(address, ".".join(names[1:]) or "id")
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


def _none_created(scope: Scope, body: dict[str, Any]) -> bool:
    """Whether ``count`` / ``for_each`` are known to create no instance (``count = 0``, an empty map)."""
    if "count" in body:
        count = scope.value(body["count"])
        return isinstance(count, int) and not isinstance(count, bool) and count == 0
    if "for_each" in body:
        each = scope.value(body["for_each"])
        return isinstance(each, dict | list) and not each
    return False


def _instances_unknown(scope: Scope, body: dict[str, Any]) -> str | None:
    """Why how many instances ``count`` / ``for_each`` create is not known (None when it is known)."""
    for meta in ("count", "for_each"):
        if meta in body:
            got = scope.value(body[meta])
            if isinstance(got, Unknown | Ref):
                return f"{meta} is {got.reason.removeprefix(COMPUTED + ': ')}"
            if isinstance(got, dict | list) and is_unknown(got):  # a key may be unknown: how many is not
                return f"{meta} is {COMPUTED}"
            return None
    return None


def _written_at(
    scope: Scope, raw: Any, name: str, written: tuple[ParsedFile, tuple[Any, ...]]
) -> tuple[ParsedFile, tuple[Any, ...]]:
    """Where the entry ``name`` of a map expression is written: through ``var.x`` (its tfvars entry or
    default), ``local.x`` and the arguments of ``merge`` (the last one holding ``name`` wins)."""
    text = str(raw).strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    plain = re.fullmatch(r"var\.([A-Za-z_][\w-]*)", text)
    if plain:
        return scope.var_origin(plain.group(1)) or written
    local = re.fullmatch(r"local\.([A-Za-z_][\w-]*)", text)
    if local and local.group(1) in scope.mod.locals:
        decl = scope.mod.locals[local.group(1)]
        return _written_at(scope, decl.value, name, (decl.file, decl.key))
    for arg in reversed(_merge_arguments(raw, text)):
        got = scope.template(arg) if isinstance(arg, Expr) else scope.expr(arg)
        if isinstance(got, dict) and name in got:
            return _written_at(scope, arg, name, written)
    return written


def _merge_arguments(raw: Any, text: str) -> list[str]:
    """The arguments of ``merge(…)``: from its parse tree when the expression has one, else its text."""
    if isinstance(raw, Expr) and raw.tree is not None:
        node = raw.tree
        while node.data == "expr_term" and len(node.children) == 1 and isinstance(node.children[0], Tree):
            node = node.children[0]  # an argument is a term around the call
        if node.data != "function_call":
            return []
        found = call_arguments(node)
        return [Expr(f"${{{text}}}", tree) for text, tree in found[1]] if found[0] == "merge" else []
    call = _CALL.match(text)
    if call and call.group(1) == "merge" and _balanced(call.group(2)):
        return _split_args(call.group(2))
    return []


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
        else:  # Terraform reports an error here (what `try` and `can` catch)
            raise EvalError(f"{expr}: no attribute or element {part!r}")
    return value


_MODULE_PATH = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)+")


def _strip_index(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address)


def _relative(path: str, base: str) -> str:
    rel = os.path.relpath(path, base) if base else path
    return "." if rel in ("", ".") else rel.replace(os.sep, "/")


def _load_dir(dirs: dict[str, ModuleDir], folder: str, errors: list[InputError]) -> ModuleDir | None:
    """A local module folder that is not among the inputs, read from disk as Terraform would."""
    if folder in dirs:
        return dirs[folder]
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith((".tf", ".tf.json")))
    except OSError:
        return None
    if not names:
        return None
    mod = ModuleDir(folder)
    for name in names:
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
            mod.files.append(
                parse_json_config(path, text) if name.endswith(".json") else _parse_hcl(path, text)
            )
        except _HCLError as exc:
            errors.append(InputError(path, str(exc), exc.line))
        except (OSError, UnicodeDecodeError, TerraformError) as exc:
            errors.append(InputError(path, f"cannot read: {exc}"))
    mod.index()
    errors.extend(mod.errors)
    dirs[folder] = mod
    return mod
