"""Every view a link, presentation mode and lesson sequences, through the whole app (AppTest).

Each page's own link tests (tests/app/test_links_<page>.py) move its widgets; these check what
the app adds around every page: the note about a link's unusable settings, the URL's global
parameters, presentation mode, and the shipped lesson, step by step.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.app.links import link_params, view_of
from ui.lessons import LessonError, LessonStep, lesson_toml, parse_lesson, shipped_lessons
from ui.live_chart import payload_from_element
from ui.navigation import PROJECT_ROOT, all_pages

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
PAGES = all_pages()


def _shell(url_path: str) -> None:
    from ui.shell import build_navigation, run_page

    run_page(build_navigation(default=url_path))


def _open(page_path: str, params: dict[str, str | list[str]]) -> AppTest:
    """The app opened on the page at `page_path` ("pages/gradient.py") from a link with these
    query parameters, as a fresh browser would: the first run is on that page, in the app's
    shell (a page switch after a first run would drop the link's settings, as Streamlit does
    when a learner changes page)."""
    spec = next(p for p in PAGES if p.path == page_path)
    at = AppTest.from_function(_shell, args=(spec.url_path,), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_a_default_view_is_its_own_link(spec) -> None:
    """The link of each page's first view opens that view again (widgets and charts)."""
    at = _open(spec.path, {})
    assert not at.exception
    again = _open(spec.path, link_params(at))
    assert not again.exception
    assert not _warnings(again)
    assert view_of(again) == view_of(at)


def test_unusable_settings_are_named_once_and_the_rest_applied() -> None:
    """A link with a non-number, an unknown setting and a good value: the good one applies,
    the page names the two others at the top, once, and drops the unknown one from the URL."""
    at = _open(
        "pages/gradient.py",
        {"grad.x0": "abc", "grad.nonsense": "1", "grad.y0": "-1.0"},
    )
    assert not at.exception
    assert at.session_state["grad.y0"] == -1.0
    assert at.session_state["grad.x0"] == 1.0  # the default
    (note,) = _warnings(at)
    assert "“grad.x0” cannot be “abc”" in note and "“grad.nonsense” is not a setting" in note
    assert "grad.nonsense" not in at.query_params
    at.run()
    assert not _warnings(at)


def test_a_hostile_formula_in_a_link_is_refused_like_a_typed_one(tmp_path) -> None:
    """A formula in the URL goes through the formula box's checks: an error, the default drawn,
    nothing executed."""
    sentinel = tmp_path / "pwned"
    at = _open(
        "pages/partial_derivatives.py",
        {"pd.f.text": f"__import__('os').system('touch {sentinel}')", "pd.x0": "2.0"},
    )
    assert not at.exception
    assert at.error and "pd" not in at.error[0].value
    assert not sentinel.exists()
    assert at.session_state["pd.x0"] == 2.0


@pytest.mark.parametrize("value", ["1e309", "nan", "-inf", "9" * 400, "", "😀", "%00"])
def test_odd_numbers_in_a_link_are_ignored(value: str) -> None:
    at = _open("pages/derivatives.py", {"deriv.x0": value})
    assert not at.exception
    assert isinstance(at.session_state["deriv.x0"], float)


def test_presentation_mode_from_a_link() -> None:
    """``?present=true``: the projector style, the exit button, charts scaled in the browser,
    explanations folded; exiting turns it all off."""
    at = _open("pages/gradient.py", {"present": "true"})
    assert not at.exception
    assert at.session_state["present"] is True
    assert any(b.label == "Exit presentation" for b in at.button)
    payloads = [payload_from_element(el) for el in at.get("component_instance")]
    assert payloads and all(p["presentation"] for p in payloads)
    assert any(e.label == "Explanation" for e in at.expander)
    next(b for b in at.button if b.label == "Exit presentation").click().run()
    assert at.session_state["present"] is False
    assert not any(b.label == "Exit presentation" for b in at.button)
    payloads = [payload_from_element(el) for el in at.get("component_instance")]
    assert not any(p["presentation"] for p in payloads)


