"""Cached doors to the exercise bank: problems from (rule, level, seed), grading in the worker."""

from __future__ import annotations

import streamlit as st

from calc_core.exercises import (
    LESSON_PROBLEMS,
    Problem,
    Verdict,
    check_answer,
    generate_problem,
    hints,
)
from calc_core.symbolic_worker import run_symbolic
from ui.cache import HOUR

LESSON = "lesson"  # the rule name under which the lesson's own problems are offered


@st.cache_data(max_entries=4096, ttl=HOUR, show_spinner=False)
def problem_for(rule: str, level: int, seed: int) -> Problem:
    """The problem a (rule, level, seed) names: the same three numbers give the same problem."""
    if rule == LESSON:  # seed 1 is the lesson's first problem, 2 its second, and so on
        return LESSON_PROBLEMS[(seed - 1) % len(LESSON_PROBLEMS)]
    return generate_problem(rule, level, seed)


@st.cache_data(max_entries=8192, ttl=HOUR, show_spinner=False)
def graded(rule: str, level: int, seed: int, typed: tuple[str, ...]) -> tuple[Verdict, ...]:
    """One verdict per answer part, computed in the killable worker (typed text is untrusted)."""
    return run_symbolic(check_answer, problem_for(rule, level, seed), typed, timeout=8.0)


@st.cache_data(max_entries=4096, ttl=HOUR, show_spinner=False)
def hint_ladder(rule: str, level: int, seed: int) -> tuple[str, ...]:
    """The three hints: which rule, the first step, the result."""
    return tuple(run_symbolic(hints, problem_for(rule, level, seed), timeout=8.0))
