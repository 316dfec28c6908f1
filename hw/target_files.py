"""Loading a `Target` from a TOML file, an MNSIM/RNC-style SimConfig.ini, or `key=value` options.

TOML: flat keys, optionally grouped in tables whose names are ignored (`[crossbar]`, `[peripherals]`):

    [crossbar]
    xbar_rows = 128
    budget = 211
    [peripherals]
    adc_bits = 8

A `chip` key names the chip (`chip = "isaac"`, or a chip file's path relative to this file); a TOML that is
itself a chip file (top-level `tiles`, tables `[core]`, `[tile]`, ...) is taken as `chip = "<that file>"`.
`load_target("isaac")` (a built-in chip name instead of a path) is the default target on that chip.

Unknown keys and invalid values are errors naming the file, the key and the allowed keys.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rnc.hw.chip import builtin_chips
from rnc.hw.parameters import ParameterError
from rnc.hw.sim_config import ConfigError, read_sim_config
from rnc.hw.target import LAYER_PERIPHERAL_KEYS, Target


class TargetError(Exception):
    """A target description that cannot be used: one line naming the file and key."""


@dataclass
class LoadedTarget:
    """A target read from a file, with the file's keys rnc does not use."""

    target: Target
    ignored_keys: list[str] = field(default_factory=list)  # keys of a SimConfig.ini that rnc does not use


def load_target(path: str | Path, base: Target | None = None) -> LoadedTarget:
    """Reads `path` (.toml, or .ini for a SimConfig.ini) on top of `base`."""
    p = Path(path)
    if str(path) in builtin_chips() and not p.is_file():
        return LoadedTarget(apply_values(base or Target(), {"chip": str(path)}, str(path)))
    if not p.is_file():
        raise TargetError(f"{path}: cannot read target file (no such file)")
    if p.suffix.lower() == ".ini":
        return _load_ini(p, base or Target())
    return LoadedTarget(_load_toml(p, base or Target()))


def _read_toml(path: Path, what: str) -> dict:
    """The TOML file's tables; TargetError names the file when it cannot be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise TargetError(f"{path}: cannot read {what} ({e.strerror or e})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise TargetError(f"{path}: invalid TOML: {e}") from None


def _load_toml(path: Path, base: Target) -> Target:
    data = _read_toml(path, "target file")
    if "tiles" in data:   # a chip file: its figures, on the target's crossbar
        return apply_values(base, {"chip": str(path.resolve())}, str(path))
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for inner, v in value.items():
                flat[inner] = v
        else:
            flat[key] = value
    chip = flat.get("chip")
    if isinstance(chip, str) and chip not in builtin_chips():
        flat["chip"] = str((path.parent / chip).resolve())
    return apply_values(base, flat, str(path))


def _load_ini(path: Path, base: Target) -> LoadedTarget:
    try:
        params, ignored = read_sim_config(path)
    except ConfigError as e:
        raise TargetError(str(e)) from None
    # The file describes the peripherals only; budget, bit widths and rnc's own timing keys stay `base`'s.
    return LoadedTarget(replace(base, peripherals=params), list(ignored))


def apply_values(base: Target, values: dict[str, Any], source: str = "options") -> Target:
    """`base` with `values` applied; errors name `source`, the key, the value and what is allowed."""
    parameters = {p.key: p for p in Target.parameters()}
    for key, value in values.items():
        if key not in parameters:
            raise TargetError(f"{source}: unknown target key '{key}'; allowed keys: {', '.join(sorted(parameters))}")
        reason = parameters[key].problem(value)
        if reason is not None:
            raise TargetError(f"{source}: target key '{key}' {reason}")
    try:
        return base.with_values(**values)
    except ParameterError as e:
        raise TargetError(f"{source}: target key '{e.key}' {e.reason}") from None
    except (ValueError, TypeError) as e:   # ChipFileError and FieldError are ValueErrors
        raise TargetError(f"{source}: {e}") from None


def load_layer_config(path: str | Path) -> dict[int, dict[str, Any]]:
    """The per-layer peripheral overrides of a TOML file: `[layer.3]` tables of LAYER_PERIPHERAL_KEYS.

        [layer.3]          # xbar.layer 3 (weight layers in execution order, from 0)
        adc_bits = 4
        cell_bits = 2

    Returns {layer index: {key: value}}. TargetError names the file, the table or key and what is allowed
    (ranges that depend on the target, like cols_per_adc, are checked where the overrides are applied).
    """
    p = Path(path)
    data = _read_toml(p, "layer config")
    unknown = sorted(set(data) - {"layer"})
    if unknown:
        raise TargetError(f"{path}: unknown key or table '{unknown[0]}'; a layer config has only [layer.N] tables")
    layers = data.get("layer", {})
    if not isinstance(layers, dict):
        raise TargetError(f"{path}: 'layer' must be tables [layer.N]")
    out: dict[int, dict[str, Any]] = {}
    for name, table in layers.items():
        where = f"{path}: [layer.{name}]"
        if not name.isdigit() or not isinstance(table, dict):
            raise TargetError(f"{where}: expected a table [layer.N] with N a layer index (0, 1, ...)")
        try:
            out[int(name)] = check_layer_overrides(table)
        except TargetError as e:
            raise TargetError(f"{where}: {e}") from None
    return dict(sorted(out.items()))


def check_layer_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """`overrides` if every key is a per-layer peripheral key with a value of its type and range (TargetError
    otherwise, naming the key)."""
    for key, value in overrides.items():
        if key not in LAYER_PERIPHERAL_KEYS:
            raise TargetError(f"unknown per-layer key '{key}'; allowed: {', '.join(LAYER_PERIPHERAL_KEYS)}")
        reason = Target.parameter(key).problem(value)
        if reason is not None or value is None:
            raise TargetError(f"key '{key}' {reason or 'must be set'}")
    return dict(overrides)


def parse_xbar_size(text: str) -> tuple[int, int]:
    """'128x128' -> (128, 128); TargetError unless both are integers within the crossbar size limit."""
    rows, sep, cols = text.lower().partition("x")
    try:
        r, c = int(rows), int(cols)
        if not sep:
            raise ValueError
    except ValueError:
        raise TargetError(f"invalid crossbar size '{text}'; expected ROWSxCOLS, e.g. 128x128") from None
    size = Target.parameter("xbar_rows")
    for what, value in (("rows", r), ("columns", c)):
        reason = size.problem(value)
        if reason is not None:
            raise TargetError(f"invalid crossbar size '{text}': {what} {reason}")
    return r, c
