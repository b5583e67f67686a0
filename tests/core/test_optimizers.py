"""The optimisers: each update rule against steps worked by hand, against a second, vectorised
implementation of PyTorch's documented pseudo-code, and against torch.optim itself when torch is
installed; schedules against their formulas; divergence, noise, shapes and validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc_core.optimizers import (
    DIVERGENCE_LIMIT,
    OPTIMIZERS,
    OUTSIDE,
    SCHEDULES,
    check_hyperparameters,
    largest_stable_learning_rate,
    make_schedule,
    run_optimizer,
    torch_arguments,
)
from calc_core.surfaces import quadratic_bowl


def half_square(x):
    """∇ of f(x) = x²/2 (summed over coordinates) is x itself."""
    return np.asarray(x, dtype=float)


def half_square_loss(points):
    return 0.5 * (np.asarray(points) ** 2).sum(axis=-1)


def path(name, lr, steps, x0=(2.0,), grad=half_square, **kwargs):
    return run_optimizer(name, grad, x0, lr, steps, **kwargs).points[:, 0].tolist()


# --- each rule, worked by hand on f = x²/2 (so the gradient is x), x0 = 2 --------------------


def test_gd_by_hand():
    """x ← x − lr·x with lr = 0.5 halves x: 2, 1, 0.5, 0.25."""
    assert path("gd", 0.5, 3) == [2.0, 1.0, 0.5, 0.25]


def test_gd_weight_decay_by_hand():
    """weight_decay adds λx to the gradient: g = 2 + 0.5·2 = 3, x1 = 2 − 0.1·3 = 1.7."""
    assert path("gd", 0.1, 1, weight_decay=0.5) == pytest.approx([2.0, 1.7])


def test_momentum_by_hand():
    """μ = 0.9, lr = 0.1; the buffer starts as the first gradient (as torch's SGD):
    t=1: g=2,    b=2,                     x=2 − 0.2 = 1.8
    t=2: g=1.8,  b=0.9·2 + 1.8 = 3.6,     x=1.8 − 0.36 = 1.44
    t=3: g=1.44, b=0.9·3.6 + 1.44 = 4.68, x=1.44 − 0.468 = 0.972"""
    run = run_optimizer("momentum", half_square, [2.0], 0.1, 3)
    assert run.points[:, 0].tolist() == pytest.approx([2.0, 1.8, 1.44, 0.972])
    assert run.state["momentum_buffer"][:, 0].tolist() == pytest.approx([2.0, 3.6, 4.68])


def test_momentum_dampening_by_hand():
    """dampening τ = 0.5 scales new gradients by 1 − τ, but not the first one:
    t=1: b=2, x=1.8;  t=2: b=0.9·2 + 0.5·1.8 = 2.7, x=1.8 − 0.27 = 1.53"""
    assert path("momentum", 0.1, 2, dampening=0.5) == pytest.approx([2.0, 1.8, 1.53])


def test_nesterov_by_hand():
    """μ = 0.9, lr = 0.1; the step is g + μ·b:
    t=1: g=2,    b=2,                 step=2 + 1.8 = 3.8,      x=2 − 0.38 = 1.62
    t=2: g=1.62, b=0.9·2 + 1.62=3.42, step=1.62 + 3.078=4.698, x=1.62 − 0.4698 = 1.1502"""
    run = run_optimizer("nesterov", half_square, [2.0], 0.1, 2)
    assert run.points[:, 0].tolist() == pytest.approx([2.0, 1.62, 1.1502])
    assert run.state["momentum_buffer"][:, 0].tolist() == pytest.approx([2.0, 3.42])


def test_adagrad_by_hand():
    """lr = 0.5 (eps = 1e-10 changes nothing at this precision):
    t=1: g=2,   sum=4,           x=2 − 0.5·2/2 = 1.5
    t=2: g=1.5, sum=4 + 2.25=6.25, x=1.5 − 0.5·1.5/2.5 = 1.2
    t=3: g=1.2, sum=7.69,          x=1.2 − 0.5·1.2/2.77308... = 0.98363447"""
    run = run_optimizer("adagrad", half_square, [2.0], 0.5, 3)
    assert run.points[:, 0].tolist() == pytest.approx([2.0, 1.5, 1.2, 0.9836344662], abs=1e-9)
    assert run.state["sum"][:, 0].tolist() == pytest.approx([4.0, 6.25, 7.69])


def test_adagrad_lr_decay_and_initial_accumulator_by_hand():
    """lr_decay = 1: step t uses lr / (1 + (t − 1)): t=2: 0.25, x=1.5 − 0.25·1.5/2.5 = 1.35.
    initial_accumulator_value = 5: sum=5 + 4 = 9, x=2 − 0.5·2/3 = 5/3."""
    assert path("adagrad", 0.5, 2, lr_decay=1.0) == pytest.approx([2.0, 1.5, 1.35])
    assert path("adagrad", 0.5, 1, initial_accumulator_value=5.0) == pytest.approx([2, 5 / 3])


def test_rmsprop_by_hand():
    """alpha = 0.75, lr = 0.5:
    t=1: g=2, v=0.25·4 = 1,          x=2 − 0.5·2/1 = 1
    t=2: g=1, v=0.75·1 + 0.25·1 = 1, x=1 − 0.5·1/1 = 0.5"""
    run = run_optimizer("rmsprop", half_square, [2.0], 0.5, 2, alpha=0.75)
    assert run.points[:, 0].tolist() == pytest.approx([2.0, 1.0, 0.5])
    assert run.state["square_avg"][:, 0].tolist() == pytest.approx([1.0, 1.0])


def test_rmsprop_default_first_step_is_ten_learning_rates():
    """With alpha = 0.99 the first v is 0.01·g², √v = 0.1·|g|: the first step is 10·lr·sign(g)
    whatever the gradient's size: 2 − 10·0.01 = 1.9 (eps = 1e-8 moves it by 5e-9)."""
    assert path("rmsprop", 0.01, 1) == pytest.approx([2.0, 1.9], abs=1e-8)
    assert path("rmsprop", 0.01, 1, x0=(-300.0,)) == pytest.approx([-300.0, -299.9], abs=1e-9)


def test_rmsprop_centered_and_momentum_by_hand():
    """(eps = 0 so that the numbers are exact.)
    centered, alpha=0.75, lr=0.5: v=1, ḡ=0.25·2=0.5, √(1 − 0.25) = 0.8660254,
    x1 = 2 − 0.5·2/0.8660254 = 0.84529946.
    momentum 0.5: t=1: v=1, b=2/1=2, x=2 − 0.5·2 = 1; t=2: v=1, b=0.5·2 + 1 = 2, x=1 − 1 = 0."""
    centered = run_optimizer(
        "rmsprop", half_square, [2.0], 0.5, 1, alpha=0.75, centered=True, eps=0.0
    )
    assert centered.points[1, 0] == pytest.approx(0.8452994616, abs=1e-10)
    assert centered.state["grad_avg"][0, 0] == pytest.approx(0.5)
    heavy = run_optimizer("rmsprop", half_square, [2.0], 0.5, 2, alpha=0.75, momentum=0.5, eps=0.0)
    assert heavy.points[:, 0].tolist() == pytest.approx([2.0, 1.0, 0.0], abs=1e-12)
    assert heavy.state["momentum_buffer"][:, 0].tolist() == pytest.approx([2.0, 2.0])


def test_adam_by_hand():
    """betas (0.9, 0.999), lr = 0.1:
    t=1: g=2,   m=0.2, v=0.004; m̂=0.2/0.1=2, v̂=0.004/0.001=4: x=2 − 0.1·2/(2 + 1e-8) = 1.9
         (the first Adam step is lr·sign(g), up to eps)
    t=2: g=1.9, m=0.18 + 0.19=0.37, v=0.003996 + 0.00361=0.007606;
         m̂=0.37/0.19=1.9473684, v̂=0.007606/0.001999=3.8049025, √v̂=1.9506159,
         x=1.9 − 0.1·0.9983349 = 1.8001665"""
    run = run_optimizer("adam", half_square, [2.0], 0.1, 2)
    assert run.points[:, 0].tolist() == pytest.approx([2.0, 1.9, 1.8001665], abs=1e-7)
    assert run.state["exp_avg"][:, 0].tolist() == pytest.approx([0.2, 0.37])
    assert run.state["exp_avg_sq"][:, 0].tolist() == pytest.approx([0.004, 0.007606])


def test_adam_weight_decay_is_l2_on_the_gradient_by_hand():
    """f = (x − 1)²/2, weight_decay 0.5 adds 0.5x to the gradient x − 1:
    t=1: g=1 + 1 = 2, x=1.9 (lr·sign);  t=2: g=0.9 + 0.95 = 1.85, m=0.18 + 0.185 = 0.365,
    v=0.003996 + 0.0034225=0.0074185; m̂=1.9210526, √v̂=1.9264076, x=1.9 − 0.0997220 = 1.800278"""
    run = run_optimizer("adam", lambda x: x - 1.0, [2.0], 0.1, 2, weight_decay=0.5)
    assert run.points[:, 0].tolist() == pytest.approx([2.0, 1.9, 1.8002788], abs=1e-7)


def test_adamw_decay_is_decoupled_by_hand():
    """weight_decay 0.1, lr 0.1: first x ← x(1 − 0.01), then the Adam step with the gradient
    taken at the old x:  t=1: 2·0.99 = 1.98, − 0.1 → 1.88;
    t=2: g=1.88, 1.88·0.99 = 1.8612, m=0.368, v=0.0075304, m̂/√v̂ = 0.9979, x=1.7614090"""
    run = run_optimizer("adamw", half_square, [2.0], 0.1, 2)  # default weight_decay 0.01 below
    decayed = run_optimizer("adamw", half_square, [2.0], 0.1, 2, weight_decay=0.1)
    assert decayed.points[:, 0].tolist() == pytest.approx([2.0, 1.88, 1.7614090], abs=1e-7)
    assert run.hyperparameters["weight_decay"] == 0.01
    assert run.points[1, 0] == pytest.approx(2.0 * (1 - 0.1 * 0.01) - 0.1, abs=1e-8)


def test_amsgrad_by_hand():
    """betas (0, 0.5) (so m = g), lr 1:  t=1: v=0.5·4=2, v̂=2/0.5=4, x=2 − 2/2 = 1.
    t=2: g=1, v=0.5·2 + 0.5·1 = 1.5 < 2. AMSGrad keeps max(2, 1.5) = 2:
    x = 1 − 1/(√2/√0.75) = 1 − 0.6123724 = 0.3876276; plain Adam: 1 − 1/√2 = 0.2928932."""
    ams = run_optimizer("adam", half_square, [2.0], 1.0, 2, betas=(0.0, 0.5), amsgrad=True)
    plain = run_optimizer("adam", half_square, [2.0], 1.0, 2, betas=(0.0, 0.5))
    assert ams.points[:, 0].tolist() == pytest.approx([2.0, 1.0, 0.3876276], abs=1e-7)
    assert plain.points[:, 0].tolist() == pytest.approx([2.0, 1.0, 0.2928932], abs=1e-7)
    assert ams.state["max_exp_avg_sq"][:, 0].tolist() == [2.0, 2.0]
    assert "max_exp_avg_sq" not in plain.state


def _bowl_hessian(_x):
    return np.diag([1.0, 10.0])


def test_newton_by_hand():
    """f = (x² + 10y²)/2: an undamped Newton step lands on the minimum at once;
    damping 1: (H + I) = diag(2, 11), from (2, 1.1): step (2/2, 11/11) = (1, 1) → (1, 0.1),
    then (0.5, 0.1 − 1/11) = (0.5, 0.0090909)."""
    grad = lambda p: np.array([1.0, 10.0]) * p  # noqa: E731
    exact = run_optimizer("newton", grad, [2.0, 1.1], 1.0, 1, hessian=_bowl_hessian)
    assert exact.points[-1] == pytest.approx([0.0, 0.0], abs=1e-15)
    damped = run_optimizer("newton", grad, [2.0, 1.1], 1.0, 2, hessian=_bowl_hessian, damping=1.0)
    assert damped.points.ravel() == pytest.approx([2.0, 1.1, 1.0, 0.1, 0.5, 0.1 / 11])
    assert damped.state["eigenvalues"][0].tolist() == pytest.approx([2.0, 11.0])
    half = run_optimizer("newton", grad, [2.0, 1.1], 0.5, 1, hessian=_bowl_hessian)
    assert half.points[-1] == pytest.approx([1.0, 0.55])  # lr scales the step


def test_newton_singular_hessian_takes_no_step_along_flat_directions():
    """f = x²/2 + y has H = diag(1, 0): the pseudo-inverse step fixes x and leaves y alone."""
    grad = lambda p: np.array([p[0], 1.0])  # noqa: E731
    flat = lambda p: np.diag([1.0, 0.0])  # noqa: E731
    run = run_optimizer("newton", grad, [2.0, 3.0], 1.0, 2, hessian=flat)
    assert run.points.tolist() == [[2.0, 3.0], [0.0, 3.0], [0.0, 3.0]]
    assert run.state["eigenvalues"][0].tolist() == [0.0, 1.0]
    zero = run_optimizer("newton", grad, [2.0, 3.0], 1.0, 1, hessian=lambda p: np.zeros((2, 2)))
    assert zero.points[-1].tolist() == [2.0, 3.0] and zero.diverged is None


def test_newton_heads_for_a_saddle():
    """On x² − y² Newton's method jumps straight to the saddle point (0, 0)."""
    grad = lambda p: np.array([2 * p[0], -2 * p[1]])  # noqa: E731
    run = run_optimizer("newton", grad, [1.0, 1.0], 1.0, 1, hessian=lambda p: np.diag([2, -2.0]))
    assert run.points[-1] == pytest.approx([0.0, 0.0])


# --- the same rules, a second way: PyTorch's documented pseudo-code on whole vectors ---------


def reference(name, grad, x0, lr, steps, hp):
    """torch.optim's documentation pseudo-code, literally, with numpy vectors."""
    x = np.array(x0, dtype=float)
    b = m = v = vmax = gavg = s = None
    for t in range(1, steps + 1):
        g = grad(x)
        if name == "adamw":
            x = x - lr * hp["weight_decay"] * x
        elif hp.get("weight_decay"):
            g = g + hp["weight_decay"] * x
        if name in ("gd", "momentum", "nesterov"):
            mu = hp.get("momentum", 0.0)
            if mu:
                b = g if t == 1 else mu * b + (1 - hp["dampening"]) * g
                g = g + mu * b if name == "nesterov" else b
            x = x - lr * g
        elif name == "adagrad":
            s = (np.full_like(x, hp["initial_accumulator_value"]) if s is None else s) + g * g
            x = x - lr / (1 + (t - 1) * hp["lr_decay"]) * g / (np.sqrt(s) + hp["eps"])
        elif name == "rmsprop":
            a = hp["alpha"]
            v = (1 - a) * g * g if v is None else a * v + (1 - a) * g * g
            vt = v
            if hp["centered"]:
                gavg = (1 - a) * g if gavg is None else a * gavg + (1 - a) * g
                vt = v - gavg * gavg
            if hp["momentum"] > 0:
                b = g / (np.sqrt(vt) + hp["eps"]) + (0 if b is None else hp["momentum"] * b)
                x = x - lr * b
            else:
                x = x - lr * g / (np.sqrt(vt) + hp["eps"])
        else:  # adam, adamw
            b1, b2 = hp["betas"]
            m = (1 - b1) * g if m is None else b1 * m + (1 - b1) * g
            v = (1 - b2) * g * g if v is None else b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1**t)
            if hp["amsgrad"]:
                vmax = v if vmax is None else np.maximum(vmax, v)
                v_hat = vmax / (1 - b2**t)
            else:
                v_hat = v / (1 - b2**t)
            x = x - lr * m_hat / (np.sqrt(v_hat) + hp["eps"])
    return x


