"""The hand-written MLP, checked against second methods: a loop over samples for the loss, central
differences (written here, independently of gradient_check) for every gradient."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc_core.mlp import (
    ACTIVATIONS,
    PLANTED_BUGS,
    Params,
    backward,
    forward,
    gradient_check,
    init_params,
    loss_and_gradients,
    one_sample_trace,
    predict_grid,
    relative_error,
    train,
    train_step,
    verdict,
)
from calc_core.toy_data import make_dataset

HIDDEN_SIZES = (1, 2, 5, 8)
KINK_MARGIN = 1e-3  # relu: central differences with h = 1e-5 straddle no kink this far away


def random_problem(hidden: int, activation: str, seed: int, n: int = 40):
    """Random weights (biases too), inputs in [-1.5, 1.5]², random labels.

    For relu, samples whose hidden pre-activation lies within KINK_MARGIN of 0 are dropped: there
    the loss has a kink and a central difference averages two slopes.
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, (n, 2))
    y = (rng.random(n) < 0.5).astype(float)
    params = Params(
        W1=rng.normal(0.0, 1.0, (hidden, 2)),
        b1=rng.normal(0.0, 0.5, hidden),
        W2=rng.normal(0.0, 1.0, (1, hidden)),
        b2=rng.normal(0.0, 0.5, 1),
    )
    if activation == "relu":
        keep = np.all(np.abs(X @ params.W1.T + params.b1) > KINK_MARGIN, axis=1)
        X, y = X[keep], y[keep]
    return params, X, y


def central_differences(params: Params, X, y, activation: str, h: float = 1e-5) -> np.ndarray:
    """dL/dθ_i ≈ (L(θ + h e_i) − L(θ − h e_i)) / 2h for every parameter, using only forward()."""
    theta = params.flat()
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        loss_up = forward(Params.from_flat(up, params.hidden), X, y, activation).loss
        loss_down = forward(Params.from_flat(down, params.hidden), X, y, activation).loss
        numeric[i] = (loss_up - loss_down) / (2 * h)
    return numeric


# --- activations ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_derivative_matches_central_differences(name):
    """df written by hand agrees with a central difference of f (away from relu's kink)."""
    act = ACTIVATIONS[name]
    z = np.linspace(-6.0, 6.0, 241)
    z = z[np.abs(z) > 1e-3]
    numeric = (act.f(z + 1e-6) - act.f(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(act.df(z), numeric, rtol=1e-6, atol=1e-9)


def test_activations_have_their_textbook_values():
    """tanh, relu and the sigmoid at a few points, against math."""
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["tanh"].f(z), [math.tanh(v) for v in z])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].f(z), [0.0, 0.0, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].f(z), [1 / (1 + math.exp(-v)) for v in z])
    assert ACTIVATIONS["sigmoid"].f(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]


# --- forward -------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_forward_loss_equals_a_loop_over_samples(activation):
    """The vectorised loss equals −mean(y log p + (1 − y) log(1 − p)) computed point by point."""
    params, X, y = random_problem(3, activation, seed=7, n=25)
    f = {
        "tanh": math.tanh,
        "relu": lambda v: max(v, 0.0),
        "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
    }
    total = 0.0
    for xi, yi in zip(X, y, strict=True):
        hidden = [f[activation](float(params.W1[j] @ xi + params.b1[j])) for j in range(3)]
        z2 = sum(float(params.W2[0, j]) * hidden[j] for j in range(3)) + float(params.b2[0])
        p = 1 / (1 + math.exp(-z2))
        total += -(yi * math.log(p) + (1 - yi) * math.log(1 - p))
    out = forward(params, X, y, activation)
    assert out.loss == pytest.approx(total / len(y), rel=1e-12)
    assert out.z1.shape == out.a1.shape == (len(y), 3)
    assert out.z2.shape == out.p.shape == (len(y),)


