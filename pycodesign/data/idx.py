"""MNIST (or any IDX image/label pair) from files the user supplies.

Plain or gzip-compressed (detected from the magic bytes, not the file
suffix).  Images are scaled to [0, 1], down-scaled to ``image_size x
image_size`` with bicubic interpolation and clipped to [0, 1], as the Aguirre
et al. (2024) review does before mapping pixels to read voltages (bicubic
interpolation overshoots at sharp edges, hence the clip).
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from .dataset import Dataset, _check_fraction, _check_image_size, _check_seed, stratified_split
from .resize import resize_bicubic

__all__ = ["read_idx", "load_mnist_idx"]

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
        description=(f"{x_train.shape[0] + x_test.shape[0]} IDX (MNIST-style) images of {n_classes} classes, "
                     f"{image_size}x{image_size} pixels"),
    )