HYPERPARAMETERS = {
    "gd": st.fixed_dictionaries({"weight_decay": st.sampled_from([0.0, 0.1])}),
    "momentum": st.fixed_dictionaries(
        {"momentum": st.floats(0.0, 0.99), "dampening": st.sampled_from([0.0, 0.3])}
    ),
    "nesterov": st.fixed_dictionaries({"momentum": st.floats(0.1, 0.99)}),
    "adagrad": st.fixed_dictionaries(
        {"lr_decay": st.sampled_from([0.0, 0.1]), "initial_accumulator_value": st.floats(0, 2)}
    ),
    "rmsprop": st.fixed_dictionaries(
        {
            "alpha": st.floats(0.5, 0.999),
            "momentum": st.sampled_from([0.0, 0.5]),
            "centered": st.booleans(),
        }
    ),
    "adam": st.fixed_dictionaries(
        {
            "betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.999)),
            "amsgrad": st.booleans(),
            "weight_decay": st.sampled_from([0.0, 0.1]),
        }
    ),
    "adamw": st.fixed_dictionaries(
        {"betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.999)), "amsgrad": st.booleans()}
    ),
}


@st.composite
def problems(draw):
    name = draw(st.sampled_from(sorted(HYPERPARAMETERS)))
    hp = draw(HYPERPARAMETERS[name])
    a = draw(st.lists(st.floats(0.2, 5.0), min_size=2, max_size=2))
    c = draw(st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2))
    x0 = draw(st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=2))
    lr = draw(st.floats(0.001, 0.2))
    return name, hp, np.array(a), np.array(c), x0, lr


