"""Tabular data: the embedded Wisconsin breast-cancer set and the user's own CSV tables.

The kit's crossbars take inputs in [0, 1] (the fraction of the full-scale
read voltage on each wordline), so every feature is min-max scaled with the
**training split's** minimum and maximum only -- the test split must not leak
into the scaling -- and then clipped to [0, 1], since a test value may lie
outside the training range (:func:`min_max_scale`).  A feature that is
constant in the training split carries no information and becomes 0.  The
:class:`~pycodesign.data.dataset.Dataset` records the scaling
(``feature_min``, ``feature_max``), the feature names and the original label
of each class (``class_labels``).

* :func:`load_breast_cancer_dataset` -- scikit-learn's copy of the UCI
  Wisconsin diagnostic breast-cancer data (569 samples, 30 features, 2
  classes), shipped inside scikit-learn, so no download; the review's
  breast-cancer MLP (Aguirre et al. 2024) uses it.
* :func:`load_csv_dataset` -- a numeric table the user supplies (e.g. the
  PIMA Indians diabetes set used by Baokar & He), one sample per line, one
  label column.  Bad tables are refused before anything runs, with the file,
  the line, the column and the value.
"""
from __future__ import annotations

import csv
import math
import os
import reprlib
from pathlib import Path
from typing import Sequence

import numpy as np

from .dataset import Dataset, _check_fraction, _check_seed, stratified_split

__all__ = ["load_breast_cancer_dataset", "load_csv_dataset", "min_max_scale"]


