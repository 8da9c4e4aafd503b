#!/usr/bin/env bash
# Main job: set up, build the warehouse from the bundled real data, write the HTML report.
# Extra arguments go to `aicensus run` (e.g. --online to read upstream URLs instead).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/aicensus run "$@"
