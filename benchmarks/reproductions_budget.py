"""Wall time of the reproductions flow per item, against the main job's budget.

Run::

    .venv/bin/python benchmarks/reproductions_budget.py            # default budget (~80 s on 2 cores)
    .venv/bin/python benchmarks/reproductions_budget.py --full     # full budget (~10 min)

The default budget runs in the README's main job, which must stay under ~10
minutes with everything else; the target here is <= 180 s for the default
budget on 2 cores (issue 13: "a budget that fits a few minutes").  The flow
runs into a temporary folder; the per-item times come from its metrics.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from pycodesign.flows import flow_from_dict  # noqa: E402
from pycodesign.flows.reproductions import run_reproductions  # noqa: E402
from pycodesign.results import new_run_dir  # noqa: E402

TARGET_DEFAULT_S = 180.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--full", action="store_true", help="the full budget")
    ap.add_argument("--items", type=int, nargs="+", default=list(range(1, 10)))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        flow = flow_from_dict({"kind": "reproductions", "items": args.items,
                               "budget": {"preset": "full" if args.full else "default"},
                               "outputs": {"dir": tmp}})
        t0 = time.perf_counter()
        metrics = run_reproductions(flow, new_run_dir(flow), progress=lambda msg: None)
        wall = time.perf_counter() - t0
    print(f"{'step':<14} {'s':>8}")
    for s in metrics["steps"]:
        print(f"{s['name']:<14} {s['seconds']:>8.1f}  {s['status']}")
    print(f"{'total':<14} {wall:>8.1f}")
    if not args.full and args.items == list(range(1, 10)):
        ok = wall <= TARGET_DEFAULT_S
        print(f"default budget: {wall:.0f} s, target <= {TARGET_DEFAULT_S:.0f} s: {'met' if ok else 'MISSED'}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
