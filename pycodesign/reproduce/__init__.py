"""Reproductions: the kit's numbers beside the published ones, with verdicts (issue 13).

Sources (``/work/shared/papers``): Aguirre et al., *Nat. Commun.* 15, 1974
(2024) — the review the kit follows; Souto Garnelo et al., "Neuromorphic
circuit simulation with memristors: design and evaluation using MemTorch for
MNIST and CIFAR" — the MemTorch tile/non-ideality study; Baokar & He,
"Memristive Neural Networks Application in Predicting of Health Disorders".

* :mod:`.claims` — one row of the table (:class:`Claim`) and the verdicts;
* :mod:`.budget` — how much each item computes (``default``, ``full``);
* :mod:`.context` — shared data, trained networks, reference architecture;
* one module per item (:data:`ITEMS`): :mod:`.table5` (1),
  :mod:`.mapping_example` (2), :mod:`.adc_resolution` (3), :mod:`.tiles_adc`
  (4), :mod:`.stuck_at` (5), :mod:`.levels_variability` (6),
  :mod:`.read_margin` (7), :mod:`.vteam_pairings` (8), :mod:`.provenance` (9).

The flow ``kind: reproductions`` (:mod:`pycodesign.flows.reproductions`)
runs them; :mod:`pycodesign.reports.reproductions` writes the report.
"""
from .budget import BUDGETS, Budget, budget_preset
from .claims import ACCURACY_TOLERANCE_POINTS, DIFFERS, REPRODUCED, TREND, VERDICTS, Claim
from .context import Context, reference_architecture
from .items import ITEM_TITLES, ITEMS, NEEDS_NGSPICE

__all__ = ["Budget", "BUDGETS", "budget_preset", "Claim", "VERDICTS", "REPRODUCED", "TREND", "DIFFERS",
           "ACCURACY_TOLERANCE_POINTS", "Context", "reference_architecture", "ITEMS", "ITEM_TITLES",
           "NEEDS_NGSPICE"]
