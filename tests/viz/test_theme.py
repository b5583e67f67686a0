"""The shared look: projector-sized fonts, colour-blind-safe colours, kept zoom."""

from __future__ import annotations

from viz.theme import BASE_FONT_SIZE, OKABE_ITO, PALETTE, TEMPLATE, UIREVISION, themed_figure


def test_palette_is_okabe_ito():
    """Every colour of the colourway comes from the Okabe–Ito set."""
    assert set(PALETTE) <= set(OKABE_ITO.values())
    assert list(TEMPLATE.layout.colorway) == PALETTE


def test_fonts_are_readable_on_a_projector():
    """Base text is at least 16 px and axis titles larger still."""
    assert BASE_FONT_SIZE >= 16
    assert TEMPLATE.layout.font.size >= 16
    assert TEMPLATE.layout.xaxis.title.font.size > BASE_FONT_SIZE


def test_themed_figure_titles_axes_and_keeps_the_view():
    """A themed figure names its axes and carries the constant uirevision."""
    fig = themed_figure(title="Loss", x_title="w", y_title="L(w)")
    assert fig.layout.xaxis.title.text == "w"
    assert fig.layout.yaxis.title.text == "L(w)"
    assert fig.layout.uirevision == UIREVISION
    assert fig.layout.template.layout.font.size == BASE_FONT_SIZE
