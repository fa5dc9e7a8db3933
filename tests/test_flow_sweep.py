"""kind: sweep — a base flow over a grid and seeds, error bars, cache."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from pycodesign.cli import main
from pycodesign.config import ConfigError
from pycodesign.flows import flow_from_dict

from png_checks import check_pngs

ROOT = Path(__file__).resolve().parents[1]


def _sweep(tmp_path, **extra):
    data = {"kind": "sweep", "name": "sw", "base": str(ROOT / "flows" / "sweep_base_slp.yaml"),
            "grid": {"converters.adc_bits": [4, 8]}, "seeds": 2, "metrics": ["solver.accuracy"],
            "cache_dir": str(tmp_path / "cache"), **extra}
    f = tmp_path / "sweep.yaml"
    f.write_text(yaml.safe_dump(data))
    return f


def test_two_point_sweep_with_two_seeds_gives_the_table_and_reuses_the_cache(tmp_path):
    f = _sweep(tmp_path)
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "a", "-q"]) == 0
    m = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert m["complete"] and len(m["points"]) == 4 and {p["source"] for p in m["points"]} == {"run"}
    for cell in m["summary"]:
        accs = [p["solver.accuracy"] for p in m["points"] if p["values"] == cell["values"]]
        assert cell["solver.accuracy"]["n"] == 2
        assert cell["solver.accuracy"]["mean"] == pytest.approx(np.mean(accs))
        assert cell["solver.accuracy"]["std"] == pytest.approx(np.std(accs, ddof=1))
    by_bits = {c["values"]["converters.adc_bits"]: c["solver.accuracy"]["mean"] for c in m["summary"]}
    assert by_bits[4] < by_bits[8]
    report = (tmp_path / "a" / "report.md").read_text()
    assert "| 4 |" in report and "| 8 |" in report and "±" in report
    assert (tmp_path / "a" / "sweep_solver_accuracy.png").stat().st_size > 10000
    check_pngs(tmp_path / "a", ["sweep_solver_accuracy.png"])
    # the same points again: read from the cache, same numbers
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "b", "-q"]) == 0
    m2 = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert {p["source"] for p in m2["points"]} == {"cache"}
    assert m2["summary"] == m["summary"]


def test_a_key_the_base_does_not_have_is_refused_before_anything_runs(tmp_path):
    base = str(ROOT / "flows" / "sweep_base_slp.yaml")
    with pytest.raises(ConfigError, match=r"grid.converters.adc_bitz: the base flow .* has no key"):
        flow_from_dict({"kind": "sweep", "base": base, "grid": {"converters.adc_bitz": [4]}}, file="s.yaml")
    with pytest.raises(ConfigError, match=r"converters.adc_bits: 1 is out of range"):
        flow_from_dict({"kind": "sweep", "base": base, "grid": {"converters.adc_bits": [4, 1]}}, file="s.yaml")
    with pytest.raises(ConfigError, match=r"grid.tiling.tile_rows: the list of values is empty"):
        flow_from_dict({"kind": "sweep", "base": base, "grid": {"tiling.tile_rows": []}}, file="s.yaml")
