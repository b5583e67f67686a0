"""Conceptual questions: the lesson's three, then more across the topics.

Each question has choices for "pick an answer" (one correct), a model answer to reveal after
the learner has tried, and the ``url_path`` of the page that shows the idea (planned pages use
their planned paths: "chain_rule", "backprop", "partial_derivatives", "gradient",
"jacobian", "hessian", "gradient_descent").
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONCEPT_QUESTIONS", "ConceptQuestion"]


@dataclass(frozen=True)
class ConceptQuestion:
    """One conceptual question.

    Attributes:
        key: a stable id, e.g. ``"chain-rule-backprop"``.
        topic: the topic, e.g. ``"chain rule"``.
        question: one sentence.
        choices: 3-4 options for "pick an answer".
        correct_choice: index of the correct option in ``choices``.
        model_answer: a few precise sentences to reveal.
        page: ``url_path`` of the page that shows it, or None.
    """

    key: str
    topic: str
    question: str
    choices: tuple[str, ...]
    correct_choice: int
    model_answer: str
    page: str | None


CONCEPT_QUESTIONS: tuple[ConceptQuestion, ...] = (
    ConceptQuestion(
        "chain-rule-backprop",
        "chain rule",
        "What is the role of the chain rule in backpropagation?",
        (
            "It multiplies the local derivatives along each path from the loss back to a "
            "weight, so every weight's gradient is found in one backward pass.",
            "It replaces derivatives by finite differences, which are cheaper to compute.",
            "It is only needed for the last layer; earlier layers use the gradient directly.",
            "It chooses the learning rate for each layer.",
        ),
        0,
        "A network is a composition of layers, so the loss is L(f_n(…f_1(w))). The chain rule "
        "says dL/dw is the product of the local derivatives along the way (summed over paths). "
        "Backpropagation applies it from the loss backwards, reusing each layer's upstream "
        "gradient, so all gradients cost about one extra forward pass.",
        "chain_rule",
    ),
    ConceptQuestion(
        "gradient-minimise",
        "gradient",
        "How does the gradient help minimise a loss function?",
        (
            "It points to the minimum directly, so one step of any size reaches it.",
            "It points in the direction of steepest increase, so a small step against it "
            "lowers the loss fastest.",
            "It gives the value of the loss at the minimum.",
            "It is zero everywhere except at the minimum.",
        ),
        1,
        "The gradient ∇L(w) is the vector of partial derivatives; it points where L increases "
        "fastest and its length is that rate. Gradient descent steps w ← w − η∇L(w): for a "
        "small learning rate η the loss goes down by about η‖∇L‖². At a minimum the gradient "
        "is zero, so the steps stop there.",
        "gradient_descent",
    ),
    ConceptQuestion(
        "partial-vs-full",
        "partial derivatives",
        "What is the difference between a partial derivative and a full (total) derivative?",
        (
            "There is none: they are two names for the same thing.",
            "A partial derivative varies one input and holds the others fixed; the total "
            "derivative also counts how the other inputs change along with it.",
            "A partial derivative is only an approximation of the full derivative.",
            "Partial derivatives exist only for linear functions.",
        ),
        1,
        "∂f/∂x treats every other variable as a constant: it is the slope of one slice of the "
        "surface. If y itself depends on x, the total derivative adds that path: "
        "df/dx = ∂f/∂x + ∂f/∂y · dy/dx. Backpropagation computes total derivatives of the loss "
        "by summing over all paths.",
        "partial_derivatives",
    ),
    ConceptQuestion(
        "jacobian-shape",
        "Jacobian",
        "A layer maps 3 inputs to 2 outputs. What is its Jacobian?",
        (
            "A 2×3 matrix whose entry (i, j) is ∂y_i/∂x_j.",
            "A 3×3 matrix of second derivatives.",
            "A vector of 3 partial derivatives.",
            "A single number, the determinant of the weights.",
        ),
        0,
        "The Jacobian of y = f(x) with m = 2 outputs and n = 3 inputs is the m×n matrix of all "
        "first partial derivatives ∂y_i/∂x_j. It is the best linear approximation of f near a "
        "point; for a linear layer y = Wx it is W itself. Backpropagation multiplies the "
        "upstream gradient by it (a vector-Jacobian product).",
        "jacobian",
    ),
    ConceptQuestion(
        "hessian-curvature",
        "Hessian",
        "What does the Hessian of a loss tell you at a point where the gradient is zero?",
        (
            "Nothing: with a zero gradient all second derivatives are zero too.",
            "The learning rate to use.",
            "The curvature: all eigenvalues positive means a minimum, mixed signs a saddle "
            "point, all negative a maximum.",
            "How many layers the network has.",
        ),
        2,
        "The Hessian is the square, symmetric matrix of second partial derivatives "
        "∂²L/∂w_i∂w_j. Its eigenvalues are the curvatures along its eigenvectors: all positive "
        "at a local minimum, all negative at a maximum, of both signs at a saddle point. A "
        "large ratio of largest to smallest eigenvalue is why plain gradient descent zig-zags.",
        "hessian",
    ),
    ConceptQuestion(
        "newton-method",
        "Newton's method",
        "How does Newton's method use the Hessian H when minimising a loss?",
        (
            "It steps w ← w − H⁻¹∇L, rescaling the gradient by the inverse curvature.",
            "It adds H to the weights after each step.",
            "It uses H only to pick a random starting point.",
            "It steps w ← w − H∇L, multiplying the gradient by the curvature.",
        ),
        0,
        "Newton's method fits a quadratic (second-order Taylor) model at the current point and "
        "jumps to its minimum: w ← w − H⁻¹∇L(w). On a quadratic bowl it lands on the minimum in "
        "one step whatever the conditioning. It needs H to be positive definite (otherwise it "
        "can head to a saddle or maximum), and forming and solving with an n×n Hessian is too "
        "costly for millions of weights, which is why deep learning uses first-order methods.",
        "hessian",
    ),
    ConceptQuestion(
        "numerical-vs-symbolic",
        "numerical vs symbolic derivatives",
        "Why does the central difference (f(x+h) − f(x−h))/(2h) get worse when h is very small?",
        (
            "It does not: a smaller h is always more accurate.",
            "Subtracting two nearly equal floating-point numbers loses digits: round-off error "
            "grows like ε/h while the truncation error shrinks like h².",
            "Because the symbolic derivative changes when h changes.",
        ),
        1,
        "The truncation error of the central difference is about h²·|f‴|/6, but f(x+h) and "
        "f(x−h) are rounded to machine precision ε ≈ 1e-16, and dividing their difference by "
        "2h magnifies that error like ε/h. The total is smallest near h ≈ ∛ε ≈ 1e-5. Symbolic "
        "and automatic differentiation have no h and no such trade-off; finite differences "
        "are used to check gradients.",
        "derivatives",
    ),
    ConceptQuestion(
        "learning-rate",
        "learning rate",
        "Gradient descent on L(w) = w² uses w ← w − η·2w. What happens for η = 1.1?",
        (
            "It converges faster than for η = 0.1.",
            "It converges in exactly one step.",
            "It diverges: each step multiplies w by 1 − 2η = −1.2, so |w| grows.",
            "It stops at w = 1.1.",
        ),
        2,
        "Each step multiplies w by (1 − 2η). For 0 < η < 1 that factor has size below 1 and "
        "w shrinks to 0 (η = 0.5 lands in one step); for η > 1 its size exceeds 1 and the "
        "iterates oscillate with growing amplitude. In general the step must be below 2/λ_max, "
        "where λ_max is the largest curvature (Hessian eigenvalue).",
        "gradient_descent",
    ),
    ConceptQuestion(
        "vanishing-gradients",
        "vanishing gradients",
        "The sigmoid's derivative σ′(z) = σ(z)(1 − σ(z)) is at most 1/4. Why does that matter?",
        (
            "It makes the network's output at most 1/4.",
            "Backpropagation multiplies one such factor per layer, so through many sigmoid "
            "layers the gradient can shrink like (1/4)^depth and early layers barely learn.",
            "It means the sigmoid cannot be differentiated at z = 0.",
        ),
        1,
        "By the chain rule the gradient reaching an early layer is a product of one local "
        "derivative per layer. With σ′ ≤ 1/4 (its maximum, at z = 0) and moderate weights, that "
        "product shrinks geometrically with depth: the vanishing gradient problem. ReLU "
        "(derivative 1 for positive inputs), careful initialisation, normalisation and residual "
        "connections keep the product near 1.",
        "backprop",
    ),
    ConceptQuestion(
        "derivative-meaning",
        "derivative",
        "What does f′(2) = 7 tell you about f(x) = x² + 3x + 5?",
        (
            "f(2) = 7.",
            "Near x = 2, f increases by about 7 for each unit of x: the tangent's slope is 7.",
            "f has a minimum at x = 7.",
        ),
        1,
        "The derivative is the slope of the tangent line, the limit of (f(x+h) − f(x))/h as h "
        "→ 0. Here f′(x) = 2x + 3, so f′(2) = 7: a small change Δx near 2 changes f by about "
        "7·Δx. (f(2) itself is 15.) In training, such a slope says how much the loss reacts to "
        "a small change of one weight.",
        "derivatives",
    ),
)
