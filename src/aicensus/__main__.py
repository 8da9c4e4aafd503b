"""`python -m aicensus` runs the CLI."""

from aicensus.cli.main import main

main()
