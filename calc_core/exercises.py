"""Math practice: the lesson's two problems, fresh problems by rule, grading, mistakes and hints.

A problem is a formula (text a learner could type) and what to find: a derivative, a partial
derivative, a gradient or one Hessian entry. :func:`generate_problem` is pure: the same
``(rule, level, seed)`` always gives the same problem. :func:`check_answer` reads typed text
through the one formula door (``parse_expression``) and grades it with :func:`equivalent`: cheap
canonical forms first (``expand``, ``cancel``, never ``simplify``), then values at seeded random
points, so any correct form passes. A wrong answer is compared with the wrong answers that common
mistakes produce (built from the problem's own structure) and the mistake is named only on a match.

The conceptual questions live in :mod:`calc_core.concepts` and are re-exported here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from calc_core.concepts import CONCEPT_QUESTIONS, ConceptQuestion
from calc_core.expressions import (
    ExpressionError,
    compile_expression,
    parse_expression,
    plain_text,
    symbol,
    to_latex,
)
from calc_core.steps import derive_step_by_step


def _plain(expr: sympy.Expr) -> str:
    return plain_text(expr, limit=None)


__all__ = [
    "CONCEPT_QUESTIONS",
    "LESSON_PROBLEMS",
    "LEVELS",
    "MISTAKES",
    "RULES",
    "RULE_TITLES",
    "ConceptQuestion",
    "Problem",
    "Verdict",
    "check_answer",
    "equivalent",
    "generate_problem",
    "hints",
]

RULES: tuple[str, ...] = (
    "power",
    "product",
    "quotient",
    "chain",
    "exp_log",
    "trig",
    "partial",
    "gradient",
    "hessian",
)
RULE_TITLES: dict[str, str] = {
    "power": "Power rule",
    "product": "Product rule",
    "quotient": "Quotient rule",
    "chain": "Chain rule",
    "exp_log": "Exponentials and logarithms",
    "trig": "Trigonometric functions",
    "partial": "Partial derivatives",
    "gradient": "Gradient",
    "hessian": "Hessian entries",
}
LEVELS: tuple[int, ...] = (1, 2, 3)
MISTAKES: dict[str, str] = {
    "forgot_inner_derivative": "The chain rule multiplies by the derivative of the inner "
    "function: (f(g(x)))′ = f′(g(x))·g′(x).",
    "sign_error": "A minus sign went missing or appeared: (cos x)′ = −sin x, and each term "
    "keeps its own sign.",
    "dropped_constant": "A constant factor was lost: constants stay in front, and the power "
    "rule brings the exponent down.",
    "product_of_derivatives": "The derivative of a product is not the product of the "
    "derivatives: (uv)′ = u′v + uv′.",
    "quotient_sign": "The quotient rule's numerator is u′v − uv′, in that order: swapping the "
    "terms flips the sign.",
}


@dataclass(frozen=True)
class Problem:
    """One exercise: a formula and what to find about it.

    Attributes:
        key: a reproducible id, ``"chain-2-1234"`` (rule-level-seed) or ``"lesson-1"``.
        rule: one of :data:`RULES`. level: one of :data:`LEVELS`.
        function_text: the formula as a learner types it, e.g. ``"sin(2*x**2)"``.
        variables: ``("x",)`` or ``("x", "y")``.
        asks_for: ``"derivative"``, ``"partial"``, ``"gradient"`` or ``"hessian_entry"``.
        wrt: ``("x",)`` for d/dx, ``("y",)`` for ∂/∂y, the gradient's component order, or the
            Hessian entry's two variables in order of differentiation.
        question: one plain sentence. question_latex: the same as LaTeX.
        answer_parts: labels of what to type, one per expected expression.
        expected: the correct answers, one per part.
    """

    key: str
    rule: str
    level: int
    function_text: str
    variables: tuple[str, ...]
    asks_for: str
    wrt: tuple[str, ...]
    question: str
    question_latex: str
    answer_parts: tuple[str, ...]
    expected: tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class Verdict:
    """The grade of one typed answer part.

    Attributes:
        correct: whether the answer equals the expected one.
        mistake: ``None`` or a key of :data:`MISTAKES` when a common mistake was recognised.
        message: one sentence for the learner.
    """

    correct: bool
    mistake: str | None
    message: str


# --- plain text and LaTeX for questions ------------------------------------------------------


def _label(asks_for: str, wrt: tuple[str, ...]) -> tuple[str, ...]:
    if asks_for == "derivative":
        return (f"f′({wrt[0]})",)
    if asks_for in ("partial", "gradient"):
        return tuple(f"∂f/∂{v}" for v in wrt)
    a, b = wrt
    return ("∂²f/∂x²" if a == b == "x" else "∂²f/∂y²" if a == b else f"∂²f/∂{a}∂{b}",)


def _make_problem(key: str, rule: str, level: int, f: sympy.Expr, variables, asks_for, wrt):
    syms = [symbol(v) for v in wrt]
    shown, fx = _plain(f), to_latex(f)
    names = ", ".join(variables)
    if asks_for == "derivative":
        expected = (sympy.diff(f, syms[0]),)
        question = f"Differentiate f({names}) = {shown} with respect to {wrt[0]}."
        latex = rf"\frac{{d}}{{d{wrt[0]}}}\left[{fx}\right]"
    elif asks_for == "partial":
        expected = (sympy.diff(f, syms[0]),)
        question = f"Find the partial derivative ∂f/∂{wrt[0]} of f({names}) = {shown}."
        latex = rf"\frac{{\partial}}{{\partial {wrt[0]}}}\left[{fx}\right]"
    elif asks_for == "gradient":
        expected = tuple(sympy.diff(f, s) for s in syms)
        question = f"Find the gradient ∇f = (∂f/∂x, ∂f/∂y) of f({names}) = {shown}."
        latex = rf"\nabla f,\quad f({names}) = {fx}"
    else:
        expected = (sympy.diff(f, *syms),)
        a, b = wrt
        question = f"Find the Hessian entry {_label(asks_for, wrt)[0]} of f({names}) = {shown}."
        below = rf"\partial {a}^{{2}}" if a == b else rf"\partial {a}\,\partial {b}"
        latex = rf"\frac{{\partial^2 f}}{{{below}}},\quad f({names}) = {fx}"
    return Problem(
        key, rule, level, sympy.sstr(f), tuple(variables), asks_for, tuple(wrt), question,
        latex, _label(asks_for, tuple(wrt)), expected,
    )  # fmt: skip


# --- the lesson's problems and the generator ---------------------------------------------------

_X = ("x",)
_XY = ("x", "y")
LESSON_PROBLEMS: tuple[Problem, ...] = (
    _make_problem("lesson-1", "power", 1, parse_expression("x**2 + 3*x + 5"), _X, "derivative", _X),
    _make_problem("lesson-2", "chain", 1, parse_expression("sin(2*x**2)"), _X, "derivative", _X),
)

# {a} is 2-9, {b} and {c} are 1-9, {n} is 2-5 and {m} is 2-4.
_TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "power": (
        ("{a}*x**{n}", "{a}*x**{n} + {b}*x", "{a}*x**{n} - {b}*x**{m} + {c}"),
        ("{a}*x**{n} + {b}/x**{m}", "{a}*x**{n} - {b}*sqrt(x)", "({a}*x**{n} + {b}*x)/{c}"),
        ("{a}*x**{n} + {b}/x**{m} - {c}*sqrt(x)", "x**{n}*({a}*x**{m} + {b})", "{a}/sqrt(x)"),
    ),
    "product": (
        ("{a}*x**{n}*sin(x)", "x**{n}*exp(x)", "{a}*x**{m}*log(x)", "x**{n}*cos(x)"),
        ("x**{n}*sin({a}*x)", "{b}*x**{m}*exp({a}*x)", "(x**2 + {b})*cos({a}*x)"),
        ("x**{m}*exp({a}*x)*sin({b}*x)", "x*sin({a}*x**2 + {b})", "(x + {b})**{m}*exp(-{a}*x)"),
    ),
    "quotient": (
        ("({a}*x + {b})/(x + {c})", "x**{n}/(x + {b})", "{a}*sin(x)/x", "exp(x)/x**{m}"),
        ("sin({a}*x)/(x**2 + {b})", "exp({a}*x)/(x + {b})", "x**{n}/(x**2 + {b})"),
        ("x*exp({a}*x)/(x**2 + {b})", "sin({a}*x)**2/(x + {b})", "log(x**2 + {b})/(x + {c})"),
    ),
    "chain": (
        ("({a}*x + {b})**{n}", "sin({a}*x + {b})", "cos({a}*x**2)", "exp({a}*x + {b})"),
        ("sin({a}*x**{n} + {b})", "({a}*x**2 + {b})**{m}", "exp(sin({a}*x))",
         "sqrt({a}*x**2 + {b})"),
        ("sin({a}*x**2 + {b})**{m}", "exp(sin({a}*x**2))", "log(1 + ({a}*x + {b})**2)"),
    ),
    "exp_log": (
        ("{a}*exp(x) + {b}*log(x)", "exp({a}*x)", "{b}*exp({a}*x)", "log({a}*x) + {b}*x"),
        ("x*exp({a}*x)", "exp({a}*x)*log(x)", "log(x**2 + {b})", "x**{n}*log(x)"),
        ("log(1 + exp({a}*x))", "exp(-{a}*x**2)*log(x)", "x*log(x**2 + {b})"),
    ),
    "trig": (
        ("{a}*sin(x) - {b}*cos(x)", "{a}*tan(x) + {b}*x", "{a}*cos(x) + {b}*x**{m}"),
        ("sin({a}*x)*cos({b}*x)", "x*cos({a}*x)", "tan({a}*x**2)", "sin(x)**{m}"),
        ("sin({a}*x)**2*cos({b}*x)", "cos(sin({a}*x))", "x**2*tan({a}*x + {b})"),
    ),
    "partial": (
        ("{a}*x**{n}*y + {b}*y**{m}", "{a}*x*y**{m} + {b}*x**{n}", "{a}*x**2 + {b}*x*y + {c}*y**2"),
        ("x**{n}*sin({a}*y)", "exp({a}*x*y)", "x*y**{m} + cos({a}*x*y)", "y*log(x**2 + {b})"),
        ("sin({a}*x*y**2)*exp({b}*x)", "x*log(x**2 + y**2 + {c})", "y*exp(-{a}*x**2)*cos({b}*y)"),
    ),
    "gradient": (
        ("{a}*x**2 + {b}*x*y + {c}*y**2", "{a}*x**{n} + {b}*y**{m}", "{a}*x*y + {b}*x + {c}*y"),
        ("exp({a}*x)*sin({b}*y)", "({a}*x - y)**2 + ({b}*y - {c})**2", "x**{n}*y**{m}"),
        ("log(1 + exp(-{a}*x - {b}*y))", "x*exp(-x**2 - {a}*y**2)", "sin({a}*x*y)*(x + y)**2"),
    ),
    "hessian": (
        ("{a}*x**2 + {b}*x*y + {c}*y**2", "{a}*x**{n} + {b}*x*y + {c}*y**{m}",
         "x**{n}*y + {b}*y**{m}"),
        ("x**{n}*y**{m}", "exp({a}*x*y)", "x**{m}*sin({a}*y)", "log(x + {b}*y + {c})"),
        ("x*sin({a}*x)*exp({b}*y)", "log(x**2 + y**2 + {c})", "y*exp(-{a}*x**2 - y**2)"),
    ),
}  # fmt: skip
_ASKS = {"partial": "partial", "gradient": "gradient", "hessian": "hessian_entry"}


def generate_problem(rule: str, level: int, seed: int) -> Problem:
    """Make a fresh problem for one rule, reproducibly.

    Args:
        rule: one of :data:`RULES`, e.g. ``"chain"``.
        level: 1 (one rule on simple pieces), 2 (two rules combined) or 3 (nested, three rules).
        seed: any integer; the same ``(rule, level, seed)`` always gives the same problem.

    Returns:
        A :class:`Problem` keyed ``f"{rule}-{level}-{seed}"``, integer coefficients 1-9 and
        exponents 2-5, whose answer is never identically zero.

    Raises:
        ValueError: for an unknown rule or level, or a seed that is not an integer (quoted).

    Example:
        >>> generate_problem("chain", 1, 7) == generate_problem("chain", 1, 7)
        True
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}; got {rule!r}")
    if isinstance(level, bool) or level not in LEVELS:
        raise ValueError(f"level must be 1, 2 or 3; got {level!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer; got {seed!r}")
    rng = random.Random(seed)
    asks_for = _ASKS.get(rule, "derivative")
    variables = _X if asks_for == "derivative" else _XY
    template = rng.choice(_TEMPLATES[rule][level - 1])
    for _ in range(50):  # a few draws make a degenerate formula, e.g. (2x + 4)/(x + 2)
        values = {k: rng.randint(lo, 9) for k, lo in (("a", 2), ("b", 1), ("c", 1))}
        values |= {"n": rng.randint(2, 5), "m": rng.randint(2, 4)}
        f = parse_expression(template.format(**values), variables)
        choices = {
            "derivative": [_X],
            "gradient": [_XY],
            "partial": [("x",), ("y",)],
            "hessian_entry": [("x", "x"), ("x", "y"), ("y", "y")],
        }[asks_for]
        problems = [
            _make_problem(f"{rule}-{level}-{seed}", rule, level, f, variables, asks_for, w)
            for w in choices
        ]
        problems = [p for p in problems if not any(_is_zero(e, variables) for e in p.expected)]
        if problems:
            return rng.choice(problems)
    raise RuntimeError(f"no usable problem for {rule!r} level {level} seed {seed}")  # unreachable


