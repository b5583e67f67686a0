"""Pages whose point, window and studies live in an ``st.fragment``: a control inside reruns only
the fragment, so a control inside that rewrites something outside (a preset button writing the
formula box) must rerun the whole page. AppTest always reruns the whole script: only a browser
shows the difference.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import exceptions, open_page, wait_idle
from ui.presets import HESSIAN_PRESETS


def test_a_preset_button_inside_the_fragment_rewrites_the_formula_box(
    page: Any, streamlit_server: str
) -> None:
    """Hessian page, Newton study: "See the zig-zag" switches the formula box to x² + 25y²."""
    open_page(page, streamlit_server, "hessian")
    formula = page.locator('[data-testid="stTextInput"] input').first
    before = formula.input_value()
    page.get_by_role("tab", name="Newton vs gradient descent").click()
    wait_idle(page)
    page.get_by_role("button", name="See the zig-zag on x² + 25y² (κ = 25)").click()
    wait_idle(page)
    page.wait_for_function(
        "([text]) => document.querySelector('[data-testid=\"stTextInput\"] input').value === text",
        arg=[HESSIAN_PRESETS["x² + 25y² (an ill-conditioned bowl)"]],
        timeout=20_000,
    )
    assert formula.input_value() != before
    assert "κ = 25" in page.locator('[data-testid="stMain"]').inner_text()
    assert not exceptions(page)
