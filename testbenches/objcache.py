#!/usr/bin/env python3
"""Compile cache for Verilator's run-time library, used through Verilator's ``OBJCACHE`` hook.

Every Verilator build of the regression compiles the same run-time library
(``verilated.cpp``, ``verilated_vpi.cpp``, ...) with the same flags: about
80 % of a small design's build time.  Verilator's makefiles run every
compile as ``$(OBJCACHE) $(CXX) ...`` (meant for ccache); with ``OBJCACHE``
pointing here, objects compiled from ``$VERILATOR_ROOT/include`` are kept in
``$PYCODESIGN_OBJCACHE_DIR`` under a key made of the full compile command,
the compiler's version and the contents of the source and every file of the
Verilator include folder, and copied from there on a hit.  Anything else
(the design itself, cocotb's ``verilator.cpp``) is compiled as usual.

Usage (from the makefile): ``objcache.py <compiler> <args...> -c -o <obj> <source>``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _key(cmd: list[str], include_dir: Path, source: Path) -> str:
    h = hashlib.sha256()
    h.update("\0".join(cmd).encode())
    ver = subprocess.run([cmd[0], "--version"], capture_output=True, text=True)
    h.update(ver.stdout.encode())
    h.update(source.read_bytes())
    for f in sorted(include_dir.rglob("*")):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.relative_to(include_dir)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def main(argv: list[str]) -> int:
    cmd = argv[1:]
    if not cmd:
        print("usage: objcache.py <compiler> <args...>", file=sys.stderr)
        return 2
    cache = os.environ.get("PYCODESIGN_OBJCACHE_DIR")
    root = os.environ.get("VERILATOR_ROOT")
    out = cmd[cmd.index("-o") + 1] if "-o" in cmd[:-1] else None
    source = Path(cmd[-1]).resolve()
    include_dir = Path(root).resolve() / "include" if root else None
    cacheable = (cache and include_dir is not None and out and "-c" in cmd
                 and source.suffix == ".cpp" and include_dir in source.parents)
    if not cacheable:
        return subprocess.call(cmd)

    entry = Path(cache) / _key(cmd, include_dir, source)
    obj, dep = Path(out), Path(out).with_suffix(".d")
    if (entry / "obj").is_file():
        shutil.copyfile(entry / "obj", obj)
        if (entry / "dep").is_file():
            shutil.copyfile(entry / "dep", dep)
        return 0
    rc = subprocess.call(cmd)
    if rc == 0 and obj.is_file():
        tmp = entry.with_name(f"{entry.name}.tmp{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(obj, tmp / "obj")
        if dep.is_file():
            shutil.copyfile(dep, tmp / "dep")
        try:
            os.replace(tmp, entry)  # atomic: parallel builds never see a half-written entry
        except OSError:  # another build stored the same entry first
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
