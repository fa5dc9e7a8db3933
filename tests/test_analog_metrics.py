"""Electrical metrics and settling latency of crossbar reads (the network-level path is tests/test_system_evaluate.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pycodesign.analog import CrossbarParasitics, CrossbarSpec, TiaConfig, electrical_metrics, settling_time


# --------------------------------------------------------------------------- metrics


@pytest.mark.parametrize("cell,tia", [("1R", "ideal"), ("1T1R", "ideal"), ("1R", "opamp")])
def test_power_balance_and_engines_agree(cell, tia):
    rng = np.random.default_rng(3)
    g = 1 / rng.uniform(1e3, 1e5, size=(24, 6))
    v = rng.uniform(0, 0.2, size=(5, 24))
    spec = CrossbarSpec(g, cell=cell, tia=TiaConfig(kind=tia, gain=1e3),
                        parasitics=CrossbarParasitics(r_row_ohm=3.0, r_col_ohm=2.0))
    m = electrical_metrics(spec, v, read_margin_v=0.2)
    s = electrical_metrics(spec, v, read_margin_v=0.2, engine="spice")
    total = m.power_devices_w + m.power_wires_w + m.power_transistors_w + m.power_sensing_w
    assert m.power_sources_w == pytest.approx(total, rel=1e-10)
    assert m.power_wires_w == pytest.approx(m.power_wires_wordline_w + m.power_wires_bitline_w, rel=1e-12)
    assert (m.power_transistors_w > 0) == (cell == "1T1R")
    assert (m.power_sensing_w > 0) == (tia == "opamp")
    for k in ("power_devices_w", "power_wires_w", "power_transistors_w", "read_margin_worst",
              "read_margin_mean", "output_current_max_a"):
        assert getattr(m, k) == pytest.approx(getattr(s, k), rel=1e-6, abs=1e-18)


def test_read_margin():
    g = np.full((32, 16), 1e-3)
    v = np.full((1, 32), 0.2)
    ideal = electrical_metrics(CrossbarSpec(g), v)
    assert ideal.read_margin_worst == pytest.approx(1.0) and ideal.read_margin_mean == pytest.approx(1.0)
    worst = []
    for r in (0.5, 2.0, 8.0):
        m = electrical_metrics(CrossbarSpec(g, parasitics=CrossbarParasitics(r_row_ohm=r, r_col_ohm=r)), v)
        assert 0 < m.read_margin_worst < m.read_margin_mean < 1
        worst.append(m.read_margin_worst)
    assert worst[0] > worst[1] > worst[2]
    # device far from both drivers and sensing nodes sees the least voltage: dual-side helps
    single = electrical_metrics(CrossbarSpec(g, parasitics=CrossbarParasitics(r_row_ohm=8.0, r_col_ohm=0.0)), v)
    dual = electrical_metrics(CrossbarSpec(g, parasitics=CrossbarParasitics(r_row_ohm=8.0, r_col_ohm=0.0),
                                           dual_side=True), v)
    assert dual.read_margin_worst > single.read_margin_worst


def test_settling_latency_solver_vs_ngspice_and_opamp_bandwidth(tmp_path):
    rng = np.random.default_rng(8)
    g = 1 / rng.uniform(1e3, 1e5, size=(24, 6))
    v = np.full((1, 24), 0.2)
    par = CrossbarParasitics(r_row_ohm=5.0, r_col_ohm=5.0, c_line_to_line_f=2e-15, c_crossing_f=1e-15,
                             c_to_ground_f=3e-15)
    spec = CrossbarSpec(g, parasitics=par)
    a = settling_time(spec, v, workdir=tmp_path)
    b = settling_time(spec, v, engine="solver")
    assert a.latency_s == pytest.approx(b.latency_s, rel=0.1)
    assert 1e-13 < a.latency_s < 1e-9
    assert Path(a.files["raw"]).exists()
    slow = settling_time(spec.replace(tia=TiaConfig(kind="opamp", gbw_hz=1e7)), v)
    fast = settling_time(spec.replace(tia=TiaConfig(kind="opamp", gbw_hz=1e8)), v)
    assert slow.latency_s > 5 * fast.latency_s > 5 * a.latency_s
