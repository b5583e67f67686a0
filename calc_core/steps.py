"""Step-by-step differentiation that names each rule, as a learner would write it.

Each rule builds its own result from the results of the derivations it uses, so the final
derivative is assembled from the steps (it is never taken from ``sympy.diff``); the tests check
that it agrees with ``sympy.diff``. Nothing here calls ``simplify``: results are kept readable by
SymPy's ordinary automatic arithmetic only, so a formula of the parser's size (at most 100
nodes) is derived in a few milliseconds.

Decisions:
    * ``a / b`` is stored by SymPy as ``a * b**-1``. A product that has a factor with a
      *numeric negative exponent* and a base depending on the variable (``sin(x)/x``,
      ``(x + 1)/(x - 1)``) is shown with the quotient rule; a constant denominator (``x/2``) is a
      constant multiple, and a lone negative power (``1/x**2``, ``1/(x + 1)``) uses the power
      rule. ``exp(-x)`` and ``2**(-x)`` are not denominators: a learner multiplies by them.
    * ``f(x)**g(x)`` with the variable in base and exponent uses logarithmic differentiation:
      ``f**g = exp(g ln f)``, so its derivative is ``f**g`` times the derivative of ``g ln f``.
    * ``log(u, b)`` (parsed as ``log(u) / log(b)``) is the logarithm rule with base ``b``.
    * ``|u|' = sign(u)`` (``u/|u|``, undefined at 0), ``relu'(u) = Heaviside(u, 0)`` as in
      :mod:`calc_core.expressions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy
from sympy.printing.latex import LatexPrinter

from calc_core.expressions import plain_text as _plain
from calc_core.expressions import relu, sigmoid, softplus, symbol

__all__ = [
    "MAX_NODES",
    "RULES",
    "Derivation",
    "DerivationStep",
    "derive_step_by_step",
    "flatten_steps",
]

RULES: tuple[str, ...] = (
    "constant rule",
    "variable rule",
    "power rule",
    "constant multiple rule",
    "sum rule",
    "product rule",
    "quotient rule",
    "chain rule",
    "exponential rule",
    "logarithm rule",
    "trig rule",
    "inverse trig rule",
    "hyperbolic rule",
    "absolute value rule",
    "sigmoid rule",
    "ReLU rule",
    "softplus rule",
    "logarithmic differentiation",
    "standard derivative",
)
MAX_NODES = 2000  # sympy tree nodes; the parser's formulas have far fewer
_MAX_DEPTH = 200  # rule applications nested in one another


@dataclass(frozen=True)
class DerivationStep:
    """One rule applied to one sub-expression.

    Attributes:
        rule: the rule's name as a learner says it, one of :data:`RULES`.
        expression: LaTeX of what is differentiated, e.g. ``\\frac{d}{dx}\\left[x^{2}\\right]``.
        result: LaTeX of its derivative, e.g. ``2 x``.
        explanation: one plain sentence saying what the rule does here.
        substeps: the derivations this step used, in reading order.
    """

    rule: str
    expression: str
    result: str
    explanation: str
    substeps: tuple[DerivationStep, ...] = ()


@dataclass(frozen=True)
class Derivation:
    """A whole derivation: the formula, its derivative and the tree of steps that built it.

    Attributes:
        expr: the formula differentiated.
        variable: the name of the variable.
        derivative: the derivative, assembled from the steps' own results.
        steps: the top-level step (one), whose substeps form the rest of the tree.
        rules_used: distinct rule names in reading order of first use.
    """

    expr: sympy.Expr
    variable: str
    derivative: sympy.Expr
    steps: tuple[DerivationStep, ...]
    rules_used: tuple[str, ...]


def derive_step_by_step(expr: sympy.Expr, variable: str = "x") -> Derivation:
    """Differentiate a formula rule by rule, recording each step.

    Args:
        expr: a SymPy expression, usually from ``parse_expression``.
        variable: the name of the variable to differentiate with respect to.

    Returns:
        A :class:`Derivation` whose ``derivative`` equals ``sympy.diff(expr, x)``.

    Raises:
        TypeError: if ``expr`` is not a SymPy expression or ``variable`` is not a name.
        ValueError: if ``expr`` has more than :data:`MAX_NODES` nodes.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> d = derive_step_by_step(parse_expression("x**2 + 3*x + 5"))
        >>> d.derivative, d.rules_used
        (2*x + 3, ('sum rule', 'power rule', 'constant multiple rule', 'variable rule', \
'constant rule'))
    """
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"derive_step_by_step expects a sympy expression, got {expr!r}")
    if not isinstance(variable, str) or not variable.isidentifier():
        raise TypeError(f"variable must be a name such as 'x', got {variable!r}")
    size = sum(1 for _ in sympy.preorder_traversal(expr))
    if size > MAX_NODES:
        raise ValueError(
            f"This formula is too large to show step by step ({size} parts, at most {MAX_NODES})."
        )
    step, result = _Deriver(symbol(variable)).derive(expr, 0)
    return Derivation(
        expr=expr,
        variable=variable,
        derivative=result,
        steps=(step,),
        rules_used=tuple(dict.fromkeys(s.rule for _, s in _walk((step,), 0))),
    )


def flatten_steps(derivation: Derivation) -> list[tuple[int, DerivationStep]]:
    """List every step with its depth (0 for the top), in reading order (a step, then its substeps).

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> [(d, s.rule) for d, s in flatten_steps(derive_step_by_step(parse_expression("3x")))]
        [(0, 'constant multiple rule'), (1, 'variable rule')]
    """
    return list(_walk(derivation.steps, 0))


def _walk(steps: tuple[DerivationStep, ...], depth: int) -> Iterator[tuple[int, DerivationStep]]:
    for step in steps:
        yield depth, step
        yield from _walk(step.substeps, depth + 1)


class _Printer(LatexPrinter):
    """SymPy's LaTeX, with powers of the activations bracketed: ``(σ(x))^{2}``.

    SymPy prints ``f(x)**2`` by passing ``exp=`` to the function's own printer, which the
    activations' ``_latex`` does not accept.
    """

    def _print_Pow(self, expr: sympy.Pow) -> str:
        if isinstance(expr.base, sigmoid | relu | softplus) and not (
            expr.exp.is_Rational and expr.exp.is_negative
        ):
            return rf"\left({self._print(expr.base)}\right)^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr)


def _latex(expr: sympy.Expr) -> str:
    """LaTeX of a formula, as ``calc_core.expressions.to_latex`` writes it."""
    return _Printer().doprint(expr)


def _sentence(rule: str) -> str:
    return rule[0].upper() + rule[1:]


def _d(name: str, body: str) -> str:
    return rf"\frac{{d}}{{d{name}}}\left[{body}\right]"


# --- outer functions: the table a learner memorises ------------------------------------------


@dataclass(frozen=True)
class _Outer:
    """An outer function f(u): its rule, how it prints, and its derivative f'(u)."""

    rule: str
    latex: Callable[[sympy.Expr], str]
    text: Callable[[str], str]  # plain text of f applied to an argument's text
    derivative: Callable[[sympy.Expr], sympy.Expr]
    note: str = ""  # completes the sentence; "{v}" stands for the variable of the step


