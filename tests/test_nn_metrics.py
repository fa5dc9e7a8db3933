"""Metrics of the review's Table 2: hand-computed example and scikit-learn reference."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sklearn import metrics as skm

from pycodesign.nn import classification_report, confusion_matrix, format_report

# Hand-worked 3-class example.
Y_TRUE = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
Y_PRED = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1]


def test_hand_computed_example():
    r = classification_report(Y_TRUE, Y_PRED, n_classes=3)
    assert r["confusion_matrix"] == [[2, 1, 1], [1, 2, 0], [0, 1, 2]]
    assert r["accuracy"] == pytest.approx(0.6)
    pc = r["per_class"]
    # TP = 2, 2, 2; FN = 2, 1, 1; FP = 1, 2, 1; TN = 5, 5, 6.
    assert pc["sensitivity"] == pytest.approx([2 / 4, 2 / 3, 2 / 3])
    assert pc["specificity"] == pytest.approx([5 / 6, 5 / 7, 6 / 7])
    assert pc["precision"] == pytest.approx([2 / 3, 2 / 4, 2 / 3])
    assert pc["f1"] == pytest.approx([4 / 7, 4 / 7, 4 / 6])
    assert pc["support"] == [4, 3, 3]
    # p_e = (4*3 + 3*4 + 3*3) / 100 = 0.33 -> kappa = 0.27 / 0.67.
    assert r["kappa"] == pytest.approx(27 / 67)
    assert r["macro"]["specificity"] == pytest.approx((5 / 6 + 5 / 7 + 6 / 7) / 3)
    assert r["cross_entropy"] is None


def test_cross_entropy_hand_computed():
    # p[true] = 0.5 for five samples, 0.25 for five: CE = (5 ln 2 + 5 ln 4) / 10.
    probs = np.zeros((10, 3))
    for n, t in enumerate(Y_TRUE):
        p_true = 0.5 if n < 5 else 0.25
        probs[n] = (1 - p_true) / 2
        probs[n, t] = p_true
    r = classification_report(Y_TRUE, Y_PRED, probs=probs, n_classes=3)
    assert r["cross_entropy"] == pytest.approx(1.5 * math.log(2))


def test_against_sklearn_on_random_predictions():
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 10, size=500)
    y_pred = np.where(rng.random(500) < 0.7, y_true, rng.integers(0, 10, size=500))
    logits = rng.normal(size=(500, 10))
    logits[np.arange(500), y_pred] += 2.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    r = classification_report(y_true, y_pred, probs=probs)
    labels = list(range(10))
    assert r["confusion_matrix"] == skm.confusion_matrix(y_true, y_pred, labels=labels).tolist()
    assert r["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert r["kappa"] == pytest.approx(skm.cohen_kappa_score(y_true, y_pred))
    pc = r["per_class"]
    np.testing.assert_allclose(pc["sensitivity"], skm.recall_score(y_true, y_pred, average=None, labels=labels))
    np.testing.assert_allclose(pc["precision"], skm.precision_score(y_true, y_pred, average=None, labels=labels))
    np.testing.assert_allclose(pc["f1"], skm.f1_score(y_true, y_pred, average=None, labels=labels))
    # Specificity is the recall of "not class c".
    spec = [skm.recall_score(y_true != c, y_pred != c) for c in labels]
    np.testing.assert_allclose(pc["specificity"], spec)
    assert r["macro"]["f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))
    assert r["cross_entropy"] == pytest.approx(skm.log_loss(y_true, probs, labels=labels))
    json.dumps(r)  # JSON-serialisable as is
    text = format_report(r, title="test")
    assert "kappa" in text and "confusion matrix" in text


def test_absent_and_never_predicted_classes_give_zero_not_nan():
    r = classification_report([0, 0, 1], [0, 0, 0], n_classes=3)
    assert r["per_class"]["precision"] == [2 / 3, 0.0, 0.0]
    assert r["per_class"]["sensitivity"] == [1.0, 0.0, 0.0]
    assert r["per_class"]["specificity"][2] == 1.0
    json.dumps(r, allow_nan=False)


def test_metric_input_errors():
    with pytest.raises(ValueError, match=r"y_pred\[1\] = 7 is outside the classes 0..2"):
        classification_report([0, 1], [0, 7], n_classes=3)
    with pytest.raises(ValueError, match="differ in length"):
        confusion_matrix([0, 1], [0], n_classes=3)
    with pytest.raises(ValueError, match="empty"):
        confusion_matrix([], [], n_classes=3)
    with pytest.raises(ValueError, match=r"row 1 sums to 0.5"):
        classification_report([0, 1], [0, 1], probs=[[1.0, 0.0], [0.25, 0.25]], n_classes=2)
    with pytest.raises(ValueError, match=r"probs must have shape \(2, 2\)"):
        classification_report([0, 1], [0, 1], probs=[[1.0, 0.0, 0.0]] * 2, n_classes=2)
