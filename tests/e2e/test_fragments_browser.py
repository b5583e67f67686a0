"""Pages whose point, window and studies live in an ``st.fragment``: a control inside reruns only
the fragment, so a control inside that rewrites something outside (a preset button writing the
formula box) must rerun the whole page. AppTest always reruns the whole script: only a browser
shows the difference.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import (
    exceptions,
    move_first_slider,
    open_page,
    render_counts,
    wait_for_redraw,
    wait_idle,
)
from ui.presets import HESSIAN_PRESETS


def test_a_preset_button_inside_the_fragment_rewrites_the_formula_box(
    page: Any, streamlit_server: str
) -> None:
    """Hessian page, Newton study: "See the zig-zag" switches the formula box to x² + 25y²."""
    open_page(page, streamlit_server, "hessian")
    formula = page.locator('[data-testid="stMain"] [data-testid="stTextInput"] input').first
    before = formula.input_value()
    page.get_by_role("tab", name="Newton vs gradient descent").click()
    wait_idle(page)
    page.get_by_role("button", name="See the zig-zag on x² + 25y² (κ = 25)").click()
    wait_idle(page)
    page.wait_for_function(
        "([text]) => document.querySelector("
        '\'[data-testid="stMain"] [data-testid="stTextInput"] input\').value === text',
        arg=[HESSIAN_PRESETS["x² + 25y² (an ill-conditioned bowl)"]],
        timeout=20_000,
    )
    assert formula.input_value() != before
    assert "κ = 25" in page.locator('[data-testid="stMain"]').inner_text()
    assert not exceptions(page)


def _move_and_check(page: Any) -> None:
    before = render_counts(page)
    move_first_slider(page)
    wait_for_redraw(page, before)
    wait_idle(page)
    assert not exceptions(page)


def test_the_surface_patch_survives_a_point_move(page: Any, streamlit_server: str) -> None:
    """Jacobian page, R² → R³: w's slider is not drawn there, and a fragment rerun still finds
    its value (the fragment sets the page's defaults again)."""
    open_page(page, streamlit_server, "jacobian")
    page.get_by_text("R² → R³: a surface patch", exact=True).click()
    wait_idle(page)
    page.wait_for_timeout(1500)
    _move_and_check(page)
    _move_and_check(page)


@pytest.mark.parametrize(
    "url_path", ["partial_derivatives", "gradient", "jacobian", "hessian", "gradient_descent"]
)
def test_every_study_tab_then_a_point_move(page: Any, streamlit_server: str, url_path: str) -> None:
    """Open each study tab of the page in turn and move the first slider: no exception (a
    control drawn only in one tab keeps a value for the fragment's reruns)."""
    open_page(page, streamlit_server, url_path)
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    names = [tabs.nth(i).inner_text() for i in range(tabs.count())]
    assert names, "the page has study tabs"
    for name in names:
        page.get_by_role("tab", name=name, exact=True).click()
        wait_idle(page)
        page.wait_for_timeout(500)
        _move_and_check(page)
