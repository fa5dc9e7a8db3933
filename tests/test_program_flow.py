"""``kind: program`` takes its targets from the evaluation core's tiling and reports accuracy through ``evaluate``.

* ``layer_targets`` cuts the layer's mapped conductances exactly as
  ``evaluate`` tiles the layer (``plan_tiles``), W⁺/W⁻ in adjacent columns.
* ``evaluate(programmed=...)`` with the *mapped* conductances of the layer
  (what a perfect programming would leave) reproduces the plain evaluation
  code for code: the interleaving and the layer index are right.
* The flow programs a block of a tile of the MLP's second layer with the RTL
  in ngspice and reports the accuracy from ``evaluate`` with the read-back
  conductances beside the mapping's.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from pycodesign.cli import main
from pycodesign.config import Architecture, ConfigError
from pycodesign.data import load_digits_dataset
from pycodesign.flows import flow_from_dict
from pycodesign.flows.program import layer_targets, programmed_layers
from pycodesign.nn import train_mlp
from pycodesign.system import evaluate, plan_tiles

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mlp_eval():
    ds = load_digits_dataset()
    net = train_mlp(ds.x_train, ds.y_train, hidden=12, epochs=15, seed=0, relu_max=4.0)
    arch = Architecture(array={"device": "linear", "differential": "digital", "v_read_v": 0.2},
                        tiling={"tile_rows": 8, "tile_cols": 8}, converters={"adc_bits": 8, "dac_bits": 8},
                        mapping={"levels": 16})
    n = 60
    ev = evaluate(net, arch, ds.x_test[:n], ds.y_test[:n], seed=3)
    return ds, net, arch, ev, n


def test_targets_are_the_evaluations_tiles(mlp_eval):
    ds, net, arch, ev, n = mlp_eval
    m = ev.layers[1].mapped
    plan = plan_tiles(m.n_rows, m.n_cols, arch)
    assert (plan.n_row_tiles, plan.n_col_tiles) == (2, 3)  # 13 rows (12 hidden + bias) x 10 outputs (20 bitlines)
    for ri, ci in ((0, 0), (1, 2), (1, 1)):
        tg = layer_targets(ev, 2, [ri, ci])
        rows, outs = plan.row_blocks[ri], plan.col_blocks[ci]
        tile = tg["g_layer"][np.ix_(tg["rows"], tg["cols"])]
        assert np.array_equal(tg["rows"], rows) and np.array_equal(tg["outputs"], outs)
        assert tile.shape == ev.layers[1].tiles[ri * plan.n_col_tiles + ci].physical_shape
        assert np.array_equal(tile[:, 0::2], np.asarray(m.g_pos)[np.ix_(rows, outs)])
        assert np.array_equal(tile[:, 1::2], np.asarray(m.g_neg)[np.ix_(rows, outs)])
    with pytest.raises(ConfigError, match=r"program\.tile: \[2, 0\] is outside layer 2's tiling of 2 x 3 tiles"):
        layer_targets(ev, 2, [2, 0])


def test_programming_the_mapping_exactly_reproduces_the_evaluation(mlp_eval):
    ds, net, arch, ev, n = mlp_eval
    for k in (1, 2):
        g = layer_targets(ev, k, [0, 0])["g_layer"]
        same = evaluate(net, arch, ds.x_test[:n], ds.y_test[:n], seed=3,
                        programmed=programmed_layers(2, k, g))
        assert np.array_equal(same.predictions, ev.predictions)
        assert np.array_equal(same.layers[-1].codes, ev.layers[-1].codes)
        # a column pair swapped (W+ <-> W-) in the tile is seen: the check is not vacuous
        bad = g.copy()
        bad[:, [0, 1]] = bad[:, [1, 0]]
        other = evaluate(net, arch, ds.x_test[:n], ds.y_test[:n], seed=3, programmed=programmed_layers(2, k, bad))
        assert not np.array_equal(other.layers[k - 1].codes, ev.layers[k - 1].codes)


def test_layer_beyond_the_network_is_refused():
    base = yaml.safe_load((ROOT / "flows" / "program_slp_vteam.yaml").read_text())
    base["program"]["layer"] = 2
    with pytest.raises(ConfigError, match=r"program\.layer: 2: the slp has 1 crossbar layer"):
        flow_from_dict(base)


def test_flow_programs_a_tile_of_the_mlps_second_layer(tmp_path):
    data = yaml.safe_load((ROOT / "flows" / "program_mlp_vteam.yaml").read_text())
    data["network"]["epochs"] = 30
    data["cosim"] = {"rows": [0, 2], "cols": [0, 4], "partitions": 4}
    f = tmp_path / "prog.yaml"
    f.write_text(yaml.safe_dump(data))
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "prog", "-q"]) == 0
    m = json.loads((tmp_path / "prog" / "metrics.json").read_text())
    assert m["complete"]
    mp = m["mapping"]
    assert mp["layer"] == 2 and mp["tile"] == [1, 1] and mp["layer_physical_shape"] == [33, 20]
    assert mp["tile_rows"] == list(range(16, 32)) and mp["tile_outputs"] == [5, 6, 7, 8, 9]
    assert m["cosim"]["block"]["layer_rows"] == [16, 17] and m["cosim"]["block"]["layer_cols"] == [10, 11, 12, 13]
    acc = m["accuracy"]
    assert set(acc) >= {"software", "ideal_mapping", "mapped", "fast_programmed", "programmed_with_cosim_block"}
    assert acc["images"] == 539 and "evaluate" in acc["note"]
    # programming error moves the accuracy by little; it is not the mapping's number copied
    assert abs(acc["programmed_with_cosim_block"] - acc["mapped"]) < 0.05
    assert m["cosim"]["in_window_readback"] + m["cosim"]["fail_count_rtl"] >= 8 - len(
        m["cosim"]["out_of_window_not_counted"])
    assert "layer 2" in (tmp_path / "prog" / "report.md").read_text()
