"""The d_cosim chain on this machine: Amaranth -> Verilog -> Verilator library -> ngspice.

The kit's address sequencer runs inside ngspice, clocked by the kit's analog
triangle clock (``clock_lines``) through an adc_bridge; its row/column outputs come back through
dac_bridges into the raw file and as the RTL's own VCD.  Both must show the
row-major walk the golden model predicts, edge for edge.
"""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.cosim.build import build_cosim_library, cache_dir
from pycodesign.cosim.build import CosimLibrary, CosimPort
from pycodesign.cosim.netlist import (CLOCK_THRESHOLD, MAX_DCOSIM_BITS, BridgeTiming, bridge_model_cards,
                                      check_clock_edges, clock_lines, cosim_instance, digital_nodes, fmt)
from pycodesign.errors import SimulationError
from pycodesign.cosim.vcd import read_vcd
from pycodesign.rtl import AddressSequencer, verilog
from pycodesign.rtl.models import AddressSequencerModel
from pycodesign.spice import run_batch

T = 10e-9  # clock period (s)


@pytest.fixture(scope="module")
def sequencer_lib():
    seq = AddressSequencer(2, 3)
    return build_cosim_library(verilog(seq), seq.module_name, trace=True)


def test_library_ports_follow_the_module(sequencer_lib):
    lib = sequencer_lib
    assert lib.path.is_file() and lib.path.is_relative_to(cache_dir())
    assert {p.name for p in lib.inputs} == {"clk", "rst", "restart", "advance"}
    widths = {p.name: p.width for p in lib.outputs}
    assert widths == {"row": 1, "col": 2, "last": 1, "done": 1}
    again = build_cosim_library(verilog(AddressSequencer(2, 3)), lib.top, trace=True)
    assert again.cached and again.path == lib.path  # cached by content


def test_build_error_names_the_module():
    with pytest.raises(ValueError, match="nosuch"):
        build_cosim_library("module other(input wire a); endmodule\n", "nosuch")


def test_sequencer_walks_inside_ngspice(sequencer_lib, tmp_path):
    lib = sequencer_lib
    tb = BridgeTiming()
    vh = fmt(tb.logic_high_v)
    tr = fmt(tb.dac_rise_s)
    # Clock edges at (k + 1/2) T; reset over the first two edges, restart at
    # the third, then advance on every edge.
    deck = ["sequencer in ngspice", *bridge_model_cards(tb), *clock_lines(T, tb),
            f"Vrst rst_a 0 PWL(0 {vh} {fmt(2 * T)} {vh} {fmt(2 * T + tb.dac_rise_s)} 0)",
            f"Vrestart restart_a 0 PWL(0 0 {fmt(2 * T)} 0 {fmt(2 * T + tb.dac_rise_s)} {vh} {fmt(3 * T)} {vh} "
            f"{fmt(3 * T + tb.dac_rise_s)} 0)",
            f"Vadv adv_a 0 PWL(0 0 {fmt(3 * T)} 0 {fmt(3 * T + tb.dac_rise_s)} {vh})",
            "Astim [rst_a restart_a adv_a] [d_rst d_restart d_advance] pcd_adc"]
    deck += cosim_instance(lib, library_file=str(lib.path), vcd_file="seq.vcd", timing=tb)
    outs = digital_nodes("row", 1) + digital_nodes("col", 2) + digital_nodes("done", 1)
    deck.append(f"Aout [{' '.join(outs)}] [row_a col1_a col0_a done_a] pcd_dac")
    res = run_batch("\n".join(deck) + "\n", [f"tran {fmt(T / 20)} {fmt(12 * T)}"], workdir=tmp_path)
    plot = res.plots[0]

    # The golden model, edge by edge: edge k at (k + 1/2) T.
    model = AddressSequencerModel(2, 3)
    expected = []
    for k in range(12):
        rst, restart, advance = k < 2, k == 2, k >= 3
        if rst:
            model.reset()
        else:
            model.step(restart, advance)
        expected.append((model.row, model.col, int(model.done)))

    t = np.real(plot["time"])
    got = []
    for k in range(11):
        # Mid-way between edge k and k+1: outputs of edge k have settled.
        i = int(np.searchsorted(t, (k + 1) * T))
        row = plot["v(row_a)"][i] > 0.5
        col = 2 * (plot["v(col1_a)"][i] > 0.5) + (plot["v(col0_a)"][i] > 0.5)
        got.append((int(row), int(col), int(plot["v(done_a)"][i] > 0.5)))
    assert got == expected[:11]

    vcd = read_vcd(tmp_path / "seq.vcd")
    col = vcd.find("col")
    row = vcd.find("row")
    walk = [(row.value_at((k + 1) * T), col.value_at((k + 1) * T)) for k in range(11)]
    assert walk == [(r, c) for r, c, _ in expected[:11]]
    # The RTL sees every clock edge at the triangle's corner, within the bridge delay.
    rises = np.asarray(vcd.find("clk").bit_rises(0))
    assert rises.size == 12
    assert np.max(np.abs(rises - (np.arange(12) + 0.5) * T)) <= (1 - CLOCK_THRESHOLD) * T / 2 + 2 * tb.adc_delay_s
    check_clock_edges(rises, T, 12 * T, tb.adc_delay_s)


