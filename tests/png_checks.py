"""Shared check: every PNG a flow writes opens, is not blank, and was saved by the kit's plot style."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pycodesign.reports import style


def check_pngs(folder: Path, expected: list[str] = (), *, recursive: bool = False) -> list[str]:
    """Open every PNG under *folder*; the *expected* names must be among them. Returns the names checked."""
    folder = Path(folder)
    pngs = sorted(folder.rglob("*.png") if recursive else folder.glob("*.png"))
    names = [str(p.relative_to(folder)) for p in pngs]
    assert set(expected) <= set(names), (sorted(set(expected) - set(names)), names)
    assert pngs, f"no PNG in {folder}"
    for p in pngs:
        with Image.open(p) as im:
            assert im.format == "PNG", p
            w, h = im.size
            dpi = im.info.get("dpi", (0, 0))
            assert round(dpi[0]) == style.DPI, f"{p.name}: saved at {dpi} dpi, not the style's {style.DPI}"
            assert w >= 450 and h >= 300, f"{p.name}: {w}x{h} px is too small to read"
            assert len(np.unique(np.asarray(im.convert("L")))) > 20, f"{p.name} looks blank"
    return names
