"""The :class:`Dataset` every loader returns, its seeded stratified split and the shared argument checks.

A loader returns a fixed, seeded, stratified train/test split
(:func:`stratified_split`), so a flow that names the seed gets the same
split on every machine (numpy's ``PCG64`` generator is stable across versions).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset", "stratified_split"]


@dataclass(frozen=True)
class Dataset:
    """A train/test split of samples whose features are crossbar inputs in [0, 1].

    Images (``image_size`` set) are flattened row-major (row 0 first);
    tables (``image_size`` is ``None``) carry their feature and class names
    and the min-max scaling that brought their features into [0, 1].  Every
    loader fills what a flow needs: the inputs, the labels, ``n_classes``,
    ``n_features`` (wordlines), a ``description`` and the ``source``.
    Construction checks the arrays agree with each other and with these
    fields (``ValueError`` naming the field and the value).

    Attributes
    ----------
    x_train, x_test : numpy.ndarray
        Float64 arrays of shape ``(N, n_features)``, values in [0, 1] (the
        fraction of the full-scale read voltage driving each wordline).
    y_train, y_test : numpy.ndarray
        Integer class labels (``int64``) in ``0 .. n_classes-1``.
    image_size : int or None
        Side ``n`` of the square images (``n*n`` inputs = crossbar
        wordlines); ``None`` for tabular data.
    source : str
        Human-readable origin (data set name, files, resizing, scaling).
    n_classes : int
        Number of classes (>= 2).
    seed : int
        Seed of the train/test split.
    test_fraction : float or None
        Fraction of each class held out for testing (``None`` when the user
        supplied a separate test set).
    description : str
        One line on what the samples are (for reports).
    feature_names : tuple of str or None
        Name of each feature (tabular data), ``n_features`` long.
    class_labels : tuple of str or None
        The original label of each class: class ``k`` was labelled
        ``class_labels[k]`` in the source (tabular data).
    feature_min, feature_max : numpy.ndarray or None
        Per-feature minimum and maximum over the *training* split, before
        scaling (tabular data): a raw value ``v`` became
        ``clip((v - feature_min) / (feature_max - feature_min), 0, 1)``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_size: int | None
    source: str
    n_classes: int = 10
    seed: int = 0
    test_fraction: float | None = 0.3
    description: str = ""
    feature_names: tuple[str, ...] | None = None
    class_labels: tuple[str, ...] | None = None
    feature_min: np.ndarray | None = None
    feature_max: np.ndarray | None = None

    def __post_init__(self):
        if isinstance(self.n_classes, bool) or not isinstance(self.n_classes, (int, np.integer)) \
                or self.n_classes < 2:
            raise ValueError(f"Dataset: n_classes = {self.n_classes!r} is not allowed; allowed: an int >= 2")
        n_features = None
        for part in ("train", "test"):
            x = getattr(self, f"x_{part}")
            y = getattr(self, f"y_{part}")
            if not isinstance(x, np.ndarray) or x.ndim != 2:
                raise ValueError(f"Dataset: x_{part} must be a 2-D array (N, n_features), got shape {np.shape(x)}")
            if n_features is not None and x.shape[1] != n_features:
                raise ValueError(f"Dataset: x_test has {x.shape[1]} features but x_train has {n_features}")
            n_features = x.shape[1]
            if not isinstance(y, np.ndarray) or y.shape != (x.shape[0],) or not np.issubdtype(y.dtype, np.integer):
                raise ValueError(
                    f"Dataset: y_{part} must be an integer array of shape ({x.shape[0]},) to match x_{part}, "
                    f"got shape {np.shape(y)}"
                )
            outside = ~((x >= 0.0) & (x <= 1.0))  # also catches NaN
            if outside.any():
                i, j = (int(k) for k in np.argwhere(outside)[0])
                raise ValueError(
                    f"Dataset: x_{part}[{i}, {j}] = {float(x[i, j])!r} is outside [0, 1]; allowed: inputs in [0, 1] "
                    "(fractions of the full-scale read voltage)"
                )
            bad = (y < 0) | (y >= self.n_classes)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(f"Dataset: y_{part}[{i}] = {int(y[i])} is outside the classes 0..{self.n_classes - 1}")
        if self.image_size is not None and self.image_size * self.image_size != n_features:
            raise ValueError(
                f"Dataset: image_size = {self.image_size!r} needs {self.image_size}**2 = "
                f"{self.image_size * self.image_size} features, but the arrays have {n_features}"
            )
        for name, value, want in (("feature_names", self.feature_names, n_features),
                                  ("class_labels", self.class_labels, self.n_classes),
                                  ("feature_min", self.feature_min, n_features),
                                  ("feature_max", self.feature_max, n_features)):
            if value is not None and len(value) != want:
                raise ValueError(f"Dataset: {name} has {len(value)} entries, expected {want}")

    @property
    def n_features(self) -> int:
        """Inputs per sample (crossbar wordlines before any bias row)."""
        return int(self.x_train.shape[1])

    @property
    def n_inputs(self) -> int:
        """Number of inputs per sample: ``image_size**2`` for images, ``n_features`` always."""
        return self.n_features

    @property
    def kind(self) -> str:
        """``"image"`` or ``"tabular"``."""
        return "tabular" if self.image_size is None else "image"

    def describe(self) -> dict:
        """JSON-serialisable summary (for result files: provenance, not data)."""
        out = {
            "source": self.source,
            "description": self.description,
            "kind": self.kind,
            "image_size": self.image_size,
            "n_features": self.n_features,
            "n_train": int(self.x_train.shape[0]),
            "n_test": int(self.x_test.shape[0]),
            "n_classes": self.n_classes,
            "seed": self.seed,
            "test_fraction": self.test_fraction,
        }
        if self.class_labels is not None:
            out["class_labels"] = list(self.class_labels)
        if self.feature_names is not None:
            out["feature_names"] = list(self.feature_names)
        return out


# ----------------------------------------------------------------------------
# validation helpers


def _check_image_size(image_size) -> int:
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)):
        raise TypeError(f"image_size must be an int >= 1, got {image_size!r}")
    if image_size < 1:
        raise ValueError(f"image_size must be >= 1, got {image_size!r}")
    return int(image_size)


def _check_fraction(test_fraction) -> float:
    try:
        f = float(test_fraction)
    except (TypeError, ValueError):
        raise TypeError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}") from None
    if not (0.0 < f < 1.0):
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction!r}")
    return f


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return int(seed)


# ----------------------------------------------------------------------------
# split


def stratified_split(y, *, test_fraction: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded stratified split of sample indices into train and test.

    Each class ``c`` with ``n_c`` samples contributes ``round(n_c *
    test_fraction)`` test samples (at least one, and at least one left for
    training when ``n_c >= 2``), drawn with ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Class labels.
    test_fraction : float
        Fraction of each class held out, strictly between 0 and 1.
    seed : int
        Seed of the permutation.

    Returns
    -------
    train_idx, test_idx : numpy.ndarray
        Sorted, disjoint index arrays covering ``range(N)``.
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {y.shape}")
    test_fraction = _check_fraction(test_fraction)
    rng = np.random.default_rng(_check_seed(seed))
    test = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(idx.size)]
        # Keep at least one sample of each class on both sides when possible.
        n_test = min(max(1, int(round(idx.size * test_fraction))), idx.size - 1) if idx.size >= 2 else 0
        test.append(idx[:n_test])
    test_idx = np.sort(np.concatenate(test)) if test else np.empty(0, dtype=np.int64)
    mask = np.ones(y.size, dtype=bool)
    mask[test_idx] = False
    return np.flatnonzero(mask), test_idx
