"""What the kit lets into an ngspice deck or command, and where OSDI libraries live.

ngspice's control language (the ``.control`` block of a batch deck, and every
command sent to libngspice) behaves like a C shell: backquotes run a shell
command, ``$name`` expands a variable, ``;`` separates commands, ``<``/``>``
redirect, quotes and braces group and expand, whitespace splits arguments,
and a newline starts a new command (``shell …``, ``source …``).  A netlist
line such as ``.include`` or ``.control`` makes ngspice read another file or
run commands.  So the rule is:

* **No string that a user or the environment controls is ever written into a
  deck or command.**  Decks contain numbers, kit-made element and node names
  and kit-made file names; the batch runner works in its folder with relative
  names (``write analysis0.raw``, ``pre_osdi osdi0_vteam.osdi``), so the folder's
  absolute path — which the user chooses, with spaces, ``$`` or backquotes —
  never appears in the deck.
* Every control line and every netlist line is **checked** here before ngspice
  sees it (:func:`check_control_line`, :func:`check_netlist`): a kit bug that
  let user text through is refused with ``ValueError`` instead of executed.
* OSDI libraries are loaded from kit-made names (copied or hard-linked into
  the batch work folder) or, in the libngspice session, from a path of safe
  characters only (:func:`safe_osdi_path`), copied into a private folder when
  the cache path is not safe (a home folder with a space, say).
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

__all__ = ["CONTROL_LINE_CHARS", "SAFE_PATH_CHARS", "check_control_line", "check_netlist", "is_safe_path",
           "link_into", "safe_osdi_path"]

#: Characters allowed in a control-language line the kit writes: letters,
#: digits, space and ``_ . = + - @ [ ] ( ) , : #`` (analysis commands such as
#: ``tran 1e-09 1e-06 0 1e-09 uic``, ``save @n1[x] v(p) i(vsrc)``, ``set
#: num_threads=1``).  Nothing the control language expands or splits on.
CONTROL_LINE_CHARS = "ASCII letters, digits, space and _ . = + - @ [ ] ( ) , : #"
_CONTROL_LINE = re.compile(r"[A-Za-z0-9 _.=+\-@\[\]()#,:]*")

#: Characters allowed in a path written into a control command (libngspice's
#: ``osdi <path>``): ASCII letters, digits and ``_ . / + -``.
SAFE_PATH_CHARS = "ASCII letters, digits and _ . / + -"
_SAFE_PATH = re.compile(r"/?[A-Za-z0-9_.+\-][A-Za-z0-9_./+\-]*")

# Netlist lines that would end the deck, run commands or read other files.
_NETLIST_FORBIDDEN = re.compile(r"^\s*\.(control|endc|end|include|inc|lib|exec|endl)\b", re.I)


def _bad_char(text: str, allow: str = "") -> int | None:
    """Index of the first control character (C0, DEL, C1, line/paragraph separator) not in *allow*."""
    for k, ch in enumerate(text):
        o = ord(ch)
        if (o < 32 or 127 <= o < 160 or ch in "\u2028\u2029") and ch not in allow:
            return k
        if 0xD800 <= o <= 0xDFFF:  # lone surrogate: cannot even be written to a file
            return k
    return None


def check_control_line(line: str, *, what: str = "control line") -> str:
    """Return *line* if it is safe for ngspice's control language; ``ValueError`` otherwise.

    Parameters
    ----------
    line : str
        One command, e.g. ``"tran 1e-09 1e-06"``.
    what : str
        What the line is, for the message (``"analysis"``, ``"save"`` ...).
    """
    if not isinstance(line, str):
        raise TypeError(f"ngspice {what} must be a string, got {type(line).__name__}")
    if not _CONTROL_LINE.fullmatch(line):
        bad = next(ch for ch in line if not _CONTROL_LINE.fullmatch(ch))
        raise ValueError(f"ngspice {what} {line[:80]!r} contains {bad!r}, which ngspice's control language "
                         f"would interpret (shell escape, variable, separator or new command); allowed: "
                         f"{CONTROL_LINE_CHARS}")
    return line


def check_netlist(netlist: str) -> str:
    """Return *netlist* if it is a plain deck body; ``ValueError`` otherwise.

    Refused: control characters other than newline and tab (a carriage
    return or form feed would split lines differently in ngspice and here),
    and, after the title line, any ``.control``/``.endc``/``.end``/
    ``.include``/``.lib``/``.exec`` line (the runners add the control block
    and ``.end`` themselves; the kit's decks never read other files).
    """
    if not isinstance(netlist, str):
        raise TypeError(f"netlist must be a string, got {type(netlist).__name__}")
    k = _bad_char(netlist, allow="\n\t")
    if k is not None:
        line = netlist.count("\n", 0, k) + 1
        raise ValueError(f"netlist line {line} contains the control character {netlist[k]!r}; "
                         "decks may only hold printable text, tabs and newlines")
    for n, text in enumerate(netlist.split("\n")[1:], start=2):
        m = _NETLIST_FORBIDDEN.match(text)
        if m:
            raise ValueError(f"netlist line {n} is a {m.group(0).strip()!r} line; pass the netlist without "
                             ".control/.end (the runner adds them) and without .include/.lib/.exec")
    return netlist


def is_safe_path(path: str | os.PathLike) -> bool:
    """True if *path* has only :data:`SAFE_PATH_CHARS` (safe unquoted in a control command)."""
    return bool(_SAFE_PATH.fullmatch(os.fspath(path)))


def _kit_name(index: int, path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_]", "_", path.stem)[:40] or "model"
    return f"osdi{index}_{stem}.osdi"


def link_into(folder: Path, index: int, osdi: str | os.PathLike) -> str:
    """Put OSDI library *osdi* into *folder* under a kit-made name; return that name.

    A hard link when possible (no copy, and the folder keeps the exact
    library its deck used even if the cache is cleared), a copy otherwise.
    The name is built from *index* and the file's stem reduced to
    ``[A-Za-z0-9_]``, so it is safe in a control line.
    """
    src = Path(osdi).resolve()
    if not src.is_file():
        raise FileNotFoundError(f"OSDI library not found: {src}")
    name = _kit_name(index, src)
    dest = folder / name
    tmp = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        tmp.unlink(missing_ok=True)
        try:
            os.link(src, tmp)
        except OSError:  # another file system, or links not allowed: copy
            shutil.copyfile(src, tmp)
        os.replace(tmp, dest)  # atomic: a re-run in the same folder never sees half a library
    finally:
        tmp.unlink(missing_ok=True)
    return name


_private: dict[str, Path] = {}
_private_lock = threading.Lock()


def _private_dir() -> Path:
    """A private folder with a safe path for OSDI copies (made once per process, removed at exit)."""
    with _private_lock:
        if "dir" in _private:
            return _private["dir"]
        tried = []
        for cand in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
            base = Path(cand).resolve()
            tried.append(str(base))
            if not (is_safe_path(base) and base.is_dir() and os.access(base, os.W_OK)):
                continue
            d = Path(tempfile.mkdtemp(prefix="pycodesign-osdi-", dir=base))
            if is_safe_path(d):
                atexit.register(shutil.rmtree, d, True)
                _private["dir"] = d
                return d
            shutil.rmtree(d, ignore_errors=True)
        raise RuntimeError("no writable temporary folder with a path of " + SAFE_PATH_CHARS
                           + f" for the OSDI libraries (tried: {', '.join(tried)}); set TMPDIR to one")


def safe_osdi_path(osdi: str | os.PathLike) -> str:
    """An absolute path to *osdi* that is safe to write into a control command.

    The library's own resolved path when it has only :data:`SAFE_PATH_CHARS`;
    otherwise a copy in a private temporary folder under a kit-made name.
    """
    src = Path(osdi).resolve()
    if not src.is_file():
        raise FileNotFoundError(f"OSDI library not found: {src}")
    if is_safe_path(src):
        return str(src)
    folder = _private_dir()
    with _private_lock:
        index = len(list(folder.glob("osdi*.osdi")))
    return str(folder / link_into(folder, index, src))
