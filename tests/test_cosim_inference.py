"""Inference through the RTL in ngspice agrees with pycodesign.system.evaluate code for code.

A small SLP on the 8x8 digits, mapped with the `digital` differential scheme
(one unsigned ADC per bitline, or per `columns_per_adc` bitlines through a
multiplexer): the RTL's SAR controllers with a DAC and a comparator in SPICE
must produce exactly the evaluation's ADC codes, and the RTL's subtraction
and argmax its classes.  A small MLP: both arrays in one transient, the
ReLU RTL's codes loaded into the layer-2 sample-and-holds; layer-1 codes,
ReLU codes, layer-2 codes and classes equal to the evaluation's.
"""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.config import Architecture, ConfigError
from pycodesign.cosim.inference import (compare_mlp_with_evaluation, compare_with_evaluation, mlp_port_bits,
                                        run_cosim_mlp_inference, run_cosim_inference)
from pycodesign.cosim.netlist import MAX_DCOSIM_BITS
from pycodesign.data import load_digits_dataset
from pycodesign.nn import train_mlp, train_slp
from pycodesign.system import evaluate


@pytest.fixture(scope="module")
def slp():
    ds = load_digits_dataset()
    return ds, train_slp(ds.x_train, ds.y_train, epochs=20, seed=0)


@pytest.mark.parametrize("bits,r_wire,cpa", [(8, 1.0, 1), (5, 0.0, 1), (6, 1.0, 3)])
def test_codes_and_classes_equal_evaluate(slp, tmp_path, bits, r_wire, cpa):
    """cpa > 1: SAR ADCs shared by columns_per_adc bitlines through the analog multiplexer (3 does not
    divide the 20 bitlines: the last ADC serves two)."""
    ds, net = slp
    arch = Architecture(array={"device": "linear", "differential": "digital", "v_read_v": 0.2,
                               "r_row_ohm": r_wire, "r_col_ohm": r_wire},
                        converters={"adc_bits": bits, "dac_bits": 8}, mapping={"levels": 32},
                        tiling={"columns_per_adc": cpa})
    n = 4
    ev = evaluate(net, arch, ds.x_test[:n], ds.y_test[:n], engine="solver", seed=0)
    layer = ev.layers[0]
    tile = layer.tiles[0]
    res = run_cosim_inference(tile, layer.inputs_v, bits=bits, lsb_a=tile.lsb_a, workdir=tmp_path,
                              columns_per_adc=arch.tiling.columns_per_adc)
    cmp = compare_with_evaluation(res, tile, ev.predictions, margin_lsb=0.05)
    assert cmp["all_differences_allowed"], cmp["differences"]
    assert cmp["codes_equal"] >= cmp["codes"] - len(cmp["differences"])
    assert cmp["codes_equal"] == cmp["codes"], cmp["differences"]  # linear devices: no threshold this close
    assert np.array_equal(res.classes, ev.predictions[:n])
    # The RTL's own subtraction: W+ code minus W- code.
    assert np.array_equal(res.diffs, res.codes[:, 0::2] - res.codes[:, 1::2])
    assert len(set(res.codes.ravel().tolist())) > 5  # codes spread over the range: the check is not vacuous


def test_1t1r_slp_codes_equal_evaluate(slp, tmp_path):
    """1T1R: the gate lines are driven at the access transistor's gate voltage, as evaluate reads them."""
    ds, net = slp
    arch = Architecture(array={"device": "linear", "differential": "digital", "v_read_v": 0.2, "cell": "1T1R",
                               "r_row_ohm": 1.0, "r_col_ohm": 1.0},
                        converters={"adc_bits": 6, "dac_bits": 8}, mapping={"levels": 32})
    n = 3
    ev = evaluate(net, arch, ds.x_test[:n], ds.y_test[:n], engine="solver", seed=0)
    layer = ev.layers[0]
    tile = layer.tiles[0]
    res = run_cosim_inference(tile, layer.inputs_v, bits=6, lsb_a=tile.lsb_a, workdir=tmp_path)
    cmp = compare_with_evaluation(res, tile, ev.predictions, margin_lsb=0.05)
    assert cmp["codes_equal"] == cmp["codes"], cmp["differences"]
    assert np.array_equal(res.classes, ev.predictions[:n])
    deck = (tmp_path / "circuit.cir").read_text().splitlines()
    assert sum(line.startswith("Vsel") for line in deck) == tile.spec.physical_shape[0]
    assert len(set(res.codes.ravel().tolist())) > 5


