"""Figures in the compile table carry a unit chosen per value: a 458 ns latency is not `0.000 ms`."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from rnc.tools.compile.units import duration, energy


@pytest.mark.parametrize("ns, text", [(458, "458.0 ns"), (779_800, "779.8 us"), (40_697_850, "40.70 ms"),
                                      (12.85e9, "12.85 s"), (0, "0 ns")])
def test_durations_pick_their_unit(ns, text):
    assert duration(ns) == text


@pytest.mark.parametrize("pj, text", [(1796.9e6, "1.797 mJ"), (184.54e6, "184.5 uJ"), (12e3, "12.00 nJ")])
def test_energies_pick_their_unit(pj, text):
    assert energy(pj) == text


@given(st.floats(min_value=1.0, max_value=1e15))
def test_a_duration_never_prints_as_zero_and_reads_back(ns):
    value, unit = duration(ns).split()
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]
    assert float(value) >= 1.0 or unit == "ns"
    assert math.isclose(float(value) * scale, ns, rel_tol=1e-3)
