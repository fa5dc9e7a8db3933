"""Data sets for the memristive-network flows: images in [0, 1], integer labels.

Two sources, both offline:

* :func:`load_digits_dataset` (:mod:`.digits`) -- scikit-learn's 8x8
  handwritten digits (1797 images, 0..16 grey levels), shipped inside
  scikit-learn, so no download.  Pixels are divided by 16.
* :func:`load_mnist_idx` (:mod:`.idx`) -- MNIST (or any IDX image/label pair)
  from files the user supplies, plain or gzip-compressed, bicubically
  down-scaled (:mod:`.resize`) and clipped to [0, 1].

Both return a :class:`Dataset` (:mod:`.dataset`) with a fixed, seeded,
stratified train/test split (:func:`stratified_split`).
"""
from .dataset import Dataset, stratified_split
from .digits import load_digits_dataset
from .idx import load_mnist_idx, read_idx
from .resize import bicubic_weights, resize_bicubic

__all__ = [
    "Dataset",
    "load_digits_dataset",
    "load_mnist_idx",
    "read_idx",
    "resize_bicubic",
    "bicubic_weights",
    "stratified_split",
]
