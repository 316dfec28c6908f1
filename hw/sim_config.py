"""Reading an MNSIM 2.0 / RNC-style SimConfig.ini into `PeripheralParams`.

Only the keys that set the PE latency are read; every other key is reported back as ignored. The sample
`hw/data/SimConfig.ini` (`DEFAULT_SIM_CONFIG`) holds the RNC reference's values, which are the defaults.
"""
from __future__ import annotations

import configparser
from pathlib import Path

from rnc.hw.peripherals import ADC_BY_CHOICE, DAC_BITS_BY_CHOICE, DAC_CHOICE_RATE_GSPS, PeripheralParams

DEFAULT_SIM_CONFIG = Path(__file__).parent / "data" / "SimConfig.ini"

USER_DEFINED_CHOICE = -1       # MNSIM: DAC/ADC_Choice -1 takes _Precision and _Sample_Rate from the file
SENSE_AMPLIFIER_CHOICE = 8     # MNSIM: what a digital PIM (PIM_Type 1) forces on ADC_Choice
DEFAULT_BUFFER_BITWIDTH = 256  # MNSIM: what it reads Buffer_Bitwidth = 0 as


class ConfigError(Exception):
    """A SimConfig.ini value rnc cannot use: names the file, the key and what is allowed."""

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        super().__init__(f"{file}: {key}: {message}")
        self.file = str(file)
        self.key = key
        self.message = message


