"""argparse `type=` functions that bound a number: a value outside the range is argparse's one-line error
(`rnc nas search: error: argument --pop: expects an integer in 2..10000, got '1'`, exit status 2)."""
from __future__ import annotations

import argparse
import math
from typing import Callable


def int_in(low: int, high: int) -> Callable[[str], int]:
    """An integer from `low` to `high`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expects an integer in {low}..{high}, got '{text}'")
        return value
    return parse


def number_in(low: float, high: float) -> Callable[[str], float]:
    """A finite number greater than `low` and at most `high`."""
    return _number(f"> {low:g} and <= {high:g}", lambda v: low < v <= high)


def number_from(low: float, high: float) -> Callable[[str], float]:
    """A finite number from `low` to `high`, both included."""
    return _number(f"in {low:g}..{high:g}", lambda v: low <= v <= high)


def _number(allowed: str, accepts: Callable[[float], bool]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not accepts(value):   # NaN fails every comparison
            raise argparse.ArgumentTypeError(f"expects a number {allowed}, got '{text}'")
        return value
    return parse
