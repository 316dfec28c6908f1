"""The one reader of the reference's tables and figures (`data/`, see data/README.md), for benches and tests.

The layer tables list `layer,module,rows,cols,cycles` but do not say which convs are depthwise. A conv row
is taken as depthwise when its rows are an odd square kernel (k*k, odd k >= 3) and it is fed by the conv
just before it (the expansion conv): same `cols` (channels) and `cycles` = channels * Hout*Wout, with
Hout*Wout the feeding conv's cycles at stride 1 or a quarter of them at stride 2. On the three tables this
marks exactly the rows `<model>.timing.csv` calls `d` (mbv3_small's eleven depthwise convs, nothing in
squeezenet or resnet18). A rule on `rows` alone would not do: a 3x3 conv with one input channel also has 9
rows.

Tiling the layers is `tiling.partition` / `tiling.depthwise_split`, the reference's layout.
"""
from __future__ import annotations

import csv
from math import isqrt
from pathlib import Path

from rnc.passes.xbar_algorithms.tiling import LayerMatrix

REFERENCE_DATA = Path(__file__).with_name("data")
DEPTHWISE_STRIDES = (1, 2)  # mbv3_small's depthwise convs have stride 1 or 2 (its bottlenecks, rnc.frontends.zoo)


def reference_table(name: str) -> list[dict[str, str]]:
    """The rows of `data/<name>.csv` as dicts of strings, in file order (e.g. "min_count", "resnet18.timing")."""
    path = REFERENCE_DATA / f"{name}.csv"
    if not path.is_file():
        known = sorted(p.name.removesuffix(".csv") for p in REFERENCE_DATA.glob("*.csv"))
        raise ValueError(f"no reference table {name!r}; known: {', '.join(known)}")
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def reference_tile_totals() -> dict[tuple[str, int], tuple[int, int]]:
    """(model, depthwise split) -> (tiles, sum of tile areas) of the reference's tiling (`min_count.csv`)."""
    return {(row["model"], int(row["depthwise_split"])): (int(row["tiles"]), int(row["tile_area"]))
            for row in reference_table("min_count")}


def _odd_square_kernel(rows: int) -> bool:
    """True when `rows` = k*k for an odd k >= 3 (the rows of a depthwise conv's matrix)."""
    kernel = isqrt(rows)
    return kernel >= 3 and kernel % 2 == 1 and kernel * kernel == rows


def _is_depthwise(row: dict[str, str], previous: dict[str, str] | None) -> bool:
    if row["module"] != "Conv2d" or previous is None or not _odd_square_kernel(int(row["rows"])):
        return False
    cols, cycles = int(row["cols"]), int(row["cycles"])
    if int(previous["cols"]) != cols:
        return False
    return any(cycles * stride * stride == cols * int(previous["cycles"]) for stride in DEPTHWISE_STRIDES)


def reference_layers(model: str) -> list[LayerMatrix]:
    """The layers of `data/<model>.layers.csv` in execution order, depthwise ones marked."""
    table = reference_table(f"{model}.layers")
    return [LayerMatrix(layer=int(row["layer"]), rows=int(row["rows"]), cols=int(row["cols"]),
                        cycles=int(row["cycles"]), depthwise=_is_depthwise(row, table[i - 1] if i else None),
                        linear=row["module"] == "Linear")
            for i, row in enumerate(table)]
