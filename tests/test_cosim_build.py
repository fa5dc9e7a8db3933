"""The d_cosim chain on this machine: Amaranth -> Verilog -> Verilator library -> ngspice.

The kit's address sequencer runs inside ngspice, clocked by an analog PULSE
source through an adc_bridge; its row/column outputs come back through
dac_bridges into the raw file and as the RTL's own VCD.  Both must show the
row-major walk the golden model predicts, edge for edge.
"""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.cosim.build import build_cosim_library, cache_dir
from pycodesign.cosim.netlist import BridgeTiming, bridge_model_cards, cosim_instance, digital_nodes, fmt
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
    deck = ["sequencer in ngspice", *bridge_model_cards(tb),
            f"Vclk clk_a 0 PULSE(0 {vh} {fmt(T / 2)} {tr} {tr} {fmt(T / 2 - tb.dac_rise_s)} {fmt(T)})",
            f"Vrst rst_a 0 PWL(0 {vh} {fmt(2 * T)} {vh} {fmt(2 * T + tb.dac_rise_s)} 0)",
            f"Vrestart restart_a 0 PWL(0 0 {fmt(2 * T)} 0 {fmt(2 * T + tb.dac_rise_s)} {vh} {fmt(3 * T)} {vh} "
            f"{fmt(3 * T + tb.dac_rise_s)} 0)",
            f"Vadv adv_a 0 PWL(0 0 {fmt(3 * T)} 0 {fmt(3 * T + tb.dac_rise_s)} {vh})",
            "Astim [clk_a rst_a restart_a adv_a] [d_clk d_rst d_restart d_advance] pcd_adc"]
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
    # The RTL sees the clock edge within the bridge latency of the analog crossing.
    clk = vcd.find("clk")
    first_rise = clk.bit_rises(0)[0]
    assert T / 2 <= first_rise <= T / 2 + tb.dac_rise_s + 2 * tb.adc_delay_s + T / 100
