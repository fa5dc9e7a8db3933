"""Data loading: scikit-learn digits, IDX (MNIST) files, bicubic resizing, split."""
from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from PIL import Image

from pycodesign.data import (
    Dataset,
    bicubic_weights,
    load_digits_dataset,
    load_mnist_idx,
    read_idx,
    resize_bicubic,
    stratified_split,
)


# ----------------------------------------------------------------------------
# helpers: write IDX files by hand (independent of the reader)


def _idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    dt = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[type_code]
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=dt).tobytes()


def _strokes(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-like 28x28 uint8 images: a bright bar on black, 4-pixel empty border."""
    rng = np.random.default_rng(seed)
    imgs = np.zeros((n, 28, 28), dtype=np.uint8)
    labels = np.arange(n, dtype=np.uint8) % 10
    for k in range(n):
        r0, c0 = rng.integers(4, 14, size=2)
        imgs[k, r0:r0 + 10, c0:c0 + 3] = 255
        imgs[k, 6:22, 6:22] = np.maximum(imgs[k, 6:22, 6:22], rng.integers(0, 120, size=(16, 16)).astype(np.uint8))
    return imgs, labels


def _pil_resize(img: np.ndarray, n: int) -> np.ndarray:
    """Pillow's BICUBIC (Keys a=-0.5, anti-aliased): an independent reference."""
    return np.asarray(Image.fromarray(img.astype(np.float32), mode="F").resize((n, n), Image.BICUBIC), dtype=np.float64)


# ----------------------------------------------------------------------------
# scikit-learn digits


def test_digits_dataset_scaled_and_complete():
    from sklearn.datasets import load_digits

    ds = load_digits_dataset()
    assert isinstance(ds, Dataset)
    assert ds.image_size == 8 and ds.n_inputs == 64
    assert ds.x_train.shape[1] == ds.x_test.shape[1] == 64
    assert ds.x_train.shape[0] + ds.x_test.shape[0] == 1797
    assert ds.x_train.dtype == np.float64 and ds.y_train.dtype == np.int64
    x = np.vstack([ds.x_train, ds.x_test])
    assert x.min() == 0.0 and x.max() == 1.0
    # Every pixel is an original 0..16 grey level divided by 16.
    np.testing.assert_array_equal(x * 16, np.round(x * 16))
    # The split is a partition of the original images (compare as sorted rows).
    ref = load_digits()
    got = np.hstack([x * 16, np.concatenate([ds.y_train, ds.y_test])[:, None]])
    want = np.hstack([ref.data, ref.target[:, None]])
    np.testing.assert_array_equal(got[np.lexsort(got.T[::-1])], want[np.lexsort(want.T[::-1])])
    assert "digits" in ds.source
    assert ds.describe()["n_test"] == ds.x_test.shape[0]
    # What a flow reads of any data set, images or tables.
    assert ds.kind == "image" and ds.n_features == 64 and ds.n_classes == 10
    assert ds.describe()["description"] == "handwritten digits 0-9, 1797 grey-level images of 8x8 pixels"
    assert ds.class_labels is None and ds.feature_min is None


def test_digits_split_is_seeded_and_stratified():
    a = load_digits_dataset(seed=3, test_fraction=0.3)
    b = load_digits_dataset(seed=3, test_fraction=0.3)
    c = load_digits_dataset(seed=4, test_fraction=0.3)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.x_test, c.x_test)
    all_y = np.concatenate([a.y_train, a.y_test])
    for cls in range(10):
        n_c = int(np.sum(all_y == cls))
        assert int(np.sum(a.y_test == cls)) == round(0.3 * n_c)


def test_stratified_split_partition_and_small_classes():
    y = np.array([0] * 10 + [1] * 5 + [2] * 2 + [3])
    tr, te = stratified_split(y, test_fraction=0.2, seed=0)
    assert np.intersect1d(tr, te).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([tr, te])), np.arange(y.size))
    assert [int(np.sum(y[te] == c)) for c in range(4)] == [2, 1, 1, 0]
    with pytest.raises(ValueError, match="test_fraction"):
        stratified_split(y, test_fraction=1.0)
    with pytest.raises(ValueError, match="seed"):
        stratified_split(y, seed=-1)


