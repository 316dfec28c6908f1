"""report.html: one self-contained page (inline SVG, no network) showing where every layer went."""
from __future__ import annotations

import colorsys
import html
import json

from jinja2 import Environment, PackageLoader, select_autoescape

from rnc.dialects.xbar import module_array, module_layers
from rnc.hw.target import DEFAULT_TARGET

CELL = 64  # pixels per crossbar square in the map


def _colour(i: int) -> str:
    r, g, b = colorsys.hsv_to_rgb((i * 0.61803398875) % 1.0, 0.55, 0.92)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


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


def timeline(run) -> dict:
    """One sample's pass through the pipeline: each layer's stage, on the crossbars it uses."""
    bars, start = [], 0.0
    for l in run.mapping["layers"]:
        for x in l["crossbars"]:
            bars.append({"xbar": x, "start": start, "dur": l["stage_ns"], "layer": l["layer"],
                         "fill": _colour(l["layer"])})
        start += l["stage_ns"]
    return {"bars": bars, "total": start or 1.0}


def bars(values: dict[str, float], width: float = 420.0, limit: int = 24) -> list[dict]:
    """Horizontal bars for a breakdown chart, largest first: label, value, share of the total, bar width; past
    `limit` bars the rest are summed into one ("N others")."""
    ranked = sorted(values.items(), key=lambda kv: -kv[1])
    if len(ranked) > limit:
        rest = ranked[limit - 1:]
        ranked = ranked[:limit - 1] + [(f"{len(rest)} others", sum(v for _, v in rest))]
    values = dict(ranked)
    total = sum(values.values()) or 1.0
    top = max(values.values(), default=0.0) or 1.0
    return [{"label": k, "value": v, "share": v / total, "w": max(width * v / top, 0.5), "fill": _colour(i)}
            for i, (k, v) in enumerate(values.items()) if v > 0]


def breakdown(run) -> dict | None:
    """Energy and area by component and latency by layer of the native run (None without one)."""
    if not run.isa:
        return None
    e = run.isa.energy
    energy = dict(e["component_pj"], leakage=e["leakage_pj"])
    return {"energy": bars(energy), "area": bars(e["component_area_mm2"]), "layers": bars(run.isa.per_layer_ns),
            "energy_total": e["energy_per_inference_pj"], "area_total": e["area_mm2"],
            "latency_total": run.isa.latency_one_ns}


def render(result, run, sweep: list | None = None) -> str:
    """report.html for `run` of a CompileResult, with a sweep plot of the runs in `sweep` when given."""
    env = Environment(loader=PackageLoader("rnc.driver", "templates"), autoescape=select_autoescape())
    env.filters["tojson"] = lambda v: json.dumps(v)
    sweep_rows = [result.summary(r) for r in (sweep or [])]
    return env.get_template("report.html.j2").render(
        s=result.summary(run), layers=run.mapping["layers"], xmap=crossbar_map(run.placed),
        tl=timeline(run), sweep=sweep_rows, colour=_colour, esc=html.escape, bd=breakdown(run))
