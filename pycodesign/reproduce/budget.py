"""How much each reproduction computes: the ``default`` budget (minutes) and the ``full`` one.

The default budget runs in the kit's main job (a few minutes on 2 cores);
``full`` gives the numbers quoted in ``docs/reproductions.md``.  A flow may
override any field of its preset (``budget: {preset: full, seeds: 50}``).

Sweep values and their sources
------------------------------
``adc_bits``      2..10: the MemTorch study's ADC range (Souto Garnelo et
                  al., §2.5 and Fig. 14, "from 2 to 10 bits").
``tile_sizes``    64/128/256: the study's tiles (§2.5, §3.2.2), plus 16 and
                  32, the smaller tiles the 64-input digits network can use.
``stuck_rates``   0/1/5/10 %: issue 13's grid around the study's Table 6
                  (0 and 5 %).
``levels``        2/3/4/8/32 states; ``sigmas`` log-normal σ of ln G.
``partitions``    1/2/4/8 (review Supplementary Figs. 9/10).
``r_wire_ohm``    wire segment resistances around the kit's 1 Ω default.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

__all__ = ["Budget", "BUDGETS", "budget_preset"]


@dataclass(frozen=True)
class Budget:
    """Sizes of every reproduction (see the module doc for the sweeps' sources).

    Attributes
    ----------
    name : str
        Preset the values came from (``default`` or ``full``; ``custom`` once overridden).
    seeds : int
        Seeds per grid cell of the stuck-at (item 5) and variability (item 6) studies.
    spice_images : int or None
        Item 1: test images simulated in ngspice per network (None: all).
    solver_images : int or None
        Item 1: test images for the fast solver (None: all).
    epochs : int
        Training epochs of every network.
    adc_bits : tuple of int
        Items 3 and 4: ADC resolutions swept.
    tile_sizes : tuple of int
        Item 4: square tiles (rows = columns) swept.
    stuck_rates : tuple of float
        Item 5: stuck-at-HRS and stuck-at-LRS rates (both axes of the grid).
    levels : tuple of int
        Item 6: conductance states per device.
    sigmas : tuple of float
        Item 6: device-to-device log-normal σ of ln G.
    partitions : tuple of int
        Item 7: row partitions.
    r_wire_ohm : tuple of float
        Item 7: wire segment resistance (rows and columns), Ω.
    metrics_images : int
        Item 7: images for the read margin over the actual inputs.
    iv_points_per_period : int
        Item 8: samples of the I-V sine.
    n_pulses : int
        Item 8: SET pulses, then as many RESET pulses.
    """

    name: str
    seeds: int
    spice_images: int | None
    solver_images: int | None
    epochs: int
    adc_bits: tuple
    tile_sizes: tuple
    stuck_rates: tuple
    levels: tuple
    sigmas: tuple
    partitions: tuple
    r_wire_ohm: tuple
    metrics_images: int
    iv_points_per_period: int
    n_pulses: int

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}

    def with_overrides(self, **changes) -> "Budget":
        """A copy with the given fields replaced (``None`` values ignored); ``name`` becomes ``custom``."""
        known = {f.name for f in fields(self)} - {"name"}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown budget field(s) {sorted(unknown)}; allowed: {', '.join(sorted(known))}")
        given = {k: (tuple(v) if isinstance(v, list) else v) for k, v in changes.items() if v is not None}
        if not given:
            return self
        return replace(self, name=f"{self.name} (custom)", **given)


_ADC_BITS = (2, 3, 4, 5, 6, 7, 8, 9, 10)

#: The two presets.
BUDGETS: dict[str, Budget] = {
    "default": Budget(
        name="default", seeds=5, spice_images=20, solver_images=None, epochs=100, adc_bits=_ADC_BITS,
        tile_sizes=(16, 32, 64, 128, 256), stuck_rates=(0.0, 0.01, 0.05, 0.10), levels=(2, 3, 4, 8, 32),
        sigmas=(0.0, 0.1, 0.2, 0.3), partitions=(1, 2, 4, 8), r_wire_ohm=(1.0, 3.0, 10.0), metrics_images=16,
        iv_points_per_period=400, n_pulses=30),
    "full": Budget(
        name="full", seeds=20, spice_images=None, solver_images=None, epochs=100, adc_bits=_ADC_BITS,
        tile_sizes=(16, 32, 64, 128, 256), stuck_rates=(0.0, 0.01, 0.05, 0.10), levels=(2, 3, 4, 8, 32),
        sigmas=(0.0, 0.05, 0.1, 0.2, 0.3, 0.5), partitions=(1, 2, 4, 8), r_wire_ohm=(0.3, 1.0, 3.0, 10.0, 30.0),
        metrics_images=64, iv_points_per_period=2000, n_pulses=50),
}


def budget_preset(name: str) -> Budget:
    """The preset called ``name`` (``default`` or ``full``)."""
    if name not in BUDGETS:
        raise ValueError(f"unknown budget preset {name!r}; allowed: {', '.join(BUDGETS)}")
    return BUDGETS[name]
