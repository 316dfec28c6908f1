"""`insert-checkpoints`: an `isa.program` made power-failure safe for a capacitor and a harvester.

Per stage with MVMs, the explorer (`rnc.hw.intermittent.explore`) picks the execution design with the
lowest end-to-end latency among those the stage's crossbar regions can run: a job is Tr x Tc output
positions of Tm output channels over Tn input channels, where a region's columns lie in one group of Tm
channels and its rows in one group of Tn (a depthwise region's channels are MVM indices: any whole channel
groups; its jobs share no input across channels, so not input-reuse). The stage then becomes its power
cycles, S jobs each:

    resume cycle K                       reboot, read the committed loop index
    restore %c.acc <- slot 1 ...         the partial sums a job continues (double buffered, below)
    load %x transfers T elems E          the job's input tile into the tile buffer
    mvm ... mvms j+n                     the job's MVMs (the stage's MVMs cut to its positions and rows)
    preserve %c.acc -> slot 0 ...        partial sums of a tile input channels remain for
    store %c <- %c.acc w=w0 ...          or its finished int8 outputs
    commit cycle K                       one atomic write of the loop index; power down until Von

Double buffering: the k-th preservation of a tile writes slot k mod 2 and a restore reads the slot of the
last one, so a failure between a preservation and its commit leaves the committed version untouched and
the re-run cycle computes the same values again (never adding a partial sum twice). The stage's `accum`,
`requant` and `send` go: the stores write the outputs into NVM, where the next stage loads them. A stage
without MVMs runs as one cycle as it is (its digital ops write other tensors than they read, so a re-run
writes the same values). docs/intermittent.md explains the protocol.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from rnc.dialects.isa import (CommitOp, LoadOp, MvmOp, PreserveOp, ProgramOp, RestoreOp, ResumeOp, StageOp,
                              StoreOp, program_of)
from rnc.hw.chip import load_chip
from rnc.hw.cost import CostModel
from rnc.hw.intermittent.crossbar import CrossbarPlatform
from rnc.hw.intermittent.explore import Exploration, explore
from rnc.hw.intermittent.pmod import Design, LayerCost, LayerShape, job_order
from rnc.hw.power import ConstantHarvester, PowerError, PowerModel, TraceHarvester
from rnc.hw.power_options import PowerOptions, power_options
from rnc.ir.core import Operation
from rnc.ir.pass_manager import ModulePass, PassContext, PassError, register_pass


@dataclass(frozen=True)
class StageLayout:
    """How a weight stage's MVMs address its layer: positions, channels and rows per input channel."""

    shape: LayerShape
    mode: str                 # the MVMs' mode: "conv", "dw" or "row"
    rows_per_channel: int     # Kh Kw (conv), 1 (row); a dw region's rows are its kernel
    positions: int            # output positions P (a dw MVM index is group x P + position)
    src: str
    acc: str
    dst: str
    weight: str


@dataclass
class StagePlan:
    """One stage under intermittent power: its layout and exploration (None for a stage without MVMs)."""

    index: int
    layout: StageLayout | None = None
    exploration: Exploration | None = None
    cycles: int = 1           # power cycles it runs as

    @property
    def best(self) -> LayerCost | None:
        return self.exploration.best if self.exploration else None


@dataclass
class CheckpointPlan:
    """Every stage's plan and the power model the program is made safe for."""

    power: PowerModel
    stages: list[StagePlan] = field(default_factory=list)

    def problem(self) -> str | None:
        """One line saying why a stage cannot run on this power (None when all can)."""
        for p in self.stages:
            if p.exploration is not None and not p.exploration.feasible:
                need = p.exploration.min_cycle_energy_j
                what = ("no tile of it fits the volatile buffer" if math.isinf(need) else
                        f"its smallest power cycle needs {need * 1e3:.4g} mJ, the capacitor gives "
                        f"{self.power.usable_energy_j * 1e3:.4g} mJ")
                return f"stage {p.index}: no execution design its crossbar regions can run fits: {what}"
        return None


