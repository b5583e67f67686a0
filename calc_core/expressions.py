"""The one safe door for typed formulas: read, check, build and compile them.

A formula typed by a learner is untrusted text. It is never handed to ``sympify``,
``parse_expr``, ``eval`` or ``exec``. Instead the text goes through four steps:

1. **Normalise** friendly Unicode (``−  ×  ·  ÷  π  √  x²  x⁻¹``) and check every character.
2. **Tokenize** with Python's :mod:`tokenize` and insert ``*`` where a learner means a product
   (``2x``, ``2(x+1)``, ``(x+1)(x-1)``, ``3sin(x)``, ``2pi``).
3. **Parse** with :mod:`ast` and walk the tree against an allowlist of numbers, variables,
   constants, ``+ - * / **`` and a few functions, within the budgets in :data:`LIMITS`.
4. **Build** the SymPy tree bottom-up, evaluating every constant sub-expression first with
   plain floats, so that ``9**9**9`` or ``exp(exp(exp(10*E)))`` is refused before SymPy
   does any work on it.

Every failure is an :class:`ExpressionError` whose message is one sentence for the learner.

Decisions:
    * Decimal literals become exact rationals (``0.5`` is ``1/2``), so that answers can be
      compared symbolically.
    * ``2e`` is two times Euler's number, but ``2e3`` and ``1e-3`` are scientific notation.
    * A constant exponent is at most :attr:`FormulaLimits.max_exponent` in size; an exponent
      that contains a variable (``x**x``, ``2**(1000*x)``) is allowed: it costs SymPy nothing,
      and where it overflows numerically the plot simply shows a gap.
    * SymPy evaluates some constants exactly (``b**(p/q)`` extracts roots, ``exp(r*log(n))``
      becomes ``n**r``), which can run for minutes on long numbers. The digits this can
      create are bounded (:attr:`FormulaLimits.max_exact_bits`), and ``exp`` of a constant
      containing ``log`` is kept unevaluated.
    * ``relu'(0)`` is taken as 0, as PyTorch does (``Heaviside(x, 0)``).
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import re
import tokenize
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LIMITS",
    "ExpressionError",
    "FormulaLimits",
    "compile_complex",
    "compile_expression",
    "compile_point",
    "describe_variables",
    "numpy_ready",
    "parse_expression",
    "relu",
    "sigmoid",
    "softplus",
    "symbol",
    "to_latex",
]


class ExpressionError(ValueError):
    """A typed formula that cannot be used; the message is one sentence for a learner."""


@dataclass(frozen=True)
class FormulaLimits:
    """Every budget a typed formula must fit in, in one place.

    Attributes:
        max_chars: characters of raw text, checked before anything else.
        max_depth: nesting depth of the syntax tree (a chain like ``a+b+c`` counts once).
        max_nodes: number of numbers, names, operations and calls.
        max_integer: largest integer literal, in absolute value.
        max_constant: largest value of a float literal or of any constant sub-expression.
        max_exponent: largest constant exponent, in absolute value.
        max_exact_bits: bits of the exact integers SymPy may create when raising to a power.
    """

    max_chars: int = 200
    max_depth: int = 25
    max_nodes: int = 100
    max_integer: int = 10**6
    max_constant: float = 1e15
    max_exponent: float = 100
    max_exact_bits: int = 10_000


LIMITS = FormulaLimits()
_EXAMPLE = "x**2 + 3*x + 5"


# --- activation functions -------------------------------------------------------------------


def _np_sigmoid(z: Any) -> Any:
    """Numerically stable logistic function; analytic formula for complex input."""
    z = np.asarray(z)
    if np.iscomplexobj(z):
        return 1.0 / (1.0 + np.exp(-z))
    t = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + t), t / (1.0 + t))


def _np_relu(z: Any) -> Any:
    z = np.asarray(z)
    if np.iscomplexobj(z):
        return np.where(z.real > 0, z, 0)
    return np.maximum(z, 0.0)


def _np_softplus(z: Any) -> Any:
    """Stable ``log(1 + exp(z))``; analytic formula for complex input."""
    z = np.asarray(z)
    if np.iscomplexobj(z):
        return np.log1p(np.exp(z))
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _power_latex(call: str, exp: str | None) -> str:
    """A function call's LaTeX, raised to `exp` when SymPy prints a power of it (σ(x)²)."""
    return call if exp is None else rf"\left({call}\right)^{{{exp}}}"


