"""Classification metrics of the review's Table 2, computed from a confusion matrix.

For class ``c`` with true positives TP, false negatives FN, false positives FP
and true negatives TN (one-vs-rest counts from the confusion matrix):

* sensitivity (recall) ``TP / (TP + FN)``
* specificity ``TN / (TN + FP)``
* precision ``TP / (TP + FP)``
* F1 ``2 TP / (2 TP + FP + FN)``

plus overall accuracy, Cohen's kappa ``(p_o - p_e) / (1 - p_e)`` (``p_o`` the
accuracy, ``p_e`` the agreement expected by chance from the row and column
totals) and, when class probabilities are given, the mean cross-entropy
``-mean(log p[y_true])`` in nats.  A ratio whose denominator is zero (a class
never predicted, or never present) is reported as 0.0, as scikit-learn's
``zero_division=0`` does.
"""
from __future__ import annotations

import numpy as np

__all__ = ["confusion_matrix", "classification_report", "format_report"]

#: Probabilities are clipped to at least this before the logarithm.
PROB_FLOOR = 1e-15


def _labels(name, y, n_classes) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.isfinite(y)) or not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    y = y.astype(np.int64)
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{i}] = {int(y[i])} is outside the classes 0..{n_classes - 1}")
    return y


def confusion_matrix(y_true, y_pred, *, n_classes: int = 10) -> np.ndarray:
    """Counts ``C[t, p]`` of samples of true class ``t`` predicted as ``p`` (int64)."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
    t = _labels("y_true", y_true, n_classes)
    p = _labels("y_pred", y_pred, n_classes)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred differ in length: {t.size} vs {p.size}")
    if t.size == 0:
        raise ValueError("y_true is empty: no samples to score")
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def classification_report(y_true, y_pred, *, probs=None, n_classes: int = 10) -> dict:
    """Accuracy, per-class sensitivity/specificity/precision/F1, kappa, cross-entropy.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
        True and predicted labels in ``0 .. n_classes-1``.
    probs : array_like, shape (N, n_classes), optional
        Predicted class probabilities (rows sum to 1); enables
        ``cross_entropy``.
    n_classes : int
        Number of classes.

    Returns
    -------
    dict
        JSON-serialisable: ``n_samples``, ``accuracy``, ``kappa``,
        ``cross_entropy`` (``None`` without ``probs``), ``confusion_matrix``
        (rows = true class, columns = predicted class), ``per_class`` with
        lists ``sensitivity``, ``specificity``, ``precision``, ``f1``,
        ``support``, and ``macro`` with the unweighted means of the four
        ratios.
    """
    cm = confusion_matrix(y_true, y_pred, n_classes=n_classes)
    n = int(cm.sum())
    tp = np.diag(cm).astype(np.float64)
    support = cm.sum(axis=1).astype(np.float64)  # true count per class
    predicted = cm.sum(axis=0).astype(np.float64)
    fn = support - tp
    fp = predicted - tp
    tn = n - tp - fn - fp
    sensitivity = _ratio(tp, tp + fn)
    specificity = _ratio(tn, tn + fp)
    precision = _ratio(tp, tp + fp)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    p_o = float(tp.sum() / n)
    p_e = float(np.sum(support * predicted) / (n * n))
    kappa = (p_o - p_e) / (1.0 - p_e) if p_e < 1.0 else (1.0 if p_o == 1.0 else 0.0)

    cross_entropy = None
    if probs is not None:
        p = np.asarray(probs, dtype=np.float64)
        if p.shape != (n, n_classes):
            raise ValueError(f"probs must have shape ({n}, {n_classes}), got {p.shape}")
        if not np.all(np.isfinite(p)) or p.min() < 0.0:
            i = tuple(int(k) for k in np.argwhere(~np.isfinite(p) | (p < 0))[0])
            raise ValueError(f"probs must be finite and >= 0; probs{list(i)} = {float(p[i])!r}")
        row_sum = p.sum(axis=1)
        if not np.allclose(row_sum, 1.0, atol=1e-6):
            i = int(np.argmax(np.abs(row_sum - 1.0)))
            raise ValueError(f"probs rows must sum to 1; row {i} sums to {float(row_sum[i])!r} (pass softmax outputs)")
        t = _labels("y_true", y_true, n_classes)
        cross_entropy = float(-np.mean(np.log(np.clip(p[np.arange(n), t], PROB_FLOOR, None))))

    return {
        "n_samples": n,
        "n_classes": int(n_classes),
        "accuracy": p_o,
        "kappa": float(kappa),
        "cross_entropy": cross_entropy,
        "confusion_matrix": cm.tolist(),
        "per_class": {
            "sensitivity": sensitivity.tolist(),
            "specificity": specificity.tolist(),
            "precision": precision.tolist(),
            "f1": f1.tolist(),
            "support": [int(s) for s in support],
        },
        "macro": {
            "sensitivity": float(sensitivity.mean()),
            "specificity": float(specificity.mean()),
            "precision": float(precision.mean()),
            "f1": float(f1.mean()),
        },
    }


def format_report(report: dict, *, title: str | None = None) -> str:
    """Plain-text table of a :func:`classification_report` (like the review's Table 2)."""
    lines = []
    if title:
        lines += [title, "=" * len(title)]
    pc = report["per_class"]
    lines.append(f"{'class':>5} {'sens.':>7} {'spec.':>7} {'prec.':>7} {'F1':>7} {'support':>8}")
    for c in range(report["n_classes"]):
        lines.append(
            f"{c:>5} {pc['sensitivity'][c]:7.4f} {pc['specificity'][c]:7.4f} "
            f"{pc['precision'][c]:7.4f} {pc['f1'][c]:7.4f} {pc['support'][c]:>8d}"
        )
    m = report["macro"]
    lines.append(f"{'macro':>5} {m['sensitivity']:7.4f} {m['specificity']:7.4f} {m['precision']:7.4f} {m['f1']:7.4f} {report['n_samples']:>8d}")
    lines.append(f"accuracy {report['accuracy']:.4f}   kappa {report['kappa']:.4f}" + (
        f"   cross-entropy {report['cross_entropy']:.4f} nats" if report["cross_entropy"] is not None else ""
    ))
    lines.append("confusion matrix (rows = true, columns = predicted):")
    width = max(3, len(str(max(max(r) for r in report["confusion_matrix"]))))
    for row in report["confusion_matrix"]:
        lines.append(" ".join(f"{v:>{width}d}" for v in row))
    return "\n".join(lines)
