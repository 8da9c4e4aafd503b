"""The condition language of claim tests, parsed by a lark grammar and evaluated over an
explicit environment of named numbers (never `eval`): `share > 0.5`, `rank <= 3`, `a > b`,
`hhi < other.hhi`, `count >= 3 and not (x == 0)`."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any

import lark

MAX_LENGTH = 500  # conditions are one line; anything longer is rejected before parsing
MAX_PARENS = 20  # parentheses inside parentheses, checked on the text before parsing
MAX_DEPTH = 100  # levels of the parsed tree (chains of `not` or unary minus), checked after

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr ("or" and_expr)*        -> any_of
?and_expr: not_expr ("and" not_expr)*     -> all_of
?not_expr: "not" not_expr                 -> negate
         | atom
?atom: comparison
     | "(" or_expr ")"
comparison: sum (COMP sum)+
?sum: product (ADD product)*               -> arith
?product: unary (MUL unary)*               -> arith
?unary: "-" unary                          -> neg
      | NUMBER                             -> number
      | NAME                               -> name
      | "(" sum ")"
COMP: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADD: "+" | "-"
MUL: "*" | "/"
NAME: /(?!(and|or|not)\b)[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/
NUMBER: /\d+(\.\d+)?([eE][+-]?\d+)?%?/
%import common.WS
%ignore WS
"""

_PARSER = lark.Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)
_COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


class ConditionError(ValueError):
    """A condition that does not parse (one line: where and what)."""


class MissingValue(LookupError):
    """A name the environment has no number for (the data cannot decide the condition)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its text, its tree and the names it reads."""

    text: str
    tree: lark.Tree

    @property
    def names(self) -> list[str]:
        """The names the condition reads, in order of first use."""
        seen: dict[str, None] = {}
        for tok in self.tree.scan_values(lambda t: isinstance(t, lark.Token) and t.type == "NAME"):
            seen.setdefault(str(tok))
        return list(seen)

    def evaluate(self, env: dict[str, Any]) -> bool:
        """True/False over `env` (name -> number); MissingValue when a name has no number."""
        return bool(_eval(self.tree, env))


def parse(text: object) -> Condition:
    """Parse a condition; ConditionError (one line) when it is not in the language (any value is
    accepted, as a claim file's YAML may hold anything there)."""
    if not isinstance(text, str):
        raise ConditionError(f"condition must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ConditionError("empty condition")
    if _nesting(text) > MAX_PARENS:
        raise ConditionError(f"condition has parentheses nested deeper than {MAX_PARENS}")
    try:
        tree = _PARSER.parse(text)
    except lark.exceptions.UnexpectedInput as exc:
        col = getattr(exc, "column", "?")
        raise ConditionError(
            f"cannot parse condition {text!r} at column {col}: expected a comparison such as "
            "'share > 0.5' joined by and/or/not"
        ) from None
    except lark.exceptions.LarkError as exc:
        raise ConditionError(f"cannot parse condition {text!r}: {type(exc).__name__}") from None
    except RecursionError:  # last resort: the caps above should stop any nesting first
        raise ConditionError("condition nested too deeply to parse") from None
    if _depth(tree) > MAX_DEPTH:
        raise ConditionError(f"condition nested deeper than {MAX_DEPTH} levels")
    if tree.data not in ("comparison", "any_of", "all_of", "negate"):
        raise ConditionError(f"condition {text!r} is a value, not a comparison")
    return Condition(text=text, tree=tree)


def _nesting(text: str) -> int:
    """The deepest parenthesis nesting of the text (unbalanced ones are the parser's to name)."""
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    return deepest


def _depth(tree: lark.Tree) -> int:
    """Levels of the tree, walked without recursion (evaluation recurses once a level)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((k, level + 1) for k in node.children if isinstance(k, lark.Tree))
    return deepest


def _number(tok: str) -> float:
    if tok.endswith("%"):
        return float(tok[:-1]) / 100.0
    return float(tok)


def _value(env: dict[str, Any], name: str) -> float:
    v = env.get(name)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        raise MissingValue(name)
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise MissingValue(name)
    return float(v)


def _eval(node: lark.Tree | lark.Token, env: dict[str, Any]) -> Any:
    """A small tree walker: booleans for logic nodes, floats for arithmetic nodes."""
    if isinstance(node, lark.Token):
        raise ConditionError(f"unexpected token {node!r}")
    kind, kids = node.data, node.children
    if kind == "number":
        return _number(str(kids[0]))
    if kind == "name":
        return _value(env, str(kids[0]))
    if kind == "neg":
        return -_eval(kids[0], env)
    if kind == "arith":
        acc = _eval(kids[0], env)
        for op, rhs in zip(kids[1::2], kids[2::2], strict=True):
            r = _eval(rhs, env)
            if str(op) == "/" and r == 0:
                raise MissingValue(f"division by zero in {node}")
            acc = _ARITH[str(op)](acc, r)
        return acc
    if kind == "comparison":
        left = _eval(kids[0], env)
        for op, rhs in zip(kids[1::2], kids[2::2], strict=True):
            right = _eval(rhs, env)
            if not _COMPARE[str(op)](left, right):
                return False
            left = right
        return True
    if kind == "any_of":
        return any(_eval(k, env) for k in kids)
    if kind == "all_of":
        return all(_eval(k, env) for k in kids)
    if kind == "negate":
        return not _eval(kids[0], env)
    raise ConditionError(f"unknown node {kind}")
