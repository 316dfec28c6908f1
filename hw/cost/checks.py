"""Checks for the numbers of a hardware description: finite, in range, of the right type.

Every failure is a `FieldError` naming the key, the value and what is allowed, so the chip loader can
prefix the file and section and still give one line.
"""
from __future__ import annotations

import math
from collections.abc import Iterable


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
    """`value` as an int in [lo, hi]; floats with an integral value are accepted, bools are not."""
    allowed = f"must be an integer in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldError(key, value, allowed)
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise FieldError(key, value, allowed)
    if not lo <= value <= hi:
        raise FieldError(key, value, allowed)
    return int(value)


def check_real(key: str, value: object, lo: float, hi: float, *, lo_open: bool = False) -> float:
    """`value` as a finite float in [lo, hi] (or (lo, hi] with `lo_open`)."""
    allowed = f"must be a finite number in {'(' if lo_open else '['}{lo:g}, {hi:g}]"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldError(key, value, allowed)
    value = float(value)
    if not math.isfinite(value) or value > hi or value < lo or (lo_open and value == lo):
        raise FieldError(key, value, allowed)
    return value


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
