"""ngspice as a batch process: deck and raw files in a work folder."""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from .. import toolchain
from ..errors import SimulationError
from .raw import read_raw
from .result import SpiceResult, check_log

__all__ = ["run_batch"]


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
        check_log(log, deck if workdir else None)
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