def test_mlp_codes_relu_and_classes_equal_evaluate(tmp_path):
    ds = load_digits_dataset()
    net = train_mlp(ds.x_train, ds.y_train, hidden=8, epochs=20, seed=0, relu_max=4.0)
    bits = 6
    arch = Architecture(array={"device": "linear", "differential": "digital", "v_read_v": 0.2, "r_row_ohm": 1.0,
                               "r_col_ohm": 1.0},
                        converters={"adc_bits": bits, "dac_bits": bits}, mapping={"levels": 32},
                        tiling={"columns_per_adc": 4}, nonideal={"variability_sigma": 0.05})
    n = 3
    ev = evaluate(net, arch, ds.x_test[:n], ds.y_test[:n], engine="solver", seed=0)
    l1, l2 = ev.layers
    res = run_cosim_mlp_inference(l1, l2, bits=bits, dac_bits=bits, workdir=tmp_path, columns_per_adc=4)
    cmp = compare_mlp_with_evaluation(res, l1, l2, ev.predictions, margin_lsb=0.05)
    assert cmp["layer1"]["codes_equal"] == cmp["layer1"]["codes"] == n * 16, cmp["differences"]
    assert cmp["relu"]["codes_equal"] == cmp["relu"]["codes"] == n * 8, cmp["relu_differences"]
    assert cmp["layer2"]["codes_equal"] == cmp["layer2"]["codes"] == n * 20, cmp["differences"]
    assert np.array_equal(res.classes, ev.predictions[:n])
    assert np.array_equal(res.diffs2, res.codes2[:, 0::2] - res.codes2[:, 1::2])
    # the ReLU saw negative inputs (zeros) and positive ones: the check is not vacuous
    assert (res.relu_codes == 0).any() and len(set(res.relu_codes.ravel().tolist())) > 5
    # the sample-and-holds hold the evaluation's layer-2 wordline voltages
    assert np.max(np.abs(res.held_v - l2.inputs_v[:, :8])) < 1e-6 * l2.v_read_v
    assert res.port_bits == mlp_port_bits(hidden=8, outputs=10, bits=bits, dac_bits=bits, columns_per_adc=4)


def test_mlp_port_budget_refusal_names_the_key_and_the_smallest_value():
    from pycodesign.flows import flow_from_dict

    base = {"kind": "cosim_inference", "network": {"type": "mlp", "hidden": 32},
            "array": {"device": "linear", "differential": "digital"},
            "converters": {"adc_bits": 8, "dac_bits": 8}}
    assert mlp_port_bits(hidden=32, outputs=10, bits=8, dac_bits=8, columns_per_adc=3) > MAX_DCOSIM_BITS
    assert mlp_port_bits(hidden=32, outputs=10, bits=8, dac_bits=8, columns_per_adc=4) <= MAX_DCOSIM_BITS
    with pytest.raises(ConfigError, match=r"tiling\.columns_per_adc.*smallest allowed value is 4"):
        flow_from_dict({**base, "tiling": {"columns_per_adc": 3}})
    flow_from_dict({**base, "tiling": {"columns_per_adc": 4}})  # fits
    with pytest.raises(ConfigError, match=r"nonideal\.read_noise_sigma"):
        flow_from_dict({**base, "tiling": {"columns_per_adc": 4}, "nonideal": {"read_noise_sigma": 0.01}})
