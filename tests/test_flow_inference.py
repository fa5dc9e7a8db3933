"""The crossbar-inference flow end to end (issue: SLP 64x10 on 8x8 digits in ngspice)."""
import gzip
import json
import struct
from pathlib import Path

import numpy as np
import pytest
import yaml

from pycodesign.cli import main
from pycodesign.config import ConfigError
from pycodesign.flows import flow_from_dict, load_flow

ROOT = Path(__file__).resolve().parents[1]


def _flow_file(tmp_path, base: str, **changes) -> Path:
    data = yaml.safe_load((ROOT / "flows" / base).read_text())
    for path, value in changes.items():
        cur = data
        keys = path.split("__")
        for k in keys[:-1]:
            cur = cur.setdefault(k, {})
        cur[keys[-1]] = value
    out = tmp_path / base
    out.write_text(yaml.safe_dump(data))
    return out


def test_slp_digits_flow_meets_the_acceptance_criteria(tmp_path):
    flow = load_flow(ROOT / "flows" / "slp_digits.yaml")
    # the acceptance configuration: 1 Ohm segments, 8-bit ADC, >= 32 states, 64x20 devices
    assert flow.array.r_row_ohm == flow.array.r_col_ohm == 1.0
    assert flow.converters.adc_bits == 8 and flow.mapping.levels >= 32
    assert main(["run", str(ROOT / "flows" / "slp_digits.yaml"), "--out", str(tmp_path), "--name", "slp", "-q"]) == 0
    run = tmp_path / "slp"
    m = json.loads((run / "metrics.json").read_text())
    assert m["complete"]
    assert m["network"]["layer_sizes"] == [64, 10]
    assert m["mapping"]["layers"][0]["shape"] == [65, 10]          # 64 pixels + bias row
    assert m["mapping"]["layers"][0]["n_devices"] == 65 * 20       # differential pairs
    sw = m["software"]["accuracy"]
    assert sw >= 0.94
    assert m["spice"]["n_images"] == 539                            # the whole test set in ngspice
    assert abs(sw - m["spice"]["accuracy"]) * 100 <= 2.0
    assert m["spice_vs_solver"]["layer1_max_rel_current_difference"] <= 1e-6
    assert m["spice_vs_solver"]["prediction_agreement"] == 1.0
    # accuracy falls with wire resistance and with too few ADC bits
    acc_r = {s["r_wire_ohm"]: s["accuracy"] for s in m["studies"]["r_wire_ohm"]}
    assert acc_r[30.0] < acc_r[0.0] - 0.1
    acc_b = {s["adc_bits"]: s["accuracy"] for s in m["studies"]["adc_bits"]}
    assert acc_b[2] < 0.5 < acc_b[8]
    e = m["spice"]["layers"][0]["electrical"]
    assert 0 < e["read_margin_worst"] <= e["read_margin_mean"] < 1
    assert e["power_devices_w"] > e["power_wires_w"] > 0
    assert m["spice"]["layers"][0]["settling"]["latency_s"] > 0
    for png in ("conductance_maps.png", "accuracy_vs_adc_bits.png", "accuracy_vs_wire_resistance.png",
                "output_currents.png", "confusion_matrix.png"):
        assert (run / png).stat().st_size > 10000, png
    decks = list((run / "spice").rglob("circuit.cir"))
    raws = list((run / "spice").rglob("*.raw"))
    assert decks and raws
    assert "ngspice" in (run / "report.md").read_text()


def test_mlp_flow_chains_two_crossbars(tmp_path):
    f = _flow_file(tmp_path, "mlp_digits.yaml", simulation__spice_images=40,
                   studies__adc_bits=[4, 8], studies__r_wire_ohm=[0.0, 10.0])
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "mlp", "-q"]) == 0
    m = json.loads((tmp_path / "mlp" / "metrics.json").read_text())
    assert m["network"]["layer_sizes"] == [64, 32, 10]
    assert len(m["mapping"]["layers"]) == 2 and m["mapping"]["layers"][1]["shape"] == [33, 10]
    assert m["software"]["accuracy"] >= 0.94
    assert m["solver"]["accuracy"] >= m["software"]["accuracy"] - 0.03
    assert m["spice_vs_solver"]["layer1_max_rel_current_difference"] <= 1e-6
    assert len(m["spice"]["layers"]) == 2


def _write_idx(path: Path, array: np.ndarray, *, gz: bool):
    code = 0x08
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)