@settings(max_examples=150, deadline=None)
@given(problems())
def test_rules_match_the_documented_pseudo_code(problem):
    """Five steps of each rule on a random quadratic Σ a_i (x_i − c_i)²/2 equal the vectorised
    pseudo-code of torch.optim's documentation."""
    name, hp, a, c, x0, lr = problem
    grad = lambda x: a * (x - c)  # noqa: E731
    run = run_optimizer(name, grad, x0, lr, 5, **hp)
    full = check_hyperparameters(name, hp)
    expected = reference(name, grad, x0, lr, 5, full)
    assert run.points[-1] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_against_torch_optim():
    """Where torch is installed: 20 steps on Rosenbrock-like gradients equal torch.optim's."""
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)

    def rosenbrock_grad(p):
        x, y = p
        return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])

    cases = [
        ("gd", 1e-3, {}),
        ("momentum", 1e-3, {"dampening": 0.1, "weight_decay": 0.01}),
        ("nesterov", 1e-3, {}),
        ("adagrad", 0.1, {"lr_decay": 0.01, "initial_accumulator_value": 0.1}),
        ("rmsprop", 0.01, {}),
        ("rmsprop", 0.01, {"momentum": 0.5, "centered": True, "weight_decay": 0.1}),
        ("adam", 0.05, {"amsgrad": True, "weight_decay": 0.1}),
        ("adamw", 0.05, {}),
    ]
    for name, lr, hp in cases:
        ours = run_optimizer(name, rosenbrock_grad, [-1.2, 1.0], lr, 20, **hp).points
        param = torch.tensor([-1.2, 1.0], requires_grad=True)
        kwargs = torch_arguments(name, lr, **hp)
        opt = getattr(torch.optim, OPTIMIZERS[name].torch_class)([param], **kwargs)
        theirs = [param.detach().numpy().copy()]
        for _ in range(20):
            opt.zero_grad()
            x, y = param[0], param[1]
            ((1 - x) ** 2 + 100 * (y - x**2) ** 2).backward()
            opt.step()
            theirs.append(param.detach().numpy().copy())
        np.testing.assert_allclose(ours, np.array(theirs), rtol=1e-9, atol=1e-12, err_msg=name)


