"""rnc's native timing model of an `isa.program` (docs/timing.md), event by event, exact to the model.

Resources: every crossbar (one MVM at a time), one digital unit (`digital_lanes` results per cycle) and one
bus (`bus_bytes_per_cycle` bytes per cycle), cycles at the digital frequency. A stage of sample s is ready
when its dependency stages of sample s are done (stages after the input: at t = 0, every sample is there).
It then runs in three phases: its MVM instructions (each `count` MVMs of pe_latency_ns on its crossbar,
instructions on one crossbar back to back, crossbars in parallel), its digital instructions (one after the
other on the digital unit) and its sends (on the bus). Every resource serves requests first come, first
served, ties by (sample, stage, phase, instruction order).
"""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from rnc.dialects.isa import DigitalUnitOp, MvmOp, ProgramOp, SendOp
from rnc.hw.peripherals import pe_latency_ns
from rnc.hw.target import Target

DIGITAL = "digital"
BUS = "bus"


def program_target(program: ProgramOp) -> Target:
    return program.target.target


@dataclass
class TimingResult:
    latency_ns: float                       # first sample, start to finish
    total_ns: float                         # all samples
    samples: int
    busy_ns: dict[str, float]               # per resource ("xb3", "digital", "bus")
    stage_ns: list[tuple[int, str, float, float]]   # first sample: (stage, label, start, end)
    events: list[tuple[str, str, float, float, int]] = field(default_factory=list)  # (track, name, start, dur, sample)

    @property
    def throughput(self) -> float:
        """Samples per second."""
        return self.samples / self.total_ns * 1e9 if self.total_ns > 0 else math.inf


def mvm_ns(target: Target, m: MvmOp) -> float:
    r0, r1, c0, c1 = m.cells
    rows, cols = r1 - r0, c1 - c0
    return pe_latency_ns(target.peripherals, rows, cols, target.input_bits)


def cycle_ns(target: Target) -> float:
    return 1000.0 / target.peripherals.digital_frequency_mhz


def digital_ns(target: Target, op: DigitalUnitOp) -> float:
    return math.ceil(op.elems / target.digital_lanes) * cycle_ns(target)


def send_ns(target: Target, s: SendOp) -> float:
    return math.ceil(s.bytes / target.bus_bytes_per_cycle) * cycle_ns(target)


@dataclass
class _StageCost:
    """A stage's resource demands, read once from its instructions: per crossbar (in order of first use) its
    MVM instructions' durations, the digital instructions' (name, duration), the sends' durations."""

    label: str
    deps: tuple[int, ...]
    mvms: dict[int, list[float]]
    digital: list[tuple[str, float]]
    sends: list[float]


def _stage_costs(program: ProgramOp, target: Target) -> list[_StageCost]:
    costs = []
    for stage in program.stages:
        mvms: dict[int, list[float]] = defaultdict(list)
        digital, sends = [], []
        for op in stage.instructions:
            if isinstance(op, MvmOp):
                mvms[op.xbar].append(op.count * mvm_ns(target, op))
            elif isinstance(op, DigitalUnitOp):
                digital.append((f"{stage.label} {op.mnemonic}", digital_ns(target, op)))
            elif isinstance(op, SendOp):
                sends.append(send_ns(target, op))
        costs.append(_StageCost(stage.label, stage.deps, dict(mvms), digital, sends))
    return costs


def simulate_timing(program: ProgramOp, samples: int = 1, trace: bool = False) -> TimingResult:
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    stages = _stage_costs(program, program_target(program))
    succ = defaultdict(list)
    for i, s in enumerate(stages):
        for d in s.deps:
            succ[d].append(i)
    free: dict[str, float] = defaultdict(float)
    busy: dict[str, float] = defaultdict(float)
    events = []
    waiting = {(k, i): len(s.deps) for k in range(samples) for i, s in enumerate(stages)}
    ready_at = defaultdict(float)
    start_of, end_of = {}, {}
    heap = [(0.0, k, i, 0) for k in range(samples) for i, s in enumerate(stages) if not s.deps]
    heapq.heapify(heap)

    def use(track: str, t: float, dur: float, name: str, k: int) -> float:
        begin = max(t, free[track])
        free[track] = begin + dur
        busy[track] += dur
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
                for dur in durations:
                    b = use(f"xb{x}", t, dur, f"{stage.label} mvm", k)
                    first = min(first, b)
                    end = max(end, b + dur)
            start_of[(k, i)] = first if stage.mvms else t
        elif phase == 1:
            for name, dur in stage.digital:
                b = use(DIGITAL, end, dur, name, k)
                end = b + dur
        else:
            for dur in stage.sends:
                b = use(BUS, end, dur, f"{stage.label} send", k)
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
    return TimingResult(latency, total, samples, dict(busy), stage_ns, events)