def test_flow_on_user_supplied_mnist_idx_files(tmp_path):
    from sklearn.datasets import load_digits

    d = load_digits()
    # 28x28 "MNIST" made from the digits (nearest-neighbour up-scaling, 0..255)
    imgs = np.kron(d.images[:400], np.ones((3, 3)))
    imgs = np.pad(imgs, ((0, 0), (2, 2), (2, 2))) * (255 / 16)
    _write_idx(tmp_path / "imgs.idx.gz", imgs, gz=True)
    _write_idx(tmp_path / "labels.idx", d.target[:400], gz=False)
    f = _flow_file(tmp_path, "slp_digits.yaml", data={"source": "mnist_idx", "image_size": 6,
                                                       "mnist_images": str(tmp_path / "imgs.idx.gz"),
                                                       "mnist_labels": str(tmp_path / "labels.idx")},
                   simulation__spice_images=20, simulation__settling=False, studies__adc_bits=[8],
                   studies__r_wire_ohm=[1.0])
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "idx", "-q"]) == 0
    m = json.loads((tmp_path / "idx" / "metrics.json").read_text())
    assert m["network"]["layer_sizes"] == [36, 10]
    assert m["software"]["accuracy"] > 0.7


BASE = {"kind": "crossbar_inference"}


@pytest.mark.parametrize("section, change, key, text", [
    ("mapping", {"g_hrs_s": 1e-3, "g_lrs_s": 1e-5}, "mapping.g_hrs_s", "must be below G_LRS"),
    ("mapping", {"g_hrs_s": 1e-3, "g_lrs_s": 1e-3}, "mapping.g_hrs_s", "must be below G_LRS"),
    ("mapping", {"levels": 0}, "mapping.levels", "0 is out of range; allowed: >= 2"),
    ("mapping", {"levels": 1}, "mapping.levels", "1 is out of range; allowed: >= 2"),
    ("mapping", {"levels": None, "measured_levels_s": [1e-5, 2e-3]}, "mapping.measured_levels_s",
     "lies outside [G_HRS, G_LRS]"),
    ("array", {"device": "unobtainium"}, "array.device", "'unobtainium' is not a registered model"),
    ("array", {"r_row_ohm": -1.0}, "array.r_row_ohm", "out of range; allowed: >= 0 Ohm"),
    ("array", {"partitions": 100}, "array.partitions", "100 partitions for 65 wordlines"),
    ("array", {"transistor": {"w_m": -1.0}}, "array.transistor.w_m", "out of range; allowed: > 0 m"),
    ("converters", {"adc_bits": 1}, "converters.adc_bits", "allowed: >= 2"),
    ("data", {"source": "mnist_idx"}, "data.mnist_images", "required for source 'mnist_idx'"),
    ("data", {"source": "mnist_idx", "mnist_images": "/nope.idx", "mnist_labels": "/nope"}, "data.mnist_images",
     "does not exist"),
    ("nonideal", {"stuck_at_hrs_rate": 0.7, "stuck_at_lrs_rate": 0.5}, "nonideal.stuck_at_lrs_rate", "must not exceed 1"),
])
def test_bad_flow_values_are_refused_before_running(section, change, key, text):
    with pytest.raises(ConfigError) as info:
        flow_from_dict({**BASE, section: change}, file="flows/bad.yaml")
    msg = str(info.value)
    assert msg.startswith(f"flows/bad.yaml: {key}:"), msg
    assert text in msg, msg


def test_nan_weights_and_wrong_input_length_are_refused():
    from pycodesign.analog import solve_crossbar
    from pycodesign.mapping import map_weights

    W = np.ones((4, 3))
    W[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"W\[2, 1\] = nan is not finite"):
        map_weights(W, g_min=1e-5, g_max=1e-3)
    with pytest.raises(ValueError, match="g_min"):
        map_weights(np.ones((4, 3)), g_min=1e-3, g_max=1e-5)
    with pytest.raises(ValueError, match="4"):
        solve_crossbar(np.full((4, 3), 1e-4), np.zeros((2, 5)), r_row=1.0, r_col=1.0)


def test_qmm_crossbar_flow_agrees_between_ngspice_and_the_newton_solver(tmp_path):
    f = _flow_file(tmp_path, "slp_digits_qmm.yaml", simulation__spice_images=60, studies__adc_bits=[8],
                   studies__r_wire_ohm=[1.0])
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "qmm", "-q"]) == 0
    m = json.loads((tmp_path / "qmm" / "metrics.json").read_text())
    assert m["spice_vs_solver"]["layer1_max_rel_current_difference"] <= 1e-3
    assert m["spice"]["accuracy"] >= m["software"]["accuracy"] - 0.05


def test_1t1r_partitioned_opamp_flow_runs_and_engines_agree(tmp_path):
    f = _flow_file(tmp_path, "slp_digits_1t1r.yaml", simulation__spice_images=30, studies__adc_bits=[8],
                   studies__r_wire_ohm=[1.0])
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "t1r", "-q"]) == 0
    m = json.loads((tmp_path / "t1r" / "metrics.json").read_text())
    assert m["spice_vs_solver"]["layer1_max_rel_current_difference"] <= 1e-6
    e = m["spice"]["layers"][0]["electrical"]
    assert e["power_transistors_w"] > 0
    # the op-amp's finite bandwidth, not the femtofarad lines, sets the latency
    assert m["spice"]["layers"][0]["settling"]["latency_s"] > 1e-8


