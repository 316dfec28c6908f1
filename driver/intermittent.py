"""Intermittent power for a placed crossbar program: per layer, the execution and preservation design.

    options = power_options(capacitor="1mF", harvester="52ohm")
    plan = plan_intermittent(placed_module, options)
    plan.feasible, plan.latency_s, plan.layers[0].exploration.best.design
    write_intermittent(out_dir, plan)                       # intermittent.json

Each weight layer of the placed module becomes a `LayerShape`; `rnc.hw.intermittent.explore` picks its
design on the chip's `CrossbarPlatform` (explorations are cached by layer shape and target). A harvester
given as a power trace is explored at the trace's mean power; the plan's end-to-end latency then walks the
power cycles through the trace in order. docs/intermittent.md explains the model.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import module_layers
from rnc.hw.chip import Chip, load_chip
from rnc.hw.cost import CostModel
from rnc.hw.intermittent.crossbar import CrossbarPlatform
from rnc.hw.intermittent.explore import Exploration, explore
from rnc.hw.intermittent.pmod import LayerCost, LayerShape
from rnc.hw.power import Capacitor, ConstantHarvester, PowerModel, ResistiveHarvester, TraceHarvester
from rnc.hw.power_options import DEFAULT_CHIP, PowerOptions, power_options  # noqa: F401 (re-exported)

from .atomic import write_text_atomic

@dataclass
class LayerPlan:
    """One weight layer: its shape and what the explorer found."""

    index: int
    kind: str
    shape: LayerShape
    exploration: Exploration

    def to_dict(self) -> dict[str, Any]:
        best, ex = self.exploration.best, self.exploration
        out: dict[str, Any] = {"layer": self.index, "kind": self.kind, "shape": vars(self.shape).copy(),
                               "feasible": ex.feasible, "designs_checked": ex.checked,
                               "min_cycle_energy_j": ex.min_cycle_energy_j, "continuous_latency_s": ex.continuous_s}
        if best is not None:
            out.update(_cost_dict(best))
        out["unaware"] = None if ex.unaware is None else _cost_dict(ex.unaware)
        return out


def _cost_dict(c: LayerCost) -> dict[str, Any]:
    return {"design": vars(c.design).copy(), "power_cycles": c.cycles, "cycles_n0": c.cycles_min,
            "cycles_n_gt0": c.cycles_max, "cycle_energy_j": {"min": c.energy_min_j, "max": c.energy_max_j},
            "cycle_time_s": {"min": c.time_min_s, "max": c.time_max_s},
            "recharge_s": {"min": c.recharge_min_s, "max": c.recharge_max_s, "total": c.recharge_s},
            "preserves": c.preserved, "preserved_bytes": c.preserved_bytes, "buffer_bytes": c.buffer_bytes,
            "jobs_per_cycle": c.design.batch,
            "latency_s": c.latency_s, "energy_j": c.energy_j, "terms": c.terms.as_dict()}


@dataclass
class IntermittentPlan:
    """Every layer's design under one power supply, and the network's totals."""

    chip: str
    power: PowerModel
    options: PowerOptions
    layers: list[LayerPlan] = field(default_factory=list)
    latency_s: float = math.nan            # end-to-end (through the trace, for a trace)

    @property
    def feasible(self) -> bool:
        return all(p.exploration.feasible for p in self.layers) and not self.too_slow

    @property
    def too_slow(self) -> bool:
        limit = self.options.max_latency_s
        return limit is not None and self.latency_s > limit

    def total(self, what: str) -> float:
        """Sum over layers of a LayerCost property of the chosen designs (nan when one is missing)."""
        return sum(getattr(p.exploration.best, what) if p.exploration.best else math.nan for p in self.layers)

    @property
    def continuous_s(self) -> float:
        return sum(p.exploration.continuous_s for p in self.layers)

    @property
    def unaware_s(self) -> float:
        """The intermittent-unaware designs' latency (inf when one of them cannot complete)."""
        return sum(p.exploration.unaware.latency_s if p.exploration.unaware else math.inf for p in self.layers)

    @property
    def wear_out_inferences(self) -> float | None:
        """Inferences until the most-written NVM cell wears out: the loop indices are rewritten in place
        every power cycle (None for an NVM without an endurance limit)."""
        endurance = self.power.nvm.endurance_writes
        cycles = self.total("cycles")
        return None if endurance is None or not cycles > 0 else endurance / cycles

    def problem(self) -> str | None:
        """One line saying why the network cannot run, with the lower bound; None when it can."""
        for p in self.layers:
            ex = p.exploration
            if not ex.feasible and math.isinf(ex.min_cycle_energy_j):
                return (f"layer {p.index} ({p.kind}): no tile of it fits the {self.power.vm_bytes}-byte volatile "
                        f"buffer (the smallest needs more; give a larger device.buffer_bytes)")
            if not ex.feasible:
                return (f"layer {p.index} ({p.kind}): no execution design fits the power budget: the smallest "
                        f"power cycle needs {ex.min_cycle_energy_j * 1e3:.4g} mJ, the capacitor gives "
                        f"{self.power.usable_energy_j * 1e3:.4g} mJ per cycle "
                        f"(needs C >= {_capacitor_for(self.power.capacitor, ex.min_cycle_energy_j) * 1e3:.3g} mF)")
        if self.too_slow:
            return (f"end-to-end latency {self.latency_s:.4g} s exceeds --max-latency "
                    f"{self.options.max_latency_s:g} s (the lower bound with this power)")
        return None

    def to_dict(self) -> dict[str, Any]:
        cap, h = self.power.capacitor, self.power.harvester
        return {
            "chip": self.chip, "parity": self.options.parity,
            "power": {"capacitance_f": cap.farads, "von_v": cap.von_v, "voff_v": cap.voff_v, "margin": cap.margin,
                      "usable_energy_j": cap.usable_j, "harvester": h.describe(), "reboot_j": self.power.reboot_j,
                      "reboot_s": self.power.reboot_s, "buffer_bytes": self.power.vm_bytes,
                      "preserved_to": self.power.nvm.name,
                      "max_latency_s": self.options.max_latency_s},
            "feasible": self.feasible, "problem": self.problem(),
            "totals": {"latency_s": self.latency_s, "power_cycles": self.total("cycles"),
                       "recharge_s": self.total("recharge_s"), "preserved_bytes": self.total("preserved_bytes"),
                       "energy_j": self.total("energy_j"), "continuous_latency_s": self.continuous_s,
                       "unaware_latency_s": self.unaware_s,
                       "inferences_to_nvm_wear_out": self.wear_out_inferences},
            "layers": [p.to_dict() for p in self.layers],
        }


