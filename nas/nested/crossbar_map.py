"""nested_map.svg: the nested placement as an offline SVG, every tile coloured by the level that adds it.

One square per crossbar of the largest level, sixteen to a row; a tile is a rectangle at its offset, in
its level's colour (darkest for the smallest level, which every larger level also runs). A crossbar's
label says from which level on it is powered: below that level it is gated.
"""
from __future__ import annotations

import colorsys
from html import escape

from rnc.passes.xbar_algorithms.nested.levels import NestedSolution

CELL = 64          # pixels per crossbar square
GAP = 6            # pixels between squares
PER_ROW = 16       # crossbars per row of the map
LEGEND = 22        # pixels of the legend strip above the map


def level_colour(k: int, levels: int) -> str:
    """Level k of `levels` on one hue, dark (small levels) to light (large ones)."""
    light = 0.35 + 0.45 * (k / max(levels - 1, 1))
    r, g, b = colorsys.hls_to_rgb(0.58, light, 0.65)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def nested_map_svg(solution: NestedSolution) -> str:
    """The SVG text of the map (no scripts, no external resources)."""
    network, levels = solution.network, solution.levels
    count = levels[-1].xbars if levels else 0
    rows, cols = network.xbar_rows, network.xbar_cols
    width = PER_ROW * (CELL + GAP)
    height = LEGEND + max(1, (count + PER_ROW - 1) // PER_ROW) * (CELL + GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="10">']
    for k, level in enumerate(levels):
        x = k * 120
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{level_colour(k, len(levels))}"/>'
                     f'<text x="{x + 16}" y="14">level {k} ({escape(level.budget.label)}): {level.xbars}</text>')
    first_level = {}
    for k, level in enumerate(levels):
        for x in range(levels[k - 1].xbars if k else 0, level.xbars):
            first_level[x] = k
    for x in range(count):
        ox, oy = (x % PER_ROW) * (CELL + GAP), LEGEND + (x // PER_ROW) * (CELL + GAP)
        parts.append(f'<rect x="{ox}" y="{oy}" width="{CELL}" height="{CELL}" fill="#f4f4f4" stroke="#999">'
                     f'<title>crossbar {x}: on from level {first_level.get(x, 0)}</title></rect>')
    for k, level in enumerate(levels):
        by_key = {(t.layer, t.index): t for t in level.tiles}
        for key, p in sorted(level.placements.items()):
            tile = by_key[key]
            ox, oy = (p.xbar % PER_ROW) * (CELL + GAP), LEGEND + (p.xbar // PER_ROW) * (CELL + GAP)
            name = network.layers[tile.layer].name
            parts.append(f'<rect x="{ox + p.col0 * CELL / cols:.2f}" y="{oy + p.row0 * CELL / rows:.2f}" '
                         f'width="{tile.width * CELL / cols:.2f}" height="{tile.height * CELL / rows:.2f}" '
                         f'fill="{level_colour(k, len(levels))}" stroke="#fff" stroke-width="0.3">'
                         f'<title>level {k}: {escape(name)} rows {tile.row_begin}-{tile.row_end} cols '
                         f'{tile.col_begin}-{tile.col_end} on crossbar {p.xbar}</title></rect>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