_FUNCTIONS: dict[type, tuple[str, Callable[[sympy.Expr], sympy.Expr]]] = {
    sympy.exp: ("exponential rule", sympy.exp),
    sympy.log: ("logarithm rule", lambda u: 1 / u),
    sympy.sin: ("trig rule", sympy.cos),
    sympy.cos: ("trig rule", lambda u: -sympy.sin(u)),
    sympy.tan: ("trig rule", lambda u: 1 / sympy.cos(u) ** 2),
    sympy.asin: ("inverse trig rule", lambda u: 1 / sympy.sqrt(1 - u**2)),
    sympy.acos: ("inverse trig rule", lambda u: -1 / sympy.sqrt(1 - u**2)),
    sympy.atan: ("inverse trig rule", lambda u: 1 / (1 + u**2)),
    sympy.sinh: ("hyperbolic rule", sympy.cosh),
    sympy.cosh: ("hyperbolic rule", sympy.sinh),
    sympy.tanh: ("hyperbolic rule", lambda u: 1 - sympy.tanh(u) ** 2),
    sympy.Abs: ("absolute value rule", sympy.sign),
    sigmoid: ("sigmoid rule", lambda u: sigmoid(u) * (1 - sigmoid(u))),
    relu: ("ReLU rule", lambda u: sympy.Heaviside(u, 0)),
    softplus: ("softplus rule", sigmoid),
}
_NAMES = {sympy.log: "ln", sympy.Abs: "abs", sigmoid: "σ", relu: "ReLU"}
_NOTES = {  # {v} is the variable of the step: x, or u inside a chain rule
    sympy.Abs: ", the sign {v}/|{v}|, undefined at {v} = 0",
    relu: ", the step function H, taken as 0 at {v} = 0 as PyTorch does",
    sigmoid: ", that is σ′ = σ(1 − σ)",
    softplus: ", the sigmoid σ",
}


