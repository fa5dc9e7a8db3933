"""Fully connected classifiers trained in numpy: single-layer perceptron and MLP.

Both are trained with softmax cross-entropy, L2 weight decay on the weight
matrices (not the biases) and mini-batch Adam, all seeded, on the CPU.
Weight matrices are stored ``n_in x n_out`` -- one column per output neuron,
the orientation of a crossbar (inputs drive wordlines/rows, each output neuron
reads a bitline/column) and of the review's Eq. 4-9.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

__all__ = ["DenseNetwork", "train_slp", "train_mlp", "softmax", "loss_and_gradients"]


def _single_thread_blas():
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def softmax(logits) -> np.ndarray:
    """Row-wise softmax, numerically stable (subtracts the row maximum)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class DenseNetwork:
    """A trained fully connected classifier.

    Attributes
    ----------
    weights : list of (W, b)
        One pair per layer; ``W`` is ``n_in x n_out`` (float64), ``b`` has
        length ``n_out``.  A single pair is a single-layer perceptron.
    relu_max : float or None
        Upper bound of the hidden-layer ReLU (``None``: unbounded).  A bounded
        ReLU models a saturating activation circuit or a finite ADC range.
    hyperparameters : dict
        The training arguments, including the seed (provenance).
    history : dict
        Per-epoch ``loss`` (regularised training loss) and ``train_accuracy``.
    """

    weights: list
    relu_max: float | None = None
    hyperparameters: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)

    @property
    def layer_sizes(self) -> list[int]:
        """``[n_in, n_hidden..., n_out]``."""
        return [self.weights[0][0].shape[0]] + [w.shape[1] for w, _ in self.weights]

    def _hidden(self, z: np.ndarray) -> np.ndarray:
        a = np.maximum(z, 0.0)
        if self.relu_max is not None:
            a = np.minimum(a, self.relu_max)
        return a

    def _check_x(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        single = x.ndim == 1
        if single:
            x = x[None]
        n_in = self.layer_sizes[0]
        if x.ndim != 2 or x.shape[1] != n_in:
            raise ValueError(f"inputs must have shape (N, {n_in}) or ({n_in},), got {np.shape(x)}")
        return x

    def forward(self, x) -> list[np.ndarray]:
        """Activations of every layer: ``[x, a_1, ..., logits]``."""
        acts = [self._check_x(x)]
        for k, (w, b) in enumerate(self.weights):
            z = acts[-1] @ w + b
            acts.append(z if k == len(self.weights) - 1 else self._hidden(z))
        return acts

    def predict_logits(self, x) -> np.ndarray:
        """Output-layer pre-activations, shape ``(N, n_classes)``."""
        return self.forward(x)[-1]

    def predict_proba(self, x) -> np.ndarray:
        """Softmax class probabilities, shape ``(N, n_classes)``."""
        return softmax(self.predict_logits(x))

    def predict(self, x) -> np.ndarray:
        """Predicted class (argmax of the logits), ``int64`` array."""
        return np.argmax(self.predict_logits(x), axis=1).astype(np.int64)

    def to_dict(self) -> dict:
        """JSON-serialisable form (weights as nested lists)."""
        return {
            "layer_sizes": self.layer_sizes,
            "weights": [{"W": w.tolist(), "b": b.tolist()} for w, b in self.weights],
            "relu_max": self.relu_max,
            "hyperparameters": dict(self.hyperparameters),
            "history": {k: list(v) for k, v in self.history.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "DenseNetwork":
        """Inverse of :meth:`to_dict`."""
        weights = [(np.asarray(l["W"], dtype=np.float64), np.asarray(l["b"], dtype=np.float64)) for l in data["weights"]]
        return cls(
            weights=weights,
            relu_max=data.get("relu_max"),
            hyperparameters=dict(data.get("hyperparameters", {})),
            history={k: list(v) for k, v in data.get("history", {}).items()},
        )


# ----------------------------------------------------------------------------
# validation


def _pos_int(name, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _nonneg_float(name, value, *, positive=False) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(f) or f < 0 or (positive and f == 0):
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r}")
    return f


def _check_xy(x, y, n_classes):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty 2-D array (N, n_inputs), got shape {x.shape}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must have shape ({x.shape[0]},) to match x, got {y.shape}")
    if not np.all(np.isfinite(x)):
        i = tuple(int(k) for k in np.argwhere(~np.isfinite(x))[0])
        raise ValueError(f"x holds a non-finite value {float(x[i])!r} at index {i}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
    y = y.astype(np.int64)
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"label {int(y[i])} at index {i} is outside 0..{n_classes - 1}")
    return x, y


# ----------------------------------------------------------------------------
# training


def loss_and_gradients(net: DenseNetwork, x: np.ndarray, onehot: np.ndarray, l2: float):
    """Regularised loss and its gradients for one batch (back-propagation).

    Loss ``= mean_n CE(softmax(logits_n), onehot_n) + l2/2 * sum ||W_k||^2``.

    Returns
    -------
    loss : float
    grads : list of numpy.ndarray
        ``[dW_1, db_1, dW_2, db_2, ...]`` in the order of ``net.weights``.
    """
    acts = net.forward(x)
    p = softmax(acts[-1])
    n = x.shape[0]
    ce = -np.sum(onehot * np.log(np.clip(p, 1e-300, None))) / n
    loss = ce + 0.5 * l2 * sum(float(np.sum(w * w)) for w, _ in net.weights)
    delta = (p - onehot) / n  # dLoss/dlogits
    grads: list[np.ndarray] = []
    for k in range(len(net.weights) - 1, -1, -1):
        w, _ = net.weights[k]
        grads = [acts[k].T @ delta + l2 * w, delta.sum(axis=0)] + grads
        if k > 0:
            a = acts[k]
            active = a > 0.0
            if net.relu_max is not None:
                active &= a < net.relu_max
            delta = (delta @ w.T) * active
    return float(loss), grads


def _train(
    x, y, sizes, *, epochs, lr, l2, seed, batch_size, relu_max, lr_decay, beta1=0.9, beta2=0.999, eps=1e-8,
    progress=None,
) -> DenseNetwork:
    from ..progress import task

    with task(progress, "training", epochs, unit="epoch") as advance:
        return _train_epochs(x, y, sizes, epochs=epochs, lr=lr, l2=l2, seed=seed, batch_size=batch_size,
                             relu_max=relu_max, lr_decay=lr_decay, beta1=beta1, beta2=beta2, eps=eps,
                             advance=advance)


def _train_epochs(x, y, sizes, *, epochs, lr, l2, seed, batch_size, relu_max, lr_decay, beta1, beta2, eps,
                  advance) -> DenseNetwork:
    rng = np.random.default_rng(seed)
    weights = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        # He initialisation for layers feeding a ReLU; Glorot-like for the softmax layer.
        std = math.sqrt(2.0 / n_in) if k < len(sizes) - 2 else math.sqrt(1.0 / n_in)
        weights.append((rng.normal(0.0, std, size=(n_in, n_out)), np.zeros(n_out)))
    net = DenseNetwork(weights=weights, relu_max=relu_max)
    params = [p for wb in weights for p in wb]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    n = x.shape[0]
    n_classes = sizes[-1]
    onehot = np.eye(n_classes)[y]
    step = 0
    history = {"loss": [], "train_accuracy": []}
    for epoch in range(epochs):
        lr_epoch = lr / (1.0 + lr_decay * epoch)
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            _, grads = loss_and_gradients(net, x[idx], onehot[idx], l2)
            step += 1
            c1 = 1.0 - beta1 ** step
            c2 = 1.0 - beta2 ** step
            for p, g, mi, vi in zip(params, grads, m, v):
                mi *= beta1
                mi += (1.0 - beta1) * g
                vi *= beta2
                vi += (1.0 - beta2) * g * g
                p -= lr_epoch * (mi / c1) / (np.sqrt(vi / c2) + eps)
        logits = net.predict_logits(x)
        p = softmax(logits)
        ce = -np.mean(np.log(np.clip(p[np.arange(n), y], 1e-300, None)))
        reg = 0.5 * l2 * sum(float(np.sum(w * w)) for w, _ in weights)
        history["loss"].append(float(ce + reg))
        history["train_accuracy"].append(float(np.mean(np.argmax(logits, axis=1) == y)))
        advance()
    net.history = history
    return net


def train_slp(
    x,
    y,
    *,
    n_classes: int = 10,
    epochs: int = 100,
    lr: float = 0.01,
    l2: float = 1e-4,
    seed: int = 0,
    batch_size: int = 32,
    lr_decay: float = 0.02,
    progress=None,
) -> DenseNetwork:
    """Train a single-layer perceptron ``n_in x n_classes`` (softmax regression).

    Parameters
    ----------
    x : array_like, shape (N, n_in)
        Inputs (pixels in [0, 1]; on the crossbar, fractions of the read voltage).
    y : array_like of int, shape (N,)
        Labels in ``0 .. n_classes-1``.
    n_classes : int
        Number of output neurons (crossbar columns, before differential pairing).
    epochs : int
        Passes over the training set.
    lr : float
        Adam step size at epoch 0; epoch ``e`` uses ``lr / (1 + lr_decay * e)``.
    l2 : float
        Weight decay on ``W`` (the loss adds ``l2/2 * ||W||^2``).  Besides
        regularising, it keeps ``max|W|`` small, which spends the device
        levels on the weights that matter when mapping to conductances.
    seed : int
        Seeds initialisation and mini-batch order.
    batch_size : int
        Mini-batch size.
    lr_decay : float
        Inverse-time decay of the step size per epoch.

    Returns
    -------
    DenseNetwork
        With ``weights == [(W, b)]``, ``W`` shaped ``n_in x n_classes``.
    """
    return train_mlp(
        x, y, hidden=(), n_classes=n_classes, epochs=epochs, lr=lr, l2=l2, seed=seed,
        batch_size=batch_size, lr_decay=lr_decay, _kind="slp", progress=progress,
    )


def train_mlp(
    x,
    y,
    *,
    hidden: int | Sequence[int] = 64,
    n_classes: int = 10,
    epochs: int = 100,
    lr: float = 0.005,
    l2: float = 1e-3,
    seed: int = 0,
    batch_size: int = 32,
    lr_decay: float = 0.02,
    relu_max: float | None = None,
    _kind: str = "mlp",
    progress=None,
) -> DenseNetwork:
    """Train a multilayer perceptron ``n_in x hidden x n_classes`` with ReLU.

    Parameters
    ----------
    hidden : int or sequence of int
        Hidden-layer width(s); an int gives the review's ``n^2 x h x 10``.
    relu_max : float, optional
        Bound of the hidden ReLU, ``min(max(z, 0), relu_max)``.
    Other parameters
        As :func:`train_slp`.

    Returns
    -------
    DenseNetwork
    """
    n_classes = _pos_int("n_classes", n_classes)
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes!r}")
    x, y = _check_xy(x, y, n_classes)
    if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
        hidden = (hidden,)
    try:
        hidden = tuple(hidden)
    except TypeError:
        raise TypeError(f"hidden must be an int or a sequence of ints, got {hidden!r}") from None
    hidden = tuple(_pos_int("hidden layer width", h) for h in hidden)
    if _kind == "mlp" and not hidden:
        raise ValueError("hidden must name at least one hidden layer for an MLP (use train_slp for none)")
    epochs = _pos_int("epochs", epochs)
    batch_size = _pos_int("batch_size", batch_size)
    lr = _nonneg_float("lr", lr, positive=True)
    l2 = _nonneg_float("l2", l2)
    lr_decay = _nonneg_float("lr_decay", lr_decay)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if relu_max is not None:
        relu_max = _nonneg_float("relu_max", relu_max, positive=True)
    sizes = [x.shape[1], *hidden, n_classes]
    # Mini-batch products are tiny: BLAS threads only add overhead (2-3x slower
    # on 2 cores) and make float summation order depend on the thread count.
    with _single_thread_blas():
        net = _train(
            x, y, sizes, epochs=epochs, lr=lr, l2=l2, seed=int(seed), batch_size=batch_size,
            relu_max=relu_max, lr_decay=lr_decay, progress=progress,
        )
    net.hyperparameters = {
        "kind": _kind,
        "layer_sizes": sizes,
        "epochs": epochs,
        "lr": lr,
        "l2": l2,
        "seed": int(seed),
        "batch_size": batch_size,
        "lr_decay": lr_decay,
        "relu_max": relu_max,
        "optimizer": "adam(beta1=0.9, beta2=0.999, eps=1e-8)",
        "loss": "softmax cross-entropy + l2/2*||W||^2",
    }
    return net
