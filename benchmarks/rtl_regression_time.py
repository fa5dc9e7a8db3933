"""Wall time and size of the cocotb RTL regression, per simulator.

Runs ``pytest -n JOBS tests/test_rtl_cocotb.py -k <sim>`` once per simulator
(side by side in one invocation, same machine state), counts the cocotb
tests in the JUnit files the runs leave in ``testbenches/sim_build/<sim>/``
and writes a JSON summary.

    .venv/bin/python benchmarks/rtl_regression_time.py [--jobs 2] [--cold] [--out FILE]

``--cold`` deletes ``testbenches/sim_build/`` first (a fresh machine: Verilator
compiles its run-time library once more); the default keeps the build folders
and the Verilator object cache.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "testbenches"))

import harness  # noqa: E402


def current_modules() -> list[str]:
    """Module names of the regression's parameter sets (tests/test_rtl_cocotb.py)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_rtl_cocotb import PARAM_SETS

    from pycodesign.rtl.generate import build_component

    return [build_component(block, p).module_name for block, sets in PARAM_SETS.items() for p in sets]


def run(sim: str, jobs: int) -> dict:
    t0 = time.perf_counter()
    cpu0 = os.times()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", str(jobs), "-p", "no:cacheprovider",
                           "tests/test_rtl_cocotb.py", "-k", sim], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    tests = failed = builds = 0
    for module in current_modules():
        xml = harness.build_dir_for(sim, module) / "results.xml"
        res = harness.read_results(xml, sim, module)
        builds += 1
        tests += res.tests
        failed += res.failed
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return {"sim": sim, "wall_s": round(wall, 1),
            "child_cpu_s": round((cpu1.children_user - cpu0.children_user)
                                 + (cpu1.children_system - cpu0.children_system), 1),
            "pytest_exit_code": proc.returncode, "pytest_summary": summary,
            "builds": builds, "cocotb_tests": tests, "cocotb_failed": failed}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers (default 2)")
    ap.add_argument("--cold", action="store_true", help="delete testbenches/sim_build first")
    ap.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "rtl_regression_time.json"))
    args = ap.parse_args()
    if args.cold:
        shutil.rmtree(harness.SIM_BUILD, ignore_errors=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    rows = [run(sim, args.jobs) for sim in harness.SIMULATORS]
    report = {"jobs": args.jobs, "cold": args.cold, "cpus": os.cpu_count(),
              "load_average_at_start": load, "python": platform.python_version(), "runs": rows}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    for r in rows:
        print(f"{r['sim']:9s} wall {r['wall_s']:7.1f} s  cpu {r['child_cpu_s']:7.1f} s  "
              f"{r['builds']} builds  {r['cocotb_tests']} cocotb tests  {r['cocotb_failed']} failed  "
              f"[{r['pytest_summary']}]")
    print(f"written to {out}")
    return 0 if all(r["pytest_exit_code"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
