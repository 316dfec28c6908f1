"""What `rnc nested` writes: levels.csv, report.txt and, for `compile`, the nested placement (.rir)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from rnc.driver.atomic import write_text_atomic
from rnc.ir.printer import print_module
from rnc.nas.nested.pipeline import NestedRun
from rnc.passes.xbar_algorithms.nested.switching import gated_xbars, program, weight_writes

COLUMNS = ("level", "budget", "xbar_budget", "crossbars", "gated", "tiles_added", "macs", "macs_fraction",
           "cells", "importance_fraction", "accuracy", "weight_writes", "cuts", "knapsack_s", "solve_s")


def level_rows(run: NestedRun, accuracies: list[float] | None = None) -> list[dict]:
    """One row per level, smallest first; weight writes counted against the largest level's programming;
    `accuracies` (after `rnc nested train`) fill the accuracy column, left empty otherwise."""
    solution = run.solution
    full = solution.network.choice(solution.network.full_widths)
    image = program(solution, len(solution.levels) - 1)
    rows = []
    for k, level in enumerate(solution.levels):
        rows.append({
            "level": k, "budget": level.budget.label, "xbar_budget": level.xbar_budget,
            "crossbars": level.xbars, "gated": gated_xbars(solution, k), "tiles_added": len(level.tiles),
            "macs": level.choice.macs, "macs_fraction": round(level.choice.macs / full.macs, 4),
            "cells": level.choice.cells, "importance_fraction": round(level.choice.value / full.value, 4),
            "accuracy": "" if accuracies is None else round(accuracies[k], 4),
            "weight_writes": weight_writes(solution, k, image), "cuts": level.cuts,
            "knapsack_s": round(level.knapsack_s, 3), "solve_s": round(level.solve_s, 3)})
    return rows


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
             "level  budget        crossbars  gated  MACs   importance  writes  accuracy"]
    for row in rows:
        accuracy = "" if row["accuracy"] == "" else f"{row['accuracy'] * 100:7.1f}%"
        lines.append(f"{row['level']:>5}  {row['budget']:<12}  {row['crossbars']:>4} / {str(row['xbar_budget'] or '-'):<4}"
                     f"{row['gated']:>5}  {row['macs_fraction'] * 100:5.1f}%  {row['importance_fraction'] * 100:9.1f}%"
                     f"  {row['weight_writes']:>6}  {accuracy}".rstrip())
    lines.append("widths per group (free groups only):")
    free = [i for i, g in enumerate(network.groups) if not g.fixed]
    for k, level in enumerate(solution.levels):
        lines.append(f"  level {k}: " + " ".join(str(level.choice.widths[i]) for i in free))
    lines.append("Switching levels gates crossbars on or off; no cell is rewritten (weight writes 0).")
    return "\n".join(lines) + "\n"


def write_nested_outputs(out_dir: Path, run: NestedRun, placed: list | None = None,
                         accuracies: list[float] | None = None) -> list[Path]:
    """Writes levels.csv and report.txt, and with `placed` (the modules of `placed_levels`) nested.rir (the
    largest level: every tile, with its weights) and level<k>.rir for the smaller levels (weights elided:
    they read prefixes of the same constants). Returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = level_rows(run, accuracies)
    files = {"levels.csv": levels_csv(rows), "report.txt": report_text(run, rows)}
    if placed:
        files["nested.rir"] = print_module(placed[-1])
        files.update({f"level{k}.rir": print_module(m, elide_resources=True) for k, m in enumerate(placed[:-1])})
    for name, text in files.items():
        write_text_atomic(out_dir / name, text)
    return [out_dir / name for name in files]
