"""Exercises: the lesson's questions, auto-graded derivative practice with hints, coding."""

from __future__ import annotations

import random

import streamlit as st

from calc_core.exercises import CONCEPT_QUESTIONS, LEVELS, MISTAKES, RULE_TITLES
from ui.cache import derivation_of
from ui.derivation import show_derivation
from ui.formula_input import formula_input
from ui.links import BIND
from ui.navigation import page_for
from ui.network import whole_number_binding
from ui.practice import LESSON, graded, hint_ladder, problem_for
from ui.presentation import explain
from ui.presets import CODING_PRESETS
from ui.single_variable import central_difference_check, lesson_code
from ui.tabs import lazy_tabs
from viz.format import number

RULE_NAMES = {LESSON: "The lesson's two problems", **RULE_TITLES}


def conceptual() -> None:
    """The lesson's three questions and more: answer first, then reveal a model answer.

    The picks and the words are the learner's own (not in the link); which model answers are
    revealed is part of the view, so a teacher can share a question with its answer shown.
    """
    explain(
        "Pick an answer (or write your own), then reveal the model answer and compare. "
        "Each answer links to the page that shows the idea."
    )
    for number_shown, question in enumerate(CONCEPT_QUESTIONS, start=1):
        with st.container(border=True):
            st.caption(question.topic)
            st.markdown(f"**{number_shown}. {question.question}**")
            picked = st.radio(
                "Your answer",
                range(len(question.choices)),
                format_func=lambda i, q=question: q.choices[i],
                index=None,
                key=f"ex.concept.{question.key}",
            )
            st.text_area(
                "Or in your own words", key=f"ex.words.{question.key}", height=80,
                placeholder="Write it as you would explain it to a classmate.",
            )  # fmt: skip
            if st.toggle("Reveal the model answer", key=f"ex.reveal.{question.key}", bind=BIND):
                if picked is None:
                    st.info("No option picked: compare your own words with the model answer.")
                elif picked == question.correct_choice:
                    st.success("Your pick is right.", icon=":material/check_circle:")
                else:
                    right = question.choices[question.correct_choice]
                    st.warning(f"Not quite: the best answer is “{right}”.", icon=":material/info:")
                st.markdown(question.model_answer)
                page = page_for(question.page)
                if page is not None:
                    st.page_link(str(page.file), label=f"See it: {page.title}", icon=page.icon)


def _new_problem() -> None:
    st.session_state["ex.seed"] = random.randrange(1, 10_000)


def _next_hint(key: str) -> None:
    st.session_state[f"ex.hints.{key}"] = min(3, st.session_state.get(f"ex.hints.{key}", 0) + 1)


def math_practice() -> None:
    """A problem from the bank, graded by equivalence, with a hint ladder.

    The problem shown (rule, level, seed) is in the link; the typed answers and the hints
    asked for are the learner's own.
    """
    choose = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    rule = choose[0].selectbox(
        "Practise", list(RULE_NAMES), format_func=RULE_NAMES.get, key="ex.rule", bind=BIND
    )
    level = choose[1].segmented_control(
        "Level", LEVELS, default=1, key="ex.level", required=True,
        disabled=rule == LESSON, bind=BIND,
    )  # fmt: skip
    seed = choose[2].number_input(
        "Seed", min_value=0, max_value=99_999, value=1, step=1, key="ex.seed",
        help="The same rule, level and seed always give the same problem: share it.",
        bind=whole_number_binding("ex.seed"),
    )  # fmt: skip
    choose[3].button("New problem", key="ex.new", on_click=_new_problem, width="stretch")

    problem = problem_for(rule, int(level or 1), int(seed))
    st.caption(f"Problem {problem.key}")
    st.markdown(problem.question)
    st.latex(problem.question_latex)

    with st.form(f"ex.form.{problem.key}"):
        typed = tuple(
            st.text_input(f"{part} =", key=f"ex.answer.{problem.key}.{index}")
            for index, part in enumerate(problem.answer_parts)
        )
        checked = st.form_submit_button("Check my answer", type="primary")
    if checked:
        st.session_state[f"ex.checked.{problem.key}"] = typed
    answered = st.session_state.get(f"ex.checked.{problem.key}")
    if answered:
        try:
            verdicts = graded(rule, int(level or 1), int(seed), tuple(answered))
        except ValueError as error:
            st.error(str(error), icon=":material/error:")
        else:
            for part, verdict in zip(problem.answer_parts, verdicts, strict=True):
                show = st.success if verdict.correct else st.error
                show(f"{part}: {verdict.message}")
                if verdict.mistake:
                    st.caption(MISTAKES[verdict.mistake])

    shown = st.session_state.get(f"ex.hints.{problem.key}", 0)
    if shown < 3:
        st.button(
            f"Show a hint ({shown + 1} of 3)",
            key=f"ex.hint.{problem.key}",
            on_click=_next_hint,
            args=(problem.key,),
        )
    if shown:
        ladder = hint_ladder(rule, int(level or 1), int(seed))
        for step, hint in enumerate(ladder[: min(shown, 2)], start=1):
            st.info(f"Hint {step}: {hint}", icon=":material/lightbulb:")
    if shown >= 3:
        st.markdown("**The full solution, step by step:**")
        for variable in dict.fromkeys(problem.wrt):
            if len(problem.wrt) > 1 or problem.asks_for != "derivative":
                st.markdown(f"With respect to **{variable}**:")
            show_derivation(
                derivation_of(problem.function_text, variable, problem.variables),
                expand_all=True,
            )
        st.markdown("**Hint 3, the answer:**")
        st.latex(ladder[2])


def coding() -> None:
    """The lesson's coding exercise, for a function and point the learner chooses."""
    explain(
        "The lesson's coding exercise (sympy's `diff`, the chain-rule example and the central "
        "difference `numerical_gradient`), generated for your function and point. The output "
        "below is computed by this project; the code is generated, never run from your text."
    )
    formula = formula_input("ex.code_f", default="x**2 + 3*x + 5", presets=CODING_PRESETS)
    x0 = st.number_input("at x =", value=2.0, step=0.5, key="ex.code_x0", format="%.4g", bind=BIND)
    code, output = lesson_code(formula.text, float(x0))
    st.code(code, language="python")
    st.caption("What it prints:")
    st.code(output, language="text")
    check = central_difference_check(formula.text, float(x0))
    explain(
        r"**Why the central difference is accurate to O(h²).** Taylor's theorem gives "
        r"$f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x)"
        r" \pm \tfrac{h^3}{6} f'''(x) + \dots$ "
        r"Subtracting, the even powers cancel: "
        r"$\frac{f(x+h) - f(x-h)}{2h} = f'(x) + \tfrac{h^2}{6} f'''(x) + \dots$, "
        r"so the error shrinks with h², a hundredfold for every tenfold smaller h (the "
        r"one-sided quotient only tenfold). "
        + (
            f"Here, with eps = 1e-6, the central difference is off by {number(check, 2)}."
            if check is not None
            else "At this point f has no derivative to compare with."
        )
    )


st.title("Exercises")
explain(
    "Practise what the lesson teaches: questions to think through, derivatives to compute by "
    "hand (graded at once, any correct form accepted), and the lesson's code."
)
SECTIONS = {"Conceptual": conceptual, "Math practice": math_practice, "Coding": coding}
lazy_tabs(SECTIONS, key="ex.section")
