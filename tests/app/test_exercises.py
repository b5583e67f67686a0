"""The exercises page: conceptual questions, graded practice with hints, the coding exercise."""

from __future__ import annotations

import pytest

from calc_core.exercises import CONCEPT_QUESTIONS, generate_problem

PAGE = "pages/exercises.py"


@pytest.fixture
def page(open_app):
    return open_app(PAGE)


def _tab(at, label: str):
    at.session_state["ex.section"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _answer(at, *typed: str):
    boxes = [box for box in at.text_input if (box.key or "").startswith("ex.answer.")]
    assert len(boxes) == len(typed)
    for box, text in zip(boxes, typed, strict=True):
        box.input(text)
    next(b for b in at.button if b.label == "Check my answer").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_conceptual_questions_start_with_the_lessons_three(page):
    """Every concept question is asked, the lesson's first, each with its options."""
    assert len(page.radio) == len(CONCEPT_QUESTIONS) >= 9
    assert "chain rule" in page.markdown[1].value.lower() or any(
        "chain rule" in m.value.lower() for m in page.markdown[:4]
    )


def test_revealing_a_model_answer_grades_the_pick(page):
    """The right pick is confirmed, and the model answer appears."""
    question = CONCEPT_QUESTIONS[0]
    page.radio(key=f"ex.concept.{question.key}").set_value(question.correct_choice).run()
    page.toggle(key=f"ex.reveal.{question.key}").set_value(True).run()
    assert any("right" in s.value for s in page.success)
    assert any(question.model_answer[:40] in m.value for m in page.markdown)


def test_the_lessons_first_problem_accepts_any_correct_form(page):
    """d/dx (x² + 3x + 5): '2x + 3' and '3 + x*2' pass, '2x' fails."""
    _tab(page, "Math practice")
    assert "x^{2} + 3 x + 5" in page.latex[0].value
    _answer(page, "2x + 3")
    assert page.success and not page.error
    _answer(page, "3 + x*2")
    assert page.success and not page.error
    _answer(page, "2x")
    assert page.error and not page.success


def test_the_chain_rule_problem_names_the_forgotten_inner_derivative(page):
    """sin(2x²): answering cos(2x²) is flagged as a forgotten inner derivative."""
    _tab(page, "Math practice")
    page.number_input(key="ex.seed").set_value(2).run()
    _answer(page, "cos(2x^2)")
    assert page.error
    assert any("inner" in c.value.lower() for c in [*page.caption, *page.error])
    _answer(page, "2*2x*cos(2x**2)")
    assert page.success and not page.error


def test_hint_ladder_ends_in_the_full_step_by_step_solution(page):
    """Three hints: rule, first step, then the whole derivation as expanders."""
    _tab(page, "Math practice")
    for _ in range(3):
        next(b for b in page.button if b.label.startswith("Show a hint")).click().run()
    assert len(page.info) >= 2
    assert any("chain" in e.label or "sum" in e.label for e in page.expander)


@pytest.mark.parametrize(("rule", "level", "seed"), [("chain", 2, 7), ("gradient", 1, 3)])
def test_a_generated_problem_is_reproducible_and_graded(page, rule, level, seed):
    """The same rule, level and seed on the page give calc_core's problem; its answer passes."""
    problem = generate_problem(rule, level, seed)
    _tab(page, "Math practice")
    page.selectbox(key="ex.rule").set_value(rule).run()
    page.segmented_control(key="ex.level").set_value(level).run()
    page.number_input(key="ex.seed").set_value(seed).run()
    assert any(problem.key in c.value for c in page.caption)
    _answer(page, *(str(e) for e in problem.expected))
    assert len(page.success) == len(problem.expected) and not page.error


def test_garbage_answers_get_a_message_not_a_traceback(page):
    """Unreadable or hostile answers: a short error, the page keeps working."""
    _tab(page, "Math practice")
    for typed in ("2x +* 3", "__import__('os')", "9**9**9"):
        _answer(page, typed)
        assert page.error and not page.exception


def test_coding_tab_shows_the_lesson_code_and_its_output(page):
    """The lesson's exercise at x = 2: output 2*x + 3 and 7.0, and the O(h²) explanation."""
    _tab(page, "Coding")
    code, output = (c.value for c in page.code[:2])
    assert "numerical_gradient" in code
    assert "2*x + 3" in output and "7.0" in output
    assert any("O(h²)" in m.value for m in page.markdown)
