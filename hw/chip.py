"""A chip: crossbars grouped into cores and tiles, the tiles' digital units and buffers, the network.

    chip = tiles x tile (+ off-chip links)
    tile = cores x core + buffer + bus + activation / pooling / accumulator units + output register
           + a share of a router (tiles_per_router tiles share one)
    core = crossbars x (array + DACs + sample-and-holds + column muxes + ADCs) + shift-adders
           + input register + output register          (ISAAC's IMA, MNSIM's PE)

Named chips are TOML files in `rnc/hw/targets/` (`load_chip("isaac")`); `load_chip` also takes a path.
A chip file gives the structure and the figures of each component at the chip's own configuration,
each with its source in a comment (see docs/hardware.md, "Energy and area model").
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from .cost.checks import MISSING, FieldError, check_choice, check_fields
from .cost.components import COMPONENT_OPS, DERIVED_COMPONENTS, ComponentSpec
from .cost.params import PeripheralConfig

TOPOLOGIES = ("mesh", "bus")
MAX_COUNT = 1 << 20
MAX_BYTES = 1 << 40


@dataclass(frozen=True)
class Core:
    """Crossbars sharing input/output registers and shift-adders (ISAAC's IMA, MNSIM's PE)."""

    crossbars: int
    shift_adders: int
    input_register_bytes: int
    output_register_bytes: int

    def __post_init__(self) -> None:
        check_fields(self, ints=dict(crossbars=(1, MAX_COUNT), shift_adders=(0, MAX_COUNT),
                                     input_register_bytes=(0, MAX_BYTES), output_register_bytes=(0, MAX_BYTES)))


@dataclass(frozen=True)
class Tile:
    """Cores sharing a buffer and the digital units that finish a layer."""

    cores: int
    buffer_bytes: int
    buffer_width_bits: int          # one buffer access moves this many bits
    output_register_bytes: int
    activation_units: int
    pooling_units: int
    accumulators: int               # adders merging partial sums of row-split tiles

    def __post_init__(self) -> None:
        check_fields(self, ints=dict(cores=(1, MAX_COUNT), buffer_bytes=(0, MAX_BYTES),
                                     buffer_width_bits=(1, MAX_COUNT), output_register_bytes=(0, MAX_BYTES),
                                     activation_units=(0, MAX_COUNT), pooling_units=(0, MAX_COUNT),
                                     accumulators=(0, MAX_COUNT)))


@dataclass(frozen=True)
class Network:
    """The network between tiles: a mesh of routers or one shared bus."""

    topology: str
    width_bits: int                 # bits a link moves per cycle
    cycle_ns: float
    hop_latency_ns: float           # added per router a message crosses
    tiles_per_router: int           # concentration (ISAAC: 4 tiles share a router)

    def __post_init__(self) -> None:
        check_choice("topology", self.topology, TOPOLOGIES)
        check_fields(self, ints=dict(width_bits=(1, MAX_COUNT), tiles_per_router=(1, MAX_COUNT)),
                     reals=dict(cycle_ns=(0.0, 1e6)), positive=True)
        check_fields(self, reals=dict(hop_latency_ns=(0.0, 1e6)))


@dataclass(frozen=True)
class Chip:
    """A whole accelerator: structure plus the figures of its components."""

    name: str
    tiles: int
    offchip_links: int
    crossbar: PeripheralConfig
    core: Core
    tile: Tile
    network: Network
    components: Mapping[str, ComponentSpec] = field(default_factory=dict, hash=False)  # absent: free
    source: str = ""

    def __post_init__(self) -> None:
        check_fields(self, ints=dict(tiles=(1, MAX_COUNT), offchip_links=(0, MAX_COUNT)))
        for name in self.components:
            check_choice("component", name, _FILE_COMPONENTS)
        object.__setattr__(self, "components", MappingProxyType(dict(self.components)))

    @property
    def crossbars(self) -> int:
        return self.tiles * self.tile.cores * self.core.crossbars


class ChipFileError(ValueError):
    """A chip file that cannot be used; the message is one line naming the file and the key."""


_FILE_COMPONENTS = tuple(name for name in COMPONENT_OPS if name not in DERIVED_COMPONENTS)
_TOP_KEYS = ("name", "source", "tiles", "offchip_links")
_SECTIONS = {"crossbar": PeripheralConfig, "core": Core, "tile": Tile, "network": Network}
_SPEC_KEYS = ("power_mw", "ops_per_ns", "area_um2", "latency_ns", "leakage_mw")
_SPEC_REQUIRED = ("power_mw", "ops_per_ns", "area_um2")


def builtin_chips() -> list[str]:
    """Names of the chips shipped in rnc/hw/targets."""
    folder = resources.files("rnc.hw.targets")
    return sorted(p.name[:-len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_chip(name_or_path: str | Path) -> Chip:
    """The chip named `name_or_path` (a built-in name, or a path to a .toml file).

    Raises ChipFileError with one line: the file, then the key, its value and what is allowed.
    """
    text, where = _read(name_or_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ChipFileError(f"{where}: invalid TOML: {e}") from None
    try:
        return _build(data)
    except FieldError as e:
        raise ChipFileError(f"{where}: {e}") from None


def _read(name_or_path: str | Path) -> tuple[str, str]:
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as e:
            raise ChipFileError(f"{path}: cannot read chip file ({e.__class__.__name__}: {e})") from None
    if text not in builtin_chips():
        raise ChipFileError(f"unknown chip {text!r}: built-in chips are {', '.join(builtin_chips())}, "
                            "or give the path of a .toml file")
    resource = resources.files("rnc.hw.targets") / f"{text}.toml"
    return resource.read_text(encoding="utf-8"), f"{text}.toml"


def _build(data: dict) -> Chip:
    _check_keys("", data, _TOP_KEYS + tuple(_SECTIONS) + ("components",), required=_TOP_KEYS[:1] + _TOP_KEYS[2:])
    sections = {name: _section(name, data, cls) for name, cls in _SECTIONS.items()}
    components = _table("components", data.get("components", {}))
    _check_keys("components", components, _FILE_COMPONENTS, required=())
    specs = {name: _spec(f"components.{name}", _table(f"components.{name}", value))
             for name, value in components.items()}
    name = data["name"]
    if not isinstance(name, str) or not name:
        raise FieldError("name", name, "must be a non-empty string")
    try:
        return Chip(name=name, tiles=data["tiles"], offchip_links=data["offchip_links"], components=specs,
                    source=str(data.get("source", "")), **sections)
    except FieldError:
        raise
    except (TypeError, ValueError) as e:  # a non-FieldError from a dataclass: keep it on one line
        raise FieldError("chip", name, str(e)) from None


def _section(name: str, data: dict, cls: type) -> object:
    table = _table(name, data.get(name, MISSING))
    keys = tuple(f.name for f in fields(cls))
    _check_keys(name, table, keys, required=keys)
    try:
        return cls(**table)
    except FieldError as e:
        raise e.under(name) from None


def _spec(where: str, table: dict) -> ComponentSpec:
    _check_keys(where, table, _SPEC_KEYS, required=_SPEC_REQUIRED)
    try:
        return ComponentSpec.from_power(**table)
    except FieldError as e:
        raise e.under(where) from None


def _table(where: str, value: object) -> dict:
    if value is MISSING:
        raise FieldError(where, MISSING, f"missing (required table [{where}])")
    if not isinstance(value, dict):
        raise FieldError(where, value, f"must be a table [{where}]")
    return value


def _check_keys(where: str, table: dict, allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
    prefix = f"{where}." if where else ""
    for key, value in table.items():
        if key not in allowed:
            kind, shown = ("table", MISSING) if isinstance(value, dict) else ("key", value)
            raise FieldError(f"{prefix}{key}", shown, f"unknown {kind} (allowed: " + ", ".join(allowed) + ")")
    for key in required:
        if key not in table:
            raise FieldError(f"{prefix}{key}", MISSING, "missing (required)")
