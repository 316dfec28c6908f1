"""What `--power intermittent` was asked, from command-line text: the capacitor, the harvester, the chip.

    options = power_options(capacitor="1mF", harvester="52ohm")
    options.power_model(options.harvester, chip_buffer_bytes=16384)

Shared by `rnc compile --power intermittent` (rnc.driver.intermittent) and the `insert-checkpoints` pass.
"""
from __future__ import annotations

from dataclasses import dataclass

from .cost import FieldError
from .power import (FRAM_MSP430, INAS_CIFAR_OHM, INAS_REBOOT_J, INAS_REBOOT_S, Capacitor, ConstantHarvester,
                    Harvester, NvmSpec, PowerError, PowerModel, ResistiveHarvester, load_power_trace, parse_quantity)
from .power_file import load_power_file

DEFAULT_CHIP = "rnc-reference"


@dataclass(frozen=True)
class PowerOptions:
    """What `rnc compile --power intermittent` was asked: the supply and the chip it feeds."""

    capacitor: Capacitor
    harvester: Harvester
    chip: str | None = None                # None: the target's chip, else rnc-reference
    parity: str | None = None              # "inas": the iNAS cost model's quirks
    max_latency_s: float | None = None     # end-to-end requirement
    reboot_j: float = INAS_REBOOT_J        # the host's reboot (iNAS's MSP430FR5994 measurement)
    reboot_s: float = INAS_REBOOT_S
    buffer_bytes: int | None = None        # None: the chip's tile buffer
    nvm: NvmSpec = FRAM_MSP430             # where progress is preserved

    def power_model(self, harvester: Harvester, chip_buffer_bytes: int) -> PowerModel:
        """The PowerModel of these options with `harvester` on a chip whose tile buffer is given."""
        return PowerModel(self.capacitor, harvester, self.reboot_j, self.reboot_s,
                          self.buffer_bytes or chip_buffer_bytes, self.nvm)


def power_options(capacitor: str | None = None, harvester: str | None = None, power_trace: str | None = None, *,
                  power_file: str | None = None, chip: str | None = None, parity: str | None = None,
                  max_latency: str | None = None) -> PowerOptions:
    """Options from command-line text ("1mF", "22ohm" or "5mW", a CSV path, a power TOML file);
    PowerError names the option. Command-line values override the file's.

    Without a harvester, a 1, 5 or 10 mF capacitor takes the resistance iNAS calibrated for it.
    """
    described = load_power_file(power_file) if power_file else None
    if capacitor is not None or described is None:
        try:
            cap = Capacitor(parse_quantity(capacitor or "1mF", "F", "--capacitor"))
        except FieldError as e:
            raise PowerError(f"--capacitor: {e}") from None
    else:
        cap = described.capacitor
    if harvester and power_trace:
        raise PowerError("give either --harvester or --power-trace, not both")
    if power_trace:
        source: Harvester = load_power_trace(power_trace)
    elif harvester:
        source = _harvester(harvester)
    elif described is not None and described.harvester is not None:
        source = described.harvester
    elif cap.farads in INAS_CIFAR_OHM:
        source = ResistiveHarvester(INAS_CIFAR_OHM[cap.farads])
    else:
        raise PowerError(f"--harvester is needed for a {cap.farads * 1e3:g} mF capacitor "
                         "(iNAS calibrated only 1, 5 and 10 mF)")
    limit = parse_quantity(max_latency, "s", "--max-latency") if max_latency else None
    if parity not in (None, "inas"):
        raise PowerError(f"--parity expects 'inas', got '{parity}'")
    extra = {} if described is None else {k: v for k, v in (
        ("reboot_j", described.reboot_j), ("reboot_s", described.reboot_s),
        ("buffer_bytes", described.buffer_bytes), ("nvm", described.nvm)) if v is not None}
    return PowerOptions(cap, source, chip, parity, limit, **extra)


def _harvester(text: str) -> Harvester:
    """'22ohm' -> a source behind 22 Ohm; '5mW' -> a constant 5 mW."""
    try:
        if text.strip().lower().endswith("w"):
            return ConstantHarvester(parse_quantity(text, "W", "--harvester"))
        return ResistiveHarvester(parse_quantity(text, "ohm", "--harvester"))
    except PowerError:
        raise PowerError(f"--harvester expects a resistance like 22ohm or a power like 5mW, got '{text}'") from None
    except FieldError as e:
        raise PowerError(f"--harvester: {e}") from None
