"""Crossbar address block: walks (row, col) positions in row-major order."""
from __future__ import annotations

from amaranth import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ._common import check_int, index_width

__all__ = ["AddressSequencer"]


class AddressSequencer(wiring.Component):
    """Row-major address walk over a ``rows`` x ``cols`` crossbar (review Fig. 2).

    Synchronous (``sync`` domain: ports ``clk``, ``rst``, reset active high).

    Parameters
    ----------
    rows, cols : int
        Array size, each ``>= 1``.

    Attributes
    ----------
    restart : In(1)
        Back to position (0, 0) and clear ``done`` (has priority over ``advance``).
    advance : In(1)
        Step to the next position at this clock edge; ignored while ``done``.
    row : Out(ceil(log2 rows), at least 1)
    col : Out(ceil(log2 cols), at least 1)
        Current position; holds the last position while ``done``.
    last : Out(1)
        The current position is the last one and the walk is not yet done: an
        ``advance`` now completes the walk.
    done : Out(1)
        High after ``advance`` at the last position, until ``restart`` or reset.
    """

    def __init__(self, rows: int, cols: int):
        self.rows = check_int("rows", rows, minimum=1, owner="AddressSequencer")
        self.cols = check_int("cols", cols, minimum=1, owner="AddressSequencer")
        super().__init__({
            "restart": In(1),
            "advance": In(1),
            "row": Out(index_width(rows)),
            "col": Out(index_width(cols)),
            "last": Out(1),
            "done": Out(1),
        })

    @property
    def module_name(self) -> str:
        return f"address_sequencer_r{self.rows}_c{self.cols}"

    @property
    def parameters(self) -> dict:
        return {"rows": self.rows, "cols": self.cols}

    def elaborate(self, platform):
        m = Module()
        done = Signal()
        last_row = self.row == self.rows - 1
        last_col = self.col == self.cols - 1
        m.d.comb += [
            self.done.eq(done),
            self.last.eq(last_row & last_col & ~done),
        ]
        with m.If(self.restart):
            m.d.sync += [self.row.eq(0), self.col.eq(0), done.eq(0)]
        with m.Elif(self.advance & ~done):
            with m.If(self.last):
                m.d.sync += done.eq(1)
            with m.Elif(last_col):
                m.d.sync += [self.col.eq(0), self.row.eq(self.row + 1)]
            with m.Else():
                m.d.sync += self.col.eq(self.col + 1)
        return m
