"""Thin Typer commands: parse arguments, call the library, print."""