class sigmoid(sympy.Function):
    """The logistic sigmoid ``1 / (1 + exp(-x))``; its derivative is ``σ(x)(1 - σ(x))``.

    Example:
        >>> x = symbol("x")
        >>> sympy.diff(sigmoid(x), x)
        (1 - sigmoid(x))*sigmoid(x)
    """

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Expr | None:
        return sympy.Rational(1, 2) if arg.is_zero else None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg: sympy.Expr, **kwargs: Any) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-arg))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _power_latex(rf"\sigma\left({printer._print(self.args[0])}\right)", exp)


class relu(sympy.Function):
    """The rectifier ``max(x, 0)``; its derivative is ``Heaviside(x, 0)`` (0 at x = 0).

    Example:
        >>> relu(sympy.Integer(-3)), relu(sympy.Integer(2))
        (0, 2)
    """

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Expr | None:
        if arg.is_extended_nonnegative:
            return arg
        if arg.is_extended_nonpositive:
            return sympy.Integer(0)
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, arg: sympy.Expr, **kwargs: Any) -> sympy.Expr:
        return sympy.Max(arg, 0)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _power_latex(
            rf"\operatorname{{ReLU}}\left({printer._print(self.args[0])}\right)", exp
        )


class softplus(sympy.Function):
    """The smooth rectifier ``log(1 + exp(x))``; its derivative is ``sigmoid(x)``.

    Example:
        >>> softplus(sympy.Integer(0))
        log(2)
    """

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Expr | None:
        return sympy.log(2) if arg.is_zero else None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg: sympy.Expr, **kwargs: Any) -> sympy.Expr:
        return sympy.log(1 + sympy.exp(arg))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _power_latex(
            rf"\operatorname{{softplus}}\left({printer._print(self.args[0])}\right)", exp
        )


# --- names a formula may use ----------------------------------------------------------------


def _float_sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


# name -> (sympy builder, float evaluator used to bound constants)
_FUNCTIONS: dict[str, tuple[Callable[..., Any], Callable[[float], float]]] = {
    "sin": (sympy.sin, math.sin),
    "cos": (sympy.cos, math.cos),
    "tan": (sympy.tan, math.tan),
    "exp": (sympy.exp, math.exp),
    "log": (sympy.log, math.log),
    "ln": (sympy.log, math.log),
    "sqrt": (sympy.sqrt, math.sqrt),
    "abs": (sympy.Abs, abs),
    "sinh": (sympy.sinh, math.sinh),
    "cosh": (sympy.cosh, math.cosh),
    "tanh": (sympy.tanh, math.tanh),
    "asin": (sympy.asin, math.asin),
    "acos": (sympy.acos, math.acos),
    "atan": (sympy.atan, math.atan),
    "sigmoid": (sigmoid, _float_sigmoid),
    "relu": (relu, lambda v: max(v, 0.0)),
    "softplus": (softplus, lambda v: max(v, 0.0) + math.log1p(math.exp(-abs(v)))),
}
_CONSTANTS: dict[str, tuple[sympy.Expr, float]] = {
    "pi": (sympy.pi, math.pi),
    "e": (sympy.E, math.e),
    "E": (sympy.E, math.e),
}
_FUNCTION_LIST = ", ".join(_FUNCTIONS)


def symbol(name: str) -> sympy.Symbol:
    """Return the real SymPy symbol that formulas use for the variable ``name``.

    Every module makes its symbols here, so ``symbol("x")`` is the very ``x`` that
    :func:`parse_expression` puts in ``"x**2"``.

    Example:
        >>> parse_expression("x**2").has(symbol("x"))
        True
    """
    return sympy.Symbol(name, real=True)


def describe_variables(variables: Sequence[str]) -> str:
    """Join variable names for a sentence: ``"x"``, ``"x and y"``, ``"x, y and z"``.

    Example:
        >>> describe_variables(("x", "y", "z"))
        'x, y and z'
    """
    names = list(variables)
    if not names:
        return "none"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _variables_phrase(variables: Sequence[str]) -> str:
    if len(variables) == 1:
        return f"this page's variable is {variables[0]}"
    return f"this page's variables are {describe_variables(variables)}"


def _check_variables(variables: Sequence[str]) -> tuple[str, ...]:
    """Validate the page's variable names (a programming error, not a learner's)."""
    if isinstance(variables, str) or not isinstance(variables, Sequence):
        raise TypeError(
            f"variables must be a sequence of names such as ('x', 'y'), got {variables!r}"
        )
    names = tuple(variables)
    for name in names:
        if not isinstance(name, str) or not name.isascii() or not name.isidentifier():
            raise ValueError(f"variable name {name!r} is not a plain identifier such as 'x'")
        if name in _FUNCTIONS or name in _CONSTANTS or keyword.iskeyword(name):
            raise ValueError(f"variable name {name!r} is already a function or constant")
    if len(set(names)) != len(names):
        raise ValueError(f"variable names must be distinct, got {names!r}")
    return names


