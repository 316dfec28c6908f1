"""Locations printed in the IR: `loc("Conv_0")` (a name, e.g. the ONNX node) and `loc("file":12:5)`."""
from __future__ import annotations

from dataclasses import dataclass

from .attributes import quote


class Location:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class NameLoc(Location):
    name: str

    def __str__(self) -> str:
        return f"loc({quote(self.name)})"


@dataclass(frozen=True, slots=True)
class FileLineColLoc(Location):
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"loc({quote(self.file)}:{self.line}:{self.col})"


@dataclass(frozen=True, slots=True)
class UnknownLoc(Location):
    def __str__(self) -> str:
        return "loc(unknown)"
