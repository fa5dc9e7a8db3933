#!/usr/bin/env bash
# The kit's main job: installs whatever is missing (idempotent), then runs the
# flows in flows/ — every device characterisation, the crossbar inference
# flows, write-verify programming and inference with the RTL in the loop
# (co-simulation), a sweep with error bars, the reproductions and an
# architecture search — each into its own folder under results/,
# and lists the runs with their status at the end.
#
# A flow that ends "completed with failures" (exit 4: an optional step failed,
# everything else is kept and the report says which step) does not stop the
# job; a failed flow does, after the listing.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh" || exit 1
cd "$here"
"$here/.venv/bin/pycodesign" doctor || exit 1
flows=(flows/characterize_*.yaml
       flows/slp_digits.yaml flows/slp_digits_qmm.yaml flows/slp_digits_1t1r.yaml flows/mlp_digits.yaml
       flows/slp_digits_tiled.yaml
       flows/program_slp_vteam.yaml flows/program_slp_stanford_pku.yaml flows/program_slp_qmm.yaml
       flows/program_mlp_vteam.yaml flows/program_slp_array_qmm.yaml
       flows/cosim_slp.yaml flows/cosim_mlp.yaml
       flows/sweep_adc_tiles.yaml
       flows/reproductions.yaml
       flows/search_slp_digits.yaml)
failed=()
partial=()
for flow in "${flows[@]}"; do
  "$here/.venv/bin/pycodesign" run "$flow"
  rc=$?
  if [ "$rc" -eq 4 ]; then partial+=("$flow"); elif [ "$rc" -ne 0 ]; then failed+=("$flow"); fi
done
"$here/.venv/bin/pycodesign" runs results
echo "results: $here/results/ (each folder: report.md, report.html, metrics.json, PNG plots, config.yaml, metadata.json)"
[ ${#partial[@]} -eq 0 ] || echo "completed with failures (see each report's 'Failed steps'): ${partial[*]}"
if [ ${#failed[@]} -ne 0 ]; then echo "FAILED: ${failed[*]}" >&2; exit 1; fi
