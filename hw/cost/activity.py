"""What the hardware did (`Activity`), what one instruction costs (`Charge`) and the energy it adds up to.

Energy = sum over components of operations x energy per operation + leakage power x time. The metrics
follow NeuroSim's definitions (peripherals.md): ops = 2 x MACs; TOPS = ops / time; TOPS/W = ops / energy;
TOPS/mm^2 = TOPS / area; EDAP = energy x delay x area.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .components import COMPONENT_OPS


def _check_count(what: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a finite number >= 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Activity:
    """Operations each component made (units in `COMPONENT_OPS`) and the multiply-accumulates computed."""

    ops: Mapping[str, float] = field(default_factory=dict, hash=False)
    macs: float = 0.0

    def __post_init__(self) -> None:
        for name, count in self.ops.items():
            if name not in COMPONENT_OPS:
                raise ValueError(f"unknown component {name!r} (known: {', '.join(COMPONENT_OPS)})")
            _check_count(f"operations of {name}", count)
        object.__setattr__(self, "ops", MappingProxyType({k: float(v) for k, v in self.ops.items() if v}))
        object.__setattr__(self, "macs", _check_count("macs", self.macs))

    def __add__(self, other: "Activity") -> "Activity":
        ops = dict(self.ops)
        for name, count in other.ops.items():
            ops[name] = ops.get(name, 0.0) + count
        return Activity(ops, self.macs + other.macs)

    def times(self, k: float) -> "Activity":
        """The activity of `k` repetitions."""
        k = _check_count("repetitions", k)
        return Activity({name: count * k for name, count in self.ops.items()}, self.macs * k)


@dataclass(frozen=True)
class Charge:
    """One instruction's cost: how long it holds its unit, and what it made the hardware do."""

    time_ns: float
    activity: Activity

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_ns", _check_count("time_ns", self.time_ns))


@dataclass(frozen=True)
class EnergyReport:
    """Energy by component for a run of `time_ns`, and the throughput and efficiency metrics."""

    dynamic_pj: Mapping[str, float]     # component -> energy of its operations
    leakage_pj: float                   # all components, for the whole run
    time_ns: float
    ops: float                          # 2 x MACs
    area_mm2: float                     # the hardware the run is charged for (whole chip)

    @property
    def total_pj(self) -> float:
        return sum(self.dynamic_pj.values()) + self.leakage_pj

    def share(self, component: str) -> float:
        """Fraction of the total energy spent in `component`'s operations."""
        return self.dynamic_pj.get(component, 0.0) / _positive("total energy", self.total_pj)

    @property
    def tops(self) -> float:
        """Tera-operations per second: ops / time (ops per ns = G ops/s)."""
        return self.ops / _positive("time_ns", self.time_ns) / 1e3

    @property
    def tops_per_w(self) -> float:
        """Operations per pJ, which is TOPS/W."""
        return self.ops / _positive("total energy", self.total_pj)

    @property
    def tops_per_mm2(self) -> float:
        return self.tops / _positive("area_mm2", self.area_mm2)

    @property
    def edap(self) -> float:
        """Energy x delay x area, in pJ x ns x mm^2."""
        return self.total_pj * self.time_ns * self.area_mm2


def _positive(what: str, value: float) -> float:
    if not value > 0:
        raise ValueError(f"{what} is {value}: the metric needs it > 0")
    return value
