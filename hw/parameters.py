"""A hardware parameter is declared once: its default, unit, source, meaning and allowed values sit on the
dataclass field.

`parameter(...)` builds the field; `described(cls)` lists a dataclass's parameters in field order, which is
what docs/hardware.md's "Target parameters" table shows (tests/hw/test_target.py keeps the two equal).
`check_parameters(obj)` refuses a value of the wrong type, a non-finite number or one outside the
parameter's `Allowed` range, raising `ParameterError` naming the key, the value and what is allowed, so no
NaN, infinity or absurd size ever reaches the latency formulas, the cost model or the simulators. A few keys
(`OfKind`) are only type-checked here: the model that owns their range checks it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Allowed:
    """The values a parameter accepts: integers (or finite numbers) from `low` to `high`, plus `extra`.

    `low_open` excludes `low` itself (a rate or a frequency must be > 0). The bounds are sanity limits, far
    beyond any device rnc models, that keep every derived figure finite and every array allocatable.
    """

    low: float
    high: float
    integer: bool = True
    low_open: bool = False
    extra: tuple = ()           # values accepted outside the range, e.g. MNSIM's -1 "user defined"

    def describe(self) -> str:
        """'an integer in 1..4096', 'a number > 0 and <= 1e+06', ..."""
        kind = "an integer" if self.integer else "a number"
        if self.low_open:
            text = f"{kind} > {_number(self.low)} and <= {_number(self.high)}"
        else:
            text = f"{kind} in {_number(self.low)}..{_number(self.high)}"
        return text + "".join(f" or {_number(v)}" for v in self.extra)

    def accepts(self, value: Any) -> bool:
        """True for a value of the right type (no bool), finite, and in the range or among `extra`."""
        if isinstance(value, bool) or not isinstance(value, int if self.integer else (int, float)):
            return False
        if isinstance(value, float) and not math.isfinite(value):   # (an int is finite, however large)
            return False
        if value in self.extra:
            return True
        return (self.low < value if self.low_open else self.low <= value) and value <= self.high


@dataclass(frozen=True)
class OfKind:
    """Any finite value of `kind` (int, float or str): for keys whose range the model that reads them checks,
    the one source of that fact (the chip's crossbar knobs: rnc.hw.cost.params.PeripheralConfig)."""

    kind: type

    def describe(self) -> str:
        return {int: "an integer", float: "a number", str: "a string"}[self.kind]

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float) if self.kind is float else self.kind):
            return False
        return self.kind is str or math.isfinite(value)


def of_kind(kind: type) -> OfKind:
    """Any finite value of `kind`; its range is checked where it is used."""
    return OfKind(kind)


def integers(low: int, high: int, *extra: int) -> Allowed:
    """Integers from `low` to `high` (and `extra`)."""
    return Allowed(low, high, integer=True, extra=extra)


def numbers(low: float, high: float, *, low_open: bool = False) -> Allowed:
    """Finite numbers from `low` (excluded when `low_open`) to `high`."""
    return Allowed(low, high, integer=False, low_open=low_open)


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) or abs(value) < 1e5 else f"{value:g}"


def parameter(default: Any, *, unit: str, source: str, doc: str, allowed: Allowed | OfKind) -> Any:
    """A dataclass field with `default` and the unit, source, one-line meaning and allowed values that
    document it."""
    return field(default=default, metadata={"unit": unit, "source": source, "doc": doc, "allowed": allowed})


@dataclass(frozen=True)
class ParameterInfo:
    """One documented parameter: key, default and the facts `parameter` recorded."""

    key: str
    default: Any
    unit: str
    source: str
    doc: str
    allowed: Allowed | OfKind

    def allowed_text(self) -> str:
        """What the parameter accepts, with its unit: 'an integer in 1..4096 (cells)'."""
        if self.unit == "-" or isinstance(self.allowed, OfKind):
            return self.allowed.describe()
        return f"{self.allowed.describe()} ({self.unit})"

    def problem(self, value: Any) -> str | None:
        """'must be an integer in 1..4096 (cells), got 0' when `value` cannot be this parameter's value, else
        None (None is allowed where it is the default)."""
        if (value is None and self.default is None) or self.allowed.accepts(value):
            return None
        return f"must be {self.allowed_text()}, got {value!r}"


class ParameterError(ValueError):
    """A parameter value that is not allowed: names the key, the value and what is allowed."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key} {reason}")
        self.key = key
        self.reason = reason


def described(cls) -> list[ParameterInfo]:
    """The parameters of dataclass `cls` declared with `parameter`, in field order."""
    return list(_described(cls))


@cache   # every Target and PeripheralParams checks its fields on creation
def _described(cls) -> tuple[ParameterInfo, ...]:
    return tuple(ParameterInfo(f.name, f.default, **f.metadata) for f in fields(cls) if "source" in f.metadata)


def check_parameters(obj) -> None:
    """Raises ParameterError for the first field of dataclass `obj` whose value its parameter refuses."""
    for info in _described(type(obj)):
        reason = info.problem(getattr(obj, info.key))
        if reason is not None:
            raise ParameterError(info.key, reason)