def test_flow_runs_a_network_loaded_from_a_weights_file(tmp_path):
    from pycodesign.data import load_digits_dataset
    from pycodesign.nn import save_network_npz, train_slp

    ds = load_digits_dataset(seed=0)
    net = train_slp(ds.x_train, ds.y_train, epochs=20, seed=3)
    save_network_npz(net, tmp_path / "net.npz")
    f = _flow_file(tmp_path, "slp_digits.yaml", network={"type": "slp", "weights_file": str(tmp_path / "net.npz")},
                   simulation__spice_images=0, simulation__settling=False, studies__adc_bits=[8],
                   studies__r_wire_ohm=[1.0], tiling={"tile_rows": 33, "tile_cols": 8})
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "byo", "-q"]) == 0
    m = json.loads((tmp_path / "byo" / "metrics.json").read_text())
    assert m["network"]["source"] == "file"
    assert m["software"]["accuracy"] == pytest.approx(float(np.mean(net.predict(ds.x_test) == ds.y_test)))
    tiles = m["solver"]["layers"][0]["tiles"]
    assert (tiles["row_tiles"], tiles["col_tiles"]) == (2, 3)
    # a file whose shapes do not fit the data is refused before anything long runs, naming the file
    np.savez(tmp_path / "bad.npz", W1=np.ones((36, 10)), b1=np.zeros(10))
    g = _flow_file(tmp_path, "slp_digits.yaml", network={"type": "slp", "weights_file": str(tmp_path / "bad.npz")},
                   simulation__spice_images=0)
    assert main(["run", str(g), "--out", str(tmp_path), "--name", "bad", "-q"]) != 0
    meta = json.loads((tmp_path / "bad" / "metadata.json").read_text())
    assert meta["status"] == "failed" and "bad.npz" in meta["error"] and "64" in meta["error"]


def test_describe_documents_the_architecture_keys(capsys):
    assert main(["describe", "crossbar_inference"]) == 0
    out = capsys.readouterr().out
    for key in ("tile_rows", "tile_cols", "columns_per_adc", "accumulator_bits", "preset", "weights_file",
                "differential"):
        assert f"  {key}" in out, key


def test_a_failed_settling_step_keeps_the_solver_results_and_labels_the_run(tmp_path):
    """VTEAM arrays are stiff: a settling transient bounded to 2 s fails; everything else is kept."""
    f = _flow_file(tmp_path, "slp_digits.yaml", network={"type": "slp", "epochs": 10},
                   mapping={"scheme": "differential", "g_hrs_s": 4.5e-4, "g_lrs_s": 9e-3, "levels": 16, "bias": True},
                   array={"device": "vteam", "preset": "pt_hf_ti", "v_read_v": 0.1, "r_row_ohm": 1.0,
                          "r_col_ohm": 1.0, "c_crossing_f": 1e-15, "c_to_ground_f": 1e-15},
                   simulation={"spice_images": 0, "settling": True, "settling_timeout_s": 2.0},
                   studies={"adc_bits": [6], "r_wire_ohm": [1.0]})
    assert main(["run", str(f), "--out", str(tmp_path), "--name", "vt", "-q"]) == 4
    run = tmp_path / "vt"
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["status"] == "completed with failures"
    steps = {s["name"]: s for s in meta["steps"]}
    assert steps["settling"]["status"] == "failed" and "timed out" in steps["settling"]["error"]
    assert steps["solver"]["status"] == steps["study_adc_bits"]["status"] == "ok"
    m = json.loads((run / "metrics.json").read_text())
    assert m["solver"]["accuracy"] > 0.5 and m["studies"]["adc_bits"]
    report = (run / "report.md").read_text()
    assert "fast solver" in report and "## Failed steps" in report and "settling" in report
    assert (run / "checkpoints" / "solver.json").is_file()


@pytest.mark.parametrize("array, mapping, key, text", [
    # VTEAM's default set reaches at most 1 mS at 0.1 V: a 10 mS G_LRS cannot be programmed
    ({"device": "vteam", "v_read_v": 0.1}, {"g_hrs_s": 1e-5, "g_lrs_s": 1e-2}, "mapping.g_lrs_s", "reach"),
    # a read above VTEAM Pt/Hf/Ti's 0.5 V threshold writes the cells it reads
    ({"device": "vteam", "preset": "pt_hf_ti", "v_read_v": 0.6}, {"g_hrs_s": 4.5e-4, "g_lrs_s": 9e-3},
     "array.v_read_v", "writes"),
    ({"device": "linear", "v_read_v": 200.0}, {}, "array.v_read_v", "10 V"),
])
def test_device_aware_refusals_name_the_key_before_running(array, mapping, key, text):
    with pytest.raises(ConfigError) as info:
        flow_from_dict({**BASE, "array": array, "mapping": mapping}, file="flows/bad.yaml")
    msg = str(info.value)
    assert msg.startswith(f"flows/bad.yaml: {key}:") and text in msg, msg
