"""rnc's native timing model of an `isa.program` (docs/timing.md), event by event, exact to the model.

Resources: every crossbar (one MVM at a time), each tile's digital unit (`digital_lanes` results per cycle at
the digital frequency) and the network: one shared bus, or on a mesh each tile's port into it. Crossbars map
to tiles by the chip hierarchy (`chip_map.ChipMap`); a stage runs its digital work on its home tile (the tile
of its first MVM's crossbar, else its first dependency's). A stage of sample s is ready when its dependency
stages of sample s are done (stages after the input: at t = 0, every sample is there). It then runs in three
phases: its MVM instructions (each `count` MVMs of the cost model's MVM time on its crossbar, instructions on
one crossbar back to back, crossbars in parallel), its digital instructions (one after the other on its tile's
digital unit) and its sends (over the network to its consumers' tiles, or into its own tile's buffer). Every resource serves requests first
come, first served, ties by (sample, stage, phase, instruction order). Every instruction also charges its
energy (`chip_map.Cost`), which `energy.py` turns into energy, power and efficiency figures.
"""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from rnc.dialects.isa import DigitalUnitOp, MvmOp, ProgramOp, SendOp
from rnc.hw.target import Target

from .chip_map import ChipMap, Cost, sum_costs


def program_target(program: ProgramOp) -> Target:
    return program.target.target


@dataclass
class TimingResult:
    latency_ns: float                       # first sample, start to finish
    total_ns: float                         # all samples
    samples: int
    busy_ns: dict[str, float]               # per resource ("xb3", "t0.digital", "bus" or "t2.net")
    stage_ns: list[tuple[int, str, float, float]]   # first sample: (stage, label, start, end)
    events: list[tuple[str, str, float, float, int]] = field(default_factory=list)  # (track, name, start, dur, sample)
    chip: ChipMap | None = None             # where the program ran and its prices
    stage_costs: list[Cost] = field(default_factory=list)   # per stage, one sample: energy, operations, MACs
    grants: list[tuple[float, float, float]] = field(default_factory=list)  # (start, duration, pJ) per grant

    @property
    def throughput(self) -> float:
        """Samples per second."""
        return self.samples / self.total_ns * 1e9 if self.total_ns > 0 else math.inf


def mvm_ns(target: Target, m: MvmOp) -> float:
    """The reference-compatible (MNSIM) latency of one MVM of `m` (the `rnc` timing model's)."""
    r0, r1, c0, c1 = m.cells
    return target.mvm_ns(r1 - r0, c1 - c0)


@dataclass
class _StageCost:
    """A stage's resource demands, read once from its instructions: its home tile, per crossbar (in order of
    first use) its MVM instructions' (duration, pJ), the digital instructions' (name, duration, pJ), the sends'
    (duration, pJ), and what one sample of it costs in all."""

    label: str
    deps: tuple[int, ...]
    tile: int
    mvms: dict[int, list[tuple[float, float]]]
    digital: list[tuple[str, float, float]]
    sends: list[tuple[float, float]]
    hops: int
    total: Cost


def _home_tiles(program: ProgramOp, chip: ChipMap) -> list[int]:
    tiles: list[int] = []
    for stage in program.stages:
        mvms = stage.mvms
        tiles.append(chip.tile_of(mvms[0].xbar) if mvms else tiles[stage.deps[0]] if stage.deps else 0)
    return tiles


