"""Compile Verilog-A models to OSDI with OpenVAF, into a content-addressed cache.

The cache key is the SHA-256 of the model source, of every file it
``include``s from beside it, and of the compiler's identity (its version line
and binary), so a model is recompiled only when its source or the compiler
changes.  The cache lives in ``$PYCODESIGN_CACHE/osdi`` (default
``~/.cache/pycodesign/osdi``); each entry is written atomically, so parallel
test workers can share it.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .. import toolchain

__all__ = ["VerilogACompileError", "CompileInfo", "cache_dir", "compile_va", "last_compile_info"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class VerilogACompileError(RuntimeError):
    """OpenVAF rejected a Verilog-A file.

    Attributes
    ----------
    path : pathlib.Path
        The Verilog-A file.
    line : int or None
        First line OpenVAF points at.
    message : str
        OpenVAF's message, without colour codes.
    """

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"Verilog-A compile error in {where}:\n{message}")


@dataclass(frozen=True)
class CompileInfo:
    """What :func:`compile_va` did: the OSDI path, cache hit or miss, time."""

    osdi: Path
    cached: bool
    seconds: float


_last_info: dict[str, CompileInfo] = {}


def cache_dir() -> Path:
    """The OSDI cache folder, absolute (``$PYCODESIGN_CACHE/osdi``, default ``~/.cache/pycodesign/osdi``).

    Any path works, spaces and all: ngspice never sees it (the batch runner
    links libraries into its work folder under kit-made names, the
    libngspice session loads a copy when the path is not safe; see
    :mod:`pycodesign.spice.safety`).  Absolute so that a relative setting
    does not change meaning with the working directory.
    """
    base = os.environ.get("PYCODESIGN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pycodesign")
    return Path(base).expanduser().resolve() / "osdi"


@functools.lru_cache(maxsize=None)
def _compiler_identity(exe: str) -> str:
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    st = os.stat(exe)
    return f"{(out.stdout + out.stderr).strip()}|{st.st_size}|{int(st.st_mtime)}"


def _includes(src: Path, text: str) -> list[Path]:
    found = []
    for inc in re.findall(r'`include\s+"([^"]+)"', text):
        p = src.parent / inc
        if p.exists():
            found.append(p)
    return found


def _key(src: Path, exe: str) -> str:
    h = hashlib.sha256()
    text = src.read_text()
    h.update(text.encode())
    for inc in _includes(src, text):
        h.update(inc.name.encode())
        h.update(inc.read_bytes())
    h.update(_compiler_identity(exe).encode())
    return h.hexdigest()[:24]


def compile_va(path: str | os.PathLike, *, force: bool = False) -> Path:
    """Return the OSDI library for a Verilog-A file, compiling it if needed.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    VerilogACompileError
        OpenVAF reported an error; the message names file and line.
    pycodesign.toolchain.ToolError
        ``openvaf-r`` is missing.
    """
    src = Path(path).resolve()
    if not src.is_file():
        raise FileNotFoundError(f"Verilog-A file not found: {src}")
    toolchain.require("openvaf")
    exe = toolchain.openvaf_path()
    key = _key(src, exe)
    out_dir = cache_dir() / key
    osdi = out_dir / (src.stem + ".osdi")
    t0 = time.perf_counter()
    if osdi.exists() and not force:
        _last_info[str(src)] = CompileInfo(osdi, True, 0.0)
        return osdi
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        tmp_osdi = Path(tmp) / osdi.name
        proc = subprocess.run([exe, str(src), "-o", str(tmp_osdi)], capture_output=True, text=True,
                              timeout=600, cwd=src.parent)
        text = _ANSI.sub("", proc.stdout + proc.stderr)
        if proc.returncode != 0 or not tmp_osdi.exists():
            m = re.search(r"-->\s*(\S+?):(\d+):\d+", text)
            line = int(m.group(1 + 1)) if m else None
            msg = "\n".join(l for l in text.strip().splitlines() if "Finished" not in l)
            raise VerilogACompileError(src, line, msg or f"openvaf-r exited {proc.returncode}")
        os.replace(tmp_osdi, osdi)  # atomic: concurrent builders race harmlessly
    _last_info[str(src)] = CompileInfo(osdi, False, time.perf_counter() - t0)
    return osdi


def last_compile_info(path: str | os.PathLike) -> CompileInfo | None:
    """How the last :func:`compile_va` of *path* in this process went."""
    return _last_info.get(str(Path(path).resolve()))