class _IniReader:
    """Typed access to one SimConfig.ini that remembers which keys were consumed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parser = configparser.ConfigParser(inline_comment_prefixes=("#", ";"))
        self.parser.optionxform = str  # keep MNSIM's key spelling for messages
        try:
            with open(path, encoding="utf-8") as handle:
                self.parser.read_file(handle)
        except OSError as err:
            raise ConfigError(path, "-", f"cannot read: {err.strerror}") from None
        except configparser.Error as err:
            raise ConfigError(path, "-", f"not an INI file: {err.message}") from None
        self.used: set[tuple[str, str]] = set()

    def raw(self, section: str, key: str) -> str | None:
        if not self.parser.has_option(section, key):
            return None
        self.used.add((section, key))
        return self.parser.get(section, key).strip()

    def number(self, section: str, key: str, default, kind=int, minimum=None, allowed_text=None):
        text = self.raw(section, key)
        if text is None:
            return default
        try:
            value = kind(text)
        except ValueError:
            raise ConfigError(self.path, key, f"{text!r} is not {_KIND_NAMES[kind]}"
                              + (f"; allowed: {allowed_text}" if allowed_text else "")) from None
        if minimum is not None and value < minimum:
            raise ConfigError(self.path, key, f"{text} is out of range; allowed: {allowed_text or f'>= {minimum}'}")
        return value

    def choice(self, section: str, key: str, default: int, table: dict) -> int:
        allowed = f"{USER_DEFINED_CHOICE} (user defined), {min(table)}..{max(table)}"
        value = self.number(section, key, default, allowed_text=allowed)
        if value != USER_DEFINED_CHOICE and value not in table:
            raise ConfigError(self.path, key, f"{value} is not a known choice; allowed: {allowed}")
        return value

    def ignored(self) -> list[str]:
        return [f"{section}/{key}" for section in self.parser.sections()
                for key in self.parser.options(section) if (section, key) not in self.used]


_KIND_NAMES = {int: "an integer", float: "a number"}


def read_sim_config(path: str | Path) -> tuple[PeripheralParams, list[str]]:
    """Reads an MNSIM-style SimConfig.ini; returns the parameters and the keys latency ignores.

    Keys missing from the file keep the reference's defaults. Ignored keys come back as
    "Section/Key" so the caller can report them; they include DAC/ADC_Precision and _Sample_Rate when a
    listed DAC/ADC_Choice overrides them. Invalid values raise `ConfigError`.
    """
    path = Path(path)
    ini = _IniReader(path)
    defaults = PeripheralParams()
    ignored_overrides: list[str] = []

    xbar_text = ini.raw("Crossbar level", "Xbar_Size")
    rows, cols = defaults.xbar_rows, defaults.xbar_cols
    if xbar_text is not None:
        try:
            rows, cols = (int(part) for part in xbar_text.split(","))
        except ValueError:
            raise ConfigError(path, "Xbar_Size", f"{xbar_text!r}; allowed: 'rows, cols' (positive integers)") from None
        if rows < 1 or cols < 1:
            raise ConfigError(path, "Xbar_Size", f"{xbar_text!r}; allowed: 'rows, cols' (positive integers)")
    subarray = ini.number("Crossbar level", "Subarray_Size", defaults.subarray_size, minimum=1)
    if rows % subarray:
        raise ConfigError(path, "Subarray_Size", f"{subarray} does not divide the {rows} crossbar rows; "
                          f"allowed: a divisor of {rows}")

    digital_pim = ini.number("Process element level", "PIM_Type", 0, allowed_text="0 (analog), 1 (digital)")
    if digital_pim not in (0, 1):
        raise ConfigError(path, "PIM_Type", f"{digital_pim}; allowed: 0 (analog), 1 (digital)")

    dac_choice = ini.choice("Interface level", "DAC_Choice", 1, DAC_BITS_BY_CHOICE)
    dac_bits = ini.number("Interface level", "DAC_Precision", defaults.dac_bits)
    dac_rate = ini.number("Interface level", "DAC_Sample_Rate", defaults.dac_rate_gsps, kind=float)
    if dac_choice != USER_DEFINED_CHOICE:
        # A listed choice fixes precision and rate; a digital PIM drives 1-bit inputs (MNSIM's rule).
        dac_bits = DAC_BITS_BY_CHOICE[1 if digital_pim else dac_choice]
        dac_rate = DAC_CHOICE_RATE_GSPS
        ignored_overrides += ["Interface level/DAC_Precision", "Interface level/DAC_Sample_Rate"]
    elif dac_bits < 1 or dac_rate <= 0:
        raise ConfigError(path, "DAC_Precision" if dac_bits < 1 else "DAC_Sample_Rate",
                          "with DAC_Choice = -1 both must be given; allowed: DAC_Precision >= 1, DAC_Sample_Rate > 0")

    adc_choice = ini.choice("Interface level", "ADC_Choice", defaults.adc_choice, ADC_BY_CHOICE)
    adc_bits = ini.number("Interface level", "ADC_Precision", defaults.adc_bits)
    adc_rate = ini.number("Interface level", "ADC_Sample_Rate", defaults.adc_rate_gsps, kind=float)
    if adc_choice != USER_DEFINED_CHOICE:
        if digital_pim:
            adc_choice = SENSE_AMPLIFIER_CHOICE
        adc_bits, adc_rate = ADC_BY_CHOICE[adc_choice]
        ignored_overrides += ["Interface level/ADC_Precision", "Interface level/ADC_Sample_Rate"]
    elif adc_bits < 1 or adc_rate <= 0:
        raise ConfigError(path, "ADC_Precision" if adc_bits < 1 else "ADC_Sample_Rate",
                          "with ADC_Choice = -1 both must be given; allowed: ADC_Precision >= 1, ADC_Sample_Rate > 0")

    converters = "a count >= 1 (0, MNSIM's area-derived default, is not supported)"
    dacs = ini.number("Process element level", "DAC_Num", defaults.dacs_per_subarray, minimum=1,
                      allowed_text=converters)
    adcs = ini.number("Process element level", "ADC_Num", defaults.adcs_per_subarray, minimum=1,
                      allowed_text=converters)
    # MNSIM reads Group_Num 0 as 1.
    groups = ini.number("Process element level", "Group_Num", defaults.group_num, minimum=0) or 1
    read_latency = ini.number("Device level", "Read_Latency", defaults.device_read_latency_ns, kind=float,
                              minimum=0.0)
    frequency = ini.number("Digital module", "Digital_Frequency", defaults.digital_frequency_mhz, kind=float)
    if frequency <= 0:
        raise ConfigError(path, "Digital_Frequency", f"{frequency}; allowed: > 0 (MHz)")
    bitwidth = ini.number("Architecture level", "Buffer_Bitwidth", defaults.buffer_bitwidth, minimum=0)

    params = PeripheralParams(
        xbar_rows=rows, xbar_cols=cols, subarray_size=subarray, dac_bits=dac_bits, dac_rate_gsps=dac_rate,
        adc_choice=adc_choice, adc_bits=adc_bits, adc_rate_gsps=adc_rate, device_read_latency_ns=read_latency,
        dacs_per_subarray=dacs, adcs_per_subarray=adcs, group_num=groups, digital_frequency_mhz=frequency,
        buffer_bitwidth=bitwidth or DEFAULT_BUFFER_BITWIDTH)
    overridden = [key for key in ignored_overrides if tuple(key.split("/")) in ini.used]
    return params, ini.ignored() + overridden
