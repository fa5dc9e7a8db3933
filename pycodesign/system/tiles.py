"""Cutting a mapped layer into tiles: which rows and outputs each crossbar holds.

A layer's logical array is ``n_rows`` wordlines (inputs, plus the bias row)
by ``n_outputs`` neurons.  :func:`plan_tiles` splits it into a grid of row
tiles × column tiles so that each tile's *physical* array — with the W⁺/W⁻
column pair of every output (subtractor, digital), the W⁻ row of every input
(opposite polarity) or its own reference column (reference mapping) — has at
most ``tile_rows × tile_cols`` devices.  Blocks are contiguous and full, the
last one takes the remainder (a hardware tile is a fixed size; the last tile
of a row or column is partly used).  See
:mod:`pycodesign.config.architecture` for the rules tiles follow.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config.architecture import Architecture, tile_layout

__all__ = ["TilePlan", "plan_tiles", "accumulator_bits_needed"]


@dataclass(frozen=True)
class TilePlan:
    """The tile grid of one layer.

    Attributes
    ----------
    row_blocks : list of int arrays
        Logical rows (wordline inputs) of each row tile.
    col_blocks : list of int arrays
        Logical outputs of each column tile.
    adc_inputs_per_output : int
        1 (analog-combined, signed ADC) or 2 (one unsigned ADC per bitline).
    row_factor : int
        Physical rows per logical row (2 for opposite polarity).
    reference_columns : int
        Extra physical columns per tile (1 for a reference-column mapping).
    pair_columns : int
        Physical columns per output (2 for a W⁺/W⁻ pair).
    columns_per_adc : int
        ADC inputs multiplexed into one ADC.
    """

    row_blocks: list
    col_blocks: list
    adc_inputs_per_output: int
    row_factor: int
    reference_columns: int
    pair_columns: int
    columns_per_adc: int

    @property
    def n_row_tiles(self) -> int:
        return len(self.row_blocks)

    @property
    def n_col_tiles(self) -> int:
        return len(self.col_blocks)

    @property
    def n_tiles(self) -> int:
        return self.n_row_tiles * self.n_col_tiles

    def physical_shape(self, ri: int, ci: int) -> tuple[int, int]:
        """(rows, columns) of devices in tile (ri, ci)."""
        return (len(self.row_blocks[ri]) * self.row_factor,
                len(self.col_blocks[ci]) * self.pair_columns + self.reference_columns)

    def adc_inputs(self, ci: int) -> int:
        """ADC inputs of a tile in column block ``ci``."""
        return len(self.col_blocks[ci]) * self.adc_inputs_per_output

    def adcs(self, ci: int) -> int:
        """ADCs of a tile in column block ``ci`` (``columns_per_adc`` inputs each, the last one may serve fewer)."""
        return math.ceil(self.adc_inputs(ci) / self.columns_per_adc)

    def describe(self) -> dict:
        shapes = {f"{self.physical_shape(r, c)[0]}x{self.physical_shape(r, c)[1]}"
                  for r in range(self.n_row_tiles) for c in range(self.n_col_tiles)}
        return {"row_tiles": self.n_row_tiles, "col_tiles": self.n_col_tiles, "tiles": self.n_tiles,
                "tile_shapes": sorted(shapes), "columns_per_adc": self.columns_per_adc,
                "adcs": int(sum(self.adcs(c) for c in range(self.n_col_tiles)) * self.n_row_tiles),
                "adc_inputs_per_output": self.adc_inputs_per_output}


def _blocks(n: int, size: int | None) -> list:
    if size is None or size >= n:
        return [np.arange(n)]
    return [np.arange(s, min(s + size, n)) for s in range(0, n, size)]


def plan_tiles(n_rows: int, n_outputs: int, architecture: Architecture) -> TilePlan:
    """The tile grid of a layer with ``n_rows`` wordlines and ``n_outputs`` neurons."""
    t = architecture.tiling
    rows, outs, per_out, row_factor, (overhead, pair) = tile_layout(
        architecture.mapping.scheme, architecture.array.differential, t.tile_rows, t.tile_cols)
    return TilePlan(row_blocks=_blocks(n_rows, rows), col_blocks=_blocks(n_outputs, outs),
                    adc_inputs_per_output=per_out, row_factor=row_factor, reference_columns=overhead,
                    pair_columns=pair, columns_per_adc=t.columns_per_adc)


def accumulator_bits_needed(n_row_tiles: int, max_abs_code: int) -> int:
    """Signed accumulator width holding the sum of ``n_row_tiles`` codes of magnitude ≤ ``max_abs_code``."""
    span = n_row_tiles * max_abs_code
    return max(2, span.bit_length() + 1)
