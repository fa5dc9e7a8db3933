"""Networks to map onto crossbars: training in numpy and the review's metrics.

* :func:`train_slp` -- single-layer perceptron ``n^2 x 10`` (softmax regression).
* :func:`train_mlp` -- multilayer perceptron ``n^2 x h x 10`` with a (optionally
  bounded) ReLU hidden layer.
* :class:`DenseNetwork` -- the trained model: ``weights`` (list of ``(W, b)``
  with ``W`` shaped ``n_in x n_out``), ``predict_logits``, ``predict_proba``,
  ``predict``, JSON round trip.
* :func:`save_network_npz` / :func:`load_network_npz` -- bring your own
  weights: an ``.npz`` with ``W1``, ``b1``, ``W2``, ``b2``, ``relu_max``
  (format in :mod:`.weights_npz`), checked before use.
* :func:`classification_report` -- accuracy, per-class sensitivity,
  specificity, precision, F1, Cohen's kappa, cross-entropy and the confusion
  matrix (the review's Table 2), as a JSON-serialisable dict;
  :func:`format_report` prints it.

Example
-------
>>> from pycodesign.data import load_digits_dataset
>>> from pycodesign.nn import train_slp, classification_report
>>> ds = load_digits_dataset(seed=0)
>>> slp = train_slp(ds.x_train, ds.y_train, seed=0)
>>> rep = classification_report(ds.y_test, slp.predict(ds.x_test),
...                             probs=slp.predict_proba(ds.x_test))
"""
from .metrics import classification_report, confusion_matrix, format_report
from .models import DenseNetwork, loss_and_gradients, softmax, train_mlp, train_slp
from .weights_npz import load_network_npz, save_network_npz

__all__ = [
    "DenseNetwork",
    "train_slp",
    "train_mlp",
    "softmax",
    "loss_and_gradients",
    "save_network_npz",
    "load_network_npz",
    "classification_report",
    "confusion_matrix",
    "format_report",
]
