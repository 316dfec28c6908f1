"""Builtin attributes: compile-time constants attached to operations.

Every attribute is immutable; `str(a)` is its textual form. Large tensors are `DenseResourceAttr`s whose
bytes live in a `ResourceBlob` printed in the trailing `{-# dialect_resources: ... #-}` section.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .types import TensorType, Type, f64, i64, type_for_dtype


class Attribute:
    """Base of every attribute."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class IntegerAttr(Attribute):
    """`4 : i64`; an integer attribute always carries its type (default i64)."""

    value: int
    type: Type = i64

    def __str__(self) -> str:
        return f"{self.value} : {self.type}"


@dataclass(frozen=True, slots=True)
class FloatAttr(Attribute):
    """`0.5 : f32`."""

    value: float
    type: Type = f64

    def __str__(self) -> str:
        return f"{format_float(self.value)} : {self.type}"


@dataclass(frozen=True, slots=True)
class BoolAttr(Attribute):
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(frozen=True, slots=True)
class StringAttr(Attribute):
    value: str

    def __str__(self) -> str:
        return quote(self.value)


@dataclass(frozen=True, slots=True)
class UnitAttr(Attribute):
    """An attribute whose presence is the information (`{ceil_mode}`)."""

    def __str__(self) -> str:
        return "unit"


@dataclass(frozen=True, slots=True)
class TypeAttr(Attribute):
    value: Type

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class SymbolRefAttr(Attribute):
    """`@main`: a reference to a symbol (an op with a `sym_name`)."""

    value: str

    def __str__(self) -> str:
        return "@" + (self.value if _is_bare(self.value) else quote(self.value))


@dataclass(frozen=True, slots=True)
class ArrayAttr(Attribute):
    """`[1, 2, 3]`, elements being attributes (integers print without their default i64 type)."""

    value: tuple[Attribute, ...]

    def __str__(self) -> str:
        return "[" + ", ".join(_short(a) for a in self.value) + "]"

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self):
        return iter(self.value)

    def ints(self) -> tuple[int, ...]:
        """The elements as Python ints (they must be IntegerAttrs)."""
        return tuple(a.value for a in self.value)  # type: ignore[attr-defined]

    def floats(self) -> tuple[float, ...]:
        return tuple(float(a.value) for a in self.value)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class DictAttr(Attribute):
    """`{a = 1, b = "x"}`; printed with keys sorted, so output is deterministic."""

    value: tuple[tuple[str, Attribute], ...]

    @staticmethod
    def of(mapping: dict[str, Attribute]) -> "DictAttr":
        return DictAttr(tuple(sorted(mapping.items())))

    def get(self, key: str, default=None):
        for k, v in self.value:
            if k == key:
                return v
        return default

    def as_dict(self) -> dict[str, Attribute]:
        return dict(self.value)

    def __str__(self) -> str:
        return "{" + ", ".join(format_entry(k, v) for k, v in self.value) + "}"


@dataclass(frozen=True, eq=False)
class DenseAttr(Attribute):
    """`dense<[1.0, 2.0]> : tensor<2xf32>`: a small tensor stored inline (a splat prints one value)."""

    array: np.ndarray
    type: TensorType

    def __post_init__(self) -> None:
        self.array.setflags(write=False)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, DenseAttr) and self.type == other.type
                and np.array_equal(self.array, other.array))

    def __hash__(self) -> int:
        return hash((self.type, self.array.tobytes()))

    def __str__(self) -> str:
        flat = self.array.reshape(-1)
        if flat.size > 0 and np.all(flat == flat[0]) and self.array.ndim > 0:
            body = _scalar_text(flat[0])
        else:
            body = _nested_text(self.array)
        return f"dense<{body}> : {self.type}"


class ResourceBlob:
    """The bytes behind a `dense_resource<name>`; shared by every attribute that names it."""

    __slots__ = ("name", "data", "first_use")

    ELIDED = "__elided__"

    def __init__(self, name: str, data: bytes | None = None) -> None:
        self.name = name
        self.data = data  # None until the resource section is read, or when elided
        self.first_use = None  # where the parser first saw it, for "not defined" diagnostics

    def __repr__(self) -> str:
        size = "?" if self.data is None else len(self.data)
        return f"ResourceBlob({self.name!r}, {size} bytes)"


