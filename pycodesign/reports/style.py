"""One plot style for every flow: sizes, fonts, colours, resolution.

Figures are sized for a journal column or a slide (``COLUMN_IN`` wide, or
``DOUBLE_IN`` for side-by-side panels), saved at ``DPI`` so a PNG opened at
100 % is legible, with units on every axis and the run's conditions in a
caption line (:func:`caption`).  Engines and datasets keep one colour each
across every plot of the kit (:data:`COLORS`).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no screen on servers and CI

__all__ = ["COLUMN_IN", "DOUBLE_IN", "HEIGHT_IN", "DPI", "COLORS", "RC", "apply", "color_for", "caption"]

#: Width of a one-panel figure (inches): a journal double-column figure reads well at this size.
COLUMN_IN = 6.4
#: Width per panel when panels sit side by side.
DOUBLE_IN = 4.6
#: Height of one panel row.
HEIGHT_IN = 4.4
#: Resolution of saved PNGs: 6.4 in x 150 dpi = 960 px.
DPI = 150

#: One colour per engine / series across all plots (colour-blind-safe Okabe-Ito palette).
COLORS = {
    "software": "#000000",
    "fast solver": "#0072B2",
    "solver": "#0072B2",
    "ngspice": "#D55E00",
    "spice": "#D55E00",
    "numpy": "#009E73",
    "target": "#999999",
    "programmed": "#CC79A7",
    "limit": "#E69F00",
    "design point": "#D55E00",
}
_CYCLE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

#: matplotlib settings applied by :func:`apply`.
RC = {
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=_CYCLE),
    "image.cmap": "viridis",
}


def apply() -> None:
    """Use the kit's style for the figures made from now on (idempotent)."""
    matplotlib.rcParams.update(RC)


def color_for(name: str, index: int = 0) -> str:
    """The colour of a named series (engine, dataset), or the ``index``-th of the cycle."""
    return COLORS.get(name, _CYCLE[index % len(_CYCLE)])


def caption(fig, text: str) -> None:
    """A caption line under the axes stating the run's conditions (room is made for it)."""
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, 0.06, 1, 0.94))
    fig.text(0.01, 0.01, text, ha="left", va="bottom", fontsize=8, color="#444444", wrap=True)
