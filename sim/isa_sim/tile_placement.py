"""Which tile each crossbar of an `isa.program` sits in (docs/timing.md section 1, "Placement on the chip").

Two placements, over the same tiles (ceil(crossbars / crossbars per tile), so area and leakage do not depend
on the choice):

- `"index"`: crossbar x in tile x // crossbars per tile (crossbars fill tiles in index order).
- `"layers"` (default): stage by stage in program order, the crossbars a stage uses that have no tile yet
  go together to the nearest tile (in mesh hops) that holds all of them, counted from the stage's *anchor*:
  the tile holding most of its placed crossbars, else its first dependency's home tile. Where no tile holds
  them all, they fill the anchor and then the nearest tiles; a layer so sits near the layer feeding it.
  Crossbars no MVM uses fill what is left. The compiler packs several layers' blocks onto one crossbar, so
  that first pass leaves layers spread; then crossbars move, one at a time to a tile with room, while a move
  lowers the bytes multicast to extra tiles: the sum over stages of (tiles its crossbars sit in - 1) x the
  bytes of its inputs (each tile a layer sits in receives its input vector, docs/timing.md).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from rnc.dialects.isa import ProgramOp, SendOp

PLACEMENTS = ("layers", "index")


def place_crossbars(program: ProgramOp, per_tile: int, tiles: int, hops: Callable[[int, int], int],
                    placement: str = "layers") -> list[int]:
    """The tile of every crossbar 0 .. program.xbars - 1 (`hops(a, b)`: routers between tiles a and b)."""
    if placement not in PLACEMENTS:
        raise ValueError(f"unknown placement {placement!r} (expected {' or '.join(PLACEMENTS)})")
    if placement == "index":
        return [x // per_tile for x in range(program.xbars)]
    tile_of: dict[int, int] = {}
    free = [per_tile] * tiles
    home: list[int] = []
    for stage in program.stages:
        xbars = list(dict.fromkeys(m.xbar for m in stage.mvms))
        placed = Counter(tile_of[x] for x in xbars if x in tile_of)
        if placed:
            anchor = min(placed, key=lambda t: (-placed[t], t))
        else:
            anchor = home[stage.deps[0]] if stage.deps else 0
        todo = [x for x in xbars if x not in tile_of]
        for x, t in zip(todo, _slots(anchor, len(todo), free, hops)):
            tile_of[x] = t
            free[t] -= 1
        home.append(tile_of[xbars[0]] if xbars else anchor)
    rest = (t for t in range(tiles) for _ in range(free[t]))
    order = [tile_of[x] if x in tile_of else next(rest) for x in range(program.xbars)]
    return _refine(program, order, per_tile)


REFINE_PASSES = 4   # passes over the crossbars; on the built-in models moves stop after two or three


def _refine(program: ProgramOp, tile_of: list[int], per_tile: int) -> list[int]:
    """Move crossbars to tiles with room while a move lowers the multicast bytes (module docstring)."""
    sent = {i: sum(op.bytes for op in s.instructions if isinstance(op, SendOp)) for i, s in enumerate(program.stages)}
    weight, stages_of = [], defaultdict(list)        # per weight stage: its input bytes; per crossbar: its stages
    count: list[Counter] = []                         # per weight stage: its crossbars in each tile
    for stage in program.stages:
        xbars = set(m.xbar for m in stage.mvms)
        if not xbars:
            continue
        for x in xbars:
            stages_of[x].append(len(weight))
        weight.append(sum(sent[d] for d in stage.deps) or 1)
        count.append(Counter(tile_of[x] for x in xbars))
    used = Counter(tile_of)
    tiles = range(max(tile_of, default=0) + 1)
    for _ in range(REFINE_PASSES):
        moved = False
        for x in sorted(stages_of):
            a = tile_of[x]
            # Gain of moving x from a to b: stages leaving a save a tile, stages new to b add one.
            leave = sum(weight[k] for k in stages_of[x] if count[k][a] == 1)
            best, gain = a, 0
            for b in tiles:
                if b == a or used[b] >= per_tile:
                    continue
                g = leave - sum(weight[k] for k in stages_of[x] if count[k][b] == 0)
                if g > gain:
                    best, gain = b, g
            if best != a:
                for k in stages_of[x]:
                    count[k][a] -= 1
                    count[k][best] += 1
                used[a] -= 1
                used[best] += 1
                tile_of[x] = best
                moved = True
        if not moved:
            break
    return tile_of


def _slots(anchor: int, n: int, free: list[int], hops: Callable[[int, int], int]) -> list[int]:
    """Tiles for `n` crossbars: one tile near `anchor` holding all n, else the anchor's room and then the
    nearest tiles'."""
    if n == 0:
        return []
    nearest = sorted(range(len(free)), key=lambda t: (hops(anchor, t), t != anchor, t))
    whole = next((t for t in nearest if free[t] >= n), None)
    if whole is not None:
        return [whole] * n
    out: list[int] = []
    for t in nearest:
        out += [t] * min(free[t], n - len(out))
        if len(out) == n:
            break
    return out