# --- schedules --------------------------------------------------------------------------------


def test_step_decay_matches_steplr():
    """StepLR(step_size=2, gamma=0.5): lr·0.5^⌊t/2⌋ = 1, 1, 0.5, 0.5, 0.25."""
    rates = make_schedule("step_decay", step_size=2, gamma=0.5).learning_rates(1.0, 5)
    assert rates.tolist() == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_cosine_matches_cosineannealinglr():
    """CosineAnnealingLR(T_max=4): (1 + cos(πt/4))/2 = 1, 0.8536, 0.5, 0.1464, 0, then back up."""
    rates = make_schedule("cosine", T_max=4).learning_rates(1.0, 6)
    expected = [1.0, 0.8535533906, 0.5, 0.1464466094, 0.0, 0.1464466094]
    assert rates.tolist() == pytest.approx(expected, abs=1e-10)
    floor = make_schedule("cosine", T_max=4, eta_min=0.1).learning_rates(1.0, 5)
    assert floor[2] == pytest.approx(0.1 + 0.9 * 0.5) and floor[4] == pytest.approx(0.1)


def test_linear_warmup_matches_linearlr():
    """LinearLR(start_factor=1/3, total_iters=3): factors 1/3, 5/9, 7/9, 1, 1."""
    rates = make_schedule("linear_warmup", warmup_steps=3).learning_rates(0.9, 5)
    assert rates.tolist() == pytest.approx([0.3, 0.5, 0.7, 0.9, 0.9])
    schedule = make_schedule("linear_warmup", warmup_steps=3)
    assert schedule.torch_class == "LinearLR"
    assert schedule.torch_arguments() == {
        "start_factor": pytest.approx(1 / 3),
        "end_factor": 1.0,
        "total_iters": 3,
    }


