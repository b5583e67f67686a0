"""Lesson sequences: a teacher's list of views, walked through with "step 3 of 8", ◀ and ▶.

A lesson is a small TOML file: a title, then one ``[[step]]`` per view with a ``title``, a
one-line ``note`` and a ``link`` (a page's url path and its query string, as "copy link" gives
it, with or without the server's address):

    title = "Calculus for deep learning: the whole lesson"

    [[step]]
    title = "The derivative is a slope"
    note = "Move x₀: the tangent's slope is f′(x₀)."
    link = "derivatives?deriv.f.text=x%5E3&deriv.x0=1.0"

The lessons shipped with the app live in ``lessons/``; a teacher builds one in the sidebar
("Add this view"), downloads it, and loads it again (or another one) from a file. The place in
a lesson is part of the URL (``lesson=whole-lesson&step=3``), so a lesson step is a link too.
A link's settings go through the page's own widgets and formula box, as any link's do.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import streamlit as st

from ui.navigation import PROJECT_ROOT, all_pages

LESSONS_DIR = PROJECT_ROOT / "lessons"
MINE = "mine"  # the lesson built or loaded in this session
MAX_BYTES = 64_000
MAX_STEPS = 40
MAX_TITLE = 100
MAX_NOTE = 400
MAX_LINK = 4_000


class LessonError(ValueError):
    """A lesson file that cannot be used, with a message fit to show a teacher."""


@dataclass(frozen=True)
class LessonStep:
    title: str
    note: str
    page: str  # the page's url_path ("" for the home page)
    params: dict[str, list[str]] = field(default_factory=dict)

    @property
    def link(self) -> str:
        query = urlencode([(k, v) for k, values in self.params.items() for v in values])
        return f"{self.page}?{query}" if query else self.page


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    steps: tuple[LessonStep, ...]


def parse_link(link: str) -> tuple[str, dict[str, list[str]]]:
    """A link's page (url_path) and its query parameters; the server's address is ignored.

    Raises:
        LessonError: the link names no page of the app.
    """
    if len(link) > MAX_LINK:
        raise LessonError(f"a link is {len(link)} characters long (at most {MAX_LINK})")
    parts = urlsplit(link.strip())
    path = parts.path.strip("/").rsplit("/", 1)[-1] if parts.path.strip("/") else ""
    spec = next((p for p in all_pages() if path in (p.url_path, p.route)), None)
    if spec is None:
        raise LessonError(f"“{path[:60]}” is not a page of this app")
    params = parse_qs(parts.query, keep_blank_values=True)
    params = {k: v for k, v in params.items() if k not in ("lesson", "step")}
    return spec.route, params


def _text(step: dict, name: str, limit: int, index: int, required: bool = True) -> str:
    value = step.get(name, "")
    if not isinstance(value, str):
        raise LessonError(f"step {index}: {name} must be text")
    if required and not value.strip():
        raise LessonError(f"step {index} has no {name}")
    if len(value) > limit:
        raise LessonError(f"step {index}: the {name} is longer than {limit} characters")
    return value.strip()


def parse_lesson(text: str, name: str = MINE) -> Lesson:
    """A lesson from its TOML text.

    Raises:
        LessonError: not TOML, too big, or a step without a title, with a bad link, etc.
    """
    if len(text.encode()) > MAX_BYTES:
        raise LessonError(f"the file is larger than {MAX_BYTES // 1000} KB")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(f"not a TOML file: {str(error)[:120]}") from None
    title = data.get("title", "")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        raise LessonError(f"the lesson needs a title of at most {MAX_TITLE} characters")
    steps = data.get("step", [])
    if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
        raise LessonError("the lesson has no [[step]] tables")
    if len(steps) > MAX_STEPS:
        raise LessonError(f"the lesson has {len(steps)} steps (at most {MAX_STEPS})")
    parsed = []
    for index, step in enumerate(steps, start=1):
        link = step.get("link", "")
        if not isinstance(link, str):
            raise LessonError(f"step {index}: the link must be text")
        try:
            page, params = parse_link(link)
        except LessonError as error:
            raise LessonError(f"step {index}: {error}") from None
        parsed.append(
            LessonStep(
                title=_text(step, "title", MAX_TITLE, index),
                note=_text(step, "note", MAX_NOTE, index, required=False),
                page=page,
                params=params,
            )
        )
    return Lesson(name=name, title=title.strip(), steps=tuple(parsed))


def lesson_toml(lesson: Lesson) -> str:
    """The lesson as the TOML text :func:`parse_lesson` reads back."""

    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = [f"title = {quoted(lesson.title)}", ""]
    for step in lesson.steps:
        lines += [
            "[[step]]",
            f"title = {quoted(step.title)}",
            f"note = {quoted(step.note)}",
            f"link = {quoted(step.link)}",
            "",
        ]
    return "\n".join(lines)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def shipped_lessons() -> dict[str, Lesson]:
    """The lessons in ``lessons/``, by file name without ``.toml``."""
    return {
        path.stem: parse_lesson(path.read_text(encoding="utf-8"), path.stem)
        for path in sorted(Path(LESSONS_DIR).glob("*.toml"))
    }


def lesson_named(name: str) -> Lesson | None:
    if name == MINE:
        return st.session_state.get("lessons.mine")
    return shipped_lessons().get(name)


def go_to(lesson: Lesson, number: int) -> None:
    """Open step `number` (1-based) of `lesson`: its page, with exactly its link's settings."""
    step = lesson.steps[number - 1]
    spec = next((p for p in all_pages() if p.route == step.page), None)
    if spec is None:  # checked when the lesson was read
        return
    # The page starts afresh from the link, even when it is the page already shown.
    for key in [k for k in st.session_state if k.startswith(f"{spec.prefix}.")]:
        del st.session_state[key]
    st.session_state.pop("_links.page", None)
    params = {**step.params, "lesson": [lesson.name], "step": [str(number)]}
    st.switch_page(str(spec.file), query_params=[(k, v) for k, vs in params.items() for v in vs])


