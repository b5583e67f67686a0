"""Practice bank: lesson problems, generator, grading by equivalence, mistakes, hints, concepts."""

from __future__ import annotations

import time

import pytest
import sympy

from calc_core.derivatives import derivative
from calc_core.exercises import (
    CONCEPT_QUESTIONS,
    LESSON_PROBLEMS,
    LEVELS,
    MISTAKES,
    RULE_TITLES,
    RULES,
    Problem,
    check_answer,
    equivalent,
    generate_problem,
    hints,
)
from calc_core.expressions import LIMITS, parse_expression, symbol
from calc_core.multivariate import gradient, hessian
from calc_core.steps import derive_step_by_step

x, y = symbol("x"), symbol("y")
SEEDS = range(8)
ALL = [generate_problem(r, lvl, s) for r in RULES for lvl in LEVELS for s in SEEDS]


def grade(problem: Problem, *typed: str):
    return check_answer(problem, list(typed))


def independent(problem: Problem) -> tuple[sympy.Expr, ...]:
    """The expected answers recomputed with the project's derivative, gradient and hessian."""
    f = parse_expression(problem.function_text, problem.variables)
    if problem.asks_for in ("derivative", "partial"):
        return (derivative(f, problem.wrt[0]),)
    if problem.asks_for == "gradient":
        return gradient(f, problem.wrt)
    H = hessian(f, problem.variables)
    i, j = (problem.variables.index(v) for v in problem.wrt)
    return (H[i, j],)


# --- the lesson's problems ---------------------------------------------------------------------


def test_lesson_problems_come_first_with_their_derivatives():
    """d/dx (x² + 3x + 5) = 2x + 3 and d/dx sin(2x²) = 4x·cos(2x²)."""
    first, second = LESSON_PROBLEMS
    assert (first.key, first.function_text) == ("lesson-1", "x**2 + 3*x + 5")
    assert (second.key, second.function_text) == ("lesson-2", "sin(2*x**2)")
    assert sympy.expand(first.expected[0] - (2 * x + 3)) == 0
    assert sympy.expand(second.expected[0] - 4 * x * sympy.cos(2 * x**2)) == 0


@pytest.mark.parametrize("typed", ["2x + 3", "3 + 2*x", "2*(x + 1.5)", "(4x + 6)/2"])
def test_lesson_one_accepts_any_form(typed):
    """Every equivalent form of 2x + 3 is graded correct."""
    (verdict,) = grade(LESSON_PROBLEMS[0], typed)
    assert verdict.correct and verdict.mistake is None, verdict


@pytest.mark.parametrize(
    "typed", ["4x cos(2x^2)", "2*2*x*cos(2*x**2)", "4*x*cos(2*x^2)", "x*cos(2x²)*4"]
)
def test_lesson_two_accepts_any_form(typed):
    """Every equivalent form of 4x·cos(2x²) is graded correct."""
    (verdict,) = grade(LESSON_PROBLEMS[1], typed)
    assert verdict.correct, verdict
    assert verdict.message.startswith("Correct")


@pytest.mark.parametrize(
    ("problem", "typed"),
    [(0, "2x"), (0, "x**2 + 3"), (0, "2x + 4"), (1, "4x sin(2x^2)"), (1, "cos(4x)")],
)
def test_lesson_wrong_answers_fail(problem, typed):
    """Wrong answers to the lesson's problems are graded wrong."""
    (verdict,) = grade(LESSON_PROBLEMS[problem], typed)
    assert not verdict.correct
    assert verdict.message.startswith("Not yet")


# --- the generator -----------------------------------------------------------------------------


def test_same_seed_same_problem_and_seeds_vary():
    """(rule, level, seed) fixes the problem; different seeds give different formulas."""
    for rule in RULES:
        for level in LEVELS:
            assert generate_problem(rule, level, 42) == generate_problem(rule, level, 42)
            texts = {generate_problem(rule, level, s).function_text for s in range(12)}
            assert len(texts) >= 3, (rule, level, texts)


def test_problem_fields_are_consistent():
    """Keys, rules, levels, labels and titles agree with the problem's kind."""
    assert set(RULE_TITLES) == set(RULES)
    assert RULE_TITLES["exp_log"] == "Exponentials and logarithms"
    for p in ALL:
        rule, level, seed = p.key.split("-")
        assert int(seed) in SEEDS
        assert (rule, int(level)) == (p.rule, p.level)
        assert len(p.answer_parts) == len(p.expected) >= 1
        assert p.question.endswith(".") and p.question_latex
        if p.rule in ("partial", "gradient", "hessian"):
            assert p.variables == ("x", "y")
        else:
            assert (p.variables, p.asks_for, p.wrt) == (("x",), "derivative", ("x",))


