"""`xbar-report`: what went where — per-layer tiles, copies, crossbars and time; totals and utilization."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import module_array, module_layers
from rnc.ir.location import NameLoc
from rnc.ir.pass_manager import ModulePass, PassContext, register_pass
from rnc.passes.xbar.cost import layer_stage_ns, layer_tiles_mvm_ns


def placement_report(module) -> dict[str, Any]:
    """Every figure of the crossbar mapping, with units in the key names."""
    target = module_target(module)
    array = module_array(module)
    layers = []
    total_area = 0
    for layer in module_layers(module):
        tiles = layer.tiles
        cols_per_weight = layer.cols_per_weight
        area = sum(h * w for h, w in (t.footprint(cols_per_weight) for t in tiles))
        total_area += area
        tiles_ns = layer_tiles_mvm_ns(target, layer)
        one = layer_stage_ns(target, layer, 1, tiles_ns)
        now = layer_stage_ns(target, layer, tiles_ns=tiles_ns)
        max_cycles = layer.max_tile_cycles()
        layers.append({
            "layer": layer.layer, "kind": layer.kind,
            "name": layer.location.name if isinstance(layer.location, NameLoc) else f"layer{layer.layer}",
            "rows": layer.rows, "cols": layer.cols, "cycles": layer.cycles,
            "tiles": sum(1 for t in tiles if t.replica == 0), "copies": layer.copies,
            "area_cells": area,
            "crossbars": sorted({t.xbar for t in tiles if t.is_placed}),
            "mvm_ns": max((ns for _, ns in tiles_ns), default=0.0),
            "mvms_one_copy": max_cycles, "mvms": -(-max_cycles // layer.copies),
            "stage_ns_one_copy": one, "stage_ns": now,
        })
    xbar_area = target.xbar_area
    used = array.count if array is not None else None
    budget = target.budget if array is None or array.budget is None else array.budget
    before = max((l["stage_ns_one_copy"] for l in layers), default=0.0)
    after = max((l["stage_ns"] for l in layers), default=0.0)
    for l in layers:
        l["latency_share"] = l["stage_ns"] / sum(x["stage_ns"] for x in layers) if layers else 0.0
    return {
        "layers": layers,
        "totals": {
            "layers": len(layers),
            "tiles": sum(l["tiles"] * l["copies"] for l in layers),
            "tiles_one_copy": sum(l["tiles"] for l in layers),
            "area_cells": total_area,
            "area_lower_bound_xbars": math.ceil(total_area / xbar_area) if layers else 0,
            "xbars_used": used, "xbar_budget": budget,
            "utilization_of_used": total_area / (used * xbar_area) if used else None,
            "utilization_of_budget": total_area / (budget * xbar_area) if budget else None,
            "bottleneck_ns_before": before, "bottleneck_ns_after": after,
            "bottleneck_mvms_before": max((l["mvms_one_copy"] for l in layers), default=0),
            "bottleneck_mvms_after": max((l["mvms"] for l in layers), default=0),
            "bottleneck_reduction": before / after if after else 1.0,
        },
    }


def format_report(report: dict[str, Any]) -> str:
    t = report["totals"]
    lines = [f"{'layer':>5} {'name':<28} {'kind':<9} {'matrix':>11} {'tiles':>5} {'copies':>6} "
             f"{'MVMs':>7} {'stage us':>9}  crossbars"]
    for l in report["layers"]:
        xb = l["crossbars"]
        xbars = ",".join(map(str, xb[:8])) + (f",... ({len(xb)})" if len(xb) > 8 else "")
        lines.append(f"{l['layer']:>5} {l['name'][:28]:<28} {l['kind']:<9} {l['rows']:>5}x{l['cols']:<5} "
                     f"{l['tiles']:>5} {l['copies']:>6} {l['mvms']:>7} {l['stage_ns'] / 1e3:>9.2f}  {xbars}")

    def pct(x):
        return "-" if x is None else f"{100 * x:.1f}%"
    lines += [
        f"tiles: {t['tiles']} ({t['tiles_one_copy']} before replication), area {t['area_cells']:,} cells, "
        f"area lower bound {t['area_lower_bound_xbars']} crossbars",
        f"crossbars used: {t['xbars_used'] if t['xbars_used'] is not None else '(not placed)'}"
        f" of budget {t['xbar_budget'] if t['xbar_budget'] else '-'}; utilization {pct(t['utilization_of_used'])}"
        f" of used, {pct(t['utilization_of_budget'])} of budget",
        f"bottleneck: {t['bottleneck_mvms_before']} -> {t['bottleneck_mvms_after']} MVMs, "
        f"{t['bottleneck_ns_before'] / 1e3:.2f} -> {t['bottleneck_ns_after'] / 1e3:.2f} us "
        f"({t['bottleneck_reduction']:.2f}x)",
    ]
    return "\n".join(lines)


@register_pass
@dataclass
class XbarReport(ModulePass):
    """Prints the crossbar mapping: per layer tiles, copies, crossbars, MVMs and stage time; totals (tiles,
    crossbars used, area lower bound, utilization of used crossbars and of the budget, bottleneck before and
    after replication). `format=json` prints the same figures as JSON. Leaves the IR unchanged."""

    name = "xbar-report"
    format: Literal["text", "json"] = "text"

    def apply(self, module, ctx: PassContext) -> None:
        report = placement_report(module)
        text = json.dumps(report, indent=2) if self.format == "json" else format_report(report)
        ctx.out.write(text + "\n")