# --- lessons -------------------------------------------------------------------------------


def test_the_shipped_lesson_walks_the_whole_lesson() -> None:
    lesson = shipped_lessons()["whole-lesson"]
    pages = [step.page for step in lesson.steps]
    assert pages == [
        "derivatives",
        "chain_rule",
        "partial_derivatives",
        "gradient",
        "jacobian",
        "hessian",
        "gradient_descent",
        "backprop",
    ]


@pytest.mark.parametrize("number", range(1, 9))
def test_every_step_of_the_shipped_lesson_opens_as_written(number: int) -> None:
    """Each step's page runs with the step's settings applied, none refused, and shows
    "step n of 8" with its title."""
    lesson = shipped_lessons()["whole-lesson"]
    step = lesson.steps[number - 1]
    spec = next(p for p in PAGES if p.route == step.page)
    params = {**step.params, "lesson": ["whole-lesson"], "step": [str(number)]}
    at = _open(spec.path, params)
    assert not at.exception
    assert not _warnings(at), _warnings(at)
    for key, values in step.params.items():
        value = at.session_state[key]
        assert str(value) == values[0] or float(value) == float(values[0])
    bar = " ".join(m.value for m in at.markdown)
    assert f"step {number} of 8" in bar and step.title in bar


def test_next_opens_the_next_step() -> None:
    lesson = shipped_lessons()["whole-lesson"]
    first = lesson.steps[0]
    at = _open("pages/derivatives.py", {**first.params, "lesson": "whole-lesson", "step": "1"})
    next(b for b in at.button if b.label == "Next").click().run()
    assert not at.exception
    assert at.query_params["step"] == "2" and at.query_params["lesson"] == "whole-lesson"
    assert "step 2 of 8" in " ".join(m.value for m in at.markdown)


def test_a_lesson_that_does_not_exist_is_said_so() -> None:
    at = _open("pages/derivatives.py", {"lesson": "nope", "step": "3"})
    assert not at.exception
    assert any("lesson" in w for w in _warnings(at))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = 'x'\n[[step]]\ntitle = 'a'\nlink = '../../etc/passwd'", "not a page"),
        ("title = 'x'\n[[step]]\ntitle = 'a'\nlink = 'https://evil.example/gradient?x=1'", ""),
        ("title = 'x'", "no [[step]]"),
        ("not toml at all [", "not a TOML file"),
        ("title = 'x'\n" + "[[step]]\ntitle = 'a'\nlink = 'gradient'\n" * 41, "at most 40"),
        ("title = 'x'\n[[step]]\nlink = 'gradient'", "has no title"),
        ("title = 'x'\n[[step]]\ntitle = 'a'\nlink = 3", "must be text"),
    ],
)
def test_bad_lesson_files_get_a_short_reason(text: str, message: str) -> None:
    if not message:  # another server's address is dropped: the page and settings are kept
        lesson = parse_lesson(text)
        assert lesson.steps[0].page == "gradient" and lesson.steps[0].params == {"x": ["1"]}
        return
    with pytest.raises(LessonError, match=message.replace("[", r"\[")):
        parse_lesson(text)


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    str.strip
)


@given(
    title=_text,
    steps=st.lists(
        st.tuples(
            _text,
            _text,
            st.sampled_from([p.route for p in PAGES]),
            st.dictionaries(st.from_regex(r"[a-z]{1,4}\.[a-z0-9_.]{1,8}", fullmatch=True), _text),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_a_built_lesson_survives_its_file(title: str, steps) -> None:
    """Download then load: the same lesson (titles, notes, pages, settings)."""
    from ui.lessons import Lesson

    lesson = Lesson(
        "mine",
        title.strip(),
        tuple(
            LessonStep(t.strip(), n.strip(), page, {k: [v] for k, v in params.items()})
            for t, n, page, params in steps
        ),
    )
    assert parse_lesson(lesson_toml(lesson)) == lesson
