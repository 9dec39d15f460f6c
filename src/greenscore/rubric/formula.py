"""Safe, vectorised formulas for rubrics: a whitelisted subset of Python expressions, never eval'd.

Text is parsed with ``ast.parse``, checked against the whitelist and compiled once into the numpy
closures of formula_eval; values are float64 arrays, booleans are 1.0/0.0, NaN means missing or
invalid, and logic is Kleene three-valued.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

import numpy as np
import numpy.typing as npt

from greenscore.rubric.formula_eval import (
    ARITHMETIC,
    BUILDERS,
    COMPARISONS,
    Env,
    Fn,
    FormulaError,
    Node,
    compare_values,
    constant_node,
    evaluator,
    fold,
    kleene_and,
    kleene_or,
    load_name,
    select,
    to_finite,
    truth_value,
)

__all__ = ["FUNCTIONS", "Env", "Formula", "FormulaError", "FormulaExtension", "parse_formula"]

_MAX_ARGS = 100
_MAX_DEPTH = 200

FUNCTIONS: Mapping[str, int | tuple[int, int]] = MappingProxyType(
    {
        "abs": 1,
        "clip": 3,
        "coalesce": 2,
        "exp": 1,
        "isnull": 1,
        "log": 1,
        "log10": 1,
        "max": (2, _MAX_ARGS),
        "min": (2, _MAX_ARGS),
        "reported": (1, _MAX_ARGS),
        "sqrt": 1,
        "where": 3,
    }
)


class FormulaExtension(Protocol):
    """Extra functions of a formula dialect (the track-record rules of rubric/track_formula.py):
    their arities, how a call compiles, and how a name is read."""

    functions: Mapping[str, int | tuple[int, int]]

    def call(self, compiler: Any, name: str, node: ast.Call) -> Node: ...

    def name(self, compiler: Any, name: str, fn: Fn) -> Fn: ...


_FAULT_WORDS = {
    "divide by zero": "divides by zero",
    "overflow": "overflows",
    "invalid value": "has no defined value (such as 0/0, or the root of a negative number)",
}


@dataclass(frozen=True)
class Formula:
    """A parsed formula: call it with a mapping of name -> array to get a float64 array.

    `valued` holds the names whose values it reads; a name only inside reported() is only counted."""

    source: str
    names: frozenset[str]
    _evaluate: Fn = field(repr=False, compare=False)
    _boolean: bool = field(default=False, repr=False, compare=False)
    valued: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __call__(self, env: Env) -> npt.NDArray[np.float64]:
        """Evaluate elementwise over the broadcast inputs; invalid results are NaN, never errors."""
        with np.errstate(all="ignore"):
            result: npt.NDArray[np.float64] = self._evaluate(env)
        return result

    def faults(self, env: Env) -> tuple[str, ...]:
        """The floating-point faults evaluating raises, worded ("divides by zero", "overflows");
        an invalid operation only when nothing else caused it (inf * 0 follows an overflow)."""
        seen: set[str] = set()

        def note(kind: str, flag: int) -> None:
            seen.add(kind)

        with np.errstate(all="call", under="ignore", call=note):
            self._evaluate(env)
        causes = tuple(words for kind, words in _FAULT_WORDS.items() if kind in seen)
        return causes[:-1] if len(causes) > 1 and "invalid value" in seen else causes

    def is_boolean(self) -> bool:
        """True when the top node is a comparison, and/or/not, True/False or isnull()."""
        return self._boolean

    def __reduce__(self) -> tuple[Callable[[str], Formula], tuple[str]]:
        return _reparse, (self.source,)


def _reparse(source: str) -> Formula:
    """Rebuild a pickled formula; it parsed once, so the size limits are not applied again."""
    return parse_formula(source, max_length=len(source), max_nodes=sys.maxsize)


def parse_formula(
    text: str,
    *,
    max_length: int = 2000,
    max_nodes: int = 500,
    extension: FormulaExtension | None = None,
) -> Formula:
    """Parse and compile formula text; raise FormulaError for anything outside the whitelist
    (and the extension's functions, when a dialect adds some)."""
    if not isinstance(text, str):
        raise TypeError(f"a formula must be a string, got {type(text).__name__}")
    if len(text) > max_length:
        raise FormulaError(
            f"formula is too long ({len(text)} characters; limit {max_length})", max_length + 1
        )
    if "\0" in text:
        raise FormulaError("formula contains a NUL character", text.index("\0") + 1)
    body = text.lstrip()
    lead = len(text) - len(body)
    if not body.strip():
        raise FormulaError("formula is empty", 1)
    compiler = _Compiler(body, lead, extension)
    tree = compiler.parse()
    compiler.check_size(tree, max_nodes)
    with np.errstate(all="ignore"):
        node = compiler.compile(tree.body)
    return Formula(
        text,
        frozenset(compiler.names),
        evaluator(node),
        _is_boolean(tree.body),
        frozenset(compiler.valued),
    )


def _is_boolean(node: ast.expr) -> bool:
    """Whether the top node always yields a truth value (what veto conditions must be)."""
    if isinstance(node, ast.Compare | ast.BoolOp):
        return True
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id == "isnull"
    return False


_BAD_OPERATORS: dict[type[ast.AST], str] = {
    ast.BitAnd: "operator '&' is not allowed; use 'and'",
    ast.BitOr: "operator '|' is not allowed; use 'or'",
    ast.BitXor: "operator '^' is not allowed; use '**' for powers",
    ast.LShift: "operator '<<' is not allowed",
    ast.RShift: "operator '>>' is not allowed",
    ast.MatMult: "operator '@' is not allowed",
    ast.Invert: "operator '~' is not allowed; use 'not'",
    ast.Is: "operator 'is' is not allowed; use '=='",
    ast.IsNot: "operator 'is not' is not allowed; use '!='",
    ast.In: "operator 'in' is not allowed",
    ast.NotIn: "operator 'not in' is not allowed",
}

_BAD_NODES: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "subscripts (indexing) are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Starred: "starred arguments (*) are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}

