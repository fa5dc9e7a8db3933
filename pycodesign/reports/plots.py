"""Plot helpers: headless (Agg) matplotlib in the kit's style (:mod:`pycodesign.reports.style`)."""
from __future__ import annotations

from pathlib import Path

from . import style

style.apply()
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["new_figure", "save_figure", "plt"]


def new_figure(ncols: int = 1, nrows: int = 1, *, width_in: float | None = None, height_in: float | None = None,
               **kw):
    """A figure of ``nrows × ncols`` panels sized by the style (``axes`` always 2-D)."""
    style.apply()
    w = width_in if width_in is not None else (style.COLUMN_IN if ncols == 1 else style.DOUBLE_IN)
    h = height_in if height_in is not None else style.HEIGHT_IN
    kw.setdefault("layout", "constrained")  # fixed pixel size (figsize x DPI), nothing clipped
    fig, axes = plt.subplots(nrows, ncols, figsize=(w * ncols, h * nrows), squeeze=False, **kw)
    return fig, axes


def save_figure(fig, path: str | Path) -> Path:
    """Save as PNG at the style's resolution and close the figure."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=style.DPI)
    plt.close(fig)
    return p