# --- step 1: normalise friendly Unicode and check characters ------------------------------------

_REPLACEMENTS = {
    "\u2212": "-",  # minus sign
    "\u2013": "-",  # en dash
    "\u00d7": "*",  # multiplication sign
    "\u00b7": "*",  # middle dot
    "\u22c5": "*",  # dot operator
    "\u2217": "*",  # asterisk operator
    "\u00f7": "/",  # division sign
    "\u03c0": " pi ",
    "\u221a": " sqrt",
    "\u00a0": " ",  # no-break space, common in pasted text
    "\t": " ",
    "\n": " ",
    "\r": " ",
}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_ALLOWED_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ .,+-*/^()"
)
_CHAR_HINTS = {
    "=": "Type only the formula itself: write x**2, not y = x**2.",
    "[": "Use round brackets ( ) for grouping.",
    "]": "Use round brackets ( ) for grouping.",
    "{": "Use round brackets ( ) for grouping.",
    "}": "Use round brackets ( ) for grouping.",
    "'": "Quotes are not part of a formula: type it without them.",
    '"': "Quotes are not part of a formula: type it without them.",
    "<": "Comparisons are not formulas: type an expression such as x**2 - 1.",
    ">": "Comparisons are not formulas: type an expression such as x**2 - 1.",
    "!": "Factorials are not supported: type a formula with + - * / ** and functions.",
}


def _normalise(text: str) -> str:
    """Replace friendly Unicode by plain operators and refuse any other character."""
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    text = _SUPERSCRIPT_RUN.sub(lambda m: "**(" + m.group().translate(_SUPERSCRIPTS) + ")", text)
    for char in text:
        if char in _ALLOWED_CHARS:
            continue
        if char in _CHAR_HINTS:
            raise ExpressionError(_CHAR_HINTS[char])
        if char.isprintable() and not char.isspace():
            raise ExpressionError(
                f"The character '{char}' is not understood: type formulas with plain keyboard "
                "letters, digits and + - * / ^ ( )."
            )
        raise ExpressionError(
            f"This formula contains an invisible character (U+{ord(char):04X}): retype it "
            "with plain keyboard characters."
        )
    return " ".join(text.replace("^", "**").split())


# --- step 2: tokens, with implicit multiplication made explicit -------------------------------


def _number_token(text: str) -> None:
    if text[-1] in "jJ":
        raise ExpressionError(f"Imaginary numbers such as {text} are not supported here.")
    if text[:2].lower() in ("0x", "0o", "0b") or "_" in text:
        raise ExpressionError(
            f"Write numbers with plain decimal digits: '{text}' is not understood."
        )


def _insert_products(text: str, variables: tuple[str, ...]) -> str:
    """Return ``text`` with ``*`` inserted where a product is meant, as ``2x`` -> ``2 * x``."""
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
        ]
    except (tokenize.TokenError, SyntaxError) as exc:
        raise ExpressionError(
            "This formula could not be read: check that every ( has a matching )."
        ) from exc
    out: list[str] = []
    prev: tokenize.TokenInfo | None = None
    for tok in tokens:
        if tok.type == tokenize.NAME and keyword.iskeyword(tok.string):
            raise ExpressionError(f"The word '{tok.string}' is not part of a formula.")
        if tok.type == tokenize.NUMBER:
            _number_token(tok.string)
        elif tok.type not in (tokenize.NAME, tokenize.OP):
            raise ExpressionError(f"This formula could not be read near '{tok.string}'.")
        if prev is not None and _is_juxtaposition(prev, tok, variables):
            out.append("*")
        out.append(tok.string)
        prev = tok
    return " ".join(out)


def _is_juxtaposition(
    prev: tokenize.TokenInfo, tok: tokenize.TokenInfo, variables: tuple[str, ...]
) -> bool:
    """Decide whether two neighbouring tokens mean a product; refuse ambiguous pairs."""
    p, t = prev.string, tok.string
    if prev.type == tokenize.NAME and p in _FUNCTIONS:
        if t == "(":
            return False
        if t == "**":
            raise ExpressionError(f"Write {p}(x)**2 for the square of {p}(x).")
        if tok.type in (tokenize.NAME, tokenize.NUMBER):
            raise ExpressionError(f"Write {p}({t}) with parentheses.")
        return False
    ends_factor = prev.type in (tokenize.NUMBER, tokenize.NAME) or p == ")"
    starts_factor = tok.type in (tokenize.NUMBER, tokenize.NAME) or t == "("
    if not (ends_factor and starts_factor):
        return False
    if tok.type == tokenize.NUMBER:
        if prev.type == tokenize.NUMBER:
            raise ExpressionError(
                f"Write {p}*{t} for a product: two numbers side by side are unclear."
            )
        after = "a bracket" if p == ")" else f"'{p}'"
        raise ExpressionError(
            f"A number right after {after} is unclear: write *{t} for a product "
            f"or **{t} for a power."
        )
    if prev.type == tokenize.NAME and t == "(":
        # Only a known variable or constant multiplies a bracket; anything else stays a call
        # so that the learner hears "unknown function".
        return p in variables or p in _CONSTANTS
    return True


