"""The exercises page's links: the section, the problem (rule, level, seed), the model answers
revealed and the coding exercise's f and x travel in the URL; a learner's answers do not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from calc_core.exercises import CONCEPT_QUESTIONS, RULE_TITLES
from tests.app.conftest import ENTRY, TIMEOUT, ok
from tests.app.links import Params, link_params, view_of

PAGE = "pages/exercises.py"
FEW = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
DEFAULT_F = "x^{2} + 3 x + 5"  # the coding exercise's default formula, as LaTeX shows it


def _open(params: Params | dict[str, str]) -> AppTest:
    """A fresh session opening the page's URL with these query parameters."""
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    for key, values in params.items():
        at.query_params[key] = values if isinstance(values, str) or len(values) != 1 else values[0]
    return ok(at.switch_page(PAGE).run())


def _tab(at: AppTest, label: str) -> AppTest:
    at.session_state["ex.section"] = label
    return ok(at.run())


def _shown(at: AppTest) -> dict[str, Any]:
    """What the learner reads besides the widgets: the problem's name, formulas and code."""
    return {
        "captions": [c.value for c in at.caption],
        "latex": [x.value for x in at.latex],
        "code": [c.value for c in at.code],
        "success": [s.value for s in at.success],
    }


def _same_view(at: AppTest) -> AppTest:
    again = _open(link_params(at))
    assert view_of(again) == view_of(at)
    assert _shown(again) == _shown(at)
    return again


def test_revealed_model_answers_are_in_the_link_and_the_picks_are_not():
    """Two answers revealed, one option picked: the link reveals the same two, picks nothing."""
    at = _open({})
    first, second = CONCEPT_QUESTIONS[3], CONCEPT_QUESTIONS[7]
    at.radio(key=f"ex.concept.{first.key}").set_value(first.correct_choice).run()
    for question in (first, second):
        at.toggle(key=f"ex.reveal.{question.key}").set_value(True).run()
    params = link_params(at)
    assert params[f"ex.reveal.{first.key}"] == ["true"]
    assert not [key for key in params if key.startswith(("ex.concept.", "ex.words."))]
    again = _open(params)
    assert view_of(again) == view_of(at)
    assert again.radio(key=f"ex.concept.{first.key}").value is None
    assert any(first.model_answer[:40] in m.value for m in again.markdown)
    assert any(second.model_answer[:40] in m.value for m in again.markdown)


@pytest.mark.parametrize(
    ("rule", "level", "seed"), [("chain", 3, 42), ("hessian", 2, 99_999), ("lesson", 1, 2)]
)
def test_the_problem_shown_is_its_own_link(rule, level, seed):
    """Rule, level and seed: the link opens the same problem (its name, formulas, tab)."""
    at = _tab(_open({}), "Math practice")
    at.selectbox(key="ex.rule").set_value(rule).run()
    if rule != "lesson":
        at.segmented_control(key="ex.level").set_value(level).run()
    at.number_input(key="ex.seed").set_value(seed).run()
    assert any(f"-{seed}" in c.value or rule == "lesson" for c in at.caption)
    _same_view(ok(at))


def test_a_new_problem_from_the_button_is_in_the_link():
    """ "New problem" draws a random seed; the link holds it, so it opens the same problem."""
    at = _tab(_open({}), "Math practice")
    at.selectbox(key="ex.rule").set_value("product").run()
    at.button(key="ex.new").click().run()
    assert link_params(at)["ex.seed"] == [str(at.number_input(key="ex.seed").value)]
    _same_view(ok(at))


def test_typed_answers_stay_out_of_the_link():
    """An answer typed and checked is the learner's own: the link opens the unanswered problem."""
    at = _tab(_open({}), "Math practice")
    box = next(b for b in at.text_input if (b.key or "").startswith("ex.answer."))
    box.input("2x + 3")
    next(b for b in at.button if b.label == "Check my answer").click().run()
    assert at.success
    params = link_params(at)
    assert not [key for key in params if key.startswith(("ex.answer.", "ex.checked."))]
    again = _open(params)
    assert view_of(again) == view_of(at)
    assert not again.success


@pytest.mark.parametrize(
    ("formula", "x0", "preset"),
    [("sin(x)*x", -1.5, None), ("exp(-x^2)", 0.25, None), (None, 3.0, "last")],
)
def test_the_coding_exercise_is_its_own_link(formula, x0, preset):
    """A typed formula or a preset, and a point: the link opens the same code and output."""
    at = _tab(_open({}), "Coding")
    if preset:
        options = at.selectbox(key="ex.code_f.preset").options
        at.selectbox(key="ex.code_f.preset").set_value(options[-2]).run()
    else:
        at.text_input(key="ex.code_f.text").input(formula).run()
    at.number_input(key="ex.code_x0").set_value(x0).run()
    ok(at)
    again = _same_view(at)
    assert again.session_state["ex.code_f.text"] == at.session_state["ex.code_f.text"]


