"""The one list of the dashboard's pages: navigation, home-page cards and tests all read it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    """A page of the dashboard as the navigation, the home cards and the tests see it."""

    path: str  # relative to the project root, e.g. "pages/home.py"
    title: str
    icon: str
    summary: str  # one line for the home page's card: what the page shows
    url_path: str
    default: bool = False
    charts: bool = True  # False for a page without charts (the browser tests then expect none)
    prefix: str = ""  # its widget keys' prefix ("pd" for "pd.x0"): its URL parameters too

    @property
    def file(self) -> Path:
        return PROJECT_ROOT / self.path

    @property
    def route(self) -> str:
        """The page's address below the app's root: "" for the default page."""
        return "" if self.default else self.url_path


# Sections in the order a learner meets them. Register only pages that exist.
SECTIONS: dict[str, list[PageSpec]] = {
    "Foundations": [
        PageSpec(
            path="pages/home.py",
            title="Intuition: going downhill",
            icon=":material/school:",
            summary="One weight, one loss curve: the derivative says which way to move w.",
            url_path="intuition",
            prefix="home",
            default=True,
        ),
    ],
    "Single variable": [
        PageSpec(
            path="pages/derivatives.py",
            title="Derivatives",
            icon=":material/show_chart:",
            summary="The tangent at any point, the limit that defines its slope, numerical "
            "versus symbolic derivatives, and the rules step by step.",
            url_path="derivatives",
            prefix="deriv",
        ),
        PageSpec(
            path="pages/chain_rule.py",
            title="Chain rule",
            icon=":material/link:",
            summary="Compositions f(g(x)) whose rates multiply, and the computational graph of "
            "any formula with its forward and backward passes, one node at a time.",
            url_path="chain_rule",
            prefix="chain",
        ),
    ],
    "Several variables": [
        PageSpec(
            path="pages/partial_derivatives.py",
            title="Partial derivatives",
            icon=":material/view_in_ar:",
            summary="Slice a surface f(x, y) along x and along y: each slice's slope is a partial "
            "derivative; along a path, they add up to the total derivative.",
            url_path="partial_derivatives",
            prefix="pd",
        ),
        PageSpec(
            path="pages/gradient.py",
            title="Gradient",
            icon=":material/explore:",
            summary="The vector of partials on a contour map: steepest ascent, perpendicular to "
            "the level curves, and the directional derivative in every direction.",
            url_path="gradient",
            prefix="grad",
        ),
        PageSpec(
            path="pages/jacobian.py",
            title="Jacobian",
            icon=":material/transform:",
            summary="A map of the plane bends a grid: near each point it acts as its Jacobian J, "
            "a small square becomes a parallelogram scaled by det J, and J·v and wᵀJ are what "
            "forward and reverse autodiff compute.",
            url_path="jacobian",
            prefix="jac",
        ),
        PageSpec(
            path="pages/hessian.py",
            title="Hessian",
            icon=":material/landscape:",
            summary="How f curves: the Hessian's eigen-axes on the map, Taylor models that hug "
            "the surface, critical points classified, and Newton's method against gradient "
            "descent.",
            url_path="hessian",
            prefix="hess",
        ),
    ],
    "Optimisation": [
        PageSpec(
            path="pages/gradient_descent.py",
            title="Gradient descent",
            icon=":material/trending_down:",
            summary="Optimisers from plain gradient descent to Adam and Newton racing down loss "
            "surfaces, played back step by step, with the learning rate that makes them diverge.",
            url_path="gradient_descent",
            prefix="gd",
        ),
        PageSpec(
            path="pages/backprop.py",
            title="Backpropagation",
            icon=":material/hub:",
            summary="A tiny network trained by hand: its decision boundary, loss and gradients, "
            "one sample's chain rule in numbers, and a gradient check that catches bugs.",
            url_path="backprop",
            prefix="bp",
        ),
    ],
    "Practice": [
        PageSpec(
            path="pages/exercises.py",
            title="Exercises",
            icon=":material/edit_note:",
            summary="The lesson's questions with model answers, derivatives to practise with "
            "instant grading and hints, and the lesson's code for your own function.",
            url_path="exercises",
            prefix="ex",
            charts=False,
        ),
    ],
}


def all_pages() -> list[PageSpec]:
    """Every registered page, in navigation order."""
    return [page for pages in SECTIONS.values() for page in pages]


def concept_pages() -> list[PageSpec]:
    """The pages the home page introduces with a card (all but the home page itself)."""
    return [page for page in all_pages() if not page.default]


def page_for(url_path: str | None) -> PageSpec | None:
    """The registered page at `url_path`, or None (e.g. a page not built yet)."""
    return next((page for page in all_pages() if page.url_path == url_path), None)
