"""'Show the code': the lesson's coding exercise, regenerated for the page's formula and point.

The script differentiates the formula with SymPy's ``diff``, turns both into numpy functions
with ``lambdify``, and checks the derivative with the lesson's central-difference
``numerical_gradient`` (``eps=1e-6``). It is generated from a validated SymPy expression and
is never run by the project: :func:`derivative_code_output` computes what it prints by doing
the same floating-point operations in the same order.

Activations that plain SymPy lacks are written out: ``sigmoid(u)`` as ``1/(1 + exp(-u))``,
``relu(u)`` as ``Max(0, u)`` and ``softplus(u)`` as ``log(1 + exp(u))``.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy
from sympy.printing.str import StrPrinter

from calc_core.expressions import numpy_ready, relu, sigmoid, softplus, symbol

__all__ = ["derivative_code", "derivative_code_output"]

_TEMPLATE = """\
import numpy as np
from sympy import {imports}

# Symbolic differentiation
{var} = symbols({var!r}, real=True)
f = {formula}
df_d{var} = diff(f, {var})
print("Symbolic derivative of f({var}):", df_d{var})

# The same two formulas as numpy functions
f_num = lambdify({var}, f, "numpy")
df_num = lambdify({var}, df_d{var}, "numpy")


# Numerical gradient (central difference), as in the lesson
def numerical_gradient(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


{var}_val = np.float64({x0!r})  # numpy numbers: 1/0 gives inf, not an exception
grad = numerical_gradient(f_num, {var}_val)
print(f"Numerical gradient at {var} = {{{var}_val}}: {{grad}}")
print(f"Exact derivative at {var} = {{{var}_val}}: {{df_num({var}_val)}}")
"""
_SCRIPT_NAMES = frozenset({"f", "f_num", "df_num", "numerical_gradient", "grad", "eps"})


class _CodePrinter(StrPrinter):
    """SymPy's ``str`` form, except that fractions stay exact when Python reads them back."""

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return str(expr.p) if expr.q == 1 else f"Rational({expr.p}, {expr.q})"


def _plain_sympy(expr: sympy.Expr) -> sympy.Expr:
    """Write the project's activations with functions every SymPy has."""
    return (
        expr.replace(sigmoid, lambda u: 1 / (1 + sympy.exp(-u)))
        .replace(softplus, lambda u: sympy.log(1 + sympy.exp(u)))
        .replace(relu, lambda u: sympy.Max(0, u))
    )


def _prepare(expr: sympy.Expr, x0: float, variable: str) -> tuple[sympy.Symbol, sympy.Expr, float]:
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"expected a sympy expression, got {expr!r}")
    if not (isinstance(variable, str) and variable.isidentifier()):
        raise ValueError(f"variable must be a name such as 'x', got {variable!r}")
    if variable in _SCRIPT_NAMES or variable.startswith("df_") or hasattr(sympy, variable):
        raise ValueError(f"variable {variable!r} clashes with a name the script uses")
    x0 = float(x0)
    if not math.isfinite(x0):
        raise ValueError(f"x0 must be a finite number, got {x0!r}")
    # Huge integers SymPy made of tiny constants (log(1e-300) = −log(10³⁰⁰)) as floats: numpy's
    # ufuncs refuse them, in the page's output and in the learner's copy of the script alike.
    return symbol(variable), numpy_ready(_plain_sympy(expr)), x0


def derivative_code(expr: sympy.Expr, x0: float, variable: str = "x") -> str:
    """Return a runnable Python script (SymPy and numpy only) that reproduces the page.

    Args:
        expr: the validated formula, from ``parse_expression``.
        x0: the point where the derivative is checked.
        variable: the formula's variable.

    Returns:
        The script's source text; its ``from sympy import`` line lists exactly the names used.

    Raises:
        TypeError: if ``expr`` is not a SymPy expression.
        ValueError: if ``x0`` is not finite or ``variable`` is not a usable name.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> code = derivative_code(parse_expression("x**2 + 3*x + 5"), 2.0)
        >>> code.splitlines()[1], code.splitlines()[5]
        ('from sympy import diff, lambdify, symbols', 'f = x**2 + 3*x + 5')
    """
    x, plain, x0 = _prepare(expr, x0, variable)
    formula = _CodePrinter().doprint(plain)
    formula = re.sub(r"\*\*\((Rational\(-?\d+, \d+\))\)", r"**\1", formula)
    used = {
        name
        for name in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", formula)
        if name != x.name and hasattr(sympy, name)
    }
    imports = ", ".join(sorted(used | {"diff", "lambdify", "symbols"}))
    return _TEMPLATE.format(imports=imports, var=x.name, formula=formula, x0=x0)


def _run(function: Callable[[Any], Any], x: Any) -> Any:
    """Call a lambdified function as the script does (its numpy warnings go to stderr)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(x)


def derivative_code_output(expr: sympy.Expr, x0: float, variable: str = "x") -> str:
    """Return exactly what the script from :func:`derivative_code` prints, without running it.

    Args:
        expr, x0, variable: as for :func:`derivative_code`.

    Returns:
        Three lines of text, each ending in a newline.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> print(derivative_code_output(parse_expression("x**2 + 3*x + 5"), 2.0), end="")
        Symbolic derivative of f(x): 2*x + 3
        Numerical gradient at x = 2.0: 7.000000000090267
        Exact derivative at x = 2.0: 7.0
    """
    x, plain, x0 = _prepare(expr, x0, variable)
    df = sympy.diff(plain, x)
    f_num = sympy.lambdify(x, plain, "numpy")
    df_num = sympy.lambdify(x, df, "numpy")
    eps = 1e-6
    x_val = np.float64(x0)
    with np.errstate(all="ignore"):
        grad = (_run(f_num, x_val + eps) - _run(f_num, x_val - eps)) / (2 * eps)
    v = x.name
    return (
        f"Symbolic derivative of f({v}): {df}\n"
        f"Numerical gradient at {v} = {x_val}: {grad}\n"
        f"Exact derivative at {v} = {x_val}: {_run(df_num, x_val)}\n"
    )
