"""Tabular data: the embedded breast-cancer set and the user's CSV tables (issue 13, item 3)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from pycodesign.data import Dataset, load_breast_cancer_dataset, load_csv_dataset, min_max_scale, stratified_split
from pycodesign.nn import train_slp

# The first rows of the PIMA Indians diabetes table, in its usual CSV layout.
PIMA_HEADER = "Pregnancies,Glucose,BloodPressure,SkinThickness,Insulin,BMI,DiabetesPedigreeFunction,Age,Outcome"
PIMA_ROWS = [
    "6,148,72,35,0,33.6,0.627,50,1",
    "1,85,66,29,0,26.6,0.351,31,0",
    "8,183,64,0,0,23.3,0.672,32,1",
    "1,89,66,23,94,28.1,0.167,21,0",
    "0,137,40,35,168,43.1,2.288,33,1",
    "5,116,74,0,0,25.6,0.201,30,0",
    "3,78,50,32,88,31,0.248,26,1",
    "10,115,0,0,0,35.3,0.134,29,0",
    "2,197,70,45,543,30.5,0.158,53,1",
    "8,125,96,0,0,0,0.232,54,1",
    "4,110,92,0,0,37.6,0.191,30,0",
    "10,168,74,0,0,38,0.537,34,1",
]


def _write(tmp_path, text, name="table.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def _pima(tmp_path, rows=None, header=PIMA_HEADER):
    lines = ([header] if header is not None else []) + (PIMA_ROWS if rows is None else rows)
    return _write(tmp_path, "\n".join(lines) + "\n", name="diabetes.csv")


# ----------------------------------------------------------------------------
# scaling


def test_min_max_scale_uses_the_training_range_only_and_clips():
    x_train = np.array([[0.0, 5.0, 2.0], [10.0, 5.0, 4.0], [5.0, 5.0, 3.0]])
    x_test = np.array([[-5.0, 7.0, 3.0], [20.0, 5.0, 4.5]])
    tr, te, lo, hi = min_max_scale(x_train, x_test)
    np.testing.assert_array_equal(lo, [0.0, 5.0, 2.0])
    np.testing.assert_array_equal(hi, [10.0, 5.0, 4.0])
    np.testing.assert_allclose(tr, [[0.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.5, 0.0, 0.5]])
    # Test values outside the training range clip; a constant training feature reads 0.
    np.testing.assert_allclose(te, [[0.0, 0.0, 0.5], [1.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"x_test\[1, 0\] = nan is not finite"):
        min_max_scale(x_train, np.array([[1.0, 1.0, 1.0], [np.nan, 1.0, 1.0]]))


# ----------------------------------------------------------------------------
# breast cancer


def test_breast_cancer_is_the_wisconsin_set_scaled_on_the_training_split():
    from sklearn.datasets import load_breast_cancer

    ds = load_breast_cancer_dataset(test_fraction=0.3, seed=3)
    raw = load_breast_cancer()
    assert ds.kind == "tabular" and ds.image_size is None
    assert (ds.n_features, ds.n_classes) == (30, 2) and ds.n_inputs == 30
    assert ds.x_train.shape[0] + ds.x_test.shape[0] == 569
    assert ds.class_labels == ("malignant", "benign") and ds.feature_names[0] == "mean radius"
    # Independent check: redo the split and the scaling here.
    tr, te = stratified_split(raw.target, test_fraction=0.3, seed=3)
    lo, hi = raw.data[tr].min(axis=0), raw.data[tr].max(axis=0)
    np.testing.assert_allclose(ds.x_train, (raw.data[tr] - lo) / (hi - lo), rtol=0, atol=1e-15)
    np.testing.assert_allclose(ds.x_test, np.clip((raw.data[te] - lo) / (hi - lo), 0, 1), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(ds.y_test, raw.target[te])
    np.testing.assert_array_equal(ds.feature_min, lo)
    assert ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    # The test split is clipped, not rescaled: some test values sat outside the training range.
    assert np.any(ds.x_test == 0.0) or np.any(ds.x_test == 1.0)
    d = json.loads(json.dumps(ds.describe()))
    assert d["kind"] == "tabular" and d["class_labels"] == ["malignant", "benign"] and "569 samples" in d["description"]


def test_breast_cancer_is_learnable_and_seeded():
    ds = load_breast_cancer_dataset(seed=0)
    net = train_slp(ds.x_train, ds.y_train, n_classes=2, seed=0, epochs=60)
    assert np.mean(net.predict(ds.x_test) == ds.y_test) >= 0.93
    again = load_breast_cancer_dataset(seed=0)
    np.testing.assert_array_equal(ds.x_test, again.x_test)
    other = load_breast_cancer_dataset(seed=1)
    assert not np.array_equal(ds.y_test, other.y_test) or not np.array_equal(ds.x_test, other.x_test)


def test_breast_cancer_refuses_bad_split_arguments():
    with pytest.raises(ValueError, match="test_fraction must lie strictly between 0 and 1, got 1.0"):
        load_breast_cancer_dataset(test_fraction=1.0)
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        load_breast_cancer_dataset(seed=-1)


# ----------------------------------------------------------------------------
# CSV: good tables


def test_pima_like_csv(tmp_path):
    path = _pima(tmp_path)
    ds = load_csv_dataset(path, label_column="Outcome", test_fraction=0.34, seed=0)
    assert ds.feature_names == tuple(PIMA_HEADER.split(",")[:-1])
    assert ds.class_labels == ("0", "1") and ds.n_classes == 2 and ds.n_features == 8
    assert ds.x_train.shape[0] + ds.x_test.shape[0] == len(PIMA_ROWS)
    assert set(np.unique(ds.y_test)) == {0, 1}  # stratified: both classes in testing
    assert 0.0 <= ds.x_test.min() and ds.x_test.max() <= 1.0
    # The recorded scaling turns the training rows back into the file's numbers.
    table = np.array([[float(v) for v in r.split(",")] for r in PIMA_ROWS])
    raw_train = ds.x_train * (ds.feature_max - ds.feature_min) + ds.feature_min
    rows = {tuple(np.round(r, 9)) for r in table[:, :8]}
    assert all(tuple(np.round(r, 9)) in rows for r in raw_train)
    assert "diabetes.csv" in ds.source and "12 samples of 8 features" in ds.description
    same = load_csv_dataset(path, label_column=-1, test_fraction=0.34, seed=0)
    np.testing.assert_array_equal(same.x_train, ds.x_train)


def test_csv_round_trip_of_the_breast_cancer_set_equals_the_embedded_loader(tmp_path):
    from sklearn.datasets import load_breast_cancer

    raw = load_breast_cancer()
    lines = ["id;" + ";".join(raw.feature_names) + ";diagnosis"]
    for i, (row, label) in enumerate(zip(raw.data, raw.target)):
        lines.append(f"{9000 + i};" + ";".join(repr(float(v)) for v in row) + f";{label}")
    path = _write(tmp_path, "\n".join(lines), name="wdbc.csv")
    ds = load_csv_dataset(path, label_column="diagnosis", feature_columns=list(raw.feature_names),
                          delimiter=";", seed=5)
    ref = load_breast_cancer_dataset(seed=5)
    np.testing.assert_array_equal(ds.x_train, ref.x_train)
    np.testing.assert_array_equal(ds.y_test, ref.y_test)
    assert ds.class_labels == ("0", "1")


def test_csv_text_labels_without_header_bom_blank_lines_and_spaces(tmp_path):
    text = "\ufeff 1.5, 2 , yes\n\n3,4,no\n5, 6,yes\n7,8 ,no\n0.5,1e1,maybe\n2,3,maybe\n"
    path = _write(tmp_path, text)
    ds = load_csv_dataset(path, label_column=2, header=False, test_fraction=0.5, seed=0)
    assert ds.class_labels == ("maybe", "no", "yes") and ds.n_classes == 3
    assert ds.feature_names == ("column 0", "column 1")
    # Spaces, "1e1" and the byte-order mark parse: training rows map back onto the table.
    table = {(1.5, 2.0), (3.0, 4.0), (5.0, 6.0), (7.0, 8.0), (0.5, 10.0), (2.0, 3.0)}
    raw_train = ds.x_train * (ds.feature_max - ds.feature_min) + ds.feature_min
    assert {tuple(np.round(r, 12)) for r in raw_train} <= table and raw_train.shape == (3, 2)
    assert ds.describe()["class_labels"] == ["maybe", "no", "yes"]


def test_csv_numeric_labels_sort_numerically_and_merge_equal_numbers(tmp_path):
    path = _write(tmp_path, "a,label\n1,10\n2,9\n3,10.0\n4,9\n5,-2\n6,-2\n")
    ds = load_csv_dataset(path, label_column="label", test_fraction=0.5, seed=0)
    assert ds.class_labels == ("-2", "9", "10")
    assert ds.n_classes == 3 and ds.x_train.shape[0] == 3


# ----------------------------------------------------------------------------
# CSV: refusals name the file, the line, the column and the value


@pytest.mark.parametrize("text, message", [
    ("", r"table.csv: the file is empty"),
    ("  \n\n", r"table.csv: the file is empty"),
    (",,\n,,\n", r"table.csv: the file holds no values"),
    ("a,b,label\n", r"table.csv: the file has a header line but no data lines"),
    ("a,b,label\n1,2,0\n1,x2,1\n", r"table.csv: line 3, column 'b': 'x2' is not a number; features must be numeric"),
    ("a,b,label\n1,2,0\n1,1_000,1\n", r"line 3, column 'b': '1_000' is not a number"),
    ("a,b,label\n1,2,0\n\n1,nan,1\n", r"table.csv: line 4, column 'b': 'nan' is not a finite number \(NaN marks a missing value"),
    ("a,b,label\n1,2,0\n-inf,2,1\n", r"line 3, column 'a': '-inf' is not a finite number"),
    ("a,b,label\n1,,0\n", r"table.csv: line 2, column 'b': empty cell \(a missing value\)"),
    ("a,b,label\n1,2,0\n1,2\n", r"table.csv: line 3 has 2 fields, expected 3 \(as the header\)"),
    ("a,b,label\n1,2,0\n1,2,NaN\n", r"table.csv: line 3, label column 'label': 'NaN' is not a class label"),
    ("a,b,label\n1,2,yes\n1,2,nan\n", r"line 3, label column 'label': 'nan' is not a class label"),
    ("a,b,label\n1,2,\n", r"table.csv: line 2, label column 'label': empty label"),
    ("a,b,label\n1,2,1\n3,4,1\n5,6,1\n", r"label column 'label' holds a single class '1' in 3 rows; a classifier needs at least 2 classes"),
    ("a,b,label\n1,2,1\n3,4,1\n5,6,0\n", r"class '0' of label column 'label' has a single row"),
    ("a,a,label\n1,2,0\n", r"table.csv: line 1: column name 'a' appears twice \(columns 0 and 1\)"),
    ("a,,label\n1,2,0\n", r"table.csv: line 1: column 1 has an empty name"),
    ('a,b,label\n1,"2,0\n', r"table.csv: line \d+: malformed CSV"),
])
def test_csv_refusals(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=message):
        load_csv_dataset(path, label_column="label")


def test_csv_missing_label_column_lists_the_columns(tmp_path):
    path = _pima(tmp_path)
    with pytest.raises(ValueError, match=r"diabetes.csv: label column 'outcome' not found; columns in the header: "
                                         r"'Pregnancies', 'Glucose', .* 'Outcome'"):
        load_csv_dataset(path, label_column="outcome")
    with pytest.raises(ValueError, match=r"label column 9 is out of range; the table has 9 columns \(allowed: -9 .. 8\)"):
        load_csv_dataset(path, label_column=9)
    with pytest.raises(ValueError, match=r"feature column 'Weight' not found"):
        load_csv_dataset(path, label_column="Outcome", feature_columns=["Glucose", "Weight"])
    with pytest.raises(ValueError, match=r"label column 'Outcome' cannot also be a feature column"):
        load_csv_dataset(path, label_column="Outcome", feature_columns=["Glucose", "Outcome"])
    with pytest.raises(TypeError, match=r"label_column must be a column name \(str\) or a 0-based column index"):
        load_csv_dataset(path, label_column=1.5)
    with pytest.raises(TypeError, match=r"without a header, name the label column by its 0-based index"):
        load_csv_dataset(path, label_column="Outcome", header=False)


def test_csv_refuses_missing_and_non_text_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"CSV file not found: .*nope.csv"):
        load_csv_dataset(tmp_path / "nope.csv", label_column="y")
    path = _write(tmp_path, b"a,b,y\n1,2,\xff\xfe\n")
    with pytest.raises(ValueError, match=r"table.csv: not UTF-8 text \(byte 0xff at offset 10\)"):
        load_csv_dataset(path, label_column="y")
    path = _write(tmp_path, "a,b,y\n1,2,0\n", encoding="utf-16")
    with pytest.raises(ValueError, match=r"not UTF-8 text|NUL characters"):
        load_csv_dataset(path, label_column="y")
    with pytest.raises(ValueError, match=r"delimiter = '::' is not allowed"):
        load_csv_dataset(_pima(tmp_path), label_column="Outcome", delimiter="::")


# ----------------------------------------------------------------------------
# the Dataset contract


def test_dataset_checks_what_a_flow_relies_on():
    x = np.full((4, 3), 0.5)
    y = np.array([0, 1, 0, 1])
    ok = Dataset(x_train=x, y_train=y, x_test=x, y_test=y, image_size=None, source="t", n_classes=2)
    assert ok.n_features == 3 and ok.kind == "tabular"
    with pytest.raises(ValueError, match=r"x_test\[0, 1\] = 1.5 is outside \[0, 1\]"):
        bad = x.copy()
        bad[0, 1] = 1.5
        Dataset(x_train=x, y_train=y, x_test=bad, y_test=y, image_size=None, source="t", n_classes=2)
    with pytest.raises(ValueError, match=r"x_train\[2, 0\] = nan is outside \[0, 1\]"):
        bad = x.copy()
        bad[2, 0] = np.nan
        Dataset(x_train=bad, y_train=y, x_test=x, y_test=y, image_size=None, source="t", n_classes=2)
    with pytest.raises(ValueError, match=r"y_train\[1\] = 1 is outside the classes 0..0|n_classes = 1 is not allowed"):
        Dataset(x_train=x, y_train=y, x_test=x, y_test=y, image_size=None, source="t", n_classes=1)
    with pytest.raises(ValueError, match=r"image_size = 2 needs 2\*\*2 = 4 features, but the arrays have 3"):
        Dataset(x_train=x, y_train=y, x_test=x, y_test=y, image_size=2, source="t", n_classes=2)
    with pytest.raises(ValueError, match=r"class_labels has 3 entries, expected 2"):
        Dataset(x_train=x, y_train=y, x_test=x, y_test=y, image_size=None, source="t", n_classes=2,
                class_labels=("a", "b", "c"))
    with pytest.raises(ValueError, match=r"x_test has 2 features but x_train has 3"):
        Dataset(x_train=x, y_train=y, x_test=x[:, :2], y_test=y, image_size=None, source="t", n_classes=2)
