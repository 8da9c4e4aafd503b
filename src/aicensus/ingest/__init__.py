"""Ingest: run a source's reader over its locations and write them through the warehouse load.

Kept apart from sources/ (which only parse) and cli/ (which only parses arguments and prints).
"""
