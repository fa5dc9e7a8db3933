"""The search space: parsing, clear errors before any trial, fits to the tile, enumeration."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from pycodesign.cli import main
from pycodesign.config import Architecture, ConfigError, build
from pycodesign.flows.search import SearchFlow
from pycodesign.mapping import adc_bits_needed
from pycodesign.search import SearchSpace, fit_to_tiles
from pycodesign.search.space import plain_dict

SLP = [(64, 10)]

BASE_FLOW = {
    "name": "t", "seed": 0, "network": {"epochs": 5},
    "converters": {"dac_bits": 4, "adc_bits": 6},
    "space": {"tiling.tile_rows": [33, 65], "converters.adc_bits": {"low": 4, "high": 8}},
    "objectives": [{"metric": "accuracy"}, {"metric": "energy_j"}],
    "search": {"sampler": "random", "budget": 4},
}


def flow_with(**changes) -> dict:
    d = copy.deepcopy(BASE_FLOW)
    d.update(changes)
    return d


@pytest.mark.parametrize("space, key, words", [
    ({"converters.adc_bits": []}, "space.converters.adc_bits", "empty list"),
    ({"converters.adc_bits": {"low": 8, "high": 4}}, "space.converters.adc_bits", "low 8 is above high 4"),
    ({"tiling.tile_row": [16, 32]}, "space.tiling.tile_row", "the architecture has no key 'tile_row' in tiling"),
    ({"tiles.tile_rows": [16]}, "space.tiles.tile_rows", "the architecture has no section 'tiles'"),
    ({"converters.adc_bits": {"low": 4, "high": 40}}, "space.converters.adc_bits.high",
     "40 is out of range; allowed: >= 2 and <= 32"),
    ({"converters.adc_bits": [6, 33]}, "space.converters.adc_bits[1]", "33 is out of range"),
    ({"tile_rows": [16]}, "space", "not a dotted key path"),
    ({"converters.adc_bits": 6}, "space.converters.adc_bits", "give a list of values or a range"),
    ({"array.device": {"low": 1, "high": 2}}, "space.array.device", "a range needs a numeric key"),
    ({"array.r_row_ohm": {"low": 0.0, "high": 1.0, "step": 0.3}}, "space.array.r_row_ohm.step",
     "is not a multiple of step"),
    ({"mapping.g_lrs_s": {"low": 0.0, "high": 1e-3, "log": True}}, "space.mapping.g_lrs_s",
     "out of range"),
    ({"converters.adc_bits": [6, 6]}, "space.converters.adc_bits[1]", "appears twice"),
    ({"converters.adc_bits": {"values": [6], "when": {"tiling.tile_rows": 33}}, "tiling.tile_rows": [33]},
     "space.converters.adc_bits.when.tiling.tile_rows", "listed before this one"),
    ({"tiling.tile_rows": [33, 65], "converters.adc_bits": {"values": [6], "when": {"tiling.tile_rows": 17}}},
     "space.converters.adc_bits.when.tiling.tile_rows", "could never hold"),
    ({"array.tia": ["ideal"]}, "space.array.tia", "is a section"),
    ({"tiling.tile_cols": [7, 8]}, "space", "is not a valid architecture: tiling.tile_cols: 7 is odd"),
])
def test_invalid_spaces_are_refused_naming_file_and_key(tmp_path, space, key, words):
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump({"kind": "search", **flow_with(space=space)}))
    with pytest.raises(ConfigError) as exc:
        build(SearchFlow, flow_with(space=space), file=str(f))
    text = str(exc.value)
    assert text.startswith(f"{f}: {key}: ") or text.startswith(f"{f}: {key}"), text
    assert words in text, text


def test_the_cli_refuses_an_invalid_space_before_any_trial(tmp_path, capsys):
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump({"kind": "search", **flow_with(space={"converters.adc_bits": {"low": 4, "high": 40}})}))
    out = tmp_path / "res"
    assert main(["search", str(f), "--out", str(out)]) == 2
    assert "space.converters.adc_bits.high: 40 is out of range; allowed: >= 2 and <= 32" in capsys.readouterr().err
    assert not out.exists()  # no results folder, no study, no trial
    assert main(["run", str(f), "--out", str(out)]) == 2
    assert not out.exists()


def test_an_empty_space_and_a_grid_over_a_continuous_range_are_refused():
    with pytest.raises(ConfigError, match="space: the space needs at least one dimension"):
        build(SearchFlow, flow_with(space={}))
    with pytest.raises(ConfigError, match="search.sampler: grid needs a discrete space, but space.array.r_row_ohm"):
        build(SearchFlow, flow_with(space={"array.r_row_ohm": {"low": 0.5, "high": 2.0}},
                                    search={"sampler": "grid", "budget": 10}))
    with pytest.raises(ConfigError, match=r"search.budget: 4 is below the 10 designs of the space"):
        build(SearchFlow, flow_with(search={"sampler": "grid", "budget": 4}))


def test_designs_the_cost_model_cannot_price_are_refused_before_any_trial():
    # the SAR ADC model covers 4..10 bits
    with pytest.raises(ConfigError, match=r"space: the combination \{tiling.tile_rows: 33, converters.adc_bits: 3\} "
                                          r"cannot be evaluated: .*3"):
        build(SearchFlow, flow_with(space={"tiling.tile_rows": [33], "converters.adc_bits": [3, 6]}))
    with pytest.raises(ConfigError, match="cannot be evaluated: the cost model needs finite converters"):
        build(SearchFlow, flow_with(space={"converters.dac_bits": [None, 4]}))


def test_adc_bits_are_clipped_to_the_exact_need_of_the_tile_and_the_space_says_so():
    arch = Architecture(converters={"dac_bits": 2, "adc_bits": 8}, mapping={"levels": 4})
    sp = SearchSpace.parse({"tiling.tile_rows": [16, 65], "converters.adc_bits": {"low": 6, "high": 12}})
    # a 16-row tile (15 inputs + bias row) with 2-bit inputs and 2-bit signed weights
    need16 = adc_bits_needed(16, 2, 2, signed_weights=True)
    need65 = adc_bits_needed(65, 2, 2, signed_weights=True)
    assert (need16, need65) == (9, 11)
    r = sp.realise(arch, {"tiling.tile_rows": 16, "converters.adc_bits": 12}, SLP)
    assert r.architecture.converters.adc_bits == need16
    assert r.fits == [{"key": "converters.adc_bits", "requested": 12, "used": need16,
                       "reason": "exact need of a 16-row tile with 2-bit inputs and 2-bit signed weights"}]
    assert r.used["converters.adc_bits"] == need16
    r = sp.realise(arch, {"tiling.tile_rows": 65, "converters.adc_bits": 10}, SLP)
    assert r.architecture.converters.adc_bits == 10 and r.fits == []
    info = sp.check(arch, SLP)
    assert info["exhaustive"] and info["checked"] == 14
    clipped = {(f["requested"], f["used"]) for f in info["fits"]}
    assert clipped == {(10, 9), (11, 9), (12, 9), (12, 11)}
    # digital differential: one unsigned ADC per bitline
    d = plain_dict(arch.replace(array=arch.array.replace(differential="digital")))
    d["converters"]["adc_bits"] = 12
    d["tiling"]["tile_rows"] = 16
    fit_to_tiles(d, SLP)
    assert d["converters"]["adc_bits"] == adc_bits_needed(16, 2, 2) == 8


def test_columns_per_adc_and_partitions_fit_the_tile():
    arch = Architecture()
    sp = SearchSpace.parse({"tiling.tile_cols": [12, 20], "tiling.columns_per_adc": [1, 4],
                            "array.partitions": [1, 64]})
    r = sp.realise(arch, {"tiling.tile_cols": 12, "tiling.columns_per_adc": 4, "array.partitions": 64}, SLP)
    # 12 columns = 6 W+/W- pairs = 6 ADC inputs: groups of 3; partitions at most the 65 rows
    assert r.architecture.tiling.columns_per_adc == 3
    assert r.architecture.array.partitions == 64
    r = sp.realise(arch.replace(tiling=arch.tiling.replace(tile_rows=32)),
                   {"tiling.tile_cols": 20, "tiling.columns_per_adc": 4, "array.partitions": 64}, SLP)
    assert r.architecture.tiling.columns_per_adc == 2  # 10 inputs: largest divisor <= 4
    assert r.architecture.array.partitions == 32
    assert {f["key"] for f in r.fits} == {"tiling.columns_per_adc", "array.partitions"}


def test_conditional_dimensions_enumerate_only_where_active():
    sp = SearchSpace.parse({
        "array.device": ["linear", "qmm"],
        "array.preset": {"values": ["kit_symmetric", "aguirre_listing"], "when": {"array.device": "qmm"}},
        "converters.adc_bits": {"low": 4, "high": 6},
    })
    points = list(sp.enumerate())
    assert len(points) == sp.size() == 3 + 2 * 3
    assert all(("array.preset" in p) == (p["array.device"] == "qmm") for p in points)
    with pytest.raises(ConfigError, match=r"space: the combination \{array.device: 'qmm', array.preset: "
                                          r"'kit_symmetric', converters.adc_bits: 4\} is not a valid architecture: "
                                          r"mapping.g_lrs_s: .*above what `qmm`"):
        sp.check(Architecture(), SLP)  # QMM cannot reach the default G_LRS: refused before any trial
    arch = Architecture(mapping={"g_lrs_s": 5e-4})
    info = sp.check(arch, SLP)
    assert info["checked"] == 9
    r = sp.realise(arch, {"array.device": "qmm", "array.preset": "aguirre_listing", "converters.adc_bits": 5}, SLP)
    assert r.architecture.array.preset == "aguirre_listing"


def test_ranges_sample_within_bounds_and_grids_are_exact():
    sp = SearchSpace.parse({"array.r_row_ohm": {"low": 0.5, "high": 2.0, "step": 0.5},
                            "mapping.g_lrs_s": {"low": 1e-4, "high": 1e-3, "log": True},
                            "converters.dac_bits": {"low": 2, "high": 8, "step": 2}})
    assert sp["array.r_row_ohm"].grid() == [0.5, 1.0, 1.5, 2.0]
    assert sp["converters.dac_bits"].grid() == [2, 4, 6, 8]
    assert not sp.discrete and sp.size() is None
    rng = np.random.default_rng(0)
    for _ in range(50):
        p = sp.sample(rng)
        assert 1e-4 <= p["mapping.g_lrs_s"] <= 1e-3 and p["converters.dac_bits"] in (2, 4, 6, 8)
    with pytest.raises(ValueError, match="continuous range has no grid"):
        sp["mapping.g_lrs_s"].grid()


def test_technology_and_nested_keys_are_dimensions():
    sp = SearchSpace.parse({"technology.node_nm": [22, 32], "array.tia.kind": ["ideal", "opamp"],
                            "array.device_params.g": {"low": 1e-5, "high": 1e-3, "log": True}})
    r = sp.realise(Architecture(), {"technology.node_nm": 22, "array.tia.kind": "opamp"}, SLP)
    assert r.architecture.technology.node_nm == 22 and r.architecture.array.tia.kind == "opamp"
    with pytest.raises(ConfigError, match="space.technology.node_nm\\[0\\]: 28 is not allowed"):
        SearchSpace.parse({"technology.node_nm": [28]})


def test_search_command_refusals(tmp_path, capsys):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert main(["search", str(root / "flows" / "slp_digits.yaml"), "--out", str(tmp_path)]) == 2
    assert "kind: 'crossbar_inference' is not a search flow; allowed: search" in capsys.readouterr().err
    f = tmp_path / "ok.yaml"
    f.write_text(yaml.safe_dump({"kind": "search", **BASE_FLOW}, sort_keys=False))
    assert main(["search", str(f), "--join"]) == 2
    assert "--join needs the study's storage" in capsys.readouterr().err
    assert main(["search", str(f), "--join", "--storage", str(tmp_path / "none.journal")]) == 1
    assert "no study named 't' in the storage; start the main run first" in capsys.readouterr().err
