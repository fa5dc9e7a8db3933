"""Address decoder (review Fig. 2: wordline / bitline decoders)."""
from __future__ import annotations

from amaranth import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ._common import check_int, index_width

__all__ = ["Decoder"]


class Decoder(wiring.Component):
    """Binary-to-one-hot decoder for ``n`` lines (e.g. the wordlines of a crossbar).

    Combinational.

    Parameters
    ----------
    n : int
        Number of output lines, ``n >= 1`` (any value, not only powers of two).

    Attributes
    ----------
    addr : In(ceil(log2 n), at least 1)
        Line to select.
    en : In(1)
        Enable; all lines are low while ``en`` is low.
    onehot : Out(n)
        Bit ``addr`` high when ``en`` is high and ``addr < n``; all zero otherwise
        (out-of-range addresses of a non-power-of-two decoder select nothing).
    """

    def __init__(self, n: int):
        self.n = check_int("n", n, minimum=1, owner="Decoder")
        super().__init__({
            "addr": In(index_width(n)),
            "en": In(1),
            "onehot": Out(n),
        })

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
