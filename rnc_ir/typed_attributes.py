"""Attribute constraints with a Python view: `attribute(Int)` makes `op.copies` an int.

An op stores attributes (that is what prints and parses); a *typed* constraint says which attributes it
accepts and how the op's accessor shows one as a Python value, and back when the accessor is assigned:

    copies = opt_attribute(Int.where(lambda n: n >= 1, "a positive integer"), default=1)
    rows = attribute(RangeOf, doc="[begin, end) word lines of the layer's matrix")
    ...
    op.copies          -> 3                (an int, not an IntegerAttr)
    op.rows            -> Range(0, 27)     (a (begin, end) tuple with .size)
    op.copies = 4      -> stores `4 : i64`

A constraint that is a plain type or predicate keeps its accessor returning the attribute itself.

Names say what a value holds: a `Range` is [begin, end) along one axis (its `size` is end - begin); a
size is a count (`height`, `width`); a position is where something starts (`row0`, `col0`).
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from .attributes import (ArrayAttr, Attribute, DictAttr, FloatAttr, IntegerAttr, StringAttr, SymbolRefAttr,
                         UnitAttr, python_value, to_attr)


class Range(NamedTuple):
    """[begin, end) along one axis; a plain (begin, end) tuple too."""

    begin: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.begin


class Typed:
    """A constraint on an attribute (`check`) with its Python view (`get`) and the inverse (`put`).

    `put(None)` (and `put` of whatever means "absent", such as False for a flag) returns None: the accessor
    then removes the attribute; an attribute given to `put` is stored as it is. Its docstring is what
    verifier messages call it ("must be an integer").
    """

    def __init__(self, doc: str, check: Callable[[Attribute], bool], get: Callable[[Attribute], Any],
                 put: Callable[[Any], Attribute | None] = to_attr) -> None:
        self.__doc__ = doc
        self.check, self.get, self._put = check, get, put
        self.reads_value = get is _value   # the accessor may read `attr.value` inline (the hot case)

    def put(self, value: Any) -> Attribute | None:
        """The attribute that stores `value` (None: leave the attribute out)."""
        return value if isinstance(value, Attribute) else self._put(value)

    def __call__(self, attr: Attribute) -> bool:
        return self.check(attr)

    def where(self, predicate: Callable[[Any], bool], doc: str) -> "Typed":
        """This constraint narrowed to the Python values `predicate` accepts (`doc` names the result)."""
        check, get = self.check, self.get
        return Typed(doc, lambda a: check(a) and predicate(get(a)), get, self._put)

    def __repr__(self) -> str:
        return f"Typed({self.__doc__!r})"


def _value(a: Attribute) -> Any:
    return a.value  # type: ignore[attr-defined]


def _cached(convert: Callable[[Attribute], Any]) -> Callable[[Attribute], Any]:
    """`convert`, remembered per attribute object: attributes are immutable and the common ones shared
    (`to_attr` caches integer arrays), so a tile's range is built once, not on every read."""
    cache: dict[int, tuple[Attribute, Any]] = {}

    def get(a: Attribute) -> Any:
        hit = cache.get(id(a))
        if hit is not None and hit[0] is a:
            return hit[1]
        if len(cache) >= 8192:
            cache.clear()
        value = cache[id(a)] = (a, convert(a))
        return value[1]
    return get


def _put(value: Any) -> Attribute | None:
    return None if value is None else to_attr(value)


def _is_int_array(a: Attribute) -> bool:
    return isinstance(a, ArrayAttr) and all(isinstance(x, IntegerAttr) for x in a.value)


def _ints(a: Attribute) -> tuple[int, ...]:
    return tuple(x.value for x in a.value)  # type: ignore[attr-defined]


def _range(a: Attribute) -> Range:
    lo, hi = a.value  # type: ignore[attr-defined]
    return Range(lo.value, hi.value)


def _put_ints(value: Any) -> Attribute | None:
    return None if value is None else to_attr(tuple(int(v) for v in value))


def _put_symbol(value: Any) -> Attribute | None:
    return None if value is None else SymbolRefAttr(value)


def _put_symbols(value: Any) -> Attribute | None:
    return None if value is None else ArrayAttr(tuple(v if isinstance(v, Attribute) else SymbolRefAttr(v)
                                                      for v in value))


def _put_flag(value: Any) -> Attribute | None:
    return UnitAttr() if value else None


Int = Typed("an integer", lambda a: isinstance(a, IntegerAttr), _value, _put)
NonNegative = Int.where(lambda n: n >= 0, "a non-negative integer")
Float = Typed("a float", lambda a: isinstance(a, FloatAttr), _value, _put)
Str = Typed("a string", lambda a: isinstance(a, StringAttr), _value, _put)
Flag = Typed("a unit flag", lambda a: isinstance(a, UnitAttr), lambda a: True, _put_flag)
Ints = Typed("an array of integers", _is_int_array, _cached(_ints), _put_ints)
RangeOf = Typed("a [begin, end) pair of integers",
                lambda a: _is_int_array(a) and len(a) == 2 and 0 <= _range(a).begin < _range(a).end,
                _cached(_range), _put_ints)
Pair = Ints.where(lambda v: len(v) == 2 and min(v) >= 0, "a pair of non-negative integers")
Symbol = Typed("a symbol (@name)", lambda a: isinstance(a, SymbolRefAttr), _value, _put_symbol)
Symbols = Typed("a non-empty array of symbols",
                lambda a: isinstance(a, ArrayAttr) and len(a) > 0
                and all(isinstance(x, SymbolRefAttr) for x in a.value),
                lambda a: tuple(x.value for x in a.value), _put_symbols)  # type: ignore[attr-defined]
Dict = Typed("a dictionary", lambda a: isinstance(a, DictAttr), python_value, _put)


def OneOf(*values: str) -> Typed:
    """A string among `values`."""
    return Str.where(lambda s: s in values, "one of " + ", ".join(f'"{v}"' for v in values))
