"""A power-failure-safe `isa.program` (pass `insert-checkpoints`) run on a capacitor, with failures injected.

    run = run_intermittent(program, [x], power, failures={5, 17})
    run.outputs, run.latency_s, run.failures, run.voltage

The device starts charged to Von. Each instruction draws its energy from the capacitor (the voltage falls
as sqrt(Von^2 - 2 E / C)) and takes its time; the harvester is off while the device runs, as in the
iNAS-PMod model. A `commit` ends a power cycle on purpose: the device powers down and the harvester
recharges the capacitor to Von (through the trace from the current time, for a power trace). A power
failure, injected before the executed-instruction numbers in `failures` or reached when the capacitor would
fall below Voff, loses the volatile state (the accumulators; a `resume` clears them as the tile's reset
does); the harvester recharges what was spent and the device resumes at the `resume` of the committed loop
index. Tensors and the partial-sum slots are non-volatile.

What instructions cost: NVM transfers, reboot and loop index as `CrossbarPlatform` prices them for the
analytic model (the same `PowerModel`), MVMs and digital work as the ISA's timing model
(`chip_map.ChipMap`), so the measured latency checks the analytic one where they were computed apart.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rnc.backends.isa.quantize import dequantize, requantize
from rnc.dialects.isa import (CommitOp, DigitalOp, DigitalUnitOp, LoadOp, MvmOp, PreserveOp, ProgramOp,
                              RestoreOp, ResumeOp, SendOp, StoreOp)
from rnc.hw.cost import CostModel
from rnc.hw.intermittent.crossbar import CrossbarPlatform
from rnc.hw.intermittent.pmod import INDEX_WORDS, Cost
from rnc.hw.power import PowerModel

from .chip_map import ChipMap
from .functional import SimError, _Layer, quantized_inputs, run_digital


@dataclass
class PowerRun:
    """What an intermittent run produced and measured."""

    outputs: list[np.ndarray]                 # dequantized float32 outputs
    latency_s: float                          # start to the last commit's recharge (end-to-end)
    cycles: int                               # power cycles begun, re-run ones included
    failures: int                             # injected and brown-out failures
    executed: int                             # instructions executed, re-executed ones included
    energy_j: float                           # drawn from the capacitor
    voltage: list[tuple[float, float]] = field(default_factory=list)   # (time s, capacitor V)


class _Prices:
    """The cost of each instruction under `power` on the program's chip (memoized per instruction)."""

    def __init__(self, program: ProgramOp, power: PowerModel) -> None:
        self.chip = ChipMap(program)
        self.platform = CrossbarPlatform(CostModel(self.chip.chip), power)
        self.memo: dict[int, Cost] = {}

    def __call__(self, op) -> Cost:
        key = id(op)
        if key not in self.memo:
            self.memo[key] = self._price(op)
        return self.memo[key]

    def _price(self, op) -> Cost:
        p = self.platform
        if isinstance(op, ResumeOp):
            return p.reboot() + p.read("index", INDEX_WORDS)
        if isinstance(op, CommitOp):
            return p.write("index", INDEX_WORDS, "index")
        if isinstance(op, LoadOp):
            return p.read("input", op.elems).times(op.transfers)
        cols = op.cols.size if isinstance(op, (RestoreOp, PreserveOp, StoreOp)) else 0
        if isinstance(op, RestoreOp):
            return p.read("psum", cols).times(op.count)
        if isinstance(op, PreserveOp):
            return p.write("psum", cols, "output").times(op.count)
        if isinstance(op, StoreOp):            # the NVM write and the requantization on the activation unit
            elems = op.count * cols
            charge = self.chip.model.digital("activation", elems)
            ns = math.ceil(elems / self.chip.target.digital_lanes) * self.chip.cycle_ns
            return (p.write("output", cols, "output").times(op.count)
                    + Cost(sum(self.chip.model.energy_pj(charge.activity).values()) * 1e-12, ns * 1e-9))
        if isinstance(op, MvmOp):
            c = self.chip.mvm(op)
        elif isinstance(op, DigitalUnitOp):
            c = self.chip.digital(op)
        elif isinstance(op, SendOp):
            c = self.chip.send(op.bytes, 1)
        else:
            raise SimError(f"the intermittent simulator cannot run '{op.name}'")
        return Cost(c.energy_pj * 1e-12, c.time_ns * 1e-9)


