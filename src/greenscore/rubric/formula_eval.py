"""The numpy side of formulas: each compiled subexpression is a closure over float64 arrays.

Booleans are 1.0/0.0, NaN means missing or invalid, ±inf becomes NaN, logic is Kleene
three-valued, and an expression whose operands are all constants is folded once at parse time.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt

from greenscore.errors import GreenscoreError

__all__ = [
    "ARITHMETIC",
    "BUILDERS",
    "COMPARISONS",
    "Env",
    "Fn",
    "FormulaError",
    "Node",
    "compare_values",
    "constant_node",
    "evaluator",
    "fold",
    "kleene_and",
    "kleene_or",
    "load_name",
    "select",
    "to_finite",
    "truth_value",
]

Env: TypeAlias = Mapping[str, npt.ArrayLike]
Fn: TypeAlias = Callable[[Env], Any]


class FormulaError(GreenscoreError, ValueError):
    """Bad formula text (or an unknown name at evaluation), with a 1-based column into the text."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message, column)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (column {self.column})"


class Node(NamedTuple):
    """A compiled subexpression; boolean: values are 0/1/NaN; const: the value once folded."""

    fn: Fn
    boolean: bool = False
    const: Any = None


_NO_ENV: Env = MappingProxyType({})


def evaluator(node: Node) -> Fn:
    """The evaluator handed to Formula: always a fresh float64 array the caller may modify."""
    if node.const is not None:
        value = node.const

        def constant(env: Env) -> Any:
            return value.copy()

        return constant
    fn = node.fn

    def evaluate(env: Env) -> Any:
        return np.asarray(fn(env), dtype=np.float64)

    return evaluate


def constant_node(value: Any, boolean: bool = False) -> Node:
    array = np.asarray(value, dtype=np.float64)
    array.flags.writeable = False
    return Node(lambda env: array, boolean, array)


def fold(fn: Fn, *children: Node, boolean: bool = False) -> Node:
    """Evaluate once at parse time when every operand is constant."""
    if all(child.const is not None for child in children):
        return constant_node(fn(_NO_ENV), boolean)
    return Node(fn, boolean)


def to_finite(r: Any) -> Any:
    """Turn ±inf into NaN and keep finite values bit-exact (inf * 0 is NaN, x + ±0 is x)."""
    return r + r * 0.0


def truth_value(x: Any) -> Any:
    """Truth value: 1 for nonzero, 0 for zero, NaN stays NaN."""
    return (x != 0.0) + x * 0.0


def kleene_and(a: Any, b: Any) -> Any:
    """Kleene AND of truth values: false wins over unknown."""
    return np.where(np.fmin(a, b) == 0.0, 0.0, a * b)


def kleene_or(a: Any, b: Any) -> Any:
    """Kleene OR of truth values: true wins over unknown."""
    return np.where(np.fmax(a, b) == 1.0, 1.0, a + b)


def select(c: Any, a: Any, b: Any) -> Any:
    """Elementwise `a if c else b`, NaN where the condition is NaN."""
    return np.where(c != 0.0, a, b) + c * 0.0


def compare_values(ufunc: Any, x: Any, y: Any, mask_x: bool, mask_y: bool) -> Any:
    """Comparison as 1.0/0.0, NaN where a possibly-NaN operand (mask_*) is NaN."""
    r = ufunc(x, y)
    if mask_x:
        r = r + x * 0.0
    if mask_y:
        r = r + y * 0.0
    return r if mask_x or mask_y else r * 1.0


ARITHMETIC: dict[type[ast.operator], Any] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.FloorDiv: np.floor_divide,
    ast.Mod: np.remainder,
    ast.Pow: np.power,
}

COMPARISONS: dict[type[ast.cmpop], Any] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


def _unary_function(ufunc: Any, finite: bool) -> Callable[[list[Node]], Node]:
    def build(args: list[Node]) -> Node:
        f = args[0].fn
        if finite:

            def fn(env: Env) -> Any:
                return to_finite(ufunc(f(env)))
        else:

            def fn(env: Env) -> Any:
                return ufunc(f(env))

        return fold(fn, *args)

    return build


def _reduce_function(ufunc: Any) -> Callable[[list[Node]], Node]:
    def build(args: list[Node]) -> Node:
        first, *rest = (a.fn for a in args)

        def fn(env: Env) -> Any:
            r = first(env)
            for f in rest:
                r = ufunc(r, f(env))
            return r

        return fold(fn, *args, boolean=all(a.boolean for a in args))

    return build


def _build_clip(args: list[Node]) -> Node:
    fx, flo, fhi = (a.fn for a in args)

    def fn(env: Env) -> Any:
        return np.minimum(np.maximum(fx(env), flo(env)), fhi(env))

    return fold(fn, *args)


def _build_where(args: list[Node]) -> Node:
    fc, fa, fb = (a.fn for a in args)

    def fn(env: Env) -> Any:
        return select(fc(env), fa(env), fb(env))

    return fold(fn, *args, boolean=args[1].boolean and args[2].boolean)


def _build_isnull(args: list[Node]) -> Node:
    f = args[0].fn

    def fn(env: Env) -> Any:
        return np.isnan(f(env)) * 1.0

    return fold(fn, *args, boolean=True)


def _build_coalesce(args: list[Node]) -> Node:
    fx, fd = (a.fn for a in args)

    def fn(env: Env) -> Any:
        x = fx(env)
        return np.where(np.isnan(x), fd(env), x)

    return fold(fn, *args, boolean=args[0].boolean and args[1].boolean)


def _build_reported(args: list[Node]) -> Node:
    fns = [a.fn for a in args]

    def fn(env: Env) -> Any:
        count: Any = 0.0
        for f in fns:
            count = count + ~np.isnan(f(env))
        return np.asarray(count, dtype=np.float64)

    return fold(fn, *args)


BUILDERS: dict[str, Callable[[list[Node]], Node]] = {
    "abs": _unary_function(np.abs, finite=False),
    "sqrt": _unary_function(np.sqrt, finite=False),
    "log": _unary_function(np.log, finite=True),
    "log10": _unary_function(np.log10, finite=True),
    "exp": _unary_function(np.exp, finite=True),
    "min": _reduce_function(np.minimum),
    "max": _reduce_function(np.maximum),
    "clip": _build_clip,
    "where": _build_where,
    "isnull": _build_isnull,
    "coalesce": _build_coalesce,
    "reported": _build_reported,
}


def load_name(name: str, column: int) -> Fn:
    """Read a variable as float64, with ±inf treated as missing."""

    def fn(env: Env) -> Any:
        try:
            value = env[name]
        except KeyError:
            raise FormulaError(f"unknown name {name!r}", column) from None
        try:
            x = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"value of {name!r} is not numeric: {exc}") from exc
        return to_finite(x)

    return fn