def _function_outer(func: type) -> _Outer:
    if func in _FUNCTIONS:
        rule, derivative = _FUNCTIONS[func]
    else:  # never made by the parser; kept so that any one-argument function still works
        rule = "standard derivative"

        def derivative(u: sympy.Expr) -> sympy.Expr:
            return func(u).diff(u)

    name = _NAMES.get(func, func.__name__)
    return _Outer(
        rule,
        lambda u: _latex(func(u)),
        lambda a: f"{name}({a})",
        derivative,
        _NOTES.get(func, ""),
    )


def _power_outer(n: sympy.Expr) -> _Outer:
    if n == sympy.Rational(1, 2):
        note = ", writing √{v} as {v}^(1/2) and lowering the exponent by one"
    elif n == sympy.Rational(-1, 2):
        note = ", writing 1/√{v} as {v}^(-1/2) and lowering the exponent by one"
    else:
        note = f", the exponent {_plain(n)} brought down and lowered by one"
    return _Outer(
        "power rule",
        lambda u: _latex(sympy.Pow(u, n, evaluate=False)),
        lambda name: _plain(sympy.Pow(symbol(name), n, evaluate=False)),
        lambda u: n * u ** (n - 1),
        note,
    )


def _exponential_outer(base: sympy.Expr) -> _Outer:
    return _Outer(
        "exponential rule",
        lambda u: _latex(sympy.Pow(base, u, evaluate=False)),
        lambda a: f"{_plain(base)}^{a}",
        lambda u: base**u * sympy.log(base),
        ", the power itself times ln " + _plain(base),
    )


def _log_base_outer(base: sympy.Expr) -> _Outer:
    return _Outer(
        "logarithm rule",
        lambda u: rf"\log_{{{_latex(base)}}}\left({_latex(u)}\right)",
        lambda a: f"log_{_plain(base)}({a})",
        lambda u: 1 / (u * sympy.log(base)),
        f", since log_b u = ln u / ln b with b = {_plain(base)}",
    )


# --- the rules --------------------------------------------------------------------------------


