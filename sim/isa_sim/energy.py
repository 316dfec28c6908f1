"""Energy, power, area and efficiency of a native timing run (docs/timing.md section 1, "Energy").

Every instruction charged its dynamic energy when it ran (`chip_map.Cost`); the chip the program occupies
leaks for the whole run. That chip's crossbars carry the periphery of the layers they hold (area and leakage:
`rnc.hw.cost.chip_rollup`, from `chip_map.crossbar_peripherals`). Per inference:

    energy = sum over instructions of one sample (operations x energy per operation) + leakage x total / S

Average power = energy of all S samples / total time; peak power = leakage + the highest dynamic power over
any of `POWER_WINDOWS` equal windows of the run (each instruction's energy spread evenly over its time).
TOPS = 2 MACs x S / total time, TOPS/W = 2 MACs / energy per inference, TOPS/mm^2 = TOPS / area,
EDAP = energy per inference x one-sample latency x area (NeuroSim's definitions, rnc.hw.cost.activity).
Every figure is finite: a non-finite one raises ValueError.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnc.hw.cost import chip_rollup

from .chip_map import BUS, crossbar_peripherals, sum_costs
from .timing import TimingResult

POWER_WINDOWS = 100

# What each figure's unit is, for `rnc sim --json` and report.json.
UNITS = {"*_pj": "picojoules", "*_mw": "milliwatts", "*_mm2": "square millimetres",
         "edap_pj_ns_mm2": "energy x delay x area: pJ x ns x mm^2", "tops": "tera-operations per second (ops = 2 MACs)",
         "tops_per_w": "tera-operations per second per watt", "tops_per_mm2": "TOPS per square millimetre",
         "*_utilization": "busy fraction of the run"}


@dataclass
class EnergyResult:
    """What a native run cost; `to_dict` is the `energy` section of `rnc sim --json` and report.json."""

    chip: str
    tiles: int
    energy_per_inference_pj: float
    leakage_pj: float                        # per inference
    component_pj: dict[str, float]           # per inference, dynamic, by component
    layer_pj: dict[str, float]               # per inference, dynamic, by stage ("3:Conv_3")
    average_power_mw: float
    peak_power_mw: float
    area_mm2: float
    component_area_mm2: dict[str, float]
    tops: float
    tops_per_w: float
    tops_per_mm2: float
    edap_pj_ns_mm2: float
    xbar_utilization: float                  # mean busy fraction of the program's crossbars
    adc_utilization: float                   # conversions / (ADCs x rate x time)
    digital_utilization: float               # mean busy fraction of the tiles' digital units
    network_utilization: float               # the busiest network resource
    bottleneck: str                          # the busiest resource: "crossbar xb3", "digital unit t0.digital", ...
    bottleneck_busy: float

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["units"] = UNITS
        return out


def energy_result(program, timing: TimingResult) -> EnergyResult:
    """The energy figures of `timing`, a native run of `program` (raises ValueError on a non-finite figure)."""
    chip, S, total = timing.chip, timing.samples, timing.total_ns
    model = chip.model
    one = sum_costs(timing.stage_costs)
    rollup = chip_rollup(model, crossbar_peripherals(program, chip), chip.model_for)
    leakage_mw, chip_area = rollup.leakage_mw, rollup.area_mm2
    leakage_pj = leakage_mw * total / S
    energy = sum(one.pj.values()) + leakage_pj
    component_pj = dict(sorted(one.pj.items()))
    layer_pj = {f"{i}:{label}": c.energy_pj for (i, label, _, _), c in zip(timing.stage_ns, timing.stage_costs)}
    ops = 2 * one.macs
    busy = {k: v / total if total else 0.0 for k, v in timing.busy_ns.items()}
    xbars = [v for k, v in busy.items() if k.startswith("xb")]
    digital = [busy.get(chip.digital_track(t), 0.0) for t in range(chip.tiles)]
    network = [v for k, v in busy.items() if k == BUS or k.endswith(".net")]
    adc_rate = model.specs["adc"].ops_per_ns * model.chip_counts()["adc"] * total
    name, top = max(busy.items(), key=lambda kv: (kv[1], kv[0]), default=("none", 0.0))
    result = EnergyResult(
        chip=chip.target.chip, tiles=chip.tiles, energy_per_inference_pj=energy, leakage_pj=leakage_pj,
        component_pj=component_pj, layer_pj=layer_pj,
        average_power_mw=energy * S / total if total else 0.0,
        peak_power_mw=leakage_mw + _peak_dynamic_mw(timing.grants, total),
        area_mm2=chip_area, component_area_mm2=rollup.component_area_mm2,
        tops=ops * S / total / 1e3 if total else 0.0,
        tops_per_w=ops / energy if energy else 0.0,
        tops_per_mm2=(ops * S / total / 1e3) / chip_area if total and chip_area else 0.0,
        edap_pj_ns_mm2=energy * timing.latency_ns * chip_area,
        xbar_utilization=sum(xbars) / len(xbars) if xbars else 0.0,
        adc_utilization=one.ops.get("adc", 0.0) * S / adc_rate if adc_rate else 0.0,
        digital_utilization=sum(digital) / len(digital),
        network_utilization=max(network, default=0.0),
        bottleneck=_describe(name), bottleneck_busy=top)
    _check_finite(result.to_dict(), "energy")
    return result


def _describe(track: str) -> str:
    if track.startswith("xb"):
        return f"crossbar {track}"
    if track.endswith(".digital"):
        return f"digital unit of tile {track[1:-len('.digital')]}"
    if track == BUS:
        return "network (the bus)"
    if track.endswith(".net"):
        return f"network port of tile {track[1:-len('.net')]}"
    if track.endswith(".buffer"):
        return f"buffer of tile {track[1:-len('.buffer')]}"
    return track


def _peak_dynamic_mw(grants: list[tuple[float, float, float]], total_ns: float) -> float:
    """The highest dynamic power over `POWER_WINDOWS` equal windows of [0, total_ns] (pJ / ns = mW)."""
    if not grants or total_ns <= 0:
        return 0.0
    g = np.asarray(grants, dtype=np.float64)
    begin, dur, pj = g[:, 0], g[:, 1], g[:, 2]
    edges = np.linspace(0.0, total_ns, POWER_WINDOWS + 1)
    # Energy each grant has spent by each edge: pj x clamp((t - begin) / dur, 0, 1) (instant grants at begin).
    safe = np.where(dur > 0, dur, 1.0)
    frac = np.clip((edges[None, :] - begin[:, None]) / safe[:, None], 0.0, 1.0)
    frac = np.where(dur[:, None] > 0, frac, (edges[None, :] >= begin[:, None]).astype(np.float64))
    spent = pj @ frac
    return float(np.max(np.diff(spent)) / (total_ns / POWER_WINDOWS))


def _check_finite(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _check_finite(v, f"{where}.{k}")
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} is {value}: every energy figure must be finite")
