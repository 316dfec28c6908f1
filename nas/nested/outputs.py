"""What `rnc nested` writes: levels.csv, report.txt, nested_map.svg and, for `compile`, the nested placement
(.rir)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from rnc.dialects.rnc import module_target
from rnc.driver.atomic import write_text_atomic
from rnc.ir.printer import print_module
from rnc.nas.nested.crossbar_map import nested_map_svg
from rnc.nas.nested.pipeline import NestedRun, TrainedLevels
from rnc.passes.xbar_algorithms.nested.energy import level_mvm_energy_pj
from rnc.passes.xbar_algorithms.nested.switching import gated_xbars, program, weight_writes

COLUMNS = ("level", "budget", "xbar_budget", "crossbars", "gated", "tiles_added", "macs", "macs_fraction",
           "cells", "importance_fraction", "accuracy", "accuracy_shared_bn", "accuracy_alone", "mvm_energy_nj",
           "energy_fraction", "latency_us", "weight_writes", "cuts", "knapsack_s", "solve_s")


def _number(value) -> str:
    return "-" if value == "" else f"{value:.1f}"


def _percent(value) -> str:
    return "" if value == "" else f"{value * 100:.1f}%"


def level_rows(run: NestedRun, trained: TrainedLevels | None = None, placed: list | None = None) -> list[dict]:
    """One row per level, smallest first; weight writes counted against the largest level's programming;
    the crossbar energy per inference from rnc's cost model (`nested.energy`); `trained` (after `rnc nested
    train`) fills the accuracy columns and `placed` (`placed_levels`) the latency column, left empty
    otherwise."""
    solution = run.solution
    full = solution.network.choice(solution.network.full_widths)
    image = program(solution, len(solution.levels) - 1)
    energy = level_mvm_energy_pj(solution, module_target(run.partitioned))
    latency = [level_latency_us(m) for m in placed] if placed else None

    def accuracy(values: list[float] | None, k: int):
        return "" if values is None else round(values[k], 4)

    rows = []
    for k, level in enumerate(solution.levels):
        rows.append({
            "level": k, "budget": level.budget.label, "xbar_budget": level.xbar_budget,
            "crossbars": level.xbars, "gated": gated_xbars(solution, k), "tiles_added": len(level.tiles),
            "macs": level.choice.macs, "macs_fraction": round(level.choice.macs / full.macs, 4),
            "cells": level.choice.cells, "importance_fraction": round(level.choice.value / full.value, 4),
            "accuracy": accuracy(trained and trained.accuracy, k),
            "accuracy_shared_bn": accuracy(trained and trained.shared, k),
            "accuracy_alone": accuracy(trained and trained.alone, k),
            "mvm_energy_nj": round(energy[k] / 1e3, 3), "energy_fraction": round(energy[k] / energy[-1], 4),
            "latency_us": "" if latency is None else round(latency[k], 3), "weight_writes": weight_writes(solution, k, image), "cuts": level.cuts,
            "knapsack_s": round(level.knapsack_s, 3), "solve_s": round(level.solve_s, 3)})
    return rows


def level_latency_us(placed) -> float:
    """One sample's latency of a level's placed program in the reference timing model (driver.timing, the RNC
    tool's: a layer's tiles in parallel, tiles sharing a crossbar one after the other, layers chained)."""
    from rnc.driver.timing import reference_layers, simulate
    return simulate(reference_layers(placed), 1).latency_ns / 1e3


def levels_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def report_text(run: NestedRun, rows: list[dict]) -> str:
    """A short human summary: the full model's crossbars, then per level its budget, use and widths."""
    solution = run.solution
    network = solution.network
    lines = [f"{run.name}: {len(network.layers)} crossbar layers, {len(network.groups)} channel groups "
             f"({sum(g.fixed for g in network.groups)} fixed); the full model packs into {solution.full_xbars} "
             f"crossbars",
             "level  budget        crossbars  gated  MACs   importance  energy nJ  share  latency us  writes  accuracy  "
             "shared-BN   alone"]
    for row in rows:
        lines.append(f"{row['level']:>5}  {row['budget']:<12}  {row['crossbars']:>4} / {str(row['xbar_budget'] or '-'):<4}"
                     f"{row['gated']:>5}  {row['macs_fraction'] * 100:5.1f}%  {row['importance_fraction'] * 100:9.1f}%"
                     f"  {row['mvm_energy_nj']:>9.1f} {row['energy_fraction'] * 100:5.1f}%  {_number(row['latency_us']):>10}"
                     f"  {row['weight_writes']:>6}  {_percent(row['accuracy']):>8}  {_percent(row['accuracy_shared_bn']):>9}"
                     f"  {_percent(row['accuracy_alone']):>6}".rstrip())
    lines.append("widths per group (free groups only):")
    free = [i for i, g in enumerate(network.groups) if not g.fixed]
    for k, level in enumerate(solution.levels):
        lines.append(f"  level {k}: " + " ".join(str(level.choice.widths[i]) for i in free))
    lines.append("Switching levels gates crossbars on or off; no cell is rewritten (weight writes 0).")
    lines.append("Energy: the level's crossbar MVMs per inference (rnc's cost model), as a share of the largest level's.")
    return "\n".join(lines) + "\n"


def write_nested_outputs(out_dir: Path, run: NestedRun, placed: list | None = None,
                         trained: TrainedLevels | None = None) -> list[Path]:
    """Writes levels.csv, report.txt and nested_map.svg (the crossbars coloured by level), and with `placed`
    (the modules of `placed_levels`) nested.rir (the largest level: every tile, with its weights) and
    level<k>.rir for the smaller levels (weights elided: they read prefixes of the same constants).
    Returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = level_rows(run, trained, placed)
    files = {"levels.csv": levels_csv(rows), "report.txt": report_text(run, rows),
             "nested_map.svg": nested_map_svg(run.solution)}
    if placed:
        files["nested.rir"] = print_module(placed[-1])
        files.update({f"level{k}.rir": print_module(m, elide_resources=True) for k, m in enumerate(placed[:-1])})
    for name, text in files.items():
        write_text_atomic(out_dir / name, text)
    return [out_dir / name for name in files]
