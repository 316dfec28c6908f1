"""The files `rnc compile` writes: IR, program.isa, trace.json, report.json, the reference-compatible
partition.json and pack.csv.

Every file is written whole or not at all (rnc.driver.atomic: write a temporary file, then rename).
partition.json and pack.csv have the fields and meaning of the files the reference RNC tool writes
(its `InputLayerBoxSpace.save_to_json` and packing log), so its users can diff the two tools' results.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from rnc.dialects.xbar import module_layers
from rnc.ir.printer import print_module
from rnc.driver.atomic import write_text_atomic


def summary(result, run) -> dict[str, Any]:
    t = run.report["totals"]
    return {
        "model": result.model_name, "budget_xbars": run.budget, "pipeline": run.pipeline,
        "xbars_used": t["xbars_used"], "tiles": t["tiles"], "area_lower_bound_xbars": t["area_lower_bound_xbars"],
        "utilization_of_used": t["utilization_of_used"], "utilization_of_budget": t["utilization_of_budget"],
        "bottleneck_reduction": t["bottleneck_reduction"],
        "latency_one_sample_ns": run.latency_one_ns, "latency_ns": run.latency_ns,
        "samples": result.baseline["samples"], "throughput_samples_per_s": result.baseline["samples"] / run.latency_ns * 1e9,
        "baseline_xbars": result.baseline["xbars"], "baseline_latency_ns": result.baseline["latency_ns"],
        "speedup_vs_isaac": run.speedup, "compile_seconds": run.seconds,
        "timing_model": "rnc (reference-compatible)",
        "isa": run.isa.to_dict() if run.isa else None,
    }


def summary_table(result) -> str:
    """The table `rnc compile` prints: one row per budget."""
    samples = result.baseline["samples"]
    simulated = any(r.isa for r in result.runs)
    head = (f"{'budget':>7} {'used':>5} {'bound':>5} {'util':>6} {'bottleneck':>10} {'latency(1) ms':>13} "
            f"{f'latency({samples}) ms':>13} {'speedup':>8}")
    lines = [head + (f" {'native':>8}  check" if simulated else "")]
    for r in result.runs:
        s = summary(result, r)
        line = (f"{str(r.budget or 'min'):>7} {s['xbars_used']:>5} {s['area_lower_bound_xbars']:>5} "
                f"{100 * s['utilization_of_used']:>5.1f}% {s['bottleneck_reduction']:>9.2f}x "
                f"{s['latency_one_sample_ns'] / 1e6:>13.3f} {s['latency_ns'] / 1e6:>13.3f} "
                f"{s['speedup_vs_isaac']:>7.2f}x")
        if r.isa:
            line += f" {r.isa.speedup:>7.2f}x  {'ok' if r.isa.check.passed else 'FAILED'}"
        lines.append(line)
    lines.append(f"ISAAC-like baseline: {result.baseline['xbars']} crossbars, "
                 f"{result.baseline['latency_ns'] / 1e6:.3f} ms for {samples} samples")
    if simulated:
        check = result.runs[-1].isa.check
        lines.append("speedup: reference-compatible timing; native: docs/timing.md model of the .isa program; "
                     f"check: {check.describe()}")
    return "\n".join(lines)


REFERENCE_CLASS = {"conv": "Conv2d", "depthwise": "Conv2d", "linear": "Linear", "matmul": "Linear"}


def _reference_box(rows: int, cols: int, cycles: int, layer: int) -> str:
    return f"LayerBox(h={rows}, w={cols}, cycle={cycles} @layer{layer})"


def partition_json(module) -> str:
    """The reference's partition.json: per weight layer its `idx` (torch class _ execution order), copy count
    `multiply`, the whole matrix `box_raw`, the tiles of one copy `boxes` and the tiles of every copy
    `child_boxes`, each box printed as the reference prints a LayerBox."""
    layers = []
    for layer in module_layers(module):
        copies: dict[int, list[str]] = {}
        for t in layer.tiles:
            h, w = t.footprint()
            copies.setdefault(t.replica.value, []).append(_reference_box(h, w, t.cycles.value, layer.layer_index))
        child_boxes = [copies[r] for r in sorted(copies)]
        layers.append({"idx": f"{REFERENCE_CLASS[layer.kind_name]}_{layer.layer_index}",
                       "multiply": layer.copy_count,
                       "box_raw": _reference_box(layer.rows.value, layer.cols.value, layer.cycles.value,
                                                 layer.layer_index),
                       "boxes": child_boxes[0] if child_boxes else [], "child_boxes": child_boxes})
    return json.dumps(layers, indent=4)


def pack_csv(module) -> str:
    """The reference's packing log: one row per placed tile. Its crossbar coordinates are (x, y) with x down
    the word lines (rows) and y along the bit lines (columns); max_* is the exclusive far corner."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["layer_idx", "crossbar_idx", "loc_x", "loc_y", "max_x", "max_y"])
    for layer in module_layers(module):
        for t in layer.tiles:
            if t.is_placed:
                xbar, row, col = t.placement
                h, wd = t.footprint()
                w.writerow([layer.layer_index, xbar, row, col, row + h, col + wd])
    return out.getvalue()


def write_outputs(out_dir: Path, result, run, html: str | None, extra: dict[str, str] | None = None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"summary": summary(result, run), "baseline": result.baseline, "mapping": run.report,
              "units": {"*_ns": "nanoseconds", "speedup_*": "ISAAC-like time / rnc time, same timing model", "utilization_*": "fraction of crossbar cells",
                        "area_*": "crossbar cells", "throughput_samples_per_s": "samples per second"}}
    files = {
        "model.rir": print_module(result.model),
        "placed.rir": print_module(run.placed),
        "report.json": json.dumps(report, indent=2),
        "partition.json": partition_json(run.placed),
        "pack.csv": pack_csv(run.placed),
    }
    if run.isa is not None:
        files["program.isa"] = run.isa.isa_text
        files["trace.json"] = json.dumps({"traceEvents": run.isa.trace_events, "displayTimeUnit": "ns"})
    if html is not None:
        files["report.html"] = html
    files.update(extra or {})
    for name, text in files.items():
        write_text_atomic(out_dir / name, text)