def _capacitor_for(cap: Capacitor, energy_j: float) -> float:
    """The capacitance whose usable energy equals `energy_j` at the same voltages and margin."""
    return energy_j / (cap.usable_j / cap.farads)


def layer_shape(layer) -> tuple[str, LayerShape]:
    """(kind, shape) of an xbar.layer. The one place that reads xbar op accessors for this module."""
    kind = layer.kind
    w, out = layer.weight.type.shape, layer.output.type.shape
    if kind in ("conv", "depthwise"):
        o, ci, kh, kw = w
        strides = layer.strides if layer.strides is not None else (1, 1)
        r, c = out[2], out[3]
        if kind == "depthwise":
            return kind, LayerShape(r, c, o, 1, kh, kw, strides[0], depthwise=True)
        return kind, LayerShape(r, c, o, ci, kh, kw, strides[0])
    rows = math.prod(out[:-1]) if len(out) > 1 else 1      # linear / matmul: one MVM per row
    k, n = layer.rows, layer.cols
    return kind, LayerShape(rows, 1, n, k)


_CACHE: dict[tuple, Exploration] = {}


def _explore_cached(platform: CrossbarPlatform, power: PowerModel, chip: Chip, shape: LayerShape,
                    parity: str | None) -> Exploration:
    key = (shape, power, chip, parity)
    if key not in _CACHE:
        _CACHE[key] = explore(platform, power, shape, parity_inas=parity == "inas")
    return _CACHE[key]


def plan_intermittent(module, options: PowerOptions) -> IntermittentPlan:
    """Explores every weight layer of the placed `module` under `options`' power supply."""
    layers = [(layer.layer, *layer_shape(layer)) for layer in module_layers(module)]
    return plan_layers(layers, options, options.chip or getattr(module_target(module), "chip", None))


def plan_layers(layers: list[tuple[int, str, LayerShape]], options: PowerOptions,
                chip: str | Chip | None = None) -> IntermittentPlan:
    """Explores `layers` (index, kind, shape) on `chip` (a Chip, a chip name or file; default
    rnc-reference) under `options`."""
    chip = chip if isinstance(chip, Chip) else load_chip(chip or DEFAULT_CHIP)
    exact = explored = options.power_model(options.harvester, chip.tile.buffer_bytes)
    if isinstance(options.harvester, TraceHarvester):
        explored = options.power_model(ConstantHarvester(options.harvester.mean_watts), chip.tile.buffer_bytes)
    platform = CrossbarPlatform(CostModel(chip), explored)
    plan = IntermittentPlan(chip.name, exact, options)
    for index, kind, shape in layers:
        plan.layers.append(LayerPlan(index, kind, shape,
                                     _explore_cached(platform, explored, chip, shape, options.parity)))
    plan.latency_s = _walk(plan) if explored is not exact else plan.total("latency_s")
    return plan


def _walk(plan: IntermittentPlan) -> float:
    """End-to-end latency through a power trace: every cycle, then its recharge from the time it ends."""
    t, parity = 0.0, plan.options.parity == "inas"
    for p in plan.layers:
        best = p.exploration.best
        if best is None:
            return math.nan
        for count, e, dt in ((best.cycles_min, best.energy_min_j, best.time_min_s),
                             (best.cycles_max, best.energy_max_j, best.time_max_s)):
            for _ in range(math.ceil(count)):
                t += dt
                t += plan.power.recharge_s(e, t, parity_inas=parity)
    return t


RECHARGE_SAMPLES = 6   # points drawn along each recharge curve


