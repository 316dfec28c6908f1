"""A power description in TOML: capacitor, harvester, device (reboot, volatile buffer) and NVM.

    [capacitor]                # every key optional except farads; defaults are iNAS's (rnc.hw.power)
    farads = 1e-3
    von_v = 2.99
    voff_v = 2.8
    margin = 0.55
    [harvester]                # one of ohms (with supply_v), watts, or trace (a CSV path, relative to the file)
    ohms = 52.0
    [device]
    reboot_j = 77.88e-6
    reboot_s = 0.07
    buffer_bytes = 2048        # default: the chip's tile buffer
    [nvm]                      # default: the MSP430FR5994's FRAM; every NvmSpec field
    name = "rram"
    ...
    endurance_writes = 1e6

`load_power_file` checks every value (finite, in range) and stops at the first bad one with one line naming
the file, the key, the value and what is allowed: `p.toml: capacitor.farads = -1.0: must be ...`.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from .cost.checks import MISSING, FieldError, check_int, check_real
from .power import (Capacitor, ConstantHarvester, Harvester, NvmSpec, PowerError, ResistiveHarvester,
                    load_power_trace)

_SECTIONS = {"capacitor": ("farads", "von_v", "voff_v", "margin"),
             "harvester": ("ohms", "supply_v", "watts", "trace"),
             "device": ("reboot_j", "reboot_s", "buffer_bytes"),
             "nvm": tuple(f.name for f in fields(NvmSpec))}


@dataclass(frozen=True)
class PowerFile:
    """What a power file describes; None where it leaves the default."""

    capacitor: Capacitor
    harvester: Harvester | None
    reboot_j: float | None
    reboot_s: float | None
    buffer_bytes: int | None
    nvm: NvmSpec | None


def load_power_file(path: str | Path) -> PowerFile:
    """The power description in `path`; PowerError with one line on anything wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise PowerError(f"{path}: cannot read power file ({e.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as e:
        raise PowerError(f"{path}: invalid TOML: {e}") from None
    try:
        return _build(data, path)
    except FieldError as e:
        raise PowerError(f"{path}: {e}") from None


def _build(data: dict, path: Path) -> PowerFile:
    for name, value in data.items():
        if name not in _SECTIONS:
            raise FieldError(name, MISSING, f"unknown table (known: {', '.join(_SECTIONS)})")
        if not isinstance(value, dict):
            raise FieldError(name, value, "must be a table")
        unknown = sorted(set(value) - set(_SECTIONS[name]))
        if unknown:
            raise FieldError(f"{name}.{unknown[0]}", MISSING, f"unknown key (known: {', '.join(_SECTIONS[name])})")
    cap = data.get("capacitor", {})
    if "farads" not in cap:
        raise FieldError("capacitor.farads", MISSING, "is required")
    capacitor = _under("capacitor", lambda: Capacitor(**cap))
    device = dict(data.get("device", {}))
    for key, hi in (("reboot_j", 1.0), ("reboot_s", 1e3)):
        if key in device:
            device[key] = check_real(f"device.{key}", device[key], 0.0, hi)
    buffer_bytes = device.get("buffer_bytes")
    if buffer_bytes is not None:
        buffer_bytes = check_int("device.buffer_bytes", buffer_bytes, 1, 1 << 40)
    nvm = _under("nvm", lambda: NvmSpec(**data["nvm"])) if "nvm" in data else None
    return PowerFile(capacitor, _harvester(data.get("harvester"), path), device.get("reboot_j"),
                     device.get("reboot_s"), buffer_bytes, nvm)


def _harvester(h: dict | None, path: Path) -> Harvester | None:
    if not h:
        return None
    given = [k for k in ("ohms", "watts", "trace") if k in h]
    if len(given) != 1:
        raise FieldError("harvester", MISSING, "needs exactly one of ohms, watts, trace")
    if "trace" in h:
        return load_power_trace(path.parent / str(h["trace"]))
    if "watts" in h:
        if "supply_v" in h:
            raise FieldError("harvester.supply_v", MISSING, "belongs to a resistive harvester (ohms)")
        return _under("harvester", lambda: ConstantHarvester(h["watts"]))
    return _under("harvester", lambda: ResistiveHarvester(**h))


def _under(section: str, build):
    """`build()`, with a FieldError's key moved under `section` (and a missing-argument TypeError as one)."""
    try:
        return build()
    except FieldError as e:
        raise e.under(section) from None
    except TypeError as e:
        raise FieldError(section, MISSING, f"incomplete: {e}") from None