def test_trajectory_uses_the_scheduled_rates():
    """Gradient descent on x²/2 multiplies x by (1 − lr_t): 2 → 1 → 0.5 → 0.375 with
    StepLR(step_size=2, gamma=0.5) on lr = 0.5."""
    schedule = make_schedule("step_decay", step_size=2, gamma=0.5)
    run = run_optimizer("gd", half_square, [2.0], 0.5, 3, schedule=schedule)
    assert run.learning_rates.tolist() == [0.5, 0.5, 0.25]
    assert run.points[:, 0].tolist() == [2.0, 1.0, 0.5, 0.375]
    assert run_optimizer("gd", half_square, [2.0], 0.5, 3).learning_rates.tolist() == [0.5] * 3


def test_schedule_validation():
    """Unknown names and parameters, missing required ones and bad values are refused."""
    with pytest.raises(ValueError, match="constant, step_decay, cosine, linear_warmup"):
        make_schedule("exponential")
    with pytest.raises(ValueError, match="step_size, gamma"):
        make_schedule("step_decay", step_size=2, decay=0.5)
    with pytest.raises(ValueError, match="needs T_max"):
        make_schedule("cosine")
    with pytest.raises(ValueError, match="whole number"):
        make_schedule("step_decay", step_size=1.5)
    with pytest.raises(ValueError, match="out of range"):
        make_schedule("linear_warmup", start_factor=0.0)
    assert set(SCHEDULES) == {"constant", "step_decay", "cosine", "linear_warmup"}


