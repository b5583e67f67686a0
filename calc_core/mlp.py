"""A tiny multilayer perceptron, forward and backward written out by hand in numpy.

The network: 2 inputs, one hidden layer of 1 to 8 units, one sigmoid output, mean binary
cross-entropy loss. For n points `X` (shape `(n, 2)`) with labels `y` (shape `(n,)`):

    z1 = X W1ᵀ + b1        (n, hidden)   a1 = act(z1)
    z2 = a1 W2ᵀ + b2       (n,)          p = σ(z2)
    L  = mean(−y log p − (1 − y) log(1 − p))

and backward, by the chain rule, layer by layer:

    dL/dz2 = (p − y) / n               dW2 = dz2ᵀ a1,  db2 = Σ dz2
    dL/da1 = dz2 ⊗ W2                  dL/dz1 = dL/da1 · act'(z1)
    dW1 = dz1ᵀ X,  db1 = Σ dz1

Every activation carries its derivative, written by hand (as in TensorFlow Playground's nn.ts),
and `gradient_check` compares the whole backward pass with central differences of the loss.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

MAX_HIDDEN = 8
MAX_GRID_POINTS = 1_000_000
FINE_BELOW = 1e-7
WRONG_ABOVE = 1e-4
RELATIVE_FLOOR = 1e-3  # see relative_error

PLANTED_BUGS = {
    "missing_activation_derivative": (
        "The backward pass forgets to multiply by the hidden activation's derivative act'(z1), "
        "so dL/dz1 is taken to be dL/da1."
    ),
    "wrong_sign_output": (
        "The output error is written y − p instead of p − y, so every gradient points uphill."
    ),
    "forgot_mean": (
        "The loss is a mean over the n points but the backward pass drops the 1/n, so every "
        "gradient is n times too large."
    ),
}


# --- activations ---------------------------------------------------------------------------


def sigmoid(z: ArrayLike) -> Array:
    """σ(z) = 1 / (1 + e^(−z)), elementwise, without overflow for large |z|.

    Example:
        >>> sigmoid(np.array([-800.0, 0.0, 2.0])).round(4).tolist()
        [0.0, 0.5, 0.8808]
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _tanh_derivative(z: Array) -> Array:
    t = np.tanh(z)
    return 1.0 - t * t


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_derivative(z: Array) -> Array:
    return (z > 0).astype(float)  # the kink at 0 is given slope 0, as most libraries do


def _sigmoid_derivative(z: Array) -> Array:
    return sigmoid(z) * sigmoid(-z)  # σ(1 − σ), with 1 − σ(z) = σ(−z) computed without cancelling


@dataclass(frozen=True)
class Activation:
    """A hidden-layer activation with its derivative written by hand.

    Attributes:
        name: "tanh", "relu" or "sigmoid".
        f: the activation, elementwise on an array of any shape.
        df: its derivative with respect to the pre-activation z, same shape as the input.
        formula: f(z) in LaTeX.
        derivative_formula: f'(z) in LaTeX.
    """

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    formula: str
    derivative_formula: str


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", np.tanh, _tanh_derivative, r"\tanh z", r"1 - \tanh^2 z"),
    "relu": Activation(
        "relu",
        _relu,
        _relu_derivative,
        r"\max(0, z)",
        r"\begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
    ),
    "sigmoid": Activation(
        "sigmoid",
        sigmoid,
        _sigmoid_derivative,
        r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        r"\sigma(z)\,(1 - \sigma(z))",
    ),
}


