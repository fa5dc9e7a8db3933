"""scikit-learn's 8x8 handwritten digits (shipped inside scikit-learn, so no download)."""
from __future__ import annotations

import numpy as np

from .dataset import Dataset, _check_fraction, _check_image_size, _check_seed, stratified_split
from .resize import resize_bicubic

__all__ = ["load_digits_dataset"]


def load_digits_dataset(*, image_size: int = 8, test_fraction: float = 0.3, seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 handwritten digits, scaled to [0, 1], seeded split.

    Parameters
    ----------
    image_size : int
        Side of the returned images; 8 keeps the original pixels, other values
        resize with :func:`resize_bicubic` (and clip to [0, 1]).
    test_fraction : float
        Fraction of each class held out for testing.
    seed : int
        Seed of the stratified split.

    Returns
    -------
    Dataset
    """
    from sklearn.datasets import load_digits

    image_size = _check_image_size(image_size)
    test_fraction = _check_fraction(test_fraction)
    seed = _check_seed(seed)
    digits = load_digits()
    # 0..16 grey levels -> [0, 1] (pixel value = fraction of full-scale read voltage).
    images = digits.images.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    source = "scikit-learn digits (8x8, 0..16 / 16)"
    if image_size != 8:
        images = resize_bicubic(images, image_size)
        source += f", bicubic resized to {image_size}x{image_size}"
    x = images.reshape(images.shape[0], -1)
    tr, te = stratified_split(y, test_fraction=test_fraction, seed=seed)
    return Dataset(
        x_train=x[tr], y_train=y[tr], x_test=x[te], y_test=y[te],
        image_size=image_size, source=source, n_classes=10, seed=seed,
        test_fraction=test_fraction,
        description=f"handwritten digits 0-9, {x.shape[0]} grey-level images of {image_size}x{image_size} pixels",
    )