@dataclass(frozen=True, slots=True)
class DenseResourceAttr(Attribute):
    """`dense_resource<conv1_weight> : tensor<16x3x3x3xf32>`."""

    blob: ResourceBlob
    type: TensorType

    @property
    def name(self) -> str:
        return self.blob.name

    @property
    def is_elided(self) -> bool:
        return self.blob.data is None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DenseResourceAttr) and other.blob is self.blob and other.type == self.type

    def __hash__(self) -> int:
        return hash((id(self.blob), self.type))

    def __str__(self) -> str:
        return f"dense_resource<{self.blob.name}> : {self.type}"

    def to_numpy(self) -> np.ndarray:
        """The tensor's values (read-only view over the blob)."""
        if self.blob.data is None:
            raise ValueError(f"resource '{self.blob.name}' has no data (elided or missing from the file)")
        arr = np.frombuffer(self.blob.data, dtype=self.type.numpy_dtype)
        return arr.reshape(self.type.shape)


class DialectAttr(Attribute):
    """Base of registered dialect attributes, printed `#dialect.mnemonic<body>`."""

    dialect_name: ClassVar[str] = ""
    mnemonic: ClassVar[str] = ""

    @classmethod
    def parse_body(cls, body: str | None) -> "DialectAttr":
        raise NotImplementedError

    def body(self) -> str | None:
        return None

    def __str__(self) -> str:
        body = self.body()
        return f"#{self.dialect_name}.{self.mnemonic}" + (f"<{body}>" if body is not None else "")


@dataclass(frozen=True, slots=True)
class OpaqueAttr(Attribute):
    """An attribute of an unregistered dialect, kept verbatim."""

    dialect: str
    mnemonic: str
    body_text: str | None

    def __str__(self) -> str:
        return f"#{self.dialect}.{self.mnemonic}" + (f"<{self.body_text}>" if self.body_text is not None else "")


# ---- helpers -------------------------------------------------------------------------------------------

def quote(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def unquote(s: str) -> str:
    """Inverse of `quote` for a token including its quotes."""
    body = s[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in escapes:
                out.append(escapes[nxt])
                i += 2
                continue
            if i + 2 < len(body) and all(ch in "0123456789abcdefABCDEF" for ch in body[i + 1:i + 3]):
                out.append(chr(int(body[i + 1:i + 3], 16)))
                i += 3
                continue
        out.append(c)
        i += 1
    return "".join(out)


# Words the grammar reserves; attribute keys spelled like them are printed quoted.
KEYWORDS = frozenset({"loc", "unknown", "unit", "dense", "true", "false"})


def _is_bare(s: str) -> bool:
    return (bool(s) and (s[0].isalpha() or s[0] == "_") and all(c.isalnum() or c in "_$." for c in s)
            and s not in KEYWORDS)


def format_entry(key: str, value: Attribute) -> str:
    k = key if _is_bare(key) else quote(key)
    return k if isinstance(value, UnitAttr) else f"{k} = {value}"


def format_float(v: float) -> str:
    if math.isnan(v):
        return "0x7FC00000"  # MLIR spells non-finite floats as hex bit patterns
    if math.isinf(v):
        return "0x7F800000" if v > 0 else "0xFF800000"
    text = repr(float(v))
    return text if ("." in text or "e" in text) else text + ".0"


def _short(a: Attribute) -> str:
    if isinstance(a, IntegerAttr) and a.type == i64:
        return str(a.value)
    if isinstance(a, FloatAttr) and a.type == f64:
        return format_float(a.value)
    return str(a)


def _scalar_text(x) -> str:
    if isinstance(x, (np.bool_, bool)):
        return "true" if x else "false"
    if isinstance(x, (np.floating, float)):
        return format_float(float(x))
    return str(int(x))


def _nested_text(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return _scalar_text(arr.item() if arr.dtype.kind != "f" else arr.astype(np.float64).item())
    return "[" + ", ".join(_nested_text(sub) for sub in arr) + "]"


def to_attr(value: Any) -> Attribute:
    """Converts a Python value to an attribute (int -> i64, float -> f64, list -> array, ...)."""
    if isinstance(value, Attribute):
        return value
    if isinstance(value, bool):
        return BoolAttr(value)
    if isinstance(value, (int, np.integer)):
        return IntegerAttr(int(value), i64)
    if isinstance(value, (float, np.floating)):
        return FloatAttr(float(value), f64)
    if isinstance(value, str):
        return StringAttr(value)
    if isinstance(value, (list, tuple)):
        return ArrayAttr(tuple(to_attr(v) for v in value))
    if isinstance(value, dict):
        return DictAttr.of({k: to_attr(v) for k, v in value.items()})
    if isinstance(value, Type):
        return TypeAttr(value)
    if isinstance(value, np.ndarray):
        return dense(value)
    raise TypeError(f"cannot make an attribute from {type(value).__name__}")


def dense(array: np.ndarray, element_type: Type | None = None) -> DenseAttr:
    array = np.ascontiguousarray(array)
    elem = element_type or type_for_dtype(array.dtype)
    return DenseAttr(array, TensorType(tuple(array.shape), elem))
