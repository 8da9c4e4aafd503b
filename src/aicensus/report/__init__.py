"""Presentation: charts (Altair) and the self-contained HTML report."""
