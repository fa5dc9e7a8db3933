"""Analog crossbar arrays: one circuit description, two engines.

* :mod:`~pycodesign.analog.circuit` — :class:`CrossbarSpec` (devices, 1R/1T1R,
  parasitics, partitions, wordline connection, TIA, differential scheme) and
  :func:`build_circuit`, the single topology code (stated in its docstring).
* :mod:`~pycodesign.analog.netlist` — ngspice deck writer (OSDI devices).
* :mod:`~pycodesign.analog.solver` — sparse nodal-analysis solver (exact for
  linear devices, Newton for nonlinear ones), factorise once, solve many.
* :mod:`~pycodesign.analog.spice_engine` — one ngspice job for many inputs.
* :mod:`~pycodesign.analog.peripherals` — DAC/ADC quantisation, variability,
  stuck-at faults, read noise (seeded).

Configuration sections (:class:`CrossbarParasitics`, :class:`TiaConfig`,
:class:`AccessTransistor`) are :mod:`pycodesign.config`'s, re-exported here;
a whole network on an architecture is :func:`pycodesign.system.evaluate`.
* :mod:`~pycodesign.analog.metrics` — output current range, power in devices
  vs wires, read margin, settling latency to 1 %.

Quick use::

    from pycodesign.analog import solve_crossbar, simulate_crossbar
    I = solve_crossbar(g, v_in, r_row=1.0, r_col=1.0)            # (batch, columns), A
    I_ngspice = simulate_crossbar(g, v_in, r_row=1.0, r_col=1.0)  # same, by ngspice
"""
from .circuit import (CELLS, DIFFERENTIAL_SCHEMES, TIA_KINDS, Circuit, CrossbarParasitics, CrossbarSpec, TiaConfig,
                      build_circuit)
from .crossbar import crossbar_spec, simulate, simulate_crossbar, solve, solve_crossbar
from .metrics import ElectricalMetrics, SettlingResult, electrical_metrics, settling_time
from .mosfet import AccessTransistor
from .netlist import write_netlist
from .peripherals import (adc_lsb, adc_quantize, apply_stuck_at, apply_variability, dac_codes, dac_quantize,
                          read_noise)
from .solver import CrossbarResult, CrossbarSolver, SolverConvergenceError, transient_linear

__all__ = [
    "CELLS", "DIFFERENTIAL_SCHEMES", "TIA_KINDS",
    "CrossbarParasitics", "CrossbarSpec", "TiaConfig", "AccessTransistor", "Circuit", "build_circuit",
    "solve_crossbar", "simulate_crossbar", "solve", "simulate", "crossbar_spec",
    "CrossbarSolver", "CrossbarResult", "SolverConvergenceError", "transient_linear",
    "write_netlist",
    "dac_codes", "dac_quantize", "adc_quantize", "adc_lsb", "apply_variability", "apply_stuck_at", "read_noise",
    "ElectricalMetrics", "electrical_metrics", "SettlingResult", "settling_time",
]