# --- divergence, noise, shapes ------------------------------------------------------------------


def test_divergence_is_detected_and_the_points_stop():
    """lr = 3 on x²/2 multiplies x by −2 each step: |x_t| = 2^t passes 1e6 at t = 20."""
    run = run_optimizer("gd", half_square, [1.0], 3.0, 100, loss=half_square_loss)
    assert run.diverged == 20 and "beyond" in run.reason
    assert run.points.shape == (20, 1) and abs(run.points[-1, 0]) == 2**19
    assert run.losses.shape == (20,) and run.gradients.shape == (19, 1)
    assert run.learning_rates.shape == (19,) and np.all(np.abs(run.points) <= DIVERGENCE_LIMIT)


def test_non_finite_steps_and_losses_count_as_divergence():
    """A NaN gradient stops the run at once; so does a loss that is NaN at the new point."""
    nan_grad = lambda x: x if x[0] > 1 else np.array([np.nan])  # noqa: E731
    run = run_optimizer("adam", nan_grad, [1.5], 0.6, 10)
    assert run.diverged == 2 and run.reason == "the step is not a finite number"
    assert run.points[:, 0].tolist() == pytest.approx([1.5, 0.9])

    def log_loss(points):
        with np.errstate(invalid="ignore"):
            return np.log(points[:, 0])

    undefined = run_optimizer("gd", half_square, [2.0], 1.5, 10, loss=log_loss)  # 2 → −1
    assert undefined.diverged == 1 and undefined.points.tolist() == [[2.0]]
    assert undefined.reason == OUTSIDE  # a finite point where log is undefined: not a blow-up

    def blows_up(points):  # +inf below x = 0.5: an overflow, not a point outside the domain
        return np.where(points[:, 0] < 0.5, np.inf, points[:, 0])

    overflow = run_optimizer("gd", half_square, [1.0], 0.6, 10, loss=blows_up)  # 1 → 0.4
    assert overflow.diverged == 1 and overflow.reason == "the loss is not a finite number"
    start = run_optimizer("gd", half_square, [-2.0], 0.1, 10, loss=log_loss)
    assert start.diverged == 0 and start.points.shape == (1, 1) and start.gradients.shape == (0, 1)


