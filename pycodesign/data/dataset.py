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
    """A train/test split of flattened images.

    Attributes
    ----------
    x_train, x_test : numpy.ndarray
        Float64 arrays of shape ``(N, image_size**2)``, pixel values in [0, 1],
        images flattened row-major (row 0 first).
    y_train, y_test : numpy.ndarray
        Integer class labels (``int64``) in ``0 .. n_classes-1``.
    image_size : int
        Side ``n`` of the square images (``n*n`` inputs = crossbar wordlines).
    source : str
        Human-readable origin (data set name, files, resizing).
    n_classes : int
        Number of classes.
    seed : int
        Seed of the train/test split.
    test_fraction : float or None
        Fraction of each class held out for testing (``None`` when the user
        supplied a separate test set).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_size: int
    source: str
    n_classes: int = 10
    seed: int = 0
    test_fraction: float | None = 0.3

    @property
    def n_inputs(self) -> int:
        """Number of inputs per image, ``image_size**2``."""
        return self.image_size * self.image_size

    def describe(self) -> dict:
        """JSON-serialisable summary (for result files: provenance, not data)."""
        return {
            "source": self.source,
            "image_size": self.image_size,
            "n_train": int(self.x_train.shape[0]),
            "n_test": int(self.x_test.shape[0]),
            "n_classes": self.n_classes,
            "seed": self.seed,
            "test_fraction": self.test_fraction,
        }


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