def stage_layout(program: ProgramOp, stage: StageOp) -> StageLayout | None:
    """The layout of a stage with MVMs (None without): one layer, batch folded into the output rows."""
    mvms = stage.mvms
    if not mvms:
        return None
    first = mvms[0]
    weight = program.weight(first.weight)
    requant = next((i for i in stage.instructions if i.name == "isa.requant"), None)
    if requant is None or any(m.acc != first.acc or m.weight != first.weight for m in mvms):
        raise PassError(f"stage {stage.label!r}: expects the MVMs of one layer and its requant")
    out = program.tensor(requant.dst).shape
    src = program.tensor(first.src).shape
    rows, cols = weight.rows, weight.cols
    if first.mode == "row":
        positions = math.prod(src[:-1])
        shape, per_channel = LayerShape(positions, 1, cols, rows), 1
    else:
        kh, kw = first.k
        n, _, ho, wo = out
        positions = n * ho * wo
        depthwise = first.mode == "dw"
        shape = LayerShape(n * ho, wo, cols, 1 if depthwise else rows // (kh * kw), kh, kw, first.s[0],
                           depthwise=depthwise)
        per_channel = kh * kw
    return StageLayout(shape, first.mode, per_channel, positions, first.src, first.acc, requant.dst,
                       first.weight)


