"""Control logic of a successive-approximation ADC (review Fig. 2, block 9)."""
from __future__ import annotations

from amaranth import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ._common import check_int

__all__ = ["SarAdcController"]


class SarAdcController(wiring.Component):
    """Successive-approximation register (SAR) with a comparator input.

    The analog part (sample-and-hold, capacitive DAC, comparator) sits in the
    array netlist; this block decides one bit per trial, MSB first.

    Synchronous (``clk``, ``rst``).  :class:`pycodesign.rtl.models.SarAdcModel`
    is the cycle-level reference.

    Parameters
    ----------
    bits : int
        Resolution, ``1 <= bits <= 32``.
    settle_cycles : int
        Cycles per trial (DAC and comparator settling), ``>= 1``; the
        comparator is sampled on the trial's last cycle.

    Attributes
    ----------
    start : In(1)
        Begin a conversion; ignored while ``busy``.
    comp : In(1)
        Comparator: 1 when the held input is at or above the DAC output
        (keep the trial bit).
    sample : Out(1)
        Sample-and-hold tracks the input (one cycle after ``start``).
    dac : Out(bits)
        Trial code driving the DAC (0 outside trials).
    busy : Out(1)
    done : Out(1)
        High after a conversion until the next ``start``.
    result : Out(bits)
        Last conversion result (updated when ``done`` rises).
    """

    def __init__(self, bits: int, *, settle_cycles: int = 1):
        self.bits = check_int("bits", bits, minimum=1, maximum=32, owner="SarAdcController")
        self.settle_cycles = check_int("settle_cycles", settle_cycles, minimum=1,
                                       owner="SarAdcController")
        super().__init__({
            "start": In(1),
            "comp": In(1),
            "sample": Out(1),
            "dac": Out(bits),
            "busy": Out(1),
            "done": Out(1),
            "result": Out(bits),
        })

    @property
    def module_name(self) -> str:
        return f"sar_adc_b{self.bits}_s{self.settle_cycles}"

    @property
    def parameters(self) -> dict:
        return {"bits": self.bits, "settle_cycles": self.settle_cycles}

    def elaborate(self, platform):
        m = Module()
        code = Signal(self.bits)        # bits decided so far
        trial_bit = Signal(self.bits)   # one-hot: the bit under trial
        settle = Signal(range(max(2, self.settle_cycles)))
        done, result = self.done, self.result  # registered outputs
        trial = code | trial_bit

        with m.FSM(name="sar_state"):
            with m.State("IDLE"):
                with m.If(self.start):
                    m.d.sync += [done.eq(0), code.eq(0), settle.eq(0),
                                 trial_bit.eq(1 << (self.bits - 1))]
                    m.next = "SAMPLE"
            with m.State("SAMPLE"):
                m.d.comb += [self.busy.eq(1), self.sample.eq(1)]
                m.next = "TRIAL"
            with m.State("TRIAL"):
                m.d.comb += [self.busy.eq(1), self.dac.eq(trial)]
                with m.If(settle == self.settle_cycles - 1):
                    m.d.sync += settle.eq(0)
                    decided = Signal(self.bits)
                    m.d.comb += decided.eq(trial)
                    with m.If(~self.comp):
                        m.d.comb += decided.eq(code)
                    m.d.sync += [code.eq(decided), trial_bit.eq(trial_bit >> 1)]
                    with m.If(trial_bit[0]):
                        m.d.sync += [result.eq(decided), done.eq(1)]
                        m.next = "IDLE"
                with m.Else():
                    m.d.sync += settle.eq(settle + 1)
        return m