_TOKENS = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Compiler:
    """Turn a whitelisted expression AST into a tree of numpy closures, collecting names."""

    def __init__(self, text: str, lead: int, extension: FormulaExtension | None = None) -> None:
        self.extension = extension
        self.functions = {**FUNCTIONS, **(extension.functions if extension else {})}
        self.text = text
        self.lead = lead
        self.lines = _LINE_BREAK.split(text)
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        self.names: set[str] = set()
        self.valued: set[str] = set()
        self.counting = 0

    def offset(self, lineno: int, col_offset: int) -> int:
        i = min(max(lineno - 1, 0), len(self.lines) - 1)
        prefix = self.lines[i].encode()[:col_offset].decode("utf-8", "ignore")
        return self.starts[i] + len(prefix)

    def column(self, node: ast.AST) -> int:
        offset = self.offset(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))
        return self.lead + offset + 1

    def error(self, message: str, node: ast.AST) -> FormulaError:
        return FormulaError(message, self.column(node))

    def operator_error(self, op: ast.AST, left: ast.expr, right: ast.expr) -> FormulaError:
        start = self.offset(left.end_lineno or left.lineno, left.end_col_offset or 0)
        stop = self.offset(right.lineno, right.col_offset)
        position = next(
            (
                i
                for i in range(start, stop)
                if not self.text[i].isspace() and self.text[i] not in "()\\"
            ),
            start,
        )
        return FormulaError(_BAD_OPERATORS[type(op)], self.lead + position + 1)

    def parse(self) -> ast.Expression:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            raise self.syntax_error(exc) from None
        except (RecursionError, MemoryError):
            raise FormulaError("formula is nested too deeply", 1) from None
        except ValueError as exc:
            raise FormulaError(str(exc), 1) from None

    def syntax_error(self, exc: SyntaxError) -> FormulaError:
        end = self.lead + len(self.text) + 1
        if not exc.offset or exc.offset < 1:
            return FormulaError(f"{exc.msg} at the end of the formula", end)
        i = min(max((exc.lineno or 1) - 1, 0), len(self.lines) - 1)
        message = exc.msg
        if exc.offset > len(self.lines[i]) and "".join(self.lines[i + 1 :]).strip():
            message += " (a line break is allowed only inside parentheses)"
        return FormulaError(message, min(self.lead + self.starts[i] + exc.offset, end))

    def check_size(self, tree: ast.Expression, max_nodes: int) -> None:
        count = 0
        stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, _TOKENS):
                continue
            if depth > _MAX_DEPTH:
                raise self.error(f"formula is nested too deeply (limit {_MAX_DEPTH} levels)", node)
            count += 1
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
        if count > max_nodes:
            raise FormulaError(f"formula is too complex ({count} nodes; limit {max_nodes})", 1)

    def compile(self, node: ast.AST) -> Node:
        method = self.dispatch.get(type(node))
        if method is None:
            message = _BAD_NODES.get(type(node), f"{type(node).__name__} is not allowed")
            raise self.error(message, node)
        return method(self, node)

    def truth(self, node: ast.AST) -> Node:
        compiled = self.compile(node)
        if compiled.boolean:
            return compiled
        f = compiled.fn

        def fn(env: Env) -> Any:
            return truth_value(f(env))

        return fold(fn, compiled, boolean=True)

    def constant(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool):
            return constant_node(float(value), boolean=True)
        if isinstance(value, int | float):
            try:
                number = float(value)
            except OverflowError:
                number = np.nan
            return constant_node(number if np.isfinite(number) else np.nan)
        kinds = {str: "strings are", bytes: "bytes are", complex: "complex numbers are"}
        what = kinds.get(type(value), f"{value!r} is")
        raise self.error(f"{what} not allowed", node)

    def name(self, node: ast.Name) -> Node:
        name = node.id
        if name in self.functions:
            raise self.error(f"{name!r} is a function; call it as {name}(...)", node)
        if name.startswith("_"):
            raise self.error(f"names may not start with '_': {name!r}", node)
        written = self.lines[node.lineno - 1].encode()[node.col_offset : node.end_col_offset]
        if written.decode("utf-8", "ignore") != name:
            raise self.error(
                f"name {written.decode('utf-8', 'ignore')!r} would be read as {name!r} "
                f"(Unicode NFKC normalisation); write {name!r} instead",
                node,
            )
        self.names.add(name)
        if not self.counting:
            self.valued.add(name)
        fn = load_name(name, self.column(node))
        return Node(fn if self.extension is None else self.extension.name(self, name, fn))

    def binop(self, node: ast.BinOp) -> Node:
        ufunc = ARITHMETIC.get(type(node.op))
        if ufunc is None:
            raise self.operator_error(node.op, node.left, node.right)
        left, right = self.compile(node.left), self.compile(node.right)
        fa, fb = left.fn, right.fn

        def fn(env: Env) -> Any:
            return to_finite(ufunc(fa(env), fb(env)))

        return fold(fn, left, right)

    def unaryop(self, node: ast.UnaryOp) -> Node:
        if isinstance(node.op, ast.Not):
            operand = self.truth(node.operand)
            f = operand.fn

            def negate(env: Env) -> Any:
                return 1.0 - f(env)

            return fold(negate, operand, boolean=True)
        if isinstance(node.op, ast.UAdd):
            return self.compile(node.operand)
        if isinstance(node.op, ast.USub):
            operand = self.compile(node.operand)
            g = operand.fn

            def minus(env: Env) -> Any:
                return np.negative(g(env))

            return fold(minus, operand)
        raise self.error(_BAD_OPERATORS[type(node.op)], node)

    def boolop(self, node: ast.BoolOp) -> Node:
        parts = [self.truth(value) for value in node.values]
        combine = kleene_and if isinstance(node.op, ast.And) else kleene_or
        first, *rest = (p.fn for p in parts)

        def fn(env: Env) -> Any:
            r = first(env)
            for f in rest:
                r = combine(r, f(env))
            return r

        return fold(fn, *parts, boolean=True)

    def compare(self, node: ast.Compare) -> Node:
        operands = [node.left, *node.comparators]
        ufuncs = []
        for op, (left, right) in zip(node.ops, pairwise(operands), strict=True):
            ufunc = COMPARISONS.get(type(op))
            if ufunc is None:
                raise self.operator_error(op, left, right)
            ufuncs.append(ufunc)
        compiled = [self.compile(operand) for operand in operands]
        fns = [c.fn for c in compiled]
        masks = [c.const is None or bool(np.isnan(c.const)) for c in compiled]
        if len(ufuncs) == 1:
            ufunc, (fa, fb), (ma, mb) = ufuncs[0], fns, masks

            def single(env: Env) -> Any:
                return compare_values(ufunc, fa(env), fb(env), ma, mb)

            return fold(single, *compiled, boolean=True)

        def chain(env: Env) -> Any:
            values = [f(env) for f in fns]
            r = compare_values(ufuncs[0], values[0], values[1], masks[0], masks[1])
            for i in range(1, len(ufuncs)):
                c = compare_values(ufuncs[i], values[i], values[i + 1], masks[i], masks[i + 1])
                r = kleene_and(r, c)
            return r

        return fold(chain, *compiled, boolean=True)

    def ifexp(self, node: ast.IfExp) -> Node:
        test, body, orelse = (self.compile(n) for n in (node.test, node.body, node.orelse))
        fc, fa, fb = test.fn, body.fn, orelse.fn

        def fn(env: Env) -> Any:
            return select(fc(env), fa(env), fb(env))

        return fold(fn, test, body, orelse, boolean=body.boolean and orelse.boolean)

    def call(self, node: ast.Call) -> Node:
        allowed = ", ".join(sorted(self.functions))
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise self.error("attribute access is not allowed", node.func)
            raise self.error(f"only these functions can be called: {allowed}", node.func)
        name = node.func.id
        arity = self.functions.get(name)
        if arity is None:
            raise self.error(f"function {name!r} is not allowed; allowed: {allowed}", node.func)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.error("keyword argument unpacking (**) is not allowed", keyword)
            raise self.error(f"keyword arguments are not allowed ({keyword.arg}=...)", keyword)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("starred arguments (*) are not allowed", arg)
        low, high = arity if isinstance(arity, tuple) else (arity, arity)
        if not low <= len(node.args) <= high:
            expected = str(low) if low == high else f"{low} to {high}"
            raise self.error(
                f"{name}() takes {expected} argument{'s' if high != 1 else ''}, "
                f"got {len(node.args)}",
                node,
            )
        if self.extension is not None and name in self.extension.functions:
            return self.extension.call(self, name, node)
        counting = name == "reported"
        self.counting += counting
        try:
            args = [self.compile(arg) for arg in node.args]
        finally:
            self.counting -= counting
        return BUILDERS[name](args)

    dispatch: ClassVar[Mapping[type[ast.AST], Callable[[Any, Any], Node]]] = MappingProxyType(
        {
            ast.Constant: constant,
            ast.Name: name,
            ast.BinOp: binop,
            ast.UnaryOp: unaryop,
            ast.BoolOp: boolop,
            ast.Compare: compare,
            ast.IfExp: ifexp,
            ast.Call: call,
        }
    )
