"""Where an `isa.program` runs on its chip: crossbars to tiles, tiles to routers, and what each instruction
costs there (time and activity, from `rnc.hw.cost.CostModel`). docs/timing.md section 1 explains the rules.

- The program occupies ceil(crossbars / crossbars per tile) tiles (cores per tile x crossbars per core
  a tile); the chip it is charged for (area, leakage) has that many tiles, not the chip file's full count,
  each crossbar with the periphery of the layers written to it (`crossbar_peripherals`).
- Crossbars go to tiles by `tile_placement` (a layer's crossbars together, consecutive layers near; or in
  index order).
- Tiles fill routers in order (tiles_per_router a router); routers sit on the smallest square mesh that
  holds them, row by row, every other row reversed (a snake: consecutive routers are neighbours). A
  message between tiles crosses |dx| + |dy| + 1 routers; on a mesh, a message to its own tile is a write to
  the tile buffer (0 hops); on a bus every message takes the bus (1 hop).
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache

from rnc.dialects.isa import AccumOp, DigitalUnitOp, MvmOp, ProgramOp
from rnc.hw.chip import Chip
from rnc.hw.cost import Activity, CostModel
from rnc.hw.cost.params import PeripheralConfig
from rnc.hw.target import Target

from .tile_placement import place_crossbars

BUS = "bus"


def digital_unit(op: DigitalUnitOp) -> str:
    """The cost model's unit for a digital instruction: accumulators for `accum`, pooling units for pooling
    ops, the activation unit for everything else (requant, elementwise ops)."""
    if isinstance(op, AccumOp):
        return "accumulator"
    return "pooling" if "pool" in op.mnemonic else "activation"


@dataclass(frozen=True)
class Cost:
    """One instruction's cost: time holding its resource, dynamic energy and operations by component, MACs."""

    time_ns: float
    pj: dict[str, float]
    ops: dict[str, float]
    macs: float

    @property
    def energy_pj(self) -> float:
        return sum(self.pj.values())


