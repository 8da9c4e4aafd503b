"""Claims: written claims checked against the data under every defensible way of measuring.

`files` reads claim files (YAML), `grammar` parses their conditions (never eval), `registry`
maps claim measure names onto the library measures, `variants` evaluates the grid of axis
choices and `verdicts` turns the outcomes into supported / refuted / depends / insufficient data.
"""
