"""Bring your own weights: ``.npz`` networks, saved, loaded and refused with clear errors."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from pycodesign.nn import DenseNetwork, load_network_npz, save_network_npz, train_mlp, train_slp
from pycodesign.nn.weights_npz import MAX_ARRAY_ELEMENTS


def _rng_layers(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return {**{f"W{k}": rng.normal(size=(a, b)) for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), 1)},
            **{f"b{k}": rng.normal(size=b) for k, b in enumerate(sizes[1:], 1)}}


def _npz(tmp_path, name="net.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    x = rng.random((120, 6))
    y = (x[:, 0] + x[:, 1] > x[:, 2] + 0.5).astype(np.int64) + (x[:, 3] > 0.7)
    return x, y


# ----------------------------------------------------------------------------
# round trips


def test_slp_round_trip_predicts_identically(tmp_path, data):
    x, y = data
    net = train_slp(x, y, n_classes=3, epochs=5, seed=0)
    path = save_network_npz(net, tmp_path / "slp.weights")  # no suffix added
    assert path == tmp_path / "slp.weights" and path.is_file()
    with np.load(path) as npz:
        assert sorted(npz.files) == ["W1", "b1"]
    back = load_network_npz(path, expect_type="slp", n_inputs=6, n_outputs=3)
    assert back.relu_max is None and back.layer_sizes == [6, 3]
    np.testing.assert_array_equal(back.weights[0][0], net.weights[0][0])
    np.testing.assert_array_equal(back.predict_logits(x), net.predict_logits(x))
    assert back.hyperparameters["kind"] == "slp" and back.hyperparameters["weights_file"] == str(path)


def test_mlp_round_trip_keeps_relu_max(tmp_path, data):
    x, y = data
    net = train_mlp(x, y, n_classes=3, hidden=5, epochs=5, seed=0, relu_max=2.5)
    path = save_network_npz(net, tmp_path / "mlp.npz")
    with np.load(path) as npz:
        assert sorted(npz.files) == ["W1", "W2", "b1", "b2", "relu_max"] and npz["relu_max"].shape == ()
    back = load_network_npz(path, expect_type="mlp", n_inputs=6, n_outputs=3, hidden=5)
    assert back.relu_max == 2.5 and back.layer_sizes == [6, 5, 3]
    np.testing.assert_array_equal(back.predict_logits(x), net.predict_logits(x))


def test_a_file_written_by_other_tools_loads(tmp_path):
    # As from PyTorch nn.Linear: weight is outputs x inputs, so the file holds its transpose;
    # integer arrays and a Python-float relu_max are fine.
    fc1 = np.arange(12, dtype=np.int32).reshape(4, 3) - 6  # 3 inputs -> 4 hidden
    fc2 = np.ones((2, 4), dtype=np.float32)
    path = _npz(tmp_path, W1=fc1.T, b1=np.zeros(4, dtype=np.int64), W2=fc2.T, b2=np.array([0.5, -0.5]), relu_max=4.0)
    net = load_network_npz(path)
    assert net.layer_sizes == [3, 4, 2] and net.weights[0][0].dtype == np.float64
    x = np.array([[1.0, 0.0, 0.5]])
    h = np.clip(x @ fc1.T, 0, 4.0)
    np.testing.assert_allclose(net.predict_logits(x), h @ fc2.T + [0.5, -0.5])


def test_mlp_without_relu_max_needs_it_given(tmp_path):
    layers = _rng_layers([4, 3, 2])
    path = _npz(tmp_path, **layers)
    with pytest.raises(ValueError, match=r"net.npz: an MLP file must hold relu_max, the bound of the hidden ReLU"):
        load_network_npz(path)
    assert load_network_npz(path, relu_max=3.0).relu_max == 3.0
    both = _npz(tmp_path, "both.npz", **layers, relu_max=2.0)
    assert load_network_npz(both, relu_max=2.0).relu_max == 2.0
    with pytest.raises(ValueError, match=r"both.npz: relu_max = 2.0 in the file disagrees with relu_max = 3.0 given"):
        load_network_npz(both, relu_max=3.0)
    # Saving an MLP trained without a bound writes no relu_max; loading then asks for it.
    net = DenseNetwork(weights=[(layers["W1"], layers["b1"]), (layers["W2"], layers["b2"])])
    saved = save_network_npz(net, tmp_path / "unbounded.npz")
    with pytest.raises(ValueError, match="must hold relu_max"):
        load_network_npz(saved)


# ----------------------------------------------------------------------------
# refusals name the file and the array


@pytest.mark.parametrize("arrays, message", [
    ({}, r"net.npz: holds no layer arrays \(found: nothing\); allowed keys: W1, b1 \(SLP\)"),
    ({"weights": np.ones((2, 2))}, r"holds no layer arrays \(found: weights\)"),
    ({"W1": np.ones((3, 2))}, r"net.npz: missing b1; a 1-layer SLP file holds exactly W1, b1$"),
    ({"W1": np.ones((3, 2)), "b1": np.ones(2), "bias": np.ones(2)},
     r"net.npz: unexpected bias; a 1-layer SLP file holds exactly W1, b1$"),
    ({"W1": np.ones((3, 2)), "b1": np.ones(2), "relu_max": np.array(1.0)},
     r"unexpected relu_max; a 1-layer SLP file holds exactly W1, b1"),
    ({"W1": np.ones((3, 4)), "b1": np.ones(4), "W2": np.ones((4, 2)), "relu_max": np.array(1.0)},
     r"net.npz: missing b2; a 2-layer MLP file holds exactly W1, b1, W2, b2, relu_max"),
    ({"W1": np.ones((3, 4)), "b1": np.ones(4), "W3": np.ones((4, 2)), "b3": np.ones(2)},
     r"net.npz: holds 3 layers \(up to W3\); the kit runs 1 layer \(SLP: W1, b1\) or 2"),
    ({"W1": np.ones((3, 2)), "b1": np.ones(3)},
     r"net.npz: b1 has shape \(3,\) but W1 has shape \(3, 2\); allowed: b1 of shape \(2,\)"),
    ({"W1": np.ones(6), "b1": np.ones(2)}, r"net.npz: W1 has shape \(6,\); allowed: a non-empty 2-D array"),
    ({"W1": np.ones((0, 2)), "b1": np.ones(2)}, r"W1 has shape \(0, 2\); allowed: a non-empty 2-D array"),
    ({"W1": np.ones((3, 4)), "b1": np.ones(4), "W2": np.ones((5, 2)), "b2": np.ones(2), "relu_max": np.array(1.0)},
     r"net.npz: W2 has 5 rows \(inputs\) but W1 has 4 columns \(outputs\); layers must chain: W2 of shape \(4, n\)"),
    ({"W1": np.ones((3, 1)), "b1": np.ones(1)}, r"W1 has 1 output; a classifier needs at least 2"),
    ({"W1": np.array([[1.0, np.nan], [0.0, 1.0]]), "b1": np.ones(2)},
     r"net.npz: W1\[0, 1\] = nan is not finite \(1 non-finite value\(s\)\)"),
    ({"W1": np.ones((2, 2)), "b1": np.array([0.0, -np.inf])}, r"net.npz: b1\[1\] = -inf is not finite"),
    ({"W1": np.ones((2, 2)), "b1": np.array([1 + 2j, 0])}, r"net.npz: array 'b1' has dtype complex128; allowed: real numbers"),
    ({"W1": np.ones((2, 2), dtype=bool), "b1": np.ones(2)}, r"array 'W1' has dtype bool; allowed: real numbers"),
    ({"W1": np.ones((3, 4)), "b1": np.ones(4), "W2": np.ones((4, 2)), "b2": np.ones(2), "relu_max": np.array([1.0])},
     r"net.npz: relu_max has shape \(1,\); allowed: a scalar \(0-d array\) > 0"),
    ({"W1": np.ones((3, 4)), "b1": np.ones(4), "W2": np.ones((4, 2)), "b2": np.ones(2), "relu_max": np.array(-1.0)},
     r"net.npz: relu_max = -1.0 is not allowed; allowed: a finite number > 0"),
    ({"W1": np.ones((3, 4)), "b1": np.ones(4), "W2": np.ones((4, 2)), "b2": np.ones(2), "relu_max": np.array(np.inf)},
     r"net.npz: relu_max = inf is not finite"),
])
def test_bad_files_are_refused(tmp_path, arrays, message):
    path = _npz(tmp_path, **arrays)
    with pytest.raises(ValueError, match=message):
        load_network_npz(path)


def test_expected_type_and_sizes(tmp_path):
    slp = _npz(tmp_path, "slp.npz", **_rng_layers([64, 10]))
    mlp = _npz(tmp_path, "mlp.npz", **_rng_layers([64, 32, 10]), relu_max=4.0)
    with pytest.raises(ValueError, match=r"slp.npz: holds an SLP \(1 layer: W1, b1\) \(64 x 10\), but an MLP .* is expected"):
        load_network_npz(slp, expect_type="mlp")
    with pytest.raises(ValueError, match=r"mlp.npz: holds an MLP .* \(64 x 32 x 10\), but an SLP .* is expected"):
        load_network_npz(mlp, expect_type="slp")
    with pytest.raises(ValueError, match=r"slp.npz: W1 has 64 rows \(inputs\), but the data have n_inputs = 65"):
        load_network_npz(slp, n_inputs=65)
    with pytest.raises(ValueError, match=r"mlp.npz: W2 has 10 columns \(outputs\), but n_outputs = 2 classes"):
        load_network_npz(mlp, n_outputs=2)
    with pytest.raises(ValueError, match=r"mlp.npz: W1 has 32 columns \(hidden units\), but hidden = 16"):
        load_network_npz(mlp, hidden=16)
    with pytest.raises(ValueError, match=r"slp.npz: hidden = 16 is expected, but the file holds an SLP"):
        load_network_npz(slp, hidden=16)
    with pytest.raises(ValueError, match=r"relu_max = 4.0 applies to an MLP, but .*slp.npz holds an SLP"):
        load_network_npz(slp, relu_max=4.0)
    with pytest.raises(ValueError, match=r"expect_type = 'cnn' is not allowed; allowed: None, 'slp', 'mlp'"):
        load_network_npz(slp, expect_type="cnn")
    with pytest.raises(ValueError, match=r"n_inputs = 0 is not allowed"):
        load_network_npz(slp, n_inputs=0)


def test_files_that_are_not_weight_archives(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"weights file not found: .*none.npz"):
        load_network_npz(tmp_path / "none.npz")
    npy = tmp_path / "w.npy"
    np.save(npy, np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"w.npy: not an .npz archive \(numpy.savez\)"):
        load_network_npz(npy)
    text = tmp_path / "w.npz"
    text.write_text("W1,b1\n1,2\n")
    with pytest.raises(ValueError, match=r"w.npz: not an .npz archive"):
        load_network_npz(text)
    # An object array would need unpickling: refused from its header, nothing is unpickled.
    obj = _npz(tmp_path, "obj.npz", W1=np.array([[{"a": 1}, None]], dtype=object), b1=np.ones(2))
    with pytest.raises(ValueError, match=r"obj.npz: array 'W1' has dtype object; allowed: real numbers"):
        load_network_npz(obj)
    # A member that is not an .npy array.
    odd = tmp_path / "odd.npz"
    with zipfile.ZipFile(odd, "w") as zf:
        zf.writestr("W1.npy", b"not an array")
    with pytest.raises(ValueError, match=r"odd.npz: array 'W1' is not a readable .npy array"):
        load_network_npz(odd)


def test_huge_arrays_are_refused_from_their_header(tmp_path):
    # A header claiming 2**27 values with no data behind it: refused before any read or allocation.
    path = tmp_path / "huge.npz"
    header = {"descr": "<f8", "fortran_order": False, "shape": (2**14, 2**13)}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("W1.npy", buf.getvalue())
        zf.writestr("b1.npy", _npy_bytes(np.ones(2**13)))
    assert 2**27 > MAX_ARRAY_ELEMENTS
    with pytest.raises(ValueError, match=r"huge.npz: array 'W1' of shape \(16384, 8192\) holds 134217728 values; "
                                         r"at most MAX_ARRAY_ELEMENTS = 67108864"):
        load_network_npz(path)


def _npy_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def test_save_refuses_what_it_cannot_write(tmp_path):
    with pytest.raises(TypeError, match="net must be a pycodesign.nn.DenseNetwork, got dict"):
        save_network_npz({"W1": 1}, tmp_path / "x.npz")
    deep = DenseNetwork(weights=[(np.ones((2, 2)), np.ones(2))] * 3, relu_max=1.0)
    with pytest.raises(ValueError, match="net has 3 layers; a weights file holds 1 \\(SLP\\) or 2 \\(MLP\\)"):
        save_network_npz(deep, tmp_path / "x.npz")
