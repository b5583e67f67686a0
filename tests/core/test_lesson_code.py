"""'Show the code': the generated script runs with plain SymPy and prints what we predict."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
import sympy

from calc_core.expressions import parse_expression
from calc_core.lesson_code import derivative_code, derivative_code_output

CASES = [
    ("x**2 + 3*x + 5", 2.0),
    ("sin(2*x**2)", 1.0),
    ("sigmoid(x)", 0.5),
    ("relu(x)", 1.0),
    ("relu(x)", -0.5),
    ("softplus(x)", -1.0),
    ("tanh(x)", 0.3),
    ("ln(x)", 2.0),
    ("log(x)", -1.0),
    ("sqrt(x)", 4.0),
    ("x**x", 1.5),
    ("x**(1/3) + 0.5", 2.0),
    ("abs(x)", -2.0),
    ("exp(-x^2/2) / sqrt(2pi)", 0.7),
    ("sigmoid(3x - 1) * relu(x)", 0.25),
    ("1/x", 0.0),
    ("e^x + atan(x) - cosh(x)/3", -1.25),
]


def _run_script(code: str, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "lesson.py"
    path.write_text(code)
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(("text", "x0"), CASES)
def test_script_prints_exactly_the_predicted_output(text, x0, tmp_path):
    """The script exits 0 and its stdout equals derivative_code_output, character for character."""
    expr = parse_expression(text)
    result = _run_script(derivative_code(expr, x0), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == derivative_code_output(expr, x0)


def test_lesson_numbers():
    """The lesson's example: derivative 2*x + 3 and a central difference of about 7.0 at 2.0."""
    lines = derivative_code_output(parse_expression("x**2 + 3*x + 5"), 2.0).splitlines()
    assert lines[0] == "Symbolic derivative of f(x): 2*x + 3"
    assert lines[1].startswith("Numerical gradient at x = 2.0: ")
    assert float(lines[1].rsplit(": ", 1)[1]) == pytest.approx(7.0, abs=1e-6)
    assert lines[2] == "Exact derivative at x = 2.0: 7.0"
    chain = derivative_code_output(parse_expression("sin(2x^2)"), 1.0).splitlines()[0]
    assert chain == "Symbolic derivative of f(x): 4*x*cos(2*x**2)"


@pytest.mark.parametrize(("text", "x0"), CASES)
def test_script_is_plain_and_imports_exactly_what_it_uses(text, x0):
    """Only numpy and sympy are imported, the sympy import lists exactly the names used, and
    the lesson's numerical_gradient appears verbatim."""
    code = derivative_code(parse_expression(text), x0)
    tree = ast.parse(code)
    imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert [ast.unparse(node).split()[1] for node in imports] == ["numpy", "sympy"]
    imported = {alias.name for alias in imports[1].names}
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert imported == loaded & set(dir(sympy)) - {"x"}
    assert "calc_core" not in code and "sigmoid" not in code and "relu" not in code
    assert "def numerical_gradient(f, x, eps=1e-6):\n" in code
    assert "    return (f(x + eps) - f(x - eps)) / (2 * eps)\n" in code


def test_other_variable_name():
    """A formula in t uses t throughout."""
    expr = parse_expression("t**3", ("t",))
    code = derivative_code(expr, 1.0, "t")
    assert "t = symbols('t', real=True)" in code and "df_dt = diff(f, t)" in code
    assert derivative_code_output(expr, 1.0, "t").splitlines()[0] == (
        "Symbolic derivative of f(t): 3*t**2"
    )


@pytest.mark.parametrize(
    ("args", "quoted"),
    [
        (("x", 1.0), "'x'"),
        ((sympy.Symbol("x"), float("nan")), "nan"),
        ((sympy.Symbol("f"), 1.0, "f"), "'f'"),
        ((sympy.Symbol("x"), 1.0, "exp"), "'exp'"),
        ((sympy.Symbol("x"), 1.0, "2x"), "'2x'"),
    ],
)
def test_bad_arguments_are_refused(args, quoted):
    """Non-expressions, non-finite points and clashing variable names are refused, quoted."""
    for function in (derivative_code, derivative_code_output):
        with pytest.raises((TypeError, ValueError)) as info:
            function(*args)
        assert quoted in str(info.value)
