"""aicensus: measure who leads in AI on real open data, and check claims against it."""

__version__ = "0.1.0"