@pytest.mark.parametrize(
    ("rule", "level", "seed"), [("powers", 1, 0), ("chain", 4, 0), ("chain", True, 0)]
)
def test_bad_arguments_are_quoted(rule, level, seed):
    """An unknown rule or level raises ValueError quoting it."""
    with pytest.raises(ValueError, match=repr(rule if rule not in RULES else level)):
        generate_problem(rule, level, seed)


def test_generated_problems_fit_the_parser_and_are_nice():
    """Every function_text reparses to the same formula, within budgets, small integers."""
    for p in ALL:
        assert len(p.function_text) < LIMITS.max_chars
        f = parse_expression(p.function_text, p.variables)
        assert sympy.sstr(f) == p.function_text
        integers = [abs(int(n)) for n in f.atoms(sympy.Integer)]
        assert max(integers, default=0) <= 81, p.function_text


def test_expected_matches_independent_computation():
    """Over 200 problems: expected equals diff / gradient / hessian of the function text."""
    assert len(ALL) >= 200
    for p in ALL:
        for got, ref in zip(p.expected, independent(p), strict=True):
            assert equivalent(got, ref, p.variables), (p.key, got, ref)
            assert got != 0


def test_generated_answers_in_two_forms_pass_and_wrong_ones_fail():
    """The correct answer as printed and expanded passes; +1, ×2 and another function fail."""
    for p in ALL:
        printed = [sympy.sstr(e) for e in p.expected]
        expanded = [sympy.sstr(sympy.expand(e)) for e in p.expected]
        for typed in (printed, expanded):
            assert all(v.correct for v in check_answer(p, typed)), (p.key, typed)
        for wrong in (
            [f"({t}) + 1" for t in printed],
            [f"2*({t})" for t in printed],
            ["sin(x) + 7" for _ in printed],
        ):
            assert not any(v.correct for v in check_answer(p, wrong)), (p.key, wrong)


def test_a_gradient_grades_each_component():
    """One right and one wrong component give one correct and one wrong verdict."""
    p = next(q for q in ALL if q.asks_for == "gradient")
    right, wrong = sympy.sstr(p.expected[0]), f"({sympy.sstr(p.expected[1])}) + 1"
    first, second = check_answer(p, [right, wrong])
    assert first.correct and not second.correct


# --- mistakes ----------------------------------------------------------------------------------


def made_up(text: str, variables=("x",), wrt=("x",), asks_for="derivative") -> Problem:
    """A problem for any formula, built as generate_problem builds them."""
    base = generate_problem("chain", 1, 0)
    f = parse_expression(text, variables)
    expected = tuple(sympy.diff(f, symbol(v)) for v in wrt)
    return Problem(
        "test", base.rule, 1, text, variables, asks_for, wrt, "", "", ("f′",) * len(wrt), expected
    )


@pytest.mark.parametrize(
    ("text", "typed", "mistake"),
    [
        ("sin(2*x**2)", "cos(2*x**2)", "forgot_inner_derivative"),
        ("(3*x + 1)**4", "4*(3*x + 1)**3", "forgot_inner_derivative"),
        ("cos(x)", "sin(x)", "sign_error"),
        ("x**2 - 5*x", "2x + 5", "sign_error"),
        ("7*x**3", "3*x**2", "dropped_constant"),
        ("x**4 + x", "x**3 + 1", "dropped_constant"),
        ("x**2*sin(x)", "2*x*cos(x)", "product_of_derivatives"),
        ("x*exp(3*x)", "3*exp(3*x)", "product_of_derivatives"),
        ("sin(x)/x", "(sin(x) - x*cos(x))/x**2", "quotient_sign"),
        ("x**2/(x + 1) + x", "(x**2 - 2*x*(x + 1))/(x + 1)**2 + 1", "quotient_sign"),
    ],
)
def test_each_mistake_is_named(text, typed, mistake):
    """A typed answer that a common mistake produces is named, with its explanation."""
    (verdict,) = grade(made_up(text), typed)
    assert not verdict.correct
    assert verdict.mistake == mistake, verdict
    assert mistake in MISTAKES and verdict.message.startswith("Not yet")


def test_lesson_mistake_message_names_the_inner_function():
    """Forgetting the inner derivative of sin(2x²) says to multiply by the derivative of 2x²."""
    (verdict,) = grade(LESSON_PROBLEMS[1], "cos(2x^2)")
    assert verdict.mistake == "forgot_inner_derivative"
    assert "2x²" in verdict.message


