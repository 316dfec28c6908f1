"""Energy, area and efficiency of compiled programs on `isaac` and on the default chip (rnc-reference), at the
reference's budgets, each beside the ISAAC-like baseline on the same chip (rnc-native model, 8 samples):
native and reference-compatible speedup, energy per inference, TOPS/W, TOPS/mm^2, EDAP. Then the cost of the
model: its share of compile time (profiled) and the wall time of `rnc compile mbv3_small`.

    .venv/bin/python bench/energy.py
"""
from __future__ import annotations

import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rnc.driver import CompileOptions, compile_model

BUDGETS = {"squeezenet": [60, 80, 100, 120], "mbv3_small": [168, 211, 253], "resnet18": None}  # None: minimum
CHIPS = ("isaac", None)       # None: the default target (rnc-reference)
MODEL_FILES = ("sim/isa_sim/chip_map.py", "sim/isa_sim/energy.py", "hw/cost/")


def figures(e: dict) -> str:
    return (f"{e['energy_per_inference_pj'] / 1e6:9.2f} uJ {e['tops_per_w']:7.3f} TOPS/W "
            f"{e['tops_per_mm2']:8.4f} TOPS/mm2 EDAP {e['edap_pj_ns_mm2']:9.3e}")


def sweep(chip: str | None, name: str, budgets) -> None:
    options = CompileOptions(target_file=chip, budgets=budgets, duplicate=budgets is not None, samples=8,
                             simulate_isa=True)
    started = time.perf_counter()
    result = compile_model(name, options)
    wall = time.perf_counter() - started
    b = result.baseline
    print(f"{chip or 'rnc-reference (default)'} / {name}: {wall:.1f} s; ISAAC-like baseline {b.xbars} crossbars: "
          f"{figures(b.native_energy)}")
    for run in result.runs:
        n = run.native()
        print(f"  budget {str(run.budget or 'min'):>4} ({run.xbars_used:>4} used): native {run.isa.speedup:6.2f}x "
              f"ref {run.speedup_vs_isaac:6.2f}x  {figures(run.isa.energy)}  "
              f"energy vs base {n['energy_vs_isaac']:.2f}x  busiest {n['bottleneck']} "
              f"{100 * run.isa.energy['bottleneck_busy']:.0f}%")


def layer_spread(program, chip) -> float:
    """Mean number of tiles a weight stage's crossbars sit in."""
    spans = [len({chip.tile_of(m.xbar) for m in s.mvms}) for s in program.stages if s.mvms]
    return sum(spans) / len(spans)


def placement() -> None:
    """Crossbars on tiles in index order (before) and by layers (after, the default): tiles a layer spans,
    energy moving activations (routers, tile buffers and buses) and native 8-sample time."""
    from rnc.backends.isa import parse_isa
    from rnc.sim.isa_sim.chip_map import ChipMap
    from rnc.sim.isa_sim.timing import simulate_timing
    from rnc.sim.isa_sim.energy import energy_result
    moves = ("router", "tile_output_register", "tile_bus", "buffer")
    for chip_name, name, budget in (("isaac", "mbv3_small", 211), ("isaac", "resnet18", None),
                                    ("isaac", "squeezenet", 120), (None, "mbv3_small", 211)):
        options = CompileOptions(target_file=chip_name, budgets=[budget] if budget else None,
                                 duplicate=budget is not None, samples=8, simulate_isa=True)
        program = parse_isa(compile_model(name, options).runs[0].isa.isa_text)
        row = []
        for how in ("index", "layers"):
            t = simulate_timing(program, 8, placement=how)
            e = energy_result(program, t)
            row.append(f"{how}: {layer_spread(program, t.chip):.2f} tiles/layer, moves "
                       f"{sum(e.component_pj.get(c, 0.0) for c in moves) / 1e3:8.1f} nJ, "
                       f"{e.energy_per_inference_pj / 1e6:8.3f} uJ, {t.total_ns / 1e3:9.1f} us")
        print(f"placement {chip_name or 'rnc-reference'} / {name} {budget or 'min'} "
              f"({program.xbars} xbars, {ChipMap(program).tiles} tiles): " + "; ".join(row))


def model_share() -> None:
    """The cost model's share of an in-process compile of mbv3_small (budget 211, duplicate), by profile."""
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(compile_model, "mbv3_small", CompileOptions(budgets=[211], duplicate=True, simulate_isa=True))
    wall = time.perf_counter() - started
    stats = pstats.Stats(profile)
    own = sum(row[2] for func, row in stats.stats.items()  # row[2]: time inside the function itself
              if any(part in func[0] for part in MODEL_FILES))
    total = sum(row[2] for row in stats.stats.values())
    print(f"cost model share of compile time (mbv3_small, 211, profiled): {100 * own / total:.1f}% "
          f"({own:.2f} s of {total:.2f} s; wall with profiling {wall:.1f} s)")


def cli_time() -> None:
    """Wall and CPU time of `rnc compile mbv3_small` (default options) twice, and its compile steps from
    report.json; the first run exports the built-in model unless its cache (RNC_CACHE_DIR) has it already."""
    import json
    import resource
    rnc = Path(sys.executable).parent / "rnc"
    for run in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run([str(rnc), "compile", "mbv3_small", "--out", out, "--quiet"], check=True,
                           stdout=subprocess.DEVNULL)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            steps = json.loads((Path(out) / "report.json").read_text())["step_seconds"]
        print(f"rnc compile mbv3_small (run {run}): {wall:.2f} s wall, {cpu:.2f} s CPU; steps: "
              + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()))


def isaac_validation() -> None:
    """The chip model configured as ISAAC beside ISAAC's published totals (ISCA 2016, Table 6)."""
    from rnc.hw.chip import load_chip
    from rnc.hw.cost import CostModel
    isaac = CostModel(load_chip("isaac"))
    adc = isaac.tile_breakdown()["adc"]
    print(f"isaac tile: {isaac.tile_power_mw:.1f} mW (paper 330), {isaac.tile_area_mm2:.4f} mm2 (paper 0.372); "
          f"ADC share {100 * adc.power_mw / isaac.tile_power_mw:.1f}% power (paper ~58), "
          f"{100 * adc.area_mm2 / isaac.tile_area_mm2:.1f}% area (paper ~31); chip {isaac.chip_power_mw / 1e3:.2f} W "
          f"(paper 65.8), {isaac.chip_area_mm2:.2f} mm2 (paper 85.4)")


def neurosim_validation() -> None:
    """The ADC models beside NeuroSim's figures (XPert's fork, peripherals.md): the sub-array's ADC part."""
    from rnc.hw.cost.neurosim_validation import XPERT_POINTS, adc_model, adc_part
    for (kind, levels, m), (area, energy) in sorted(XPERT_POINTS.items()):
        ours_area, ours_energy = adc_part(kind, levels, m)
        print(f"NeuroSim ADC {kind:5} L={levels:<2} m={m}: area {ours_area:8,.0f} um2 (NeuroSim {area:6,}, "
              f"{100 * (ours_area / area - 1):+5.1f}%), energy per read {ours_energy:6.2f} pJ (NeuroSim {energy:6.2f}, "
              f"{100 * (ours_energy / energy - 1):+5.1f}%), conversion {adc_model(kind, levels, m).conversion_ns:.3f} ns")


def main() -> None:
    isaac_validation()
    neurosim_validation()
    placement()
    for chip in CHIPS:
        for name, budgets in BUDGETS.items():
            sweep(chip, name, budgets)
    model_share()
    cli_time()


if __name__ == "__main__":
    main()
