"""Shares of a total per unit (country, organization or family) with the unknown unit always
shown, and the units' display names: the table shape of the Hub and GitHub share measures."""

from __future__ import annotations

import pandas as pd

from aicensus.geo.countries import country_name
from aicensus.orgs import Registry

UNKNOWN = "unknown"  # the unit of rows whose country or organization is not known


def unit_shares(t: pd.DataFrame, zeros: dict[str, object]) -> pd.DataFrame:
    """`t` (one row per `unit`, with `value`) plus an UNKNOWN row (`zeros`) when it has none,
    with `share` of the total, `share_known` of the units that are not unknown (None for the
    unknown row), sorted by value, largest first, unknown last."""
    if UNKNOWN not in set(t["unit"]):
        t = pd.concat([t, pd.DataFrame([{"unit": UNKNOWN, **zeros}])])
    total = t["value"].sum()
    known = t.loc[t["unit"] != UNKNOWN, "value"].sum()
    t["share"] = t["value"] / total if total else 0.0
    t["share_known"] = [
        (v / known if known else 0.0) if u != UNKNOWN else None
        for u, v in zip(t["unit"], t["value"], strict=True)
    ]
    t["is_unknown"] = t["unit"] == UNKNOWN
    t = t.sort_values(["is_unknown", "value", "unit"], ascending=[True, False, True])
    return t.drop(columns="is_unknown")


def unit_name(unit: str, by: str, reg: Registry, unknown_name: str = "(unknown)") -> str:
    """A unit's display name: `unknown_name` for UNKNOWN, a country's name, a registry
    organization's name (its id when not registered); other units (families) as they are."""
    if unit == UNKNOWN:
        return unknown_name
    if by == "country":
        return country_name(unit)
    if by == "org":
        return reg.orgs[unit].name if unit in reg.orgs else unit
    return unit
