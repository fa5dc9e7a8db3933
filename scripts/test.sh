#!/usr/bin/env bash
# The test command: installs whatever is missing (idempotent), then runs the
# whole test suite — device models in ngspice, crossbar, and the cocotb RTL
# regression on Icarus and Verilator.  Extra arguments go to pytest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
cd "$here"
"$here/.venv/bin/pycodesign" doctor
exec "$here/.venv/bin/python" -m pytest -n 2 --durations=15 "$@"