@FEW
@given(
    rule=st.sampled_from(list(RULE_TITLES)),
    level=st.integers(1, 3),
    seed=st.integers(0, 99_999),
)
def test_any_generated_problem_is_its_own_link(rule, level, seed):
    """Any rule, level and seed of the generator: the link opens the same problem."""
    at = _tab(_open({}), "Math practice")
    at.selectbox(key="ex.rule").set_value(rule).run()
    at.segmented_control(key="ex.level").set_value(level).run()
    at.number_input(key="ex.seed").set_value(seed).run()
    _same_view(ok(at))


LONG = "9" * 5000
PRACTICE = {
    "ex.section": "Math practice",
    "ex.rule": "Chain rule",
    "ex.level": "2",
    "ex.seed": "12",
}
APPLIED = {"ex.section": "Math practice", "ex.rule": "chain", "ex.level": 2, "ex.seed": 12}
DEFAULTS = {"ex.section": "Conceptual", "ex.rule": "lesson", "ex.level": 1, "ex.seed": 1}
BAD = {
    "ex.rule": ["nope", "chain", LONG],  # the URL holds the label ("Chain rule"), not the name
    "ex.level": ["7", "0", "hard", LONG],
    "ex.seed": ["-5", "100000", "abc", "1e309", "-inf", LONG],
    "ex.section": ["Answers", LONG],
}


@pytest.mark.parametrize(
    ("key", "bad"), [(key, value) for key, values in BAD.items() for value in values]
)
def test_a_bad_problem_setting_shows_the_default_and_the_rest_applies(key, bad):
    """A rule, level, seed or tab the page cannot take: its default, the others applied."""
    at = _open({**PRACTICE, key: bad})
    if key == "ex.section":  # the other settings live on the tab that is then closed
        assert at.session_state["ex.section"] == DEFAULTS["ex.section"]
        return
    settings_now = {k: at.session_state[k] for k in APPLIED}
    assert settings_now == {**APPLIED, key: DEFAULTS[key]}


def test_a_bad_reveal_value_keeps_the_answer_hidden_and_the_others_revealed():
    """ "maybe" for one reveal toggle: that answer stays hidden, a good "true" one is shown."""
    hidden, shown = CONCEPT_QUESTIONS[0], CONCEPT_QUESTIONS[1]
    at = _open({f"ex.reveal.{hidden.key}": "maybe", f"ex.reveal.{shown.key}": "true"})
    assert at.toggle(key=f"ex.reveal.{hidden.key}").value is False
    assert at.toggle(key=f"ex.reveal.{shown.key}").value is True


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('touch {sentinel}')",
        "().__class__.__base__.__subclasses__()",
        "9**9**9**9",
        "x" * 5000,
        "sin(" * 2500,
    ],
)
def test_a_hostile_formula_in_the_link_is_refused_and_the_point_applies(formula, tmp_path):
    """A formula that is code, huge or 5000 characters long: an error, the default f drawn,
    nothing run, and the link's x still applied."""
    sentinel = tmp_path / "pwned"
    text = formula.replace("{sentinel}", str(sentinel))
    at = _open({"ex.section": "Coding", "ex.code_f.text": text, "ex.code_x0": "3.5"})
    assert at.error, "the formula is refused with a message"
    assert DEFAULT_F in at.latex[0].value
    assert at.number_input(key="ex.code_x0").value == 3.5
    assert not sentinel.exists()


@pytest.mark.parametrize("bad", ["nan", "inf", "abc", "1e309", LONG])
def test_a_bad_point_shows_the_default_and_the_formula_applies(bad):
    """x that is not a finite number: x = 2 (its default), the link's formula still drawn."""
    at = _open({"ex.section": "Coding", "ex.code_f.text": "x^3", "ex.code_x0": bad})
    assert at.number_input(key="ex.code_x0").value == 2.0
    assert "x^{3}" in at.latex[0].value


@FEW
@given(text=st.text(max_size=60))
def test_any_text_in_the_link_runs_the_page(text):
    """Random text for every setting: the page runs and shows a problem."""
    keys = [*PRACTICE, "ex.code_f.text", "ex.code_x0", f"ex.reveal.{CONCEPT_QUESTIONS[0].key}"]
    at = _open(dict.fromkeys(keys, text))
    assert at.session_state["ex.section"] in ("Conceptual", "Math practice", "Coding")
