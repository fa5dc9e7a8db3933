"""Co-simulation speed: write-verify programming with the RTL in ngspice, and the fast engine.

For each (device, array) -- 16x16 and 64x20, line parasitics (1 ohm segments,
1 fF to ground and at each crossing), programmed with 4 column partitions and
with a whole row at once (one partition per column) -- random targets in
[G_HRS, G_LRS] (+-4 codes of an 8-bit read ADC), every cell starting at G_HRS;
and (``--slp``) the whole 64x20 array of the 8x8-digits SLP as
``flows/program_slp_array_qmm.yaml`` maps it (its 64 pixel rows, W+/W- of the
10 classes; low-current QMM devices), programmed to the end:

* the RTL in the loop: cells programmed per second of ngspice wall time and
  per second of ngspice CPU time (the Verilator build is done before and not
  counted; a run to the end also counts the idle cycles after the RTL's done),
  clock cycles per second, pulses, and how many of the finished cells ended at
  the pulse limit (``max_pulses``: given up, in ``fail_count``); cells/s
  counts only the cells programmed into their window;
* the fast engine (golden model + numpy references, no parasitics) on the
  same array: cells/s and the cells it gives up;
* inference through the RTL (``--inference``): images/s of the SLP
  (``flows/cosim_slp.yaml`` settings) and of the MLP's two layers.

Usage: ``.venv/bin/python benchmarks/cosim_speed.py [--devices stanford_pku,vteam,qmm_low_current]
[--sizes 16x16,64x20] [--partitions row|N] [--cycles N] [--slp] [--inference]``
Writes ``benchmarks/results/cosim_speed.md`` (or ``--out``) and prints the table.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pycodesign.analog.circuit import CrossbarParasitics, CrossbarSpec  # noqa: E402
from pycodesign.cosim.fast import program_fast  # noqa: E402
from pycodesign.cosim.netlist import BridgeTiming  # noqa: E402
from pycodesign.cosim.build import build_cosim_library  # noqa: E402
from pycodesign.cosim.program import (HIDDEN_OUTPUTS, ProgramJob, ProgramTiming, ReadAdc, WriteBias,  # noqa: E402
                                      run_cosim_program)
from pycodesign.rtl.emit import verilog  # noqa: E402
from pycodesign.devices import get_model  # noqa: E402
from pycodesign.devices.inversion import state_for_conductance  # noqa: E402

@dataclass(frozen=True)
class BenchDevice:
    """One device of the benchmark: model, parameters, conductance range, pulses and clock."""

    model: str
    preset: str | None
    g_hrs_s: float
    g_lrs_s: float
    set_v: float
    reset_v: float
    clock_period_s: float
    read_cycles: int = 2
    write_cycles: int = 1
    dac_rise_s: float = 50e-12
    params: tuple = ()
    note: str = ""


#: Stanford-PKU's SET is 1.45 V, not the flow's 1.3 V: with 1 ohm wires the selected lines' IR drop (tens of
#: mV on 16x16) slows its SET so much that at 1.3 V most cells reach the pulse limit.  VTEAM keeps the flow's
#: -0.58 V (50 mV above |v_on|), whose cells the same drop leaves below threshold: the table shows it.
#: ``qmm_low_current``: the QMM memdiode (kit_symmetric) with both diode current factors divided by 100 and
#: G 0.5-2.5 uS at the 0.1 V read, as ``flows/program_slp_array_qmm.yaml`` (see that file for why): a 20-cell
#: row SET then draws ~1 mA instead of 20-100 mA, whose IR drop on 1 ohm segments stops the far cells' SET.
DEVICES = {
    "vteam": BenchDevice("vteam", "pt_hf_ti", 0.5e-3, 1.1e-3, -0.58, 1.0, 5e-9),
    "stanford_pku": BenchDevice("stanford_pku", None, 0.1e-3, 0.5e-3, 1.45, -1.2, 5e-9),
    "qmm_low_current": BenchDevice("qmm", None, 0.5e-6, 2.5e-6, 1.83, -1.93, 5e-9,
                                   params=(("i_min", 2e-8), ("i_max", 2e-6)), note="QMM, I0 / 100"),
}


def job_for(device: str, rows: int, cols: int, partitions: int, seed: int = 0) -> ProgramJob:
    d = DEVICES[device]
    m = get_model(d.model)
    params = m.resolve(dict(d.params), preset=d.preset)
    x0 = state_for_conductance(m, d.g_hrs_s, v_read=0.1, params=params)
    spec = CrossbarSpec(np.full((rows, cols), x0), device=m, device_params=params,
                        parasitics=CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0, c_crossing_f=1e-15,
                                                      c_to_ground_f=1e-15))
    adc = ReadAdc(8, d.g_lrs_s * 0.1 * 1.2)
    rng = np.random.default_rng(seed)
    target = rng.uniform(d.g_hrs_s, d.g_lrs_s, (rows, cols))
    code = adc.codes(target * 0.1)
    windows = np.stack([np.clip(code - 4, 0, 255), np.clip(code + 4, 0, 255)], -1)
    return ProgramJob(spec, windows, partitions, adc, WriteBias(d.set_v, d.reset_v, 0.1),
                      ProgramTiming(d.clock_period_s, d.read_cycles, d.write_cycles, 24,
                                    BridgeTiming(dac_rise_s=d.dac_rise_s)),
                      target_g_s=target)


def slp_array_job(flow_file: Path = ROOT / "flows" / "program_slp_array_qmm.yaml") -> tuple[ProgramJob, str]:
    """The 64x20 SLP array of *flow_file* (its 64 pixel rows, W+/W- of the 10 classes), as that flow builds
    it: trained network, ``evaluate``'s mapping, starting states, variability, windows, pulses, timing."""
    from pycodesign.flows import program as fp
    from pycodesign.flows.dispatch import load_flow
    from pycodesign.flows.inference import _load_data, _network
    from pycodesign.system import evaluate

    flow = load_flow(flow_file)
    ds = _load_data(flow)
    net, _ = _network(flow, ds, lambda text: None)
    ev = evaluate(net, flow.architecture(), ds.x_test, ds.y_test, engine="solver", seed=flow.seed)
    tg = fp.layer_targets(ev, flow.program.layer, flow.program.tile)
    x, var = fp.layer_draws(flow, tg["g_layer"].shape, np.random.default_rng(flow.seed))
    job, _, lay = fp.block_jobs(flow, tg, x, var)
    g = tg["g_layer"][lay]
    at_hrs = float(np.mean(np.isclose(g, flow.mapping.g_hrs_s)))
    return job, f"SLP ({flow_file.name}; {at_hrs:.0%} of cells at G_HRS)"