def voltage_trace(plan: IntermittentPlan) -> list[tuple[float, float]]:
    """The capacitor voltage over the inference as the model sees it, (time s, V): each power cycle falls
    from Von to the voltage its energy leaves, then the harvester charges it back (walked as `_walk`: a
    layer's n = 0 cycles, then its n > 0 cycles). Empty for a plan that does not complete."""
    if not plan.feasible:
        return []
    cap, parity = plan.power.capacitor, plan.options.parity == "inas"
    t, points = 0.0, [(0.0, cap.von_v)]
    for p in plan.layers:
        best = p.exploration.best
        for count, e, dt in ((best.cycles_min, best.energy_min_j, best.time_min_s),
                             (best.cycles_max, best.energy_max_j, best.time_max_s)):
            for _ in range(math.ceil(count)):
                t += dt
                low = cap.voltage_after(e, parity_inas=parity)
                points.append((t, low))
                rc = plan.power.recharge_s(e, t, parity_inas=parity)
                need = cap.refill_j(e, parity_inas=parity)
                for k in range(1, RECHARGE_SAMPLES + 1):
                    points.append((t + rc * k / RECHARGE_SAMPLES,
                                   _charging(plan.power, low, need, rc * k / RECHARGE_SAMPLES, rc, t)))
                t += rc
    return points


def _charging(power: PowerModel, low_v: float, need_j: float, elapsed_s: float, total_s: float,
              start_s: float) -> float:
    """The voltage `elapsed_s` into a recharge from `low_v` (RC charging through a resistance; energy
    harvested so far for a constant power or a trace)."""
    cap, h = power.capacitor, power.harvester
    if elapsed_s >= total_s:
        return cap.von_v
    if isinstance(h, ResistiveHarvester):
        return h.supply_v + (low_v - h.supply_v) * math.exp(-elapsed_s / (h.ohms * cap.farads))
    got = (h.harvested_j(start_s + elapsed_s) - h.harvested_j(start_s) if isinstance(h, TraceHarvester)
           else h.watts * elapsed_s)
    return math.sqrt(low_v ** 2 + 2 * min(got, need_j) / cap.farads)


def safe_program(isa_text: str, options: PowerOptions):
    """The power-failure-safe `.isa` text of a program (pass `insert-checkpoints`) and its CheckpointPlan;
    the text is None when a stage has no design its regions can run (the plan's problem says why)."""
    from rnc.backends.isa import parse_isa
    from rnc.backends.isa.checkpoint import insert_checkpoints, plan_checkpoints
    from rnc.backends.isa.printer import print_program
    program = parse_isa(isa_text)
    plan = plan_checkpoints(program, options)
    if plan.problem():
        return None, plan
    insert_checkpoints(program, plan)
    return print_program(program), plan


def write_intermittent(out_dir: Path, plan: IntermittentPlan, name: str = "intermittent.json") -> Path:
    """The plan as JSON, `name` in `out_dir`."""
    path = Path(out_dir) / name
    write_text_atomic(path, json.dumps(plan.to_dict(), indent=2, default=_jsonable))
    return path


def _jsonable(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)


def plan_table(plan: IntermittentPlan) -> str:
    """The per-layer text table `rnc compile --power intermittent` prints."""
    cap = plan.power.capacitor
    lines = [f"intermittent power: {cap.farads * 1e3:g} mF ({plan.power.usable_energy_j * 1e3:.3g} mJ per cycle), "
             f"harvester {plan.power.harvester.describe()}, chip {plan.chip}",
             f"{'layer':>5} {'kind':<9} {'design':<44} {'cycles':>7} {'E/cycle mJ':>10} {'budget':>6} "
             f"{'preserved B':>11} {'recharge s':>10} {'latency s':>10}"]
    for p in plan.layers:
        b = p.exploration.best
        if b is None:
            need = (f"no design: a cycle needs >= {p.exploration.min_cycle_energy_j * 1e3:.3g} mJ"
                    if math.isfinite(p.exploration.min_cycle_energy_j) else "no design: no tile fits the buffer")
            lines.append(f"{p.index:>5} {p.kind:<9} {need}")
            continue
        lines.append(f"{p.index:>5} {p.kind:<9} {b.design.describe():<44} {b.cycles:>7.0f} "
                     f"{b.worst_energy_j * 1e3:>10.4g} {b.worst_energy_j / plan.power.usable_energy_j:>6.0%} "
                     f"{b.preserved_bytes:>11.0f} {b.recharge_s:>10.4g} {b.latency_s:>10.4g}")
    if not plan.feasible:
        lines.append(f"total: does not complete ({plan.problem()})")
        return "\n".join(lines)
    lines.append(f"total: {plan.total('cycles'):.0f} power cycles, {plan.total('preserved_bytes'):.0f} B preserved, "
                 f"recharge {plan.total('recharge_s'):.4g} s, end-to-end {plan.latency_s:.4g} s "
                 f"(continuous power {plan.continuous_s:.4g} s, intermittent-unaware {plan.unaware_s:.4g} s)")
    return "\n".join(lines)