def test_digits_resized_to_other_size():
    ds = load_digits_dataset(image_size=4)
    assert ds.x_train.shape[1] == 16
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0
    assert "4x4" in ds.source
    with pytest.raises(ValueError, match="image_size"):
        load_digits_dataset(image_size=0)


# ----------------------------------------------------------------------------
# bicubic resizing


def test_resize_matches_pillow_bicubic_in_the_interior():
    rng = np.random.default_rng(1)
    img = rng.random((28, 28))
    ours = resize_bicubic(img, 8, clip=False)
    ref = _pil_resize(img, 8)
    # Outputs 2..5 have their whole (stretched) kernel inside the image; at the
    # border Pillow truncates the kernel where we mirror (as MATLAB does).
    np.testing.assert_allclose(ours[2:6, 2:6], ref[2:6, 2:6], atol=1e-6)
    up = resize_bicubic(img[:8, :8], 20, clip=False)
    np.testing.assert_allclose(up[4:-4, 4:-4], _pil_resize(img[:8, :8], 20)[4:-4, 4:-4], atol=1e-6)


def test_resize_preserves_constants_and_identity():
    a = bicubic_weights(28, 8)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(resize_bicubic(np.full((3, 28, 28), 0.37), 8), 0.37, atol=1e-12)
    img = np.random.default_rng(2).random((8, 8))
    np.testing.assert_array_equal(resize_bicubic(img, 8), img)


def test_resize_overshoot_is_clipped():
    img = np.zeros((28, 28))
    img[:, 14:] = 1.0  # a sharp edge: cubic convolution rings past [0, 1]
    raw = resize_bicubic(img, 10, clip=False)
    assert raw.max() > 1.0 and raw.min() < 0.0
    clipped = resize_bicubic(img, 10)
    assert clipped.max() == 1.0 and clipped.min() == 0.0


# ----------------------------------------------------------------------------
# IDX files


@pytest.fixture()
def idx_files(tmp_path):
    imgs, labels = _strokes(30)
    plain_img = tmp_path / "train-images.gz"  # plain despite the suffix
    plain_lbl = tmp_path / "train-labels"
    gz_img = tmp_path / "train-images.idx3-ubyte"  # gzip despite the suffix
    gz_lbl = tmp_path / "train-labels.idx1-ubyte"
    plain_img.write_bytes(_idx_bytes(imgs))
    plain_lbl.write_bytes(_idx_bytes(labels))
    gz_img.write_bytes(gzip.compress(_idx_bytes(imgs)))
    gz_lbl.write_bytes(gzip.compress(_idx_bytes(labels)))
    return imgs, labels, (plain_img, plain_lbl), (gz_img, gz_lbl)


def test_read_idx_plain_and_gzip(idx_files):
    imgs, labels, plain, gz = idx_files
    np.testing.assert_array_equal(read_idx(plain[0]), imgs)
    np.testing.assert_array_equal(read_idx(gz[0]), imgs)
    np.testing.assert_array_equal(read_idx(gz[1]), labels)
    assert plain[0].read_bytes()[:4] == b"\x00\x00\x08\x03"
    assert plain[1].read_bytes()[:4] == b"\x00\x00\x08\x01"


@pytest.mark.parametrize("code", [0x09, 0x0B, 0x0C, 0x0D, 0x0E])
def test_read_idx_other_types(tmp_path, code):
    a = (np.arange(24).reshape(2, 3, 4) - 5).astype(np.float64)
    p = tmp_path / f"t{code}.idx"
    p.write_bytes(_idx_bytes(a, code))
    np.testing.assert_array_equal(read_idx(p), a)


