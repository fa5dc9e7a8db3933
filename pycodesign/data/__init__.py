"""Data sets for the memristive-network flows: images in [0, 1], integer labels.

Two sources, both offline:

* :func:`load_digits_dataset` -- scikit-learn's 8x8 handwritten digits (1797
  images, 0..16 grey levels), shipped inside scikit-learn, so no download.
  Pixels are divided by 16.
* :func:`load_mnist_idx` -- MNIST (or any IDX image/label pair) from files the
  user supplies, plain or gzip-compressed (detected from the magic bytes, not
  the file suffix).  Images are scaled to [0, 1], down-scaled to
  ``image_size x image_size`` with bicubic interpolation and clipped to [0, 1],
  as the Aguirre et al. (2024) review does before mapping pixels to read
  voltages (bicubic interpolation overshoots at sharp edges, hence the clip).

Both return a :class:`Dataset` with a fixed, seeded, stratified train/test
split (:func:`stratified_split`), so a flow that names the seed gets the same
split on every machine (numpy's ``PCG64`` generator is stable across versions).

Resizing (:func:`resize_bicubic`) is an explicit separable Keys cubic
convolution (``a = -0.5``) with anti-aliasing when shrinking -- the kernel is
stretched by the down-scaling factor, as MATLAB's ``imresize(..., 'bicubic')``
and Pillow's ``BICUBIC`` do -- and mirror (symmetric) padding at the borders as
in MATLAB.  Plain spline zooming (``scipy.ndimage.zoom``) without the
anti-aliasing stretch would sample only 8 of 28 MNIST rows and alias strokes
away.
"""
from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "Dataset",
    "load_digits_dataset",
    "load_mnist_idx",
    "read_idx",
    "resize_bicubic",
    "bicubic_weights",
    "stratified_split",
]

# IDX element types: third byte of the magic number -> big-endian numpy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


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


# ----------------------------------------------------------------------------
# bicubic resizing


def _keys_cubic(x: np.ndarray, a: float = -0.5) -> np.ndarray:
    """Keys (1981) cubic convolution kernel, ``a = -0.5`` (MATLAB, Pillow)."""
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    return np.where(
        ax <= 1.0,
        (a + 2.0) * ax3 - (a + 3.0) * ax2 + 1.0,
        np.where(ax < 2.0, a * ax3 - 5.0 * a * ax2 + 8.0 * a * ax - 4.0 * a, 0.0),
    )


def bicubic_weights(n_in: int, n_out: int, *, antialias: bool = True) -> np.ndarray:
    """Interpolation matrix ``A`` (``n_out x n_in``) so that ``A @ v`` resizes ``v``.

    Output pixel ``i`` (0-based) is centred at input coordinate
    ``(i + 0.5) * n_in / n_out - 0.5``.  When shrinking with ``antialias``, the
    kernel is stretched by ``n_in / n_out`` (a low-pass filter); borders are
    mirror-padded (``-1 -> 0``, ``-2 -> 1``, ...).  Rows sum to 1, so a
    constant image stays constant.
    """
    n_in = _check_image_size(n_in)
    n_out = _check_image_size(n_out)
    scale = n_out / n_in
    stretch = 1.0 / scale if (antialias and scale < 1.0) else 1.0
    width = 4.0 * stretch
    centres = (np.arange(n_out) + 0.5) / scale - 0.5
    left = np.floor(centres - width / 2.0).astype(np.int64)
    taps = int(np.ceil(width)) + 2
    idx = left[:, None] + np.arange(taps)[None, :]
    w = _keys_cubic((centres[:, None] - idx) / stretch) / stretch
    w /= w.sum(axis=1, keepdims=True)
    # Mirror padding: reflect indices into [0, n_in) (period 2*n_in).
    period = 2 * n_in
    m = np.mod(idx, period)
    m = np.where(m >= n_in, period - 1 - m, m)
    a = np.zeros((n_out, n_in))
    np.add.at(a, (np.repeat(np.arange(n_out), taps), m.ravel()), w.ravel())
    return a


def resize_bicubic(images, image_size: int, *, clip: bool = True) -> np.ndarray:
    """Resize square images to ``image_size x image_size`` (bicubic, anti-aliased).

    Parameters
    ----------
    images : array_like, shape (N, h, w) or (h, w)
        Images with values nominally in [0, 1].
    image_size : int
        Output side length ``n``.
    clip : bool
        Clip the result to [0, 1] (bicubic overshoot at edges), as the review does.

    Returns
    -------
    numpy.ndarray, shape (N, n, n) or (n, n)
    """
    img = np.asarray(images, dtype=np.float64)
    single = img.ndim == 2
    if single:
        img = img[None]
    if img.ndim != 3:
        raise ValueError(f"images must have shape (N, h, w) or (h, w), got {img.shape}")
    n = _check_image_size(image_size)
    h, w = img.shape[1:]
    if (h, w) == (n, n):
        out = img.copy()
    else:
        a_rows = bicubic_weights(h, n)
        a_cols = bicubic_weights(w, n)
        out = np.einsum("ij,njk,lk->nil", a_rows, img, a_cols, optimize=True)
    if clip:
        np.clip(out, 0.0, 1.0, out=out)
    return out[0] if single else out


# ----------------------------------------------------------------------------
# scikit-learn digits


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
    )


# ----------------------------------------------------------------------------
# IDX (MNIST) files


