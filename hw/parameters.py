"""A hardware parameter is declared once: its default, unit, source and meaning sit on the dataclass field.

`parameter(...)` builds the field; `described(cls)` lists a dataclass's parameters in field order, which is
what docs/hardware.md's "Target parameters" table shows (tests/hw/test_target.py keeps the two equal).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def parameter(default: Any, *, unit: str, source: str, doc: str) -> Any:
    """A dataclass field with `default` and the unit, source and one-line meaning that document it."""
    return field(default=default, metadata={"unit": unit, "source": source, "doc": doc})


@dataclass(frozen=True)
class ParameterInfo:
    """One documented parameter: key, default and the facts `parameter` recorded."""

    key: str
    default: Any
    unit: str
    source: str
    doc: str


def described(cls) -> list[ParameterInfo]:
    """The parameters of dataclass `cls` declared with `parameter`, in field order."""
    return [ParameterInfo(f.name, f.default, **f.metadata) for f in fields(cls) if "source" in f.metadata]