def test_stability_bound_on_the_bowl():
    """2/λmax: on (x² + 10y²)/2 gradient descent settles for lr = 0.19 and diverges for 0.21."""
    bowl = quadratic_bowl(10.0)
    bound = largest_stable_learning_rate(bowl.hessian([0.0, 0.0]))
    assert bound == pytest.approx(0.2)
    assert largest_stable_learning_rate([[1.0, 0.0], [0.0, 11.0]]) == pytest.approx(0.18, abs=0.002)
    stable = run_optimizer("gd", bowl.grad, bowl.start, 0.19, 300, loss=bowl.loss)
    unstable = run_optimizer("gd", bowl.grad, bowl.start, 0.21, 300, loss=bowl.loss)
    assert stable.diverged is None and stable.losses[-1] < 1e-10
    assert unstable.diverged is not None
    assert largest_stable_learning_rate([[2.0, 0.0], [0.0, -2.0]]) == 1.0  # saddle: x's bound
    assert largest_stable_learning_rate([[-1.0, 0.0], [0.0, -2.0]]) == math.inf
    with pytest.raises(ValueError, match="symmetric"):
        largest_stable_learning_rate([[1.0, 2.0], [0.0, 1.0]])


def test_noise_is_reproducible_by_seed_and_gaussian():
    """The same seed replays the same noisy run; the noise has mean 0 and std `noise`."""
    a = run_optimizer("momentum", half_square, [1.0, 1.0], 0.1, 50, noise=0.5, seed=3)
    b = run_optimizer("momentum", half_square, [1.0, 1.0], 0.1, 50, noise=0.5, seed=3)
    c = run_optimizer("momentum", half_square, [1.0, 1.0], 0.1, 50, noise=0.5, seed=4)
    assert np.array_equal(a.points, b.points) and not np.array_equal(a.points, c.points)
    still = run_optimizer("gd", half_square, [1.0, -2.0], 0.0, 20_000, noise=0.5, seed=0)
    shocks = still.gradients - np.array([1.0, -2.0])
    assert np.abs(shocks.mean(axis=0)).max() < 0.02
    assert shocks.std(axis=0) == pytest.approx([0.5, 0.5], rel=0.02)
    exact = run_optimizer("gd", half_square, [1.0], 0.5, 2, noise=0.0, seed=9)
    assert exact.points[:, 0].tolist() == [1.0, 0.5, 0.25]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(list(OPTIMIZERS)),
    st.lists(
        st.sampled_from([0.0, -0.0, 1e-300, -1e300, 1e300, np.inf, -np.inf, np.nan, 3.0]),
        min_size=6,
        max_size=6,
    ),
    st.sampled_from([0.0, 1e-8]),
)
def test_extreme_gradients_end_in_divergence_never_in_an_exception(name, values, eps):
    """Zero, huge, infinite and NaN gradients (and eps = 0, so 0/0) give a trajectory, with
    the divergence reported, as PyTorch would give inf or NaN rather than raise."""
    feed = iter(values)
    grad = lambda x: np.array([next(feed, 1.0), next(feed, 1.0)])  # noqa: E731
    hp = {"eps": eps} if "eps" in OPTIMIZERS[name].defaults else {}
    hessian = lambda x: np.array([[values[0], 1.0], [1.0, values[1]]])  # noqa: E731
    run = run_optimizer(name, grad, [1.0, 1.0], 0.1, 3, hessian=hessian, **hp)
    assert np.all(np.isfinite(run.points)) and run.steps <= 3
    assert (run.diverged is None) == (run.steps == 3)


