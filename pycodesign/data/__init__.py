"""Data sets for the memristive-network flows: inputs in [0, 1], integer labels.

Images, from two offline sources:

* :func:`load_digits_dataset` (:mod:`.digits`) -- scikit-learn's 8x8
  handwritten digits (1797 images, 0..16 grey levels), shipped inside
  scikit-learn, so no download.  Pixels are divided by 16.
* :func:`load_mnist_idx` (:mod:`.idx`) -- MNIST (or any IDX image/label pair)
  from files the user supplies, plain or gzip-compressed, bicubically
  down-scaled (:mod:`.resize`) and clipped to [0, 1].

Tables (:mod:`.tabular`), features min-max scaled to [0, 1] with the
training split's range and clipped (:func:`min_max_scale`):

* :func:`load_breast_cancer_dataset` -- scikit-learn's Wisconsin diagnostic
  breast-cancer set (569 samples, 30 features, 2 classes), shipped inside
  scikit-learn.
* :func:`load_csv_dataset` -- a numeric CSV table the user supplies (e.g.
  the PIMA diabetes set), with one label column.

All return a :class:`Dataset` (:mod:`.dataset`) with a fixed, seeded,
stratified train/test split (:func:`stratified_split`).
"""
from .dataset import Dataset, stratified_split
from .digits import load_digits_dataset
from .idx import load_mnist_idx, read_idx
from .resize import bicubic_weights, resize_bicubic
from .tabular import load_breast_cancer_dataset, load_csv_dataset, min_max_scale

__all__ = [
    "Dataset",
    "load_digits_dataset",
    "load_mnist_idx",
    "load_breast_cancer_dataset",
    "load_csv_dataset",
    "min_max_scale",
    "read_idx",
    "resize_bicubic",
    "bicubic_weights",
    "stratified_split",
]