def _is_zero(expr: sympy.Expr, variables: Sequence[str]) -> bool:
    return expr == 0 or equivalent(expr, sympy.Integer(0), variables)


# --- equivalence -------------------------------------------------------------------------------

_TERM_BUDGET = 2000  # terms expand may create before the symbolic check is skipped


def _term_estimate(expr: sympy.Basic) -> int:
    """A quick upper estimate of how many terms ``expand(expr)`` would create (capped)."""
    if expr.is_Add:
        total = sum(_term_estimate(a) for a in expr.args)
    elif expr.is_Mul:
        total = math.prod(_term_estimate(a) for a in expr.args)
    elif expr.is_Pow and expr.exp.is_Integer:
        total = min(_term_estimate(expr.base), _TERM_BUDGET + 1) ** min(abs(int(expr.exp)), 100)
    else:
        total = max(1, sum(_term_estimate(a) for a in expr.args))
    return min(total, _TERM_BUDGET + 1)


def _symbolically_equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    difference = a - b
    if difference == 0:
        return True
    if _term_estimate(difference) > _TERM_BUDGET:
        return False
    try:
        expanded = sympy.expand(difference)
        if expanded == 0:
            return True
        return len(sympy.Add.make_args(expanded)) <= 200 and sympy.cancel(expanded) == 0
    except Exception:  # polys can refuse exotic functions: let the numeric check decide
        return False


