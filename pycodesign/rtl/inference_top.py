"""Digital tops of inference in co-simulation: multiplexed SAR ADC banks, subtraction, ReLU, argmax.

* :class:`SarBank`: one :class:`~pycodesign.rtl.SarAdcController` per group
  of ``columns_per_adc`` ADC inputs; a shared column select drives the
  analog multiplexers and the groups convert their columns one after
  another into code registers.
* :class:`InferenceTop`: a single layer (SLP): a bank over the W⁺/W⁻
  bitlines, the digital differential subtraction and the argmax.
* :class:`MlpInferenceTop`: two layers: bank 1, subtraction, the bounded
  :class:`~pycodesign.rtl.ReLU`, a time-multiplexed load of the layer-2
  wordline DAC codes into per-row sample-and-holds (analog, in the
  netlist), bank 2, subtraction, argmax.

Every schedule is fixed (no data-dependent waits), so the number of cycles
an image takes is a property of the block (``latency_cycles``), which the
co-simulation uses to size its read windows.
"""
from __future__ import annotations

import math

from amaranth import Array, Cat, Const, Module, Signal
from amaranth.lib import wiring

from ._common import PortTable, check_int, document_ports, index_width, port_in, port_out
from .argmax import ArgMax
from .relu import ReLU
from .sar_adc import SarAdcController

__all__ = ["SarBank", "InferenceTop", "MlpInferenceTop", "LOAD_CYCLES_PER_ROW"]

#: Cycles per layer-2 wordline load (:class:`MlpInferenceTop`): the row
#: address and code change at a clock edge and stay for the cycle; the
#: netlist closes the row's sample-and-hold switch only around the middle of
#: the cycle (the clock's low half), so a glitch of the address or the code
#: just after an edge reaches no hold capacitor.
LOAD_CYCLES_PER_ROW = 1


def bank_groups(inputs: int, columns_per_adc: int) -> int:
    """ADCs of a bank: ``ceil(inputs / columns_per_adc)`` (the last one may serve fewer inputs)."""
    return math.ceil(inputs / columns_per_adc)


