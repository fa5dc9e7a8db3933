# amaranth: UnusedElaboratable=no
"""The header of every generated Verilog file and the port tables it is built from;
plain identifiers only (no dotted module names, no escaped Yosys temporaries)."""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from amaranth.back import rtlil, verilog as amaranth_verilog
from amaranth.lib.wiring import In

from pycodesign import __version__
from pycodesign.rtl import Decoder, WriteVerifyController, verilog
from pycodesign.rtl._common import PortTable, port_in, port_out
from pycodesign.rtl.emit import _run_yosys, header_ports, ordered_ports, port_documentation
from pycodesign.rtl.generate import BLOCKS, build_component, generate, regenerate_command

ROOT = Path(__file__).resolve().parents[1]
HDL = ROOT / "hdl"
MANIFEST = json.loads((HDL / "manifest.json").read_text())
sys.path.insert(0, str(ROOT / "tests"))

from test_rtl_cocotb import PARAM_SETS  # noqa: E402
from test_rtl_lint import EXTRA_VARIANTS  # noqa: E402

VARIANTS = [(b, p) for b, sets in PARAM_SETS.items() for p in sets] + EXTRA_VARIANTS
IDS = [f"{b}-" + "-".join(f"{k}{v}" for k, v in p.items()) for b, p in VARIANTS]


# ------------------------------------------------------------------ header == manifest


@pytest.mark.parametrize("entry", MANIFEST["modules"], ids=[m["module"] for m in MANIFEST["modules"]])
def test_committed_header_lists_every_manifest_port(entry):
    text = (HDL / entry["file"]).read_text()
    listed = header_ports(text)
    expected = [{k: p[k] for k in ("name", "direction", "width")} for p in entry["ports"]]
    assert listed == expected, f"{entry['file']}: header ports differ from manifest.json"


def test_header_ports_parser_sees_a_missing_port():
    """The check above can fail: a header with one port row removed no longer matches."""
    entry = next(m for m in MANIFEST["modules"] if m["module"].startswith("write_verify"))
    text = (HDL / entry["file"]).read_text()
    cut = re.sub(r"^// below .*\n(?://  {20,}.*\n)*", "", text, count=1, flags=re.M)
    assert cut != text
    assert [p["name"] for p in header_ports(cut)] == [p["name"] for p in entry["ports"] if p["name"] != "below"]


@pytest.mark.parametrize("entry", MANIFEST["modules"], ids=[m["module"] for m in MANIFEST["modules"]])
def test_committed_header_names_block_parameters_command_and_version(entry):
    text = (HDL / entry["file"]).read_text()
    head = text.split("*/", 1)[0]
    assert head.startswith("// ====")
    assert f"// {entry['module']}\n" in head
    assert f"block       {entry['block']} (pycodesign.rtl.{entry['class']})" in head
    params = ", ".join(f"{k}={v!r}" for k, v in entry["parameters"].items())
    assert re.sub(r"\n//\s+", " ", head).count(params) == 1
    assert "pycodesign hdl hdl/config.yaml --out hdl   (in the folder that holds hdl/)" in head
    assert f"pycodesign {__version__}" in head
    # Deterministic: no date or time, no absolute path.
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b|\b\d\d:\d\d:\d\d\b", head)
    assert "/work/" not in head and "/home/" not in head and "/tmp/" not in head
    if entry["clock"]:
        assert "clocking    clk, rising edge; rst synchronous, active high" in head
    else:
        assert "clocking    none: combinational" in head
    if "latency_cycles" in entry:
        assert f"latency     {entry['latency_cycles']} cycle(s)" in head


def _row(text: str, port: str) -> str:
    """The header text of one port (its row and continuation lines, joined)."""
    m = re.search(rf"^// {port} .*\n(?://  {{20,}}.*\n)*", text, re.M)
    assert m, port
    return re.sub(r"\n//\s+", " ", m.group(0))


def test_header_states_the_handshakes_with_the_instance_values():
    wv = (HDL / "write_verify_r64_c5_p4_m20_rd2_wr4.v").read_text()
    below = _row(wv, "below")
    assert "input       4" in below
    assert "sampled only at the rising edge that ends cycle 2 of 2 of a read phase (read_en high)" in below
    assert "High for 4 consecutive cycles" in _row(wv, "set_en") and "at most 20 write phases" in _row(wv, "set_en")
    sar = (HDL / "sar_adc_b8_s1.v").read_text()
    comp = _row(sar, "comp")
    assert "Sampled only at the rising edge that ends cycle 1 of 1 of each trial" in comp
    assert "1 + 8 * 1 cycles" in _row(sar, "busy")
    am = (HDL / "argmax_n10_w9_s_p2.v").read_text()
    for port in ("index", "max_value", "valid_out"):
        assert "Valid 2 cycle(s) after data/valid_in" in _row(am, port)
    assert "Valid 0 cycle(s) after data/valid_in" in _row((HDL / "argmax_n10_w9_s_p0.v").read_text(), "index")


