"""Training: single-layer perceptron and MLP in numpy on the 8x8 digits."""
from __future__ import annotations

import json

import numpy as np
import pytest

from pycodesign.data import load_digits_dataset
from pycodesign.nn import DenseNetwork, loss_and_gradients, softmax, train_mlp, train_slp


@pytest.fixture(scope="module")
def digits():
    return load_digits_dataset(seed=0)


@pytest.fixture(scope="module")
def slp(digits):
    return train_slp(digits.x_train, digits.y_train, seed=0)


def test_slp_accuracy_on_digits(digits, slp):
    (w, b), = slp.weights
    assert w.shape == (64, 10) and b.shape == (10,)
    acc = np.mean(slp.predict(digits.x_test) == digits.y_test)
    # Acceptance: >= 94 %; the defaults reach ~96 % (sklearn's LogisticRegression
    # at its best C reaches 96.3 % on this split).
    assert acc >= 0.95, acc
    assert slp.hyperparameters["seed"] == 0 and slp.hyperparameters["kind"] == "slp"
    assert len(slp.history["loss"]) == slp.hyperparameters["epochs"]
    assert slp.history["loss"][-1] < slp.history["loss"][0]


def test_mlp_accuracy_on_digits(digits):
    mlp = train_mlp(digits.x_train, digits.y_train, seed=0)  # defaults: hidden=64, 100 epochs
    assert [w.shape for w, _ in mlp.weights] == [(64, 64), (64, 10)]
    assert mlp.layer_sizes == [64, 64, 10]
    acc = np.mean(mlp.predict(digits.x_test) == digits.y_test)
    assert acc >= 0.95, acc


def test_training_is_seeded(digits):
    x, y = digits.x_train[:300], digits.y_train[:300]
    a = train_slp(x, y, epochs=5, seed=7)
    b = train_slp(x, y, epochs=5, seed=7)
    c = train_slp(x, y, epochs=5, seed=8)
    np.testing.assert_array_equal(a.weights[0][0], b.weights[0][0])
    assert not np.array_equal(a.weights[0][0], c.weights[0][0])


def test_slp_reaches_the_regularised_optimum(digits):
    """Softmax regression is convex: our optimiser must land on sklearn's optimum.

    Our loss is mean cross-entropy + l2/2 ||W||^2 (bias free), which is
    sklearn's multinomial LogisticRegression objective with C = 1 / (N l2).
    """
    from sklearn.linear_model import LogisticRegression

    x, y = digits.x_train[:400], digits.y_train[:400]
    l2 = 1e-2
    net = train_slp(x, y, l2=l2, epochs=100, seed=0)
    sk = LogisticRegression(C=1.0 / (len(y) * l2), max_iter=10000, tol=1e-10).fit(x, y)

    def objective(w, b):
        p = softmax(x @ w + b)
        return -np.mean(np.log(p[np.arange(len(y)), y])) + 0.5 * l2 * np.sum(w * w)

    ours = objective(*net.weights[0])
    best = objective(sk.coef_.T, sk.intercept_)
    assert best - 1e-6 <= ours <= best * 1.01, (ours, best)
    assert net.history["loss"][-1] == pytest.approx(ours, rel=1e-9)


@pytest.mark.parametrize("relu_max", [None, 0.7])
def test_backprop_matches_finite_differences(relu_max):
    rng = np.random.default_rng(0)
    net = DenseNetwork(
        weights=[(rng.normal(size=(5, 4)), rng.normal(size=4)), (rng.normal(size=(4, 3)), rng.normal(size=3))],
        relu_max=relu_max,
    )
    x = rng.random((6, 5))
    onehot = np.eye(3)[rng.integers(0, 3, size=6)]
    l2 = 0.05
    loss, grads = loss_and_gradients(net, x, onehot, l2)
    params = [p for wb in net.weights for p in wb]
    h = 1e-6
    for p, g in zip(params, grads):
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = loss_and_gradients(net, x, onehot, l2)[0]
            p[idx] = old - h
            down = loss_and_gradients(net, x, onehot, l2)[0]
            p[idx] = old
            num[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)
    # Loss is the mean cross-entropy plus the L2 term, computed independently here.
    z = np.minimum(np.maximum(x @ net.weights[0][0] + net.weights[0][1], 0), relu_max or np.inf)
    logits = z @ net.weights[1][0] + net.weights[1][1]
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    want = -np.mean(np.sum(onehot * logp, axis=1)) + 0.5 * l2 * sum(np.sum(w * w) for w, _ in net.weights)
    assert loss == pytest.approx(want, rel=1e-12)


def test_bounded_relu_and_prediction_api(digits):
    net = train_mlp(digits.x_train[:200], digits.y_train[:200], hidden=(16, 8), epochs=3, relu_max=0.5, seed=1)
    acts = net.forward(digits.x_test[:50])
    assert len(acts) == 4
    for a in acts[1:-1]:
        assert a.min() >= 0.0 and a.max() <= 0.5
    logits = net.predict_logits(digits.x_test[:50])
    np.testing.assert_array_equal(net.predict(digits.x_test[:50]), np.argmax(logits, axis=1))
    np.testing.assert_allclose(net.predict_proba(digits.x_test[:50]).sum(axis=1), 1.0)
    assert net.predict(digits.x_test[0]).shape == (1,)


def test_json_round_trip(slp, digits):
    text = json.dumps(slp.to_dict())
    back = DenseNetwork.from_dict(json.loads(text))
    np.testing.assert_array_equal(back.predict_logits(digits.x_test), slp.predict_logits(digits.x_test))
    assert back.hyperparameters == slp.hyperparameters


def test_training_input_errors(digits):
    x, y = digits.x_train[:20].copy(), digits.y_train[:20].copy()
    x[3, 5] = np.nan
    with pytest.raises(ValueError, match=r"non-finite value nan at index \(3, 5\)"):
        train_slp(x, y)
    y_bad = digits.y_train[:20].copy()
    y_bad[2] = 10
    with pytest.raises(ValueError, match=r"label 10 at index 2 is outside 0..9"):
        train_slp(digits.x_train[:20], y_bad)
    with pytest.raises(ValueError, match=r"shape \(20,\)"):
        train_slp(digits.x_train[:20], digits.y_train[:19])
    with pytest.raises(ValueError, match="hidden layer width must be a positive int, got 0"):
        train_mlp(digits.x_train[:20], digits.y_train[:20], hidden=0)
    with pytest.raises(ValueError, match="lr must be"):
        train_slp(digits.x_train[:20], digits.y_train[:20], lr=-1)
    with pytest.raises(ValueError, match="epochs"):
        train_slp(digits.x_train[:20], digits.y_train[:20], epochs=0)
    with pytest.raises(ValueError, match=r"inputs must have shape \(N, 64\)"):
        train_slp(digits.x_train[:20], digits.y_train[:20], epochs=1).predict(np.zeros((2, 63)))