@document_ports
class SarBank(wiring.Component):
    """SAR ADC controllers shared by groups of ``columns_per_adc`` ADC inputs through a multiplexer.

    ADC ``g`` converts inputs ``g*columns_per_adc + s`` for ``s = sel = 0, 1,
    ...`` in turn (contiguous groups, the last one may serve fewer inputs,
    as :meth:`pycodesign.system.tiles.TilePlan.adcs` counts them).  The
    multiplexers and the comparators are analog (in the netlist); ``sel`` is
    shared by every group.  A result is stored in ``code<j>`` (input ``j``)
    when its conversion ends; the registers hold until overwritten by the
    next ``start``'s conversions.

    Schedule: ``start`` sampled at edge 0; one cycle to start the
    controllers; per column a sample cycle, ``bits`` trials and one cycle in
    which the result is stored and the next column's conversion started
    (``sel`` changes at that edge, so the analog multiplexer settles during
    the sample cycle); ``done`` rises ``latency_cycles = 1 + columns_per_adc
    * (bits + 2)`` edges after edge 0.

    Synchronous (``clk``, ``rst``).

    Parameters
    ----------
    inputs : int
        ADC inputs (bitlines), ``>= 1``.
    bits : int
        ADC resolution, ``1 <= bits <= 16``.
    columns_per_adc : int
        Inputs per ADC, ``1 <= columns_per_adc <= inputs``.

    Attributes
    ----------
    {PORTS}
    """

    PORTS = PortTable(
        start=port_in("1", "Convert every input (ignored while busy).", "Sampled at a rising edge while idle."),
        comp=port_in("ceil(inputs / columns_per_adc)", "Comparator of ADC g at bit g: 1 when its multiplexed "
                                                        "input is at or above its DAC output.",
                     "Sampled on the last cycle of each SAR trial."),
        dac=port_out("ceil(inputs / columns_per_adc) * bits", "Trial code of ADC g at bits [g*bits, (g+1)*bits).",
                     "Registered; one trial per bit, MSB first."),
        sel=port_out("ceil(log2 columns_per_adc), at least 1", "Column select of every multiplexer: ADC g "
                                                                "converts input g*columns_per_adc + sel.",
                     "Registered; constant during a conversion, changes at the edge that starts the next one."),
        codes=port_out("inputs * bits", "Code of input j at bits [j*bits, (j+1)*bits) (registers code<j>).",
                       "Valid while done is high."),
        done=port_out("1", "Every input of the last start is converted.",
                      "Registered: rises {latency_cycles} edges after start was sampled; low from the cycle "
                      "after start until then."),
        busy=port_out("1", "A conversion is in progress.", "High from the cycle after start until done."),
    )

    def __init__(self, inputs: int, bits: int, *, columns_per_adc: int = 1):
        self.inputs = check_int("inputs", inputs, minimum=1, owner="SarBank")
        self.bits = check_int("bits", bits, minimum=1, maximum=16, owner="SarBank")
        self.columns_per_adc = check_int("columns_per_adc", columns_per_adc, minimum=1, maximum=inputs,
                                         owner="SarBank")
        self.groups = bank_groups(inputs, columns_per_adc)
        super().__init__(self.PORTS.signature(start=1, comp=self.groups, dac=self.groups * bits,
                                              sel=index_width(columns_per_adc), codes=inputs * bits, done=1,
                                              busy=1))

    @property
    def latency_cycles(self) -> int:
        """Edges from the one sampling ``start`` to the one raising ``done``."""
        return 1 + self.columns_per_adc * (self.bits + 2)

    def elaborate(self, platform):
        m = Module()
        b, cpa = self.bits, self.columns_per_adc
        running = Signal()
        kick = Signal()  # first column: one-cycle start pulse to every controller; sel is already 0
        restart = Signal()  # later columns: start again in the cycle that stores the previous result
        slot = self.sel
        sars = []
        for g in range(self.groups):
            sar = SarAdcController(b)
            m.submodules[f"sar{g}"] = sar
            sars.append(sar)
            m.d.comb += [sar.start.eq(kick | restart), sar.comp.eq(self.comp[g]),
                         self.dac[g * b:(g + 1) * b].eq(sar.dac)]
        codes = [Signal(b, name=f"code{j}") for j in range(self.inputs)]
        for j, c in enumerate(codes):
            m.d.comb += self.codes[j * b:(j + 1) * b].eq(c)
        m.d.comb += self.busy.eq(running)
        m.d.sync += kick.eq(0)
        with m.If(~running):
            with m.If(self.start):
                m.d.sync += [running.eq(1), slot.eq(0), kick.eq(1), self.done.eq(0)]
        # Every controller runs the same schedule: the first one speaks for all.  While kick is
        # high its done still belongs to the previous column.
        with m.Elif(~kick & sars[0].done):
            for g, sar in enumerate(sars):
                for s in range(cpa):
                    j = g * cpa + s
                    if j < self.inputs:
                        with m.If(slot == s):
                            m.d.sync += codes[j].eq(sar.result)
            with m.If(slot == cpa - 1):
                m.d.sync += [running.eq(0), self.done.eq(1)]
            with m.Else():
                # sel changes at the edge the controllers sample start: the analog multiplexer
                # settles during the sample cycle, before the first trial's comparison
                m.d.sync += slot.eq(slot + 1)
                m.d.comb += restart.eq(1)
        return m


def _differences(m: Module, bank: SarBank, outputs: int, bits: int, prefix: str) -> list:
    """``code(2k) - code(2k+1)`` per output as (bits + 1)-bit two's complement signals ``<prefix><k>``."""
    w = bits + 1
    diffs = []
    for k in range(outputs):
        d = Signal(w, name=f"{prefix}{k}")
        plus = bank.codes[2 * k * bits:(2 * k + 1) * bits]
        minus = bank.codes[(2 * k + 1) * bits:(2 * k + 2) * bits]
        m.d.comb += d.eq(plus - minus)
        diffs.append(d)
    return diffs


