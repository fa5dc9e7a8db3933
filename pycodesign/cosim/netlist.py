"""Deck pieces shared by the co-simulations: bridges, the ``d_cosim`` instance, the array.

Digital ↔ analog interface (XSPICE), every number stated (ngspice's defaults
add about 2 ns of lag per crossing, so none is left at its default):

* ``adc_bridge`` (analog → digital): one threshold ``adc_threshold_v`` for both
  edges (``in_low = in_high``), output delay ``adc_delay_s``;
* ``dac_bridge`` (digital → analog): 0 V / ``logic_high_v``, ramps of
  ``dac_rise_s`` (also the rise and fall of every write and read pulse at
  the drivers);
* ``d_cosim``: the RTL's outputs change ``cosim_delay_s`` after the input
  event that caused them (its ``delay`` parameter).

So an RTL output caused by a rising clock edge reaches full level at the
analog drivers ``adc_delay_s + cosim_delay_s + dac_rise_s`` after the clock
edge.

**The clock** (:func:`clock_lines`) is an analog triangle wave, ``PULSE(0
V_H 0 T/2 T/2 0 T)``: it rises from 0 to ``logic_high_v`` over the first
half period and falls over the second, and its own ``adc_bridge``
(``pcd_clk``) has its threshold at ``CLOCK_THRESHOLD`` (0.999) of
``logic_high_v``.  The rising edge the RTL sees is therefore the triangle's
top corner at ``(k + 1/2) T`` -- a breakpoint of the source, so ngspice
always puts a time point on it (an ``adc_bridge`` reports a crossing at the
first accepted time point after it; a crossing in the middle of a ramp is
seen up to one time step late).  The falling edge (below the same threshold
just after the corner) does nothing in the RTL.  A square ``PULSE`` clock
has four corners per period and each corner is a breakpoint after which
ngspice restarts with a tenth of the previous step; the triangle has two,
and with it a programming cycle costs about 20 accepted time points instead
of 45 (``benchmarks/cosim_speed.py``).  Its edges are exact to
``(1 - CLOCK_THRESHOLD) T/2`` (2.5 ps at 5 ns).

**Port budget.**  ngspice 46 crashed while reading a deck whose ``d_cosim``
instance had more than :data:`MAX_DCOSIM_BITS` (276) digital port bits, in
and out together ("realloc: can't allocate -2147483648 bytes" or a
segfault; 276 ran, 277 did not, whatever the split between inputs and
outputs and the node names' lengths).  :func:`cosim_instance` refuses such an
instance with a clear error; outputs that only the VCD needs (positions,
counters) can be left unbridged (``build_cosim_library(...,
hidden_outputs=...)``).

The array itself comes from :func:`pycodesign.analog.netlist.write_netlist`
(wires, capacitors, 1T1R transistors of the one circuit description); its
input drivers and TIAs are removed and replaced by the co-simulation's own
drivers, and the device lines are rewritten so every device can carry its
own parameters (seeded device-to-device variability).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Mapping, Sequence

import numpy as np

from ..analog.circuit import Circuit
from ..analog.netlist import write_netlist
from .build import CosimLibrary

__all__ = ["BridgeTiming", "bridge_model_cards", "cosim_instance", "digital_nodes", "array_lines",
           "device_lines", "gate_lines", "fmt", "clock_lines", "tran_options", "control_lines", "check_clock_edges", "CLOCK_THRESHOLD", "MAX_DCOSIM_BITS"]

#: Threshold of the clock's adc_bridge as a fraction of ``logic_high_v``: the
#: rising edge is the triangle clock's top corner (see the module doc).
CLOCK_THRESHOLD = 0.999

#: Most digital port bits (inputs + outputs) a ``d_cosim`` instance may have:
#: ngspice 46 crashed reading a deck with 277 (see the module doc).
MAX_DCOSIM_BITS = 276


def fmt(x: float) -> str:
    """A number for a deck: shortest text that reads back to the same double."""
    return repr(float(x))


@dataclass(frozen=True)
class BridgeTiming:
    """Timing and levels of the digital ↔ analog bridges (see the module doc).

    Parameters
    ----------
    logic_high_v : float
        Analog level of a digital 1 from a ``dac_bridge`` (V), > 0.
    adc_threshold_v : float
        ``adc_bridge`` threshold for both edges (V), in ``(0, logic_high_v)``.
    adc_delay_s : float
        ``adc_bridge`` output delay (s), > 0.
    dac_rise_s : float
        ``dac_bridge`` rise and fall time (s), > 0.
    cosim_delay_s : float
        ``d_cosim`` output delay (s), >= 1 ps (ngspice's minimum).
    """

    logic_high_v: float = 1.0
    adc_threshold_v: float = 0.5
    adc_delay_s: float = 1e-12
    dac_rise_s: float = 50e-12
    cosim_delay_s: float = 10e-12

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"BridgeTiming: {f.name} = {v!r} is not allowed; must be a finite number > 0")
        if not self.adc_threshold_v < self.logic_high_v:
            raise ValueError(f"BridgeTiming: adc_threshold_v = {self.adc_threshold_v!r} V must be below "
                             f"logic_high_v = {self.logic_high_v!r} V")
        if self.cosim_delay_s < 1e-12:
            raise ValueError(f"BridgeTiming: cosim_delay_s = {self.cosim_delay_s!r} s is below d_cosim's "
                             "minimum of 1 ps")

    @property
    def latency_s(self) -> float:
        """Clock crossing to an RTL output at full analog level (s), without the time-step jitter."""
        return self.adc_delay_s + self.cosim_delay_s + self.dac_rise_s

    def check_clock(self, period_s: float, where: str = "clock_period_s") -> None:
        """The bridges must settle well inside half a clock period."""
        if not self.latency_s + self.dac_rise_s < 0.25 * period_s:
            raise ValueError(f"{where} = {period_s!r} s is too short for the bridge timing: the bridges need "
                             f"{self.latency_s + self.dac_rise_s:.3g} s per edge (adc_delay_s + cosim_delay_s + "
                             "2 dac_rise_s), which must stay below a quarter period")


def bridge_model_cards(t: BridgeTiming) -> list[str]:
    """``.model`` lines ``pcd_adc`` (adc_bridge) and ``pcd_dac`` (dac_bridge)."""
    th = fmt(t.adc_threshold_v)
    return [
        f".model pcd_adc adc_bridge in_low={th} in_high={th} rise_delay={fmt(t.adc_delay_s)} "
        f"fall_delay={fmt(t.adc_delay_s)}",
        f".model pcd_dac dac_bridge out_low=0 out_high={fmt(t.logic_high_v)} "
        f"out_undef={fmt(t.logic_high_v / 2)} t_rise={fmt(t.dac_rise_s)} t_fall={fmt(t.dac_rise_s)}",
    ]


def clock_lines(period_s: float, t: BridgeTiming, *, node: str = "clk_a", digital: str = "d_clk") -> list[str]:
    """The analog triangle clock and its ``adc_bridge`` (rising edges at ``(k + 1/2) period_s``).

    See the module doc: the edge is the triangle's top corner, a breakpoint of
    the source, detected by a bridge whose threshold is ``CLOCK_THRESHOLD``
    of ``logic_high_v``.
    """
    T, vh = fmt(period_s), fmt(t.logic_high_v)
    th = fmt(CLOCK_THRESHOLD * t.logic_high_v)
    half = fmt(period_s / 2)
    return [
        f"* clock: triangle 0 -> {vh} V over T/2 and back (T = {T} s); the RTL's rising edge is the top "
        f"corner at (k + 1/2) T, seen by an adc_bridge at {th} V",
        f"Vclk {node} 0 PULSE(0 {vh} 0 {half} {half} 0 {T})",
        f".model pcd_clk adc_bridge in_low={th} in_high={th} rise_delay={fmt(t.adc_delay_s)} "
        f"fall_delay={fmt(t.adc_delay_s)}",
        f"Aclk [{node}] [{digital}] pcd_clk",
    ]


def check_clock_edges(rises_s, period_s: float, t_stop_s: float, delay_s: float = 1e-12) -> None:
    """Raise if the RTL did not see exactly one rising clock edge at every ``(k + 1/2) period_s``.

    *rises_s* are the rising edges of ``clk`` in the RTL's VCD.  Each must lie
    within ``(1 - CLOCK_THRESHOLD) period_s / 2`` plus the bridge delay *delay_s* of its
    corner: a missed or early edge would change the programme the RTL runs.
    """
    from ..errors import SimulationError

    r = np.asarray(rises_s, dtype=float)
    n = int(math.floor((t_stop_s - period_s / 2) / period_s)) + 1
    if r.size != n and r.size != n - 1:  # the last corner may lie on the stop time
        raise SimulationError(f"the RTL saw {r.size} rising clock edges; the {t_stop_s:.4g} s transient has {n} "
                              f"(clock period {period_s:.4g} s)")
    ideal = (np.arange(r.size) + 0.5) * period_s
    worst = float(np.max(np.abs(r - ideal))) if r.size else 0.0
    if worst > (1 - CLOCK_THRESHOLD) * period_s / 2 + delay_s + 1e-13:
        k = int(np.argmax(np.abs(r - ideal)))
        raise SimulationError(f"clock edge {k} reached the RTL at {r[k]:.6g} s, {worst:.3g} s from its corner at "
                              f"{ideal[k]:.6g} s")


def tran_options(*extra: str) -> list[str]:
    """``.options`` words every co-simulation deck uses, then *extra* (a device's, a caller's), each key once:
    a later word replaces an earlier one with the same key.

    ``convabsstep=1e3``: XSPICE caps how far any code-model analog input (the
    ``adc_bridge`` inputs: clock, ADC bits, comparators) may move per Newton
    iteration, at max(0.25 |previous value|, 0.1 V), and marks the iteration
    unconverged when it hits the cap; every 0 -> 1 V bit edge then cost up to
    ~8 extra iterations.  The bridges' inputs feed nothing back into the
    circuit, so lifting the cap changes no result: on the 64x20 programming
    deck every pulse and every state stayed the same (states within 0.04 pm)
    with 1.6x fewer iterations per time point.

    ``method=gear``: about as fast here, and ~30x closer to a converged
    (25 ps step) reference at the start of each pulse than trapezoidal.

    No key is written twice (ngspice 46 crashed on a deck with ``xtrtol``
    twice in ``.options``).  ``xtrtol`` itself is a control variable: see
    :func:`control_lines`.
    """
    out: dict[str, str] = {}
    for word in ("convabsstep=1e3", "method=gear", *extra):
        out[word.split("=", 1)[0].lower()] = word
    return list(out.values())


def control_lines() -> list[str]:
    """``.control`` lines every co-simulation runs before its transient.

    ``set xtrtol=7``: XSPICE reduces ngspice's ``trtol`` (truncation-error
    overestimate factor, default 7) to 1 in any circuit with ``A`` devices,
    which made ngspice take ~15 % more time points here for no accuracy the
    co-simulation needs; the ``xtrtol`` variable restores the default.  It is
    set here, as ngspice documents it, and not in ``.options``: with
    ``.options xtrtol=7`` ngspice 46 crashed (SIGSEGV, no output) on 64x20 QMM
    programming decks -- the same decks run to the end with ``set xtrtol=7``.
    """
    return ["set xtrtol=7"]


def digital_nodes(port: str, width: int, prefix: str = "d") -> list[str]:
    """Digital node names of a port, most significant bit first (d_cosim's order)."""
    if width == 1:
        return [f"{prefix}_{port}"]
    return [f"{prefix}_{port}_{b}" for b in range(width - 1, -1, -1)]


def cosim_instance(lib: CosimLibrary, *, library_file: str, vcd_file: str | None, timing: BridgeTiming,
                   name: str = "dut", card: str = "pcd_rtl") -> list[str]:
    """The ``d_cosim`` instance (every port on nodes from :func:`digital_nodes`) and its model card.

    *library_file* and *vcd_file* are file names relative to the folder ngspice
    runs in (the runner copies the library there).
    """
    for f in (library_file, vcd_file or ""):
        if not re.fullmatch(r"[A-Za-z0-9_.\-/]*", f) or '"' in f:
            raise ValueError(f"cosim_instance: file name {f!r} must be plain (letters, digits, _ . - /)")
    ins = [n for p in lib.inputs for n in digital_nodes(p.name, p.width)]
    outs = [n for p in lib.outputs for n in digital_nodes(p.name, p.width)]
    if len(ins) + len(outs) > MAX_DCOSIM_BITS:
        raise ValueError(f"{lib.top}: {len(ins)} input and {len(outs)} output bits on one d_cosim instance; "
                         f"ngspice 46 crashes reading a deck with more than {MAX_DCOSIM_BITS} (fewer partitions, "
                         "ADC bits or columns per instance, or outputs left to the VCD: "
                         "build_cosim_library(hidden_outputs=...))")
    queue = 4 * len(ins) + 64  # every input may change at one time point; the default 128 can overflow
    card_line = (f'.model {card} d_cosim simulation="{library_file}" delay={fmt(timing.cosim_delay_s)} '
                 f"queue_size={queue}")
    if vcd_file:
        card_line += f' sim_args=["vcd:{vcd_file}"]'
    return [f"* RTL {lib.top} (Verilator, {len(ins)} input and {len(outs)} output bits, MSB first per port)",
            _wrap(f"a{name} [", ins, "]") + "\n+ " + _wrap("[", outs, f"] {card}"),
            card_line]


def _wrap(head: str, items: Sequence[str], tail: str, per_line: int = 16) -> str:
    chunks = [" ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return head + "\n+ ".join(chunks) + tail


# --------------------------------------------------------------------------- the array


_DRIVER_LINE = re.compile(r"^(Vin|Vsel|Vs)\d+ ")
_DEVICE_LINE = re.compile(r"^N\d+_\d+ ")


def device_lines(circuit: Circuit, per_device: Mapping[str, np.ndarray] | None = None, *,
                 card: str = "dev") -> list[str]:
    """Instance lines of every device (and the ``.model`` card(s)).

    Parameters
    ----------
    circuit : Circuit
    per_device : mapping name -> array (physical rows, physical columns), optional
        Parameter values per device (e.g. variability).  Instance parameters
        go on the instance lines; if a model (non-instance) parameter varies,
        every device gets its own card ``<card>_<row>_<col>``.
    """
    s = circuit.spec
    model = s.model
    base = dict(s.params)
    pm = model.param_map
    per = {k: np.asarray(v, dtype=float) for k, v in (per_device or {}).items()}
    shape = s.physical_shape
    for k, v in per.items():
        if k not in pm:
            raise ValueError(f"device parameter {k!r} is not a parameter of {model.name}; known: {', '.join(pm)}")
        if v.shape != shape:
            raise ValueError(f"per-device values of {k!r} have shape {v.shape}; expected {shape}")
    own_cards = any(not pm[k].instance for k in per)
    state_name = model.state.initial_param
    lines = [f"* devices: {model.name} ({model.module}); state parameter {state_name!r}"
             + ("; one card per device (model parameters vary)" if own_cards else "")]
    for k in range(len(circuit.dev_a)):
        r, c = int(circuit.dev_row[k]), int(circuit.dev_col[k])
        p = dict(base)
        for name, v in per.items():
            p[name] = float(v[r, c])
        p[state_name] = float(circuit.dev_state[k])
        for name in per:
            pm[name].check(p[name], model.name)
        this_card = f"{card}_{r}_{c}" if own_cards else card
        a, b = circuit.node_names[circuit.dev_a[k]], circuit.node_names[circuit.dev_b[k]]
        lines.append(model.instance_line(f"N{r}_{c}", a, b, this_card, p))
        if own_cards:
            lines.append(model.model_card(this_card, p))
    if not own_cards:
        lines.append(model.model_card(card, base))
    return lines


def gate_lines(circuit: Circuit) -> list[str]:
    """1T1R: a DC source per gate line at the access transistor's ``v_gate_v`` (every row on, as in a
    parallel read and in :func:`pycodesign.system.evaluate`); nothing for 1R.  :func:`array_lines` leaves
    the gates undriven, the programming deck switches them per row."""
    s = circuit.spec
    if s.cell != "1T1R":
        return []
    info = write_netlist(circuit, np.zeros((1, s.rows)), mode="op", options=())
    return [line for line in info.text.splitlines() if line.startswith("Vsel")]  # the netlist writer's own


def array_lines(circuit: Circuit, per_device: Mapping[str, np.ndarray] | None = None) -> list[str]:
    """The array of *circuit* without its input drivers and TIAs, devices from :func:`device_lines`.

    Nodes keep the circuit's names: wordline drivers attach to ``in<row>``,
    bitline drivers to ``s<col>``, 1T1R gate drivers to ``sel<row>``.

    Raises
    ------
    ValueError
        The circuit has an op-amp TIA (the co-simulation brings its own read path).
    RuntimeError
        The netlist writer's output no longer has the expected driver/device
        lines (the filter below would be wrong).
    """
    s = circuit.spec
    if s.tia.kind != "ideal":
        raise ValueError("array_lines: use an ideal-TIA CrossbarSpec; the co-simulation brings its own read path")
    pr = s.physical_shape[0]
    info = write_netlist(circuit, np.zeros((1, s.rows)), mode="op", options=())
    body = info.text.splitlines()[1:]  # drop the title line
    kept, drivers, devices = [], 0, 0
    card = re.compile(r"^\.model dev ")
    for line in body:
        if _DRIVER_LINE.match(line):
            drivers += 1
        elif _DEVICE_LINE.match(line):
            devices += 1
        elif card.match(line):
            continue
        else:
            kept.append(line)
    expected = pr + len(circuit.gate_node) + len(circuit.sense_node)
    if drivers != expected or devices != len(circuit.dev_a):
        raise RuntimeError(f"array_lines: the netlist writer produced {drivers} driver and {devices} device lines; "
                           f"expected {expected} and {len(circuit.dev_a)} (did write_netlist change its format?)")
    return kept + device_lines(circuit, per_device)
