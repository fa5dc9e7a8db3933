"""Plot helpers: headless (Agg) matplotlib, consistent size and labelling."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on servers and CI
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["new_figure", "save_figure", "plt"]


def new_figure(ncols: int = 1, nrows: int = 1, *, width_in: float = 6.0, height_in: float = 4.2, **kw):
    fig, axes = plt.subplots(nrows, ncols, figsize=(width_in * ncols, height_in * nrows), squeeze=False, **kw)
    return fig, axes


def save_figure(fig, path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p
