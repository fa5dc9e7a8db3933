"""ngspice in-process through PySpice's libngspice (one instance per process).

Every command sent to libngspice is checked
(:func:`~pycodesign.spice.safety.check_control_line`), netlist lines too
(:func:`~pycodesign.spice.safety.check_netlist`), and OSDI libraries are
loaded from paths of safe characters only
(:func:`~pycodesign.spice.safety.safe_osdi_path`): no user or environment
text reaches ngspice's control language.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .. import toolchain
from ..errors import SimulationError
from .raw import norm_name
from .result import SpiceResult, check_log
from .safety import check_control_line, check_netlist, safe_osdi_path

__all__ = ["SharedNgspice", "run_shared"]


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

    def _exec(self, command: str, *, checked: bool = False) -> str:
        if not checked:
            check_control_line(command, what="command")
        ng = self._ng
        ng.clear_output()
        rc = ng._ngspice_shared.ngSpice_Command(command.encode("ascii"))
        out = ng.stdout + "\n" + ng.stderr
        if rc:
            raise SimulationError(f"libngspice command {command!r} returned {rc}", log=out)
        return out

    def load_osdi(self, path: str | os.PathLike) -> None:
        """Load an OSDI library once (``osdi`` command).

        A library whose path holds characters the control language would
        interpret (a space, ``$``, a backquote ...) is loaded from a copy
        with a safe path (:func:`~pycodesign.spice.safety.safe_osdi_path`).
        """
        p = str(Path(path).resolve())
        if p in self._loaded:
            return
        safe = safe_osdi_path(p)
        # safe_osdi_path guarantees [A-Za-z0-9_./+-] only: nothing to expand or split
        out = self._exec(f"osdi {safe}", checked=True)
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
            key = norm_name(name)
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
        analyses = [check_control_line(a, what="analysis") for a in analyses]
        if save:
            check_control_line("save " + " ".join(save), what="save list")
        body = netlist.rstrip()
        # a final ".end" is allowed here (ngSpice_Circ needs one); the rest is checked as in run_batch
        body = re.sub(r"\n\s*\.end\s*$", "", body, flags=re.I)
        check_netlist(body)
        for p in osdi:
            self.load_osdi(p)
        with self._lock:
            ng = self._ng
            body += "\n.end"
            ng.clear_output()
            lines = [l for l in body.split("\n") if l.strip()] + [""]
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
                    check_log(out, None)
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
