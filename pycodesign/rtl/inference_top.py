"""Digital top of inference in co-simulation: SAR ADC control per bitline, subtraction, argmax."""
from __future__ import annotations

from amaranth import Module, Signal
from amaranth.lib import wiring

from ._common import PortTable, check_int, document_ports, index_width, port_in, port_out
from .argmax import ArgMax
from .sar_adc import SarAdcController

__all__ = ["InferenceTop"]


@document_ports
class InferenceTop(wiring.Component):
    """One SLP layer's readout: a SAR ADC controller per physical bitline, the digital
    differential subtraction and the argmax (review Fig. 2 blocks 9, 8).

    Physical bitline ``2k`` carries W⁺ of output ``k``, ``2k+1`` its W⁻ (the
    ``digital`` differential scheme: one unsigned ADC per bitline).  The
    comparators and the DACs of the ADCs are analog (in the netlist); each
    :class:`~pycodesign.rtl.SarAdcController` decides one bit per trial, MSB
    first.  ``start`` converts every bitline at once; when they are done the
    outputs ``code(2k) - code(2k+1)`` go through a combinational
    :class:`~pycodesign.rtl.ArgMax` (ties to the lowest index).

    Synchronous (``clk``, ``rst``).

    Parameters
    ----------
    outputs : int
        Network outputs (2 * outputs bitlines), ``>= 1``.
    bits : int
        ADC resolution, ``1 <= bits <= 16``.

    Attributes
    ----------
    {PORTS}

    The codes (``sar<j>.result``) and the differences (``diff<k>``) are
    internal signals, in the VCD: ngspice's XSPICE crashed on a d_cosim
    instance with more than about 250 digital outputs, so they are not ports.
    """

    PORTS = PortTable(
        start=port_in("1", "Convert every bitline and classify (ignored while busy).",
                      "Sampled at a rising edge while idle."),
        comp=port_in("2 * outputs", "Comparator of bitline j at bit j: 1 when its input is at or above its DAC "
                                    "output.", "Sampled on the last settle cycle of each SAR trial."),
        dac=port_out("2 * outputs * bits", "Trial code of bitline j at bits [j*bits, (j+1)*bits) for its SAR DAC.",
                     "Registered; one trial per bit, MSB first."),
        index=port_out("ceil(log2 outputs), at least 1", "The class: argmax of the W+ minus W- codes, ties to "
                                                         "the lowest index.", "Valid while valid is high."),
        valid=port_out("1", "index belongs to the last conversion.", "High from the end of a conversion until "
                                                                      "the next start."),
        busy=port_out("1", "A conversion is in progress.", "Rises the cycle after start."),
    )

    def __init__(self, outputs: int, bits: int):
        self.outputs = check_int("outputs", outputs, minimum=1, owner="InferenceTop")
        self.bits = check_int("bits", bits, minimum=1, maximum=16, owner="InferenceTop")
        cols = 2 * outputs
        super().__init__(self.PORTS.signature(start=1, comp=cols, dac=cols * bits, index=index_width(outputs),
                                              valid=1, busy=1))

    @property
    def module_name(self) -> str:
        return f"inference_top_o{self.outputs}_b{self.bits}"

    @property
    def parameters(self) -> dict:
        return {"outputs": self.outputs, "bits": self.bits}

    def elaborate(self, platform):
        m = Module()
        b, n = self.bits, self.outputs
        w = b + 1
        sars = []
        for j in range(2 * n):
            sar = SarAdcController(b)
            m.submodules[f"sar{j}"] = sar
            sars.append(sar)
            m.d.comb += [
                sar.start.eq(self.start),
                sar.comp.eq(self.comp[j]),
                self.dac[j * b:(j + 1) * b].eq(sar.dac),
            ]
        m.submodules.argmax = am = ArgMax(n, w, signed=True)
        for k in range(n):
            d = Signal(w, name=f"diff{k}")
            # W+ code minus W- code, as (bits + 1)-bit two's complement.
            m.d.comb += d.eq(sars[2 * k].result - sars[2 * k + 1].result)
            m.d.comb += am.data[k * w:(k + 1) * w].eq(d)
        # Every controller runs the same schedule: the first one speaks for all.
        m.d.comb += [am.valid_in.eq(sars[0].done), self.valid.eq(am.valid_out), self.index.eq(am.index),
                     self.busy.eq(sars[0].busy)]
        return m
