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
from rnc.hw.sim_config import ConfigError, read_sim_config
from rnc.hw.target import Target


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


def _load_toml(path: Path, base: Target) -> Target:
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise TargetError(f"{path}: invalid TOML: {e}") from None
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
        raise TargetError(f"{e.file}: key '{e.key}': {e.message}") from None
    # The file describes the peripherals only; budget, bit widths and rnc's own timing keys stay `base`'s.
    return LoadedTarget(replace(base, peripherals=params), list(ignored))


def apply_values(base: Target, values: dict[str, Any], source: str = "options") -> Target:
    """`base` with `values` applied; errors name `source`, the key and what is allowed."""
    allowed = Target.keys()
    for key, value in values.items():
        if key not in allowed:
            raise TargetError(f"{source}: unknown target key '{key}'; allowed keys: {', '.join(sorted(allowed))}")
        default = allowed[key]
        if isinstance(default, str):
            if not isinstance(value, str):
                raise TargetError(f"{source}: target key '{key}' must be a string, got {value!r}")
            continue
        if isinstance(default, bool) or (default is not None and not isinstance(value, (int, float))) or \
                (isinstance(default, int) and isinstance(value, float)):
            kind = "an integer" if isinstance(default, int) else "a number"
            raise TargetError(f"{source}: target key '{key}' must be {kind}, got {value!r}")
    try:
        return base.with_values(**values)
    except (ValueError, TypeError) as e:   # ChipFileError and FieldError are ValueErrors
        raise TargetError(f"{source}: {e}") from None


def parse_xbar_size(text: str) -> tuple[int, int]:
    """'128x128' -> (128, 128)."""
    rows, sep, cols = text.lower().partition("x")
    try:
        r, c = int(rows), int(cols)
        if not sep or r < 1 or c < 1:
            raise ValueError
    except ValueError:
        raise TargetError(f"invalid crossbar size '{text}'; expected ROWSxCOLS, e.g. 128x128") from None
    return r, c
