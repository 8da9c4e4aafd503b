#!/usr/bin/env bash
# Set up (including Chromium for the report test), lint, check the import contracts and
# types, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/lint-imports
.venv/bin/mypy
exec .venv/bin/pytest -n 2 --dist loadgroup "$@"
