"""Co-simulation speed: write-verify programming with the RTL in ngspice, and the fast engine.

For each (device, array) -- 16x16 and the 64x20 SLP array, line parasitics
(1 ohm segments, 1 fF to ground and at each crossing), 4 partitions --
random targets in [G_HRS, G_LRS] (+-4 codes of an 8-bit read ADC), every
cell starting at G_HRS:

* the RTL in the loop: cells programmed per second of ngspice wall time (the
  Verilator build is cached and not counted; it is reported);
* the fast engine (golden model + numpy references) on the same array.

Usage: ``.venv/bin/python benchmarks/cosim_speed.py [--devices stanford_pku,vteam] [--sizes 16x16,64x20]``
Writes ``benchmarks/results/cosim_speed.md`` and prints the table.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pycodesign.analog.circuit import CrossbarParasitics, CrossbarSpec  # noqa: E402
from pycodesign.cosim.fast import program_fast  # noqa: E402
from pycodesign.cosim.program import ProgramJob, ProgramTiming, ReadAdc, WriteBias, run_cosim_program  # noqa: E402
from pycodesign.devices import get_model  # noqa: E402
from pycodesign.devices.inversion import state_for_conductance  # noqa: E402

#: device -> (preset, G_HRS, G_LRS, set_v, reset_v, clock period, write_cycles)
DEVICES = {
    "vteam": ("pt_hf_ti", 0.5e-3, 1.1e-3, -0.58, 1.0, 5e-9, 1),
    "stanford_pku": (None, 0.1e-3, 0.5e-3, 1.3, -1.2, 5e-9, 1),
    "qmm": (None, 0.05e-3, 0.4e-3, 1.5, -1.5, 1e-6, 2),
}


def job_for(device: str, rows: int, cols: int, partitions: int, seed: int = 0) -> ProgramJob:
    preset, g_hrs, g_lrs, set_v, reset_v, period, wc = DEVICES[device]
    m = get_model(device)
    params = m.resolve(preset=preset)
    x0 = state_for_conductance(m, g_hrs, v_read=0.1, params=params)
    spec = CrossbarSpec(np.full((rows, cols), x0), device=m, device_params=params,
                        parasitics=CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0, c_crossing_f=1e-15,
                                                      c_to_ground_f=1e-15))
    adc = ReadAdc(8, g_lrs * 0.1 * 1.2)
    rng = np.random.default_rng(seed)
    target = rng.uniform(g_hrs, g_lrs, (rows, cols))
    code = adc.codes(target * 0.1)
    windows = np.stack([np.clip(code - 4, 0, 255), np.clip(code + 4, 0, 255)], -1)
    return ProgramJob(spec, windows, partitions, adc, WriteBias(set_v, reset_v, 0.1),
                      ProgramTiming(period, 2, wc, 24), target_g_s=target)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", default="stanford_pku,vteam")
    ap.add_argument("--sizes", default="16x16,64x20")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--cycles", type=int, default=0,
                    help="run only this many clock cycles and count the cells finished in them (0: to the end)")
    args = ap.parse_args(argv)
    rows_out = []
    for device in args.devices.split(","):
        for size in args.sizes.split(","):
            r, c = (int(v) for v in size.split("x"))
            job = job_for(device, r, c, args.partitions)
            fast = program_fast(job)
            row = {"device": device, "array": size, "partitions": args.partitions, "cells": r * c,
                   "fast_cells_per_s": r * c / fast.seconds, "fast_s": fast.seconds, "cycles_predicted": fast.cycles}
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                try:
                    n_cyc = args.cycles or int(fast.cycles * 2 + 100)
                    res = run_cosim_program(job, Path(tmp) / "run", timeout_s=args.timeout, require_done=False,
                                            t_stop_s=n_cyc * job.timing.clock_period_s)
                    finished = int(np.isfinite(res.finish_time_s).sum())
                    row.update(cosim_s=res.seconds, build_s=res.build_seconds, cells_finished=finished,
                               cosim_cells_per_s=finished / res.seconds, cycles=n_cyc,
                               cycles_per_s=n_cyc / res.seconds, fail_count=res.fail_count,
                               status="ok" if res.done else f"partial: {finished} of {r * c} cells in {n_cyc} cycles")
                except Exception as exc:  # noqa: BLE001 - a benchmark row records its failure
                    row.update(status=f"failed after {time.perf_counter() - t0:.0f} s: "
                                      + str(exc).splitlines()[0][:160])
                    traceback.print_exc()
            print(json.dumps(row), flush=True)
            rows_out.append(row)
    lines = ["# Co-simulation speed (write-verify programming, RTL in ngspice)", "",
             "| device | array | partitions | cells | RTL-in-loop cells/s | ngspice s | cycles simulated | cycles/s | "
             "fast engine cells/s | status |", "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows_out:
        lines.append(f"| {row['device']} | {row['array']} | {row['partitions']} | {row['cells']} | "
                     f"{row.get('cosim_cells_per_s', float('nan')):.3g} | {row.get('cosim_s', float('nan')):.3g} | "
                     f"{row.get('cycles', '-')} | {row.get('cycles_per_s', float('nan')):.3g} | "
                     f"{row['fast_cells_per_s']:.3g} | "
                     f"{row['status']} |")
    out = ROOT / "benchmarks" / "results" / "cosim_speed.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
