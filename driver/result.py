"""What a compile returns: the ISAAC-like baseline, one `BudgetResult` per budget, and report.json built from
them (the one place report.json's figures come from: `rnc compile` writes `CompileResult.to_json()`).

Attribute names are report.json's key names, so `result.last.speedup_vs_isaac` is
`report.json["summary"]["speedup_vs_isaac"]`; the exceptions are `CompileResult.model_name` ("model") and
`BudgetResult.budget` ("budget_xbars").
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rnc.driver.accuracy import AccuracyResult
from rnc.driver.isa_run import IsaRun

REFERENCE_TIMING = "rnc (reference-compatible)"

# The "units" table of report.json: what the suffixes of its key names mean.
UNITS = {"*_ns": "nanoseconds", "speedup_*": "ISAAC-like time / rnc time, same timing model",
         "native_speedup_vs_isaac": "ISAAC-like time / rnc time, both rnc-native on the same chip",
         "energy_vs_isaac": "ISAAC-like energy / rnc energy per inference, same chip",
         "utilization_*": "fraction of crossbar cells", "area_*": "crossbar cells",
         "throughput_samples_per_s": "samples per second",
         "*_pj": "picojoules (per inference)", "*_mw": "milliwatts", "area_mm2": "square millimetres (the tiles used)",
         "tops": "tera-operations per second, ops = 2 x MACs", "tops_per_w": "TOPS per watt",
         "tops_per_mm2": "TOPS per square millimetre", "edap_pj_ns_mm2": "energy x latency x area (pJ ns mm^2)",
         "top1_*": "fraction of the evaluated samples",
         "sim_seconds_per_sample": "wall seconds of the ISA functional simulation per sample",
         "compile_seconds": "wall seconds of one budget's placement and reference timing",
         "step_seconds": "wall seconds of each compile step, from its start to the next one's",
         "total_seconds": "wall seconds of the whole compile (import to the last simulation)"}

# The headline figures of the native run, in the order report.json leads with them: the energy run's keys
# (ENERGY_KEYS, rnc.sim.isa_sim.EnergyResult) and the timing and verdict of BudgetResult.
ENERGY_KEYS = ("chip", "energy_per_inference_pj", "average_power_mw", "peak_power_mw", "area_mm2", "tops",
               "tops_per_w", "tops_per_mm2", "edap_pj_ns_mm2", "bottleneck")
NATIVE_KEYS = ("chip", "native_latency_one_sample_ns", "native_latency_ns", "native_speedup_vs_isaac",
               "energy_vs_isaac") + ENERGY_KEYS[1:] + ("verdict",)


class NonFiniteFigureError(RuntimeError):
    """A figure came out NaN or infinite. Every input is range-checked, so it is a bug in rnc: the figure is
    never printed or written, and the command ends with an internal error (exit status 3)."""


def non_finite_figures(data: Any, where: str = "") -> list[str]:
    """The paths ('summary.latency_ns', 'mapping.layers[3].utilization') of NaN or infinite floats in `data`."""
    if isinstance(data, float):
        return [] if math.isfinite(data) else [f"{where} = {data}"]
    if isinstance(data, dict):
        return [bad for key, value in data.items() for bad in non_finite_figures(value, f"{where}.{key}".lstrip("."))]
    if isinstance(data, (list, tuple)):
        return [bad for i, value in enumerate(data) for bad in non_finite_figures(value, f"{where}[{i}]")]
    return []


def check_figures(data: Any, what: str) -> None:
    """Raises NonFiniteFigureError naming the first few non-finite figures of `data` (a report, a CSV row)."""
    bad = non_finite_figures(data)
    if bad:
        raise NonFiniteFigureError(f"{what} has non-finite figures: {', '.join(bad[:3])}"
                                   + (f" and {len(bad) - 3} more" if len(bad) > 3 else ""))


@dataclass
class Baseline:
    """The ISAAC-like mapping (every tile of the plain partition alone on its own crossbar) that speedups
    divide: report.json's "baseline"."""

    xbars: int
    latency_ns: float                      # `samples` samples, reference-compatible timing
    latency_one_sample_ns: float
    samples: int
    native_latency_ns: float | None = None  # its lowered program, rnc-native timing (with simulate_isa)
    native_energy: dict[str, Any] | None = None   # its energy figures on the same chip (with simulate_isa)

    def to_dict(self) -> dict[str, Any]:
        """report.json's "baseline" (the native figures only when the ISA was simulated)."""
        out = {"xbars": self.xbars, "latency_ns": self.latency_ns,
               "latency_one_sample_ns": self.latency_one_sample_ns, "samples": self.samples}
        if self.native_latency_ns is not None:
            out["native_latency_ns"] = self.native_latency_ns
            out["native_energy"] = self.native_energy
        return out


