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

    def judge(self, env: dict[str, Any], bounds: dict[str, tuple[float, float]]) -> bool | None:
        """True/False when the condition holds/fails for every value inside each name's
        interval (`bounds`, name -> (low, high); names without one are exact), None when the
        intervals straddle the answer (too close to call). MissingValue as `evaluate`."""
        return _judge(self.tree, env, bounds)

    def thresholds(self) -> list[tuple[str, str, float]]:
        """(name, operator, number) for every comparison of one name with a constant
        (`share > 0.5`, `0.5 < share`, `share > 2/3`), written name-first."""
        out = []
        for comp in self.tree.find_data("comparison"):
            kids = comp.children
            for left, op, right in zip(kids[0::2], kids[1::2], kids[2::2], strict=False):
                for a, b, flip in ((left, right, False), (right, left, True)):
                    name, number = _bare_name(a), _constant(b)
                    if name is not None and number is not None:
                        out.append((name, _FLIP[str(op)] if flip else str(op), number))
        return out


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


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
Interval = tuple[float, float]


def _bare_name(node: Any) -> str | None:
    """The name a node is, once wrappers of one child (`arith` of a single term) are removed."""
    while isinstance(node, lark.Tree) and node.data == "arith" and len(node.children) == 1:
        node = node.children[0]
    if isinstance(node, lark.Tree) and node.data == "name":
        return str(node.children[0])
    return None


def _constant(node: Any) -> float | None:
    """The number a name-free arithmetic node stands for (`2/3`, `50%`), else None."""
    if not isinstance(node, lark.Tree):
        return None
    if list(node.scan_values(lambda t: isinstance(t, lark.Token) and t.type == "NAME")):
        return None
    try:
        return float(_eval(node, {}))
    except (MissingValue, ConditionError, ArithmeticError):
        return None


def _span(node: lark.Tree, env: dict[str, Any], bounds: dict[str, Interval]) -> Interval:
    """Interval arithmetic over an arithmetic node: the range of values it can take."""
    kind, kids = node.data, node.children
    if kind == "number":
        x = _number(str(kids[0]))
        return x, x
    if kind == "name":
        name = str(kids[0])
        x = _value(env, name)
        lo, hi = bounds.get(name, (x, x))
        return min(lo, x), max(hi, x)
    if kind == "neg":
        lo, hi = _span(kids[0], env, bounds)
        return -hi, -lo
    if kind == "arith":
        acc = _span(kids[0], env, bounds)
        for op, rhs in zip(kids[1::2], kids[2::2], strict=True):
            acc = _combine(str(op), acc, _span(rhs, env, bounds), node)
        return acc
    raise ConditionError(f"unknown node {kind}")


def _combine(op: str, a: Interval, b: Interval, node: lark.Tree) -> Interval:
    if op == "+":
        return a[0] + b[0], a[1] + b[1]
    if op == "-":
        return a[0] - b[1], a[1] - b[0]
    if op == "/":
        if b == (0.0, 0.0):
            raise MissingValue(f"division by zero in {node}")
        if b[0] <= 0 <= b[1]:
            return -math.inf, math.inf
        b = (1 / b[1], 1 / b[0])
    products = [x * y for x in a for y in b]
    return min(products), max(products)


def _compare(op: str, a: Interval, b: Interval) -> bool | None:
    """Three-valued comparison of two intervals: decided only when every pair agrees."""
    if op in (">", ">="):
        op, a, b = {">": "<", ">=": "<="}[op], b, a
    if op == "<":
        return True if a[1] < b[0] else False if a[0] >= b[1] else None
    if op == "<=":
        return True if a[1] <= b[0] else False if a[0] > b[1] else None
    equal: bool | None = None
    if a[0] == a[1] == b[0] == b[1]:
        equal = True
    elif a[1] < b[0] or b[1] < a[0]:
        equal = False
    if op == "==":
        return equal
    return None if equal is None else not equal


def _judge(node: lark.Tree, env: dict[str, Any], bounds: dict[str, Interval]) -> bool | None:
    """Kleene three-valued logic over the condition tree (None = undecided)."""
    kind, kids = node.data, node.children
    if kind == "comparison":
        left, out = _span(kids[0], env, bounds), True
        for op, rhs in zip(kids[1::2], kids[2::2], strict=True):
            right = _span(rhs, env, bounds)
            got = _compare(str(op), left, right)
            if got is False:
                return False
            if got is None:
                out = None  # type: ignore[assignment]
            left = right
        return out
    if kind in ("any_of", "all_of"):
        decisive = kind == "any_of"  # True decides any_of, False decides all_of
        undecided = False
        for k in kids:  # left to right, stopping as `evaluate` does
            got = _judge(k, env, bounds)
            if got is decisive:
                return decisive
            undecided |= got is None
        return None if undecided else not decisive
    if kind == "negate":
        got = _judge(kids[0], env, bounds)
        return None if got is None else not got
    raise ConditionError(f"unknown node {kind}")
