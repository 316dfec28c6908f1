"""Checks for the numbers of a hardware description: finite, in range, of the right type.

Every failure is a `FieldError` naming the key, the value and what is allowed, so the chip loader can
prefix the file and section and still give one line. Whether a number is in range is decided in one place,
`rnc.hw.parameters.Allowed` (the Target's keys use it too); this module words the chip-file errors
(`key = value: must be ... in [lo, hi]`) and accepts integral floats where TOML writes them.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from rnc.hw.parameters import integers, numbers


MISSING = object()   # the value of a key that is not there


class FieldError(ValueError):
    """One hardware parameter out of its allowed range: `key = value: allowed` (or `key: allowed`)."""

    def __init__(self, key: str, value: object, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}: {allowed}" if value is MISSING else f"{key} = {value!r}: {allowed}")

    def under(self, prefix: str) -> "FieldError":
        """The same error with its key inside `prefix` (a TOML table name)."""
        return FieldError(f"{prefix}.{self.key}" if prefix else self.key, self.value, self.allowed)


def check_int(key: str, value: object, lo: int, hi: int) -> int:
    """`value` as an int in [lo, hi]; floats with an integral value are accepted (TOML may write 2.0), bools
    are not."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number: object = int(value)
    else:
        number = value
    if not integers(lo, hi).accepts(number):
        raise FieldError(key, value, f"must be an integer in [{lo}, {hi}]")
    return number


def check_real(key: str, value: object, lo: float, hi: float, *, lo_open: bool = False) -> float:
    """`value` as a finite float in [lo, hi] (or (lo, hi] with `lo_open`)."""
    if not numbers(lo, hi, low_open=lo_open).accepts(value):
        shown = value
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 1e300:
            shown = float(value)
        raise FieldError(key, shown, f"must be a finite number in {'(' if lo_open else '['}{lo:g}, {hi:g}]")
    return float(value)


def check_choice(key: str, value: object, choices: Iterable[object]) -> object:
    """`value` if it is one of `choices`."""
    options = tuple(choices)
    if value not in options or isinstance(value, bool):
        raise FieldError(key, value, "must be one of " + ", ".join(repr(c) for c in options))
    return value


def check_fields(obj: object, ints: dict[str, tuple[int, int]] | None = None,
                 reals: dict[str, tuple[float, float]] | None = None, *, positive: bool = False) -> None:
    """Checks (and normalises) fields of a frozen dataclass in place: ints in range, finite reals.

    `positive` makes the lower bound of the reals open (> lo instead of >= lo).
    """
    for name, (lo, hi) in (ints or {}).items():
        object.__setattr__(obj, name, check_int(name, getattr(obj, name), lo, hi))
    for name, (lo, hi) in (reals or {}).items():
        object.__setattr__(obj, name, check_real(name, getattr(obj, name), lo, hi, lo_open=positive))
