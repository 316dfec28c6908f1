"""report.html: one self-contained page (inline SVG, no network) showing where every layer went."""
from __future__ import annotations

import html
import json

from jinja2 import Environment, PackageLoader, select_autoescape

from rnc.dialects.xbar import module_array, module_layers
from rnc.hw.target import DEFAULT_TARGET

from .report_charts import bars, colour as _colour, nice_ticks, stacked, timeline

CELL = 64  # pixels per crossbar square in the map


def crossbar_map(module) -> dict:
    """The SVG crossbar map: one square per crossbar, one rectangle per placed tile, coloured by layer."""
    array = module_array(module)
    count = array.count if array else 0
    rows, cols = (array.rows, array.cols) if array else (DEFAULT_TARGET.xbar_rows, DEFAULT_TARGET.xbar_cols)
    per_row = 16
    rects, used = [], [0] * count
    for layer in module_layers(module):
        for t in layer.tiles:
            if not t.is_placed:
                continue
            x, r, c = t.placement
            h, w = t.footprint()
            used[x] += h * w
            ox, oy = (x % per_row) * (CELL + 6), (x // per_row) * (CELL + 6)
            rects.append({"x": ox + c * CELL / cols, "y": oy + r * CELL / rows, "w": w * CELL / cols,
                          "h": h * CELL / rows, "fill": _colour(layer.layer),
                          "title": f"layer {layer.layer} ({layer.kind}) copy {t.replica}: "
                                   f"rows {list(t.rows)} cols {list(t.cols)} on crossbar {x}"})
    squares = [{"x": (i % per_row) * (CELL + 6), "y": (i // per_row) * (CELL + 6), "i": i,
                "util": used[i] / (rows * cols)} for i in range(count)]
    height = ((count + per_row - 1) // per_row) * (CELL + 6)
    return {"squares": squares, "rects": rects, "width": per_row * (CELL + 6), "height": max(height, CELL),
            "cell": CELL, "util": [round(u / (rows * cols), 4) for u in used]}


def breakdown(run) -> dict | None:
    """Energy and area by component and latency by layer of the native run (None without one)."""
    if not run.isa:
        return None
    e = run.isa.energy
    energy = dict(e["component_pj"], leakage=e["leakage_pj"])
    charts = {"energy": bars(energy), "area": bars(e["component_area_mm2"]), "layers": bars(run.isa.per_layer_ns)}
    return dict(charts, energy_stack=stacked(charts["energy"]), area_stack=stacked(charts["area"]),
                energy_total=e["energy_per_inference_pj"], area_total=e["area_mm2"],
                latency_total=run.isa.latency_one_ns)


def sweep_axis(rows: list[dict]) -> dict:
    """The sweep plot's speedup axis: its top and round ticks from 0."""
    top = max((r["speedup_vs_isaac"] for r in rows), default=1.0) or 1.0
    ticks = nice_ticks(top, 5)
    if ticks[-1] < top:
        ticks.append(2 * ticks[-1] - ticks[-2] if len(ticks) > 1 else top)
    return {"max": ticks[-1], "ticks": ticks}


def render(result, run, sweep: list | None = None) -> str:
    """report.html for `run` of a CompileResult, with a sweep plot of the runs in `sweep` when given."""
    env = Environment(loader=PackageLoader("rnc.driver", "templates"), autoescape=select_autoescape())
    env.filters["tojson"] = lambda v: json.dumps(v)
    sweep_rows = [result.summary(r) for r in (sweep or [])]
    return env.get_template("report.html.j2").render(
        s=result.summary(run), layers=run.mapping["layers"], xmap=crossbar_map(run.placed),
        tl=timeline(run.mapping["layers"]), sweep=sweep_rows, sweep_axis=sweep_axis(sweep_rows) if sweep_rows else None,
        colour=_colour, esc=html.escape, bd=breakdown(run))