def _stage_costs(program: ProgramOp, chip: ChipMap) -> list[_StageCost]:
    home = _home_tiles(program, chip)
    # A stage's output goes to every tile its consumers read it on: the tiles of their crossbars (each
    # crossbar's tile needs the input vector), or the home tile of a consumer without MVMs.
    destinations: dict[int, set[int]] = defaultdict(set)
    for i, stage in enumerate(program.stages):
        tiles = {chip.tile_of(m.xbar) for m in stage.mvms} or {home[i]}
        for d in stage.deps:
            destinations[d] |= tiles
    costs = []
    for i, stage in enumerate(program.stages):
        mvms: dict[int, list[tuple[float, float]]] = defaultdict(list)
        digital, sends, parts = [], [], []
        hops_to = sorted(chip.hops(home[i], t) for t in destinations[i]) or [1]   # the output: 1 hop
        hops = hops_to[-1]
        for op in stage.instructions:
            if isinstance(op, MvmOp):
                c = chip.mvm(op)
                mvms[op.xbar].append((c.time_ns, c.energy_pj))
            elif isinstance(op, DigitalUnitOp):
                c = chip.digital(op)
                digital.append((f"{stage.label} {op.mnemonic}", c.time_ns, c.energy_pj))
            elif isinstance(op, SendOp):
                c = chip.multicast(op.bytes, hops_to)
                sends.append((c.time_ns, c.energy_pj))
            else:
                continue
            parts.append(c)
        costs.append(_StageCost(stage.label, stage.deps, home[i], dict(mvms), digital, sends, hops, sum_costs(parts)))
    return costs


def simulate_timing(program: ProgramOp, samples: int = 1, trace: bool = False,
                    placement: str = "layers") -> TimingResult:
    """Times `samples` samples of `program` on its chip, crossbars placed on tiles by `placement`
    (`tile_placement.PLACEMENTS`)."""
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    chip = ChipMap(program, placement)
    stages = _stage_costs(program, chip)
    succ = defaultdict(list)
    for i, s in enumerate(stages):
        for d in s.deps:
            succ[d].append(i)
    free: dict[str, float] = defaultdict(float)
    busy: dict[str, float] = defaultdict(float)
    events, grants = [], []
    waiting = {(k, i): len(s.deps) for k in range(samples) for i, s in enumerate(stages)}
    ready_at = defaultdict(float)
    start_of, end_of = {}, {}
    heap = [(0.0, k, i, 0) for k in range(samples) for i, s in enumerate(stages) if not s.deps]
    heapq.heapify(heap)

    def use(track: str, t: float, dur: float, pj: float, name: str, k: int) -> float:
        begin = max(t, free[track])
        free[track] = begin + dur
        busy[track] += dur
        grants.append((begin, dur, pj))
        if trace and dur > 0:
            events.append((track, name, begin, dur, k))
        return begin

    while heap:
        t, k, i, phase = heapq.heappop(heap)
        stage = stages[i]
        end = t
        if phase == 0:
            first = math.inf
            for x, durations in stage.mvms.items():
                for dur, pj in durations:
                    b = use(f"xb{x}", t, dur, pj, f"{stage.label} mvm", k)
                    first = min(first, b)
                    end = max(end, b + dur)
            start_of[(k, i)] = first if stage.mvms else t
        elif phase == 1:
            for name, dur, pj in stage.digital:
                b = use(chip.digital_track(stage.tile), end, dur, pj, name, k)
                end = b + dur
        else:
            for dur, pj in stage.sends:
                b = use(chip.network_track(stage.tile, stage.hops), end, dur, pj, f"{stage.label} send", k)
                end = b + dur
        if phase < 2:
            heapq.heappush(heap, (end, k, i, phase + 1))
            continue
        end_of[(k, i)] = end
        for j in succ[i]:
            ready_at[(k, j)] = max(ready_at[(k, j)], end)
            waiting[(k, j)] -= 1
            if waiting[(k, j)] == 0:
                heapq.heappush(heap, (ready_at[(k, j)], k, j, 0))
    total = max(end_of.values(), default=0.0)
    latency = max((v for (k, _), v in end_of.items() if k == 0), default=0.0)
    stage_ns = [(i, s.label, start_of[(0, i)], end_of[(0, i)]) for i, s in enumerate(stages)]
    for x in range(program.xbars):
        busy.setdefault(f"xb{x}", 0.0)
    return TimingResult(latency, total, samples, dict(busy), stage_ns, events, chip, [s.total for s in stages], grants)
