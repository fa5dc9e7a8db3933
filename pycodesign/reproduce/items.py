"""The nine reproductions of issue 13, by number, and what each needs.

Each item is a function ``run(ctx) -> dict`` returning JSON-friendly results
with a ``claims`` list (:class:`~pycodesign.reproduce.claims.Claim` dicts);
:mod:`pycodesign.reports.reproductions` turns them into the report.
"""
from __future__ import annotations

from . import (adc_resolution, levels_variability, mapping_example, provenance, read_margin, stuck_at, table5,
               tiles_adc, vteam_pairings)

__all__ = ["ITEMS", "ITEM_TITLES", "NEEDS_NGSPICE"]

#: item number -> function(ctx) -> dict
ITEMS = {
    1: table5.run,
    2: mapping_example.run,
    3: adc_resolution.run,
    4: tiles_adc.run,
    5: stuck_at.run,
    6: levels_variability.run,
    7: read_margin.run,
    8: vteam_pairings.run,
    9: provenance.run,
}

#: Short titles (the report's section headings).
ITEM_TITLES = {
    1: "Table 5: SLP/MLP accuracy with QMM cells (Aguirre et al. 2024)",
    2: "The worked mapping example, Eq. 5-9 (Aguirre et al. 2024)",
    3: "ADC resolution: formula vs exact count; accuracy vs ADC bits (Aguirre et al. 2024)",
    4: "Tiles x ADC resolution (MemTorch study, Fig. 14)",
    5: "Stuck-at faults (MemTorch study, Fig. 16, Table 6)",
    6: "Conductance levels x variability (MemTorch study, Fig. 15)",
    7: "Read margin vs partitions and dual-side connection (Aguirre et al. 2024, Fig. 18, Supp. Figs. 9-10)",
    8: "VTEAM Pt/Hf/Ti with both exponent pairings (Baokar & He, Table 2; MemTorch case study)",
    9: "Model provenance: Stanford-PKU (Stanford v1.0.0; Jiang et al. 2016)",
}

#: Items that run ngspice (the flow checks the tools only when one of them is selected).
NEEDS_NGSPICE = (1, 8)
