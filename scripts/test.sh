#!/usr/bin/env bash
# Set up (including Chromium for the report test), lint, check layers and types, run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/lint-imports   # the one-way layers (contract in pyproject.toml)
.venv/bin/mypy           # type check of src ([tool.mypy] in pyproject.toml)
# groups in the order tests/conftest.py gives them (the longest first), not by test count
exec .venv/bin/pytest -n 2 --dist loadgroup --no-loadscope-reorder "$@"
