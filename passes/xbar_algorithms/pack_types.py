"""The vocabulary shared by the packers: items, options, results and the infeasibility error.

Names say what they hold, as on `xbar.tile` ops: an item's `height` x `width` is its size in cells; a
`Placement` is a position (crossbar, `row0`, `col0` of its top-left cell), the same type `TileOp.placement`
returns.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import asdict, dataclass, field
from rnc.dialects.xbar import Placement
from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.hw.target import DEFAULT_TARGET
from rnc.passes.xbar_algorithms.tiling import Tile

STRATEGIES = ("rnc", "maxrects", "skyline", "best")
DEFAULT_EFFORT = 500_000   # probes: 0.15 to 0.35 s of CPU on the reference models (2-core machine, 2026)


@dataclass(frozen=True)
class PackItem:
    """A rectangle to place: `height` word lines by `width` bit lines, never rotated.

    `layer` is the layer's position in execution order; the conflict rule compares these positions.
    """

    id: Hashable
    layer: int
    height: int
    width: int

    @property
    def area(self) -> int:
        return self.height * self.width


@dataclass(frozen=True)
class PackOptions:
    """How to pack. `conflict_distance` d forbids two tiles on one crossbar when their layers' positions
    differ by at most d (d = 0: tiles of one layer never share a crossbar, d = 1: the reference's rule,
    which also keeps neighbouring layers apart); None turns the rule off. `max_tiles_per_xbar` caps the
    tiles on one crossbar (the reference: 6); None or 0 turns it off.

    `effort` bounds the search in probes (see `work.WorkBudget`), so the same items, options and seed give
    the same packing on any machine; the first constructive pass always runs, so 0 means that pass only.
    `time_limit_s` is only a safety cap on top (None: none); a packing that hits it depends on the machine.
    """

    conflict_distance: int | None = None
    max_tiles_per_xbar: int | None = None
    strategy: str = "best"
    seed: int = 0
    effort: int = DEFAULT_EFFORT
    time_limit_s: float | None = None
    xbar_rows: int = DEFAULT_TARGET.xbar_rows
    xbar_cols: int = DEFAULT_TARGET.xbar_cols

    def __post_init__(self):
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown packing strategy {self.strategy!r}; expected one of {STRATEGIES}")
        if self.conflict_distance is not None and self.conflict_distance < 0:
            raise ValueError("conflict_distance must be >= 0 or None")
        if self.effort < 0:
            raise ValueError("effort must be >= 0")

    @property
    def tile_cap(self) -> int | None:
        """The tiles-per-crossbar cap, None when off."""
        return self.max_tiles_per_xbar or None


REFERENCE_CONSTRAINTS = PackOptions(**asdict(REFERENCE_PACKING))
"""The reference's packing rules (`rnc.hw.packing_rules.REFERENCE_PACKING`) on the default crossbar."""


@dataclass
class PackResult:
    """A valid packing. `placements[id]` = (xbar, row0, col0); crossbars are numbered
    0 .. xbars_used-1."""

    placements: dict[Hashable, Placement]
    xbars_used: int
    strategy: str
    lower_bound: int = 0
    stats: dict = field(default_factory=dict)


class PackingInfeasible(Exception):
    """No packing into `asked` crossbars was found; `best_found` is the fewest crossbars reached (None if
    nothing was tried) and `lower_bound` a proven minimum."""

    def __init__(self, lower_bound: int, asked: int, best_found: int | None):
        self.lower_bound = lower_bound
        self.asked = asked
        self.best_found = best_found
        proof = " (below the lower bound)" if asked < lower_bound else ""
        super().__init__(f"cannot pack into {asked} crossbars{proof}: lower bound {lower_bound}, "
                         f"best found {best_found}")


def split_full(items: Iterable[PackItem], options: PackOptions) -> tuple[list[PackItem], list[PackItem]]:
    """(crossbar-sized items, the others): the first fill a crossbar each, alone."""
    full, rest = [], []
    for item in items:
        (full if (item.height, item.width) == (options.xbar_rows, options.xbar_cols) else rest).append(item)
    return full, rest


def tile_item(tile: Tile, replica: int) -> PackItem:
    """The pack item of copy `replica` of `tile`, keyed (layer, replica, index)."""
    return PackItem((tile.layer, replica, tile.index), tile.layer, tile.height, tile.width)


def items_from_tiles(tiles: Iterable[Tile]) -> list[PackItem]:
    """Pack items for tiles, keyed by (layer, replica, index)."""
    return [tile_item(tile, tile.replica) for tile in tiles]
