"""The sidebar every page shares, below the navigation: sharing, presentation, lessons."""

from __future__ import annotations

import streamlit as st

from ui.lessons import lesson_builder
from ui.presentation import presentation_toggle

# The address bar always holds the view (widgets are bound to it), so the button copies it as
# it is when pressed, even after moves that reran only part of the page. Clipboard access needs
# a secure context (https or localhost); elsewhere (a class server over plain http) the link is
# selected in a box for Ctrl+C.
_COPY_LINK = """
<div class="cfdl-share">
  <button type="button" id="cfdl-copy-link" class="cfdl-copy">Copy link to this view</button>
  <input id="cfdl-link" aria-label="Link to this view" readonly hidden>
  <span id="cfdl-copied" role="status" aria-live="polite"></span>
</div>
<style>
  .cfdl-copy { font: inherit; padding: 0.35rem 0.75rem; border-radius: 0.5rem; cursor: pointer;
    border: 1px solid rgba(128, 128, 128, 0.5); background: transparent; color: inherit; }
  .cfdl-copy:focus-visible { outline: 2px solid #1f77b4; outline-offset: 2px; }
  #cfdl-link { width: 100%; margin-top: 0.4rem; font: 12px monospace; color: inherit;
    background: transparent; border: 1px solid rgba(128, 128, 128, 0.5); }
  #cfdl-copied { display: block; font-size: 0.8rem; opacity: 0.8; margin-top: 0.25rem; }
</style>
<script>
(() => {
  const button = document.getElementById("cfdl-copy-link");
  if (!button || button.dataset.ready) return;
  button.dataset.ready = "1";
  const box = document.getElementById("cfdl-link");
  const status = document.getElementById("cfdl-copied");
  button.addEventListener("click", async () => {
    const url = window.location.href;
    box.value = url;
    window.cfdlCopiedLink = url;
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = "Copied: it opens exactly this view.";
      box.hidden = true;
    } catch (err) {
      box.hidden = false;
      box.focus();
      box.select();
      status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
    }
  });
})();
</script>
"""


def copy_link_control() -> None:
    """The "Copy link to this view" button."""
    st.html(_COPY_LINK, unsafe_allow_javascript=True)


def render_sidebar(page: str) -> None:
    """Draw the shared sidebar: sharing and presentation, lessons, how to use the charts.

    Args:
        page: the url_path of the page shown (lesson steps record it).
    """
    with st.sidebar:
        copy_link_control()
        presentation_toggle()
        lesson_builder(page)
        st.caption(
            "The calculus deep learning runs on, as pictures you move: derivatives, the chain "
            "rule, gradients, Jacobians, Hessians and gradient descent."
        )
        st.caption(
            "Sliders move with the arrow keys once focused. Charts keep your zoom while you "
            "move them; double-click a chart to reset its view. Each chart's tool bar (hover "
            "it, or Tab to it) saves it as a PNG, as an interactive HTML file or its data as "
            'CSV; under each chart, "Chart as text" reads out what it shows.'
        )
