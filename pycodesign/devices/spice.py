"""Run ngspice: as a batch process or in-process through PySpice's libngspice.

Both paths take the same netlist text (a SPICE deck *without* ``.control``) and
a list of analyses, load the OSDI models, and return every vector as a numpy
array, so callers can switch between them freely.

* :func:`run_batch` writes the deck to a folder, runs ``ngspice -b`` with a
  ``.control`` block (``pre_osdi``, ``set num_threads=1``, the analyses,
  ``write`` of a binary raw file per analysis) and parses the raw files at full
  double precision.  The deck, log and raw files stay in the folder, so a user
  can open the waveforms in any raw-file viewer.
* :class:`SharedNgspice` keeps one libngspice instance per process (it is a
  process-wide singleton in ngspice itself) and loads each OSDI library once.

Failures raise :class:`SimulationError` (or :class:`ConvergenceError` for
time-step / singular-matrix / gmin-stepping failures) with the tail of the
ngspice log and the path of the deck.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .. import toolchain

__all__ = [
    "SimulationError",
    "ConvergenceError",
    "SpiceResult",
    "read_raw",
    "run_batch",
    "SharedNgspice",
    "run_shared",
]

# Messages after which ngspice has given up on an analysis.
_FATAL_CONVERGENCE = (
    "timestep too small",
    "simulation(s) aborted",
    "too many iterations without convergence",
    "transient op failed",
    "dc solution failed",
    "iteration limit reached",
    "no convergence",
)
# Messages that explain a failure but that ngspice may also print on its way to
# a solution (gmin stepping fails, then source stepping succeeds): never fatal alone.
_CONVERGENCE_HINTS = _FATAL_CONVERGENCE + ("singular matrix", "gmin stepping failed", "source stepping failed")


class SimulationError(RuntimeError):
    """ngspice did not produce a result.

    Attributes
    ----------
    log : str
        The ngspice output.
    deck : pathlib.Path or None
        The netlist that failed (batch runs keep it for inspection).
    """

    def __init__(self, message: str, *, log: str = "", deck: Path | None = None):
        self.log = log
        self.deck = deck
        tail = "\n".join(log.strip().splitlines()[-12:])
        where = f" (deck: {deck})" if deck else ""
        super().__init__(f"{message}{where}\n--- ngspice output (tail) ---\n{tail}" if tail else message + where)


class ConvergenceError(SimulationError):
    """ngspice failed to converge (time step too small, singular matrix, ...)."""


@dataclass
class SpiceResult:
    """Vectors of each analysis, in the order the analyses were given.

    ``plots[k]`` maps lower-case vector names (``time``, ``v(out)``,
    ``i(vdd)``, ``@n1[x]`` ...) to float64 (or complex128) arrays.
    """

    plots: list[dict[str, np.ndarray]]
    log: str = ""
    workdir: Path | None = None
    raw_files: list[Path] = field(default_factory=list)

    def __getitem__(self, name: str) -> np.ndarray:
        """A vector of the last analysis."""
        return self.plots[-1][name.lower()]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.plots[-1]


# --------------------------------------------------------------------------- raw files


def _norm_name(name: str) -> str:
    name = name.strip().lower()
    # Raw files wrap device quantities as "v(@n1[x])"; the in-process API
    # calls the same vector "@n1[x]".  Use the latter everywhere.
    m = re.fullmatch(r"[vi]\((@.+)\)", name)
    return m.group(1) if m else name


def read_raw(path: str | os.PathLike) -> list[dict[str, np.ndarray]]:
    """Parse an ngspice raw file (binary or ASCII); one dict per plot."""
    data = Path(path).read_bytes()
    plots: list[dict[str, np.ndarray]] = []
    pos = 0
    while pos < len(data):
        # header: text lines up to "Binary:" or "Values:"
        names: list[str] = []
        n_vars = n_points = 0
        complex_data = False
        while True:
            end = data.index(b"\n", pos)
            line = data[pos:end].decode("latin-1")
            pos = end + 1
            key, _, val = line.partition(":")
            k = key.strip().lower()
            if k == "flags":
                complex_data = "complex" in val.lower()
            elif k == "no. variables":
                n_vars = int(val)
            elif k == "no. points":
                n_points = int(val)
            elif k == "variables":
                for _ in range(n_vars):
                    end = data.index(b"\n", pos)
                    parts = data[pos:end].decode("latin-1").split()
                    pos = end + 1
                    names.append(_norm_name(parts[1]))
            elif k in ("binary", "values"):
                binary = k == "binary"
                break
        if binary:
            width = 2 if complex_data else 1
            count = n_points * n_vars * width
            arr = np.frombuffer(data, dtype="<f8", count=count, offset=pos)
            pos += count * 8
            arr = arr.reshape(n_points, n_vars * width)
            if complex_data:
                arr = arr[:, 0::2] + 1j * arr[:, 1::2]
        else:
            rows = []
            tokens = data[pos:].decode("latin-1").split()
            t = 0
            for _ in range(n_points):
                t += 1  # point index
                row = []
                for _ in range(n_vars):
                    tok = tokens[t]
                    t += 1
                    if complex_data:
                        re_, im_ = tok.split(",")
                        row.append(complex(float(re_), float(im_)))
                    else:
                        row.append(float(tok))
                rows.append(row)
            arr = np.array(rows).reshape(n_points, n_vars)
            pos = len(data)
        plot = {}
        for j, name in enumerate(names):
            col = np.array(arr[:, j])
            plot[name] = col
            m = re.fullmatch(r"(.+)#branch", name)
            if m:
                plot[f"i({m.group(1)})"] = col
        plots.append(plot)
        while pos < len(data) and data[pos : pos + 1] in (b"\n", b"\r"):
            pos += 1
    return plots


# --------------------------------------------------------------------------- batch


def _check_log(log: str, deck: Path | None) -> None:
    low = log.lower()
    if any(pat in low for pat in _FATAL_CONVERGENCE):
        hints = "; ".join(p for p in _CONVERGENCE_HINTS if p in low)
        raise ConvergenceError(f"ngspice did not converge ({hints})", log=log, deck=deck)


def _control_block(osdi: Sequence[Path], analyses: Sequence[str], save: Sequence[str] | None,
                   raw_files: Sequence[Path], options: Sequence[str]) -> str:
    lines = [".control"]
    lines += [f"pre_osdi {Path(p).resolve()}" for p in osdi]
    lines += ["set num_threads=1", "set filetype=binary", "set noaskquit"]
    lines += list(options)
    if save:
        lines.append("save " + " ".join(save))
    for analysis, raw in zip(analyses, raw_files):
        lines.append(analysis)
        lines.append(f"write {raw}")
    lines += ["quit 0", ".endc"]
    return "\n".join(l for l in lines if l) + "\n"


def run_batch(
    netlist: str,
    analyses: Sequence[str],
    *,
    osdi: Iterable[str | os.PathLike] = (),
    save: Sequence[str] | None = None,
    workdir: str | os.PathLike | None = None,
    timeout_s: float = 3600,
    options: Sequence[str] = (),
) -> SpiceResult:
    """Simulate *netlist* with ``ngspice -b``.

    Parameters
    ----------
    netlist
        Title line plus elements and models; no ``.control``/``.end`` (they
        are added).  Analyses such as ``.tran`` must not be in it.
    analyses
        Control-language analysis commands, e.g. ``["op", "tran 1n 1u"]``.
    osdi
        Compiled OSDI libraries to load with ``pre_osdi``.
    save
        Vectors to save (default: ngspice's default, all node voltages and
        branch currents).  OSDI operating-point variables must be listed
        here to be recorded in ``.tran`` (e.g. ``@n1[x]``).
    workdir
        Folder for deck, log and raw files (a temporary one if None, deleted
        afterwards).
    """
    toolchain.require("ngspice")
    osdi = [Path(p) for p in osdi]
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="pycodesign-ngspice-")
        work = Path(tmp.name)
    else:
        work = Path(workdir).resolve()  # ngspice runs with cwd=work: relative paths would break
        work.mkdir(parents=True, exist_ok=True)
    try:
        raws = [work / f"analysis{k}.raw" for k in range(len(analyses))]
        for r in raws:
            if r.exists():
                r.unlink()
        body = netlist.rstrip()
        if re.search(r"^\s*\.(control|end)\b", body, re.I | re.M):
            raise ValueError("run_batch: pass the netlist without .control/.end; they are added")
        deck = work / "circuit.cir"
        deck.write_text(body + "\n" + _control_block(osdi, analyses, save, raws, options) + ".end\n")
        try:
            proc = subprocess.run([toolchain.ngspice_path(), "-b", str(deck)], capture_output=True,
                                  text=True, timeout=timeout_s, cwd=work)
        except subprocess.TimeoutExpired as exc:
            raise SimulationError(f"ngspice timed out after {timeout_s} s", log=str(exc.stdout or ""),
                                  deck=deck) from exc
        log = proc.stdout + proc.stderr
        (work / "ngspice.log").write_text(log)
        _check_log(log, deck if workdir else None)
        missing = [r for r in raws if not r.exists()]
        if proc.returncode != 0 or missing:
            raise SimulationError(
                f"ngspice failed (exit {proc.returncode}; "
                f"{len(missing)} of {len(raws)} analyses produced no output)",
                log=log, deck=deck if workdir else None)
        plots = []
        for r in raws:
            p = read_raw(r)
            plots.append(p[-1] if p else {})
        return SpiceResult(plots=plots, log=log, workdir=None if tmp else work,
                           raw_files=[] if tmp else raws)
    finally:
        if tmp is not None:
            tmp.cleanup()


# --------------------------------------------------------------------------- shared library


class SharedNgspice:
    """The process's libngspice, driven through PySpice (one instance per process)."""

    _instance: "SharedNgspice | None" = None
    _lock = threading.Lock()

    def __init__(self):
        import logging

        # PySpice warns "Unsupported Ngspice version 46": harmless.
        logging.getLogger("PySpice").setLevel(logging.CRITICAL)
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared

        lib = toolchain.libngspice_path()
        if lib is None:
            raise toolchain.ToolError([toolchain.ToolStatus("libngspice", False, detail="libngspice.so.0 not found")])
        NgSpiceShared.LIBRARY_PATH = lib
        self._ng = NgSpiceShared.new_instance()
        self._loaded: set[str] = set()
        self._exec("set num_threads=1")
        out = self._exec("version -s")
        m = re.search(r"ngspice-(\d+)", out)
        self.version = f"ngspice-{m.group(1)}" if m else "unknown"

    @classmethod
    def get(cls) -> "SharedNgspice":
        with cls._lock:
            if cls._instance is None:
                cls._instance = SharedNgspice()
            return cls._instance

    def _exec(self, command: str) -> str:
        ng = self._ng
        ng.clear_output()
        rc = ng._ngspice_shared.ngSpice_Command(command.encode("ascii"))
        out = ng.stdout + "\n" + ng.stderr
        if rc:
            raise SimulationError(f"libngspice command {command!r} returned {rc}", log=out)
        return out

    def load_osdi(self, path: str | os.PathLike) -> None:
        """Load an OSDI library once (``osdi`` command)."""
        p = str(Path(path).resolve())
        if p in self._loaded:
            return
        out = self._exec(f"osdi {p}")
        if "error" in out.lower():
            raise SimulationError(f"libngspice could not load OSDI library {p}", log=out)
        self._loaded.add(p)

    def _vectors(self, plot_name: str) -> dict[str, np.ndarray]:
        from PySpice.Spice.NgSpice.Shared import ffi, FFI

        lib = self._ng._ngspice_shared
        vecs = lib.ngSpice_AllVecs(plot_name.encode())
        out: dict[str, np.ndarray] = {}
        i = 0
        while vecs[i] != FFI.NULL:
            name = ffi.string(vecs[i]).decode()
            info = lib.ngGet_Vec_Info(f"{plot_name}.{name}".encode())
            n = info.v_length
            if info.v_compdata == FFI.NULL:
                arr = np.frombuffer(ffi.buffer(info.v_realdata, n * 8), dtype=np.float64).copy()
            else:
                raw = np.frombuffer(ffi.buffer(info.v_compdata, n * 16), dtype=np.float64)
                arr = raw[0::2] + 1j * raw[1::2]
            key = _norm_name(name)
            out[key] = arr
            m = re.fullmatch(r"(.+)#branch", key)
            if m:
                out[f"i({m.group(1)})"] = arr
            elif re.fullmatch(r"[\w.:]+", key) and key not in ("time", "frequency", "v-sweep", "i-sweep"):
                out[f"v({key})"] = arr  # batch raw files name node voltages v(node)
            i += 1
        return out

    def run(self, netlist: str, analyses: Sequence[str], *, osdi: Iterable[str | os.PathLike] = (),
            save: Sequence[str] | None = None) -> SpiceResult:
        """Load *netlist* (no ``.control``) and run each analysis command in turn.

        Same contract and result as :func:`run_batch`.
        """
        if not analyses:
            raise ValueError("SharedNgspice.run: give at least one analysis command, e.g. ['op']")
        for p in osdi:
            self.load_osdi(p)
        with self._lock:
            ng = self._ng
            body = netlist.rstrip()
            if not re.search(r"^\s*\.end\s*$", body, re.I | re.M):
                body += "\n.end"
            ng.clear_output()
            lines = [l for l in body.splitlines() if l.strip()] + [""]
            from PySpice.Spice.NgSpice.Shared import ffi, FFI

            keep = [ffi.new("char[]", l.encode()) for l in lines] + [FFI.NULL]
            ng._ngspice_shared.ngSpice_Circ(ffi.new("char *[]", keep))
            log = ng.stdout + "\n" + ng.stderr
            if re.search(r"\berror\b|unknown (model|parameter)", log, re.I):
                self._exec("remcirc")
                raise SimulationError("libngspice rejected the netlist", log=log)
            try:
                if save:
                    self._exec("save " + " ".join(save))
                plots = []
                for cmd in analyses:
                    out = self._exec(cmd)
                    log += out
                    _check_log(out, None)
                    if re.search(r"simulation interrupted|\berror\b", out, re.I):
                        raise SimulationError(f"libngspice analysis {cmd!r} failed", log=log)
                    plots.append(self._vectors(ng.last_plot))
            finally:
                self._exec("remcirc")
                self._exec("destroy all")
        return SpiceResult(plots=plots, log=log)


def run_shared(netlist: str, analyses: Sequence[str], *, osdi: Iterable[str | os.PathLike] = (),
               save: Sequence[str] | None = None) -> SpiceResult:
    """Same contract as :func:`run_batch`, in-process through libngspice."""
    toolchain.require("libngspice")
    return SharedNgspice.get().run(netlist, analyses, osdi=osdi, save=save)
