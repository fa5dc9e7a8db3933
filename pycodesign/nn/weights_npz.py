"""Bring your own weights: a trained network in an ``.npz`` file, checked before anything runs.

File format
-----------
A numpy ``.npz`` archive (``numpy.savez``) holding, for layers ``k = 1 .. L``:

``Wk``
    The weight matrix of layer ``k``, shape ``(n_inputs_k, n_outputs_k)``:
    one row per input (crossbar wordline), one column per output neuron
    (bitline) -- the orientation of the review's Eq. 4-9 and of
    :class:`~pycodesign.nn.models.DenseNetwork`.
``bk``
    The biases of layer ``k``, shape ``(n_outputs_k,)``.
``relu_max``
    MLPs only: a scalar (0-d array), the upper bound of the hidden ReLU,
    ``min(max(z, 0), relu_max)``.  It is part of the function the network
    computes -- the next crossbar's full-scale input is ``relu_max`` -- so an
    MLP file must hold it, or the loader must be given it.

``L = 1`` is a single-layer perceptron (SLP), ``L = 2`` an MLP with one
hidden layer; the layers chain (``n_outputs_k == n_inputs_{k+1}``), the last
layer has one output per class (at least 2: the prediction is the argmax).
Values must be finite real numbers (stored as integers or floats; read as
float64).  No other keys are allowed, and nothing is unpickled.  Any
framework can write it, e.g. from PyTorch's ``nn.Linear`` (whose ``weight``
is ``outputs x inputs``)::

    np.savez("net.npz", W1=fc1.weight.T.numpy(), b1=fc1.bias.numpy(),
             W2=fc2.weight.T.numpy(), b2=fc2.bias.numpy(), relu_max=4.0)
"""
from __future__ import annotations

import math
import numbers
import os
import re
import zipfile
from pathlib import Path

import numpy as np

from .models import DenseNetwork

__all__ = ["save_network_npz", "load_network_npz", "NETWORK_TYPES", "MAX_ARRAY_ELEMENTS"]

#: Network types by number of layers.
NETWORK_TYPES = {1: "slp", 2: "mlp"}

#: Largest array the loader reads (2**26 values, e.g. an 8192 x 8192 layer);
#: checked from the array header before any data are read.
MAX_ARRAY_ELEMENTS = 2**26

_LAYER_KEY = re.compile(r"^([Wb])([1-9][0-9]*)$")


def _type_name(kind: str) -> str:
    return "an SLP (1 layer: W1, b1)" if kind == "slp" else "an MLP (2 layers: W1, b1, W2, b2, relu_max)"


def _allowed_keys(n_layers: int) -> str:
    keys = [f"{p}{k}" for k in range(1, n_layers + 1) for p in "Wb"]
    if n_layers > 1:
        keys.append("relu_max")
    return ", ".join(keys)


def _positive_bound(where: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} must be a number > 0, got {value!r}")
    f = float(value)
    if not math.isfinite(f) or f <= 0.0:
        raise ValueError(f"{where} = {value!r} is not allowed; allowed: a finite number > 0")
    return f


