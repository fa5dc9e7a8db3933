"""Digital bounded ReLU activation (review Fig. 2, block 7)."""
from __future__ import annotations

from amaranth import Module, Mux
from amaranth.lib import wiring

from ._common import PortTable, check_int, document_ports, port_in, port_out

__all__ = ["ReLU"]


@document_ports
class ReLU(wiring.Component):
    """Bounded ReLU on ``lanes`` parallel values: ``y = min(max(x, 0) >> shift, limit)``.

    The upper bound matters because the output drives the next crossbar's
    DACs, which have a finite input range.  Combinational.

    Parameters
    ----------
    width_in : int
        Bits per input lane, two's complement, ``>= 2``.
    width_out : int
        Bits per output lane, unsigned, ``>= 1``.
    lanes : int
        Number of independent lanes, ``>= 1``.
    shift : int
        Right shift (division by ``2**shift``, rounding down) applied after the
        rectification, ``0 <= shift < width_in - 1``.
    limit : int or None
        Saturation value, ``0 <= limit <= 2**width_out - 1``; default
        ``2**width_out - 1``.

    Attributes
    ----------
    {PORTS}
    """

    PORTS = PortTable(
        x=port_in("lanes * width_in", "{lanes} signed input lane(s), lane i at bits "
                  "[i*width_in, (i+1)*width_in), two's complement.",
                  "Combinational: y follows x without a clock."),
        y=port_out("lanes * width_out", "Lane i = min(max(x_i, 0) >> {shift}, {limit}), unsigned, at bits "
                   "[i*width_out, (i+1)*width_out).",
                   "Combinational, no register: valid one propagation delay after x."),
    )

    def __init__(self, width_in: int, width_out: int, *, lanes: int = 1, shift: int = 0,
                 limit: int | None = None):
        self.width_in = check_int("width_in", width_in, minimum=2, owner="ReLU")
        self.width_out = check_int("width_out", width_out, minimum=1, owner="ReLU")
        self.lanes = check_int("lanes", lanes, minimum=1, owner="ReLU")
        # A shift of width_in - 1 or more leaves no magnitude bit: the output would be constant 0.
        self.shift = check_int("shift", shift, minimum=0, maximum=width_in - 2, owner="ReLU")
        max_limit = (1 << width_out) - 1
        if limit is None:
            limit = max_limit
        self.limit = check_int("limit", limit, minimum=0, maximum=max_limit, owner="ReLU")
        super().__init__(self.PORTS.signature(x=lanes * width_in, y=lanes * width_out))

    @property
    def module_name(self) -> str:
        return (f"relu_wi{self.width_in}_wo{self.width_out}_l{self.lanes}"
                f"_s{self.shift}_lim{self.limit}")

    @property
    def parameters(self) -> dict:
        return {"width_in": self.width_in, "width_out": self.width_out, "lanes": self.lanes,
                "shift": self.shift, "limit": self.limit}

    def elaborate(self, platform):
        m = Module()
        wi, wo = self.width_in, self.width_out
        for lane in range(self.lanes):
            x = self.x[lane * wi:(lane + 1) * wi]
            negative = x[wi - 1]
            # Non-negative magnitude after the shift; the sign bit is dropped.
            scaled = x[self.shift:wi - 1]
            if self.limit < (1 << len(scaled)) - 1:
                bounded = Mux(scaled > self.limit, self.limit, scaled)
            else:  # the limit cannot be exceeded: no comparator (it would be constant)
                bounded = scaled
            m.d.comb += self.y[lane * wo:(lane + 1) * wo].eq(Mux(negative, 0, bounded))
        return m