def test_cross_entropy_stays_finite_for_huge_logits():
    """Logits of ±1e4: confident and right costs ~0, confident and wrong costs |z2|; no inf/nan."""
    params = Params(W1=[[1.0, 0.0]], b1=[0.0], W2=[[1e4]], b2=[0.0])
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])  # tanh(±1) · 1e4
    right = forward(params, X, np.array([1.0, 0.0, 1.0, 0.0]), "tanh")
    wrong = forward(params, X, np.array([0.0, 1.0, 0.0, 1.0]), "tanh")
    assert right.loss == pytest.approx(0.0, abs=1e-300)
    assert wrong.loss == pytest.approx(1e4 * math.tanh(1.0), rel=1e-12)
    for y in ([1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]):
        loss, grads = loss_and_gradients(params, X, np.array(y), "tanh")
        assert np.isfinite(loss) and np.all(np.isfinite(grads.flat()))


def test_loss_of_a_network_that_knows_nothing_is_log_2():
    """All-zero weights give p = 1/2 everywhere and L = log 2, whatever the labels."""
    params = Params(W1=np.zeros((4, 2)), b1=np.zeros(4), W2=np.zeros((1, 4)), b2=np.zeros(1))
    data = make_dataset("xor", n=30, seed=2)
    out = forward(params, data.X, data.y, "sigmoid")
    assert out.loss == pytest.approx(math.log(2))
    np.testing.assert_array_equal(out.p, 0.5)