# --- step 3: the syntax tree, within budget ---------------------------------------------------

_CHAIN = {ast.Add: "sum", ast.Sub: "sum", ast.Mult: "product", ast.Div: "product"}


def _check_size(tree: ast.Expression) -> None:
    """Refuse trees that are too deep or too large, without recursion."""
    nodes = 0
    stack: list[tuple[ast.AST, int, str | None]] = [(tree.body, 1, None)]
    while stack:
        node, depth, chain = stack.pop()
        nodes += 1
        if nodes > LIMITS.max_nodes:
            raise ExpressionError(
                f"This formula has too many parts; keep it under {LIMITS.max_nodes} "
                "numbers, names and operations."
            )
        if depth > LIMITS.max_depth:
            raise ExpressionError(
                f"This formula is nested too deeply; keep it under {LIMITS.max_depth} levels."
            )
        kind = _CHAIN.get(type(node.op)) if isinstance(node, ast.BinOp) else None
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                stack.append((child, depth if kind and kind == chain else depth + 1, kind))


# --- step 4: build the sympy tree, bounding constants -----------------------------------------


@dataclass(frozen=True)
class _Built:
    """A built sub-expression and, when it has no variable, its value as a float."""

    expr: sympy.Expr
    value: float | None


class _Builder:
    """Build a SymPy expression from an allowed syntax tree, bottom-up."""

    def __init__(self, variables: tuple[str, ...]) -> None:
        self.variables = variables

    def build(self, node: ast.AST) -> _Built:
        if isinstance(node, ast.Constant):
            return self._constant(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return inner
            return _Built(-inner.expr, None if inner.value is None else -inner.value)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise ExpressionError(_refusal(node))

    def _constant(self, value: object) -> _Built:
        if type(value) is int:
            if abs(value) > LIMITS.max_integer:
                raise ExpressionError(
                    f"The number {value} is too large; whole numbers can be at most "
                    f"{LIMITS.max_integer:,}."
                )
            return _Built(sympy.Integer(value), float(value))
        if type(value) is float:
            if not math.isfinite(value) or abs(value) > LIMITS.max_constant:
                raise ExpressionError(
                    f"A number in this formula is too large; numbers can be at most "
                    f"{LIMITS.max_constant:g}."
                )
            exact = Fraction(repr(value))
            return _Built(sympy.Rational(exact.numerator, exact.denominator), value)
        raise ExpressionError(_refusal(ast.Constant(value)))

    def _name(self, name: str) -> _Built:
        if name in self.variables:
            return _Built(symbol(name), None)
        if name in _CONSTANTS:
            expr, value = _CONSTANTS[name]
            return _Built(expr, value)
        if name in _FUNCTIONS:
            raise ExpressionError(f"Write {name}(x) with parentheses.")
        raise ExpressionError(_unknown_name(name, self.variables))

    def _binop(self, node: ast.BinOp) -> _Built:
        if isinstance(node.op, ast.FloorDiv):
            raise ExpressionError("Use / for division: '//' is not part of a formula.")
        if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
            raise ExpressionError(_refusal(node))
        left, right = self.build(node.left), self.build(node.right)
        if isinstance(node.op, ast.Div) and right.value == 0:
            raise ExpressionError("This formula divides by zero.")
        if isinstance(node.op, ast.Pow):
            return self._power(left, right)
        a, b = left.expr, right.expr
        expr = {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(type(node.op))
        if expr is None:
            expr = a / b
        value = None
        if left.value is not None and right.value is not None:
            x, y = left.value, right.value
            ops = {ast.Add: x + y, ast.Sub: x - y, ast.Mult: x * y}
            value = ops.get(type(node.op), x / y if y else math.inf)
        return _Built(expr, _bounded(value))

    def _power(self, base: _Built, exponent: _Built) -> _Built:
        if exponent.value is not None and abs(exponent.value) > LIMITS.max_exponent:
            raise ExpressionError(
                f"The exponent {_show(exponent)} is too large; exponents can be at most "
                f"{LIMITS.max_exponent:g}."
            )
        # SymPy computes b**p exactly, extracts q-th roots for b**(p/q), and pulls constant
        # terms out of a variable exponent (b**(x - 999999)): bound the digits that can make.
        growth = max(
            (max(abs(int(r.p)), int(r.q)) for r in exponent.expr.atoms(sympy.Rational)),
            default=1,
        )
        bits = sum(_bits(r) for r in base.expr.atoms(sympy.Rational))
        if bits * growth > LIMITS.max_exact_bits:
            raise ExpressionError(
                "The numbers in this power have too many digits; use smaller numbers."
            )
        value = None
        if base.value is not None and exponent.value is not None:
            what = f"({_show(base)})**({_show(exponent)})"
            value = _bounded(_float_or_refuse(math.pow, base.value, exponent.value, what))
        expr = sympy.Pow(base.expr, exponent.expr)
        # SymPy merges (x**100)**100 into x**10000: the budget applies to the merged exponent.
        if expr.is_Pow and expr.exp.is_Number and abs(expr.exp) > LIMITS.max_exponent:
            raise ExpressionError(
                f"The exponent {expr.exp} is too large; exponents can be at most "
                f"{LIMITS.max_exponent:g}."
            )
        return _Built(expr, value)

    def _call(self, node: ast.Call) -> _Built:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is None:
            raise ExpressionError("Only functions such as sin(x) can be called in a formula.")
        if name not in _FUNCTIONS:
            if name in self.variables or name in _CONSTANTS:
                raise ExpressionError(f"Write {name}*( ... ) for a product.")
            raise ExpressionError(
                f"Unknown function '{name}': the functions you can use are {_FUNCTION_LIST}."
            )
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"Write {name}(x) with a single argument.")
        if name == "log" and len(node.args) == 2:
            return self._log_base(node)
        if len(node.args) != 1:
            raise ExpressionError(f"Write {name}(x) with exactly one argument.")
        arg = self.build(node.args[0])
        if name == "sqrt":  # the same budget as x**(1/2)
            return self._power(arg, _Built(sympy.Rational(1, 2), 0.5))
        make, evaluate = _FUNCTIONS[name]
        value = None
        if arg.value is not None:
            value = _float_or_refuse(evaluate, arg.value, None, f"{name}({_show(arg)})")
        if name == "exp" and arg.value is not None and arg.expr.has(sympy.log):
            # SymPy rewrites exp(r*log(n)) as n**r and then extracts exact roots, which can
            # run for minutes when r has a long denominator; keep such a constant as it is.
            return _Built(sympy.exp(arg.expr, evaluate=False), _bounded(value))
        return _Built(make(arg.expr), _bounded(value))

    def _log_base(self, node: ast.Call) -> _Built:
        arg, base = self.build(node.args[0]), self.build(node.args[1])
        if base.value is None or base.value <= 0 or base.value == 1:
            raise ExpressionError("The base of log(x, b) must be a positive number other than 1.")
        value = None
        if arg.value is not None:
            value = _float_or_refuse(math.log, arg.value, base.value, f"log({_show(arg)})")
        return _Built(sympy.log(arg.expr, base.expr), _bounded(value))


def _bits(r: sympy.Rational) -> int:
    return int(r.p).bit_length() + int(r.q).bit_length()


def _show(built: _Built) -> str:
    text = sympy.sstr(built.expr)
    return text if len(text) <= 30 else f"{built.value:.3g}"


def _float_or_refuse(fn: Callable[..., float], a: float, b: float | None, what: str) -> float:
    """Evaluate a constant with floats; refuse overflow and values outside the reals."""
    try:
        value = fn(a) if b is None else fn(a, b)
    except OverflowError:
        value = math.inf
    except (ValueError, ZeroDivisionError) as exc:
        raise ExpressionError(
            f"The constant {what} is undefined or not a real number; "
            "use values inside the function's domain."
        ) from exc
    if isinstance(value, complex):
        raise ExpressionError(f"The constant {what} is not a real number.")
    return value


def _bounded(value: float | None) -> float | None:
    """Refuse a constant sub-expression whose size is beyond the budget."""
    if value is None:
        return None
    if not math.isfinite(value) or abs(value) > LIMITS.max_constant:
        raise ExpressionError(
            f"A number in this formula is too large (above {LIMITS.max_constant:g}); "
            "use smaller numbers."
        )
    return value


_REFUSALS = {
    ast.Attribute: "Attributes such as x.real are not part of a formula.",
    ast.Subscript: "Use round brackets ( ) for grouping: square brackets are not understood.",
    ast.Tuple: "Commas only separate the arguments of a function, as in log(x, 2).",
    ast.Compare: "Comparisons are not formulas: type an expression such as x**2 - 1.",
    ast.BoolOp: "Words like 'and' and 'or' are not part of a formula.",
    ast.Starred: "A lone * is not understood: write 2*x for a product.",
}


def _refusal(node: ast.AST) -> str:
    return _REFUSALS.get(
        type(node),
        "Only numbers, variables, + - * / ** and functions such as sin(x) can be used here.",
    )


_LONGEST_QUOTED_NAME = 24


def _unknown_name(name: str, variables: tuple[str, ...]) -> str:
    known = sorted({*variables, *_CONSTANTS}, key=len, reverse=True)
    parts = _split_names(name, known)
    phrase = _variables_phrase(variables) if variables else "this page has no variables"
    if len(name) > _LONGEST_QUOTED_NAME:  # quoted whole, a pasted run of letters drowns the advice
        shown = f"'{name[:12]}…' ({len(name)} letters)"
        if parts and len(parts) > 1:
            return f"Unknown name {shown}: put * between factors, as in x*y ({phrase})."
        return f"Unknown name {shown}: {phrase}."
    if parts and len(parts) > 1:
        return f"Unknown name '{name}': write {'*'.join(parts)} for a product ({phrase})."
    match = re.fullmatch(r"([A-Za-z_]+)(\d+)", name)
    if match and match.group(1) in known:
        base, digits = match.groups()
        return (
            f"Unknown name '{name}': write {base}**{digits} for a power or {base}*{digits} "
            f"for a product."
        )
    return f"Unknown name '{name}': {phrase}."


def _split_names(name: str, known: list[str]) -> list[str] | None:
    """Split ``name`` into known names (``"xy"`` -> ``["x", "y"]``), or return None."""
    best: list[list[str] | None] = [None] * (len(name) + 1)
    best[0] = []
    for i in range(len(name)):
        if best[i] is None:
            continue
        for word in known:
            if name.startswith(word, i) and best[i + len(word)] is None:
                best[i + len(word)] = [*best[i], word]
    return best[len(name)]


# --- the public door --------------------------------------------------------------------------


def parse_expression(text: str, variables: Sequence[str] = ("x",)) -> sympy.Expr:
    """Read a typed formula safely and return it as a SymPy expression.

    Args:
        text: the formula as typed, e.g. ``"x² + 3x + 5"`` or ``"sin(2x^2)"``.
        variables: the names the formula may use; each becomes ``symbol(name)``.

    Returns:
        The SymPy expression, in real symbols.

    Raises:
        ExpressionError: with one sentence saying what to write instead. Nothing else
            escapes, for any text, and every call returns within a fraction of a second.
        TypeError, ValueError: if ``variables`` itself is malformed (a programming error).

    Example:
        >>> parse_expression("x² + 3x + 5")
        x**2 + 3*x + 5
        >>> parse_expression("2x y", ("x", "y"))
        2*x*y
    """
    names = _check_variables(variables)
    if not isinstance(text, str):
        raise ExpressionError(f"Type a formula, for example {_EXAMPLE}.")
    if len(text) > LIMITS.max_chars:
        raise ExpressionError(
            f"This formula is too long ({len(text)} characters); keep it under {LIMITS.max_chars}."
        )
    normalised = _normalise(text)
    if not normalised:
        raise ExpressionError(f"Type a formula, for example {_EXAMPLE}.")
    return _parse_normalised(normalised, names)


@lru_cache(maxsize=512)
def _parse_normalised(text: str, variables: tuple[str, ...]) -> sympy.Expr:
    explicit = _insert_products(text, variables)
    try:
        tree = ast.parse(explicit, mode="eval")
        _check_size(tree)
        built = _Builder(variables).build(tree.body)
    except ExpressionError:
        raise
    except (SyntaxError, ValueError, TypeError) as exc:
        raise ExpressionError(_syntax_message(text, exc)) from exc
    except (RecursionError, MemoryError, OverflowError, ArithmeticError) as exc:
        raise ExpressionError(
            "This formula is too large or too deeply nested to read; try a simpler one."
        ) from exc
    expr = built.expr
    if expr.has(sympy.zoo, sympy.oo, sympy.nan, sympy.I):
        raise ExpressionError(
            "This formula is undefined: it divides by zero or leaves the real numbers."
        )
    return expr


def _syntax_message(text: str, exc: Exception) -> str:
    offset = getattr(exc, "offset", None)
    if text.count("(") != text.count(")"):
        return "This formula could not be read: check that every ( has a matching )."
    if isinstance(exc, SyntaxError) and offset:
        return f"This formula could not be read: check the part near '{text[-12:]}'."
    return "This formula could not be read: check the operators and brackets."


_TO_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_PLAIN_NAMES = (
    ("sqrt(", "√("),
    ("Abs(", "abs("),
    ("log(", "ln("),
    ("sigmoid(", "σ("),
    ("relu(", "ReLU("),
    ("Heaviside(", "H("),
)


def plain_text(expr: sympy.Expr, limit: int | None = 40) -> str:
    """A formula as a learner writes it in a sentence: ``4*x*cos(2*x**2)`` -> ``4x·cos(2x²)``.

    Args:
        expr: the formula.
        limit: cut longer texts to this many characters with "…"; None never cuts.

    Example:
        >>> plain_text(parse_expression("4*x*cos(2*x^2) + sqrt(x)"))
        '√(x) + 4x·cos(2x²)'
    """
    text = sympy.sstr(expr)
    for old, new in _PLAIN_NAMES:
        text = text.replace(old, new)
    text = re.sub(
        r"\*\*(?:(\d+)|\((-\d+)\))(?![\d/.])",
        lambda m: (m.group(1) or m.group(2)).translate(_TO_SUPERSCRIPT),
        text,
    )
    text = text.replace("**", "^")
    text = re.sub(r"(?<![\w.])(\d+)\*(?=[A-Za-z(√])", r"\1", text)
    text = text.replace("*", "·")
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def to_latex(expr: sympy.Expr) -> str:
    """Return LaTeX for a formula, ready for ``st.latex``.

    Example:
        >>> to_latex(parse_expression("sigmoid(x)"))
        '\\\\sigma\\\\left(x\\\\right)'
    """
    return sympy.latex(expr)


# --- compiling to numpy -----------------------------------------------------------------------


def _np_dirac_delta(x: Any, *order: Any) -> Any:
    # The second derivative of relu or |x|: zero wherever it is defined; at the kink itself
    # there is no number (an impulse), so NaN, as for any undefined point.
    x = np.asarray(x, dtype=np.float64)
    return np.where(x == 0, np.nan, 0.0)


_NUMPY_FUNCTIONS = {
    "sigmoid": _np_sigmoid,
    "relu": _np_relu,
    "softplus": _np_softplus,
    "DiracDelta": _np_dirac_delta,
}


_INT64_MAX = 2**63 - 1


def numpy_ready(expr: sympy.Expr) -> sympy.Expr:
    """`expr` with numbers beyond int64 as floats, ready for ``lambdify(..., "numpy")``.

    SymPy rewrites some small constants with huge integers (``log(1e-300)`` becomes
    ``-log(10**300)``); numpy cannot apply a ufunc to such an integer (a Python object), while
    as a float it is exact enough to 16 digits, or ±inf beyond float range, which numpy handles.

    Example:
        >>> numpy_ready(parse_expression("x*log(1e-300)"))
        -690.775527898214*x
    """
    huge = {
        r: sympy.Float(r, 15)
        for r in expr.atoms(sympy.Rational)
        if max(abs(int(r.p)), int(r.q)) > _INT64_MAX
    }
    return expr.xreplace(huge) if huge else expr


@lru_cache(maxsize=512)
def _lambdify(
    expr: sympy.Expr | tuple[sympy.Expr, ...], variables: tuple[str, ...]
) -> Callable[..., Any]:
    ready = tuple(numpy_ready(e) for e in expr) if isinstance(expr, tuple) else numpy_ready(expr)
    return sympy.lambdify(
        [symbol(v) for v in variables], ready, modules=[_NUMPY_FUNCTIONS, "numpy"], cse=True
    )


def _evaluate(raw: Callable[..., Any], args: Sequence[NDArray[Any]]) -> NDArray[Any]:
    shape = np.broadcast_shapes(*(a.shape for a in args))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = np.asarray(raw(*args))
    return np.broadcast_to(out, shape)


def compile_expression(
    expr: sympy.Expr, variables: Sequence[str] = ("x",)
) -> Callable[..., NDArray[np.float64]]:
    """Compile a formula to a vectorised numpy function of its variables.

    Args:
        expr: a SymPy expression, usually from :func:`parse_expression`.
        variables: the argument order, e.g. ``("x", "y")``; cached on ``(expr, tuple(variables))``.

    Returns:
        ``f(*arrays)`` returning a new float64 array with the broadcast shape of the arrays:
        a constant formula is broadcast too, Python floats give a 0-d array (use ``float()``),
        and points where the formula is undefined or not real (``log(-1)``, ``0/0``) are NaN.
        No warning is printed.

    Example:
        >>> f = compile_expression(parse_expression("x**2 + 3*x + 5"), ("x",))
        >>> f(np.array([0.0, 1.0, 2.0]))
        array([ 5.,  9., 15.])
    """
    return _compile_real(expr, _check_variables(variables))


@lru_cache(maxsize=512)
def _compile_real(expr: sympy.Expr, names: tuple[str, ...]) -> Callable[..., NDArray[np.float64]]:
    raw = _lambdify(expr, names)

    def evaluate(*values: ArrayLike) -> NDArray[np.float64]:
        args = [np.asarray(v, dtype=np.float64) for v in values]
        out = _evaluate(raw, args)
        if np.iscomplexobj(out):
            out = np.where(np.abs(out.imag) <= 1e-12 * np.abs(out.real), out.real, np.nan)
        return np.array(out, dtype=np.float64)

    return evaluate


def compile_point(
    exprs: Sequence[sympy.Expr], variables: Sequence[str] = ("x",)
) -> Callable[..., NDArray[np.float64]]:
    """Compile several formulas into one function of a single point, for step-by-step loops.

    An optimiser evaluates a gradient (or a Hessian) at one point per step, hundreds of times:
    `compile_expression` per entry spends most of each call on setting up array broadcasting
    and warning filters. Here all the entries share one call and their common sub-expressions.

    Args:
        exprs: the formulas, e.g. a gradient's entries or a Hessian's, row by row.
        variables: the argument order, e.g. ``("x", "y")``.

    Returns:
        ``g(*numbers)`` returning a float64 array of shape ``(len(exprs),)``; NaN for an entry
        that is undefined or not real there (as `compile_expression` gives).

    Example:
        >>> g = compile_point([parse_expression(t, ("x", "y")) for t in ("2*x", "6*y")], ("x", "y"))
        >>> g(1.0, 1.0)
        array([2., 6.])
    """
    return _compile_point(tuple(exprs), _check_variables(variables))


@lru_cache(maxsize=256)
def _compile_point(
    exprs: tuple[sympy.Expr, ...], names: tuple[str, ...]
) -> Callable[..., NDArray[np.float64]]:
    for expr in exprs:
        if not isinstance(expr, sympy.Expr):
            raise TypeError(f"compile_point expects sympy expressions, got {expr!r}")
    raw = _lambdify(exprs, names)
    count = len(exprs)

    def evaluate(*values: float) -> NDArray[np.float64]:
        # numpy scalars, not Python floats: 1/0 must give inf, as on arrays, not raise.
        args = [np.float64(v) for v in values]
        with np.errstate(all="ignore"):
            out = np.array(raw(*args))
        if out.dtype.kind == "c":
            out = np.where(np.abs(out.imag) <= 1e-12 * np.abs(out.real), out.real, np.nan)
        if out.shape != (count,):
            out = np.broadcast_to(out, (count,))
        return out.astype(np.float64)

    return evaluate


def is_analytic(expr: sympy.Expr) -> bool:
    """Whether the formula is built only from analytic pieces (no abs, relu or step functions).

    The complex-step method needs an analytic formula: ``abs`` and ``relu`` have no complex
    extension that gives the derivative.

    Example:
        >>> is_analytic(parse_expression("sin(x)*exp(x)")), is_analytic(parse_expression("abs(x)"))
        (True, False)
    """
    return not expr.atoms(sympy.Abs, relu, sympy.Heaviside, sympy.sign, sympy.Max, sympy.Min)


def compile_complex(
    expr: sympy.Expr, variables: Sequence[str] = ("x",)
) -> Callable[..., NDArray[np.complex128]]:
    """Compile a formula to a numpy function of complex arrays (for the complex-step method).

    Only analytic formulas (no ``abs``, ``relu``) give meaningful complex values.

    Returns:
        ``f(*arrays)`` returning a complex128 array with the broadcast shape of the arrays.

    Example:
        >>> f = compile_complex(parse_expression("x**2"), ("x",))
        >>> f(np.array([1 + 1e-20j]))
        array([1.+2.e-20j])
    """
    return _compile_complex(expr, _check_variables(variables))


@lru_cache(maxsize=128)
def _compile_complex(
    expr: sympy.Expr, names: tuple[str, ...]
) -> Callable[..., NDArray[np.complex128]]:
    raw = _lambdify(expr, names)

    def evaluate(*values: ArrayLike) -> NDArray[np.complex128]:
        args = [np.asarray(v, dtype=np.complex128) for v in values]
        return np.array(_evaluate(raw, args), dtype=np.complex128)

    return evaluate