def _activation(name: str) -> Activation:
    if name not in ACTIVATIONS:
        choices = ", ".join(repr(key) for key in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {choices}")
    return ACTIVATIONS[name]


# --- parameters and gradients --------------------------------------------------------------

_FIELDS = ("W1", "b1", "W2", "b2")
_NAME = re.compile(r"^(W1|b1|W2|b2)\[(\d+)(?:,(\d+))?\]$")


def _frozen_array(value: ArrayLike, field: str, shape: tuple[int, ...]) -> Array:
    array = np.array(value, dtype=float)  # a copy: the caller's array may change later
    if array.shape != shape:
        raise ValueError(f"{field} must have shape {shape}, got {array.shape}")
    array.setflags(write=False)
    return array


def _parameter_names(hidden: int) -> tuple[str, ...]:
    return (
        *(f"W1[{j},{k}]" for j in range(hidden) for k in range(2)),
        *(f"b1[{j}]" for j in range(hidden)),
        *(f"W2[0,{j}]" for j in range(hidden)),
        "b2[0]",
    )


@dataclass(frozen=True, eq=False)
class Params:
    """The network's weights and biases (read-only float64 arrays).

    Attributes:
        W1: input → hidden weights, shape `(hidden, 2)`; `W1[j, k]` feeds input k to unit j.
        b1: hidden biases, shape `(hidden,)`.
        W2: hidden → output weights, shape `(1, hidden)`.
        b2: output bias, shape `(1,)`.

    Example:
        >>> params = Params(W1=[[1.0, -1.0]], b1=[0.5], W2=[[2.0]], b2=[0.0])
        >>> params.hidden, params.names()
        (1, ('W1[0,0]', 'W1[0,1]', 'b1[0]', 'W2[0,0]', 'b2[0]'))
        >>> params.flat().tolist()
        [1.0, -1.0, 0.5, 2.0, 0.0]
    """

    W1: Array
    b1: Array
    W2: Array
    b2: Array

    def __post_init__(self) -> None:
        W1 = np.asarray(self.W1, dtype=float)
        if W1.ndim != 2 or W1.shape[1] != 2 or W1.shape[0] < 1:
            raise ValueError(f"W1 must have shape (hidden, 2) with hidden >= 1, got {W1.shape}")
        hidden = W1.shape[0]
        shapes = {"W1": (hidden, 2), "b1": (hidden,), "W2": (1, hidden), "b2": (1,)}
        for field, shape in shapes.items():
            object.__setattr__(self, field, _frozen_array(getattr(self, field), field, shape))

    @property
    def hidden(self) -> int:
        """Number of hidden units."""
        return self.W1.shape[0]

    def names(self) -> tuple[str, ...]:
        """Every parameter's name, in `flat()` order: "W1[0,0]", ..., "b1[0]", ..., "b2[0]"."""
        return _parameter_names(self.hidden)

    def flat(self) -> Array:
        """All parameters in one vector, shape `(4·hidden + 1,)`, in `names()` order."""
        return np.concatenate([getattr(self, field).ravel() for field in _FIELDS])

    @classmethod
    def from_flat(cls, vector: ArrayLike, hidden: int) -> Params:
        """The inverse of `flat()`: a vector of shape `(4·hidden + 1,)` back into arrays."""
        vector = np.asarray(vector, dtype=float)
        if vector.shape != (4 * hidden + 1,):
            raise ValueError(
                f"a network with {hidden} hidden units has {4 * hidden + 1} parameters, "
                f"got a vector of shape {vector.shape}"
            )
        w1_end, b1_end, w2_end = 2 * hidden, 3 * hidden, 4 * hidden
        return cls(
            W1=vector[:w1_end].reshape(hidden, 2),
            b1=vector[w1_end:b1_end],
            W2=vector[b1_end:w2_end].reshape(1, hidden),
            b2=vector[w2_end:],
        )

    def value(self, name: str) -> float:
        """One parameter by its name, e.g. `params.value("W1[0,1]")`."""
        field, index = _locate(name, self.hidden)
        return float(getattr(self, field)[index])


def _locate(name: str, hidden: int) -> tuple[str, tuple[int, ...]]:
    """ "W1[0,1]" -> ("W1", (0, 1)); raises ValueError naming the valid choices."""
    match = _NAME.match(name.replace(" ", "")) if isinstance(name, str) else None
    if match is None or name.replace(" ", "") not in _parameter_names(hidden):
        names = _parameter_names(hidden)
        raise ValueError(
            f"unknown parameter {name!r}; with {hidden} hidden units choose one of "
            f"{names[0]} ... {names[-1]} (see Params.names())"
        )
    field, first, second = match.groups()
    index = (int(first),) if second is None else (int(first), int(second))
    return field, index


@dataclass(frozen=True, eq=False)
class Gradients:
    """dL/d(parameter) for every parameter, each with its parameter's shape.

    Attributes:
        dW1: shape `(hidden, 2)`.  db1: shape `(hidden,)`.
        dW2: shape `(1, hidden)`.  db2: shape `(1,)`.
    """

    dW1: Array
    db1: Array
    dW2: Array
    db2: Array

    def names(self) -> tuple[str, ...]:
        """The parameters' names, in `flat()` order (as `Params.names()`)."""
        return _parameter_names(self.dW1.shape[0])

    def flat(self) -> Array:
        """All gradients in one vector, shape `(4·hidden + 1,)`, in `names()` order."""
        return np.concatenate([self.dW1.ravel(), self.db1, self.dW2.ravel(), self.db2])

    def layer_norms(self) -> Array:
        """Euclidean norms per layer, shape `(2,)`: [‖(dW1, db1)‖, ‖(dW2, db2)‖]."""
        return np.array(_layer_norms(self.dW1, self.db1, self.dW2, self.db2))


def _layer_norms(dW1: Array, db1: Array, dW2: Array, db2: Array) -> tuple[float, float]:
    hidden_layer = np.sqrt(np.sum(dW1 * dW1) + np.sum(db1 * db1))
    output_layer = np.sqrt(np.sum(dW2 * dW2) + np.sum(db2 * db2))
    return float(hidden_layer), float(output_layer)


def init_params(hidden: int, seed: int = 0, *, activation: str = "tanh") -> Params:
    """Random starting weights: Xavier scale for tanh and sigmoid, He scale for relu; zero biases.

    Weights are normal with standard deviation √(1 / fan_in) (Xavier/LeCun) or √(2 / fan_in)
    (He, which keeps relu's halved signal from fading); fan_in is 2 for W1 and `hidden` for W2.

    Args:
        hidden: number of hidden units, 1 to 8.
        seed: a non-negative integer for `numpy.random.default_rng`.
        activation: the hidden activation the weights are meant for.

    Returns:
        `Params` with W1 `(hidden, 2)`, b1 `(hidden,)`, W2 `(1, hidden)`, b2 `(1,)`.

    Raises:
        ValueError: for a hidden size outside 1..8, a negative seed or an unknown activation.

    Example:
        >>> params = init_params(3, seed=0)
        >>> params.W1.shape, params.W2.shape, params.b1.tolist()
        ((3, 2), (1, 3), [0.0, 0.0, 0.0])
    """
    if isinstance(hidden, bool) or not isinstance(hidden, int | np.integer):
        raise ValueError(f"hidden must be a whole number from 1 to {MAX_HIDDEN}, got {hidden!r}")
    if not 1 <= hidden <= MAX_HIDDEN:
        raise ValueError(f"hidden must be a whole number from 1 to {MAX_HIDDEN}, got {hidden!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    gain = 2.0 if _activation(activation).name == "relu" else 1.0
    rng = np.random.default_rng(int(seed))
    return Params(
        W1=rng.standard_normal((hidden, 2)) * np.sqrt(gain / 2),
        b1=np.zeros(hidden),
        W2=rng.standard_normal((1, hidden)) * np.sqrt(gain / hidden),
        b2=np.zeros(1),
    )


# --- forward and backward ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Forward:
    """Everything the forward pass computed, kept for the backward pass.

    Attributes:
        z1: hidden pre-activations, shape `(n, hidden)`.
        a1: hidden activations, shape `(n, hidden)`.
        z2: output logits, shape `(n,)`.
        p: probabilities σ(z2) of label 1, shape `(n,)`.
        loss: mean binary cross-entropy, computed from the logits.
    """

    z1: Array
    a1: Array
    z2: Array
    p: Array
    loss: float


def _check_inputs(X: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] < 1:
        raise ValueError(f"X must have shape (n, 2) with n >= 1, got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must hold finite numbers only")
    if not np.all((y >= 0.0) & (y <= 1.0)):  # also rejects nan
        raise ValueError("y must hold labels between 0 and 1 (usually exactly 0 or 1)")
    return X, y


def _bce_from_logits(z2: Array, y: Array) -> float:
    # −log σ(z) = log(1 + e^(−z)) and −log(1 − σ(z)) = log(1 + e^z), via logaddexp: finite and
    # accurate for any logit, where log(p) would give −inf once p rounds to 0.
    return float(np.mean(y * np.logaddexp(0.0, -z2) + (1.0 - y) * np.logaddexp(0.0, z2)))


def _forward_arrays(
    W1: Array, b1: Array, W2: Array, b2: Array, X: Array, y: Array | None, act: Activation
) -> tuple[Array, Array, Array, Array, float]:
    z1 = X @ W1.T + b1
    a1 = act.f(z1)
    z2 = a1 @ W2[0] + b2[0]
    p = sigmoid(z2)
    loss = float("nan") if y is None else _bce_from_logits(z2, y)
    return z1, a1, z2, p, loss


def _backward_arrays(
    W2: Array,
    X: Array,
    y: Array,
    z1: Array,
    a1: Array,
    p: Array,
    act: Activation,
    bug: str | None,
) -> tuple[Array, Array, Array, Array]:
    # σ and cross-entropy together have the derivative p − y with respect to the logit.
    dz2 = p - y if bug != "wrong_sign_output" else y - p
    if bug != "forgot_mean":
        dz2 = dz2 / X.shape[0]
    dW2 = (dz2 @ a1)[None, :]  # (1, hidden)
    db2 = np.array([dz2.sum()])  # (1,)
    da1 = np.outer(dz2, W2[0])  # (n, hidden)
    dz1 = da1 if bug == "missing_activation_derivative" else da1 * act.df(z1)
    dW1 = dz1.T @ X  # (hidden, 2)
    db1 = dz1.sum(axis=0)  # (hidden,)
    return dW1, db1, dW2, db2


def _check_bug(bug: str | None) -> None:
    if bug is not None and bug not in PLANTED_BUGS:
        choices = ", ".join(repr(key) for key in PLANTED_BUGS)
        raise ValueError(f"unknown planted bug {bug!r}; use None or one of {choices}")


def forward(params: Params, X: ArrayLike, y: ArrayLike, activation: str) -> Forward:
    """The forward pass: hidden layer, output probability and mean cross-entropy.

    Args:
        params: the weights.
        X: inputs, shape `(n, 2)`.
        y: labels, shape `(n,)`, 0 or 1 (values between are read as soft labels).
        activation: "tanh", "relu" or "sigmoid" for the hidden layer.

    Returns:
        `Forward` with z1, a1 `(n, hidden)`, z2, p `(n,)` and the loss (a float).

    Raises:
        ValueError: for bad shapes, non-finite inputs, labels outside [0, 1], an unknown
            activation.

    Example:
        >>> params = Params(W1=[[1.0, 0.0]], b1=[0.0], W2=[[2.0]], b2=[0.0])
        >>> out = forward(params, [[0.0, 5.0]], [1.0], "relu")
        >>> float(out.p[0]), round(out.loss, 4)   # z2 = 0, so p = 1/2 and L = log 2
        (0.5, 0.6931)
    """
    act = _activation(activation)
    X, y = _check_inputs(X, y)
    z1, a1, z2, p, loss = _forward_arrays(params.W1, params.b1, params.W2, params.b2, X, y, act)
    return Forward(z1=z1, a1=a1, z2=z2, p=p, loss=loss)


def backward(
    params: Params,
    X: ArrayLike,
    y: ArrayLike,
    activation: str,
    cache: Forward,
    *,
    bug: str | None = None,
) -> Gradients:
    """The backward pass by hand: dL/d(parameter) for every parameter, by the chain rule.

    Args:
        params: the weights `cache` was computed with.
        X: inputs, shape `(n, 2)`.
        y: labels, shape `(n,)`.
        activation: the hidden activation used in `forward`.
        cache: `forward(params, X, y, activation)`.
        bug: None for the correct pass, or a key of `PLANTED_BUGS` to get a wrong one on purpose
            (for showing that `gradient_check` catches it).

    Returns:
        `Gradients` with dW1 `(hidden, 2)`, db1 `(hidden,)`, dW2 `(1, hidden)`, db2 `(1,)`.

    Raises:
        ValueError: for bad inputs, a cache of the wrong shape or an unknown bug.

    Example:
        >>> params = Params(W1=[[1.0, 0.0]], b1=[0.0], W2=[[2.0]], b2=[0.0])
        >>> X, y = [[3.0, 5.0]], [1.0]
        >>> grads = backward(params, X, y, "relu", forward(params, X, y, "relu"))
        >>> round(float(grads.db2[0]), 4)   # p − y = σ(6) − 1
        -0.0025
    """
    act = _activation(activation)
    _check_bug(bug)
    X, y = _check_inputs(X, y)
    if cache.z1.shape != (X.shape[0], params.hidden) or cache.p.shape != y.shape:
        raise ValueError("cache does not belong to these inputs: run forward(params, X, y) first")
    dW1, db1, dW2, db2 = _backward_arrays(params.W2, X, y, cache.z1, cache.a1, cache.p, act, bug)
    return Gradients(dW1=dW1, db1=db1, dW2=dW2, db2=db2)


def loss_and_gradients(
    params: Params, X: ArrayLike, y: ArrayLike, activation: str, bug: str | None = None
) -> tuple[float, Gradients]:
    """`forward` then `backward`: the loss and every parameter's gradient.

    Example:
        >>> params = Params(W1=[[1.0, 0.0]], b1=[0.0], W2=[[2.0]], b2=[0.0])
        >>> loss, grads = loss_and_gradients(params, [[0.0, 5.0]], [1.0], "tanh")
        >>> round(loss, 4), grads.dW2.tolist(), grads.db2.tolist()
        (0.6931, [[0.0]], [-0.5])
    """
    cache = forward(params, X, y, activation)
    return cache.loss, backward(params, X, y, activation, cache, bug=bug)


def _check_lr(lr: float) -> float:
    if isinstance(lr, bool) or not isinstance(lr, int | float | np.number):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    return float(lr)


def train_step(
    params: Params, X: ArrayLike, y: ArrayLike, activation: str, lr: float
) -> tuple[Params, float, Gradients]:
    """One step of plain gradient descent: θ ← θ − lr · dL/dθ.

    Args:
        params: the weights before the step.
        X, y, activation: as in `forward`.
        lr: the learning rate, a positive number.

    Returns:
        (new params, the loss *before* the step, the gradients the step used).

    Example:
        >>> params = Params(W1=[[1.0, 0.0]], b1=[0.0], W2=[[2.0]], b2=[0.0])
        >>> new, loss, grads = train_step(params, [[0.0, 5.0]], [1.0], "tanh", lr=0.1)
        >>> new.b2.tolist()   # 0 − 0.1 · (−0.5)
        [0.05]
    """
    lr = _check_lr(lr)
    loss, grads = loss_and_gradients(params, X, y, activation)
    new = Params(
        W1=params.W1 - lr * grads.dW1,
        b1=params.b1 - lr * grads.db1,
        W2=params.W2 - lr * grads.dW2,
        b2=params.b2 - lr * grads.db2,
    )
    return new, loss, grads


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """The result of `train`.

    Attributes:
        params: the weights after the last step (after divergence: the last with a finite loss).
        losses: shape `(steps + 1,)`; `losses[k]` is the loss after k steps (nan after divergence).
        grad_norms: shape `(steps, 2)`; row k holds [‖(dW1, db1)‖, ‖(dW2, db2)‖] for step k.
        history: the weights at `history_steps`: the start, every `snapshot_every` steps, the end.
        history_steps: shape `(len(history),)`, the step count of each snapshot.
        diverged: True if the loss stopped being finite; training stopped there.
    """

    params: Params
    losses: Array
    grad_norms: Array
    history: tuple[Params, ...]
    history_steps: NDArray[np.int64]
    diverged: bool


def train(
    params: Params,
    X: ArrayLike,
    y: ArrayLike,
    activation: str,
    lr: float,
    steps: int,
    *,
    snapshot_every: int | None = None,
) -> TrainingRun:
    """Full-batch gradient descent for `steps` steps (the same update as `train_step`, faster).

    Args:
        params: the starting weights.
        X, y, activation: as in `forward`.
        lr: the learning rate, a positive number.
        steps: number of steps, 0 to 100 000.
        snapshot_every: keep the weights every this many steps for animating the decision
            boundary; None keeps only the start and the end.

    Returns:
        `TrainingRun` with the final params, losses `(steps + 1,)`, grad_norms `(steps, 2)`.

    Raises:
        ValueError: for bad inputs, a non-positive learning rate or step count out of range.

    Example:
        >>> from calc_core.toy_data import make_dataset
        >>> data = make_dataset("linear", n=100, noise=0.05)
        >>> run = train(init_params(4), data.X, data.y, "tanh", lr=1.0, steps=200)
        >>> run.losses.shape, run.grad_norms.shape, bool(run.losses[-1] < 0.2 * run.losses[0])
        ((201,), (200, 2), True)
    """
    act = _activation(activation)
    X, y = _check_inputs(X, y)
    lr = _check_lr(lr)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise ValueError(f"steps must be a whole number from 0 to 100000, got {steps!r}")
    if not 0 <= steps <= 100_000:
        raise ValueError(f"steps must be a whole number from 0 to 100000, got {steps!r}")
    if snapshot_every is not None and (
        isinstance(snapshot_every, bool)
        or not isinstance(snapshot_every, int | np.integer)
        or snapshot_every < 1
    ):
        raise ValueError(
            f"snapshot_every must be None or a positive integer, got {snapshot_every!r}"
        )

    weights = tuple(np.array(getattr(params, field)) for field in _FIELDS)
    losses = np.full(steps + 1, np.nan)
    grad_norms = np.full((steps, 2), np.nan)
    history, history_steps = [params], [0]
    good, good_step, diverged = weights, 0, False
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        for step in range(steps + 1):
            W1, b1, W2, b2 = weights
            z1, a1, _, p, loss = _forward_arrays(W1, b1, W2, b2, X, y, act)
            losses[step] = loss
            if not np.isfinite(loss):
                diverged = True
                break
            good, good_step = weights, step
            if snapshot_every and step % snapshot_every == 0 and 0 < step < steps:
                history.append(Params(W1=W1, b1=b1, W2=W2, b2=b2))
                history_steps.append(step)
            if step == steps:
                break
            dW1, db1, dW2, db2 = _backward_arrays(W2, X, y, z1, a1, p, act, None)
            grad_norms[step] = _layer_norms(dW1, db1, dW2, db2)
            weights = (W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2)
    final = Params(*good)
    if good_step > history_steps[-1]:
        history.append(final)
        history_steps.append(good_step)
    return TrainingRun(
        params=final,
        losses=losses,
        grad_norms=grad_norms,
        history=tuple(history),
        history_steps=np.array(history_steps, dtype=np.int64),
        diverged=diverged,
    )


def predict_grid(params: Params, activation: str, xs: ArrayLike, ys: ArrayLike) -> Array:
    """The probability of label 1 at every point of a grid, for the decision-boundary heat map.

    Args:
        params: the weights.
        activation: the hidden activation.
        xs: grid coordinates along x₁, shape `(m,)`.
        ys: grid coordinates along x₂, shape `(k,)`.

    Returns:
        Probabilities, shape `(k, m)` (row i is ys[i], as a heat map's z wants); values in
        [0, 1], strictly inside unless a logit exceeds about ±37.

    Raises:
        ValueError: for non-1-D or non-finite coordinates, or more than 1 000 000 grid points.

    Example:
        >>> params = Params(W1=[[1.0, 0.0]], b1=[0.0], W2=[[4.0]], b2=[0.0])
        >>> predict_grid(params, "relu", [-1.0, 0.0, 1.0], [0.0, 2.0]).round(3).tolist()
        [[0.5, 0.5, 0.982], [0.5, 0.5, 0.982]]
    """
    act = _activation(activation)
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    for label, coords in (("xs", xs), ("ys", ys)):
        if coords.ndim != 1 or coords.size == 0 or not np.all(np.isfinite(coords)):
            raise ValueError(f"{label} must be a non-empty 1-D array of finite numbers")
    if xs.size * ys.size > MAX_GRID_POINTS:
        raise ValueError(f"the grid has {xs.size * ys.size} points; at most {MAX_GRID_POINTS}")
    gx, gy = np.meshgrid(xs, ys)
    X = np.column_stack([gx.ravel(), gy.ravel()])
    p = _forward_arrays(params.W1, params.b1, params.W2, params.b2, X, None, act)[3]
    return p.reshape(ys.size, xs.size)


# --- gradient check ------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    """One parameter's gradient, by hand and by central differences.

    Attributes:
        name: the parameter, e.g. "W1[0,1]".
        analytic: dL/dθ from `backward`.
        numeric: (L(θ + h) − L(θ − h)) / 2h.
        relative_error: |analytic − numeric| / max(|analytic| + |numeric|, 1e-3), in [0, 1]
            (see `relative_error` for why the floor).
        verdict: "fine" (below 1e-7), "suspicious" (1e-7 to 1e-4) or "wrong" (above 1e-4).
    """

    name: str
    analytic: float
    numeric: float
    relative_error: float
    verdict: str


def relative_error(analytic: float, numeric: float) -> float:
    """|a − n| / max(|a| + |n|, 1e-3): 0 when equal, 1 for opposite signs or one of them 0.

    Why the floor 1e-3 (and not a tiny number that only avoids 0/0): central differences with
    h = 1e-5 in float64 are accurate to about 1e-11 in absolute terms, not relatively (rounding,
    about ε·L/h, and truncation, about h²/6 times the third derivative, balance there).
    Measured on 8 000 correct parameters of random and trained networks, the absolute difference
    reached 4e-11; with a floor of 1e-12, correct gradients below about 1e-4 (common near the end
    of training) would read "suspicious". With 1e-3, gradients of at least 1e-3 are compared
    relatively and smaller ones absolutely: between two such small numbers, a difference above
    1e-10 is not "fine" and one above 1e-7 is "wrong".

    Example:
        >>> f"{relative_error(1.0, 1.000001):.1e}", relative_error(2.0, -2.0)
        ('5.0e-07', 1.0)
        >>> f"{relative_error(1e-6, 1.00001e-6):.0e}", relative_error(0.0, 0.0)   # tiny: absolute
        ('1e-08', 0.0)
    """
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), RELATIVE_FLOOR)


def verdict(error: float) -> str:
    """ "fine" below 1e-7, "wrong" above 1e-4 (or nan), "suspicious" in between."""
    if error < FINE_BELOW:
        return "fine"
    if error <= WRONG_ABOVE:
        return "suspicious"
    return "wrong"


def gradient_check(
    params: Params,
    X: ArrayLike,
    y: ArrayLike,
    activation: str,
    *,
    h: float = 1e-5,
    bug: str | None = None,
) -> tuple[CheckRow, ...]:
    """Compare the hand-written backward pass with central differences, for every parameter.

    For each parameter θ: numeric = (L(θ + h) − L(θ − h)) / 2h with every other parameter held,
    whose error is O(h²) plus rounding of order 1e-16 · L / h; then `relative_error` and a
    `verdict`. For relu, a point whose hidden pre-activation lies within about h·|x| of 0 sits
    on the kink, where the two-sided difference averages two slopes: such a row can be "wrong"
    although the backward pass is right (rare with random data, and worth a look when seen).

    Args:
        params, X, y, activation: as in `forward`.
        h: the step, a positive number (1e-5 balances truncation against rounding).
        bug: None, or a key of `PLANTED_BUGS` to check a deliberately wrong backward pass.

    Returns:
        One `CheckRow` per parameter, in `params.names()` order (4·hidden + 1 rows).

    Raises:
        ValueError: for bad inputs, an unknown bug or a step h that is not positive.

    Example:
        >>> from calc_core.toy_data import make_dataset
        >>> data = make_dataset("circle", n=50, seed=1)
        >>> rows = gradient_check(init_params(2), data.X, data.y, "tanh")
        >>> len(rows), {row.verdict for row in rows}
        (9, {'fine'})
        >>> rows = gradient_check(init_params(2), data.X, data.y, "tanh", bug="forgot_mean")
        >>> {row.verdict for row in rows}
        {'wrong'}
    """
    act = _activation(activation)
    _check_bug(bug)
    X, y = _check_inputs(X, y)
    if not (isinstance(h, int | float) and np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a small positive number, got {h!r}")
    analytic = loss_and_gradients(params, X, y, activation, bug=bug)[1].flat()
    theta = params.flat()
    rows = []
    for i, name in enumerate(params.names()):
        shifted = theta.copy()
        shifted[i] = theta[i] + h
        plus = Params.from_flat(shifted, params.hidden)
        shifted[i] = theta[i] - h
        minus = Params.from_flat(shifted, params.hidden)
        loss_plus = _forward_arrays(plus.W1, plus.b1, plus.W2, plus.b2, X, y, act)[4]
        loss_minus = _forward_arrays(minus.W1, minus.b1, minus.W2, minus.b2, X, y, act)[4]
        numeric = (loss_plus - loss_minus) / (2.0 * h)
        error = relative_error(float(analytic[i]), numeric)
        rows.append(CheckRow(name, float(analytic[i]), numeric, error, verdict(error)))
    return tuple(rows)


# --- one sample, by the chain rule ---------------------------------------------------------


@dataclass(frozen=True)
class ChainRuleTerm:
    """One number of the worked example in `one_sample_trace`.

    Attributes:
        name: plain-text name, e.g. "dL/dz2" or "a1[0]".
        symbol: LaTeX, e.g. r"\\frac{\\partial L}{\\partial z_2}".
        value: the number.
        role: "forward" (a value of the forward pass), "factor" (one factor of the chain rule)
            or "gradient" (the product of the factors: dL/d(weight)).
    """

    name: str
    symbol: str
    value: float
    role: str = "factor"


def _partial(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def one_sample_trace(
    params: Params, x: ArrayLike, y: float, activation: str, weight: str = "W1[0,0]"
) -> tuple[ChainRuleTerm, ...]:
    """One sample's forward numbers and the chain rule for one weight, layer by layer.

    The forward terms come first (x, z1, a1 for every hidden unit, z2, p, L), then the
    chain-rule factors from the loss back to `weight`, then their product, dL/d(weight) for this
    single sample. For W1[j,k]:
    dL/dW1[j,k] = dL/dp · dp/dz2 · dz2/da1[j] · da1[j]/dz1[j] · dz1[j]/dW1[j,k]
                = (−y/p + (1 − y)/(1 − p)) · p(1 − p) · W2[0,j] · act'(z1[j]) · x[k].

    Args:
        params: the weights.
        x: one input, shape `(2,)`.
        y: its label, 0 or 1.
        activation: the hidden activation.
        weight: a name from `params.names()`, e.g. "W1[0,0]", "b1[1]", "W2[0,2]", "b2[0]".

    Returns:
        A tuple of `ChainRuleTerm`; the product of the values whose role is "factor" equals the
        value of the last term (role "gradient"), which equals backward()'s gradient for X = [x].

    Raises:
        ValueError: for an unknown weight name or bad inputs.

    Example:
        >>> params = Params(W1=[[0.5, -1.0]], b1=[0.0], W2=[[2.0]], b2=[0.0])
        >>> trace = one_sample_trace(params, [1.0, 0.5], 1.0, "relu", "W1[0,0]")
        >>> [(t.name, t.value) for t in trace if t.role == "factor"]
        [('dL/dp', -2.0), ('dp/dz2', 0.25), ('dz2/da1[0]', 2.0), ('da1[0]/dz1[0]', 0.0), \
('dz1[0]/dW1[0,0]', 1.0)]
        >>> trace[-1].name, trace[-1].value == 0   # z1 = 0: relu is off, no gradient here
        ('dL/dW1[0,0]', True)
    """
    act = _activation(activation)
    X, y_arr = _check_inputs(np.asarray(x, dtype=float).reshape(1, -1), np.atleast_1d(y))
    field, index = _locate(weight, params.hidden)
    z1, a1, z2, p, loss = _forward_arrays(params.W1, params.b1, params.W2, params.b2, X, y_arr, act)
    x0, label, logit, prob = X[0], float(y_arr[0]), float(z2[0]), float(p[0])

    terms = [ChainRuleTerm(f"x[{k}]", f"x_{k}", float(x0[k]), "forward") for k in range(2)]
    terms.append(ChainRuleTerm("y", "y", label, "forward"))
    for j in range(params.hidden):
        terms.append(ChainRuleTerm(f"z1[{j}]", f"z_{{1,{j}}}", float(z1[0, j]), "forward"))
    for j in range(params.hidden):
        terms.append(ChainRuleTerm(f"a1[{j}]", f"a_{{1,{j}}}", float(a1[0, j]), "forward"))
    terms += [
        ChainRuleTerm("z2", "z_2", logit, "forward"),
        ChainRuleTerm("p", "p", prob, "forward"),
        ChainRuleTerm("L", "L", loss, "forward"),
    ]

    # 1/p = 1 + e^(−z2) and 1/(1 − p) = 1 + e^(z2): no division by a p that rounded to 0 or 1.
    dL_dp = -label * (1.0 + np.exp(-logit)) + (1.0 - label) * (1.0 + np.exp(logit))
    factors = [
        ChainRuleTerm("dL/dp", _partial("L", "p"), float(dL_dp)),
        ChainRuleTerm("dp/dz2", _partial("p", "z_2"), float(sigmoid(logit) * sigmoid(-logit))),
    ]
    if field in ("W1", "b1"):
        j = index[0]
        a, z = f"a_{{1,{j}}}", f"z_{{1,{j}}}"
        factors += [
            ChainRuleTerm(f"dz2/da1[{j}]", _partial("z_2", a), float(params.W2[0, j])),
            ChainRuleTerm(f"da1[{j}]/dz1[{j}]", _partial(a, z), float(act.df(z1[0, j]))),
        ]
        if field == "W1":
            k = index[1]
            local, symbol = float(x0[k]), f"W_{{1,{j}{k}}}"
        else:
            local, symbol = 1.0, f"b_{{1,{j}}}"
        factors.append(ChainRuleTerm(f"dz1[{j}]/d{weight}", _partial(z, symbol), local))
    elif field == "W2":
        j = index[1]
        symbol = f"W_{{2,0{j}}}"
        factors.append(ChainRuleTerm(f"dz2/d{weight}", _partial("z_2", symbol), float(a1[0, j])))
    else:
        symbol = "b_2"
        factors.append(ChainRuleTerm(f"dz2/d{weight}", _partial("z_2", symbol), 1.0))

    product = float(np.prod([factor.value for factor in factors]))
    gradient = ChainRuleTerm(f"dL/d{weight}", _partial("L", symbol), product, "gradient")
    return (*terms, *factors, gradient)
