"""Gradient-based optimisers as pure functions: a gradient, a start and a step size in, a
trajectory out. Update rules, hyperparameter names and defaults are those of ``torch.optim``
(PyTorch 2.x documentation pseudo-code and source), so the numbers a learner sees here are the
ones PyTorch would give:

================  =========================================================================
name              PyTorch equivalent
================  =========================================================================
``gd``            ``SGD(params, lr)``
``momentum``      ``SGD(params, lr, momentum=0.9)`` (heavy ball, ``dampening`` as in torch)
``nesterov``      ``SGD(params, lr, momentum=0.9, nesterov=True)``
``adagrad``       ``Adagrad(params, lr)``
``rmsprop``       ``RMSprop(params, lr)``
``adam``          ``Adam(params, lr)`` (``weight_decay`` is L2: added to the gradient)
``adamw``         ``AdamW(params, lr)`` (``weight_decay`` decoupled, default 0.01)
``newton``        none: (damped) Newton's method, ``x -= lr · (H + damping·I)⁻¹ ∇f``
================  =========================================================================

One deliberate difference: ``torch.optim.SGD``'s ``momentum`` defaults to 0 (plain gradient
descent); here the ``momentum`` and ``nesterov`` optimisers default to ``momentum=0.9``, the value
almost everyone passes. ``maximize``, ``foreach``, ``fused`` and the like change nothing in the
mathematics and are not offered. Where PyTorch's documentation pseudo-code and its code differ,
the code is followed: AMSGrad keeps the maximum of the raw second moment ``exp_avg_sq`` and
bias-corrects that maximum (PyTorch 1.x documented the maximum of the corrected moment).

Newton's method steps ``x -= lr · (H + damping·I)⁻¹ ∇f``: ``damping`` λ >= 0 is
Levenberg-Marquardt damping (λ = 0 and lr = 1 give the pure Newton step). Where H + λI is
singular (an eigenvalue smaller than 1e-12 times the largest, in size), the step uses the
pseudo-inverse: no step at all along the flat directions, the Newton step along the others.
Where H is indefinite the step heads for the saddle point or maximum, as Newton's method does.

Every rule except Newton's acts on each coordinate separately, as the PyTorch pseudo-code reads,
so each is written for one coordinate on Python floats: for the few coordinates of a point on a
surface that is some ten times faster than numpy on tiny arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DIVERGENCE_LIMIT",
    "OPTIMIZERS",
    "OUTSIDE",
    "SCHEDULES",
    "OptimizerInfo",
    "Schedule",
    "Trajectory",
    "check_hyperparameters",
    "largest_stable_learning_rate",
    "make_schedule",
    "run_optimizer",
    "torch_arguments",
]

Array = NDArray[np.float64]
DIVERGENCE_LIMIT = 1e6  # a coordinate beyond this counts as exploded
OUTSIDE = "it stepped to where the loss is not defined"  # a `Trajectory.reason`
MAX_STEPS = 100_000
SINGULAR_RTOL = 1e-12  # Newton: eigenvalues below this fraction of the largest count as zero


# --- what each optimiser is ------------------------------------------------------------------


@dataclass(frozen=True)
class OptimizerInfo:
    """What a page needs to present one optimiser.

    Attributes:
        name: the key, e.g. ``"adam"``.
        title: the name a learner knows, e.g. ``"Adam"``.
        torch_class: the ``torch.optim`` class, or None (Newton has none).
        defaults: hyperparameter -> default value (PyTorch's names and defaults).
        state: names of the per-coordinate state it keeps (PyTorch's ``optimizer.state`` keys
            where PyTorch has the optimiser), given the default hyperparameters.
        update: the update rule in LaTeX, one equation per line, with g_t the gradient
            (plus weight decay where the rule adds it).
    """

    name: str
    title: str
    torch_class: str | None
    defaults: Mapping[str, Any]
    state: tuple[str, ...]
    update: tuple[str, ...]


_ADAM_UPDATE = (
    r"m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t",
    r"v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2",
    r"\hat m_t = \frac{m_t}{1 - \beta_1^t}, \quad \hat v_t = \frac{v_t}{1 - \beta_2^t}",
    r"x_{t} = x_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}",
)
OPTIMIZERS: dict[str, OptimizerInfo] = {
    info.name: info
    for info in (
        OptimizerInfo(
            "gd",
            "Gradient descent",
            "SGD",
            MappingProxyType({"weight_decay": 0.0}),
            (),
            (r"x_{t} = x_{t-1} - \eta\, g_t",),
        ),
        OptimizerInfo(
            "momentum",
            "Momentum",
            "SGD",
            MappingProxyType({"momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0}),
            ("momentum_buffer",),
            (
                r"b_t = \mu\, b_{t-1} + (1 - \tau)\, g_t \quad (b_1 = g_1)",
                r"x_{t} = x_{t-1} - \eta\, b_t",
            ),
        ),
        OptimizerInfo(
            "nesterov",
            "Nesterov momentum",
            "SGD",
            MappingProxyType({"momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0}),
            ("momentum_buffer",),
            (
                r"b_t = \mu\, b_{t-1} + g_t \quad (b_1 = g_1)",
                r"x_{t} = x_{t-1} - \eta\, (g_t + \mu\, b_t)",
            ),
        ),
        OptimizerInfo(
            "adagrad",
            "AdaGrad",
            "Adagrad",
            MappingProxyType(
                {
                    "lr_decay": 0.0,
                    "weight_decay": 0.0,
                    "initial_accumulator_value": 0.0,
                    "eps": 1e-10,
                }
            ),
            ("sum",),
            (
                r"s_t = s_{t-1} + g_t^2",
                r"x_{t} = x_{t-1} - \frac{\eta}{1 + (t - 1)\,\mathrm{lr\_decay}}"
                r"\, \frac{g_t}{\sqrt{s_t} + \epsilon}",
            ),
        ),
        OptimizerInfo(
            "rmsprop",
            "RMSProp",
            "RMSprop",
            MappingProxyType(
                {
                    "alpha": 0.99,
                    "eps": 1e-8,
                    "weight_decay": 0.0,
                    "momentum": 0.0,
                    "centered": False,
                }
            ),
            ("square_avg",),
            (
                r"v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2",
                r"x_{t} = x_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}",
            ),
        ),
        OptimizerInfo(
            "adam",
            "Adam",
            "Adam",
            MappingProxyType(
                {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
            ),
            ("exp_avg", "exp_avg_sq"),
            _ADAM_UPDATE,
        ),
        OptimizerInfo(
            "adamw",
            "AdamW",
            "AdamW",
            MappingProxyType(
                {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": False}
            ),
            ("exp_avg", "exp_avg_sq"),
            (r"x_{t-1} \leftarrow x_{t-1} (1 - \eta \lambda)", *_ADAM_UPDATE),
        ),
        OptimizerInfo(
            "newton",
            "Newton's method",
            None,
            MappingProxyType({"damping": 0.0}),
            ("eigenvalues",),
            (r"x_{t} = x_{t-1} - \eta\, \left(H(x_{t-1}) + \lambda I\right)^{-1} g_t",),
        ),
    )
}


def check_hyperparameters(name: str, hyperparameters: Mapping[str, Any]) -> dict[str, Any]:
    """Validate an optimiser's hyperparameters and fill in the defaults, as ``torch.optim`` does.

    Args:
        name: one of `OPTIMIZERS`.
        hyperparameters: some of its hyperparameters, by PyTorch's names.

    Returns:
        All of its hyperparameters: floats, bools, and ``betas`` as a pair of floats.

    Raises:
        ValueError: for an unknown optimiser or hyperparameter (naming the allowed ones), or a
            value PyTorch refuses (a negative ``eps``, ``betas`` outside [0, 1), ...).

    Example:
        >>> check_hyperparameters("rmsprop", {"alpha": 0.9})
        {'alpha': 0.9, 'eps': 1e-08, 'weight_decay': 0.0, 'momentum': 0.0, 'centered': False}
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    defaults = OPTIMIZERS[name].defaults
    unknown = sorted(set(hyperparameters) - set(defaults))
    if unknown:
        raise ValueError(
            f"{name} has no hyperparameter {unknown[0]!r}; its hyperparameters are "
            f"{', '.join(defaults)}"
        )
    out: dict[str, Any] = {}
    for key, default in defaults.items():
        value = hyperparameters.get(key, default)
        if isinstance(default, bool):
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"{name}: {key} must be True or False, got {value!r}")
            out[key] = bool(value)
        elif key == "betas":
            out[key] = _betas(value)
        else:
            number = _number(f"{name}: {key}", value)
            if number < 0 and key != "dampening":
                raise ValueError(f"{name}: invalid {key} value {value!r}; it must be >= 0")
            out[key] = number
    if name == "nesterov" and (out["momentum"] <= 0 or out["dampening"] != 0):
        raise ValueError("nesterov momentum requires a momentum > 0 and zero dampening")
    return out


