"""Winner-take-all / softargmax block (review Fig. 2, block 8)."""
from __future__ import annotations

from amaranth import C, Module, Mux, Signal
from amaranth.lib import wiring

from ._common import PortTable, check_bool, check_int, document_ports, index_width, port_in, port_out

__all__ = ["ArgMax"]


@document_ports
class ArgMax(wiring.Component):
    """Index and value of the largest of ``n`` numbers, by a binary comparator tree.

    Ties go to the lowest index.  In hardware the softmax of the output layer
    reduces to this winner-take-all, since classification only needs the
    index of the largest output.

    Parameters
    ----------
    n : int
        Number of inputs, ``n >= 1`` (any value: an odd element passes a tree
        level unchanged).
    width : int
        Bits per input, ``>= 1`` (``>= 2`` if signed).
    signed : bool
        Inputs are two's complement (default unsigned).
    pipeline_every : int
        0: combinational, ``valid_out = valid_in``.  ``k > 0``: a register
        stage after every ``k`` comparator levels (after levels k, 2k, ...);
        the latency is then ``floor(ceil(log2 n) / k)`` cycles (see
        :attr:`latency`) and the block has ``clk`` and ``rst`` ports whenever
        the latency is non-zero.

    Attributes
    ----------
    {PORTS}
    latency : int
        Cycles from ``data``/``valid_in`` to ``index``/``max_value``/``valid_out``.
    """

    _LATENCY = "Valid {latency} cycle(s) after data/valid_in; 0 means combinational (no register)."
    PORTS = PortTable(
        rst=port_in("1", "Reset, synchronous, active high (only when latency > 0): empties the "
                    "pipeline, valid_out low until new valid data has passed through it.",
                    "Sampled at a rising edge."),
        data=port_in("n * width", "The {n} values, element i at bits [i*width, (i+1)*width); "
                     "signed={signed} (two's complement when True).",
                     "With latency > 0, sampled at every rising edge (a new vector every cycle); "
                     "with latency 0, combinational."),
        valid_in=port_in("1", "data holds a vector to compare; travels through the pipeline with it.",
                         "As data."),
        index=port_out("ceil(log2 n), at least 1", "Index of the largest value; ties go to the lowest "
                       "index.", _LATENCY),
        max_value=port_out("width", "The largest value (same encoding as data).", _LATENCY),
        valid_out=port_out("1", "valid_in of the vector that index and max_value belong to.", _LATENCY),
    )

    def __init__(self, n: int, width: int, *, signed: bool = False, pipeline_every: int = 0):
        self.n = check_int("n", n, minimum=1, owner="ArgMax")
        self.signed = check_bool("signed", signed, owner="ArgMax")
        self.width = check_int("width", width, minimum=2 if signed else 1, owner="ArgMax")
        self.pipeline_every = check_int("pipeline_every", pipeline_every, minimum=0, owner="ArgMax")
        self.levels = max(0, (n - 1).bit_length())
        self.latency = self.levels // pipeline_every if pipeline_every else 0
        super().__init__(self.PORTS.signature(data=n * width, valid_in=1, index=index_width(n),
                                              max_value=width, valid_out=1))

    @property
    def module_name(self) -> str:
        sign = "s" if self.signed else "u"
        return f"argmax_n{self.n}_w{self.width}_{sign}_p{self.pipeline_every}"

    @property
    def parameters(self) -> dict:
        return {"n": self.n, "width": self.width, "signed": self.signed,
                "pipeline_every": self.pipeline_every}

    def _right_wins(self, left, right):
        """Comparator of one tree node.  The left candidate always holds the
        lower indices, so "right strictly greater" sends ties to the lowest index."""
        if self.signed:
            return right.as_signed() > left.as_signed()
        return right > left

    def elaborate(self, platform):
        m = Module()
        iw = index_width(self.n)
        # Level 0: the inputs with their (constant) indices.  Plain expressions,
        # not named signals: a named alias would be left unused in the Verilog.
        cands = [(self.data[i * self.width:(i + 1) * self.width], C(i, iw)) for i in range(self.n)]
        valid = self.valid_in
        # The last valid register drives valid_out directly (a register feeding
        # an output through a plain assignment would be written as an unused alias).
        last_registered = self.latency * self.pipeline_every
        for level in range(1, self.levels + 1):
            registered = bool(self.pipeline_every) and level % self.pipeline_every == 0
            final = level == self.levels
            nxt = []
            for pair in range(0, len(cands), 2):
                if final:
                    value, index = self.max_value, self.index
                else:
                    value = Signal(self.width, name=f"l{level}_value{pair // 2}")
                    index = Signal(iw, name=f"l{level}_index{pair // 2}")
                if pair + 1 < len(cands):
                    (lv, li), (rv, ri) = cands[pair], cands[pair + 1]
                    right = self._right_wins(lv, rv)
                    new_value, new_index = Mux(right, rv, lv), Mux(right, ri, li)
                elif registered or final:
                    # Odd one out passes the level, through the stage register if any.
                    new_value, new_index = cands[pair]
                else:
                    nxt.append(cands[pair])
                    continue
                domain = m.d.sync if registered else m.d.comb
                domain += [value.eq(new_value), index.eq(new_index)]
                nxt.append((value, index))
            cands = nxt
            if registered:
                valid_q = self.valid_out if level == last_registered else Signal(name=f"l{level}_valid")
                m.d.sync += valid_q.eq(valid)
                valid = valid_q
        if self.levels == 0:  # n == 1: the single input is the winner
            (value, index), = cands
            m.d.comb += [self.max_value.eq(value), self.index.eq(index)]
        if valid is not self.valid_out:
            m.d.comb += self.valid_out.eq(valid)
        return m
