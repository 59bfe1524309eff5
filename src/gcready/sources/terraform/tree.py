"""python-hcl2's Lark parse tree to values in one walk: the values python-hcl2's own rule classes
serialise to (``SerializationOptions(with_comments=False, strip_string_quotes=True,
preserve_heredocs=True)``, markers and quotes on keys dropped, heredocs as Terraform reads them: see
``heredoc_value``), without building those classes first.

Building them is most of a cold parse's time after Lark itself. Whatever this walk does not know
raises ``Unsupported``, and the caller goes back to python-hcl2's transformation, so the two never
disagree (a test compares them on every ``.tf`` file at hand).
"""

from __future__ import annotations

import re
from typing import Any

from lark import Token, Tree

# The same patterns as python-hcl2's (hcl2/utils.py), which its serialiser matches heredocs with.
_HEREDOC = re.compile(r"<<([a-zA-Z][a-zA-Z0-9._-]*)\r?\n([\s\S]*)\1", re.S)
_HEREDOC_TRIM = re.compile(r"<<-([a-zA-Z][a-zA-Z0-9._-]*)\r?\n([\s\S]*)\1", re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_NL = "new_line_or_comment"
_LITERALS = {"true": True, "false": False, "null": None}
_SIMPLE_KEYS = frozenset({"identifier", "string", "int_lit", "float_lit", "literal_value"})


class Unsupported(Exception):
    """A shape this walk does not convert: python-hcl2's transformation decides instead."""


class Expr(str):
    """An expression's text as python-hcl2 serialises it (``${…}``) that keeps its parse tree, so the
    evaluator works on the tree instead of parsing the text again (a cached parse has text only)."""

    tree: Tree[Token] | None

    def __new__(cls, text: str, tree: Tree[Token] | None = None) -> Expr:
        self = super().__new__(cls, text)
        self.tree = tree
        return self


def body_values(tree: Tree[Token]) -> dict[str, Any]:
    """The values of a parsed file (the ``start`` tree)."""
    if tree.data != "start" or len(tree.children) != 1 or not isinstance(tree.children[0], Tree):
        raise Unsupported("not a start tree")
    return _body(tree.children[0])


def _trees(node: Tree[Token]) -> list[Tree[Token]]:
    return [c for c in node.children if isinstance(c, Tree) and c.data != _NL]


def _keep(key: Any) -> bool:
    return not str(key).startswith("__")


def _unquote(text: Any) -> Any:
    text = str(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def _name(node: Tree[Token]) -> str:
    """An attribute name or block label word (identifier, keyword or literal word)."""
    token = node.children[0]
    if not isinstance(token, Token):
        raise Unsupported("a name without a token")
    return str(token)


def _body(node: Tree[Token]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    attributes: set[str] = set()
    for child in node.children:
        if not isinstance(child, Tree) or child.data == _NL:
            continue
        if child.data == "attribute":
            name = _name(child.children[0])  # type: ignore[arg-type]
            attributes.add(name)
            result[name] = _value(child.children[-1], False)
        elif child.data == "block":
            name, block = _block(child)
            if name in attributes:
                raise Unsupported("a block named like an attribute")  # python-hcl2 reports it
            result.setdefault(name, [])
            if not isinstance(result[name], list):
                raise Unsupported("a block after an attribute of its name")
            result[name].append(block)
        else:
            raise Unsupported(child.data)
    return {_unquote(k): v for k, v in result.items() if _keep(k)}


def _block(node: Tree[Token]) -> tuple[str, Any]:
    parts = [c for c in node.children if isinstance(c, Tree)]
    if not parts or parts[-1].data != "body" or any(p.data == _NL for p in parts):
        raise Unsupported("an unusual block")
    *labels, body = parts
    result: Any = _body(body)
    for label in reversed(labels[1:]):
        key = _value(label, False) if label.data == "string" else _name(label)
        result = {_unquote(key): result} if _keep(key) else {}
    return _name(labels[0]), result


def _dollar(value: Any) -> str:
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value
    return f"${{{value}}}"


def _value(node: Any, inside: bool) -> Any:
    """What python-hcl2 serialises ``node`` to; ``inside`` is its ``inside_dollar_string``."""
    if not isinstance(node, Tree):
        raise Unsupported("a token where an expression was expected")
    kind = node.data
    if kind == "expr_term":
        return _expr_term(node, inside)
    if kind == "int_lit":
        return int(str(node.children[0]))
    if kind == "float_lit":
        text = str(node.children[0])
        if "e" in text.lower():
            return text if inside else Expr(_dollar(text), node)
        return float(text)
    if kind == "literal_value":
        word = str(node.children[0])
        return word if inside else _LITERALS.get(word, word)
    if kind == "identifier":
        return str(node.children[0])
    if kind == "string":
        return _string(node, inside)
    if kind == "tuple":
        items = _trees(node)
        if not inside:
            return [_value(c, False) for c in items]
        return "[" + ", ".join(str(_value(c, True)) for c in items) + "]"
    if kind == "object":
        return _object(node, inside)
    if kind in _OPERATIONS:
        text = _OPERATIONS[kind](node)
        if kind == "unary_op" and not inside:
            negated = _negated(node)
            if negated is not None:
                return negated
        return text if inside else Expr(_dollar(text), node)
    if kind in ("heredoc_template", "heredoc_template_trim"):
        value = heredoc_value(str(node.children[0]))
        return quoted_template(value) if inside else value
    if kind == "template_string":
        raw = str(node.children[0])
        return raw[2:-2] if raw.startswith('\\"') and raw.endswith('\\"') else raw
    raise Unsupported(kind)


def _expr_term(node: Tree[Token], inside: bool) -> Any:
    first, last = node.children[0], node.children[-1]
    parentheses = isinstance(first, Token) and first.type == "LPAR"
    parentheses = parentheses and isinstance(last, Token) and last.type == "RPAR"
    inner = _trees(node)
    if len(inner) != 1:
        raise Unsupported("an expression term of several parts")
    result = _value(inner[0], inside)
    if parentheses:
        if isinstance(result, str) and result.startswith("${") and result.endswith("}"):
            result = f"${{({result[2:-1]})}}"
        else:
            result = f"({result})"
        if not inside:
            result = Expr(_dollar(result), node)
    return result


def _object(node: Tree[Token], inside: bool) -> Any:
    elements = _trees(node)
    if any(e.data != "object_elem" for e in elements):
        raise Unsupported("an object element")
    if not inside:
        out: dict[str, Any] = {}
        for element in elements:
            key_node, value_node = _trees(element)
            key = _key(key_node, False)
            out[key] = _value(value_node, False)
        return {_unquote(k): v for k, v in out.items() if _keep(k)}
    pairs = []
    for element in elements:
        key_node, value_node = _trees(element)
        pairs.append(f"{_key(key_node, True)} = {_value(value_node, True)}")
    return "{" + ", ".join(pairs) + "}"


def _key(node: Tree[Token], inside: bool) -> Any:
    """An object key: a bare word or literal as itself, any other expression as ``${…}``."""
    [inner] = [c for c in node.children if not (isinstance(c, Tree) and c.data == _NL)]
    if not isinstance(inner, Tree):
        raise Unsupported("an object key token")
    if inner.data == "keyword":
        return _name(inner)
    simple = inner.data == "expr_term" and len(inner.children) == 1
    target = inner.children[0] if simple else None
    if isinstance(target, Tree) and target.data in _SIMPLE_KEYS:
        if target.data == "literal_value":
            return _name(target)
        result = _value(target, inside)
        return str(result) if isinstance(result, int | float) else result
    text = str(_value(inner, True))
    return text if inside else _dollar(text)


# ------------------------------------------------------------------------------------ strings
def _unescape(value: str) -> str:
    """python-hcl2's escape processing of a quoted string's literal text (an unknown escape is kept)."""
    if "\\" not in value:
        return value
    parts: list[str] = []
    i, length = 0, len(value)
    while i < length:
        char = value[i]
        if char != "\\" or i + 1 >= length:
            parts.append(char)
            i += 1
            continue
        marker = value[i + 1]
        if marker in _ESCAPES:
            parts.append(_ESCAPES[marker])
            i += 2
            continue
        if marker in "uU":
            width = 4 if marker == "u" else 8
            digits = value[i + 2 : i + 2 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                code = int(digits, 16)
                if code <= 0x10FFFF and not 0xD800 <= code < 0xE000:
                    parts.append(chr(code))
                    i += 2 + width
                    continue
        parts.append(char)
        parts.append(marker)
        i += 2
    return "".join(parts)


def _string(node: Tree[Token], inside: bool) -> Any:
    parts = [c for c in node.children if isinstance(c, Tree)]
    nested = _in_directives(parts)
    if not inside:
        out = []
        for i, part in enumerate(parts):
            piece = part.children[0]
            if isinstance(piece, Token) and piece.type == "STRING_CHARS" and i not in nested:
                out.append(_unescape(str(piece)))  # text inside a directive keeps its escapes
            else:
                out.append(_part(piece))
        return "".join(out)
    return '"' + "".join(_part(p.children[0]) for p in parts) + '"'


def _part(piece: Any) -> str:
    if isinstance(piece, Token):
        return str(piece)  # literal text, $${ and %%{ as written
    kind = piece.data
    if kind == "interpolation":
        [expression] = _trees(piece)
        return _dollar(_value(expression, True))
    tokens = [c for c in piece.children if isinstance(c, Token)]
    prefix = "~ " if len(tokens) > 1 and tokens[1].type == "STRIP_MARKER" else " "
    suffix = " ~" if len(tokens) > 1 and tokens[-2].type == "STRIP_MARKER" else " "
    if kind == "template_if_start":
        [condition] = _trees(piece)
        return f"%{{{prefix}if {_value(condition, True)}{suffix}}}"
    if kind in ("template_else", "template_endif", "template_endfor"):
        return f"%{{{prefix}{kind.removeprefix('template_')}{suffix}}}"
    if kind == "template_for_start":
        trees = _trees(piece)
        names = [_name(t) for t in trees if t.data == "identifier"]
        if len(names) not in (1, 2) or len(trees) != len(names) + 1:
            raise Unsupported("a template for")
        iterators = ", ".join(names)
        return f"%{{{prefix}for {iterators} in {_value(trees[-1], True)}{suffix}}}"
    raise Unsupported(kind)


def _in_directives(parts: list[Tree[Token]]) -> set[int]:
    """The parts python-hcl2 nests into an ``%{if}``/``%{for}`` (it rejects one left open: so here)."""
    kinds = [p.children[0].data if isinstance(p.children[0], Tree) else "" for p in parts]
    inner: set[int] = set()

    def body(i: int, ends: tuple[str, ...]) -> tuple[str | None, int]:
        while i < len(kinds):
            if kinds[i] in ends:
                return kinds[i], i + 1
            i = nested(i) if kinds[i] in ("template_if_start", "template_for_start") else i + 1
        return None, i

    def nested(start: int) -> int:
        if kinds[start] == "template_if_start":
            end, i = body(start + 1, ("template_else", "template_endif"))
            if end == "template_else":
                end, i = body(i, ("template_endif",))
            if end != "template_endif":
                raise Unsupported("an unterminated template if")
        else:
            end, i = body(start + 1, ("template_endfor",))
            if end != "template_endfor":
                raise Unsupported("an unterminated template for")
        inner.update(range(start, i))
        return i

    body(0, ())
    return inner


def heredoc_value(token: str) -> str:
    """A heredoc's value as Terraform gives it: every content line with its newline (``<<EOT`` /
    ``true`` / ``EOT`` is ``"true\\n"``, which Go's ParseBool rejects); ``<<-`` also removes the
    smallest indentation (spaces and tabs) of the lines that are not blank. python-hcl2 drops the last
    newline: here Terraform decides."""
    match = (_HEREDOC_TRIM if token.startswith("<<-") else _HEREDOC).match(token)
    if not match:
        raise Unsupported("a heredoc")
    body = re.sub(r"[ \t]*\Z", "", match.group(2))  # the closing marker's indentation
    if not token.startswith("<<-"):
        return body
    lines = body.split("\n")
    cut = min((len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()), default=0)
    return "\n".join(line[cut:] for line in lines)


def quoted_template(value: str) -> str:
    """A heredoc's value written as a quoted template (heredocs have no escapes; quoted strings do), so
    an expression holding one still means the same once it is only text (a cached parse)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


# --------------------------------------------------------------------------------- operations
def _conditional(node: Tree[Token]) -> str:
    condition, yes, no = _trees(node)
    return f"{_value(condition, True)} ? {_value(yes, True)} : {_value(no, True)}"


def _binary_op(node: Tree[Token]) -> str:
    parts = _trees(node)
    if len(parts) != 2 or parts[1].data != "binary_term":
        raise Unsupported("a binary operation")
    left, term = parts
    operator, right = _trees(term)
    return f"{_value(left, True)} {str(operator.children[0]).strip()} {_value(right, True)}"


def _unary_op(node: Tree[Token]) -> str:
    operator, operand = node.children
    return f"{str(operator).rstrip()}{_value(operand, True)}"


def _negated(node: Tree[Token]) -> int | float | None:
    """``-3`` is the number -3 (python-hcl2 lexes it as minus and 3), not an expression."""
    operator, operand = node.children
    if str(operator).rstrip() != "-":
        return None
    value = _value(operand, True)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return -value


def _function_call(node: Tree[Token]) -> str:
    trees = _trees(node)
    names = "::".join(_name(t) for t in trees if t.data == "identifier")
    arguments = next((t for t in trees if t.data == "arguments"), None)
    text = ""
    if arguments is not None:
        text = ", ".join(str(_value(a, True)) for a in _trees(arguments))
        if any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments.children[-2:]):
            text += " ..."
    return f"{names}({text})"


def call_arguments(node: Tree[Token]) -> tuple[str, list[tuple[str, Tree[Token]]]]:
    """A function call's name and its arguments, each as (its text, its tree)."""
    trees = _trees(node)
    name = "::".join(_name(t) for t in trees if t.data == "identifier")
    arguments = next((t for t in trees if t.data == "arguments"), None)
    found = _trees(arguments) if arguments is not None else []
    return name, [(str(_value(a, True)), a) for a in found]


def _step(node: Tree[Token]) -> str:
    kind = node.data
    if kind == "get_attr":
        [name] = _trees(node)
        return f".{_name(name)}"
    if kind == "short_index":
        return f".{int(str(node.children[-1]))}"
    if kind == "braces_index":
        [index] = _trees(node)
        return f"[{_value(index, True)}]"
    raise Unsupported(kind)


def _traversal(node: Tree[Token]) -> str:
    base, step = _trees(node)
    if step.data in ("attr_splat", "full_splat"):
        mark = ".*" if step.data == "attr_splat" else "[*]"
        return f"{_value(base, True)}{mark}" + "".join(_step(s) for s in _trees(step))
    return f"{_value(base, True)}{_step(step)}"


def _for_intro(node: Tree[Token]) -> str:
    trees = _trees(node)
    names = [_name(t) for t in trees if t.data == "identifier"]
    if len(names) not in (1, 2) or len(trees) != len(names) + 1:
        raise Unsupported("a for intro")
    return f"for {', '.join(names)} in {_value(trees[-1], True)} : "


def _for_cond(node: Tree[Token] | None) -> str:
    if node is None:
        return ""
    [condition] = _trees(node)
    return f" if {_value(condition, True)}"


def _for_parts(
    node: Tree[Token], count: int, what: str
) -> tuple[Tree[Token], list[Tree[Token]], Tree[Token] | None]:
    """A for expression's intro, its ``count`` result expressions and its condition (if any)."""
    trees = _trees(node)
    cond = next((t for t in trees if t.data == "for_cond"), None)
    exprs = [t for t in trees[1:] if t.data != "for_cond"]
    if trees[0].data != "for_intro" or len(exprs) != count:
        raise Unsupported(what)
    return trees[0], exprs, cond


def _for_tuple(node: Tree[Token]) -> str:
    intro, exprs, cond = _for_parts(node, 1, "a for tuple")
    return f"[{_for_intro(intro)}{_value(exprs[0], True)}{_for_cond(cond)}]"


def _for_object(node: Tree[Token]) -> str:
    intro, exprs, cond = _for_parts(node, 2, "a for object")
    grouped = "..." if any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children) else ""
    key, value = (_value(e, True) for e in exprs)
    return f"{{{_for_intro(intro)}{key} => {value}{grouped}{_for_cond(cond)}}}"


_OPERATIONS = {
    "conditional": _conditional,
    "binary_op": _binary_op,
    "unary_op": _unary_op,
    "function_call": _function_call,
    "index_expr_term": _traversal,
    "get_attr_expr_term": _traversal,
    "attr_splat_expr_term": _traversal,
    "full_splat_expr_term": _traversal,
    "for_tuple_expr": _for_tuple,
    "for_object_expr": _for_object,
}