def min_max_scale(x_train, x_test) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scale features to [0, 1] with the training split's minimum and maximum, then clip.

    Parameters
    ----------
    x_train, x_test : array_like, shape (N, n_features)
        Raw, finite feature values.

    Returns
    -------
    x_train_scaled, x_test_scaled : numpy.ndarray
        ``clip((x - lo) / (hi - lo), 0, 1)`` per feature; a feature constant
        in the training split (``hi == lo``) becomes 0 in both splits.
    lo, hi : numpy.ndarray, shape (n_features,)
        The training split's per-feature minimum and maximum.
    """
    tr = np.asarray(x_train, dtype=np.float64)
    te = np.asarray(x_test, dtype=np.float64)
    if tr.ndim != 2 or tr.shape[0] == 0:
        raise ValueError(f"x_train must be a non-empty 2-D array (N, n_features), got shape {tr.shape}")
    if te.ndim != 2 or te.shape[1] != tr.shape[1]:
        raise ValueError(f"x_test must have shape (M, {tr.shape[1]}) to match x_train, got {te.shape}")
    for name, a in (("x_train", tr), ("x_test", te)):
        if not np.all(np.isfinite(a)):
            i, j = (int(k) for k in np.argwhere(~np.isfinite(a))[0])
            raise ValueError(f"{name}[{i}, {j}] = {float(a[i, j])!r} is not finite")
    lo = tr.min(axis=0)
    hi = tr.max(axis=0)
    span = hi - lo
    varies = span > 0.0
    # Constant training features: divide by 1 and multiply by 0, so they read 0.
    scale = np.where(varies, span, 1.0)
    with np.errstate(over="ignore"):  # a span beyond float range saturates, then clips
        tr_s = np.clip((tr - lo) / scale, 0.0, 1.0) * varies
        te_s = np.clip((te - lo) / scale, 0.0, 1.0) * varies
    return tr_s, te_s, lo, hi


def _tabular_dataset(x, y, *, n_classes, test_fraction, seed, source, description, feature_names,
                     class_labels) -> Dataset:
    tr, te = stratified_split(y, test_fraction=test_fraction, seed=seed)
    x_train, x_test, lo, hi = min_max_scale(x[tr], x[te])
    return Dataset(
        x_train=x_train, y_train=y[tr], x_test=x_test, y_test=y[te], image_size=None,
        source=source, n_classes=n_classes, seed=seed, test_fraction=test_fraction,
        description=description, feature_names=tuple(feature_names), class_labels=tuple(class_labels),
        feature_min=lo, feature_max=hi,
    )


# ----------------------------------------------------------------------------
# scikit-learn breast cancer


def load_breast_cancer_dataset(*, test_fraction: float = 0.3, seed: int = 0) -> Dataset:
    """scikit-learn's Wisconsin diagnostic breast-cancer set, features scaled to [0, 1], seeded split.

    569 samples of 30 features (mean, standard error and worst value of ten
    cell-nucleus measurements), 2 classes: 0 = malignant (212), 1 = benign
    (357), as scikit-learn labels them.  Features are min-max scaled with
    the training split's minimum and maximum and clipped to [0, 1]
    (:func:`min_max_scale`).

    Parameters
    ----------
    test_fraction : float
        Fraction of each class held out for testing, strictly between 0 and 1.
    seed : int
        Seed of the stratified split.

    Returns
    -------
    Dataset
        ``image_size`` is ``None``; ``feature_names``, ``class_labels``
        (``("malignant", "benign")``), ``feature_min`` and ``feature_max``
        are set.
    """
    from sklearn.datasets import load_breast_cancer

    test_fraction = _check_fraction(test_fraction)
    seed = _check_seed(seed)
    data = load_breast_cancer()
    x = np.asarray(data.data, dtype=np.float64)
    y = np.asarray(data.target, dtype=np.int64)
    counts = ", ".join(f"{int(np.sum(y == k))} {name}" for k, name in enumerate(data.target_names))
    return _tabular_dataset(
        x, y, n_classes=2, test_fraction=test_fraction, seed=seed,
        source=(f"scikit-learn breast cancer (UCI Wisconsin diagnostic; {x.shape[0]} samples, {x.shape[1]} "
                "features), min-max scaled to [0, 1] on the training split, clipped"),
        description=(f"breast-cancer diagnosis from {x.shape[1]} cell-nucleus features; "
                     f"{x.shape[0]} samples: {counts}"),
        feature_names=[str(n) for n in data.feature_names],
        class_labels=[str(n) for n in data.target_names],
    )


# ----------------------------------------------------------------------------
# the user's CSV tables


def _parse_number(text: str) -> float | None:
    """``float(text)`` for a plain decimal number, else ``None`` (``1_000`` is not a table number)."""
    if "_" in text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _read_rows(path: Path, delimiter: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with the file line on which each starts."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise ValueError(f"{path}: the file is empty; a CSV table needs a header line and data lines")
    try:
        text = raw.decode("utf-8-sig")  # tolerate the byte-order mark spreadsheets write
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save the table as "
            "UTF-8 CSV"
        ) from None
    if "\0" in text:
        raise ValueError(f"{path}: holds NUL characters; this is not a CSV text file")
    reader = csv.reader(text.splitlines(), delimiter=delimiter, strict=True)
    rows = []
    line = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append((line, [cell.strip() for cell in record]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValueError(f"{path}: line {reader.line_num}: malformed CSV ({exc})") from None
    return rows


def _column_index(path: Path, param: str, what: str, column, names: list[str]) -> int:
    """Index of ``column`` (a header name or an int, negative from the end) among ``names``."""
    n = len(names)
    if isinstance(column, bool) or not isinstance(column, (str, int, np.integer)):
        raise TypeError(f"{param} must be a column name (str) or a 0-based column index (int), got {column!r}")
    if isinstance(column, str):
        if column not in names:
            raise ValueError(
                f"{path}: {what} {column!r} not found; columns in the header: "
                f"{reprlib.repr(names) if n > 40 else ', '.join(map(repr, names))}"
            )
        return names.index(column)
    k = int(column)
    if not -n <= k < n:
        raise ValueError(f"{path}: {what} {k} is out of range; the table has {n} columns (allowed: -{n} .. {n - 1})")
    return k % n


def _class_labels(path: Path, label_name: str, labels: list[str], lines: list[int]) -> tuple[np.ndarray, list[str]]:
    """Map label strings to ``0..K-1``: numerically when all are numbers, else by sorted text."""
    values = [_parse_number(v) for v in labels]
    for v, text, line in zip(values, labels, lines):
        if v is not None and not math.isfinite(v):
            raise ValueError(
                f"{path}: line {line}, label column {label_name!r}: {text!r} is not a class label "
                "(NaN marks a missing label, inf an overflow); remove or fix the row"
            )
    if all(v is not None for v in values):
        keys = sorted(set(values))
        # 1 and 1.0 are the same class; write integral labels without ".0".
        names = [str(int(k)) if k == int(k) and abs(k) < 2**53 else repr(k) for k in keys]
        index = {k: i for i, k in enumerate(keys)}
        y = np.array([index[v] for v in values], dtype=np.int64)
    else:
        keys = sorted(set(labels))
        names = list(keys)
        index = {k: i for i, k in enumerate(keys)}
        y = np.array([index[v] for v in labels], dtype=np.int64)
    return y, names


def load_csv_dataset(
    path,
    *,
    label_column,
    test_fraction: float = 0.3,
    seed: int = 0,
    feature_columns: Sequence | None = None,
    header: bool = True,
    delimiter: str = ",",
    description: str | None = None,
) -> Dataset:
    """A numeric CSV table the user supplies, as a :class:`Dataset` with features scaled to [0, 1].

    One sample per line; every feature cell a finite decimal number; one
    label column whose values (numbers or text) name the class.  Labels are
    mapped to ``0 .. K-1`` in sorted order -- numerically when every label is
    a number (``0, 1`` or ``1, 2, 3``; ``1`` and ``1.0`` are one class),
    else as text -- and the mapping is recorded in ``Dataset.class_labels``
    (class ``k`` was labelled ``class_labels[k]``).  The split is seeded and
    stratified (:func:`~pycodesign.data.dataset.stratified_split`); features
    are min-max scaled with the training split's minimum and maximum and
    clipped to [0, 1] (:func:`min_max_scale`).  Blank lines are skipped;
    cells are stripped of surrounding spaces; a UTF-8 byte-order mark is
    ignored.

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8 text).
    label_column : str or int
        Header name of the label column, or its 0-based index (negative
        counts from the end; required form when ``header=False``).
    test_fraction : float
        Fraction of each class held out for testing, strictly between 0 and 1.
    seed : int
        Seed of the stratified split.
    feature_columns : sequence of str or int, optional
        The feature columns to use (names or indices), in this order;
        default every column but the label (e.g. drop an ID column by naming
        the others).
    header : bool
        Whether the first non-blank line holds the column names.  Without a
        header, columns are named ``column 0``, ``column 1``, ...
    delimiter : str
        One-character field separator (``","``, ``";"``, ``"\\t"``).
    description : str, optional
        One line on what the samples are; default names the file and its size.

    Returns
    -------
    Dataset
        ``image_size`` is ``None``; ``feature_names``, ``class_labels``,
        ``feature_min`` and ``feature_max`` are set.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        An empty file or no data lines; not UTF-8 text; malformed CSV; a
        line with the wrong number of fields; a missing label or feature
        column (the columns are listed); duplicate or empty column names; a
        non-numeric, empty, NaN or infinite feature value or an empty or NaN
        label (each naming the file, the line, the column and the value);
        fewer than 2 classes, or a class with a single sample (the split
        needs one on each side).
    TypeError
        ``label_column`` or ``feature_columns`` of the wrong type.

    Examples
    --------
    The PIMA Indians diabetes table (header ``Pregnancies, Glucose, ...,
    Outcome``)::

        ds = load_csv_dataset("diabetes.csv", label_column="Outcome", seed=0)
        ds.n_features, ds.class_labels      # (8, ('0', '1'))
    """
    test_fraction = _check_fraction(test_fraction)
    seed = _check_seed(seed)
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"":
        raise ValueError(f"delimiter = {delimiter!r} is not allowed; allowed: one character other than a quote or newline")
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    if description is not None and not isinstance(description, str):
        raise TypeError(f"description must be a str, got {description!r}")
    rows = _read_rows(path, delimiter)
    if not rows:
        raise ValueError(f"{path}: the file holds no values (only separators or blank lines)")
    if header:
        header_line, names = rows[0]
        data = rows[1:]
        for j, name in enumerate(names):
            if not name:
                raise ValueError(f"{path}: line {header_line}: column {j} has an empty name in the header")
        seen: dict[str, int] = {}
        for j, name in enumerate(names):
            if name in seen:
                raise ValueError(
                    f"{path}: line {header_line}: column name {name!r} appears twice (columns {seen[name]} and {j}); "
                    "column names must be unique"
                )
            seen[name] = j
    else:
        if isinstance(label_column, str):
            raise TypeError(f"label_column = {label_column!r}: without a header, name the label column by its 0-based index")
        names = [f"column {j}" for j in range(len(rows[0][1]))]
        data = rows
    if not data:
        raise ValueError(f"{path}: the file has a header line but no data lines")
    n_cols = len(names)
    if n_cols < 2:
        raise ValueError(f"{path}: the table has {n_cols} column; it needs at least one feature and the label")
    for line, cells in data:
        if len(cells) != n_cols:
            raise ValueError(
                f"{path}: line {line} has {len(cells)} fields, expected {n_cols} "
                f"({'as the header' if header else 'as the first line'})"
            )
    label_j = _column_index(path, "label_column", "label column", label_column, names)
    if feature_columns is None:
        feature_js = [j for j in range(n_cols) if j != label_j]
    else:
        if isinstance(feature_columns, (str, bytes)):
            raise TypeError(f"feature_columns must be a sequence of column names or indices, got {feature_columns!r}")
        feature_js = [_column_index(path, "each of feature_columns", "feature column", c, names) for c in feature_columns]
        if not feature_js:
            raise ValueError(f"{path}: feature_columns is empty; name at least one feature column")
        if label_j in feature_js:
            raise ValueError(f"{path}: the label column {names[label_j]!r} cannot also be a feature column")
        if len(set(feature_js)) != len(feature_js):
            raise ValueError(f"{path}: feature_columns names a column twice: {feature_columns!r}")

    x = np.empty((len(data), len(feature_js)), dtype=np.float64)
    labels: list[str] = []
    lines: list[int] = []
    for r, (line, cells) in enumerate(data):
        for c, j in enumerate(feature_js):
            text = cells[j]
            where = f"{path}: line {line}, column {names[j]!r}"
            if not text:
                raise ValueError(f"{where}: empty cell (a missing value); every feature must be a number")
            v = _parse_number(text)
            if v is None:
                raise ValueError(f"{where}: {reprlib.repr(text)} is not a number; features must be numeric")
            if not math.isfinite(v):
                raise ValueError(
                    f"{where}: {text!r} is not a finite number (NaN marks a missing value, inf an overflow); "
                    "remove or impute the row"
                )
            x[r, c] = v
        label = cells[label_j]
        if not label:
            raise ValueError(f"{path}: line {line}, label column {names[label_j]!r}: empty label")
        labels.append(label)
        lines.append(line)
    y, class_names = _class_labels(path, names[label_j], labels, lines)
    if len(class_names) < 2:
        raise ValueError(
            f"{path}: label column {names[label_j]!r} holds a single class {class_names[0]!r} in {len(labels)} "
            "rows; a classifier needs at least 2 classes"
        )
    counts = np.bincount(y, minlength=len(class_names))
    lonely = np.flatnonzero(counts < 2)
    if lonely.size:
        k = int(lonely[0])
        raise ValueError(
            f"{path}: class {class_names[k]!r} of label column {names[label_j]!r} has a single row; every class "
            "needs at least 2 rows so the split can put one in training and one in testing"
        )
    summary = ", ".join(f"{int(n)} {name!r}" for name, n in zip(class_names, counts))
    return _tabular_dataset(
        x, y, n_classes=len(class_names), test_fraction=test_fraction, seed=seed,
        source=(f"CSV {path.name} ({len(data)} rows, {len(feature_js)} features, label column "
                f"{names[label_j]!r}), min-max scaled to [0, 1] on the training split, clipped"),
        description=description if description is not None else (
            f"{path.name}: {len(data)} samples of {len(feature_js)} features, {len(class_names)} classes ({summary})"),
        feature_names=[names[j] for j in feature_js],
        class_labels=class_names,
    )