# --- backward against central differences ---------------------------------------------------


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("hidden", HIDDEN_SIZES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_gradient_matches_central_differences(activation, hidden, seed):
    """Each of the 4·hidden + 1 analytic gradients agrees with the test's own central difference."""
    params, X, y = random_problem(hidden, activation, seed)
    _, grads = loss_and_gradients(params, X, y, activation)
    numeric = central_differences(params, X, y, activation)
    analytic = grads.flat()
    assert analytic.shape == numeric.shape == (4 * hidden + 1,)
    errors = [relative_error(a, n) for a, n in zip(analytic, numeric, strict=True)]
    worst = int(np.argmax(errors))
    assert max(errors) < 1e-6, (params.names()[worst], analytic[worst], numeric[worst])
    # the floor in relative_error must not hide real differences: check absolutely as well
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradient_shapes_match_parameter_shapes(activation):
    """dW1, db1, dW2, db2 have the shapes of W1, b1, W2, b2."""
    params, X, y = random_problem(6, activation, seed=4)
    grads = backward(params, X, y, activation, forward(params, X, y, activation))
    for field in ("W1", "b1", "W2", "b2"):
        assert getattr(grads, "d" + field).shape == getattr(params, field).shape
    assert grads.names() == params.names()


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("hidden", HIDDEN_SIZES)
@pytest.mark.parametrize("seed", [0, 1])
def test_correct_backward_pass_passes_the_gradient_check(activation, hidden, seed):
    """Without a planted bug every row is "fine", on random and on trained weights."""
    params, X, y = random_problem(hidden, activation, seed, n=60)
    rows = gradient_check(params, X, y, activation)
    assert [row.name for row in rows] == list(params.names())
    assert {row.verdict for row in rows} == {"fine"}, [r for r in rows if r.verdict != "fine"]
    if activation != "relu":  # trained relu nets can put points on a kink; see the test below
        data = make_dataset("moons", n=100, seed=seed)
        start = init_params(hidden, seed, activation=activation)
        trained = train(start, data.X, data.y, activation, lr=1.0, steps=300).params
        rows = gradient_check(trained, data.X, data.y, activation)
        assert {row.verdict for row in rows} == {"fine"}, [r for r in rows if r.verdict != "fine"]


def test_a_relu_kink_between_the_two_probes_shows_in_the_check():
    """A point exactly on relu's kink: the one-sided slopes differ, the check flags that row.

    This is why the relu tests keep their points away from the kinks.
    """
    params = Params(W1=[[1.0, 0.0]], b1=[0.0], W2=[[1.0]], b2=[0.0])
    X, y = np.array([[0.0, 1.0]]), np.array([1.0])  # z1 = 0 exactly
    rows = {row.name: row for row in gradient_check(params, X, y, "relu")}
    assert rows["b1[0]"].analytic == 0.0  # relu'(0) taken as 0
    assert rows["b1[0]"].numeric == pytest.approx(-0.25, rel=1e-4)  # half of −σ(0) = −0.5
    assert rows["b1[0]"].verdict == "wrong"


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("bug", list(PLANTED_BUGS))
@pytest.mark.parametrize("hidden", [1, 4, 8])
def test_every_planted_bug_is_caught(activation, bug, hidden):
    """With a planted bug the check marks at least one row "wrong"."""
    params, X, y = random_problem(hidden, activation, seed=hidden, n=50)
    rows = gradient_check(params, X, y, activation, bug=bug)
    wrong = {row.name for row in rows if row.verdict == "wrong"}
    assert wrong
    if bug == "missing_activation_derivative":  # only the hidden layer's gradients change
        assert wrong <= {name for name in params.names() if name[:2] in ("W1", "b1")}
        assert all(row.verdict == "fine" for row in rows if row.name[:2] in ("W2", "b2"))


def test_planted_bugs_change_the_gradients_as_described():
    """wrong sign flips every gradient; forgot_mean multiplies every gradient by n."""
    params, X, y = random_problem(3, "tanh", seed=9, n=20)
    _, right = loss_and_gradients(params, X, y, "tanh")
    _, flipped = loss_and_gradients(params, X, y, "tanh", bug="wrong_sign_output")
    _, summed = loss_and_gradients(params, X, y, "tanh", bug="forgot_mean")
    np.testing.assert_allclose(flipped.flat(), -right.flat())
    np.testing.assert_allclose(summed.flat(), 20 * right.flat())
    assert all(isinstance(text, str) and text.endswith(".") for text in PLANTED_BUGS.values())


def test_relative_error_and_verdicts():
    """The formula's edge cases and the colour thresholds."""
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(3.0, -3.0) == 1.0
    assert relative_error(0.5, 0.0) == 1.0
    assert relative_error(1e-6, 2e-6) == pytest.approx(1e-3)  # below the floor: absolute
    assert [verdict(e) for e in (0.0, 5e-8, 1e-7, 1e-5, 1e-4, 2e-4, 1.0, float("nan"))] == [
        "fine",
        "fine",
        "suspicious",
        "suspicious",
        "suspicious",
        "wrong",
        "wrong",
        "wrong",
    ]


# --- one sample, by the chain rule ---------------------------------------------------------


@given(
    x=st.tuples(st.floats(-2, 2), st.floats(-2, 2)),
    label=st.sampled_from([0.0, 1.0]),
    activation=st.sampled_from(list(ACTIVATIONS)),
    hidden=st.integers(1, 8),
    seed=st.integers(0, 1000),
)
@settings(max_examples=60, deadline=None)
def test_one_sample_trace_product_is_the_single_sample_gradient(x, label, activation, hidden, seed):
    """For every weight: the product of the chain-rule factors equals backward() on X = [x]."""
    params = init_params(hidden, seed, activation=activation)
    _, grads = loss_and_gradients(params, np.array([x]), np.array([label]), activation)
    expected = dict(zip(params.names(), grads.flat(), strict=True))
    for name in params.names():
        trace = one_sample_trace(params, x, label, activation, weight=name)
        factors = [t.value for t in trace if t.role == "factor"]
        assert trace[-1].role == "gradient"
        assert math.prod(factors) == pytest.approx(trace[-1].value, rel=1e-12, abs=1e-300)
        assert trace[-1].value == pytest.approx(expected[name], rel=1e-9, abs=1e-15)


def test_one_sample_trace_reads_layer_by_layer():
    """A small worked case: forward numbers in order, then the factors from L back to W1[1,0]."""
    params = Params(W1=[[0.0, 0.0], [2.0, 0.0]], b1=[0.0, 0.0], W2=[[0.0, 1.5]], b2=[0.0])
    trace = one_sample_trace(params, [0.5, -1.0], 1.0, "tanh", weight="W1[1,0]")
    forward_terms = {t.name: t.value for t in trace if t.role == "forward"}
    names = ["x[0]", "x[1]", "y", "z1[0]", "z1[1]", "a1[0]", "a1[1]", "z2", "p", "L"]
    assert list(forward_terms) == names
    z2 = 1.5 * math.tanh(1.0)
    p = 1 / (1 + math.exp(-z2))
    assert forward_terms["z1[1]"] == 1.0 and forward_terms["z2"] == pytest.approx(z2)
    assert forward_terms["L"] == pytest.approx(-math.log(p))
    factors = [(t.name, t.value) for t in trace if t.role == "factor"]
    assert [name for name, _ in factors] == [
        "dL/dp",
        "dp/dz2",
        "dz2/da1[1]",
        "da1[1]/dz1[1]",
        "dz1[1]/dW1[1,0]",
    ]
    expected = [-1 / p, p * (1 - p), 1.5, 1 - math.tanh(1.0) ** 2, 0.5]
    assert [value for _, value in factors] == pytest.approx(expected, rel=1e-12)
    assert trace[-1].symbol == r"\frac{\partial L}{\partial W_{1,10}}"


def test_one_sample_trace_refuses_an_unknown_weight():
    """A weight that the network does not have is named in the error."""
    with pytest.raises(ValueError, match=r"W1\[5,0\]"):
        one_sample_trace(init_params(2), [0.0, 0.0], 1.0, "tanh", weight="W1[5,0]")


# --- training ------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_training_on_linearly_separable_data_lowers_the_loss(activation):
    """500 steps on the linear set: the loss falls below a fifth of its start, accuracy > 95 %."""
    data = make_dataset("linear", n=200, noise=0.05, seed=0)
    start = init_params(4, seed=0, activation=activation)
    run = train(start, data.X, data.y, activation, lr=1.0, steps=500)
    assert not run.diverged
    assert run.losses[-1] < 0.2 * run.losses[0]
    p = forward(run.params, data.X, data.y, activation).p
    assert np.mean((p > 0.5) == (data.y == 1)) > 0.95


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_fast_loop_equals_repeated_train_step(activation):
    """train() takes exactly the steps train_step() takes; losses and norms line up."""
    data = make_dataset("circle", n=60, seed=3)
    params = init_params(5, seed=3, activation=activation)
    run = train(params, data.X, data.y, activation, lr=0.7, steps=25, snapshot_every=10)
    assert run.losses.shape == (26,) and run.grad_norms.shape == (25, 2)
    for step in range(25):
        params, loss, grads = train_step(params, data.X, data.y, activation, lr=0.7)
        assert run.losses[step] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(run.grad_norms[step], grads.layer_norms(), rtol=1e-12)
    np.testing.assert_allclose(run.params.flat(), params.flat(), rtol=1e-12)
    assert run.losses[25] == pytest.approx(forward(params, data.X, data.y, activation).loss)
    assert run.history_steps.tolist() == [0, 10, 20, 25]
    np.testing.assert_allclose(run.history[-1].flat(), run.params.flat())


def test_grad_norms_are_per_layer():
    """Row k is [‖(dW1, db1)‖, ‖(dW2, db2)‖] of step k's gradients."""
    data = make_dataset("xor", n=40, seed=1)
    params = init_params(3, seed=1)
    run = train(params, data.X, data.y, "tanh", lr=0.5, steps=1)
    _, grads = loss_and_gradients(params, data.X, data.y, "tanh")
    hidden = np.sqrt(np.sum(grads.dW1**2) + np.sum(grads.db1**2))
    output = np.sqrt(np.sum(grads.dW2**2) + np.sum(grads.db2**2))
    np.testing.assert_allclose(run.grad_norms[0], [hidden, output])


def test_a_huge_learning_rate_is_reported_as_divergence():
    """lr = 1e300 overflows; the run says so and keeps the last weights with a finite loss."""
    data = make_dataset("circle", n=50, seed=0)
    start = init_params(8, seed=0, activation="relu")
    run = train(start, data.X, data.y, "relu", lr=1e300, steps=20)
    assert run.diverged
    assert np.all(np.isfinite(run.params.flat()))
    assert np.isfinite(run.losses[0]) and np.isnan(run.losses[-1])


# --- the heat map, parameters, validation ----------------------------------------------------


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_predict_grid_shape_range_and_agreement_with_forward(activation):
    """(k, m) probabilities strictly inside (0, 1), equal to forward() at the same points."""
    params = init_params(8, seed=2, activation=activation)
    xs, ys = np.linspace(-1.5, 1.5, 7), np.linspace(-1.5, 1.5, 4)
    grid = predict_grid(params, activation, xs, ys)
    assert grid.shape == (4, 7)
    assert np.all((grid > 0) & (grid < 1))
    X = np.array([[x, y] for y in ys for x in xs])
    p = forward(params, X, np.zeros(len(X)), activation).p
    np.testing.assert_allclose(grid.ravel(), p)


def test_params_flatten_and_back():
    """from_flat(flat()) is the identity and names() counts 4·hidden + 1 parameters."""
    params = init_params(8, seed=5)
    again = Params.from_flat(params.flat(), 8)
    np.testing.assert_array_equal(again.flat(), params.flat())
    assert len(params.names()) == 33 and params.names()[0] == "W1[0,0]"
    assert params.value("W2[0,3]") == params.W2[0, 3]
    with pytest.raises(ValueError, match="read-only"):
        params.W1[0, 0] = 1.0


def test_init_params_scales():
    """He scale for relu is √2 times the Xavier scale, from the same draws."""
    xavier = init_params(8, seed=1, activation="tanh")
    he = init_params(8, seed=1, activation="relu")
    np.testing.assert_allclose(he.W1, np.sqrt(2) * xavier.W1)
    np.testing.assert_array_equal(xavier.b1, 0.0)


@pytest.mark.parametrize(
    ("call", "quoted"),
    [
        (lambda: init_params(0), "0"),
        (lambda: init_params(9), "9"),
        (lambda: init_params(2, seed=-3), "-3"),
        (lambda: forward(init_params(2), [[0.0, 0.0]], [1.0], "softplus"), "'softplus'"),
        (lambda: forward(init_params(2), [[0.0, 0.0, 0.0]], [1.0], "tanh"), "(1, 3)"),
        (lambda: forward(init_params(2), [[0.0, 0.0]], [1.0, 0.0], "tanh"), "(2,)"),
        (lambda: forward(init_params(2), [[0.0, 0.0]], [2.0], "tanh"), "between 0 and 1"),
        (lambda: loss_and_gradients(init_params(2), [[0.0, 0.0]], [1.0], "tanh", "typo"), "typo"),
        (lambda: train(init_params(2), [[0.0, 0.0]], [1.0], "tanh", lr=-1.0, steps=5), "-1.0"),
        (lambda: train(init_params(2), [[0.0, 0.0]], [1.0], "tanh", lr=0.1, steps=-2), "-2"),
        (lambda: predict_grid(init_params(2), "tanh", [[0.0]], [0.0]), "xs"),
        (lambda: Params(W1=np.zeros((2, 2)), b1=np.zeros(3), W2=np.zeros((1, 2)), b2=[0]), "b1"),
    ],
)
def test_bad_arguments_are_refused_and_named(call, quoted):
    """Each bad argument raises ValueError that names or quotes it."""
    with pytest.raises(ValueError) as error:
        call()
    assert quoted in str(error.value)
