"""Inference through the RTL in ngspice agrees with pycodesign.system.evaluate code for code.

A small SLP on the 8x8 digits, mapped with the `digital` differential scheme
(one unsigned ADC per bitline): the RTL's SAR controllers with a DAC and a
comparator in SPICE must produce exactly the evaluation's ADC codes, and the
RTL's subtraction and argmax its classes.
"""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.config import Architecture
from pycodesign.cosim.inference import compare_with_evaluation, run_cosim_inference
from pycodesign.data import load_digits_dataset
from pycodesign.nn import train_slp
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
