"""Builtin attributes: compile-time constants attached to operations.

Every attribute is immutable; `str(a)` is its textual form. Large tensors are `DenseResourceAttr`s whose
bytes live in a `ResourceBlob` printed in the trailing `{-# dialect_resources: ... #-}` section.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from .floats import format_float as _format_typed_float, round_to, with_point as _with_point
from .types import FloatType, IndexType, IntegerType, TensorType, Type, f64, i64, type_for_dtype

if TYPE_CHECKING:
    import numpy as np


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
    """`0.5 : f32`; the value is held at the precision of its type (ValueError if out of its range)."""

    value: float
    type: Type = f64

    def __post_init__(self) -> None:
        if isinstance(self.type, FloatType) and self.type.name != "f64":
            object.__setattr__(self, "value", round_to(float(self.value), self.type.name))

    def __str__(self) -> str:
        return f"{format_float(self.value, self.type)} : {self.type}"


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
                and self.array.tobytes() == other.array.tobytes())

    def __hash__(self) -> int:
        return hash((self.type, self.array.tobytes()))

    def __str__(self) -> str:
        import numpy as np
        flat = self.array.reshape(-1)
        if flat.dtype.kind == "f" and not np.all(np.isfinite(flat)):
            # inf and nan have no decimal spelling: the raw little-endian bytes, as MLIR writes large tensors
            body = '"0x' + flat.astype(flat.dtype.newbyteorder("<")).tobytes().hex().upper() + '"'
        elif flat.size > 0 and self.array.ndim > 0 and flat.tobytes() == flat[:1].tobytes() * flat.size:
            body = _scalar_text(flat[0])
        else:
            body = _nested_text(self.array)
        return f"dense<{body}> : {self.type}"


# What `dense_resource<...>` accepts between its brackets (the grammar's DENSE_RESOURCE terminal).
RESOURCE_NAME = re.compile(r"[A-Za-z0-9_$.\-]+")


class ResourceBlob:
    """The bytes behind a `dense_resource<name>`; shared by every attribute that names it."""

    __slots__ = ("name", "data", "first_use")

    ELIDED = "__elided__"

    def __init__(self, name: str, data: bytes | None = None) -> None:
        if not RESOURCE_NAME.fullmatch(name):
            raise ValueError(f"resource name {name!r} may only use letters, digits and '_$.-'")
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
        import numpy as np
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

_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_ESCAPES = {"\n": "\\n", "\t": "\\t", '"': '\\"', "\\": "\\\\"}


def quote(s: str) -> str:
    """`s` as a string literal: quotes, backslashes and control characters escaped (`\\n`, `\\t`, `\\0D`)."""
    if _NEEDS_ESCAPE.search(s) is None:
        return f'"{s}"'
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0)) or f"\\{ord(m.group(0)):02X}", s) + '"'


_ESCAPE = re.compile(r"\\(?:([nt\"\\])|([0-9A-Fa-f]{2})|(.?))", re.S)
_UNESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unquote(s: str) -> str:
    """Inverse of `quote` for a token including its quotes; ValueError on an unknown escape (`\\q`)."""
    body = s[1:-1]
    if "\\" not in body:
        return body

    def one(m: re.Match) -> str:
        if m.group(1):
            return _UNESCAPES[m.group(1)]
        if m.group(2):
            return chr(int(m.group(2), 16))
        raise ValueError(f"unknown escape '\\{m.group(3)}' in string literal")
    return _ESCAPE.sub(one, body)


# Words the grammar reserves; attribute keys spelled like them are printed quoted.
KEYWORDS = frozenset({"loc", "unknown", "unit", "dense", "true", "false"})


_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*")


def is_bare_identifier(s: str) -> bool:
    """True if `s` can be written without quotes (an identifier that is not a keyword)."""
    return _BARE.fullmatch(s) is not None and s not in KEYWORDS


_is_bare = is_bare_identifier


def format_entry(key: str, value: Attribute) -> str:
    k = key if _is_bare(key) else quote(key)
    return k if isinstance(value, UnitAttr) else f"{k} = {value}"


def format_float(v: float, type: Type = f64) -> str:
    """`v` spelled for a float of `type`: shortest round-tripping decimal, or hex bits if not finite."""
    return _format_typed_float(v, type.name if isinstance(type, FloatType) else "f64")


def _short(a: Attribute) -> str:
    """An array element: i64 integers and finite f64 floats print without their type (`[1, 2.5]`)."""
    if isinstance(a, IntegerAttr) and a.type == i64:
        return str(a.value)
    if isinstance(a, FloatAttr) and a.type == f64 and a.value - a.value == 0:
        return format_float(a.value)
    return str(a)


def _scalar_text(x) -> str:
    """One element of a dense literal (a numpy scalar, finite)."""
    kind = getattr(x, "dtype", None)
    kind = kind.kind if kind is not None else ""
    if kind == "b" or isinstance(x, bool):
        return "true" if x else "false"
    if kind == "f":
        return _with_point(str(x))  # numpy prints the shortest repr at the array's own precision
    if isinstance(x, float):
        return format_float(x)
    return str(int(x))


def _nested_text(arr) -> str:
    if arr.ndim == 0:
        return _scalar_text(arr[()])
    return "[" + ", ".join(_nested_text(sub) for sub in arr) + "]"


def integer_in_range(value: int, type: Type) -> bool:
    """True if `value` fits an integer of `type` (signless iN accepts both the signed and unsigned range)."""
    if isinstance(type, IndexType):
        return -(1 << 63) <= value < (1 << 64)
    if not isinstance(type, IntegerType):
        return True
    w = type.width
    if type.signedness == "u":
        return 0 <= value < (1 << w)
    if type.signedness == "s":
        return -(1 << (w - 1)) <= value < (1 << (w - 1))
    return -(1 << (w - 1)) <= value < (1 << w) if w > 1 else value in (0, 1, -1)


@lru_cache(maxsize=4096)   # attributes are immutable; passes write the same small integers on every tile
def _i64_attr(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


@lru_cache(maxsize=4096)   # tile ranges, offsets, strides: a few shapes repeated on thousands of ops
def _i64_array_attr(values: tuple[int, ...]) -> ArrayAttr:
    return ArrayAttr(tuple(_i64_attr(v) for v in values))


def to_attr(value: Any) -> Attribute:
    """Converts a Python value to an attribute (int -> i64, float -> f64, list -> array, ...)."""
    if isinstance(value, Attribute):
        return value
    if isinstance(value, bool):
        return BoolAttr(value)
    if isinstance(value, int):
        return _i64_attr(value)
    if isinstance(value, float):
        return FloatAttr(value, f64)
    if isinstance(value, str):
        return StringAttr(value)
    if isinstance(value, (list, tuple)):
        if all(type(v) is int for v in value):
            return _i64_array_attr(tuple(value))
        return ArrayAttr(tuple(to_attr(v) for v in value))
    if isinstance(value, dict):
        return DictAttr.of({k: to_attr(v) for k, v in value.items()})
    if isinstance(value, Type):
        return TypeAttr(value)
    np = sys.modules.get("numpy")  # a numpy value implies numpy is loaded: no import needed to test for one
    if np is not None:
        if isinstance(value, np.bool_):
            return BoolAttr(bool(value))
        if isinstance(value, np.integer):
            return IntegerAttr(int(value), i64)
        if isinstance(value, np.floating):
            return FloatAttr(float(value), f64)
        if isinstance(value, np.ndarray):
            return dense(value)
    raise TypeError(f"cannot make an attribute from {type(value).__name__}")


def python_value(attr: Attribute) -> Any:
    """The Python value of a simple attribute: numbers, strings and symbol names as themselves, arrays as
    tuples, dictionaries as dicts, unit as True, a type attribute as its type; any other attribute unchanged."""
    if isinstance(attr, (IntegerAttr, FloatAttr, BoolAttr, StringAttr, SymbolRefAttr, TypeAttr)):
        return attr.value
    if isinstance(attr, ArrayAttr):
        return tuple(python_value(a) for a in attr.value)
    if isinstance(attr, DictAttr):
        return {k: python_value(v) for k, v in attr.value}
    if isinstance(attr, UnitAttr):
        return True
    return attr


def dense(array: np.ndarray, element_type: Type | None = None) -> DenseAttr:
    """A `DenseAttr` holding `array` (its element type from the dtype unless given)."""
    import numpy as np
    array = np.ascontiguousarray(array)
    elem = element_type or type_for_dtype(array.dtype)
    return DenseAttr(array, TensorType(tuple(array.shape), elem))
