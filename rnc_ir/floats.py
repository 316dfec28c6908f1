"""Floating-point values at the precision of their type (f16, bf16, f32, f64) and their shortest spelling.

A `0.1 : f32` attribute holds the f32 nearest to 0.1 and prints as `0.1`, not as the f64 digits of that f32,
so text round-trips exactly and stays readable. Non-finite values print as MLIR does, as the hexadecimal bit
pattern of the type (`0x7FC00000 : f32`). Only `struct` is needed: no numpy at start-up.
"""
from __future__ import annotations

import math
import struct

# Bits of each float type and the struct format that converts it (bf16 goes through f32).
WIDTHS = {"f16": 16, "bf16": 16, "f32": 32, "f64": 64}


def round_to(value: float, type_name: str) -> float:
    """`value` rounded to the nearest `type_name` value; ValueError if it is finite but out of range."""
    if type_name == "f64" or not math.isfinite(value):
        return float(value)
    try:
        if type_name == "f32":
            return struct.unpack("<f", struct.pack("<f", value))[0]
        if type_name == "f16":
            return struct.unpack("<e", struct.pack("<e", value))[0]
        if type_name == "bf16":
            rounded = from_bits(to_bits(value, "bf16"), "bf16")
            if math.isinf(rounded):
                raise OverflowError
            return rounded
    except OverflowError:
        raise ValueError(f"float constant {value!r} is out of range for {type_name}") from None
    raise ValueError(f"unknown float type '{type_name}'")


def to_bits(value: float, type_name: str) -> int:
    """The IEEE bit pattern of `value` in `type_name` (round to nearest even)."""
    if type_name == "f64":
        return struct.unpack("<Q", struct.pack("<d", value))[0]
    if type_name == "f16":
        return struct.unpack("<H", struct.pack("<e", value))[0]
    bits32 = struct.unpack("<I", struct.pack("<f", value))[0]
    if type_name == "f32":
        return bits32
    if math.isnan(value):
        return 0x7FC0
    return ((bits32 + 0x7FFF + ((bits32 >> 16) & 1)) >> 16) & 0xFFFF


def from_bits(bits: int, type_name: str) -> float:
    """The value whose `type_name` bit pattern is `bits` (ValueError if `bits` does not fit the type)."""
    width = WIDTHS[type_name]
    if bits < 0 or bits >> width:
        raise ValueError(f"hexadecimal float literal 0x{bits:X} does not fit in {type_name}")
    if type_name == "f64":
        return struct.unpack("<d", struct.pack("<Q", bits))[0]
    if type_name == "f16":
        return struct.unpack("<e", struct.pack("<H", bits))[0]
    if type_name == "bf16":
        bits <<= 16
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def format_float(value: float, type_name: str = "f64") -> str:
    """The shortest decimal that reads back as `value` in `type_name`, always with a '.' (`1.0`, `2.5e-07`);
    non-finite values as the type's hexadecimal bit pattern."""
    if not math.isfinite(value):
        return f"0x{to_bits(value, type_name):0{WIDTHS[type_name] // 4}X}"
    if type_name == "f64":
        text = repr(float(value))
    else:
        text = repr(float(value))
        for digits in range(1, 18):
            candidate = f"{value:.{digits}g}"
            try:
                if round_to(float(candidate), type_name) == value:
                    text = candidate
                    break
            except ValueError:  # rounded up past the largest finite value (3.403e+38 for f32)
                continue
    return with_point(text)


def with_point(text: str) -> str:
    """`1` -> `1.0`, `1e-05` -> `1.0e-05`: a float literal the lexer cannot take for an integer."""
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent
