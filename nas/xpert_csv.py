"""XPert's `NetWork_custom.csv`: one row per conv layer of a VGG-space design, read and written.

The twelve columns, as XPert's NeuroSim fork reads them (`XPertSim_Tool/NeuroSIM/main.cpp`, `ela_calc`):
input feature rows and columns (padding included: 34 for a 32-pixel map under a 3x3 kernel), input channels,
kernel rows and columns, output channels, pooling after the layer (0/1), stride, columns per ADC (its
`numColMuxed`), ADC type (1 flash, anything else SAR: `SARADC = type != 1`), input precision in bits
(`numBitInput`) and the ADC's `levelOutput`.

`levelOutput` is a level count, not bits (peripherals.md): XPert's shipped file passes 5 or 6 there, meaning
bits. `write_rows` writes levels (2^bits), what NeuroSim reads; `read_rows` takes `adc_column="levels"` (the
default, what it writes) or `"bits"` (XPert's own files). XPert evaluates each layer alone, on a two-row file
whose second row is a filler (its shipped file alternates layer and filler rows): a file of twice 13 rows is
read as such, every other row.
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from rnc.nas import peripherals as periph
from rnc.nas import vgg
from rnc.nas.spaces import VggSpace

COLUMNS = 12
ADC_TYPE_CODES = {"flash": 1, "sar": 2}   # XPert: 1 = flash (multi-level sense amp), else SAR


class XpertCsvError(ValueError):
    """A file that is not a VGG-space design in XPert's format: one line naming the row."""


def write_rows(genes, image_size: int = vgg.IMAGE_SIZE) -> list[list[int]]:
    """The CSV rows of a vgg16 design with peripheral genes (the classifier's periphery is not in XPert's
    format: it has no row)."""
    space = VggSpace(peripherals=True)
    network, peripheral = space.split(genes)
    groups = periph.decode(peripheral)
    channels = vgg.channels_of(network)
    rows, in_c = [], 3
    for i, (size, out_c) in enumerate(zip(vgg.feature_sizes(image_size), channels)):
        g = groups[i]
        rows.append([size + 2 * (vgg.KERNEL // 2), size + 2 * (vgg.KERNEL // 2), in_c, vgg.KERNEL, vgg.KERNEL,
                     out_c, int(i in vgg.POOL_AFTER), vgg.STRIDE, g["cols_per_adc"], ADC_TYPE_CODES[g["adc_type"]],
                     g["input_bits"], 2 ** g["adc_bits"]])
        in_c = out_c
    return rows


def write_csv_text(genes, image_size: int = vgg.IMAGE_SIZE) -> str:
    return "".join(", ".join(str(v) for v in row) + "\n" for row in write_rows(genes, image_size))


def write_file(path: str | Path, genes, image_size: int = vgg.IMAGE_SIZE) -> None:
    from rnc.driver.atomic import write_text_atomic
    write_text_atomic(path, write_csv_text(genes, image_size))


def read_text(text: str, adc_column: str = "levels", classifier: dict | None = None,
              where: str = "NetWork_custom.csv") -> tuple[int, ...]:
    """The vgg16 genes (with peripheral genes) of a file's text. The classifier, which has no row, gets
    `classifier`'s periphery (default XPert's baseline, an 8-bit SAR ADC per column and 8-bit inputs)."""
    if adc_column not in ("levels", "bits"):
        raise ValueError(f"adc_column is 'levels' or 'bits', got {adc_column!r}")
    rows = _rows(text, where)
    if len(rows) == 2 * vgg.LAYERS:
        rows = rows[::2]                       # XPert's layer + filler pairs
    if len(rows) != vgg.LAYERS:
        raise XpertCsvError(f"{where}: {len(rows)} layer rows, a VGG-space design has {vgg.LAYERS} "
                            f"(or {2 * vgg.LAYERS} with XPert's filler rows)")
    network, peripheral, in_c = [], [], 3
    for n, row in enumerate(rows, 1):
        _, _, cin, kh, kw, cout, _, stride, cols, adc_type, input_bits, adc = row
        if (kh, kw, stride) != (vgg.KERNEL, vgg.KERNEL, vgg.STRIDE):
            raise XpertCsvError(f"{where}: layer {n} has a {kh}x{kw} kernel, stride {stride}; the VGG space has "
                                f"{vgg.KERNEL}x{vgg.KERNEL}, stride {vgg.STRIDE}")
        if cin != in_c:
            raise XpertCsvError(f"{where}: layer {n} has {cin} input channels, the layer before gives {in_c}")
        if cout not in vgg.CHANNELS:
            raise XpertCsvError(f"{where}: layer {n} has {cout} output channels, not one of "
                                f"{', '.join(map(str, vgg.CHANNELS))}")
        try:
            peripheral += periph.genes_of({"adc_type": "flash" if adc_type == 1 else "sar",
                                           "adc_bits": _adc_bits(adc, adc_column), "cols_per_adc": cols,
                                           "input_bits": input_bits})
        except ValueError as e:
            raise XpertCsvError(f"{where}: layer {n}: {e}") from None
        network.append(vgg.CHANNELS.index(cout))
        in_c = cout
    peripheral += periph.genes_of(classifier or periph.BASELINE)
    return VggSpace(peripherals=True).check(network + peripheral)


def read_file(path: str | Path, adc_column: str = "levels") -> tuple[int, ...]:
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise XpertCsvError(f"cannot read '{path}': {getattr(e, 'strerror', None) or e}") from None
    return read_text(text, adc_column, where=str(path))


def _rows(text: str, where: str) -> list[list[int]]:
    rows = []
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != COLUMNS:
            raise XpertCsvError(f"{where}: row {n} has {len(row)} columns, XPert's format has {COLUMNS}")
        try:
            rows.append([int(float(v)) for v in row])
        except ValueError:
            raise XpertCsvError(f"{where}: row {n} holds a value that is not a number") from None
    return rows


def _adc_bits(value: int, column: str) -> int:
    if column == "bits":
        return value
    bits = round(math.log2(value)) if value > 0 else -1
    if bits < 0 or 2 ** bits != value:
        raise XpertCsvError(f"ADC levels {value} is not a power of two (an XPert file that gives bits there "
                            f"needs --adc-column bits)")
    return bits