class _Deriver:
    """Differentiate with respect to one symbol, returning (step, derivative) for each node."""

    def __init__(self, x: sympy.Symbol) -> None:
        self.x = x
        self.u = symbol("w" if x.name == "u" else "u")

    def step(
        self, rule: str, expr_latex: str, result: sympy.Expr, why: str, *subs: DerivationStep
    ) -> tuple[DerivationStep, sympy.Expr]:
        return DerivationStep(rule, expr_latex, _latex(result), why, tuple(subs)), result

    def derive(self, expr: sympy.Expr, depth: int) -> tuple[DerivationStep, sympy.Expr]:
        if depth > _MAX_DEPTH:
            raise ValueError("This formula is nested too deeply to show step by step.")
        x, shown = self.x, _d(self.x.name, _latex(expr))
        if not expr.has(x):
            why = f"Constant rule: {_plain(expr)} does not change with {x}, so its derivative is 0."
            return self.step("constant rule", shown, sympy.Integer(0), why)
        if expr == x:
            why = f"Variable rule: the derivative of {x} with respect to {x} is 1."
            return self.step("variable rule", shown, sympy.Integer(1), why)
        if expr.is_Add:
            return self._sum(expr, shown, depth)
        if expr.is_Mul:
            return self._product_or_quotient(expr, shown, depth)
        if expr.is_Pow:
            return self._power(expr, shown, depth)
        if isinstance(expr, sympy.Function) and len(expr.args) == 1:
            return self._apply(_function_outer(expr.func), expr.args[0], shown, depth)
        why = f"Standard derivative: the derivative of {_plain(expr)} is taken from the table."
        return self.step("standard derivative", shown, sympy.diff(expr, x), why)

    def _apply(
        self, outer: _Outer, inner: sympy.Expr, shown: str, depth: int
    ) -> tuple[DerivationStep, sympy.Expr]:
        """Differentiate outer(inner): the outer rule alone if inner is x, else the chain rule."""
        x, u = self.x, self.u
        if inner == x:
            why = (
                f"{_sentence(outer.rule)}: the derivative of {outer.text(x.name)} is "
                f"{_plain(outer.derivative(x))}{outer.note.replace('{v}', x.name)}."
            )
            return self.step(outer.rule, shown, outer.derivative(x), why)
        outer_result = outer.derivative(u)
        outer_why = (
            f"{_sentence(outer.rule)}: the derivative of the outer function "
            f"{outer.text(u.name)} is {_plain(outer_result)}{outer.note.replace('{v}', u.name)}."
        )
        outer_step = DerivationStep(
            outer.rule, _d(u.name, outer.latex(u)), _latex(outer_result), outer_why
        )
        inner_step, inner_result = self.derive(inner, depth + 1)
        result = outer.derivative(inner) * inner_result
        why = (
            f"Chain rule: the derivative of the outer function {outer.text(u.name)} at "
            f"{u} = {_plain(inner)}, times the derivative of the inner {u} = {_plain(inner)}."
        )
        return self.step("chain rule", shown, result, why, outer_step, inner_step)

    def _sum(self, expr: sympy.Expr, shown: str, depth: int) -> tuple[DerivationStep, sympy.Expr]:
        terms = expr.as_ordered_terms()
        parts = [self.derive(term, depth + 1) for term in terms]
        result = sympy.Add(*(r for _, r in parts))
        sign = any(t.could_extract_minus_sign() for t in terms)
        why = (
            f"Sum rule: differentiate each of the {len(terms)} terms on its own and add the "
            f"results{', each minus sign staying with its term' if sign else ''}."
        )
        return self.step("sum rule", shown, result, why, *(s for s, _ in parts))

    def _product_or_quotient(
        self, expr: sympy.Expr, shown: str, depth: int
    ) -> tuple[DerivationStep, sympy.Expr]:
        x = self.x
        constant, rest = expr.as_independent(x, as_Add=False)
        if constant != 1:
            return self._constant_multiple(constant, rest, shown, depth)
        numerator, denominator = [], []
        for factor in expr.as_ordered_factors():
            base, exponent = factor.as_base_exp()
            if factor.is_Pow and exponent.is_Number and exponent < 0:
                denominator.append(sympy.Pow(base, -exponent))
            else:
                numerator.append(factor)
        if denominator:
            return self._quotient(sympy.Mul(*numerator), sympy.Mul(*denominator), shown, depth)
        return self._product(expr.as_ordered_factors(), shown, depth)

    def _constant_multiple(
        self, constant: sympy.Expr, rest: sympy.Expr, shown: str, depth: int
    ) -> tuple[DerivationStep, sympy.Expr]:
        coefficient, other = constant.as_coeff_Mul()
        if (
            isinstance(rest, sympy.log)
            and other.is_Pow
            and other.exp == -1
            and isinstance(other.base, sympy.log)
            and other.base.args[0].is_positive
        ):
            # log(u, b) arrives as log(u) / log(b): show it as the logarithm to base b
            base = other.base.args[0]
            latex = rf"\log_{{{_latex(base)}}}\left({_latex(rest.args[0])}\right)"
            if coefficient == 1:
                return self._apply(_log_base_outer(base), rest.args[0], shown, depth)
            constant, inner_shown = coefficient, _d(self.x.name, latex)
            inner_step, inner_result = self._apply(
                _log_base_outer(base), rest.args[0], inner_shown, depth + 1
            )
        else:
            inner_step, inner_result = self.derive(rest, depth + 1)
        result = constant * inner_result
        if constant == -1:
            why = "Constant multiple rule: a minus sign is the constant −1, which stays in front."
        else:
            why = (
                f"Constant multiple rule: the constant {_plain(constant)} stays in front and "
                f"multiplies the derivative of the rest."
            )
        return self.step("constant multiple rule", shown, result, why, inner_step)

    def _product(
        self, factors: list[sympy.Expr], shown: str, depth: int
    ) -> tuple[DerivationStep, sympy.Expr]:
        parts = [self.derive(f, depth + 1) for f in factors]
        terms = []
        for i, (_, d) in enumerate(parts):
            others = [f for j, f in enumerate(factors) if j != i]
            terms.append(sympy.Mul(d, *others))
        result = sympy.Add(*terms)
        if len(factors) == 2:
            f, g = (_plain(f, 25) for f in factors)
            why = f"Product rule: (fg)′ = f′g + fg′ with f = {f} and g = {g}."
        else:
            why = (
                f"Product rule: differentiate one of the {len(factors)} factors at a time, keep "
                "the others as they are, and add the results."
            )
        return self.step("product rule", shown, result, why, *(s for s, _ in parts))

    def _quotient(
        self, f: sympy.Expr, g: sympy.Expr, shown: str, depth: int
    ) -> tuple[DerivationStep, sympy.Expr]:
        f_step, df = self.derive(f, depth + 1)
        g_step, dg = self.derive(g, depth + 1)
        numerator = sympy.Add(sympy.Mul(df, g), -sympy.Mul(f, dg))
        result = sympy.Mul(numerator, sympy.Pow(g, -2))
        why = (
            f"Quotient rule: (f/g)′ = (f′g − fg′)/g² with f = {_plain(f, 25)} and "
            f"g = {_plain(g, 25)}."
        )
        return self.step("quotient rule", shown, result, why, f_step, g_step)

    def _power(self, expr: sympy.Expr, shown: str, depth: int) -> tuple[DerivationStep, sympy.Expr]:
        base, exponent = expr.args
        x = self.x
        if not exponent.has(x):
            return self._apply(_power_outer(exponent), base, shown, depth)
        if not base.has(x):
            return self._apply(_exponential_outer(base), exponent, shown, depth)
        # f**g with x in both: f**g = exp(g ln f), so (f**g)' = f**g (g ln f)'
        log_form = sympy.Mul(exponent, sympy.log(base))
        inner_step, inner_result = self.derive(log_form, depth + 1)
        result = expr * inner_result
        why = (
            f"Logarithmic differentiation: write {_plain(expr, 25)} as e^({_plain(log_form, 25)}), "
            f"so its derivative is {_plain(expr, 25)} times the derivative of the exponent."
        )
        return self.step("logarithmic differentiation", shown, result, why, inner_step)
