"""ngspice as a batch process: deck and raw files in a work folder.

ngspice runs *in* the work folder and the deck names only files of the kit's
own making, relative to it (``pre_osdi osdi0_vteam.osdi``, ``write
analysis0.raw``): the folder's absolute path, which the user chooses and may
hold spaces, ``$`` or backquotes, never reaches ngspice's control language
(see :mod:`~pycodesign.spice.safety`).  ``-n`` keeps a ``.spiceinit`` in the
folder or the home directory out of the run, so results do not depend on
who runs them.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from .. import toolchain
from ..errors import SimulationError
from .raw import read_raw
from .result import SpiceResult, check_log
from .safety import check_control_line, check_netlist, link_into

__all__ = ["run_batch", "DECK_NAME", "LOG_NAME"]

#: File names of the deck and the log in the work folder.
DECK_NAME = "circuit.cir"
LOG_NAME = "ngspice.log"


def _raw_name(k: int) -> str:
    return f"analysis{k}.raw"


def _control_block(osdi_names: Sequence[str], analyses: Sequence[str], save: Sequence[str] | None,
                   options: Sequence[str]) -> str:
    """The ``.control`` block; every line checked, file names relative to the work folder."""
    lines = [".control"]
    lines += [f"pre_osdi {name}" for name in osdi_names]
    lines += ["set num_threads=1", "set filetype=binary", "set noaskquit"]
    lines += [check_control_line(o, what="option") for o in options]
    if save:
        lines.append(check_control_line("save " + " ".join(save), what="save list"))
    for k, analysis in enumerate(analyses):
        lines.append(check_control_line(analysis, what="analysis"))
        lines.append(f"write {_raw_name(k)}")
    lines += ["quit 0", ".endc"]
    return "\n".join(l for l in lines if l) + "\n"


def _work_folder(workdir: str | os.PathLike) -> Path:
    work = Path(workdir).resolve()  # ngspice runs with cwd=work: relative paths would break
    if work.exists() and not work.is_dir():
        raise ValueError(f"run_batch: workdir {str(work)!r} exists and is not a folder")
    work.mkdir(parents=True, exist_ok=True)
    return work


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
        are added) and no ``.include``/``.lib``.  Analyses such as ``.tran``
        must not be in it.
    analyses
        Control-language analysis commands, e.g. ``["op", "tran 1n 1u"]``.
    osdi
        Compiled OSDI libraries; each is hard-linked (or copied) into the
        work folder under a kit-made name and loaded with ``pre_osdi``.
    save
        Vectors to save (default: ngspice's default, all node voltages and
        branch currents).  OSDI operating-point variables must be listed
        here to be recorded in ``.tran`` (e.g. ``@n1[x]``).
    workdir
        Folder for deck, log, OSDI links and raw files (a temporary one if
        None, deleted afterwards).  Any path works, spaces and all: ngspice
        runs inside it and the deck names files relative to it.
    timeout_s
        Wall-clock limit of the ngspice process (s).
    options
        Extra control-language lines after ``set num_threads=1``.

    Raises
    ------
    ValueError
        The netlist or a control line holds text ngspice would interpret
        (see :mod:`~pycodesign.spice.safety`), or *workdir* is a file.
    SimulationError, ConvergenceError
        ngspice failed; the message has the log's tail and the deck's path.
    """
    body = check_netlist(netlist.rstrip())
    analyses = list(analyses)
    toolchain.require("ngspice")
    osdi = [Path(p) for p in osdi]
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="pycodesign-ngspice-")
        work = Path(tmp.name)
    else:
        work = _work_folder(workdir)
    try:
        raws = [work / _raw_name(k) for k in range(len(analyses))]
        for r in raws:
            r.unlink(missing_ok=True)
        names = [link_into(work, k, p) for k, p in enumerate(osdi)]
        deck = work / DECK_NAME
        deck.write_text(body + "\n" + _control_block(names, analyses, save, options) + ".end\n")
        try:
            proc = subprocess.run([toolchain.ngspice_path(), "-b", "-n", DECK_NAME], capture_output=True,
                                  text=True, errors="replace", timeout=timeout_s, cwd=work)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            raise SimulationError(f"ngspice timed out after {timeout_s} s", log=out,
                                  deck=deck if workdir else None) from exc
        log = proc.stdout + proc.stderr
        (work / LOG_NAME).write_text(log)
        check_log(log, deck if workdir else None)
        missing = [r for r in raws if not r.exists()]
        if proc.returncode != 0 or missing:
            raise SimulationError(
                f"ngspice failed (exit {proc.returncode}; "
                f"{len(missing)} of {len(raws)} analyses produced no output)",
                log=log, deck=deck if workdir else None)
        plots = []
        for r in raws:
            try:
                p = read_raw(r)
            except ValueError as exc:
                raise SimulationError(str(exc), log=log, deck=deck if workdir else None) from None
            plots.append(p[-1] if p else {})
        return SpiceResult(plots=plots, log=log, workdir=None if tmp else work,
                           raw_files=[] if tmp else raws)
    finally:
        if tmp is not None:
            tmp.cleanup()
