"""Address decoder (review Fig. 2: wordline / bitline decoders)."""
from __future__ import annotations

from amaranth import Module
from amaranth.lib import wiring

from ._common import PortTable, check_int, document_ports, index_width, port_in, port_out

__all__ = ["Decoder"]


@document_ports
class Decoder(wiring.Component):
    """Binary-to-one-hot decoder for ``n`` lines (e.g. the wordlines of a crossbar).

    Combinational.

    Parameters
    ----------
    n : int
        Number of output lines, ``n >= 1`` (any value, not only powers of two).

    Attributes
    ----------
    {PORTS}
    """

    PORTS = PortTable(
        addr=port_in("ceil(log2 n), at least 1", "Line to select, binary.",
                     "Combinational: onehot follows addr and en without a clock."),
        en=port_in("1", "Enable; every line is low while en is low.",
                   "Combinational."),
        onehot=port_out("n", "One line per bit: bit addr is high when en is high and addr < {n}; "
                        "all zero otherwise (an out-of-range address selects nothing).",
                        "Combinational, no register: valid one propagation delay after addr/en."),
    )

    def __init__(self, n: int):
        self.n = check_int("n", n, minimum=1, owner="Decoder")
        super().__init__(self.PORTS.signature(addr=index_width(n), en=1, onehot=n))

    @property
    def module_name(self) -> str:
        """Verilog module name derived from the parameters."""
        return f"decoder_n{self.n}"

    @property
    def parameters(self) -> dict:
        return {"n": self.n}

    def elaborate(self, platform):
        m = Module()
        with m.If(self.en):
            for line in range(self.n):
                m.d.comb += self.onehot[line].eq(self.addr == line)
        return m