def _expressible(layout: StageLayout, mvms: list[MvmOp]):
    """The designs whose jobs an `mvm` can run: a job's Tm output channels hold whole regions' columns (a
    depthwise region's channel groups are MVM indices, so any whole groups) and its Tn input channels whole
    regions' rows."""
    rows = {(m.block[0], m.block[1]) for m in mvms}
    cols = {(m.block[2], m.block[3]) for m in mvms}

    def allowed(d: Design) -> bool:
        if layout.mode == "dw":        # input-reuse shares nothing between a depthwise layer's channels
            return d.order != "input" and all(d.tm % m.g == 0 and m.block[2] % m.g == 0 for m in mvms)
        span = d.tn * layout.rows_per_channel
        return (all(c0 // d.tm == (c1 - 1) // d.tm for c0, c1 in cols)
                and all(r0 // span == (r1 - 1) // span for r0, r1 in rows))
    return allowed


def plan_checkpoints(program: ProgramOp, options: PowerOptions) -> CheckpointPlan:
    """Explores every weight stage of `program` on its chip (or `options.chip`) under `options`' power."""
    chip = load_chip(options.chip) if options.chip else program.target.target.chip_model()
    power = options.power_model(options.harvester, chip.tile.buffer_bytes)
    explored = power
    if isinstance(options.harvester, TraceHarvester):     # ranked at the trace's mean power
        explored = options.power_model(ConstantHarvester(options.harvester.mean_watts), chip.tile.buffer_bytes)
    platform = CrossbarPlatform(CostModel(chip), explored)
    plan = CheckpointPlan(power)
    for index, stage in enumerate(program.stages):
        layout = stage_layout(program, stage)
        if layout is None:
            plan.stages.append(StagePlan(index))
            continue
        found = explore(platform, explored, layout.shape, parity_inas=options.parity == "inas",
                        allowed=_expressible(layout, stage.mvms))
        cycles = math.ceil(len(job_order(layout.shape, found.best.design)) / found.best.design.batch) \
            if found.feasible else 0
        plan.stages.append(StagePlan(index, layout, found, cycles))
    return plan


def insert_checkpoints(program: ProgramOp, plan: CheckpointPlan) -> None:
    """Rewrites every stage of `program` into the power cycles of `plan` (which must be feasible)."""
    cycle = 0
    for stage, p in zip(program.stages, plan.stages):
        old = list(stage.instructions)
        if p.layout is None:
            body = [ResumeOp.build(cycle=cycle), *old, CommitOp.build(cycle=cycle)]
        else:
            body = _cycles(p.layout, p.best.design, [m for m in old if isinstance(m, MvmOp)], cycle)
        cycle += sum(isinstance(op, ResumeOp) for op in body)
        block = stage.regions[0].blocks[0]
        for op in old:
            op.detach()
        for op in body:
            block.append(op)


def _runs(layout: StageLayout, d: Design, r: int, c: int) -> list[tuple[int, int]]:
    """The output positions of tile (r, c) as (start, count) runs, one per output row."""
    s = layout.shape
    return [(row * s.out_w + c, min(d.tc, s.out_w - c)) for row in range(r, min(r + d.tr, s.out_h))]


def _job_mvms(layout: StageLayout, d: Design, mvms: list[MvmOp], runs, m0: int, n: int) -> list[Operation]:
    """The stage's MVMs cut to the job's positions, its Tm output channels from `m0` and its Tn input
    channels from `n` (a depthwise MVM index is channel group x P + position)."""
    span, P = d.tn * layout.rows_per_channel, layout.positions
    out: list[Operation] = []
    for m in mvms:
        if layout.mode != "dw" and (m.block[0] // span != n // d.tn or m.block[2] // d.tm != m0 // d.tm):
            continue
        first, last = m.start, m.start + m.count
        groups = range(first // P, (last - 1) // P + 1) if m.count else ()
        for g in groups:
            channel = m.block[2] + g * (m.g if layout.mode == "dw" else 0)
            if layout.mode == "dw" and not m0 <= channel < m0 + d.tm:
                continue
            for start, count in runs:
                lo, hi = max(first, g * P + start), min(last, g * P + start + count)
                if lo < hi:
                    piece = m.clone()
                    piece.start, piece.count = lo, hi - lo
                    out.append(piece)
    return out


def _cycles(layout: StageLayout, d: Design, mvms: list[MvmOp], first_cycle: int) -> list[Operation]:
    """The stage as power cycles of S jobs each (module docstring)."""
    shape = layout.shape
    order = job_order(shape, d)
    tri, tci = shape.input_tile(d.tr, d.tc)
    in_block = d.tm if shape.depthwise else d.tn
    preserved: dict[tuple[int, int, int], int] = {}       # tile -> preservations so far
    body: list[Operation] = []
    for k in range(0, len(order), d.batch):
        cycle = first_cycle + k // d.batch
        body.append(ResumeOp.build(cycle=cycle))
        tiles: dict[tuple[int, int, int], int] = {}      # tile -> last input-channel block in this cycle
        loaded: set[tuple] = set()
        for r, c, m, n in order[k:k + d.batch]:
            runs, cols = _runs(layout, d, r, c), (m, min(m + d.tm, shape.out_ch))
            if (r, c, m) not in tiles and n > 0:
                slot = (preserved[(r, c, m)] - 1) % 2
                body += [RestoreOp.build(acc=layout.acc, slot=slot, start=a, count=b, cols=cols) for a, b in runs]
            tiles[(r, c, m)] = n
            tile_input = (r, c, n, m if shape.depthwise else None)
            if tile_input not in loaded:
                loaded.add(tile_input)
                body.append(LoadOp.build(tensor=layout.src, transfers=tri * tci, elems=in_block))
            body += _job_mvms(layout, d, mvms, runs, m, n)
        for (r, c), (m0, m1), n in _side_by_side(tiles, d.tm, shape.out_ch):
            runs, cols = _runs(layout, d, r, c), (m0, m1)
            if n + d.tn >= shape.in_ch:
                body += [StoreOp.build(dst=layout.dst, acc=layout.acc, weight=layout.weight, start=a, count=b,
                                       cols=cols) for a, b in runs]
            else:
                count = preserved.get((r, c, m0), 0)
                for m in range(m0, m1, d.tm):
                    preserved[(r, c, m)] = count + 1
                body += [PreserveOp.build(acc=layout.acc, slot=count % 2, start=a, count=b, cols=cols)
                         for a, b in runs]
        body.append(CommitOp.build(cycle=cycle))
    return body


def _side_by_side(tiles: dict, tm: int, channels: int):
    """The cycle's tiles as ((r, c), (first, end) channels, n), neighbouring channel blocks of one pixel tile
    at the same n merged: their outputs go out in one transfer per position (S Tm elements, as the model
    counts an input-reuse cycle's preservation)."""
    merged: list[list] = []
    for (r, c, m), n in tiles.items():
        last = merged[-1] if merged else None
        if last and last[0] == (r, c) and last[2] == n and last[1][1] == m:
            last[1] = (last[1][0], min(m + tm, channels))
        else:
            merged.append([(r, c), (m, min(m + tm, channels)), n])
    return [tuple(x) for x in merged]


@register_pass
@dataclass
class InsertCheckpoints(ModulePass):
    """Makes the `isa.program` power-failure safe: per weight stage the execution design with the lowest
    intermittent latency its regions can run, as power cycles (`resume`, `restore`, `load`, MVMs,
    `preserve` double buffered or `store`, `commit`); a stage without MVMs runs as one cycle."""

    name = "insert-checkpoints"
    capacitor: str = field(default="1mF", metadata={"help": "energy buffer, e.g. 1mF"})
    harvester: str = field(default="", metadata={"help": "source resistance (52ohm) or constant power (5mW); "
                                                         "default: iNAS's calibrated resistance for 1/5/10 mF"})
    chip: str = field(default="", metadata={"help": "chip whose energy model to use (default: the program's)"})

    def apply(self, module, ctx: PassContext) -> None:
        program = program_of(module)
        if program is None:
            raise PassError("expects an isa.program (run convert-xbar-to-isa first)")
        if program.power_cycles:
            raise PassError("the program already runs in power cycles")
        try:
            options = power_options(self.capacitor, self.harvester or None, chip=self.chip or None)
            plan = plan_checkpoints(program, options)
        except (PowerError, ValueError) as e:
            raise PassError(str(e)) from None
        problem = plan.problem()
        if problem:
            raise PassError(problem)
        insert_checkpoints(program, plan)