def save_network_npz(net: DenseNetwork, path) -> Path:
    """Write ``net`` as an ``.npz`` that :func:`load_network_npz` reads back exactly.

    Parameters
    ----------
    net : DenseNetwork
        One layer (SLP) or two (MLP).  An MLP's ``relu_max`` is stored when
        set; without it the file loads only with ``relu_max=`` given.
    path : path-like
        The file to write, exactly this name (no suffix is added).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    if not isinstance(net, DenseNetwork):
        raise TypeError(f"net must be a pycodesign.nn.DenseNetwork, got {type(net).__name__}")
    n_layers = len(net.weights)
    if n_layers not in NETWORK_TYPES:
        raise ValueError(f"net has {n_layers} layers; a weights file holds 1 (SLP) or 2 (MLP)")
    arrays = {}
    for k, (w, b) in enumerate(net.weights, start=1):
        arrays[f"W{k}"] = np.asarray(w, dtype=np.float64)
        arrays[f"b{k}"] = np.asarray(b, dtype=np.float64)
    if n_layers > 1 and net.relu_max is not None:
        arrays["relu_max"] = np.array(_positive_bound("net.relu_max", net.relu_max))
    path = Path(os.fspath(path))
    with open(path, "wb") as fh:  # a file handle: numpy adds no ".npz" suffix
        np.savez(fh, **arrays)
    return path


def _array_headers(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of every array in the archive, read from the headers only."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path}: not an .npz archive (numpy.savez); a weights file holds W1, b1, ... as named arrays"
        ) from None
    headers = {}
    with zf:
        for info in zf.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            try:
                with zf.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
                    else:
                        shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise ValueError(f"{path}: array {key!r} is not a readable .npy array ({exc})") from None
            headers[key] = (tuple(int(d) for d in shape), np.dtype(dtype))
    return headers


def load_network_npz(
    path,
    *,
    expect_type: str | None = None,
    n_inputs: int | None = None,
    n_outputs: int | None = None,
    hidden: int | None = None,
    relu_max: float | None = None,
) -> DenseNetwork:
    """Load a trained SLP or MLP from an ``.npz`` weights file (format in the module doc).

    Everything is checked before a weight is used, and every error names
    the file and the array: the archive itself, missing and extra keys (with
    the list of allowed ones), the numeric type, finiteness, the shapes and
    their chaining, the network type and sizes the caller expects, and the
    MLP's ``relu_max``.

    Parameters
    ----------
    path : path-like
        The ``.npz`` file.
    expect_type : {"slp", "mlp"}, optional
        Refuse a file holding the other type.
    n_inputs, n_outputs : int, optional
        Required input features (``W1`` rows, e.g. the data's
        ``n_features``) and classes (last layer's columns).
    hidden : int, optional
        Required hidden width of an MLP (``W1`` columns).
    relu_max : float, optional
        The MLP's hidden ReLU bound when the file holds none; if the file
        holds one too, both must agree.

    Returns
    -------
    DenseNetwork
        ``weights`` as float64 ``(W, b)`` pairs, ``relu_max`` set for an
        MLP (``None`` for an SLP), ``hyperparameters`` recording the type,
        the layer sizes and the file.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        A file that is not an ``.npz`` of numeric arrays; missing or extra
        keys; non-finite values (the first one's index is named); shapes that
        do not chain; fewer than 2 outputs; a type or size other than
        expected; an MLP without ``relu_max``, or a bad ``relu_max``.
    TypeError
        Arguments of the wrong type.
    """
    if expect_type is not None and expect_type not in NETWORK_TYPES.values():
        raise ValueError(f"expect_type = {expect_type!r} is not allowed; allowed: None, 'slp', 'mlp'")
    for name, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs), ("hidden", hidden)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"{name} = {value!r} is not allowed; allowed: None or an int >= 1")
    if relu_max is not None:
        relu_max = _positive_bound("relu_max", relu_max)
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"weights file not found: {path}")

    headers = _array_headers(path)
    layer_keys = {}
    for key in headers:
        m = _LAYER_KEY.match(key)
        if m:
            layer_keys[key] = (m.group(1), int(m.group(2)))
    n_layers = max((k for _, k in layer_keys.values()), default=0)
    if n_layers == 0:
        raise ValueError(
            f"{path}: holds no layer arrays (found: {', '.join(sorted(headers)) or 'nothing'}); "
            "allowed keys: W1, b1 (SLP) or W1, b1, W2, b2, relu_max (MLP)"
        )
    if n_layers not in NETWORK_TYPES:
        raise ValueError(
            f"{path}: holds {n_layers} layers (up to W{n_layers}); the kit runs 1 layer (SLP: W1, b1) or "
            "2 (MLP: W1, b1, W2, b2, relu_max)"
        )
    kind = NETWORK_TYPES[n_layers]
    required = {f"{p}{k}" for k in range(1, n_layers + 1) for p in "Wb"}
    allowed = required | ({"relu_max"} if n_layers > 1 else set())
    missing = sorted(required - set(headers))
    extra = sorted(set(headers) - allowed)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected {', '.join(extra)}")
        raise ValueError(
            f"{path}: {'; '.join(parts)}; a {n_layers}-layer {kind.upper()} file holds exactly "
            f"{_allowed_keys(n_layers)}"
        )
    for key, (shape, dtype) in headers.items():
        if dtype.kind not in "iuf":
            raise ValueError(
                f"{path}: array {key!r} has dtype {dtype}; allowed: real numbers (integer or floating point)"
            )
        count = math.prod(shape)
        if count > MAX_ARRAY_ELEMENTS:
            raise ValueError(
                f"{path}: array {key!r} of shape {shape} holds {count} values; at most "
                f"MAX_ARRAY_ELEMENTS = {MAX_ARRAY_ELEMENTS}"
            )

    # Shapes, from the headers: nothing large is read before they agree.
    sizes = []
    for k in range(1, n_layers + 1):
        w_shape, b_shape = headers[f"W{k}"][0], headers[f"b{k}"][0]
        if len(w_shape) != 2 or 0 in w_shape:
            raise ValueError(f"{path}: W{k} has shape {w_shape}; allowed: a non-empty 2-D array (inputs, outputs)")
        if b_shape != (w_shape[1],):
            raise ValueError(
                f"{path}: b{k} has shape {b_shape} but W{k} has shape {w_shape}; allowed: b{k} of shape "
                f"({w_shape[1]},), one bias per output"
            )
        if sizes and w_shape[0] != sizes[-1]:
            raise ValueError(
                f"{path}: W{k} has {w_shape[0]} rows (inputs) but W{k - 1} has {sizes[-1]} columns (outputs); "
                f"layers must chain: W{k} of shape ({sizes[-1]}, n)"
            )
        if not sizes:
            sizes.append(w_shape[0])
        sizes.append(w_shape[1])
    layout = " x ".join(map(str, sizes))
    if sizes[-1] < 2:
        raise ValueError(
            f"{path}: W{n_layers} has {sizes[-1]} output; a classifier needs at least 2 (one per class, argmax)"
        )
    if expect_type is not None and kind != expect_type:
        raise ValueError(f"{path}: holds {_type_name(kind)} ({layout}), but {_type_name(expect_type)} is expected")
    if n_inputs is not None and sizes[0] != n_inputs:
        raise ValueError(f"{path}: W1 has {sizes[0]} rows (inputs), but the data have n_inputs = {n_inputs}")
    if n_outputs is not None and sizes[-1] != n_outputs:
        raise ValueError(
            f"{path}: W{n_layers} has {sizes[-1]} columns (outputs), but n_outputs = {n_outputs} classes are expected"
        )
    if hidden is not None:
        if kind != "mlp":
            raise ValueError(f"{path}: hidden = {hidden} is expected, but the file holds an SLP ({layout})")
        if sizes[1] != hidden:
            raise ValueError(f"{path}: W1 has {sizes[1]} columns (hidden units), but hidden = {hidden} is expected")
    if kind == "slp" and relu_max is not None:
        raise ValueError(f"relu_max = {relu_max!r} applies to an MLP, but {path} holds an SLP ({layout})")

    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: np.asarray(npz[key], dtype=np.float64) for key in headers}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: the arrays cannot be read ({exc})") from None
    for key, a in arrays.items():
        bad = ~np.isfinite(a)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            where = f"[{', '.join(map(str, idx))}]" if idx else ""
            raise ValueError(
                f"{path}: {key}{where} = {float(a[idx])!r} is not finite ({int(bad.sum())} non-finite value(s)); "
                "weights must be finite numbers"
            )

    bound = None
    if kind == "mlp":
        if "relu_max" in arrays:
            a = arrays["relu_max"]
            if a.shape != ():
                raise ValueError(f"{path}: relu_max has shape {a.shape}; allowed: a scalar (0-d array) > 0")
            bound = _positive_bound(f"{path}: relu_max", float(a))
            if relu_max is not None and relu_max != bound:
                raise ValueError(
                    f"{path}: relu_max = {bound!r} in the file disagrees with relu_max = {relu_max!r} given; "
                    "give the file's value or none"
                )
        elif relu_max is not None:
            bound = relu_max
        else:
            raise ValueError(
                f"{path}: an MLP file must hold relu_max, the bound of the hidden ReLU (a scalar > 0), or the "
                "loader must be given relu_max=; the hidden layer's function is not defined without it"
            )
    weights = [(arrays[f"W{k}"], arrays[f"b{k}"]) for k in range(1, n_layers + 1)]
    return DenseNetwork(
        weights=weights,
        relu_max=bound,
        hyperparameters={"kind": kind, "layer_sizes": sizes, "relu_max": bound, "weights_file": str(path)},
    )