def test_load_mnist_idx_pipeline(idx_files):
    imgs, labels, plain, gz = idx_files
    ds = load_mnist_idx(*plain, image_size=8, test_images_path=gz[0], test_labels_path=gz[1])
    assert ds.x_train.shape == (30, 64) and ds.x_test.shape == (30, 64)
    np.testing.assert_array_equal(ds.y_train, labels)
    np.testing.assert_array_equal(ds.x_train, ds.x_test)  # same content, plain vs gzip
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0
    # Bytes / 255, then bicubic: compare with Pillow where its kernel fits the image.
    for k in range(3):
        ref = np.clip(_pil_resize(imgs[k] / 255.0, 8), 0, 1)
        np.testing.assert_allclose(ds.x_train[k].reshape(8, 8)[2:6, 2:6], ref[2:6, 2:6], atol=1e-6)
    assert ds.test_fraction is None and "IDX" in ds.source
    assert ds.kind == "image" and ds.n_features == 64
    assert ds.description == "60 IDX (MNIST-style) images of 10 classes, 8x8 pixels"


def test_load_mnist_idx_split_and_limits(idx_files):
    _, labels, plain, _ = idx_files
    ds = load_mnist_idx(*plain, image_size=7, test_fraction=0.3, seed=1)
    assert ds.x_train.shape[1] == 49
    assert ds.x_train.shape[0] + ds.x_test.shape[0] == 30
    assert sorted(np.concatenate([ds.y_train, ds.y_test]).tolist()) == sorted(labels.tolist())
    again = load_mnist_idx(*plain, image_size=7, test_fraction=0.3, seed=1)
    np.testing.assert_array_equal(ds.x_test, again.x_test)
    few = load_mnist_idx(*plain, max_samples=20, test_fraction=0.5)
    assert few.x_train.shape[0] + few.x_test.shape[0] == 20


def test_load_mnist_full_scale_pixels(tmp_path):
    imgs = np.zeros((2, 28, 28), np.uint8)
    imgs[1] = 255
    (tmp_path / "i").write_bytes(_idx_bytes(imgs))
    (tmp_path / "l").write_bytes(_idx_bytes(np.array([3, 7], np.uint8)))
    ds = load_mnist_idx(tmp_path / "i", tmp_path / "l", test_images_path=tmp_path / "i", test_labels_path=tmp_path / "l")
    np.testing.assert_allclose(ds.x_train[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.x_train[1], 1.0, atol=1e-12)


def test_idx_errors_name_the_file(tmp_path, idx_files):
    imgs, labels, plain, _ = idx_files
    bad_magic = tmp_path / "bad_magic"
    bad_magic.write_bytes(b"\x12\x34\x08\x03" + plain[0].read_bytes()[4:])
    with pytest.raises(ValueError, match=r"bad_magic.*magic number 0x12340803"):
        read_idx(bad_magic)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(plain[0].read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"truncated.*declares shape \(30, 28, 28\)"):
        read_idx(truncated)
    short = tmp_path / "short"
    short.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="short.*too short"):
        read_idx(short)
    broken_gz = tmp_path / "broken.gz"
    broken_gz.write_bytes(gzip.compress(_idx_bytes(imgs))[:40])
    with pytest.raises(ValueError, match="broken.gz.*gzip"):
        read_idx(broken_gz)
    with pytest.raises(FileNotFoundError, match="nope"):
        read_idx(tmp_path / "nope")

    few_labels = tmp_path / "few_labels"
    few_labels.write_bytes(_idx_bytes(labels[:20]))
    with pytest.raises(ValueError, match=r"30 images.*few_labels holds 20 labels"):
        load_mnist_idx(plain[0], few_labels)
    label_11 = tmp_path / "label_11"
    bad = labels.copy()
    bad[4] = 11
    label_11.write_bytes(_idx_bytes(bad))
    with pytest.raises(ValueError, match=r"label_11: label 11 at index 4 is outside 0..9"):
        load_mnist_idx(plain[0], label_11)
    with pytest.raises(ValueError, match=r"train-labels: image file must be 3-D"):
        load_mnist_idx(plain[1], plain[1])
    with pytest.raises(ValueError, match=r"label file must be 1-D"):
        load_mnist_idx(plain[0], plain[0])
    with pytest.raises(ValueError, match="test_images_path"):
        load_mnist_idx(*plain, test_images_path=plain[0])