# ------------------------------------------------------------------ the port tables


@pytest.mark.parametrize("block,params", VARIANTS, ids=IDS)
def test_every_variant_documents_every_port(block, params):
    comp = build_component(block, params)
    table = port_documentation(comp)
    assert table.signal_ports == list(comp.signature.members)
    text = verilog(comp)
    body = text.split("*/", 1)[1]
    assert header_ports(text) == ordered_ports(comp, body, comp.module_name)
    comments = "".join(ln for ln in text.split("*/", 1)[0].splitlines() if ln.startswith("//"))
    assert "{" not in comments, "a {name} field was left unfilled"


def test_every_block_class_has_a_port_table_and_its_docstring_lists_the_ports():
    for name, cls in BLOCKS.items():
        table = cls.__dict__.get("PORTS")
        assert isinstance(table, PortTable), name
        doc = cls.__doc__
        assert "{PORTS}" not in doc
        for port, pdoc in table.items():
            flow = "In" if pdoc.direction == "input" else "Out"
            assert f"    {port} : {flow}({pdoc.width})" in doc, (name, port)


def test_port_table_builds_the_signature_and_refuses_a_mismatch():
    table = PortTable(a=port_in("1", "A.", "Any time."), y=port_out("w", "Y.", "Comb."))
    sig = table.signature(a=1, y=3)
    assert list(sig) == ["a", "y"] and sig["a"] == In(1)
    with pytest.raises(ValueError, match=r"undocumented \['b'\]"):
        table.signature(a=1, y=3, b=2)
    with pytest.raises(ValueError, match=r"without a width \['y'\]"):
        table.signature(a=1)
    with pytest.raises(ValueError, match="meaning and a timing"):
        port_in("1", "A.", "")
    with pytest.raises(ValueError, match="'input' or 'output'"):
        PortTable(a=type(port_in("1", "A.", "T."))("inout", "1", "A.", "T."))


class _ExtraPort(Decoder):
    """A decoder with one more port than its documentation."""

    def __init__(self):
        self.n = 2
        from amaranth.lib import wiring

        wiring.Component.__init__(self, {**Decoder.PORTS.signature(addr=1, en=1, onehot=2), "spare": In(1)})

    @property
    def module_name(self):
        return "extra_port_n2"

    def elaborate(self, platform):
        m = super().elaborate(platform)
        m.d.comb += self.onehot[0].eq(self.spare & self.en & ~self.addr)
        return m


def test_undocumented_block_or_port_is_refused(tmp_path):
    class Bare(Decoder):
        pass

    bare = Bare(3)
    Bare.PORTS = "not a table"  # after construction: the signature was built from Decoder's table
    with pytest.raises(ValueError, match="Bare has no PORTS table"):
        verilog(bare, "bare_n3")
    with pytest.raises(ValueError, match="port 'spare' of module extra_port_n2 is not documented"):
        verilog(_ExtraPort())


# ------------------------------------------------------------------ the command in the header


def test_regenerate_command_is_relative_and_machine_independent(tmp_path):
    (tmp_path / "proj" / "rtl").mkdir(parents=True)
    cfg = tmp_path / "proj" / "hdl.yaml"
    cfg.write_text("- {block: decoder, n: 3}\n")
    cmd, where = regenerate_command(cfg, tmp_path / "proj" / "rtl")
    assert cmd == "pycodesign hdl hdl.yaml --out rtl" and where == "in the folder that holds rtl/"
    cmd, where = regenerate_command(tmp_path / "proj" / "rtl" / "x y.yaml", tmp_path / "proj" / "rtl")
    assert cmd == "pycodesign hdl 'rtl/x y.yaml' --out rtl"
    # A configuration outside the folder holding the output: its name only, said so.
    cmd, where = regenerate_command(cfg, tmp_path / "elsewhere" / "out")
    assert cmd == "pycodesign hdl hdl.yaml --out out" and "path is not recorded" in where
    assert str(tmp_path) not in cmd + where


