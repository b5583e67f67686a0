"""Hostile formulas: code execution, explosive arithmetic, deep nesting, look-alike text."""

from __future__ import annotations

import contextlib
import time

import pytest

from calc_core.expressions import ExpressionError, parse_expression

CODE = [
    "__import__('os').system('touch {sentinel}')",
    '__import__("os").system("touch {sentinel}")',
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__.__mro__",
    "open('{sentinel}', 'w').write('pwned')",
    "open('/etc/passwd').read()",
    'f\'{{__import__("os").system("touch {sentinel}")}}\'',
    "lambda: __import__('os')",
    "(lambda q: q)(x)",
    "exec('import os')",
    "eval('1+1')",
    "exec(x)",
    "eval(x)",
    "getattr(x, 'real')",
    "getattr(getattr(x, x), x)",
    "compile(x, x, x)",
    "globals()",
    "__builtins__",
    "sin.__globals__",
    "x.__init__.__globals__",
    "Symbol('x')",
    "Symbol(x)",
    "Function('f')(x)",
    "N(pi, 100000)",
    "S(10)**S(10)**S(10)",
    "Integer(10)**10**10",
    "sympify('x')",
    "'''x'''",
    "b'x'",
    "r'x'",
    "[x for x in ().__class__.__bases__]",
    "{{x: x}}",
    "(x := 1)",
    "x; import os",
    "x\nimport os",
    "# comment",
    "x if __import__('os') else x",
    "await x",
    "yield x",
    "*x",
    "breakpoint()",
    "help()",
    "input()",
    "quit()",
]

HUGE = [
    "9**9**9",
    "9^9^9",
    "(13/10)**6472416997",
    "(13/10)**647241",
    "2**1000",
    "2^1000",
    "10**10**10",
    "exp(exp(exp(10*E)))",
    "exp(exp(10))",
    "exp(1000)",
    "sinh(1000)",
    "cosh(1000)",
    "factorial(10**8)",
    "x**(10**8)",
    "(x+1)**1000",
    "((x+1)**100)**100 * 10**7",
    "((99/98)**99)**99",
    "(((sqrt(999999)/sqrt(999998))**99)**99)**99",
    "((x*999999/999998)**99)**99",
    "1e308*10",
    "1e999",
    "999999999999999999999",
    "10**6**2",
    "tan(pi/2)",
    "1/(1-1)",
    "0**(-1)",
    "log(-1)",
    "sqrt(-2)",
    "asin(2)",
    # found by fuzzing: SymPy extracting exact roots or pulling constants out of exponents
    "(x/999999)^(1e-15)",
    "x^(999999^(exp(999998^x) - 999998 - x))",
]

NESTED = [
    "(" * 1000 + "x" + ")" * 1000,
    "(" * 99 + "x" + ")" * 98,
    "-" * 10000 + "x",
    "-" * 199 + "x",
    "sin(" * 500 + "x" + ")" * 500,
    "sin(" * 40 + "x" + ")" * 40,
    "exp(" * 30 + "x" + ")" * 30,
    "x" + "**x" * 60,
    "x" + "+x" * 99,
    "x" * 10**6,
    "1" * 199,
    "(" * 100,
    ")" * 100,
]

LOOKALIKES = [
    "ｘ**2",  # fullwidth x
    "х**2",  # Cyrillic ha
    "x\u200b**2",  # zero-width space
    "x\u200d",  # zero-width joiner
    "\ufeffx",  # byte-order mark
    "𝑥**2",  # mathematical italic x, which Python itself would read as x
    "ⅹ",  # Roman numeral ten
    "x\x00",
    "\x00",
    "x\x1b[31m",
    "s\u0456n(x)",  # Cyrillic i
    "x\u2028",  # line separator
    "\U0001f600",
]

CORPUS = [pytest.param(t, id=f"code{i}") for i, t in enumerate(CODE)]
CORPUS += [pytest.param(t, id=f"huge{i}") for i, t in enumerate(HUGE)]
CORPUS += [pytest.param(t, id=f"nested{i}") for i, t in enumerate(NESTED)]
CORPUS += [pytest.param(t, id=f"lookalike{i}") for i, t in enumerate(LOOKALIKES)]


@pytest.mark.parametrize("template", CORPUS)
def test_hostile_input_is_refused_quickly_without_side_effects(template, tmp_path):
    """Every hostile input raises ExpressionError within 2 s and runs no code."""
    sentinel = tmp_path / "pwned"
    text = template.replace("{sentinel}", str(sentinel)) if "{sentinel}" in template else template
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        parse_expression(text, ("x", "y"))
    assert time.perf_counter() - start < 2.0
    assert not sentinel.exists()
    message = str(info.value)
    assert message and len(message) < 300 and "\n" not in message


def test_the_whole_corpus_twice_stays_fast():
    """The corpus, parsed twice (no caching of failures), takes well under a second each."""
    for _ in range(2):
        for param in CORPUS:
            start = time.perf_counter()
            with pytest.raises(ExpressionError):
                parse_expression(param.values[0], ("x", "y"))
            assert time.perf_counter() - start < 0.5


def test_non_string_input_is_refused():
    """None, bytes and numbers are not formulas."""
    for value in (None, b"x", 3, ["x"]):
        with pytest.raises(ExpressionError):
            parse_expression(value)  # type: ignore[arg-type]


def test_redundant_brackets_are_harmless():
    """99 pairs of brackets around x are just x: brackets add no depth."""
    assert parse_expression("(" * 99 + "x" + ")" * 99) == parse_expression("x")


@pytest.mark.parametrize(
    "text",
    [
        "exp(log(999999)*1e-15/(1+log(999999)))*x",
        "(x^atan(asin(1e-15) + 1/997))^(999999^(exp(999998^x) + exp(1/3) - x - 999999))",
        "2^(1/97)*2^(1/89)*2^(1/83)*2^(1/79)*2^(1/73)*2^(1/71)*2^(1/67)*2^(1/61)*2^(1/59)",
    ],
)
def test_inputs_found_by_fuzzing_answer_quickly(text):
    """Inputs that once made SymPy work for minutes now answer (either way) within 2 s."""
    start = time.perf_counter()
    with contextlib.suppress(ExpressionError):
        parse_expression(text)
    assert time.perf_counter() - start < 2.0