def program_row(device: str, size: str, partitions: str, cycles: int, timeout: float, *,
                job: ProgramJob | None = None, targets: str = "random") -> dict:
    """One (device, array) row: the fast engine, then the RTL in the loop for *cycles* clock cycles (0: until
    the RTL is done, with the transient cut at 1.15 x the fast engine's cycles + 40)."""
    r, c = (int(v) for v in size.split("x"))
    P = c if partitions == "row" else int(partitions)
    job = job or job_for(device, r, c, P)
    P = job.partitions
    fast = program_fast(job)
    row = {"device": device, "array": size, "targets": targets, "partitions": P, "cells": r * c,
           "fast_cells_per_s": r * c / fast.seconds, "fast_s": fast.seconds, "fast_fail_count": fast.fail_count,
           "cycles_predicted": fast.cycles, "fast_pulses": int(fast.pulse_counts.sum())}
    top = job.digital_top()
    build_cosim_library(verilog(top), top.module_name, trace=True, hidden_outputs=HIDDEN_OUTPUTS)  # not timed
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        try:
            n_cyc = cycles or int(np.ceil(fast.cycles * 1.15 + 40))
            res = run_cosim_program(job, Path(tmp) / "run", timeout_s=timeout, require_done=False,
                                    t_stop_s=n_cyc * job.timing.clock_period_s)
            cpu = res.cpu_seconds
            done = np.isfinite(res.finish_time_s)
            at_limit = int(np.sum(done & (res.pulse_counts >= job.timing.max_pulses)))
            finished = int(done.sum())
            # Only cells left in their window count as programmed; cells given up at the pulse limit
            # (fail_count) are finished but not programmed.  The time is the whole transient's, idle
            # cycles after the RTL's done included.
            programmed = finished - at_limit
            T = job.timing.clock_period_s
            n_run = int(round(res.t_s[-1] / T))  # the transient stops at the RTL's done
            row.update(cosim_s=res.seconds, cosim_cpu_s=cpu, cells_finished=finished, cells_at_pulse_limit=at_limit,
                       cells_programmed=programmed, cosim_pulses=int(res.pulse_counts.sum()),
                       cosim_cells_per_s=programmed / res.seconds, cosim_cells_per_cpu_s=programmed / cpu,
                       cosim_finished_per_s=finished / res.seconds,
                       cycles=n_run, cycles_per_s=n_run / res.seconds, cycles_per_cpu_s=n_run / cpu,
                       cycles_to_done=(round((res.t_done_s - res.t_start_s) / T) if res.done else None),
                       status="ok" if res.done else f"partial: {finished} of {r * c} cells in {n_cyc} cycles")
        except Exception as exc:  # noqa: BLE001 - a benchmark row records its failure
            row.update(status=f"failed after {time.perf_counter() - t0:.0f} s: " + str(exc).splitlines()[0][:160])
            traceback.print_exc()
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", default="stanford_pku,vteam")
    ap.add_argument("--sizes", default="16x16,64x20")
    ap.add_argument("--partitions", default="4,row",
                    help="comma list of 'row' (one partition per column) or divisors of the columns")
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--cycles", type=int, default=0,
                    help="run only this many clock cycles and count the cells finished in them (0: to the end)")
    ap.add_argument("--slp", action="store_true",
                    help="also the whole 64x20 SLP array of flows/program_slp_array_qmm.yaml, to the end")
    ap.add_argument("--inference", action="store_true", help="also the inference co-simulations (SLP, MLP)")
    ap.add_argument("--images", type=int, default=20, help="images per inference co-simulation")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "cosim_speed.md"))
    args = ap.parse_args(argv)
    rows_out = []
    for device in [d for d in args.devices.split(",") if d]:  # --devices '' runs the inference rows only
        for size in args.sizes.split(","):
            for partitions in args.partitions.split(","):
                row = program_row(device, size, partitions, args.cycles, args.timeout)
                print(json.dumps(row), flush=True)
                rows_out.append(row)
    if args.slp:
        job, label = slp_array_job()
        row = program_row("qmm_low_current", "64x20", "row", 0, args.timeout, job=job, targets=label)
        print(json.dumps(row), flush=True)
        rows_out.append(row)
    inf_rows = inference_rows(args.images) if args.inference else []
    nan = float("nan")
    lines = ["# Co-simulation speed (write-verify programming, RTL in ngspice)", "",
             "| device | array | targets | partitions | cycles simulated (RTL done at) | cells finished (given up at the "
             "pulse limit) | pulses | RTL-in-loop cells programmed/s (wall) | cells/s (ngspice CPU) | cycles/s (wall, CPU) | "
             "ngspice s (wall, CPU) | fast engine cells/s (gives up) | status |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows_out:
        done_at = f" ({row['cycles_to_done']})" if row.get("cycles_to_done") is not None else ""
        lines.append(f"| {row['device']} | {row['array']} | {row['targets']} | {row['partitions']} | "
                     f"{row.get('cycles', '-')}{done_at} | {row.get('cells_finished', '-')} "
                     f"({row.get('cells_at_pulse_limit', '-')}) | {row.get('cosim_pulses', '-')} | "
                     f"{row.get('cosim_cells_per_s', nan):.3g} | {row.get('cosim_cells_per_cpu_s', nan):.3g} | "
                     f"{row.get('cycles_per_s', nan):.3g}, {row.get('cycles_per_cpu_s', nan):.3g} | "
                     f"{row.get('cosim_s', nan):.3g}, {row.get('cosim_cpu_s', nan):.3g} | "
                     f"{row['fast_cells_per_s']:.3g} ({row['fast_fail_count']}) | {row['status']} |")
    if inf_rows:
        lines += ["", "## Inference through the RTL", "",
                  "| network | images | cycles per image | ngspice s | images/s (wall) | codes equal to evaluate | "
                  "classes equal | status |", "|---|---|---|---|---|---|---|---|"]
        for r in inf_rows:
            lines.append(f"| {r['network']} | {r.get('images', '-')} | {r.get('cycles_per_image', '-')} | "
                         f"{r.get('ngspice_s', nan):.3g} | {r.get('images_per_s', nan):.3g} | {r.get('codes', '-')} | "
                         f"{r.get('classes', '-')} | {r['status']} |")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def inference_rows(images: int) -> list:
    """Images per second of the inference co-simulation flows (each run as ``pycodesign run`` would, into a
    temporary folder), with their agreement with ``evaluate``."""
    from pycodesign import run_flow

    rows = []
    flows = [("SLP 65x20, an 8-bit SAR ADC per bitline", ROOT / "flows" / "cosim_slp.yaml", {}),
             ("SLP 65x20, 8-bit SAR ADCs shared by 4 bitlines", ROOT / "flows" / "cosim_slp.yaml",
              {"tiling": {"columns_per_adc": 4}}),
             ("MLP 65x64 + 33x20, ReLU RTL between", ROOT / "flows" / "cosim_mlp.yaml", {})]
    for label, flow, extra in flows:
        if not flow.is_file():
            rows.append({"network": label, "status": f"{flow.name} missing"})
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                r = run_flow(flow, out=tmp, progress=lambda text: None, keep_figures=False,
                             cosim={"images": images}, **extra)
            except Exception as exc:  # noqa: BLE001 - a benchmark row records its failure
                rows.append({"network": label, "status": f"refused: {str(exc).splitlines()[0][:160]}"})
                continue
            m = r.metrics
            if r.status != "complete":
                rows.append({"network": label, "status": f"{r.status}: {r.error}"})
                continue
            cmp = m.get("comparison", {})
            rows.append({"network": label, "images": m["images"], "ngspice_s": m["ngspice_s"],
                         "images_per_s": m["images_per_s"], "cycles_per_image": m.get("cycles_per_image"),
                         "codes": f"{cmp.get('codes_equal')}/{cmp.get('codes')}",
                         "classes": f"{cmp.get('classes_equal')}/{m['images']}", "status": "ok"})
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    sys.exit(main())