def _points(rng: np.random.Generator, count: int, dims: int, mixed_signs: bool) -> np.ndarray:
    size = rng.uniform(0.2, 2.5, size=(dims, count))
    signs = rng.choice([-1.0, 1.0], size=(dims, count)) if mixed_signs else 1.0
    return size * signs


def _numerically_equal(a: sympy.Expr, b: sympy.Expr, variables: tuple[str, ...]) -> bool:
    """Agreement at seeded random points, skipping points where either side is not finite."""
    rng = np.random.default_rng(20240611)
    try:
        fa, fb = compile_expression(a, variables), compile_expression(b, variables)
        finite = 0
        for mixed in (True, False):  # then positive points only, for log(x) and sqrt(x)
            pts = _points(rng, 12, len(variables), mixed)
            va, vb = fa(*pts), fb(*pts)
            ok = np.isfinite(va) & np.isfinite(vb)
            scale = 1.0 + np.maximum(np.abs(va[ok]), np.abs(vb[ok]))
            if np.any(np.abs(va[ok] - vb[ok]) > 1e-9 * scale):
                return False
            finite += int(ok.sum())
            if finite >= 6:
                return True
    except Exception:  # an expression numpy cannot evaluate is not shown to be equal
        return False
    return False


def equivalent(a: sympy.Expr, b: sympy.Expr, variables: Sequence[str]) -> bool:
    """Whether two formulas are the same function: symbolically, or at random points.

    The symbolic check uses cheap canonical forms (``expand``, then ``cancel``) and is skipped
    for expressions whose expansion would be large; the numeric check compares values at up
    to 24 seeded points (signs mixed, then positive), needs at least 6 where both sides are
    finite, and allows a relative difference of 1e-9.

    Args:
        a, b: SymPy expressions in the shared real symbols (``symbol(name)``).
        variables: the names the expressions may contain, e.g. ``("x", "y")``.

    Returns:
        True when they agree.

    Raises:
        TypeError: if ``a`` or ``b`` is not a SymPy expression.
        ValueError: if either contains a symbol not among ``variables``.

    Example:
        >>> x = symbol("x")
        >>> equivalent(4 * x * sympy.cos(2 * x**2), 2 * 2 * x * sympy.cos(2 * x**2), ("x",))
        True
    """
    for e in (a, b):
        if not isinstance(e, sympy.Expr):
            raise TypeError(f"equivalent expects sympy expressions, got {e!r}")
    names = tuple(variables)
    if not names:
        raise ValueError(f"equivalent needs at least one variable, got {variables!r}")
    allowed = {symbol(v) for v in names}
    extra = (a.free_symbols | b.free_symbols) - allowed
    if extra:
        raise ValueError(f"symbols {sorted(map(str, extra))} are not among variables {names!r}")
    return _symbolically_equal(a, b) or _numerically_equal(a, b, names)