@dataclass
class BudgetResult:
    """One budget's placed program and its figures (one row of the `rnc compile` table)."""

    budget: int | None                     # None: as few crossbars as possible
    pipeline: str                          # the passes that placed it, as rnc-opt spells them
    placed: Any                            # the placed module
    mapping: dict[str, Any]                # placement_report: per layer and "totals" (report.json "mapping")
    samples: int
    latency_ns: float                      # `samples` samples pipelined, reference-compatible timing
    latency_one_sample_ns: float
    speedup_vs_isaac: float                # baseline latency_ns / latency_ns
    compile_seconds: float                 # placement and reference timing, wall clock
    isa: IsaRun | None = None              # with CompileOptions.simulate_isa
    timing_model: ClassVar[str] = REFERENCE_TIMING

    def _total(self, key: str):
        return self.mapping["totals"][key]

    @property
    def xbars_used(self) -> int:
        return self._total("xbars_used")

    @property
    def tiles(self) -> int:
        """Tiles of every copy."""
        return self._total("tiles")

    @property
    def area_lower_bound_xbars(self) -> int:
        return self._total("area_lower_bound_xbars")

    @property
    def utilization_of_used(self) -> float | None:
        return self._total("utilization_of_used")

    @property
    def utilization_of_budget(self) -> float | None:
        return self._total("utilization_of_budget")

    @property
    def bottleneck_reduction(self) -> float:
        return self._total("bottleneck_reduction")

    @property
    def throughput_samples_per_s(self) -> float:
        return self.samples / self.latency_ns * 1e9

    @property
    def native_latency_one_sample_ns(self) -> float | None:
        return self.isa.latency_one_ns if self.isa else None

    @property
    def native_latency_ns(self) -> float | None:
        return self.isa.latency_ns if self.isa else None

    @property
    def native_speedup_vs_isaac(self) -> float | None:
        return self.isa.speedup if self.isa else None

    @property
    def energy_vs_isaac(self) -> float | None:
        return self.isa.energy_vs_isaac if self.isa else None

    @property
    def verdict(self) -> str | None:
        return verdict(self.isa) if self.isa else None

    def __getattr__(self, name: str) -> Any:
        """The native run's energy figures by name (`run.tops_per_w`; None without a simulated program)."""
        if name in ENERGY_KEYS:
            isa = self.__dict__.get("isa")
            return isa.energy[name] if isa else None
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def native(self) -> dict[str, Any]:
        """The native run's headline figures (None without a simulated .isa program), report.json's first keys."""
        return {key: getattr(self, key) for key in NATIVE_KEYS}


def verdict(isa: IsaRun) -> str | None:
    """One line when the mapping is slower than the baseline or a digital unit or the network bounds it."""
    e = isa.energy
    if isa.speedup < 1:
        return (f"slower than the ISAAC-like baseline on {e['chip']}: {isa.speedup:.2f}x native "
                f"(busiest: {e['bottleneck']}, {100 * e['bottleneck_busy']:.0f}% busy)")
    if not e["bottleneck"].startswith("crossbar"):
        return f"bottleneck: {e['bottleneck']} ({100 * e['bottleneck_busy']:.0f}% busy), not the crossbars"
    return None


@dataclass
class CompileResult:
    """A compiled model: its canonicalized and partitioned modules, the baseline, and one run per budget.

    report.json describes the last run (`last`); sweep.json has `summary(run)` for every run. `accuracy`
    (each summary's "accuracy", absent without eval data) is measured on the last run's program: every budget's program computes the same
    numbers (each is bit-exact against the placement-free quantized oracle).
    """

    model_name: str
    model: Any                             # the canonicalized nn module
    partitioned: Any                       # tile-partitioned, before placement
    baseline: Baseline
    runs: list[BudgetResult] = field(default_factory=list)
    ignored_target_keys: list[str] = field(default_factory=list)   # target-file keys rnc does not use
    step_seconds: dict[str, float] = field(default_factory=dict)   # wall time of each compile step
    total_seconds: float = 0.0                                       # wall time of the whole compile_model
    accuracy: AccuracyResult | None = None   # with CompileOptions.eval_data: the last run's program on it

    @property
    def last(self) -> BudgetResult:
        """The run of the last budget asked for: the one report.json and the IR files describe."""
        return self.runs[-1]

    def summary(self, run: BudgetResult | None = None) -> dict[str, Any]:
        """report.json's "summary" for `run` (default: the last): one row of the table."""
        r = run or self.last
        return {
            "model": self.model_name, "budget_xbars": r.budget, **r.native(), "pipeline": r.pipeline,
            "xbars_used": r.xbars_used, "tiles": r.tiles, "area_lower_bound_xbars": r.area_lower_bound_xbars,
            "utilization_of_used": r.utilization_of_used, "utilization_of_budget": r.utilization_of_budget,
            "bottleneck_reduction": r.bottleneck_reduction,
            "latency_one_sample_ns": r.latency_one_sample_ns, "latency_ns": r.latency_ns,
            "samples": r.samples, "throughput_samples_per_s": r.throughput_samples_per_s,
            "baseline_xbars": self.baseline.xbars, "baseline_latency_ns": self.baseline.latency_ns,
            "speedup_vs_isaac": r.speedup_vs_isaac, "compile_seconds": r.compile_seconds,
            "timing_model": r.timing_model,
            "isa": r.isa.to_dict() if r.isa else None,
        } | ({"accuracy": self.accuracy.to_dict()} if self.accuracy else {})

    def check_figures(self) -> None:
        """Raises NonFiniteFigureError if any run's report.json would hold a NaN or infinite figure."""
        for run in self.runs:
            check_figures(self.report(run), f"the report of budget {run.budget or 'min'}")

    def sweep(self) -> list[dict[str, Any]]:
        """sweep.json: the summary of every run."""
        return [self.summary(r) for r in self.runs]

    def report(self, run: BudgetResult | None = None) -> dict[str, Any]:
        """report.json as a dict, for `run` (default: the last)."""
        r = run or self.last
        return {"summary": self.summary(r), "baseline": self.baseline.to_dict(), "mapping": r.mapping,
                "step_seconds": self.step_seconds, "total_seconds": self.total_seconds, "units": UNITS}

    def to_json(self, run: BudgetResult | None = None) -> str:
        """report.json's text, as `rnc compile` writes it."""
        return json.dumps(self.report(run), indent=2, allow_nan=False)
