"""The arithmetic of a layer's crossbars: bit-serial inputs, bit-sliced weights, the sign scheme and the ADC.

docs/precision.md explains it with examples. In short, a crossbar computes y = x . w of int8 activations x
and int8 weights w (the program's quantization, rnc.backends.isa.quantize) as

    y = 2^(8-input_bits) 2^(8-weight_bits) sum_k sum_j 2^(dac_bits k) 2^(cell_bits j) ADC(S_kj) + correction

- x is narrowed to `input_bits` bits (rounded, when fewer than 8) and read `dac_bits` at a time:
  ceil(input_bits / dac_bits) reads, slices from the least significant; all slices are unsigned digits
  except the top one, which is signed (two's complement: the sign bit weighs -2^(input_bits-1)).
- w is narrowed to `weight_bits` bits and stored `cell_bits` per cell in ceil(weight_bits / cell_bits)
  columns: `offset` stores w + 2^(weight_bits-1) (unsigned) and subtracts 2^(weight_bits-1) sum(x) digitally;
  `differential` stores max(w, 0) and max(-w, 0) in two sets of columns and subtracts their results.
- S_kj is column j's analog sum over the tile's rows for read k; the ADC turns it into an integer
  (rnc.backends.isa.bit_true.adc_convert): exact when `adc_model` is "ideal" or its bits cover the largest possible sum, else rounded
  to a step of 2^shift and clipped to adc_bits of magnitude (`LayerPrecision.adc_shift`). The range is the
  worst case of the tile's geometry, or, with `adc_shifts` (target key adc_range = "calibrated"), the
  largest sum the calibration inputs produced (rnc.backends.isa.adc_calibration).

Plain data and formulas (no numpy): the simulator (rnc.sim.isa_sim.functional) and the bit-true oracle
(rnc.backends.isa.bit_true) read them, so both compute the same arithmetic, each its own way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

# The program's integers: int8 activations and weights in [-127, 127] (rnc.backends.isa.quantize).
PROGRAM_BITS = 8
ADC_MODELS = ("ideal", "quantized")
# How a quantized ADC's full scale is set: from the tile's geometry (the largest possible sum) or from the
# largest sums calibration inputs produce (`LayerPrecision.adc_shifts`, docs/precision.md).
ADC_RANGES = ("worst-case", "calibrated")
WEIGHT_SIGNS = ("offset", "differential")


@dataclass(frozen=True)
class LayerPrecision:
    """How one layer's crossbars compute: bit widths, DAC and cell slicing, sign scheme and ADC.

    `Target.layer_precision(overrides)` builds it from the target and the layer's peripheral attributes.
    """

    input_bits: int = 8            # activation bits the DACs apply (the int8 input narrowed or sign-extended)
    dac_bits: int = 1              # bits applied per read
    weight_bits: int = 8           # weight bits stored (the int8 weight narrowed or sign-extended)
    cell_bits: int = 8             # bits a cell stores
    adc_bits: int = 8              # ADC resolution (codes of magnitude)
    adc_model: str = "ideal"       # "ideal": every column sum exact; "quantized": adc_bits limit it
    weight_sign: str = "offset"    # "offset" or "differential"
    # One ADC shift per input read, calibrated on data (adc_range = "calibrated"); empty: the worst case.
    adc_shifts: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for key in ("input_bits", "dac_bits", "weight_bits", "cell_bits", "adc_bits"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{key} must be a positive integer, got {value!r}")
        shifts = self.adc_shifts
        if not isinstance(shifts, tuple) or any(isinstance(t, bool) or not isinstance(t, int) or t < 0
                                                for t in shifts):
            raise ValueError(f"adc_shifts must be a tuple of non-negative integers, got {shifts!r}")
        if shifts and len(shifts) != self.input_slices:
            raise ValueError(f"adc_shifts must hold one shift per input read ({self.input_slices}), "
                             f"got {len(shifts)}")
        if self.adc_model not in ADC_MODELS:
            raise ValueError(f"adc_model must be one of {', '.join(ADC_MODELS)}, got {self.adc_model!r}")
        if self.weight_sign not in WEIGHT_SIGNS:
            raise ValueError(f"weight_sign must be one of {', '.join(WEIGHT_SIGNS)}, got {self.weight_sign!r}")

    # ---- slicing ---------------------------------------------------------------------------------------
    @property
    def input_slices(self) -> int:
        """Reads per input vector: ceil(input_bits / dac_bits)."""
        return math.ceil(self.input_bits / self.dac_bits)

    def input_slice_bits(self, k: int) -> int:
        """Bits of input slice k (k = 0 least significant); the top slice may be narrower."""
        return min(self.dac_bits, self.input_bits - self.dac_bits * k)

    @property
    def cells_per_weight(self) -> int:
        """Cells (columns) of one weight's value: ceil(weight_bits / cell_bits)."""
        return math.ceil(self.weight_bits / self.cell_bits)

    @property
    def sign_columns(self) -> int:
        """Sets of columns per weight: 2 for differential pairs, 1 with an offset."""
        return 2 if self.weight_sign == "differential" else 1

    @property
    def cols_per_weight(self) -> int:
        """Bit lines one weight occupies."""
        return self.cells_per_weight * self.sign_columns

    @property
    def input_shift(self) -> int:
        """Bits dropped from the int8 activation (0 unless input_bits < 8); the result is shifted back."""
        return max(0, PROGRAM_BITS - self.input_bits)

    @property
    def weight_shift(self) -> int:
        """Bits dropped from the int8 weight (0 unless weight_bits < 8); the result is shifted back."""
        return max(0, PROGRAM_BITS - self.weight_bits)

    # ---- the ADC -----------------------------------------------------------------------------------------
    def read_max(self, rows: int, k: int) -> int:
        """The largest |column sum| read k of a tile with `rows` rows can produce: rows x the largest input
        digit magnitude (2^d - 1 unsigned; 2^(d-1) for the signed top slice) x the largest cell level."""
        bits = self.input_slice_bits(k)
        digit = 2 ** (bits - 1) if k == self.input_slices - 1 else 2 ** bits - 1
        return rows * digit * (2 ** self.cell_bits - 1)

    def range_shift(self, largest: int) -> int:
        """log2 of the smallest ADC step whose adc_bits of codes hold |sums| up to `largest`: the bits of
        `largest` beyond adc_bits (0 when they fit). A sum is then rounded, and clipped only at the top code."""
        return max(0, int(largest).bit_length() - self.adc_bits)

    def adc_shift(self, rows: int, k: int) -> int:
        """log2 of the ADC step for read k of a `rows`-row tile: 0 (exact) for an ideal ADC; else the step of
        the worst case `read_max` (`range_shift`), or the calibrated `adc_shifts[k]` when there are shifts,
        never coarser than the worst case's (whose step already holds every sum the tile can produce)."""
        if self.adc_model == "ideal":
            return 0
        worst = self.range_shift(self.read_max(rows, k))
        return min(self.adc_shifts[k], worst) if self.adc_shifts else worst

    def is_exact(self, rows: int) -> bool:
        """True when a `rows`-row tile computes x . w exactly (today's int8 arithmetic)."""
        return (self.input_shift == 0 and self.weight_shift == 0
                and all(self.adc_shift(rows, k) == 0 for k in range(self.input_slices)))

    @property
    def adc_max_code(self) -> int:
        """The largest magnitude code of the ADC."""
        return 2 ** self.adc_bits - 1