def _number(label: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{label} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{label} must be finite, got {value!r}")
    return float(value)


def _betas(value: Any) -> tuple[float, float]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {value!r}")
    pair = (_number("beta1", value[0]), _number("beta2", value[1]))
    for i, beta in enumerate(pair):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"invalid beta parameter at index {i}: {beta!r}; it must be in [0, 1)")
    return pair


def torch_arguments(name: str, lr: float, **hyperparameters: Any) -> dict[str, Any]:
    """The keyword arguments of the ``torch.optim`` class that reproduces this optimiser.

    Raises:
        ValueError: for ``newton`` (PyTorch has no Newton optimiser) or invalid input.

    Example:
        >>> torch_arguments("nesterov", 0.01)
        {'lr': 0.01, 'momentum': 0.9, 'dampening': 0.0, 'weight_decay': 0.0, 'nesterov': True}
    """
    hp = check_hyperparameters(name, hyperparameters)
    if OPTIMIZERS[name].torch_class is None:
        raise ValueError(f"PyTorch has no {name} optimiser")
    extra = {"nesterov": True} if name == "nesterov" else {}
    return {"lr": float(lr), **hp, **extra}


# --- learning-rate schedules -------------------------------------------------------------------

# name -> (parameter defaults, None where PyTorch requires the argument), torch class
SCHEDULES: dict[str, tuple[dict[str, float | None], str | None]] = {
    "constant": ({}, None),
    "step_decay": ({"step_size": None, "gamma": 0.1}, "StepLR"),
    "cosine": ({"T_max": None, "eta_min": 0.0}, "CosineAnnealingLR"),
    "linear_warmup": ({"warmup_steps": 5, "start_factor": 1 / 3}, "LinearLR"),
}
_INTEGER_PARAMS = ("step_size", "T_max", "warmup_steps")


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule as PyTorch's ``lr_scheduler`` defines it (closed forms).

    With ``optimizer.step()`` then ``scheduler.step()`` in each iteration, step t = 0, 1, ...
    uses the rate for epoch t:

    * ``constant``: η.
    * ``step_decay`` (``StepLR``): η · gamma^⌊t / step_size⌋ (0 < gamma <= 1: a decay).
    * ``cosine`` (``CosineAnnealingLR``): eta_min + (η − eta_min)(1 + cos(π t / T_max)) / 2;
      past T_max it climbs back, as PyTorch's does (take T_max = steps for one decay).
    * ``linear_warmup`` (``LinearLR`` with ``end_factor=1``, ``total_iters=warmup_steps``):
      η · (start_factor + (1 − start_factor) · min(t, warmup_steps) / warmup_steps).

    Build one with `make_schedule`.

    Attributes:
        name: one of `SCHEDULES`.
        params: (parameter, value) pairs, all of them (hashable, for caching).
    """

    name: str = "constant"
    params: tuple[tuple[str, float], ...] = ()

    def lr(self, base_lr: float, step: int) -> float:
        """The learning rate of step `step` (0 for the first step).

        Example:
            >>> make_schedule("step_decay", step_size=10, gamma=0.5).lr(0.1, 25)
            0.025
        """
        p = dict(self.params)
        if self.name == "step_decay":
            return base_lr * p["gamma"] ** (step // int(p["step_size"]))
        if self.name == "cosine":
            eta_min = p["eta_min"]
            return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * step / p["T_max"])) / 2
        if self.name == "linear_warmup":
            start, total = p["start_factor"], p["warmup_steps"]
            return base_lr * (start + (1.0 - start) * min(step, total) / total)
        return base_lr

    def learning_rates(self, base_lr: float, steps: int) -> Array:
        """The rates of steps 0 .. steps − 1, shape (steps,).

        Example:
            >>> make_schedule("linear_warmup", warmup_steps=2, start_factor=0.5).learning_rates(
            ...     1.0, 4)
            array([0.5 , 0.75, 1.  , 1.  ])
        """
        return np.array([self.lr(base_lr, t) for t in range(steps)], dtype=np.float64)

    @property
    def torch_class(self) -> str | None:
        """The ``torch.optim.lr_scheduler`` class, or None for a constant rate."""
        return SCHEDULES[self.name][1]

    def torch_arguments(self) -> dict[str, float]:
        """Keyword arguments of `torch_class` (after the optimizer) that give this schedule."""
        p = dict(self.params)
        if self.name == "linear_warmup":
            return {
                "start_factor": p["start_factor"],
                "end_factor": 1.0,
                "total_iters": int(p["warmup_steps"]),
            }
        return {k: int(v) if k in _INTEGER_PARAMS else v for k, v in p.items()}


def make_schedule(name: str = "constant", **params: float) -> Schedule:
    """Build and validate a learning-rate schedule.

    Args:
        name: ``"constant"``, ``"step_decay"`` (``step_size``, ``gamma=0.1``), ``"cosine"``
            (``T_max``, ``eta_min=0``) or ``"linear_warmup"`` (``warmup_steps=5``,
            ``start_factor=1/3``): PyTorch's names and defaults; ``step_size`` and ``T_max``
            are required, as in PyTorch.
        params: the schedule's parameters.

    Returns:
        A `Schedule`.

    Raises:
        ValueError: for an unknown schedule or parameter (naming the allowed ones), a missing
            required one, or a value out of range.

    Example:
        >>> make_schedule("cosine", T_max=100).lr(1.0, 50)
        0.5
    """
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")
    defaults = SCHEDULES[name][0]
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        allowed = ", ".join(defaults) or "none"
        raise ValueError(
            f"schedule {name} has no parameter {unknown[0]!r}; its parameters are {allowed}"
        )
    values: list[tuple[str, float]] = []
    for key, default in defaults.items():
        if params.get(key, default) is None:
            raise ValueError(f"schedule {name} needs {key}")
        value = _number(f"{name}: {key}", params.get(key, default))
        if key in _INTEGER_PARAMS and (value != int(value) or value < 1):
            raise ValueError(f"{name}: {key} must be a whole number >= 1, got {value!r}")
        if value < 0 or (key in ("start_factor", "gamma") and not 0 < value <= 1):
            raise ValueError(f"{name}: {key} out of range: {value!r}")
        values.append((key, value))
    return Schedule(name, tuple(values))


CONSTANT = Schedule()


# --- the update rules, one coordinate at a time ------------------------------------------------
# Each rule maps (t, lr, x, g, *state) -> (x, *state) for one coordinate, t = 1, 2, ... being
# PyTorch's state["step"]. Python floats raise where IEEE arithmetic gives inf or NaN, hence
# _sqrt and _div.


def _sqrt(v: float) -> float:
    return math.sqrt(v) if v >= 0 else math.nan  # NaN for NaN and negative, as torch.sqrt


def _div(a: float, b: float) -> float:
    if b:
        return a / b
    return math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1, b)


def _sgd(momentum: float, dampening: float, weight_decay: float, nesterov: bool) -> Callable:
    def update(t: int, lr: float, x: float, g: float, buf: float = 0.0) -> tuple[float, ...]:
        g = g + weight_decay * x
        if not momentum:
            return (x - lr * g,)
        buf = g if t == 1 else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
        return x - lr * g, buf

    return update


def _adagrad(
    lr_decay: float, weight_decay: float, initial_accumulator_value: float, eps: float
) -> Callable:
    def update(t: int, lr: float, x: float, g: float, total: float) -> tuple[float, ...]:
        g = g + weight_decay * x
        clr = lr / (1 + (t - 1) * lr_decay)
        total = total + g * g
        return x - clr * _div(g, _sqrt(total) + eps), total

    return update


def _rmsprop(
    alpha: float, eps: float, weight_decay: float, momentum: float, centered: bool
) -> Callable:
    def update(
        t: int, lr: float, x: float, g: float, square_avg: float, buf: float, grad_avg: float
    ) -> tuple[float, ...]:
        g = g + weight_decay * x
        square_avg = alpha * square_avg + (1 - alpha) * g * g
        if centered:
            grad_avg = alpha * grad_avg + (1 - alpha) * g
            avg = _sqrt(square_avg - grad_avg * grad_avg) + eps
        else:
            avg = _sqrt(square_avg) + eps
        if momentum > 0:
            buf = momentum * buf + _div(g, avg)
            return x - lr * buf, square_avg, buf, grad_avg
        return x - lr * _div(g, avg), square_avg, buf, grad_avg

    return update


def _adam(
    betas: tuple[float, float], eps: float, weight_decay: float, amsgrad: bool, decoupled: bool
) -> Callable:
    beta1, beta2 = betas

    def update(
        t: int, lr: float, x: float, g: float, exp_avg: float, exp_avg_sq: float, max_sq: float
    ) -> tuple[float, ...]:
        if decoupled:
            x = x * (1 - lr * weight_decay)  # AdamW: shrink the weight itself
        else:
            g = g + weight_decay * x  # Adam: L2 penalty added to the gradient
        exp_avg = beta1 * exp_avg + (1 - beta1) * g
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        if amsgrad:
            max_sq = max(max_sq, exp_avg_sq)
        second = max_sq if amsgrad else exp_avg_sq
        denom = _sqrt(second) / math.sqrt(bias_correction2) + eps
        return x - lr / bias_correction1 * _div(exp_avg, denom), exp_avg, exp_avg_sq, max_sq

    return update


def _rule(name: str, hp: dict[str, Any]) -> tuple[Callable, dict[str, float], tuple[str, ...]]:
    """(update, initial per-coordinate state by name, names of the state to record)."""
    if name in ("gd", "momentum", "nesterov"):
        sgd = {"momentum": 0.0, "dampening": 0.0, **hp, "nesterov": name == "nesterov"}
        initial = {"momentum_buffer": 0.0} if sgd["momentum"] else {}
        return _sgd(**sgd), initial, tuple(initial)
    if name == "adagrad":
        return _adagrad(**hp), {"sum": hp["initial_accumulator_value"]}, ("sum",)
    if name == "rmsprop":
        kept = ("square_avg",)
        kept += ("momentum_buffer",) if hp["momentum"] > 0 else ()
        kept += ("grad_avg",) if hp["centered"] else ()
        initial = {"square_avg": 0.0, "momentum_buffer": 0.0, "grad_avg": 0.0}
        return _rmsprop(**hp), initial, kept
    kept = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if hp["amsgrad"] else ())
    initial = {"exp_avg": 0.0, "exp_avg_sq": 0.0, "max_exp_avg_sq": 0.0}
    return _adam(**hp, decoupled=name == "adamw"), initial, kept


def _newton_step(H: Array, g: Array, shift: Array) -> tuple[Array, Array]:
    """(H + shift)⁺ g by eigen-decomposition, and the eigenvalues of H + shift (shift = λI).

    Eigenvalues smaller than SINGULAR_RTOL times the largest count as zero and their directions
    get no step (the pseudo-inverse): along a flat direction Newton's method has no curvature
    to divide by, so it stays put there instead of jumping to infinity.
    """
    A = H + shift
    if not np.isfinite(A).all():
        nan = np.full(len(g), np.nan)
        return nan, nan
    w, V = np.linalg.eigh(A)
    size = np.abs(w)
    inverse = np.divide(1.0, w, out=np.zeros_like(w), where=size > SINGULAR_RTOL * size.max())
    return V @ (inverse * (g @ V)), w


# --- trajectories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trajectory:
    """The path an optimiser took, with what it kept along the way.

    Per-point arrays have k + 1 rows (the start, then after each step); per-step arrays have
    k rows, row i belonging to the step from ``points[i]`` to ``points[i + 1]``. All arrays are
    read-only.

    Attributes:
        optimizer: its name, e.g. ``"adam"``.
        points: (k + 1, n), the start first; k = steps unless the run diverged.
        losses: (k + 1,) the loss at each point, or None if no loss was given.
        diverged: the step t (1-based) whose new point was not finite, beyond
            `DIVERGENCE_LIMIT` in some coordinate, or had a non-finite loss; that point is
            dropped, so ``k = t − 1``. 0 if the loss at the start is not finite (the start is
            then the only point). None if the run completed.
        reason: why it diverged, one phrase (None if it did not); `OUTSIDE` when the point
            it reached is where the loss is undefined.
        gradients: (k, n) the gradient each step used (noise included, weight decay not).
        learning_rates: (k,) the scheduled learning rate of each step (Adagrad's ``lr_decay``
            divides it further).
        state: name -> (k, n), the state after each step: ``momentum_buffer`` (momentum,
            nesterov, rmsprop with momentum), ``sum`` (adagrad), ``square_avg`` and ``grad_avg``
            (rmsprop), ``exp_avg``, ``exp_avg_sq`` and ``max_exp_avg_sq`` (adam, adamw), or
            ``eigenvalues`` of H + damping·I, ascending (newton).
        hyperparameters: all of them, defaults filled in.
        lr: the base learning rate; schedule: the schedule.
    """

    optimizer: str
    points: Array
    losses: Array | None
    diverged: int | None
    reason: str | None
    gradients: Array
    learning_rates: Array
    state: Mapping[str, Array]
    hyperparameters: Mapping[str, Any]
    lr: float
    schedule: Schedule

    @property
    def steps(self) -> int:
        """The number of steps taken, k."""
        return len(self.points) - 1


def _frozen(a: Array) -> Array:
    a.setflags(write=False)
    return a


def _start(x0: ArrayLike) -> Array:
    x = np.array(x0, dtype=np.float64)
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be a non-empty 1-D array of finite numbers, got {x0!r}")
    return x


def _vector(value: Any, n: int, what: str) -> Array:
    out = np.asarray(value, dtype=np.float64)
    if out.shape != (n,):
        raise ValueError(f"{what} must return an array of shape ({n},), got shape {out.shape}")
    return out


def run_optimizer(
    name: str,
    grad: Callable[[Array], ArrayLike],
    x0: ArrayLike,
    lr: float,
    steps: int,
    *,
    hessian: Callable[[Array], ArrayLike] | None = None,
    loss: Callable[[Array], ArrayLike] | None = None,
    schedule: Schedule | None = None,
    noise: float = 0.0,
    seed: int = 0,
    **hyperparameters: Any,
) -> Trajectory:
    """Run one optimiser from x0 and return its trajectory.

    Args:
        name: one of `OPTIMIZERS`: gd, momentum, nesterov, adagrad, rmsprop, adam, adamw,
            newton.
        grad: x of shape (n,) -> ∇f(x) of shape (n,).
        x0: the start, shape (n,).
        lr: the (base) learning rate, >= 0.
        steps: how many steps, 0 .. 100 000.
        hessian: x (n,) -> H(x) (n, n); required by newton, ignored by the others.
        loss: points (m, n) -> values (m,), called once on all the points after the run
            (`Surface.loss` is such a function); None to skip losses.
        schedule: a `Schedule` from `make_schedule`; None is a constant rate.
        noise: standard deviation of Gaussian noise added to every gradient (to mimic the
            noisy gradients of SGD on mini-batches); 0 for exact gradients.
        seed: seed of the noise, so a noisy run can be replayed exactly.
        **hyperparameters: the optimiser's own, by PyTorch's names (see `OPTIMIZERS`).

    Returns:
        A `Trajectory`; a run that diverges stops at the step where it did.

    Raises:
        ValueError: for an unknown optimiser or hyperparameter (naming the allowed ones), bad
            values, newton without a hessian, or grad / hessian / loss returning the wrong shape.

    Example:
        >>> run = run_optimizer("gd", lambda x: x, [2.0], lr=0.5, steps=2)  # f = x²/2
        >>> run.points.ravel().tolist()
        [2.0, 1.0, 0.5]
    """
    hp = check_hyperparameters(name, hyperparameters)
    x = _start(x0)
    n = x.size
    lr = _number("lr", lr)
    if lr < 0:
        raise ValueError(f"invalid learning rate {lr!r}; it must be >= 0")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise ValueError(f"steps must be a whole number, got {steps!r}")
    if not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 0 and {MAX_STEPS}, got {steps!r}")
    if _number("noise", noise) < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    if name == "newton" and hessian is None:
        raise ValueError("newton needs hessian=, a function x -> H(x) of shape (n, n)")
    schedule = CONSTANT if schedule is None else schedule
    if not isinstance(schedule, Schedule):
        raise ValueError(f"schedule must be a Schedule from make_schedule, got {schedule!r}")

    rates = schedule.learning_rates(lr, int(steps))
    shocks = noise * np.random.default_rng(seed).standard_normal((int(steps), n)) if noise else None
    if hessian is not None and name == "newton":
        walk = _walk_newton(grad, hessian, x, rates, shocks, hp["damping"])
    else:
        walk = _walk(name, hp, grad, x, rates, shocks)
    points, gradients, states, diverged, reason = walk

    losses = None
    if loss is not None:
        losses = np.array(loss(points), dtype=np.float64)
        if losses.shape != (len(points),):
            raise ValueError(
                f"loss must map an (m, n) array of points to m values; got shape {losses.shape} "
                f"for {len(points)} points"
            )
        bad = np.flatnonzero(~np.isfinite(losses))
        if bad.size:
            cut = int(bad[0])
            # NaN at a finite point: the loss is undefined there (log x at x < 0), which a step
            # can reach without anything blowing up; ±inf (or NaN from an overflow) is a blow-up.
            outside = np.isnan(losses[cut]) and bool(np.isfinite(points[cut]).all())
            diverged, reason = cut, OUTSIDE if outside else "the loss is not a finite number"
            keep = max(cut, 1)
            points, losses = points[:keep], losses[:keep]
            gradients = gradients[: keep - 1]
            states = {k: v[: keep - 1] for k, v in states.items()}
    k = len(points) - 1
    return Trajectory(
        optimizer=name,
        points=_frozen(points),
        losses=None if losses is None else _frozen(losses),
        diverged=diverged,
        reason=reason,
        gradients=_frozen(gradients),
        learning_rates=_frozen(rates[:k].copy()),
        state=MappingProxyType({key: _frozen(v) for key, v in states.items()}),
        hyperparameters=MappingProxyType(hp),
        lr=lr,
        schedule=schedule,
    )


_Walk = tuple[Array, Array, dict[str, Array], int | None, str | None]


def _escaped(x: list[float]) -> str | None:
    """Why the point counts as diverged, or None."""
    if all(-DIVERGENCE_LIMIT <= v <= DIVERGENCE_LIMIT for v in x):  # False for NaN too
        return None
    if all(math.isfinite(v) for v in x):
        return f"a coordinate grew beyond {DIVERGENCE_LIMIT:g}"
    return "the step is not a finite number"


def _walk(
    name: str,
    hp: dict[str, Any],
    grad: Callable[[Array], ArrayLike],
    x0: Array,
    rates: Array,
    shocks: Array | None,
) -> _Walk:
    """The steps of a coordinate-wise rule, on Python floats (the hot loop)."""
    update, initial, kept = _rule(name, hp)
    n = len(x0)
    x = x0.tolist()
    coords = [tuple(initial.values())] * n  # the state of each coordinate
    points, gradients, history = [x], [], []
    diverged = reason = None
    for t, lr in enumerate(rates.tolist(), start=1):
        g = _vector(grad(np.array(x)), n, "grad").tolist()
        if shocks is not None:
            g = [gi + si for gi, si in zip(g, shocks[t - 1].tolist(), strict=True)]
        moved = [update(t, lr, xi, gi, *si) for xi, gi, si in zip(x, g, coords, strict=True)]
        new_x = [m[0] for m in moved]
        reason = _escaped(new_x)
        if reason is not None:
            diverged = t
            break
        x, coords = new_x, [m[1:] for m in moved]
        points.append(x)
        gradients.append(g)
        history.append(coords)
    names = tuple(initial)
    table = np.array(history, dtype=np.float64).reshape(len(history), n, len(names))
    states = {key: table[:, :, names.index(key)].copy() for key in kept}
    return (
        np.array(points, dtype=np.float64),
        np.array(gradients, dtype=np.float64).reshape(-1, n),
        states,
        diverged,
        reason,
    )


def _walk_newton(
    grad: Callable[[Array], ArrayLike],
    hessian: Callable[[Array], ArrayLike],
    x0: Array,
    rates: Array,
    shocks: Array | None,
    damping: float,
) -> _Walk:
    """Damped Newton steps: x -= lr · (H + damping·I)⁺ ∇f, on numpy arrays."""
    n = len(x0)
    x = x0
    shift = damping * np.eye(n)
    points, gradients, eigenvalues = [x], [], []
    diverged = reason = None
    with np.errstate(all="ignore"):
        for t, lr in enumerate(rates.tolist(), start=1):
            g = _vector(grad(x.copy()), n, "grad")
            if shocks is not None:
                g = g + shocks[t - 1]
            H = np.asarray(hessian(x.copy()), dtype=np.float64)
            if H.shape != (n, n):
                raise ValueError(f"hessian must return shape ({n}, {n}), got shape {H.shape}")
            step, w = _newton_step(H, g, shift)
            new_x = x - lr * step
            reason = _escaped(new_x.tolist())
            if reason is not None:
                diverged = t
                break
            x = new_x
            points.append(x)
            gradients.append(g)
            eigenvalues.append(w)
    return (
        np.array(points, dtype=np.float64),
        np.array(gradients, dtype=np.float64).reshape(-1, n),
        {"eigenvalues": np.array(eigenvalues, dtype=np.float64).reshape(-1, n)},
        diverged,
        reason,
    )


# --- stability --------------------------------------------------------------------------------


def largest_stable_learning_rate(hessian_matrix: ArrayLike) -> float:
    """The stability bound of gradient descent on a quadratic: 2 / λmax of its Hessian.

    On f(x) = ½ xᵀHx + bᵀx, gradient descent multiplies the error along each eigenvector of H
    by (1 − lr·λ) per step, so it converges exactly when lr < 2/λmax (at lr = 2/λmax it
    oscillates forever). For any other f this holds near a minimum, with H the Hessian there.

    Args:
        hessian_matrix: a symmetric (n, n) matrix.

    Returns:
        2 / λmax, or ``inf`` if no eigenvalue is positive (no step size makes gradient
        descent settle: it slides away along the negative or flat directions whatever lr is).

    Raises:
        ValueError: for a matrix that is not square, symmetric and finite.

    Example:
        >>> largest_stable_learning_rate([[1.0, 0.0], [0.0, 11.0]])  # 2 / 11
        0.18181818181818182
    """
    H = np.asarray(hessian_matrix, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.size == 0 or not np.all(np.isfinite(H)):
        raise ValueError(f"expected a finite square matrix, got {hessian_matrix!r}")
    if not np.allclose(H, H.T, rtol=1e-9, atol=1e-12):
        raise ValueError("a Hessian is symmetric; this matrix is not")
    top = float(np.linalg.eigvalsh(H).max())
    return 2.0 / top if top > 0 else math.inf