def test_zero_gradient_with_zero_eps_is_nan_as_in_torch():
    """Adam at a stationary point with eps = 0 divides 0 by 0 on its first step."""
    run = run_optimizer("adam", lambda x: np.zeros(1), [1.0], 0.1, 5, eps=0.0)
    assert run.diverged == 1 and run.reason == "the step is not a finite number"
    assert run_optimizer("adam", lambda x: np.zeros(1), [1.0], 0.1, 5).points[-1, 0] == 1.0


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_trajectory_shapes(name):
    """points (steps + 1, n), losses aligned with points, per-step arrays (steps, ...)."""
    bowl = quadratic_bowl(4.0)
    run = run_optimizer(name, bowl.grad, [1.0, 1.0], 0.05, 7, hessian=bowl.hessian, loss=bowl.loss)
    assert run.optimizer == name and run.diverged is None and run.steps == 7
    assert run.points.shape == (8, 2) and run.losses.shape == (8,)
    assert run.gradients.shape == (7, 2) and run.learning_rates.shape == (7,)
    assert set(run.state) == set(OPTIMIZERS[name].state)
    assert all(v.shape == (7, 2) for v in run.state.values())
    assert run.losses[0] == pytest.approx(bowl.loss([1.0, 1.0]))
    assert run.losses[-1] < run.losses[0]
    with pytest.raises(ValueError):
        run.points[0, 0] = 5.0  # read-only
    empty = run_optimizer(name, bowl.grad, [1.0, 1.0], 0.05, 0, hessian=bowl.hessian)
    assert empty.points.shape == (1, 2) and empty.losses is None
    assert empty.gradients.shape == (0, 2) and all(v.shape == (0, 2) for v in empty.state.values())


# --- validation ---------------------------------------------------------------------------------


def test_unknown_optimiser_and_hyperparameter_name_the_allowed_ones():
    with pytest.raises(ValueError, match="gd, momentum, nesterov, adagrad, rmsprop, adam, adamw"):
        run_optimizer("sgd", half_square, [1.0], 0.1, 1)
    with pytest.raises(ValueError, match="betas, eps, weight_decay, amsgrad"):
        run_optimizer("adam", half_square, [1.0], 0.1, 1, beta1=0.9)
    with pytest.raises(ValueError, match="has no hyperparameter 'momentum'"):
        run_optimizer("gd", half_square, [1.0], 0.1, 1, momentum=0.9)


@pytest.mark.parametrize(
    ("name", "hp", "message"),
    [
        ("adam", {"betas": (0.9, 1.0)}, "beta parameter at index 1"),
        ("adam", {"betas": 0.9}, "pair"),
        ("adam", {"eps": -1.0}, "eps"),
        ("rmsprop", {"alpha": -0.1}, "alpha"),
        ("rmsprop", {"centered": 1}, "True or False"),
        ("nesterov", {"momentum": 0.0}, "nesterov momentum requires"),
        ("nesterov", {"dampening": 0.1}, "zero dampening"),
        ("adagrad", {"lr_decay": float("nan")}, "finite"),
        ("newton", {"damping": -1.0}, "damping"),
    ],
)
def test_invalid_values_are_refused_as_torch_does(name, hp, message):
    with pytest.raises(ValueError, match=message):
        check_hyperparameters(name, hp)


def test_invalid_calls():
    with pytest.raises(ValueError, match="learning rate"):
        run_optimizer("gd", half_square, [1.0], -0.1, 1)
    with pytest.raises(ValueError, match="x0"):
        run_optimizer("gd", half_square, [np.nan], 0.1, 1)
    with pytest.raises(ValueError, match="steps"):
        run_optimizer("gd", half_square, [1.0], 0.1, 10**9)
    with pytest.raises(ValueError, match="hessian"):
        run_optimizer("newton", half_square, [1.0], 1.0, 1)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        run_optimizer("adam", lambda x: x[:1], [1.0, 2.0], 0.1, 1)
    with pytest.raises(ValueError, match="loss"):
        run_optimizer("gd", half_square, [1.0], 0.1, 1, loss=lambda p: 0.0)
    with pytest.raises(ValueError, match="PyTorch has no newton"):
        torch_arguments("newton", 1.0)


def test_defaults_are_pytorchs():
    """Names and defaults as torch.optim (momentum's 0.9 is the one documented exception)."""
    assert OPTIMIZERS["adam"].defaults == {
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
    }
    assert OPTIMIZERS["adamw"].defaults["weight_decay"] == 0.01
    assert OPTIMIZERS["rmsprop"].defaults == {
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    }
    assert OPTIMIZERS["adagrad"].defaults == {
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }
    assert torch_arguments("nesterov", 0.1)["nesterov"] is True