def test_partial_forgot_inner_derivative():
    """∂/∂x sin(x y) typed as cos(x y) is the forgotten inner derivative y."""
    p = made_up("sin(x*y)", ("x", "y"), ("x",), "partial")
    assert grade(p, "cos(x*y)")[0].mistake == "forgot_inner_derivative"


def test_correct_and_unrelated_answers_are_never_flagged():
    """A correct answer carries no mistake, and an unrelated wrong one names none."""
    for p in ALL[::3]:
        assert all(v.mistake is None for v in check_answer(p, [sympy.sstr(e) for e in p.expected]))
    assert grade(LESSON_PROBLEMS[1], "x**3 + 1")[0].mistake is None


# --- hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "__import__('os').system('ls')",
        "9**9**9",
        "(x+1)**100",
        "(sin(x) + cos(x) + exp(x) + x + 1)**100",
        "exp(exp(exp(x)))",
        "y + 1",
        "x" * 500,
        "1/0",
        "log(-x**2 - 1)",
        "relu(x) + abs(x)",
        "((((((((((x))))))))))",
    ],
)
def test_garbage_gives_a_verdict_quickly(typed):
    """Any text is graded (never raises) in well under a second."""
    start = time.perf_counter()
    (verdict,) = grade(LESSON_PROBLEMS[1], typed)
    assert time.perf_counter() - start < 2.0
    assert not verdict.correct
    assert verdict.message


def test_unreadable_text_reports_the_formula_door_message():
    """A parse error becomes a wrong verdict with no mistake and the door's message."""
    (verdict,) = grade(LESSON_PROBLEMS[0], "sin(")
    assert (verdict.correct, verdict.mistake) == (False, None)
    assert verdict.message.startswith("That could not be read:")


def test_wrong_number_of_parts_is_a_programming_error():
    """Typing one part for a two-part gradient raises ValueError."""
    p = next(q for q in ALL if q.asks_for == "gradient")
    with pytest.raises(ValueError, match="expected 2"):
        check_answer(p, ["x"])


def test_equivalent_numeric_fallback_and_domains():
    """Identities expand cannot see pass numerically; too few common points do not pass."""
    assert equivalent(sympy.sin(2 * x), 2 * sympy.sin(x) * sympy.cos(x), ("x",))
    assert not equivalent(sympy.log(x), sympy.log(-x), ("x",))  # never both defined
    assert equivalent(1 / (2 * sympy.sqrt(x)), sympy.sqrt(x) / (2 * x), ("x",))
    assert not equivalent(x, sympy.Abs(x), ("x",))
    with pytest.raises(ValueError, match="'y'"):
        equivalent(x, y, ("x",))


# --- hints -------------------------------------------------------------------------------------


def used_rules(p: Problem) -> set[str]:
    f = parse_expression(p.function_text, p.variables)
    if p.asks_for == "hessian_entry":
        a, b = p.wrt
        pairs = [(f, a), (sympy.diff(f, symbol(a)), b)]
    else:
        pairs = [(f, v) for v in p.wrt]
    return {r for g, v in pairs for r in derive_step_by_step(g, v).rules_used}


def test_hints_are_a_three_step_ladder():
    """Three non-empty hints; the first names a rule derive_step_by_step uses."""
    for p in (*LESSON_PROBLEMS, *ALL[::2]):
        ladder = hints(p)
        assert len(ladder) == 3 and all(isinstance(h, str) and h for h in ladder)
        assert any(rule in ladder[0] for rule in used_rules(p)), (p.key, ladder[0])
    assert "chain rule" in hints(LESSON_PROBLEMS[1])[0]
    assert hints(LESSON_PROBLEMS[0])[2].endswith("= 2 x + 3")


# --- conceptual questions ----------------------------------------------------------------------


def test_concept_questions():
    """At least nine, the lesson's three first, each with a valid choice and a model answer."""
    assert len(CONCEPT_QUESTIONS) >= 9
    assert [q.topic for q in CONCEPT_QUESTIONS[:3]] == [
        "chain rule",
        "gradient",
        "partial derivatives",
    ]
    topics = {q.topic for q in CONCEPT_QUESTIONS}
    assert {"Jacobian", "Hessian", "Newton's method", "learning rate"} <= topics
    assert len({q.key for q in CONCEPT_QUESTIONS}) == len(CONCEPT_QUESTIONS)
    for q in CONCEPT_QUESTIONS:
        assert 3 <= len(q.choices) <= 4
        assert 0 <= q.correct_choice < len(q.choices)
        assert len(q.model_answer) > 80 and q.question.endswith("?")
        assert q.page in {
            "intuition",
            "derivatives",
            "chain_rule",
            "backprop",
            "partial_derivatives",
            "gradient",
            "jacobian",
            "hessian",
            "gradient_descent",
        }
