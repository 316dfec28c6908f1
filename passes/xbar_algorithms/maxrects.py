"""One crossbar's free space as maximal empty rectangles (MaxRects), plus its packing constraints.

Rectangles are (row, col, rows, cols) tuples. After a placement every free rectangle it overlaps is cut
into up to four maximal pieces and rectangles contained in others are dropped, so the free list always
covers exactly the empty cells with maximal rectangles.
"""
from __future__ import annotations

Rect = tuple[int, int, int, int]


def _split(free: Rect, used: Rect) -> list[Rect]:
    """The maximal pieces of `free` outside `used` (which overlaps it)."""
    fr, fc, fh, fw = free
    ur, uc, uh, uw = used
    pieces = []
    if ur > fr:
        pieces.append((fr, fc, ur - fr, fw))
    if ur + uh < fr + fh:
        pieces.append((ur + uh, fc, fr + fh - ur - uh, fw))
    if uc > fc:
        pieces.append((fr, fc, fh, uc - fc))
    if uc + uw < fc + fw:
        pieces.append((fr, uc + uw, fh, fc + fw - uc - uw))
    return pieces


class MaxRectsBin:
    """A crossbar being filled: free rectangles, tile count, layer positions present, free area."""

    __slots__ = ("free", "count", "layers", "free_area", "misfits")

    def __init__(self, rows: int, cols: int):
        self.free: list[Rect] = [(0, 0, rows, cols)]
        self.count = 0
        self.layers: list[int] = []
        self.free_area = rows * cols
        # Shapes no free rectangle holds. Free space only shrinks, so they never fit again; packers try
        # many copies of one shape against the same crossbars.
        self.misfits: set[tuple[int, int]] = set()

    def clone(self) -> "MaxRectsBin":
        twin = MaxRectsBin.__new__(MaxRectsBin)
        twin.free = list(self.free)
        twin.count = self.count
        twin.layers = list(self.layers)
        twin.free_area = self.free_area
        twin.misfits = set(self.misfits)
        return twin

    def admits(self, layer: int, area: int, distance: int | None, cap: int | None) -> bool:
        """Whether the constraints (not yet the geometry) allow one more tile of `layer`."""
        if area > self.free_area or (cap is not None and self.count >= cap):
            return False
        return distance is None or not self.conflicts(layer, distance)

    def conflicts(self, layer: int, distance: int) -> bool:
        """Whether a tile of a layer within `distance` positions of `layer` is already here."""
        low, high = layer - distance, layer + distance
        for other in self.layers:
            if low <= other <= high:
                return True
        return False

    def best_short_side_fit(self, rows: int, cols: int) -> tuple[tuple[int, int], Rect] | None:
        """The free rectangle leaving the shortest leftover side (ties: the longer side), or None."""
        if (rows, cols) in self.misfits:
            return None
        best = None
        best_short = best_long = 0
        for rect in self.free:
            left_rows = rect[2] - rows
            left_cols = rect[3] - cols
            if left_rows < 0 or left_cols < 0:
                continue
            if left_rows < left_cols:
                short, long = left_rows, left_cols
            else:
                short, long = left_cols, left_rows
            if best is None or short < best_short or (short == best_short and long < best_long):
                best, best_short, best_long = rect, short, long
        if best is None:
            self.misfits.add((rows, cols))
            return None
        return (best_short, best_long), best

    def bottom_left(self, rows: int, cols: int) -> tuple[tuple[int, int], Rect] | None:
        """The free rectangle whose corner is lowest, then leftmost (top-left in crossbar terms)."""
        best = None
        best_score = None
        for rect in self.free:
            if rect[2] < rows or rect[3] < cols:
                continue
            score = (rect[0] + rows, rect[1])
            if best_score is None or score < best_score:
                best_score, best = score, rect
        return None if best is None else (best_score, best)

    def place(self, layer: int, row: int, col: int, rows: int, cols: int) -> int:
        """Occupy the rectangle; returns the free rectangles examined (the work done, see `work`)."""
        used = (row, col, rows, cols)
        kept: list[Rect] = []
        pieces: list[Rect] = []
        for rect in self.free:
            if (rect[0] < row + rows and row < rect[0] + rect[2] and rect[1] < col + cols
                    and col < rect[1] + rect[3]):
                pieces.extend(_split(rect, used))
            else:
                kept.append(rect)
        # Only the new pieces can be redundant: a kept rectangle was maximal before and still is. A piece
        # goes when another rectangle contains it (of equal pieces, the first stays).
        candidates = kept + pieces
        merged = list(kept)
        for index, piece in enumerate(pieces):
            me = len(kept) + index
            top, left, height, width = piece
            bottom, right = top + height, left + width
            for position, other in enumerate(candidates):
                if (position != me and other[0] <= top and other[1] <= left and bottom <= other[0] + other[2]
                        and right <= other[1] + other[3] and (other != piece or position < me)):
                    break
            else:
                merged.append(piece)
        examined = len(self.free) + len(pieces) * len(candidates) + 8
        self.free = merged
        self.count += 1
        self.layers.append(layer)
        self.free_area -= rows * cols
        return examined
