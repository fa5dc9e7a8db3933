"""Crossbar address block: walks (row, col) positions in row-major order."""
from __future__ import annotations

from amaranth import Module
from amaranth.lib import wiring

from ._common import PortTable, check_int, document_ports, index_width, port_in, port_out

__all__ = ["AddressSequencer"]


@document_ports
class AddressSequencer(wiring.Component):
    """Row-major address walk over a ``rows`` x ``cols`` crossbar (review Fig. 2).

    Synchronous (``sync`` domain: ports ``clk``, ``rst``, reset active high).

    Parameters
    ----------
    rows, cols : int
        Array size, each ``>= 1``.

    Attributes
    ----------
    {PORTS}
    """

    PORTS = PortTable(
        rst=port_in("1", "Reset, synchronous, active high: back to position (0, 0), done low.",
                    "Sampled at a rising edge."),
        restart=port_in("1", "Back to position (0, 0) and clear done; has priority over advance.",
                        "Sampled at a rising edge; row, col and done change at that edge."),
        advance=port_in("1", "Step to the next position in row-major order (col first, then row); "
                        "ignored while done.",
                        "Sampled at a rising edge; row and col change at that edge."),
        row=port_out("ceil(log2 rows), at least 1", "Current row (wordline) of the {rows} x {cols} walk.",
                     "Registered: changes only at a rising edge with advance or restart; holds the "
                     "last position while done."),
        col=port_out("ceil(log2 cols), at least 1", "Current column (bitline) of the walk.",
                     "Registered, as row."),
        last=port_out("1", "The current position is the last one (row {rows} - 1, col {cols} - 1) and "
                      "the walk is not done: an advance now completes the walk.",
                      "Combinational from the registered position and done: valid in the same cycle."),
        done=port_out("1", "The walk is complete.",
                      "Registered: rises at the edge that samples advance with last high; stays high "
                      "until restart or reset."),
    )

    def __init__(self, rows: int, cols: int):
        self.rows = check_int("rows", rows, minimum=1, owner="AddressSequencer")
        self.cols = check_int("cols", cols, minimum=1, owner="AddressSequencer")
        super().__init__(self.PORTS.signature(row=index_width(rows), col=index_width(cols),
                                              restart=1, advance=1, last=1, done=1))

    @property
    def module_name(self) -> str:
        return f"address_sequencer_r{self.rows}_c{self.cols}"

    @property
    def parameters(self) -> dict:
        return {"rows": self.rows, "cols": self.cols}

    def elaborate(self, platform):
        m = Module()
        # done is the output register itself: a separate register copied to the
        # port would be written as a second, unused name of the same net.
        done = self.done
        last_row = self.row == self.rows - 1
        last_col = self.col == self.cols - 1
        m.d.comb += self.last.eq(last_row & last_col & ~done)
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
