"""One range predicate (rnc.hw.parameters.Allowed) behind both wordings of a range error: the Target's keys
(`key must be ..., got v`) and the chip files' (`key = v: must be ... in [lo, hi]`)."""
from __future__ import annotations

import math

import pytest

from rnc.hw.cost.checks import FieldError, check_int, check_real
from rnc.hw.parameters import ParameterError, integers, numbers
from rnc.hw.target import Target


@pytest.mark.parametrize("value", [0, 6, 2.5, math.nan, True, "3", 10 ** 400])
def test_integers_refused_alike(value):
    assert not integers(1, 5).accepts(value)
    with pytest.raises(FieldError, match=r"must be an integer in \[1, 5\]"):
        check_int("k", value, 1, 5)


def test_integral_floats_are_chip_file_integers_only():
    assert check_int("k", 2.0, 1, 5) == 2 and isinstance(check_int("k", 2.0, 1, 5), int)
    assert not integers(1, 5).accepts(2.0)      # a Target key wants an int


@pytest.mark.parametrize("value", [0.0, 5.5, math.inf, -math.inf, math.nan, 10 ** 400])
def test_numbers_refused_alike(value):
    assert not numbers(0, 5, low_open=True).accepts(value)
    with pytest.raises(FieldError, match=r"must be a finite number in \(0, 5\]"):
        check_real("k", value, 0, 5, lo_open=True)


def test_a_huge_integer_is_one_clean_error_not_an_overflow():
    with pytest.raises(ParameterError, match="digital_lanes must be an integer in 1..65536"):
        Target(digital_lanes=10 ** 400)
