"""Flow configuration: typed loading, clear refusals, YAML round trip."""

import pytest
import yaml

from pycodesign.config import ConfigError, to_dict, to_yaml
from pycodesign.flows import flow_from_dict, load_flow

BASE = {"kind": "characterize", "name": "t", "device": {"model": "hp"}}


def _with(**changes):
    d = yaml.safe_load(yaml.safe_dump(BASE))
    for path, value in changes.items():
        cur = d
        keys = path.split("__")
        for k in keys[:-1]:
            cur = cur.setdefault(k, {})
        cur[keys[-1]] = value
    return d


def test_defaults_and_round_trip(tmp_path):
    flow = flow_from_dict(BASE, file="x.yaml")
    assert flow.device.model == "hp" and flow.sweeps.shapes == ["sine", "triangle"]
    p = tmp_path / "f.yaml"
    to_yaml(flow, p)
    again = load_flow(p)
    assert again == flow
    assert to_dict(again)["kind"] == "characterize"


@pytest.mark.parametrize("change, key, text", [
    ({"device__colour": 1}, "device.colour", "unknown key; allowed here: model, preset, params, x0"),
    ({"sweeps__frequencies_hz": []}, "sweeps.frequencies_hz", "needs at least 3"),
    ({"sweeps__frequencies_hz": [1.0, 2.0]}, "sweeps.frequencies_hz", "needs at least 3"),
    ({"sweeps__frequencies_hz": [1.0, -2.0, 3.0]}, "sweeps.frequencies_hz[1]", "out of range; allowed: > 0 Hz"),
    ({"pulses__width_s": -1e-6}, "pulses.width_s", "-1e-06 is out of range; allowed: > 0 s"),
    ({"pulses__n_pulses": "ten"}, "pulses.n_pulses", "'ten' is not an integer"),
    ({"pulses__n_pulses": 2.5}, "pulses.n_pulses", "2.5 is not an integer"),
    ({"engine": "hspice"}, "engine", "'hspice' is not allowed; allowed: 'batch', 'shared'"),
    ({"device__model": "nope"}, "device.model", "'nope' is not a registered model"),
    ({"device__params": {"r_on": 20e3, "r_off": 10e3}}, "device.params", "r_on"),
    ({"device__params": {"bogus": 1.0}}, "device.params", "unknown parameter 'bogus'"),
    ({"device__preset": "nope"}, "device.params", "unknown preset 'nope'"),
    ({"read_disturb__n_reads": 0}, "read_disturb.n_reads", "0 is out of range; allowed: >= 1"),
    ({"pulses__v_read": 0.0}, "pulses.v_read", "0 V cannot read"),
])
def test_bad_values_are_refused_with_file_key_and_allowed(change, key, text):
    with pytest.raises(ConfigError) as info:
        flow_from_dict(_with(**change), file="flows/x.yaml")
    msg = str(info.value)
    assert msg.startswith(f"flows/x.yaml: {key}:"), msg
    assert text in msg, msg


def test_unknown_kind_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="'nope' is not a known flow kind; allowed: .*characterize"):
        flow_from_dict({"kind": "nope"}, file="a.yaml")
    with pytest.raises(ConfigError, match="file not found"):
        load_flow(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: characterize\n  device: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_flow(bad)


def test_every_shipped_flow_file_loads():
    from pathlib import Path

    files = sorted(Path(__file__).resolve().parents[1].joinpath("flows").glob("*.yaml"))
    assert files, "flows/ holds no YAML files"
    for f in files:
        load_flow(f)


def test_round_trip_keeps_a_nested_sections_kind_field(tmp_path):
    # tia.kind is a field of a nested section, not the flow's kind: it must survive to_yaml -> load
    f = flow_from_dict({"kind": "crossbar_inference", "array": {"tia": {"kind": "opamp", "gain": 1e4}}})
    to_yaml(f, tmp_path / "c.yaml")
    back = load_flow(tmp_path / "c.yaml")
    assert back.array.tia.kind == "opamp" and back.array.tia.gain == 1e4 and back == f
