"""The evaluation core feeds the cost model: counts match the tile plan, energies come from the solver."""
from __future__ import annotations

import pytest

from pycodesign.config import TECHNOLOGY_NODES, Architecture, ConfigError
from pycodesign.costs import costs_of_architecture, costs_of_evaluation, design_from_evaluation, known_nodes
from pycodesign.data import load_digits_dataset
from pycodesign.nn import train_slp
from pycodesign.system import evaluate


@pytest.fixture(scope="module")
def setting():
    ds = load_digits_dataset()
    return ds, train_slp(ds.x_train, ds.y_train, epochs=15, seed=0)


def test_config_nodes_are_the_cost_tables_nodes():
    assert sorted(TECHNOLOGY_NODES) == sorted(known_nodes())


def test_costs_of_an_evaluation_follow_its_tiles_and_measured_energy(setting):
    ds, net = setting
    arch = Architecture(array={"r_row_ohm": 1.0, "r_col_ohm": 1.0}, tiling={"tile_rows": 32, "tile_cols": 8,
                                                                           "columns_per_adc": 2})
    ev = evaluate(net, arch, ds.x_test, ds.y_test, metrics_images=16)
    design = design_from_evaluation(ev)
    layer = design.layers[0]
    plan = ev.layers[0].plan
    assert (layer.tiles.row_tiles, layer.tiles.col_tiles) == (plan.n_row_tiles, plan.n_col_tiles) == (3, 3)
    assert (layer.wordlines, layer.bitlines) == (65, 20) and layer.differential == "analog"
    e = ev.layers[0].electrical
    assert layer.array.measured_j == pytest.approx(
        (e.power_devices_w + e.power_wires_w + e.power_transistors_w) * arch.technology.t_read_s)
    r = costs_of_evaluation(ev)
    adc = r.layers[0].component("adc")
    assert adc.instances == plan.n_row_tiles * plan.n_col_tiles * (4 // 2)  # 4 outputs per 8-column tile, 2 per ADC
    assert r.energy_j > 0 and r.area_um2 > 0 and r.latency_s > arch.technology.t_read_s
    # more ADC bits cost more, smaller tiles need more ADCs per weight
    more = costs_of_evaluation(evaluate(net, arch.replace(converters={"adc_bits": 10}), ds.x_test, ds.y_test,
                                        n_images=5))
    assert more.layers[0].component("adc").area_um2 > adc.area_um2


def test_costs_without_simulating_and_clear_errors(setting):
    ds, net = setting
    arch = Architecture()
    mean = costs_of_architecture(net, arch, estimate="mean")
    worst = costs_of_architecture(net, arch, estimate="worst")
    assert worst.layers[0].component("array").energy_j > mean.layers[0].component("array").energy_j > 0
    with pytest.raises(ConfigError, match="converters.adc_bits: the cost model needs a finite ADC resolution"):
        costs_of_architecture(net, arch.replace(converters={"adc_bits": None}))
    with pytest.raises(ConfigError, match="node_nm: 14 is not allowed; allowed: 130, 65, 45, 32, 22"):
        Architecture(technology={"node_nm": 14})
    with pytest.raises(ConfigError, match=r"adc_table.8.energy_j: -1.0 is negative"):
        Architecture(technology={"adc_model": "table", "adc_table": {8: {"energy_j": -1.0, "area_um2": 1.0,
                                                                         "t_conv_s": 1e-9}}})
