"""Control logic of a successive-approximation ADC (review Fig. 2, block 9)."""
from __future__ import annotations

from amaranth import Module, Signal
from amaranth.lib import wiring

from ._common import PortTable, check_int, document_ports, port_in, port_out

__all__ = ["SarAdcController"]


@document_ports
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
    {PORTS}
    """

    PORTS = PortTable(
        rst=port_in("1", "Reset, synchronous, active high: aborts a conversion; idle, done low, "
                    "result 0.", "Sampled at a rising edge."),
        start=port_in("1", "Begin a conversion.",
                      "Sampled at a rising edge while busy is low (sample is high in the next cycle); "
                      "ignored while busy."),
        comp=port_in("1", "Comparator decision for the trial code on dac: 1 when the held input is at "
                     "or above the DAC output (keep the trial bit).",
                     "Sampled only at the rising edge that ends cycle {settle_cycles} of {settle_cycles} "
                     "of each trial (busy high, sample low); ignored on every other cycle, so DAC and "
                     "comparator have the trial to settle."),
        sample=port_out("1", "Sample-and-hold tracks the input; it holds from the next cycle on.",
                        "High for exactly one cycle, the cycle after start was sampled."),
        dac=port_out("bits", "Trial code driving the DAC, MSB first: the bits decided so far plus the "
                     "bit under trial; 0 outside trials.",
                     "Constant for {settle_cycles} cycle(s) per trial; {bits} trials per conversion."),
        busy=port_out("1", "A conversion is running (the sample cycle and the trials).",
                      "1 + {bits} * {settle_cycles} cycles, from the cycle after start."),
        done=port_out("1", "The last conversion is complete and result is valid.",
                      "Registered: rises with result at the edge that samples the last comp (busy "
                      "falls there); high until the next start."),
        result=port_out("bits", "Result of the last conversion.",
                        "Registered: updated when done rises; keeps the previous value during a "
                        "conversion."),
    )

    def __init__(self, bits: int, *, settle_cycles: int = 1):
        self.bits = check_int("bits", bits, minimum=1, maximum=32, owner="SarAdcController")
        self.settle_cycles = check_int("settle_cycles", settle_cycles, minimum=1,
                                       owner="SarAdcController")
        super().__init__(self.PORTS.signature(start=1, comp=1, sample=1, dac=bits, busy=1, done=1,
                                              result=bits))

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
