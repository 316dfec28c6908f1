"""The files `rnc compile` writes: IR, program.isa, trace.json, report.json, the reference-compatible
partition.json and pack.csv (and report.html, sweep.json).

The folder is written whole or not at all (rnc.driver.atomic.write_folder_atomic: the files go into a hidden
sibling folder that then takes the output folder's place in one rename), so a crash or kill leaves the previous
output folder or the new one, never a mix.
partition.json and pack.csv have the fields and meaning of the files the reference RNC tool writes
(its `InputLayerBoxSpace.save_to_json` and packing log), so its users can diff the two tools' results.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rnc.dialects.xbar import module_layers
from rnc.ir.printer import print_module
from rnc.driver.atomic import write_folder_atomic

# Every file write_outputs may write: a folder holding only these is replaced as a whole.
OUTPUT_FILES = frozenset({"model.rir", "placed.rir", "report.json", "partition.json", "pack.csv", "program.isa",
                          "trace.json", "report.html", "sweep.json", "intermittent.json"})
# What `--emit` can ask for: each name -> the files it adds. The reports hold no weights; model.rir (the
# canonicalized module), placed.rir (the placed program) and program.isa each hold a full copy of them.
EMIT_FILES = {"report": frozenset({"report.json", "report.html", "partition.json", "pack.csv", "trace.json",
                                   "sweep.json"}),
              "placed": frozenset({"placed.rir"}),
              "rir": frozenset({"model.rir", "placed.rir"}),
              "isa": frozenset({"program.isa"})}
EMIT_CHOICES = (*EMIT_FILES, "all")


def default_emit(result) -> frozenset[str]:
    """The reports and the compiled program once: program.isa when it was lowered, else placed.rir."""
    return frozenset({"report", "isa" if result.last.isa is not None else "placed"})


def parse_emit(text: str) -> frozenset[str]:
    """'report,rir' -> {'report', 'rir'} ('all': everything); ValueError names a bad item."""
    items = {s.strip() for s in text.split(",")}
    bad = sorted(items - set(EMIT_CHOICES))
    if bad:
        raise ValueError(f"--emit expects a comma list of {', '.join(EMIT_CHOICES)}, got '{bad[0]}'")
    return frozenset(EMIT_FILES) if "all" in items else frozenset(items | {"report"})


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
            copies.setdefault(t.replica, []).append(_reference_box(h, w, t.cycles, layer.layer))
        child_boxes = [copies[r] for r in sorted(copies)]
        layers.append({"idx": f"{REFERENCE_CLASS[layer.kind]}_{layer.layer}",
                       "multiply": layer.copies,
                       "box_raw": _reference_box(layer.rows, layer.cols, layer.cycles,
                                                 layer.layer),
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
                w.writerow([layer.layer, xbar, row, col, row + h, col + wd])
    return out.getvalue()


def output_files(result, emit: frozenset[str] | None = None) -> dict[str, str]:
    """The files of `rnc compile` for a CompileResult (name -> text): the reports of its last run (and
    sweep.json when it has several), and the IR and program `emit` asks for (default: `default_emit`).
    Raises ValueError when a figure is NaN or infinite."""
    from rnc.driver.report_html import render
    result.check_figures()   # nothing is written when a figure is NaN or infinite
    run = result.last
    sweep = len(result.runs) > 1
    emit = default_emit(result) if emit is None else emit
    files = {
        "report.json": result.to_json(run),
        "partition.json": partition_json(run.placed),
        "pack.csv": pack_csv(run.placed),
    }
    if run.isa is not None:
        files["trace.json"] = json.dumps({"traceEvents": run.isa.trace_events, "displayTimeUnit": "ns"})
    files["report.html"] = render(result, run, result.runs if sweep else None)
    if sweep:
        files["sweep.json"] = json.dumps(result.sweep(), indent=2)
    wanted = frozenset().union(*(EMIT_FILES[e] for e in emit))
    if "model.rir" in wanted:
        files["model.rir"] = print_module(result.model)
    if "placed.rir" in wanted:
        files["placed.rir"] = print_module(run.placed)
    if "program.isa" in wanted and run.isa is not None:
        files["program.isa"] = run.isa.isa_text
    return files


def write_outputs(out_dir: Path, result, emit: frozenset[str] | None = None) -> None:
    """Writes the files of `rnc compile` for a CompileResult into `out_dir` (created if missing), whole or
    not at all; `emit` as for `output_files`."""
    write_folder_atomic(out_dir, output_files(result, emit), OUTPUT_FILES)
