"""Terraform expressions evaluated over python-hcl2's rule tree (Lark): literals, object and tuple
constructors, templates and heredocs, index / attribute / splat, arithmetic, comparison, logic,
conditionals, ``for`` expressions and function calls (``functions.py``).

What cannot be known before apply is an ``Unknown`` that propagates: an operation on an unknown value is
unknown, never a guess. Names (``var.x``, ``local.y``, ``module.z.out``, resource attributes) are resolved
by the caller's ``Names``.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Protocol

from lark import Token, Tree

from gcready.sources.terraform.functions import FUNCTIONS, LAZY
from gcready.sources.terraform.tree import Unsupported, heredoc_value, quoted_template
from gcready.sources.terraform.values import (
    COMPUTED,
    EvalError,
    Ref,
    Unknown,
    Why,
    is_unknown,
    number,
    same,
    to_bool,
    to_number,
    to_string,
)


class Names(Protocol):
    def resolve(self, head: str, parts: list[str], text: str) -> Any:
        """The value of ``head.part.part…`` (``var``, ``local``, ``module``, a resource type…)."""


class NoNames:
    """No names at all: every reference is unknown (the evaluator's table test, constant folding)."""

    def resolve(self, head: str, parts: list[str], text: str) -> Any:
        return Unknown(f"{COMPUTED}: {text}", Why.INPUT)


_SKIP = ("new_line_or_comment",)


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> Tree[Token] | None:
    """The rule tree of one expression, or None when python-hcl2's grammar rejects it."""
    from gcready.sources.terraform.hcl import parse_tree

    try:
        tree = parse_tree(f"x = {text}\n")
    except Exception:
        return None
    body = tree.children[0] if tree.children else None
    for child in getattr(body, "children", []):
        if isinstance(child, Tree) and child.data == "attribute":
            return child.children[-1] if isinstance(child.children[-1], Tree) else None
    return None


_PLAIN_REF = re.compile(r"^([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\.\d+|\[\d+\])*)$")
_PLAIN_PART = re.compile(r"\.([A-Za-z_][\w-]*|\d+)|\[(\d+)\]")


def evaluate(text: str, names: Names, tree: Tree[Token] | None = None) -> Any:
    """The value of an expression (its text, and its parse tree when the caller has it: else the text is
    parsed); an error Terraform would report is unknown (with its reason)."""
    plain = _PLAIN_REF.match(text)
    if plain and plain.group(1) not in ("true", "false", "null"):
        # `var.x`, `local.y.z`, `module.m.out[0]`: most expressions, resolved without a parse
        parts = [a or b for a, b in _PLAIN_PART.findall(plain.group(2))]
        try:
            return names.resolve(plain.group(1), parts, text)
        except EvalError as exc:
            return Unknown(f"{COMPUTED}: {text} (Terraform would report: {exc})", Why.UNSUPPORTED)
    tree = tree if tree is not None else parse(text)
    if tree is None:
        return Unknown(f"{COMPUTED}: {text} (not an expression gcready evaluates)", Why.UNSUPPORTED)
    try:
        return Evaluator(names, text).eval(tree, {})
    except EvalError as exc:
        return Unknown(f"{COMPUTED}: {text} (Terraform would report: {exc})", Why.UNSUPPORTED)
    except RecursionError:
        return Unknown(f"{COMPUTED}: {text} (too deep)", Why.UNSUPPORTED)


def _kids(node: Tree[Token]) -> list[Any]:
    return [c for c in node.children if not (isinstance(c, Tree) and c.data in _SKIP)]


def _trees(node: Tree[Token]) -> list[Tree[Token]]:
    return [c for c in _kids(node) if isinstance(c, Tree)]


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE.sub(one, text)


def _unknown_of(*values: Any) -> Unknown | Ref | None:
    for value in values:
        if isinstance(value, Unknown | Ref):
            return value
    return None


class Evaluator:
    def __init__(self, names: Names, text: str) -> None:
        self.names = names
        self.text = text

    def unknown(self, why: str, kind: Why = Why.APPLY) -> Unknown:
        return Unknown(f"{COMPUTED}: {why}", kind)

    def propagate(self, got: Unknown | Ref) -> Unknown | Ref:
        return got

    # ------------------------------------------------------------------------------------ dispatch
    def eval(self, node: Any, env: dict[str, Any]) -> Any:
        if isinstance(node, Token):
            raise EvalError(f"unexpected token {node!s}")
        method = getattr(self, f"_{node.data}", None)
        if method is None:
            return self.unknown(f"{self.text} ({node.data} is not evaluated)", Why.UNSUPPORTED)
        return method(node, env)

    def _expr_term(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        [inner] = _trees(node)
        return self.eval(inner, env)

    def _int_lit(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        return int(str(node.children[0]))

    def _float_lit(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        return number(float(str(node.children[0])))

    def _literal_value(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        word = str(node.children[0])
        return {"true": True, "false": False, "null": None}[word]

    def _identifier(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        name = str(node.children[0])
        if name in env:
            return env[name]
        return self.names.resolve(name, [], name)

    # ------------------------------------------------------------------------------ collections
    def _tuple(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        return [self.eval(c, env) for c in _trees(node)]

    def _object(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        out: dict[str, Any] = {}
        for elem in _trees(node):
            key_node, value_node = _trees(elem)
            key = self._key(key_node, env)
            if isinstance(key, Unknown | Ref):
                return self.unknown(f"{self.text} (a key is unknown)")
            out[key] = self.eval(value_node, env)
        return out

    def _key(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        inner = _kids(node)[0]
        if isinstance(inner, Token):  # a keyword used as a key (`in = …`)
            return str(inner)
        bare = inner
        while isinstance(bare, Tree) and bare.data == "expr_term" and len(_kids(bare)) == 1:
            bare = _kids(bare)[0]
        if isinstance(bare, Tree) and bare.data == "identifier":
            return str(bare.children[0])  # `{ name = … }`: the word, not a variable
        if isinstance(bare, Tree) and bare.data == "literal_value":
            return str(bare.children[0])
        key = self.eval(inner, env)
        if isinstance(key, Unknown | Ref):
            return key
        return to_string(key)

    # -------------------------------------------------------------------------------- templates
    def _string(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        parts = [c for c in node.children if isinstance(c, Tree) and c.data == "string_part"]
        if len(parts) == 1 and isinstance(parts[0].children[0], Tree):
            inner = parts[0].children[0]
            if inner.data == "interpolation":  # "${x}" is x itself, of any type
                return self.eval(_trees(inner)[0], env)
        items = self._template_items(parts)
        tree, _ = self._template_tree(items, 0, ())
        return self._render(tree, env)

    def _template_items(self, parts: list[Tree[Token]]) -> list[list[Any]]:
        """Literal text, interpolations and directives, with ``~`` strip markers applied."""
        items: list[list[Any]] = []
        for part in parts:
            piece = part.children[0]
            if isinstance(piece, Token):
                if piece.type == "STRING_CHARS":
                    items.append(["text", _unescape(str(piece))])
                elif piece.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    items.append(["text", str(piece)[1:]])  # $${ and %%{ are literal ${ and %{
                else:
                    items.append(["text", str(piece)])
                continue
            tokens = [c for c in piece.children if isinstance(c, Token)]
            strip_left = len(tokens) > 1 and tokens[1].type == "STRIP_MARKER"
            strip_right = len(tokens) > 1 and tokens[-2].type == "STRIP_MARKER"
            if strip_left and items and items[-1][0] == "text":
                items[-1][1] = items[-1][1].rstrip()
            items.append([piece.data, piece, strip_right])
        for i, item in enumerate(items):
            if (
                item[0] != "text"
                and len(item) > 2
                and item[2]
                and i + 1 < len(items)
                and items[i + 1][0] == "text"
            ):
                items[i + 1][1] = items[i + 1][1].lstrip()
        return items

    def _template_tree(self, items: list[list[Any]], i: int, stops: tuple[str, ...]) -> tuple[list[Any], int]:
        """Nest ``if``/``else``/``endif`` and ``for``/``endfor`` into (kind, …) nodes."""
        out: list[Any] = []
        while i < len(items):
            kind = items[i][0]
            if kind in stops:
                return out, i
            if kind == "template_if_start":
                condition = _trees(items[i][1])[0]
                yes, i = self._template_tree(items, i + 1, ("template_else", "template_endif"))
                no: list[Any] = []
                if i < len(items) and items[i][0] == "template_else":
                    no, i = self._template_tree(items, i + 1, ("template_endif",))
                out.append(("if", condition, yes, no))
            elif kind == "template_for_start":
                start = items[i][1]
                body, i = self._template_tree(items, i + 1, ("template_endfor",))
                out.append(("for", start, body))
            elif kind in ("template_else", "template_endif", "template_endfor"):
                raise EvalError("a template directive out of place")
            else:
                out.append((kind, items[i][1]))
            i += 1
        if stops:
            raise EvalError("an unclosed template directive")
        return out, i

    def _render(self, tree: list[Any], env: dict[str, Any]) -> Any:
        out: list[str] = []
        for node in tree:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "interpolation":
                value = self.eval(_trees(node[1])[0], env)
                if isinstance(value, Unknown | Ref):
                    return Unknown(value.reason, value.why)
                out.append(to_string(value))
            elif kind == "if":
                cond = self.eval(node[1], env)
                if isinstance(cond, Unknown | Ref):
                    return Unknown(cond.reason, cond.why)
                got = self._render(node[2] if to_bool(cond) else node[3], env)
                if isinstance(got, Unknown | Ref):
                    return got
                out.append(got)
            elif kind == "for":
                names = [str(t.children[0]) for t in _trees(node[1]) if t.data == "identifier"]
                source = self.eval(_trees(node[1])[-1], env)
                if is_unknown(source):
                    found = _unknown_of(source) or Unknown(f"{COMPUTED}: {self.text}")
                    return Unknown(found.reason, found.why)
                pairs = (
                    [(k, source[k]) for k in sorted(source)]
                    if isinstance(source, dict)
                    else list(enumerate(source))
                    if isinstance(source, list)
                    else None
                )
                if pairs is None:
                    raise EvalError("a template for needs a collection")
                for key, item in pairs:
                    local = _bind(env, names, key, item)
                    got = self._render(node[2], local)
                    if isinstance(got, Unknown | Ref):
                        return got
                    out.append(got)
        return "".join(out)

    def _template_string(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        return _unescape(str(node.children[0])[2:-2])

    def _heredoc(self, token: str, trim: bool) -> Any:
        try:
            tree = parse(quoted_template(heredoc_value(token.rstrip("\r\n"))))
        except Unsupported:
            tree = None
        if tree is None:
            return self.unknown(f"{self.text} (a heredoc)", Why.UNSUPPORTED)
        return self.eval(tree, {})

    def _heredoc_template(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        return self._heredoc(str(node.children[0]), trim=False)

    def _heredoc_template_trim(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        return self._heredoc(str(node.children[0]), trim=True)

    # -------------------------------------------------------------------------------- operators
    def _conditional(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        cond_node, yes, no = _trees(node)
        cond = self.eval(cond_node, env)
        if isinstance(cond, Unknown | Ref):
            return Unknown(cond.reason, cond.why)
        return self.eval(yes if to_bool(cond) else no, env)

    def _unary_op(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        op = str(node.children[0]).strip()
        value = self.eval(node.children[1], env)
        if isinstance(value, Unknown | Ref):
            return Unknown(value.reason, value.why)
        return (not to_bool(value)) if op == "!" else number(-to_number(value))

    def _binary_op(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        left_node, term = _trees(node)
        operator_node, right_node = _trees(term)
        op = str(operator_node.children[0]).strip()  # an operator starting a line carries the newline
        left, right = self.eval(left_node, env), self.eval(right_node, env)
        hidden = _unknown_of(left, right)
        if hidden is not None or (op in ("==", "!=") and (is_unknown(left) or is_unknown(right))):
            why = hidden.reason if hidden is not None else f"{COMPUTED}: {self.text}"
            return Unknown(why, hidden.why if hidden is not None else Why.APPLY)
        if op == "==":
            return same(left, right)
        if op == "!=":
            return not same(left, right)
        if op in ("&&", "||"):
            a, b = to_bool(left), to_bool(right)
            return (a and b) if op == "&&" else (a or b)
        x, y = to_number(left), to_number(right)
        if op == "+":
            return number(x + y)
        if op == "-":
            return number(x - y)
        if op == "*":
            return number(x * y)
        if op == "/":
            if y == 0:
                raise EvalError("divide by zero")
            return number(x / y)
        if op == "%":
            if y == 0:
                raise EvalError("divide by zero")
            return number(math.fmod(x, y))
        return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]

    # ------------------------------------------------------------------------------- traversals
    def _chain(self, node: Tree[Token]) -> tuple[Tree[Token], list[Tree[Token]]]:
        """The base of ``a.b[c].d`` and its steps (get_attr / index trees), outermost last."""
        steps: list[Tree[Token]] = []
        while True:
            if node.data == "expr_term" and len(_trees(node)) == 1 and len(_kids(node)) == 1:
                node = _trees(node)[0]
                continue
            if node.data in ("get_attr_expr_term", "index_expr_term"):
                base, step = _trees(node)
                steps.append(step)
                node = base
                continue
            break
        steps.reverse()
        return node, steps

    def _step_key(self, step: Tree[Token], env: dict[str, Any]) -> Any:
        if step.data == "get_attr":
            return (
                str(_kids(step)[1].children[0]) if isinstance(_kids(step)[1], Tree) else str(_kids(step)[1])
            )
        if step.data == "short_index":
            return int(str(_kids(step)[1]))
        return self.eval(_trees(step)[0], env)  # braces_index

    def _traverse(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        base, steps = self._chain(node)
        keys = [self._step_key(s, env) for s in steps]
        if base.data == "identifier" and str(base.children[0]) not in env:
            hidden = _unknown_of(*keys)
            if hidden is not None:
                return Unknown(hidden.reason, hidden.why)
            head = str(base.children[0])
            return self.names.resolve(head, [str(k) for k in keys], self.text)
        return self.apply(self.eval(base, env), keys)

    _get_attr_expr_term = _traverse
    _index_expr_term = _traverse

    def apply(self, value: Any, keys: list[Any]) -> Any:
        for key in keys:
            if isinstance(value, Unknown | Ref):
                return value
            if isinstance(key, Unknown | Ref):
                return Unknown(key.reason, key.why)
            if isinstance(value, dict):
                name = to_string(key)
                if name not in value:
                    raise EvalError("no such attribute or key")  # no value in messages: they are shown
                value = value[name]
            elif isinstance(value, list):
                index = to_number(key)
                if not isinstance(index, int) or not 0 <= index < len(value):
                    raise EvalError("index out of range")
                value = value[index]
            elif value is None:
                raise EvalError("attempt to index a null value")
            else:
                raise EvalError("this value has no attributes or elements")
        return value

    def _splat(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        base_node, splat = _trees(node)
        value = self.eval(base_node, env)
        if isinstance(value, Unknown | Ref):
            return Unknown(value.reason, value.why)
        items = value if isinstance(value, list) else ([] if value is None else [value])
        keys = [self._step_key(s, env) for s in _trees(splat)]
        return [self.apply(item, keys) for item in items]

    _attr_splat_expr_term = _splat
    _full_splat_expr_term = _splat

    # ---------------------------------------------------------------------------------- for
    def _for(self, node: Tree[Token], env: dict[str, Any], is_object: bool) -> Any:
        parts = _trees(node)
        intro = parts[0]
        names = [str(t.children[0]) for t in _trees(intro) if t.data == "identifier"]
        source = self.eval(_trees(intro)[-1], env)
        if is_unknown(source):
            hidden = _unknown_of(source) or Unknown(f"{COMPUTED}: {self.text}")
            return Unknown(hidden.reason, hidden.why)
        cond = next((p for p in parts if p.data == "for_cond"), None)
        exprs = [p for p in parts[1:] if p.data != "for_cond"]
        grouped = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        if isinstance(source, dict):
            pairs = [(k, source[k]) for k in sorted(source)]
        elif isinstance(source, list):
            pairs = list(enumerate(source))
        else:
            raise EvalError("a for expression needs a collection")
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        for key, item in pairs:
            local = _bind(env, names, key, item)
            if cond is not None:
                keep = self.eval(_trees(cond)[0], local)
                if isinstance(keep, Unknown | Ref):
                    return Unknown(keep.reason, keep.why)
                if not to_bool(keep):
                    continue
            if not is_object:
                out_list.append(self.eval(exprs[0], local))
                continue
            name = self.eval(exprs[0], local)
            if isinstance(name, Unknown | Ref):
                return Unknown(name.reason, name.why)
            name = to_string(name)
            value = self.eval(exprs[1], local)
            if grouped:
                out_map.setdefault(name, []).append(value)
            elif name in out_map:
                raise EvalError("duplicate key in a for expression")
            else:
                out_map[name] = value
        return out_map if is_object else out_list

    def _for_tuple_expr(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        return self._for(node, env, is_object=False)

    def _for_object_expr(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        return self._for(node, env, is_object=True)

    # ---------------------------------------------------------------------------------- calls
    def _function_call(self, node: Tree[Token], env: dict[str, Any]) -> Any:
        names = [t for t in _trees(node) if t.data == "identifier"]
        name = str(names[-1].children[0]) if len(names) == 1 else "::".join(str(n.children[0]) for n in names)
        arguments = next((t for t in _trees(node) if t.data == "arguments"), None)
        arg_nodes = _trees(arguments) if arguments is not None else []
        expand = arguments is not None and any(
            isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments.children
        )
        if name in LAZY:
            return self._lazy(name, arg_nodes, env)
        function = FUNCTIONS.get(name)
        if function is None:
            return self.unknown(f"{self.text} ({name}() is not evaluated)", Why.UNSUPPORTED)
        args = [self.eval(a, env) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown | Ref):
                return Unknown(last.reason, last.why)
            args.extend(last if isinstance(last, list) else [last])
        hidden = next((a for a in args if is_unknown(a)), None)
        if hidden is not None and not (
            name in ("merge", "concat", "tolist", "tomap", "length")
            and not any(isinstance(a, Unknown | Ref) for a in args)
        ):
            found = _unknown_of(*args) or _deep_unknown(hidden)
            return Unknown(found.reason, found.why)
        try:
            return function(*args)
        except EvalError:
            raise
        except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError) as exc:
            raise EvalError(f"{name}(): {type(exc).__name__}") from None

    def _lazy(self, name: str, arg_nodes: list[Tree[Token]], env: dict[str, Any]) -> Any:
        for arg in arg_nodes:
            try:
                value = self.eval(arg, env)
            except EvalError:
                if name == "can":
                    return False
                continue
            if is_unknown(value):
                found = _deep_unknown(value)
                return Unknown(found.reason, found.why)
            return True if name == "can" else value
        if name == "can":
            return False
        raise EvalError("try: no expression succeeded")


def _deep_unknown(value: Any) -> Unknown | Ref:
    if isinstance(value, Unknown | Ref):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        if is_unknown(item):
            return _deep_unknown(item)
    return Unknown(f"{COMPUTED}: a value")


def _bind(env: dict[str, Any], names: list[str], key: Any, item: Any) -> dict[str, Any]:
    """The scope of one iteration of a ``for``: ``k, v`` bind key and value, a single name the value."""
    local = dict(env)
    if len(names) == 2:
        local[names[0]], local[names[1]] = key, item
    else:
        local[names[0]] = item
    return local
