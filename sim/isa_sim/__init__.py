"""The ISA simulator: `simulate(program, inputs, samples, timing_model)` -> SimResult (docs/timing.md).

`program` is an `isa.program` (`rnc.dialects.isa`): from `rnc.backends.isa.lower_program` or `parse_isa`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnc.dialects.isa import ProgramOp
from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.verifier import verify

from .functional import SimError, run_functional
from .energy import EnergyResult, energy_result
from .timing import simulate_timing

TIMING_MODELS = ("rnc-native", "rnc")


@dataclass
class SimResult:
    outputs: list[np.ndarray] | None      # dequantized float32 outputs of the first sample (None: timing only)
    latency_ns: float                     # one sample
    total_ns: float                       # `samples` samples
    throughput: float                     # samples per second
    xbar_busy: dict[str, float]           # busy fraction per crossbar over total_ns
    per_layer_ns: dict[str, float]        # stage label -> time of the first sample in it
    trace_events: list[dict] = field(default_factory=list)
    samples: int = 1
    timing_model: str = "rnc-native"
    unit_busy: dict[str, float] = field(default_factory=dict)  # digital units and network (rnc-native model)
    energy: EnergyResult | None = None    # energy, power, area, efficiency of the native run (energy.py)

    def summary_dict(self) -> dict:
        return {"timing_model": self.timing_model, "samples": self.samples, "latency_ns": self.latency_ns,
                "total_ns": self.total_ns, "throughput_per_s": self.throughput, "xbar_busy": self.xbar_busy,
                "unit_busy": self.unit_busy, "per_layer_ns": self.per_layer_ns,
                "energy": self.energy.to_dict() if self.energy else None}


def simulate(program: ProgramOp, inputs=None, samples: int = 1, timing_model: str = "rnc-native",
             trace: bool = False, placement: str = "layers") -> SimResult:
    """Times `samples` samples of `program` and, given `inputs` (a list of arrays, one per program input),
    computes the first sample's outputs. `placement` puts crossbars on tiles (`tile_placement.PLACEMENTS`)."""
    if timing_model not in TIMING_MODELS:
        raise SimError(f"unknown timing model '{timing_model}' (expected {' or '.join(TIMING_MODELS)})")
    if samples < 1:
        raise SimError(f"samples must be >= 1, got {samples}")
    try:
        verify(program)  # what every MVM reads was programmed there, every name is declared (isa.program)
    except DiagnosticError as e:
        raise SimError(str(e)) from None
    if not program.stages:
        # Nothing to time: a latency of 0 would make the throughput and every efficiency infinite.
        raise SimError("the program has no stages: nothing to simulate (is it a whole .isa program?)")
    if isinstance(inputs, np.ndarray):
        inputs = [inputs]
    outputs = run_functional(program, list(inputs)) if inputs is not None else None
    native = simulate_timing(program, samples, trace, placement)
    try:
        energy = energy_result(program, native)
    except ValueError as e:
        raise SimError(str(e)) from None
    busy = {k: (v / native.total_ns if native.total_ns else 0.0)
            for k, v in sorted(native.busy_ns.items(), key=lambda kv: _track_key(kv[0])) if k.startswith("xb")}
    units = {k: v / native.total_ns if native.total_ns else 0.0 for k, v in native.busy_ns.items()
             if not k.startswith("xb")}
    per_layer = {f"{i}:{label}": end - start for i, label, start, end in native.stage_ns}
    events = _trace(native.events) if trace else []
    if timing_model == "rnc":
        from .reference_model import simulate_rnc
        ref = simulate_rnc(program, 1)
        many = simulate_rnc(program, samples) if samples > 1 else ref
        return SimResult(outputs, ref.latency_ns, many.latency_ns, samples / many.latency_ns * 1e9 if many.latency_ns
                         else float("inf"), busy, per_layer, events, samples, timing_model, units, energy)
    return SimResult(outputs, native.latency_ns, native.total_ns, native.throughput, busy, per_layer, events,
                     samples, timing_model, units, energy)


def _track_key(name: str):
    if name.startswith("xb"):
        return (0, int(name[2:]), "")
    tile, _, unit = name.partition(".")
    return (1, int(tile[1:]), unit) if unit and tile[1:].isdigit() else (2, 0, name)


def _trace(events) -> list[dict]:
    """Chrome trace events: one thread per crossbar / digital unit / network resource, times in microseconds."""
    tracks = sorted({e[0] for e in events}, key=_track_key)
    tid = {t: n for n, t in enumerate(tracks)}
    out = [{"name": "thread_name", "ph": "M", "pid": 0, "tid": tid[t], "args": {"name": t}} for t in tracks]
    for track, name, start, dur, sample in events:
        out.append({"name": name, "ph": "X", "pid": 0, "tid": tid[track], "ts": start / 1000.0, "dur": dur / 1000.0,
                    "args": {"sample": sample}})
    return out


__all__ = ["SimError", "SimResult", "TIMING_MODELS", "simulate"]
