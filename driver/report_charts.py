"""The figures of report.html as plain data the template draws: axis ticks with units, the timeline (one
row per layer), breakdown bars and the stacked share bar. Pixel geometry lives here, markup in the template."""
from __future__ import annotations

import colorsys
import math

# Time units an axis may use: (name, nanoseconds in one).
TIME_UNITS = (("ns", 1.0), ("us", 1e3), ("ms", 1e6), ("s", 1e9))
TIMELINE_WIDTH = 900       # pixels of the time axis
TIMELINE_LABEL = 230       # pixels for the layer names left of it
TIMELINE_ROW = 11          # pixels per layer row
STACK_WIDTH = 700          # pixels of a stacked share bar
STACK_LABEL_SHARE = 0.06   # segments at least this share of the total are labelled inside the bar


def colour(i: int) -> str:
    """A distinct colour for index `i` (golden-ratio hue steps)."""
    r, g, b = colorsys.hsv_to_rgb((i * 0.61803398875) % 1.0, 0.55, 0.92)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def time_unit(ns: float) -> tuple[str, float]:
    """The largest unit in which `ns` is at least 1 (ns for anything smaller)."""
    name, scale = TIME_UNITS[0]
    for n, s in TIME_UNITS:
        if ns >= s:
            name, scale = n, s
    return name, scale


def nice_ticks(hi: float, count: int = 6) -> list[float]:
    """About `count` round values 0, step, 2 step, ... up to `hi` (step 1, 2 or 5 x a power of ten)."""
    if hi <= 0 or not math.isfinite(hi):
        return [0.0]
    raw = hi / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(hi / step + 1e-9) + 1)]


def time_ticks(total_ns: float, width: float) -> list[dict]:
    """Ticks of a time axis of `width` pixels from 0 to `total_ns`: pixel x and a label with its unit."""
    unit, scale = time_unit(total_ns)
    ticks = nice_ticks(total_ns / scale)
    return [{"x": width * t * scale / total_ns if total_ns else 0.0, "label": f"{t:g} {unit}"} for t in ticks]


def timeline(layers: list[dict]) -> dict:
    """One sample through the pipeline, one row per weight layer: its stage as a bar from when the previous
    layer's stage ends (the mapping's per-layer stage times), labelled with the layer and its crossbars."""
    rows, start = [], 0.0
    for i, l in enumerate(layers):
        xbars = l["crossbars"]
        rows.append({"y": i * TIMELINE_ROW, "start": start, "dur": l["stage_ns"], "layer": l["layer"],
                     "label": f"{l['layer']}: {_short(l['name'])}", "name": l["name"],
                     "xbars": len(xbars), "fill": colour(l["layer"])})
        start += l["stage_ns"]
    total = start or 1.0
    for r in rows:
        r["x"] = TIMELINE_WIDTH * r["start"] / total
        r["w"] = max(TIMELINE_WIDTH * r["dur"] / total, 0.5)
    height = len(rows) * TIMELINE_ROW
    return {"rows": rows, "total": total, "ticks": time_ticks(total, TIMELINE_WIDTH), "width": TIMELINE_WIDTH,
            "label_width": TIMELINE_LABEL, "height": height, "row": TIMELINE_ROW, "unit": time_unit(total)[0]}


def _short(name: str, keep: int = 34) -> str:
    """A layer's ONNX name without its leading '/' and trailing '/Conv', cut from the left to `keep`."""
    name = name.strip("/")
    for tail in ("/Conv", "/Gemm", "/MatMul"):
        if name.endswith(tail):
            name = name[:-len(tail)]
    return name if len(name) <= keep else "…" + name[-(keep - 1):]


def bars(values: dict[str, float], width: float = 420.0, limit: int = 12) -> list[dict]:
    """Horizontal bars for a breakdown chart, largest first: label, value, share of the total, bar width; past
    `limit` bars the rest are summed into one ("N others")."""
    ranked = sorted(values.items(), key=lambda kv: -kv[1])
    if len(ranked) > limit:
        rest = ranked[limit - 1:]
        ranked = ranked[:limit - 1] + [(f"{len(rest)} others", sum(v for _, v in rest))]
    values = dict(ranked)
    total = sum(values.values()) or 1.0
    top = max(values.values(), default=0.0) or 1.0
    return [{"label": k, "value": v, "share": v / total, "w": max(width * v / top, 0.5), "fill": colour(i)}
            for i, (k, v) in enumerate(values.items()) if v > 0]


def stacked(items: list[dict], width: float = STACK_WIDTH) -> list[dict]:
    """The bars of `bars()` as segments of one bar `width` pixels long (x, w, and whether to label it)."""
    x, out = 0.0, []
    for b in items:
        w = width * b["share"]
        out.append(dict(b, x=x, sw=w, labelled=b["share"] >= STACK_LABEL_SHARE))
        x += w
    return out