class ChipMap:
    """The program's chip: tiles, network, and the cost model that prices each instruction."""

    def __init__(self, program: ProgramOp, placement: str = "layers"):
        self.target: Target = program.target.target
        chip = self.target.chip_model()
        self.xbars_per_tile = chip.tile.cores * chip.core.crossbars
        self.tiles = max(1, math.ceil(program.xbars / self.xbars_per_tile))
        self.chip: Chip = replace(chip, tiles=self.tiles, offchip_links=0)   # no instruction uses the links
        self.network = chip.network
        self.model = _cost_model(self.chip, self.target.crossbar_config())
        self._models: dict[PeripheralConfig, CostModel] = {self.model.config: self.model}
        # Each layer's target: its crossbars as configured for it (isa.weight's peripheral attributes).
        self.weight_targets: dict[str, Target] = {w.sym_name: self.target.for_layer(w.peripheral_overrides)
                                                  for w in program.weights}
        self._mvm: dict[tuple, Cost] = {}
        self._crossbars: dict[str | None, tuple[PeripheralConfig, int]] = {}   # weight -> its crossbar
        self._sends: dict[tuple[int, int], Cost] = {}
        side = math.ceil(math.sqrt(math.ceil(self.tiles / self.network.tiles_per_router)))
        self._side = max(1, side)
        self.cycle_ns = 1000.0 / self.target.peripherals.digital_frequency_mhz
        self.placement = placement
        self._tile_of = place_crossbars(program, self.xbars_per_tile, self.tiles, self.hops, placement)

    # ---- placement ---------------------------------------------------------------------------------------
    def tile_of(self, xbar: int) -> int:
        """The tile crossbar `xbar` sits in."""
        return self._tile_of[xbar]

    def hops(self, a: int, b: int) -> int:
        """Routers a message from tile a to tile b crosses (a bus: 1; a mesh: 0 within the tile)."""
        if self.network.topology == BUS:
            return 1
        if a == b:
            return 0
        (xa, ya), (xb, yb) = self._router_xy(a), self._router_xy(b)
        return abs(xa - xb) + abs(ya - yb) + 1

    def _router_xy(self, tile: int) -> tuple[int, int]:
        """Mesh position of the tile's router: row by row, odd rows right to left (a snake)."""
        row, col = divmod(tile // self.network.tiles_per_router, self._side)
        return (self._side - 1 - col if row % 2 else col), row

    def digital_track(self, tile: int) -> str:
        return f"t{tile}.digital"

    def network_track(self, tile: int, hops: int) -> str:
        """The resource a tile's sends hold: the one shared bus, the tile's port into the mesh, or (0 hops)
        its buffer."""
        if self.network.topology == BUS:
            return BUS
        return f"t{tile}.buffer" if hops == 0 else f"t{tile}.net"

    # ---- prices ------------------------------------------------------------------------------------------
    def model_for(self, config: PeripheralConfig | None = None) -> CostModel:
        """The cost model of crossbars configured as `config` (a layer's own periphery; default the target's)."""
        if config is None:
            return self.model
        if config not in self._models:
            self._models[config] = _cost_model(self.chip, config)
        return self._models[config]

    def _crossbar(self, weight: str | None) -> tuple[PeripheralConfig, int]:
        """(crossbar configuration, cells per weight) of the crossbars holding `weight`, looked up once."""
        if weight not in self._crossbars:
            target = self.weight_targets.get(weight, self.target)
            self._crossbars[weight] = target.crossbar_config(), target.cols_per_weight
        return self._crossbars[weight]

    def mvm(self, op: MvmOp) -> Cost:
        """`op.count` MVMs on its region, each reading its input vector (one byte a row) from the tile buffer,
        on crossbars configured as its layer's weight says (`Target.layer_config`)."""
        config, cols_per_weight = self._crossbar(op.weight)
        r0, r1, c0, c1 = op.cells
        key = (r1 - r0, c1 - c0, config, cols_per_weight)
        if key not in self._mvm:
            model = self.model_for(config)
            read = model.buffer_access(r1 - r0)
            charge = model.mvm(r1 - r0, c1 - c0, cols_per_weight=cols_per_weight)
            self._mvm[key] = _cost(model, charge.time_ns, charge.activity + read.activity)
        return _times(self._mvm[key], op.count)

    def digital(self, op: DigitalUnitOp) -> Cost:
        """`op.elems` operations: ceil(elems / digital_lanes) cycles on its tile's digital unit (rnc's timing
        key), energy of the chip's unit of that kind."""
        charge = self.model.digital(digital_unit(op), op.elems)
        return _cost(self.model, math.ceil(op.elems / self.target.digital_lanes) * self.cycle_ns, charge.activity)

    def send(self, nbytes: int, hops: int) -> Cost:
        """`nbytes` to tiles `hops` routers away; 0 hops: written to the tile's own buffer."""
        key = (nbytes, hops)
        if key not in self._sends:      # a program sends a few sizes over a few distances, many times
            charge = self.model.send(nbytes, hops) if hops else self.model.buffer_access(nbytes)
            self._sends[key] = _cost(self.model, charge.time_ns, charge.activity)
        return self._sends[key]

    def multicast(self, nbytes: int, hops: list[int]) -> Cost:
        """`nbytes` to one tile per entry of `hops` (its distance): as long as the farthest send, the energy
        of one send to each."""
        sends = [self.send(nbytes, h) for h in hops]
        return replace(sum_costs(sends), time_ns=max(c.time_ns for c in sends))


@lru_cache(maxsize=256)
def _cost_model(chip: Chip, config: PeripheralConfig) -> CostModel:
    """The cost model of `chip` with crossbars configured as `config`, shared by the runs that ask for it
    (a search prices many programs on the same few chips and layer configurations)."""
    return CostModel(chip, config)


def crossbar_weights(program: ProgramOp, crossbars: int) -> list[frozenset[str]]:
    """Per crossbar 0 .. `crossbars` - 1, the weights the program writes to it (`isa.write`)."""
    held: list[set[str]] = [set() for _ in range(crossbars)]
    for write in program.writes:
        held[write.xbar].add(write.weight)
    return [frozenset(h) for h in held]


def crossbar_peripherals(program: ProgramOp, chip: ChipMap) -> list[frozenset[PeripheralConfig]]:
    """Per crossbar of `chip`, the configurations of the layers written to it (`Target.layer_config` of each
    weight's peripheral attributes); empty for a crossbar the program leaves unused. The chip's area and
    leakage follow them (`rnc.hw.cost.chip_rollup`)."""
    configs = {name: target.crossbar_config() for name, target in chip.weight_targets.items()}
    return [frozenset(configs[w] for w in weights)
            for weights in crossbar_weights(program, chip.tiles * chip.xbars_per_tile)]


def sum_costs(costs: list[Cost]) -> Cost:
    """The cost of all of `costs` one after the other: times, energies, operations and MACs added."""
    pj: dict[str, float] = defaultdict(float)
    ops: dict[str, float] = defaultdict(float)
    for c in costs:
        for name, v in c.pj.items():
            pj[name] += v
        for name, v in c.ops.items():
            ops[name] += v
    return Cost(sum(c.time_ns for c in costs), dict(pj), dict(ops), sum(c.macs for c in costs))


def _cost(model: CostModel, time_ns: float, activity: Activity) -> Cost:
    return Cost(time_ns, model.energy_pj(activity), dict(activity.ops), activity.macs)


def _times(cost: Cost, k: int) -> Cost:
    return Cost(cost.time_ns * k, {n: v * k for n, v in cost.pj.items()}, {n: v * k for n, v in cost.ops.items()},
                cost.macs * k)