def current_step() -> tuple[Lesson, int] | None:
    """The lesson and step the URL names, if it names a valid one."""
    name = st.query_params.get("lesson")
    if not name:
        return None
    lesson = lesson_named(name)
    try:
        number = int(st.query_params.get("step", "1"))
    except ValueError:
        number = 1
    if lesson is None or not 1 <= number <= len(lesson.steps):
        return None
    return lesson, number


def lesson_bar() -> None:
    """At the top of a page opened from a lesson: where we are, the note, previous and next."""
    at = current_step()
    if at is None:
        if st.query_params.get("lesson"):
            st.warning("This link names a lesson or a step that does not exist here.")
        return
    lesson, number = at
    step = lesson.steps[number - 1]
    with st.container(border=True, key="lessons.bar"):
        text, back, forward = st.columns([6, 2, 2], vertical_alignment="center")
        text.markdown(
            f"**{lesson.title}** · step {number} of {len(lesson.steps)}: **{step.title}**"
            + (f"  \n{step.note}" if step.note else "")
        )
        if back.button(
            "Previous",
            icon=":material/arrow_back:",
            key="lessons.previous",
            disabled=number == 1,
            shortcut="alt+left",
            width="stretch",
        ):
            go_to(lesson, number - 1)
        if forward.button(
            "Next",
            icon=":material/arrow_forward:",
            key="lessons.next",
            disabled=number == len(lesson.steps),
            shortcut="alt+right",
            type="primary",
            width="stretch",
        ):
            go_to(lesson, number + 1)


def _current_view(page: str) -> LessonStep:
    params = {
        key: st.query_params.get_all(key)
        for key in st.query_params
        if key not in ("lesson", "step", "present")
    }
    return LessonStep(title="", note="", page=page, params=params)


def lesson_builder(page: str) -> None:
    """The sidebar's lesson tools: start the shipped lesson, build one view by view, download
    it, load one from a file."""
    with st.expander("Lessons", icon=":material/slideshow:"):
        shipped = shipped_lessons()
        for name, lesson in shipped.items():
            if st.button(
                f"Start “{lesson.title}” ({len(lesson.steps)} steps)", key=f"lessons.start.{name}"
            ):
                go_to(lesson, 1)
        st.markdown("**Build your own**: open a view, then add it.")
        title = st.text_input("Step title", key="lessons.new_title", max_chars=MAX_TITLE)
        note = st.text_input("One-line note", key="lessons.new_note", max_chars=MAX_NOTE)
        mine: Lesson | None = st.session_state.get("lessons.mine")
        if st.button("Add this view", icon=":material/add:", key="lessons.add"):
            if not title.strip():
                st.error("Give the step a title first.")
            else:
                view = _current_view(page)
                step = LessonStep(title.strip(), note.strip(), view.page, view.params)
                steps = (mine.steps if mine else ()) + (step,)
                if len(steps) > MAX_STEPS:
                    st.error(f"A lesson has at most {MAX_STEPS} steps.")
                else:
                    mine = Lesson(MINE, mine.title if mine else "My lesson", steps)
                    st.session_state["lessons.mine"] = mine
        if mine:
            listed = (f"{i}. {s.title} ({s.page or 'home'})" for i, s in enumerate(mine.steps, 1))
            st.caption("  \n".join(listed))
            start, save = st.columns(2)
            if start.button("Start it", key="lessons.start_mine"):
                go_to(mine, 1)
            save.download_button(
                "Download",
                data=lesson_toml(mine),
                file_name="lesson.toml",
                mime="application/toml",
                key="lessons.download",
                on_click="ignore",
            )
        upload = st.file_uploader("Load a lesson (.toml)", type=["toml"], key="lessons.upload")
        if upload is not None:
            try:
                raw = upload.getvalue()
                if len(raw) > MAX_BYTES:
                    raise LessonError(f"the file is larger than {MAX_BYTES // 1000} KB")
                loaded = parse_lesson(raw.decode("utf-8", errors="replace"))
            except LessonError as error:
                st.error(f"This lesson cannot be used: {error}.")
            else:
                if st.session_state.get("lessons.loaded") != upload.file_id:
                    st.session_state["lessons.loaded"] = upload.file_id
                    st.session_state["lessons.mine"] = loaded
                st.caption(f"Loaded “{loaded.title}”, {len(loaded.steps)} steps: Start it above.")
