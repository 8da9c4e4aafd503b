"""Affiliation resolver: raw affiliation text and email domains to institution and country.

`Resolver.resolve(text, email)` returns a `Resolution` with the countries, the institution
name, the rule that decided it and a confidence. Reference names come from ROR, OpenAlex,
institution-country pairs learned from Paper Copilot files, and an optional extra alias source
(the organization registry plugs in there; see `reference.ExtraAlias`).
"""

from aicensus.geo.affiliations.resolver import Resolution, Resolver

__all__ = ["Resolution", "Resolver"]