# --- common mistakes, built from the problem's structure ---------------------------------------

_PRIORITY = ("forgot_inner_derivative", "product_of_derivatives", "quotient_sign")


def _sources(problem: Problem) -> list[tuple[sympy.Expr, str]]:
    """What each answer part differentiates, and with respect to which variable."""
    f = parse_expression(problem.function_text, problem.variables)
    if problem.asks_for == "hessian_entry":
        return [(sympy.diff(f, symbol(problem.wrt[0])), problem.wrt[1])]
    return [(f, v) for v in problem.wrt]


def _through(g: sympy.Expr, atom: sympy.Expr, x: sympy.Symbol) -> sympy.Expr:
    """The part of dg/dx that flows through one occurrence pattern ``atom`` (chain rule)."""
    c = sympy.Dummy("c")
    outer = sympy.diff(g.xreplace({atom: c}), c).xreplace({c: atom})
    return outer * sympy.diff(atom, x)


def _fraction(term: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """Split a term into constant, numerator and denominator, as the quotient rule sees it."""
    k, rest = term.as_independent(x, as_Add=False)
    num, den = [], []
    for factor in sympy.Mul.make_args(rest):
        base, e = factor.as_base_exp()
        if factor.is_Pow and e.is_Number and e < 0:
            den.append(sympy.Pow(base, -e))
        else:
            num.append(factor)
    return k, sympy.Mul(*num), sympy.Mul(*den)


def _candidates(g: sympy.Expr, v: str) -> Iterator[tuple[str, sympy.Expr, str]]:
    """Wrong derivatives of ``g`` that common mistakes produce: (mistake, answer, detail)."""
    x = symbol(v)
    correct = sympy.diff(g, x)
    atoms = [
        a
        for a in sympy.preorder_traversal(g)
        if a.has(x) and a != x and ((a.is_Pow and not a.exp.has(x)) or a.is_Function)
    ][:12]
    for atom in atoms:
        inner = atom.base if atom.is_Pow else atom.args[0]
        d_inner = sympy.diff(inner, x)
        if d_inner != 1 and d_inner != 0:
            part = _through(g, atom, x)
            yield (
                "forgot_inner_derivative",
                correct - part + part / d_inner,
                _plain(inner),
            )
    terms = sympy.Add.make_args(g)
    for term in terms:
        k, num, den = _fraction(term, x)
        d_term = sympy.diff(term, x)
        factors = [f for f in sympy.Mul.make_args(num) if f.has(x)]
        if den.has(x):
            swapped = k * (num * sympy.diff(den, x) - sympy.diff(num, x) * den) / den**2
            yield "quotient_sign", correct - d_term + swapped, ""
        elif len(factors) >= 2:
            wrong = k * sympy.Mul(*(sympy.diff(f, x) for f in factors))
            yield "product_of_derivatives", correct - d_term + wrong, ""
        if k.is_Number and abs(k) != 1:
            yield "dropped_constant", correct - d_term + d_term / k, f"keep the constant {k}"
    for atom in atoms:
        if atom.is_Pow and atom.exp.is_Number and atom.exp != 1 and atom.exp != -1:
            part = _through(g, atom, x)
            detail = f"bring the exponent {_plain(atom.exp)} down"
            yield "dropped_constant", correct - part + part / atom.exp, detail
    coefficient, rest = correct.as_coeff_Mul()
    if abs(coefficient) != 1:
        yield "dropped_constant", sympy.sign(coefficient) * rest, f"keep the factor {coefficient}"
    yield "sign_error", -correct, ""
    for atom in atoms:
        if isinstance(atom, sympy.cos):
            yield "sign_error", correct - 2 * _through(g, atom, x), "(cos u)′ = −sin u · u′"
    if len(terms) > 1:
        for term in terms:
            yield "sign_error", correct - 2 * sympy.diff(term, x), "each term keeps its sign"


_MISTAKE_MESSAGES = {
    "forgot_inner_derivative": "Not yet: it looks like you forgot the inner derivative — "
    "multiply by the derivative of {detail}.",
    "sign_error": "Not yet: it looks like a sign error — check each minus sign.",
    "dropped_constant": "Not yet: it looks like a constant factor was dropped — {detail}.",
    "product_of_derivatives": "Not yet: that is the product of the derivatives — the product "
    "rule is (uv)′ = u′v + uv′.",
    "quotient_sign": "Not yet: the quotient rule's numerator is swapped — it is (u′v − uv′)/v², "
    "in that order.",
}


def _diagnose(answer: sympy.Expr, g: sympy.Expr, v: str, variables) -> tuple[str, str] | None:
    correct = sympy.diff(g, symbol(v))
    found = sorted(
        _candidates(g, v),
        key=lambda c: _PRIORITY.index(c[0]) if c[0] in _PRIORITY else len(_PRIORITY),
    )
    for mistake, wrong, detail in found[:40]:
        if equivalent(answer, wrong, variables) and not equivalent(wrong, correct, variables):
            return mistake, _MISTAKE_MESSAGES[mistake].format(detail=detail)
    return None


# --- grading and hints -------------------------------------------------------------------------


def _what(problem: Problem, label: str) -> str:
    if problem.asks_for == "derivative":
        return "the derivative"
    return f"the Hessian entry {label}" if problem.asks_for == "hessian_entry" else label


def check_answer(problem: Problem, typed: Sequence[str] | str) -> tuple[Verdict, ...]:
    """Grade typed answers, one per answer part, naming a common mistake when one is seen.

    Args:
        problem: the :class:`Problem` being answered.
        typed: the learner's text for each of ``problem.answer_parts`` (a lone string is taken
            as the only part); any equivalent form passes, e.g. ``"4x cos(2x^2)"``.

    Returns:
        One :class:`Verdict` per part. Unreadable text gives ``correct=False``, ``mistake=None``
        and the formula door's message; no text raises.

    Raises:
        TypeError: if ``problem`` is not a Problem.
        ValueError: if the number of typed parts differs from ``problem.answer_parts``.

    Example:
        >>> check_answer(LESSON_PROBLEMS[1], ["cos(2x^2)"])[0].mistake
        'forgot_inner_derivative'
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"check_answer expects a Problem, got {problem!r}")
    answers = (typed,) if isinstance(typed, str) else tuple(typed)
    if len(answers) != len(problem.answer_parts):
        raise ValueError(
            f"expected {len(problem.answer_parts)} typed parts for {problem.answer_parts}, "
            f"got {len(answers)}"
        )
    verdicts = []
    for text, expected, label, (g, v) in zip(
        answers, problem.expected, problem.answer_parts, _sources(problem), strict=True
    ):
        try:
            answer = parse_expression(text, problem.variables)
        except ExpressionError as exc:
            verdicts.append(Verdict(False, None, f"That could not be read: {exc}"))
            continue
        what = _what(problem, label)
        if equivalent(answer, expected, problem.variables):
            verdicts.append(Verdict(True, None, f"Correct: {_plain(answer)} is {what}."))
            continue
        found = _diagnose(answer, g, v, problem.variables)
        if found is None:
            verdicts.append(Verdict(False, None, f"Not yet: that is not {what}; try a hint."))
        else:
            verdicts.append(Verdict(False, found[0], found[1]))
    return tuple(verdicts)


_MINOR_RULES = ("constant rule", "variable rule", "sum rule")


def hints(problem: Problem) -> tuple[str, str, str]:
    """The hint ladder: which rules apply, then the first step, then the result.

    Args:
        problem: the :class:`Problem`.

    Returns:
        ``(rules, first_step, solution)``: plain sentences for the first two (rule names as
        ``derive_step_by_step`` gives them) and a LaTeX line of the result for the third.

    Example:
        >>> hints(LESSON_PROBLEMS[1])[0]
        'Rules to use: chain rule, trig rule, constant multiple rule and power rule.'
    """
    f = parse_expression(problem.function_text, problem.variables)
    wrt = problem.wrt
    if problem.asks_for == "hessian_entry":
        derivations = [derive_step_by_step(f, wrt[0]), derive_step_by_step(*_sources(problem)[0])]
    else:
        derivations = [derive_step_by_step(g, v) for g, v in _sources(problem)]
    rules = list(dict.fromkeys(r for d in derivations for r in d.rules_used))
    named = [r for r in rules if r not in _MINOR_RULES] or rules
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    first = f"Rules to use: {listed}."
    step = derivations[-1].steps[0].explanation
    if problem.asks_for == "hessian_entry":
        a, b = wrt
        inner = _plain(_sources(problem)[0][0])
        step = f"First find ∂f/∂{a} = {inner}, then differentiate it with respect to {b}. {step}"
    elif problem.asks_for in ("partial", "gradient"):
        v = wrt[0]
        others = " and ".join(n for n in problem.variables if n != v)
        step = f"For ∂f/∂{v}, treat {others} as a constant. {step}"
    results = [to_latex(e) for e in problem.expected]
    if problem.asks_for == "gradient":
        solution = r"\nabla f = \left(" + r",\ ".join(results) + r"\right)"
    else:
        solution = problem.question_latex.split(r",\quad")[0] + " = " + results[0]
    return first, step, solution