@document_ports
class InferenceTop(wiring.Component):
    """One SLP layer's readout: a :class:`SarBank` over the physical bitlines, the digital
    differential subtraction and the argmax (review Fig. 2 blocks 9, 8).

    Physical bitline ``2k`` carries W⁺ of output ``k``, ``2k+1`` its W⁻ (the
    ``digital`` differential scheme: one unsigned ADC input per bitline).  The
    comparators, DACs and multiplexers of the ADCs are analog (in the
    netlist).  ``start`` converts every bitline (``columns_per_adc`` rounds
    of the ADCs); then the outputs ``code(2k) - code(2k+1)`` go through a
    combinational :class:`~pycodesign.rtl.ArgMax` (ties to the lowest index).

    Synchronous (``clk``, ``rst``).

    Parameters
    ----------
    outputs : int
        Network outputs (2 * outputs bitlines), ``>= 1``.
    bits : int
        ADC resolution, ``1 <= bits <= 16``.
    columns_per_adc : int
        Bitlines per ADC, ``1 <= columns_per_adc <= 2 * outputs``.

    Attributes
    ----------
    {PORTS}

    The codes (``bank.code<j>``) and the differences (``diff<k>``) are
    internal signals, in the VCD: a d_cosim instance holds at most
    :data:`pycodesign.cosim.netlist.MAX_DCOSIM_BITS` port bits.
    """

    PORTS = PortTable(
        start=port_in("1", "Convert every bitline and classify (ignored while busy).",
                      "Sampled at a rising edge while idle."),
        comp=port_in("ceil(2 * outputs / columns_per_adc)", "Comparator of ADC g at bit g: 1 when its "
                     "multiplexed bitline is at or above its DAC output.",
                     "Sampled on the last cycle of each SAR trial."),
        dac=port_out("ceil(2 * outputs / columns_per_adc) * bits", "Trial code of ADC g at bits "
                     "[g*bits, (g+1)*bits) for its SAR DAC.", "Registered; one trial per bit, MSB first."),
        sel=port_out("ceil(log2 columns_per_adc), at least 1", "Multiplexer select: ADC g converts bitline "
                     "g*columns_per_adc + sel.", "Registered; changes at the edge that starts a conversion "
                                                 "(before its sample cycle)."),
        index=port_out("ceil(log2 outputs), at least 1", "The class: argmax of the W+ minus W- codes, ties to "
                                                         "the lowest index.", "Valid while valid is high."),
        valid=port_out("1", "index belongs to the last conversion.", "High from the end of a conversion until "
                                                                      "the cycle after the next start."),
        busy=port_out("1", "A conversion is in progress.", "Rises the cycle after start."),
    )

    def __init__(self, outputs: int, bits: int, *, columns_per_adc: int = 1):
        self.outputs = check_int("outputs", outputs, minimum=1, owner="InferenceTop")
        self.bits = check_int("bits", bits, minimum=1, maximum=16, owner="InferenceTop")
        self.columns_per_adc = check_int("columns_per_adc", columns_per_adc, minimum=1, maximum=2 * outputs,
                                         owner="InferenceTop")
        self.groups = bank_groups(2 * outputs, columns_per_adc)
        super().__init__(self.PORTS.signature(start=1, comp=self.groups, dac=self.groups * bits,
                                              sel=index_width(columns_per_adc), index=index_width(outputs),
                                              valid=1, busy=1))

    @property
    def module_name(self) -> str:
        return f"inference_top_o{self.outputs}_b{self.bits}_m{self.columns_per_adc}"

    @property
    def parameters(self) -> dict:
        return {"outputs": self.outputs, "bits": self.bits, "columns_per_adc": self.columns_per_adc}

    @property
    def latency_cycles(self) -> int:
        """Edges from the one sampling ``start`` to the one raising ``valid``."""
        return 1 + self.columns_per_adc * (self.bits + 2)

    def elaborate(self, platform):
        m = Module()
        b, n = self.bits, self.outputs
        w = b + 1
        m.submodules.bank = bank = SarBank(2 * n, b, columns_per_adc=self.columns_per_adc)
        m.d.comb += [bank.start.eq(self.start), bank.comp.eq(self.comp), self.dac.eq(bank.dac),
                     self.sel.eq(bank.sel), self.busy.eq(bank.busy)]
        m.submodules.argmax = am = ArgMax(n, w, signed=True)
        for k, d in enumerate(_differences(m, bank, n, b, "diff")):
            m.d.comb += am.data[k * w:(k + 1) * w].eq(d)
        m.d.comb += [am.valid_in.eq(bank.done), self.valid.eq(am.valid_out), self.index.eq(am.index)]
        return m


