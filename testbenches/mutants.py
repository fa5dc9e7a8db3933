"""Deliberately wrong DUT variants for the mutation check (tests/test_rtl_mutation.py).

Each mutant is a subclass of a shipping block with one realistic bug; the
benches must report failures for every one of them.  They live here, in test
support code, so the shipping components carry no mutation switches.
"""
from __future__ import annotations

from amaranth import Module, Mux

from pycodesign.rtl import ArgMax, Decoder, ReLU, WriteVerifyController


class ArgMaxTiesToHighest(ArgMax):
    """Comparator uses >=: ties go to the highest index instead of the lowest."""

    @property
    def module_name(self) -> str:
        return super().module_name + "_mut_ties_high"

    def _right_wins(self, left, right):
        if self.signed:
            return right.as_signed() >= left.as_signed()
        return right >= left


class WriteVerifySkipsVerifyRead(WriteVerifyController):
    """After a write pulse, moves to the next position without reading the cell again."""

    @property
    def module_name(self) -> str:
        return super().module_name + "_mut_no_verify"

    def _end_of_write(self, m, next_position):
        next_position()


class ReLUWithoutLimit(ReLU):
    """Truncates to width_out bits instead of saturating at the limit."""

    @property
    def module_name(self) -> str:
        return super().module_name + "_mut_no_limit"

    def elaborate(self, platform):
        m = Module()
        wi, wo = self.width_in, self.width_out
        for lane in range(self.lanes):
            x = self.x[lane * wi:(lane + 1) * wi]
            scaled = x[self.shift:wi - 1]
            m.d.comb += self.y[lane * wo:(lane + 1) * wo].eq(Mux(x[wi - 1], 0, scaled))
        return m


class DecoderIgnoresEnable(Decoder):
    """Decodes the address even while en is low."""

    @property
    def module_name(self) -> str:
        return super().module_name + "_mut_no_en"

    def elaborate(self, platform):
        m = Module()
        for line in range(self.n):
            m.d.comb += self.onehot[line].eq(self.addr == line)
        return m


#: name -> (block, parameters, mutant class, cocotb tests expected to catch it)
MUTANTS = {
    "argmax_ties_to_highest": ("argmax", {"n": 7, "width": 6, "signed": True, "pipeline_every": 1},
                               ArgMaxTiesToHighest, ["test_ties_and_equal_values"]),
    "write_verify_skips_verify_read": ("write_verify_controller",
                                       {"rows": 2, "cols": 3, "partitions": 3, "max_pulses": 4,
                                        "read_cycles": 2, "write_cycles": 3},
                                       WriteVerifySkipsVerifyRead, ["test_max_pulses_boundary"]),
    "relu_without_limit": ("relu", {"width_in": 12, "width_out": 4, "lanes": 3, "shift": 2, "limit": 10},
                           ReLUWithoutLimit, ["test_corner_values"]),
    "decoder_ignores_enable": ("decoder", {"n": 5}, DecoderIgnoresEnable, ["test_every_address"]),
}
