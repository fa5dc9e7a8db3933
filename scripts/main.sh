#!/usr/bin/env bash
# The kit's main job: installs whatever is missing (idempotent), then runs the
# flows in flows/ — every device characterisation, then the crossbar inference
# flows — each into its own folder under results/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
cd "$here"
"$here/.venv/bin/pycodesign" doctor
for flow in flows/characterize_*.yaml; do
  "$here/.venv/bin/pycodesign" run "$flow"
done
for flow in flows/slp_digits.yaml flows/slp_digits_qmm.yaml flows/slp_digits_1t1r.yaml flows/mlp_digits.yaml; do
  "$here/.venv/bin/pycodesign" run "$flow"
done
echo "results: $here/results/ (each folder: report.md, metrics.json, PNG plots, config.yaml, metadata.json)"