def read_idx(path) -> np.ndarray:
    """Read one IDX file (plain or gzip, detected by its first bytes).

    The IDX header is two zero bytes, a type byte (0x08 unsigned byte, 0x09
    signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the
    number of dimensions, then one big-endian uint32 per dimension.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The header or the data length is wrong (the message names the file).
    """
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: starts with the gzip magic bytes but does not decompress ({exc})") from None
    if len(raw) < 4:
        raise ValueError(f"{path}: too short for an IDX header ({len(raw)} bytes, need at least 4)")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(
            f"{path}: not an IDX file: magic number 0x{raw[:4].hex()} "
            f"(expected 0x0000TTDD with type TT in "
            f"{', '.join(f'0x{t:02x}' for t in _IDX_DTYPES)}, e.g. 0x00000803 images, 0x00000801 labels)"
        )
    dtype = _IDX_DTYPES[raw[2]]
    ndim = raw[3]
    if ndim == 0:
        raise ValueError(f"{path}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, need {header} for {ndim} dimensions)")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    n_items = int(np.prod(shape, dtype=np.int64))
    expected = header + n_items * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"{path}: IDX header declares shape {shape} of {dtype.name} "
            f"({expected} bytes with header) but the file holds {len(raw)} bytes"
        )
    return np.frombuffer(raw, dtype=dtype, count=n_items, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _idx_images(path) -> np.ndarray:
    arr = read_idx(path)
    if arr.ndim != 3:
        raise ValueError(f"{path}: image file must be 3-D (N, rows, cols) (magic 0x00000803), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{path}: image file holds no images")
    if arr.dtype == np.uint8:
        return arr.astype(np.float64) / 255.0
    # Other element types: accept only data already in [0, 1].
    x = arr.astype(np.float64)
    if not np.all(np.isfinite(x)) or x.min() < 0.0 or x.max() > 1.0:
        raise ValueError(
            f"{path}: non-byte IDX images must hold values in [0, 1]; found range "
            f"[{float(np.nanmin(x))!r}, {float(np.nanmax(x))!r}]"
        )
    return x


def _idx_labels(path, n_classes: int) -> np.ndarray:
    arr = read_idx(path)
    if arr.ndim != 1:
        raise ValueError(f"{path}: label file must be 1-D (magic 0x00000801), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{path}: labels must be an integer IDX type, got {arr.dtype.name}")
    y = arr.astype(np.int64)
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}: label {int(y[i])} at index {i} is outside 0..{n_classes - 1}")
    return y


def _idx_pair(images_path, labels_path, image_size: int, n_classes: int, max_samples):
    x = _idx_images(images_path)
    y = _idx_labels(labels_path, n_classes)
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{images_path} holds {x.shape[0]} images but {labels_path} holds {y.shape[0]} labels"
        )
    if max_samples is not None:
        x, y = x[:max_samples], y[:max_samples]
    x = resize_bicubic(x, image_size, clip=True)
    return x.reshape(x.shape[0], -1), y


def load_mnist_idx(
    images_path,
    labels_path,
    *,
    image_size: int = 8,
    test_images_path=None,
    test_labels_path=None,
    test_fraction: float = 0.3,
    seed: int = 0,
    max_samples: int | None = None,
    n_classes: int = 10,
) -> Dataset:
    """MNIST-style IDX files -> bicubic ``image_size x image_size`` images in [0, 1].

    Parameters
    ----------
    images_path, labels_path : path-like
        IDX image file (magic ``0x00000803``, unsigned bytes 0..255 scaled by
        1/255) and label file (magic ``0x00000801``), plain or gzip.
    image_size : int
        Side ``n`` of the down-scaled images (bicubic, anti-aliased, clipped
        to [0, 1]).
    test_images_path, test_labels_path : path-like, optional
        A separate test pair (e.g. MNIST's ``t10k`` files).  Give both or
        neither; without them the first pair is split with
        :func:`stratified_split`.
    test_fraction : float
        Held-out fraction when no test pair is given.
    seed : int
        Seed of the split.
    max_samples : int, optional
        Keep only the first ``max_samples`` samples of each file (quick runs).
    n_classes : int
        Labels must lie in ``0 .. n_classes-1``.

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        A malformed file (message names the file and the problem), image and
        label counts that differ, or labels out of range.
    """
    image_size = _check_image_size(image_size)
    seed = _check_seed(seed)
    if max_samples is not None and (isinstance(max_samples, bool) or not isinstance(max_samples, (int, np.integer)) or max_samples < 1):
        raise ValueError(f"max_samples must be a positive int or None, got {max_samples!r}")
    if (test_images_path is None) != (test_labels_path is None):
        raise ValueError(
            "give both test_images_path and test_labels_path or neither; got "
            f"test_images_path={test_images_path!r}, test_labels_path={test_labels_path!r}"
        )
    x, y = _idx_pair(images_path, labels_path, image_size, n_classes, max_samples)
    source = f"IDX {Path(images_path).name} / {Path(labels_path).name}"
    if test_images_path is not None:
        x_test, y_test = _idx_pair(test_images_path, test_labels_path, image_size, n_classes, max_samples)
        x_train, y_train = x, y
        frac = None
        source += f"; test IDX {Path(test_images_path).name} / {Path(test_labels_path).name}"
    else:
        frac = _check_fraction(test_fraction)
        tr, te = stratified_split(y, test_fraction=frac, seed=seed)
        x_train, y_train, x_test, y_test = x[tr], y[tr], x[te], y[te]
    source += f", /255, bicubic to {image_size}x{image_size}, clipped to [0, 1]"
    return Dataset(
        x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
        image_size=image_size, source=source, n_classes=n_classes, seed=seed,
        test_fraction=frac,
    )
