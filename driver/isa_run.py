"""The instruction-stream half of `rnc compile`: lower a placed module to .isa, simulate it, check its numbers.

The functional check runs one seeded input three ways and compares:
- the ISA simulator on the lowered program (int8 crossbars, digital units),
- the bit-true oracle (`run_quantized`: the same 8-bit scheme on whole layers, each computed as its crossbars
  compute it with its precision, docs/precision.md) — must agree bit for bit, whatever the tiling, split,
  replication and placement; a difference is a compiler bug, and the check fails;
- the float interpreter on the canonicalized nn model — a figure, not a pass mark: the cosine similarity
  (0.9997-0.9999 on the built-in models with an ideal ADC; lower where ADC bits, narrow inputs or weights
  cost accuracy).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnc.backends.isa import isaac_baseline, lower_program, print_program
from rnc.backends.isa.lower import calibration_inputs
from rnc.backends.isa.quantize import dequantize
from rnc.backends.isa.adc_calibration import calibrate_module
from rnc.dialects.rnc import module_target
from rnc.driver.calibration import Calibration, random_calibration
from rnc.backends.isa.reference import run_quantized
from rnc.sim.interpreter import run_module
from rnc.sim.isa_sim import SimResult, simulate

NATIVE = "rnc-native"


@dataclass
class FunctionalCheck:
    bit_exact_vs_quantized_oracle: bool
    cosine_vs_float: float
    max_abs_error_vs_float: float
    float_output_range: float          # max |float output|: the scale of the error above
    same_top1_as_float: bool

    @property
    def passed(self) -> bool:
        return self.bit_exact_vs_quantized_oracle

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "bit_exact_vs_quantized_oracle": self.bit_exact_vs_quantized_oracle,
                "cosine_vs_float": self.cosine_vs_float,
                "max_abs_error_vs_float": self.max_abs_error_vs_float,
                "float_output_range": self.float_output_range, "same_top1_as_float": self.same_top1_as_float}

    def describe(self) -> str:
        exact = "bit-exact" if self.bit_exact_vs_quantized_oracle else "NOT bit-exact"
        return f"{exact} vs the quantized oracle, cosine {self.cosine_vs_float:.4f} vs the float interpreter"


@dataclass
class IsaRun:
    """The lowered program of one placed module, its native timing and its functional check."""
    isa_text: str
    instructions: int
    latency_one_ns: float              # rnc-native timing model (docs/timing.md)
    latency_ns: float                  # `samples` samples pipelined
    speedup: float                     # over the ISAAC-like program under the same model
    check: FunctionalCheck
    trace_events: list[dict] = field(default_factory=list)
    energy: dict[str, Any] = field(default_factory=dict)          # rnc.sim.isa_sim.EnergyResult.to_dict()
    per_layer_ns: dict[str, float] = field(default_factory=dict)  # first sample, per stage
    energy_vs_isaac: float | None = None   # baseline energy per inference / ours (same chip)
    check_input: list[np.ndarray] = field(default_factory=list, repr=False)   # the functional check's input
    outputs: list[np.ndarray] = field(default_factory=list, repr=False)       # the simulated outputs of it
    program: Any = field(default=None, repr=False)   # the isa.program itself (for accuracy runs)
    calibration: dict[str, Any] = field(default_factory=dict)     # what calibrated it (Calibration.to_dict)

    def to_dict(self) -> dict[str, Any]:
        return {"timing_model": NATIVE, "instructions": self.instructions,
                "latency_one_sample_ns": self.latency_one_ns, "latency_ns": self.latency_ns,
                "speedup_vs_isaac": self.speedup, "energy_vs_isaac": self.energy_vs_isaac,
                "per_layer_ns": self.per_layer_ns, "energy": self.energy, "calibration": self.calibration,
                "functional_check": self.check.to_dict()}


def check_input(module, seed: int) -> list[np.ndarray]:
    """The seeded input of the functional check (not one of the calibration inputs)."""
    return calibration_inputs(module, seed + 1_000_003, count=1)[0]


def baseline_native(partitioned, samples: int) -> SimResult:
    """`samples` samples through the ISAAC-like program (one tile per crossbar) on the same chip, rnc-native
    timing and energy."""
    return simulate(lower_program(isaac_baseline(partitioned)), samples=samples, timing_model=NATIVE)


def run_isa(model, placed, samples: int, seed: int, baseline: SimResult,
            calibration: Calibration | None = None) -> IsaRun:
    """Lower `placed`, time it natively over `samples` samples (speedup and energy against the `baseline`
    run) and check its numbers against `model`. Activation scales (and calibrated ADC ranges, unless
    `placed`'s layers carry them) come from `calibration` (default: seeded random inputs)."""
    calibration = calibration or random_calibration(placed, seed)
    scales = calibrate_module(placed, calibration.samples)   # once: the program and the oracle share them
    program = lower_program(placed, scales=scales)
    x = check_input(placed, seed)
    sim = simulate(program, x, samples=samples, timing_model=NATIVE, trace=True)
    one = simulate(program, samples=1, timing_model=NATIVE)
    ours = sim.outputs[0]
    oracle = run_quantized(placed, scales, x)[0]
    oracle = dequantize(oracle, program.tensor(program.outputs[0]).scale)
    exact = run_module(model, x)[0].astype(np.float32)
    ours_pj, base_pj = sim.energy.energy_per_inference_pj, baseline.energy.energy_per_inference_pj
    return IsaRun(print_program(program), program.instruction_count(), one.latency_ns, sim.total_ns,
                  baseline.total_ns / sim.total_ns, _compare(ours, oracle, exact), sim.trace_events,
                  sim.energy.to_dict(), one.per_layer_ns, base_pj / ours_pj if ours_pj else None,
                  check_input=x, outputs=sim.outputs, program=program,
                  calibration=calibration.to_dict(module_target(placed).adc_range))


def _compare(ours: np.ndarray, oracle: np.ndarray, exact: np.ndarray) -> FunctionalCheck:
    a, b = ours.ravel().astype(np.float64), exact.ravel().astype(np.float64)
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    cosine = float(a @ b / norms) if norms else float(np.array_equal(a, b))
    return FunctionalCheck(bool(np.array_equal(ours, oracle)), cosine, float(np.max(np.abs(a - b))),
                           float(np.max(np.abs(b))), int(np.argmax(a)) == int(np.argmax(b)))
