"""Reading the reference's layer tables (`<model>.layers.csv`), for benches and tests.

The tables list `layer,module,rows,cols,cycles` but do not say which convs are depthwise. A conv row is
taken as depthwise when its rows are an odd square kernel (k*k, k >= 3) and it directly follows the
expansion conv that feeds it: same `cols` (channels) and `cycles` = channels * Hout*Wout with Hout*Wout
the expansion conv's cycles at stride 1 or a quarter of them at stride 2. On the three tables this marks
exactly mbv3_small's eleven depthwise convs (2, 7, 13, 18, 24, 29, 34, 40, 45, 51, 56) and nothing in
squeezenet or resnet18. A rule on `rows` alone would not do: a 3x3 conv with one input channel also has
9 rows.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

from rnc.passes.xbar_algorithms.tiling import LayerMatrix

DEPTHWISE_KERNELS = (3, 5, 7, 9, 11)
STRIDES = (1, 2)


def default_shared_dir() -> Path:
    """The reference folder: $RNC_SHARED/reference, else <checkout>/../shared/reference."""
    override = os.environ.get("RNC_SHARED")
    if override:
        return Path(override) / "reference"
    return Path(__file__).resolve().parents[3] / "shared" / "reference"


def _is_depthwise(row: dict, previous: dict | None) -> bool:
    rows, cols, cycles = int(row["rows"]), int(row["cols"]), int(row["cycles"])
    if row["module"] != "Conv2d" or previous is None:
        return False
    if rows not in {k * k for k in DEPTHWISE_KERNELS} or int(previous["cols"]) != cols:
        return False
    feeding_positions = int(previous["cycles"])
    return any(cycles == cols * feeding_positions // (stride * stride) for stride in STRIDES)


def reference_layers(model_name: str, shared_dir: str | Path | None = None) -> list[LayerMatrix]:
    """The layers of `<shared_dir>/<model_name>.layers.csv` in execution order, depthwise ones marked."""
    folder = Path(shared_dir) if shared_dir is not None else default_shared_dir()
    with open(folder / f"{model_name}.layers.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    layers = []
    for position, row in enumerate(table):
        previous = table[position - 1] if position else None
        layers.append(LayerMatrix(layer=int(row["layer"]), rows=int(row["rows"]), cols=int(row["cols"]),
                                  cycles=int(row["cycles"]), depthwise=_is_depthwise(row, previous),
                                  linear=row["module"] == "Linear"))
    return layers
