"""Builtin types: tensors, integers, floats, index, none, functions, and dialect types (`!dialect.name<...>`).

Types are immutable and hashable; `str(t)` is their textual form, which the parser reads back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # numpy is imported where dtypes are needed: rnc-opt starts faster without it
    import numpy as np


class Type:
    """Base of every type."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class IntegerType(Type):
    """`i32`, `si8`, `ui8`: an integer of `width` bits; signedness '' (signless), 's' or 'u'."""

    width: int
    signedness: str = ""

    def __str__(self) -> str:
        return f"{self.signedness}i{self.width}"

    @property
    def numpy_dtype(self) -> np.dtype:
        import numpy as np
        if self.width == 1:
            return np.dtype(np.bool_)
        if self.width > 64:
            raise ValueError(f"{self} has no numpy dtype (widest is 64 bits)")
        unsigned = self.signedness == "u"
        return np.dtype(f"{'u' if unsigned else ''}int{max(8, 1 << (self.width - 1).bit_length())}")


@dataclass(frozen=True, slots=True)
class FloatType(Type):
    """`f16`, `bf16`, `f32`, `f64`."""

    name: str

    def __str__(self) -> str:
        return self.name

    @property
    def width(self) -> int:
        return int(self.name.lstrip("bf"))

    @property
    def numpy_dtype(self) -> np.dtype:
        import numpy as np
        if self.name == "bf16":
            return np.dtype(np.float32)  # numpy has no bfloat16; widen on the host
        return np.dtype(f"float{self.width}")


@dataclass(frozen=True, slots=True)
class IndexType(Type):
    def __str__(self) -> str:
        return "index"

    @property
    def numpy_dtype(self) -> np.dtype:
        import numpy as np
        return np.dtype(np.int64)


@dataclass(frozen=True, slots=True)
class NoneType(Type):
    def __str__(self) -> str:
        return "none"


@dataclass(frozen=True, slots=True)
class TensorType(Type):
    """`tensor<1x3x64x64xf32>`; a dynamic dimension is None (printed `?`)."""

    shape: tuple[int | None, ...]
    element_type: Type

    def __str__(self) -> str:
        dims = "".join(("?" if d is None else str(d)) + "x" for d in self.shape)
        return f"tensor<{dims}{self.element_type}>"

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def has_static_shape(self) -> bool:
        return all(d is not None for d in self.shape)

    @property
    def num_elements(self) -> int:
        """The number of elements, or -1 if a dimension is dynamic."""
        if not self.has_static_shape:
            return -1
        n = 1
        for d in self.shape:
            n *= d  # type: ignore[operator]
        return n

    @property
    def numpy_dtype(self) -> np.dtype:
        dtype = getattr(self.element_type, "numpy_dtype", None)
        if dtype is None:
            raise ValueError(f"{self} has no numpy dtype")
        return dtype


@dataclass(frozen=True, slots=True)
class FunctionType(Type):
    """`(tensor<2xf32>, i32) -> tensor<2xf32>`."""

    inputs: tuple[Type, ...]
    results: tuple[Type, ...]

    def __str__(self) -> str:
        ins = ", ".join(map(str, self.inputs))
        if len(self.results) == 1 and not isinstance(self.results[0], FunctionType):
            outs = str(self.results[0])
        else:
            outs = "(" + ", ".join(map(str, self.results)) + ")"
        return f"({ins}) -> {outs}"


class DialectType(Type):
    """Base of registered dialect types, printed `!dialect.mnemonic<body>`.

    Subclasses set `dialect_name` and `mnemonic` and implement `parse_body(body)` and `body()`.
    """

    dialect_name: ClassVar[str] = ""
    mnemonic: ClassVar[str] = ""

    @classmethod
    def parse_body(cls, body: str | None) -> "DialectType":
        raise NotImplementedError

    def body(self) -> str | None:
        return None

    def __str__(self) -> str:
        body = self.body()
        return f"!{self.dialect_name}.{self.mnemonic}" + (f"<{body}>" if body is not None else "")


@dataclass(frozen=True, slots=True)
class OpaqueType(Type):
    """A type of an unregistered dialect, kept verbatim so it round-trips."""

    dialect: str
    mnemonic: str
    body_text: str | None

    def __str__(self) -> str:
        return f"!{self.dialect}.{self.mnemonic}" + (f"<{self.body_text}>" if self.body_text is not None else "")


# Shared instances of the common types.
f16, bf16, f32, f64 = FloatType("f16"), FloatType("bf16"), FloatType("f32"), FloatType("f64")
i1, i8, i16, i32, i64 = (IntegerType(w) for w in (1, 8, 16, 32, 64))
index = IndexType()
none = NoneType()

_FLOATS = {"f16": f16, "bf16": bf16, "f32": f32, "f64": f64}
_INT_RE = re.compile(r"([su]?)i([0-9]+)$")
# MLIR's limit on integer widths.
MAX_INTEGER_WIDTH = (1 << 24) - 1
_DTYPE_TO_TYPE = {"float16": f16, "float32": f32, "float64": f64, "int8": i8, "int16": i16, "int32": i32,
                  "int64": i64, "bool": i1, "uint8": IntegerType(8, "u")}


@lru_cache(maxsize=None)
def scalar_type(text: str) -> Type:
    """The builtin scalar type spelled `text` (`f32`, `i64`, `ui8`, `index`, `none`)."""
    if text in _FLOATS:
        return _FLOATS[text]
    if text == "index":
        return index
    if text == "none":
        return none
    m = _INT_RE.match(text)
    if not m or not 0 < int(m.group(2)) <= MAX_INTEGER_WIDTH:
        raise ValueError(f"unknown scalar type '{text}'" if not m else
                         f"integer width must be between 1 and {MAX_INTEGER_WIDTH}, got '{text}'")
    return IntegerType(int(m.group(2)), m.group(1))


@lru_cache(maxsize=4096)
def tensor_type_from_text(text: str) -> TensorType:
    """Parses `tensor<1x3x?xf32>` (the lexer hands whole tensor types over as one token)."""
    parts = text[len("tensor<"):-1].split("x")
    shape: list[int | None] = []
    for i, part in enumerate(parts):  # dimensions up to the first part that is not one ('index' has an x)
        if part == "?":
            shape.append(None)
        elif part.isdigit():
            shape.append(int(part))
        else:
            return TensorType(tuple(shape), scalar_type("x".join(parts[i:])))
    raise ValueError(f"tensor type '{text}' has no element type")


def type_for_dtype(dtype: np.dtype) -> Type:
    """The rnc element type of a numpy dtype."""
    import numpy as np
    try:
        return _DTYPE_TO_TYPE[np.dtype(dtype).name]
    except KeyError:
        raise ValueError(f"no rnc element type for numpy dtype {dtype}") from None


def tensor(shape, element_type: Type = f32) -> TensorType:
    """Convenience constructor: `tensor((1, 3, 64, 64))`."""
    return TensorType(tuple(int(d) if d is not None else None for d in shape), element_type)
