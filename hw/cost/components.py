"""`ComponentSpec`: the figures of one hardware component, and the list of components rnc knows.

A chip file gives each component's power at full activity, the operation rate of that activity, its area
and optionally its leakage and latency; energy per operation = power / rate (mW / (1/ns) = pJ).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .checks import check_fields, check_real
from .tech import area_scale, energy_scale, leakage_scale

# Every component rnc charges, with what one of its operations is (the unit of `Activity` counts).
COMPONENT_OPS = {
    # one crossbar and its periphery (a "core" groups several: ISAAC's IMA, MNSIM's PE)
    "array": "one cell read in one read pass",
    "dac": "one row driven for one read pass",
    "sample_hold": "one column sampled in one read pass",
    "column_mux": "one column routed to its shared ADC (a pass gate per column when columns share)",
    "adc": "one conversion",
    "shift_add": "one ADC result shifted and added into its weight's sum",
    "input_register": "one row's input bits read for one read pass",
    "output_register": "one column result accumulated (per read pass)",
    # a tile
    "buffer": "one byte read or written in the tile buffer (ISAAC's eDRAM)",
    "tile_bus": "one byte moved between the tile buffer and a core",
    "activation": "one element through an activation unit",
    "pooling": "one input element of a pooling window",
    "accumulator": "one partial sum added (merging row-split tiles)",
    "tile_output_register": "one byte staged to leave the tile",
    # between tiles and off chip
    "router": "one bit through one router (one hop)",
    "offchip_link": "one bit sent or received off chip",
}
# Components whose figures come from a formula rather than the chip file (see crossbar.py).
DERIVED_COMPONENTS = ("column_mux",)
MAX_FIGURE = 1e12


@dataclass(frozen=True)
class ComponentSpec:
    """One component's figures at its chip's own configuration (node, bits, array size)."""

    area_um2: float = 0.0
    energy_pj: float = 0.0      # per operation
    ops_per_ns: float = 0.0     # operation rate at full activity (sets its peak power)
    latency_ns: float = 0.0     # time of one operation where it is on a read's critical path
    leakage_mw: float = 0.0

    def __post_init__(self) -> None:
        check_fields(self, reals={name: (0.0, MAX_FIGURE) for name in
                                  ("area_um2", "energy_pj", "ops_per_ns", "latency_ns", "leakage_mw")})

    @classmethod
    def from_power(cls, power_mw: float, ops_per_ns: float, area_um2: float, latency_ns: float = 0.0,
                   leakage_mw: float = 0.0) -> "ComponentSpec":
        """The spec of a component quoted as dynamic power at a given operation rate."""
        power_mw = check_real("power_mw", power_mw, 0.0, MAX_FIGURE)
        ops_per_ns = check_real("ops_per_ns", ops_per_ns, 0.0, MAX_FIGURE, lo_open=power_mw > 0)
        energy = power_mw / ops_per_ns if power_mw else 0.0
        return cls(area_um2, energy, ops_per_ns, latency_ns, leakage_mw)

    @property
    def peak_power_mw(self) -> float:
        """Power when the component runs at its full rate: energy x rate + leakage."""
        return self.energy_pj * self.ops_per_ns + self.leakage_mw

    def scaled(self, *, area: float = 1.0, energy: float = 1.0, time: float = 1.0,
               leakage: float = 1.0) -> "ComponentSpec":
        """The spec with area, energy per op, time per op (latency and 1/rate) and leakage scaled."""
        return replace(self, area_um2=self.area_um2 * area, energy_pj=self.energy_pj * energy,
                       ops_per_ns=self.ops_per_ns / time, latency_ns=self.latency_ns * time,
                       leakage_mw=self.leakage_mw * leakage)

    def at_node(self, from_nm: int, to_nm: int) -> "ComponentSpec":
        """A CMOS component measured at `from_nm` rebuilt at `to_nm` (tech.py's scaling rules)."""
        return self.scaled(area=area_scale(from_nm, to_nm), energy=energy_scale(from_nm, to_nm),
                           leakage=leakage_scale(from_nm, to_nm))