@document_ports
class MlpInferenceTop(wiring.Component):
    """Two-layer (MLP) readout: bank 1, W⁺ − W⁻, bounded ReLU, layer-2 DAC codes, bank 2, W⁺ − W⁻, argmax.

    Layer 1 has ``2 * hidden`` bitlines, layer 2 ``2 * outputs`` (W⁺ at even,
    W⁻ at odd), each read by a :class:`SarBank` of ``columns_per_adc``
    bitlines per ADC.  After bank 1 the differences go through
    :class:`~pycodesign.rtl.ReLU` (``min(max(d, 0) >> relu_shift,
    relu_limit)``); the layer-2 DAC code of hidden unit ``i`` is that value
    shifted left by ``dac_lift`` (the DAC's low bits tied to 0).  The codes
    leave on one bus, a row per cycle (``wl_row``, ``wl_code``, ``wl_load``)
    into per-row sample-and-holds in the netlist -- ``hidden * dac_bits``
    parallel DAC bits would not fit a d_cosim instance.  After ``settle_cycles`` for the
    layer-2 array, bank 2 converts and the argmax takes the class.

    Synchronous (``clk``, ``rst``).

    Parameters
    ----------
    hidden : int
        Hidden units (layer-1 outputs, layer-2 wordlines without the bias row), ``>= 1``.
    outputs : int
        Network outputs, ``>= 1``.
    bits : int
        ADC resolution of both layers, ``1 <= bits <= 16``.
    dac_bits : int
        Layer-2 DAC resolution, ``1 <= dac_bits <= 16``.
    relu_shift : int
        ReLU right shift, ``0 <= relu_shift <= bits - 1``.
    relu_limit : int
        ReLU saturation (shifted codes), ``0 <= relu_limit <= (2**dac_bits - 1) >> dac_lift``.
    dac_lift : int
        Left shift of the ReLU output into the DAC code, ``0 <= dac_lift < dac_bits``.
    columns_per_adc : int
        Bitlines per ADC in both layers, ``1 <= columns_per_adc <= 2 * min(hidden, outputs)``.
    settle_cycles : int
        Cycles between the last layer-2 wordline load and bank 2's start, ``>= 1``.

    Attributes
    ----------
    {PORTS}

    The codes (``bank1.code<j>``, ``bank2.code<j>``), the differences
    (``diff1_<k>``, ``diff2_<k>``) and the ReLU outputs (``act<i>``, before
    the lift) are internal signals, in the VCD.
    """

    PORTS = PortTable(
        start=port_in("1", "Classify the image on the layer-1 wordlines (ignored while busy).",
                      "Sampled at a rising edge while idle."),
        comp1=port_in("ceil(2 * hidden / columns_per_adc)", "Layer-1 comparator of ADC g at bit g.",
                      "Sampled on the last cycle of each SAR trial."),
        comp2=port_in("ceil(2 * outputs / columns_per_adc)", "Layer-2 comparator of ADC g at bit g.",
                      "Sampled on the last cycle of each SAR trial."),
        dac1=port_out("ceil(2 * hidden / columns_per_adc) * bits", "Layer-1 SAR DAC trial code of ADC g at "
                      "bits [g*bits, (g+1)*bits).", "Registered; one trial per bit, MSB first."),
        sel1=port_out("ceil(log2 columns_per_adc), at least 1", "Layer-1 multiplexer select (ADC g converts "
                      "bitline g*columns_per_adc + sel1).", "Registered; constant during a conversion."),
        wl_code=port_out("dac_bits", "Layer-2 DAC code of hidden unit wl_row: ReLU output << dac_lift.",
                         "Changes with wl_row; held while wl_load is high."),
        wl_row=port_out("ceil(log2 hidden), at least 1", "Layer-2 wordline whose sample-and-hold loads.",
                        "Registered; one row per cycle ({load_cycles_per_row}), 0 .. hidden-1, while wl_load is "
                        "high."),
        wl_load=port_out("1", "The load bus carries a row: the netlist samples wl_code into row wl_row's "
                              "sample-and-hold during the low half of the clock.",
                         "High for the hidden cycles of the load, from the cycle after bank 1's done."),
        dac2=port_out("ceil(2 * outputs / columns_per_adc) * bits", "Layer-2 SAR DAC trial code of ADC g.",
                      "Registered; one trial per bit, MSB first."),
        sel2=port_out("ceil(log2 columns_per_adc), at least 1", "Layer-2 multiplexer select.",
                      "Registered; constant during a conversion."),
        index=port_out("ceil(log2 outputs), at least 1", "The class: argmax of the layer-2 W+ minus W- codes, "
                                                         "ties to the lowest index.", "Valid while valid is high."),
        valid=port_out("1", "index belongs to the last image.", "Registered: rises {latency_cycles} edges after "
                                                                "start was sampled; low from the next start."),
        busy=port_out("1", "An image is in progress.", "High from the cycle after start until valid rises."),
    )

    def __init__(self, *, hidden: int, outputs: int, bits: int, dac_bits: int, relu_shift: int, relu_limit: int,
                 dac_lift: int = 0, columns_per_adc: int = 1, settle_cycles: int = 2):
        own = "MlpInferenceTop"
        self.hidden = check_int("hidden", hidden, minimum=1, owner=own)
        self.outputs = check_int("outputs", outputs, minimum=1, owner=own)
        self.bits = check_int("bits", bits, minimum=1, maximum=16, owner=own)
        self.dac_bits = check_int("dac_bits", dac_bits, minimum=1, maximum=16, owner=own)
        self.relu_shift = check_int("relu_shift", relu_shift, minimum=0, maximum=bits - 1, owner=own)
        self.dac_lift = check_int("dac_lift", dac_lift, minimum=0, maximum=dac_bits - 1, owner=own)
        # the lifted code must fit the DAC: limit << lift <= 2^K - 1
        self.relu_limit = check_int("relu_limit", relu_limit, minimum=0,
                                    maximum=((1 << dac_bits) - 1) >> dac_lift, owner=own)
        self.columns_per_adc = check_int("columns_per_adc", columns_per_adc, minimum=1,
                                         maximum=2 * min(hidden, outputs), owner=own)
        self.settle_cycles = check_int("settle_cycles", settle_cycles, minimum=1, maximum=1 << 16, owner=own)
        self.load_cycles_per_row = LOAD_CYCLES_PER_ROW
        self.groups1 = bank_groups(2 * hidden, columns_per_adc)
        self.groups2 = bank_groups(2 * outputs, columns_per_adc)
        sw = index_width(columns_per_adc)
        super().__init__(self.PORTS.signature(
            start=1, comp1=self.groups1, comp2=self.groups2, dac1=self.groups1 * bits, sel1=sw,
            wl_code=dac_bits, wl_row=index_width(hidden), wl_load=1, dac2=self.groups2 * bits, sel2=sw,
            index=index_width(outputs), valid=1, busy=1))

    @property
    def module_name(self) -> str:
        return (f"mlp_inference_top_h{self.hidden}_o{self.outputs}_b{self.bits}_k{self.dac_bits}"
                f"_s{self.relu_shift}_lim{self.relu_limit}_l{self.dac_lift}_m{self.columns_per_adc}"
                f"_c{self.settle_cycles}")

    @property
    def parameters(self) -> dict:
        return {"hidden": self.hidden, "outputs": self.outputs, "bits": self.bits, "dac_bits": self.dac_bits,
                "relu_shift": self.relu_shift, "relu_limit": self.relu_limit, "dac_lift": self.dac_lift,
                "columns_per_adc": self.columns_per_adc, "settle_cycles": self.settle_cycles}

    @property
    def bank_latency_cycles(self) -> int:
        return 1 + self.columns_per_adc * (self.bits + 2)

    @property
    def load_start_cycle(self) -> int:
        """Edges from the one sampling ``start`` to the first load cycle's (``wl_row = 0``) start."""
        return self.bank_latency_cycles + 1

    @property
    def latency_cycles(self) -> int:
        """Edges from the one sampling ``start`` to the one raising ``valid``."""
        # bank 1, one cycle to see its done, the loads, the settling (bank 2's start is sampled at the
        # end of its last cycle), bank 2, one cycle to see its done
        return (self.load_start_cycle + LOAD_CYCLES_PER_ROW * self.hidden + self.settle_cycles
                + self.bank_latency_cycles + 1)

    def elaborate(self, platform):
        m = Module()
        b, h, o, k = self.bits, self.hidden, self.outputs, self.dac_bits
        w = b + 1
        cpa = self.columns_per_adc
        m.submodules.bank1 = bank1 = SarBank(2 * h, b, columns_per_adc=cpa)
        m.submodules.bank2 = bank2 = SarBank(2 * o, b, columns_per_adc=cpa)
        m.d.comb += [bank1.comp.eq(self.comp1), self.dac1.eq(bank1.dac), self.sel1.eq(bank1.sel),
                     bank2.comp.eq(self.comp2), self.dac2.eq(bank2.dac), self.sel2.eq(bank2.sel)]
        m.submodules.relu = relu = ReLU(w, k, lanes=h, shift=self.relu_shift, limit=self.relu_limit)
        for i, d in enumerate(_differences(m, bank1, h, b, "diff1_")):
            m.d.comb += relu.x[i * w:(i + 1) * w].eq(d)
        acts = []
        for i in range(h):
            a = Signal(k, name=f"act{i}")
            m.d.comb += a.eq(relu.y[i * k:(i + 1) * k])
            acts.append(Cat(Const(0, self.dac_lift), a[:k - self.dac_lift]) if self.dac_lift else a)
        lifted = Array(acts)
        m.submodules.argmax = am = ArgMax(o, w, signed=True)
        for i, d in enumerate(_differences(m, bank2, o, b, "diff2_")):
            m.d.comb += am.data[i * w:(i + 1) * w].eq(d)
        m.d.comb += [self.index.eq(am.index), am.valid_in.eq(self.valid)]

        row = self.wl_row
        wait = Signal(range(self.settle_cycles + 1))
        m.d.comb += [self.wl_code.eq(lifted[row]), self.wl_load.eq(0)]
        with m.FSM(name="mlp_state"):
            with m.State("IDLE"):
                m.d.comb += bank1.start.eq(self.start)
                with m.If(self.start):
                    m.d.sync += self.valid.eq(0)
                    m.next = "LAYER1"
            with m.State("LAYER1"):
                m.d.comb += self.busy.eq(1)
                with m.If(bank1.done):
                    m.d.sync += row.eq(0)
                    m.next = "LOAD"
            with m.State("LOAD"):
                m.d.comb += [self.busy.eq(1), self.wl_load.eq(1)]
                with m.If(row == h - 1):
                    m.d.sync += wait.eq(0)
                    m.next = "SETTLE"
                with m.Else():
                    m.d.sync += row.eq(row + 1)
            with m.State("SETTLE"):
                m.d.comb += self.busy.eq(1)
                m.d.sync += wait.eq(wait + 1)
                with m.If(wait == self.settle_cycles - 1):
                    m.d.comb += bank2.start.eq(1)
                    m.next = "LAYER2"
            with m.State("LAYER2"):
                m.d.comb += self.busy.eq(1)
                # bank 2's done was cleared at the edge that sampled its start (the one entering here)
                with m.If(bank2.done):
                    m.d.sync += self.valid.eq(1)
                    m.next = "IDLE"
        return m

