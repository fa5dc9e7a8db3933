"""ngspice raw files (binary or ASCII) read at full double precision."""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

__all__ = ["read_raw", "norm_name"]


def norm_name(name: str) -> str:
    name = name.strip().lower()
    # Raw files wrap device quantities as "v(@n1[x])"; the in-process API
    # calls the same vector "@n1[x]".  Use the latter everywhere.
    m = re.fullmatch(r"[vi]\((@.+)\)", name)
    return m.group(1) if m else name


def read_raw(path: str | os.PathLike) -> list[dict[str, np.ndarray]]:
    """Parse an ngspice raw file (binary or ASCII); one dict per plot.

    Raises
    ------
    ValueError
        The file is truncated or malformed (e.g. ngspice was killed while
        writing it); the message names the file.
    """
    try:
        return _read_raw(Path(path).read_bytes())
    except (ValueError, IndexError, TypeError) as exc:
        raise ValueError(f"raw file {path} is truncated or malformed ({type(exc).__name__}: {exc})") from None


def _read_raw(data: bytes) -> list[dict[str, np.ndarray]]:
    plots: list[dict[str, np.ndarray]] = []
    pos = 0
    while pos < len(data):
        # header: text lines up to "Binary:" or "Values:"
        names: list[str] = []
        n_vars = n_points = 0
        complex_data = False
        while True:
            end = data.index(b"\n", pos)
            line = data[pos:end].decode("latin-1")
            pos = end + 1
            key, _, val = line.partition(":")
            k = key.strip().lower()
            if k == "flags":
                complex_data = "complex" in val.lower()
            elif k == "no. variables":
                n_vars = int(val)
            elif k == "no. points":
                n_points = int(val)
            elif k == "variables":
                for _ in range(n_vars):
                    end = data.index(b"\n", pos)
                    parts = data[pos:end].decode("latin-1").split()
                    pos = end + 1
                    names.append(norm_name(parts[1]))
            elif k in ("binary", "values"):
                binary = k == "binary"
                break
        if binary:
            width = 2 if complex_data else 1
            count = n_points * n_vars * width
            arr = np.frombuffer(data, dtype="<f8", count=count, offset=pos)
            pos += count * 8
            arr = arr.reshape(n_points, n_vars * width)
            if complex_data:
                arr = arr[:, 0::2] + 1j * arr[:, 1::2]
        else:
            rows = []
            tokens = data[pos:].decode("latin-1").split()
            t = 0
            for _ in range(n_points):
                t += 1  # point index
                row = []
                for _ in range(n_vars):
                    tok = tokens[t]
                    t += 1
                    if complex_data:
                        re_, im_ = tok.split(",")
                        row.append(complex(float(re_), float(im_)))
                    else:
                        row.append(float(tok))
                rows.append(row)
            arr = np.array(rows).reshape(n_points, n_vars)
            pos = len(data)
        plot = {}
        for j, name in enumerate(names):
            col = np.array(arr[:, j])
            plot[name] = col
            m = re.fullmatch(r"(.+)#branch", name)
            if m:
                plot[f"i({m.group(1)})"] = col
        plots.append(plot)
        while pos < len(data) and data[pos : pos + 1] in (b"\n", b"\r"):
            pos += 1
    return plots
