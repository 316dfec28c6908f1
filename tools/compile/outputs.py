"""The files `rnc compile` writes: IR, program.isa, trace.json, report.json, the reference-compatible
partition.json and pack.csv.

Every file is written whole or not at all (rnc.tools.atomic: write a temporary file, then rename).
partition.json / pack.csv follow the reference RNC tool's content (one entry per layer box with its
rows, cols, cycles and tiles; one row per placed tile with crossbar and offsets) so its users can diff.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from rnc.dialects.xbar import module_layers
from rnc.ir.printer import print_module
from rnc.tools.atomic import write_text_atomic


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


def partition_json(module) -> str:
    layers = []
    for layer in module_layers(module):
        layers.append({"layer": layer.layer_index, "kind": layer.kind_name, "h": layer.rows.value,
                       "w": layer.cols.value, "cycles": layer.cycles.value, "multiply": layer.copy_count,
                       "tiles": [{"replica": t.replica.value, "row_begin": t.row_range[0], "row_end": t.row_range[1],
                                  "col_begin": t.col_range[0], "col_end": t.col_range[1], "cycles": t.cycles.value}
                                 for t in layer.tiles]})
    return json.dumps({"layers": layers}, indent=1)


def pack_csv(module) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["xbar", "layer", "replica", "tile", "x", "y", "w", "h", "cycles"])
    for layer in module_layers(module):
        for i, t in enumerate(layer.tiles):
            if t.is_placed:
                x, r, c = t.placement
                h, wd = t.footprint()
                w.writerow([x, layer.layer_index, t.replica.value, i, c, r, wd, h, t.cycles.value])
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
