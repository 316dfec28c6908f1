"""Figures with a unit chosen per value, so a 458 ns latency prints as `458 ns`, not `0.000 ms`."""
from __future__ import annotations

import math

_TIME = ((1e9, "s"), (1e6, "ms"), (1e3, "us"), (1.0, "ns"))      # scale in ns
_ENERGY = ((1e12, "J"), (1e9, "mJ"), (1e6, "uJ"), (1e3, "nJ"), (1.0, "pJ"))   # scale in pJ


def _scaled(value: float, units) -> str:
    """`value` in the largest unit that keeps it >= 1, with 4 significant digits."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g} {units[-1][1]}"
    for scale, name in units:
        if abs(value) >= scale:
            break
    x = value / scale
    digits = max(0, 3 - int(math.floor(math.log10(abs(x))))) if abs(x) >= 1 else 3
    return f"{x:.{digits}f} {name}"


def duration(ns: float) -> str:
    """`0.780 ms`, `458.0 ns`, `12.85 s`."""
    return _scaled(ns, _TIME)


def energy(pj: float) -> str:
    """`1797 uJ`, `184.5 uJ`, `12.00 nJ`."""
    return _scaled(pj, _ENERGY)
