"""Window comparator: is a read ADC code below, inside or above its target window?"""
from __future__ import annotations

from amaranth import Module
from amaranth.lib import wiring

from ._common import PortTable, check_int, document_ports, port_in, port_out

__all__ = ["WindowComparator"]


@document_ports
class WindowComparator(wiring.Component):
    """Compare an unsigned ADC code with a window ``[lo, hi]`` (both edges inside).

    This is the sense verdict of program-and-verify (review Fig. 19/21): a
    cell whose read code lies in ``[lo, hi]`` is programmed; below the window
    it needs a SET pulse (more conductance), above it a RESET pulse.
    Combinational.  With ``lo > hi`` (an empty window) every code is below or
    above, and a code between the two edges is both, which the write-verify
    controller treats as an invalid verdict (never pulsed, counted as failed).

    Parameters
    ----------
    bits : int
        Width of the code and of the window edges, ``1 <= bits <= 32``.

    Attributes
    ----------
    {PORTS}
    """

    PORTS = PortTable(
        code=port_in("bits", "Read ADC code of the cell, unsigned.",
                     "Combinational: below/above follow code, lo and hi without a clock."),
        lo=port_in("bits", "Lower window edge, unsigned, inclusive.", "Combinational."),
        hi=port_in("bits", "Upper window edge, unsigned, inclusive.", "Combinational."),
        below=port_out("1", "code < lo: the cell needs a SET pulse (more conductance).",
                       "Combinational; the write-verify controller samples it on the last read cycle."),
        above=port_out("1", "code > hi: the cell needs a RESET pulse (less conductance).",
                       "Combinational; sampled with below. Both high (an empty window) is an invalid verdict."),
    )

    def __init__(self, bits: int):
        self.bits = check_int("bits", bits, minimum=1, maximum=32, owner="WindowComparator")
        super().__init__(self.PORTS.signature(code=bits, lo=bits, hi=bits, below=1, above=1))

    @property
    def module_name(self) -> str:
        return f"window_comparator_b{self.bits}"

    @property
    def parameters(self) -> dict:
        return {"bits": self.bits}

    def elaborate(self, platform):
        m = Module()
        m.d.comb += [
            self.below.eq(self.code < self.lo),
            self.above.eq(self.code > self.hi),
        ]
        return m