def test_generation_anywhere_with_the_same_layout_gives_the_same_bytes(tmp_path):
    outs = []
    for base in ("one", "two/deeper"):
        out = tmp_path / base / "hdl"
        out.mkdir(parents=True)
        shutil.copyfile(HDL / "config.yaml", out / "config.yaml")
        generate(out / "config.yaml", out)
        outs.append(out)
    for m in MANIFEST["modules"]:
        assert (outs[0] / m["file"]).read_bytes() == (outs[1] / m["file"]).read_bytes() \
            == (HDL / m["file"]).read_bytes(), m["file"]


# ------------------------------------------------------------------ plain identifiers


_ESCAPED = re.compile(r"\\\S")


@pytest.mark.parametrize("entry", MANIFEST["modules"], ids=[m["module"] for m in MANIFEST["modules"]])
def test_committed_files_have_plain_identifiers_only(entry):
    text = (HDL / entry["file"]).read_text()
    assert not _ESCAPED.search(text), f"{entry['file']}: escaped identifier {_ESCAPED.search(text).group(0)}"
    left = re.search(r"\w\$|\$\d", text.split("*/", 1)[1])  # not $signed(...)
    assert not left, f"{entry['file']}: a '$' name is left near {left.group(0)!r}"
    modules = re.findall(r"^module (\S+?)\(", text, re.M)
    assert modules[0] == entry["module"]
    for sub in modules[1:]:
        assert sub.startswith(entry["module"] + "__") and re.fullmatch(r"[A-Za-z_]\w*", sub), sub


def test_write_verify_submodule_is_a_plain_identifier():
    text = (HDL / "write_verify_r64_c5_p4_m20_rd2_wr4.v").read_text()
    assert "module write_verify_r64_c5_p4_m20_rd2_wr4__sequencer(" in text
    assert "  write_verify_r64_c5_p4_m20_rd2_wr4__sequencer sequencer (" in text
    assert ".sequencer" not in text


@pytest.mark.parametrize("block,params", VARIANTS, ids=IDS)
def test_generated_names_are_marked_and_hand_written_ones_never_are(block, params):
    """Every name the flow generates starts and ends with '_' (what the lint waiver relies on);
    no signal written in the blocks starts with '_'."""
    comp = build_component(block, params)
    il = rtlil.convert(comp, name=comp.module_name, emit_src=False)
    public = set(re.findall(r"^\s*wire .*\\(\S+)$", il, re.M))
    hand_written = {n for n in public if "$" not in n}
    assert not [n for n in hand_written if n.startswith("_")]
    body = verilog(comp).split("*/", 1)[1]
    declared = set(re.findall(r"^\s*(?:wire|reg)\s+(?:\[\d+:\d+\]\s+)?(\w+)", body, re.M))
    generated = declared - hand_written - {p.split(".")[-1] for p in hand_written}
    assert all(n.startswith("_") and n.endswith("_") for n in generated), sorted(generated)


def test_yosys_script_is_amaranths_own():
    """With -norename our Yosys step gives exactly amaranth.back.verilog's text, so the
    renaming is the only difference (an Amaranth update cannot drift silently)."""
    for comp in (Decoder(5), WriteVerifyController(rows=2, cols=3, partitions=2, max_pulses=2, read_cycles=1,
                                                   write_cycles=2)):
        name = comp.module_name
        ours = _run_yosys(rtlil.convert(comp, name=name, emit_src=False), norename=True)
        assert ours == amaranth_verilog.convert(comp, name=name, emit_src=False)


def test_renamed_design_is_the_same_design():
    """Renaming changes names only: the same cells, assignments and processes line for line."""
    comp = WriteVerifyController(rows=2, cols=3, partitions=2, max_pulses=2, read_cycles=1, write_cycles=2)
    name = comp.module_name
    original = amaranth_verilog.convert(comp, name=name, emit_src=False)
    renamed = verilog(comp)

    def shape(text):
        text = re.sub(r"\A(//.*\n)*/\*.*?\*/\n", "", text)  # the header and the Yosys banner
        return [re.sub(r"\\\S+ ?|\b[A-Za-z_]\w*\b", "N", ln).replace(" ", "") for ln in text.splitlines()]

    # write_verilog declares wires sorted by name, so compare the lines as multisets.
    assert sorted(shape(original)) == sorted(shape(renamed))


def test_verilog_refuses_a_module_name_with_the_submodule_separator():
    with pytest.raises(ValueError, match="'__'"):
        verilog(Decoder(3), "my__decoder")