def _fake_library(n_in: int, n_out: int) -> CosimLibrary:
    return CosimLibrary(path=None, top="wide", inputs=(CosimPort("a", "input", n_in),),
                        outputs=(CosimPort("y", "output", n_out),), trace=False, cached=True, seconds=0.0)


def test_port_budget_is_refused_before_ngspice_crashes():
    tb = BridgeTiming()
    cosim_instance(_fake_library(200, MAX_DCOSIM_BITS - 200), library_file="./x.so", vcd_file=None, timing=tb)
    with pytest.raises(ValueError, match=r"wide: 200 input and 77 output bits .* more than 276"):
        cosim_instance(_fake_library(200, MAX_DCOSIM_BITS - 199), library_file="./x.so", vcd_file=None, timing=tb)


def test_hidden_outputs_leave_the_interface(sequencer_lib):
    seq = AddressSequencer(2, 3)
    lib = build_cosim_library(verilog(seq), seq.module_name, trace=True, hidden_outputs=("last", "done"))
    assert [p.name for p in lib.outputs] == ["row", "col"] and lib.path != sequencer_lib.path
    with pytest.raises(ValueError, match=r"hidden_outputs \['nosuch'\] are not output ports"):
        build_cosim_library(verilog(seq), seq.module_name, hidden_outputs=("nosuch",))


def test_missed_or_late_clock_edges_are_errors():
    T = 5e-9
    edges = (np.arange(10) + 0.5) * T + 1e-12
    check_clock_edges(edges, T, 10 * T)
    with pytest.raises(SimulationError, match="saw 8 rising clock edges; the 5e-08 s transient has 10"):
        check_clock_edges(np.delete(edges, [3, 4]), T, 10 * T)
    late = edges.copy()
    late[4] += 1e-10
    with pytest.raises(SimulationError, match="clock edge 4 reached the RTL"):
        check_clock_edges(late, T, 10 * T)


def test_deck_options_are_written_once_and_later_words_win():
    from pycodesign.cosim.netlist import control_lines, tran_options

    opts = tran_options("method=gear", "reltol=1e-4", "method=trap")
    keys = [o.split("=")[0] for o in opts]
    assert len(keys) == len(set(keys))  # ngspice 46 crashed on an option given twice
    assert "method=trap" in opts and "convabsstep=1e3" in opts and "reltol=1e-4" in opts
    assert not any(o.startswith("xtrtol") for o in opts)  # a control variable, set in .control
    assert control_lines() == ["set xtrtol=7"]