class _Machine:
    """The program's state: tensors and partial-sum slots in NVM, accumulators in volatile memory."""

    def __init__(self, program: ProgramOp, inputs: list[np.ndarray]) -> None:
        self.program = program
        self.q = quantized_inputs(program, inputs)
        for t in program.tensors:
            self.q.setdefault(t.sym_name, np.zeros(t.shape, dtype=np.int8))
        self.consts = {c.sym_name: c.value.to_numpy() for c in program.consts}
        self.scales = {t.sym_name: t.scale for t in program.tensors}
        self.shapes = {t.sym_name: t.shape for t in program.tensors}
        self.weights = {w.sym_name: w for w in program.weights}
        target = program.target.target
        self.precisions = {w.sym_name: w.layer_precision(target) for w in program.weights}
        self.first_mvm = {}
        for stage in program.stages:
            for m in stage.mvms:
                self.first_mvm.setdefault(m.acc, m)
        self.slots: dict[tuple[str, int], np.ndarray] = {}
        self.layers: dict[str, _Layer] = {}

    def layer(self, acc: str) -> _Layer:
        if acc not in self.layers:
            m = self.first_mvm[acc]
            self.layers[acc] = _Layer(self.weights[m.weight], m, self.q[m.src], self.precisions[m.weight])
        return self.layers[acc]

    def power_loss(self) -> None:
        """The accumulators are reset (a `resume` starts from zeros, whatever the last cycle left)."""
        for layer in self.layers.values():
            layer.acc[...] = 0

    def run(self, op) -> None:
        if isinstance(op, MvmOp):
            self.layer(op.acc).run(op)
        elif isinstance(op, (RestoreOp, PreserveOp)):
            layer = self.layer(op.acc)
            slot = self.slots.setdefault((op.acc, op.slot), np.zeros_like(layer.acc))
            rows, cols = slice(op.start, op.start + op.count), slice(*op.cols)
            if isinstance(op, RestoreOp):
                layer.acc[rows, cols] = slot[rows, cols]
            else:
                slot[rows, cols] = layer.acc[rows, cols]
        elif isinstance(op, StoreOp):
            self._store(op)
        elif isinstance(op, DigitalOp):
            self.q[op.dst] = run_digital(op, self.q, self.consts, self.scales, self.shapes)
        elif isinstance(op, ResumeOp):
            self.power_loss()
        # load, commit, accum and send move no numbers here.

    def _store(self, op: StoreOp) -> None:
        """Requantizes positions [start, start + count) x cols of the accumulator into the int8 tensor."""
        layer, weight = self.layer(op.acc), self.weights[op.weight]
        c0, c1 = op.cols
        acc = layer.acc[op.start:op.start + op.count, c0:c1]
        if weight.bias is not None:
            acc = acc + weight.bias.to_numpy().astype(np.int64)[c0:c1]
        src = self.first_mvm[op.acc].src
        out = requantize(acc, self.scales[src], weight.scales.to_numpy()[c0:c1], self.scales[op.dst])
        dst = self.q[op.dst]
        if layer.mode in ("conv", "dw"):
            n, ho, wo = layer.out_nhw
            pos = np.arange(op.start, op.start + op.count)
            b, r, c = pos // (ho * wo), (pos // wo) % ho, pos % wo
            dst[b[:, None], np.arange(c0, c1)[None, :], r[:, None], c[:, None]] = out
        else:
            dst.reshape(-1, dst.shape[-1])[op.start:op.start + op.count, c0:c1] = out

    def outputs(self) -> list[np.ndarray]:
        return [dequantize(self.q[o], self.scales[o]) for o in self.program.outputs]


def _flatten(program: ProgramOp) -> tuple[list, dict[int, int]]:
    """The instructions in program order and, per power cycle, the position of its `resume`."""
    flat = [ins for stage in program.stages for ins in stage.instructions]
    return flat, {ins.cycle: i for i, ins in enumerate(flat) if isinstance(ins, ResumeOp)}


def run_intermittent(program: ProgramOp, inputs: list[np.ndarray], power: PowerModel, *,
                     failures=frozenset(), record_voltage: bool = False,
                     max_executed: int = 10_000_000) -> PowerRun:
    """Runs a power-failure-safe `program` under `power`; the power fails before each executed-instruction
    number in `failures` (numbers count re-executed instructions; a failure takes up its number)."""
    flat, resume_at = _flatten(program)
    if not resume_at:
        raise SimError("the program has no power cycles (run the insert-checkpoints pass first)")
    prices, machine, cap = _Prices(program, power), _Machine(program, list(inputs)), power.capacitor
    brown_out_j = cap.stored_j * (1 + 1e-12)           # Von to Voff: what the capacitor can give
    t = spent = energy = 0.0
    index, pc, executed, failed, cycles = 0, resume_at[0], 0, 0, 0
    volts = [(0.0, cap.von_v)] if record_voltage else []

    def recharge() -> None:
        nonlocal t, spent
        if record_voltage:
            volts.append((t, _voltage(cap, spent)))
        t += power.recharge_s(spent, t)
        spent = 0.0
        if record_voltage:
            volts.append((t, cap.von_v))

    while index < len(resume_at):
        if executed >= max_executed:
            raise SimError("the program makes no progress under this power (a power cycle never completes)")
        op = flat[pc]
        cost = prices(op)
        if executed in failures or spent + cost.energy_j > brown_out_j:
            executed += 1
            failed += 1
            machine.power_loss()
            recharge()
            pc = resume_at[index]
            continue
        executed += 1
        cycles += isinstance(op, ResumeOp)
        spent += cost.energy_j
        energy += cost.energy_j
        t += cost.time_s
        machine.run(op)
        if record_voltage:
            volts.append((t, _voltage(cap, spent)))
        pc += 1
        if isinstance(op, CommitOp):
            index = op.cycle + 1
            recharge()
    return PowerRun(machine.outputs(), t, cycles, failed, executed, energy, volts)


def _voltage(cap, spent_j: float) -> float:
    return cap.voltage_after(spent_j)


def failure_free_instructions(program: ProgramOp, inputs: list[np.ndarray], power: PowerModel) -> int:
    """How many instructions a run without failures executes (the boundaries a failure can be put at)."""
    return run_intermittent(program, inputs, power).executed
