"""Reading an MNSIM 2.0 / RNC-style SimConfig.ini into `PeripheralParams`.

Only the keys that set the PE latency are read; every other key is reported back as ignored. The sample
`hw/data/SimConfig.ini` (`DEFAULT_SIM_CONFIG`) holds the RNC reference's values, which are the defaults.
"""
from __future__ import annotations

import configparser
from pathlib import Path

from rnc.hw.parameters import ParameterError, described
from rnc.hw.peripherals import ADC_BY_CHOICE, DAC_BITS_BY_CHOICE, DAC_CHOICE_RATE_GSPS, PeripheralParams

DEFAULT_SIM_CONFIG = Path(__file__).parent / "data" / "SimConfig.ini"

USER_DEFINED_CHOICE = -1       # MNSIM: DAC/ADC_Choice -1 takes _Precision and _Sample_Rate from the file
SENSE_AMPLIFIER_CHOICE = 8     # MNSIM: what a digital PIM (PIM_Type 1) forces on ADC_Choice
DEFAULT_BUFFER_BITWIDTH = 256  # MNSIM: what it reads Buffer_Bitwidth = 0 as


class ConfigError(Exception):
    """A SimConfig.ini value rnc cannot use: names the file, the key (None: the file as a whole) and what is
    allowed."""

    def __init__(self, file: str | Path, key: str | None, message: str) -> None:
        super().__init__(f"{file}: key '{key}': {message}" if key else f"{file}: {message}")
        self.file = str(file)
        self.key = key
        self.message = message


_PARAMETERS = {p.key: p for p in described(PeripheralParams)}
# The SimConfig.ini key that sets each parameter read from the file.
INI_KEYS = {"xbar_rows": "Xbar_Size", "xbar_cols": "Xbar_Size", "subarray_size": "Subarray_Size",
            "dac_bits": "DAC_Precision", "dac_rate_gsps": "DAC_Sample_Rate", "adc_choice": "ADC_Choice",
            "adc_bits": "ADC_Precision", "adc_rate_gsps": "ADC_Sample_Rate",
            "device_read_latency_ns": "Read_Latency", "dacs_per_subarray": "DAC_Num", "adcs_per_subarray": "ADC_Num",
            "group_num": "Group_Num", "digital_frequency_mhz": "Digital_Frequency", "buffer_bitwidth": "Buffer_Bitwidth"}


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
            raise ConfigError(path, None, f"cannot read: {err.strerror}") from None
        except UnicodeDecodeError as err:
            raise ConfigError(path, None, f"not an INI file: not UTF-8 text (byte 0x{err.object[err.start]:02x} at "
                                          f"offset {err.start})") from None
        except configparser.Error as err:
            raise ConfigError(path, None, f"not an INI file: {_ini_problem(err)}") from None
        self.used: set[tuple[str, str]] = set()

    def raw(self, section: str, key: str) -> str | None:
        if not self.parser.has_option(section, key):
            return None
        self.used.add((section, key))
        return self.parser.get(section, key).strip()

    def number(self, section: str, key: str, default, kind=int, allowed_text=None):
        """The key's value as `kind` (`default` when the file lacks it); not range-checked."""
        text = self.raw(section, key)
        if text is None:
            return default
        try:
            return kind(text)
        except ValueError:
            raise ConfigError(self.path, key, f"{text!r} is not {_KIND_NAMES[kind]}"
                              + (f"; allowed: {allowed_text}" if allowed_text else "")) from None

    def parameter(self, section: str, key: str, name: str, *, zero_means=None, note: str = ""):
        """The value of `key`, which sets PeripheralParams' `name`, checked against that parameter's allowed
        values (its default when the file lacks the key). MNSIM reads 0 as `zero_means` for a few keys."""
        info = _PARAMETERS[name]
        allowed = info.allowed_text() + (f" or 0 (read as {zero_means})" if zero_means is not None else "") + note
        value = self.number(section, key, None, int if info.allowed.integer else float, allowed)
        if value is None:
            return info.default
        if zero_means is not None and value == 0:
            return zero_means
        self.check(key, info, value, allowed)
        return value

    def check(self, key: str, info, value, allowed: str) -> None:
        if not info.allowed.accepts(value):
            raise ConfigError(self.path, key, f"must be {allowed}, got {value!r}")

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


def _ini_problem(err: configparser.Error) -> str:
    """configparser's complaint without its 'While reading from ...' preamble, with the line number."""
    if isinstance(err, configparser.DuplicateSectionError):
        return f"line {err.lineno}: section '{err.section}' appears twice"
    if isinstance(err, configparser.DuplicateOptionError):
        return f"line {err.lineno}: key '{err.option}' appears twice in section '{err.section}'"
    if isinstance(err, configparser.MissingSectionHeaderError):
        return f"line {err.lineno}: a key before the first [section] header"
    if isinstance(err, configparser.ParsingError) and err.errors:
        lineno, line = err.errors[0]
        return f"line {lineno}: cannot parse {line[:40]!r}"
    return err.message.splitlines()[0]


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
        size = _PARAMETERS["xbar_rows"]
        allowed = f"'rows, cols', each {size.allowed_text()}"
        try:
            rows, cols = (int(part) for part in xbar_text.split(","))
        except ValueError:
            raise ConfigError(path, "Xbar_Size", f"{xbar_text!r}; allowed: {allowed}") from None
        for value in (rows, cols):
            ini.check("Xbar_Size", size, value, allowed)
    subarray = ini.parameter("Crossbar level", "Subarray_Size", "subarray_size")
    if rows % subarray:
        raise ConfigError(path, "Subarray_Size", f"{subarray} does not divide the {rows} crossbar rows; "
                          f"allowed: a divisor of {rows}")

    digital_pim = ini.number("Process element level", "PIM_Type", 0, allowed_text="0 (analog), 1 (digital)")
    if digital_pim not in (0, 1):
        raise ConfigError(path, "PIM_Type", f"{digital_pim}; allowed: 0 (analog), 1 (digital)")

    user_defined = f" (DAC_Choice = {USER_DEFINED_CHOICE} reads it)"
    dac_choice = ini.choice("Interface level", "DAC_Choice", 1, DAC_BITS_BY_CHOICE)
    if dac_choice != USER_DEFINED_CHOICE:
        # A listed choice fixes precision and rate; a digital PIM drives 1-bit inputs (MNSIM's rule).
        dac_bits = DAC_BITS_BY_CHOICE[1 if digital_pim else dac_choice]
        dac_rate = DAC_CHOICE_RATE_GSPS
        ignored_overrides += ["Interface level/DAC_Precision", "Interface level/DAC_Sample_Rate"]
        ini.raw("Interface level", "DAC_Precision"), ini.raw("Interface level", "DAC_Sample_Rate")
    else:
        dac_bits = ini.parameter("Interface level", "DAC_Precision", "dac_bits", note=user_defined)
        dac_rate = ini.parameter("Interface level", "DAC_Sample_Rate", "dac_rate_gsps", note=user_defined)

    user_defined = user_defined.replace("DAC", "ADC")
    adc_choice = ini.choice("Interface level", "ADC_Choice", defaults.adc_choice, ADC_BY_CHOICE)
    if adc_choice != USER_DEFINED_CHOICE:
        if digital_pim:
            adc_choice = SENSE_AMPLIFIER_CHOICE
        adc_bits, adc_rate = ADC_BY_CHOICE[adc_choice]
        ignored_overrides += ["Interface level/ADC_Precision", "Interface level/ADC_Sample_Rate"]
        ini.raw("Interface level", "ADC_Precision"), ini.raw("Interface level", "ADC_Sample_Rate")
    else:
        adc_bits = ini.parameter("Interface level", "ADC_Precision", "adc_bits", note=user_defined)
        adc_rate = ini.parameter("Interface level", "ADC_Sample_Rate", "adc_rate_gsps", note=user_defined)

    converters = " (0, MNSIM's area-derived default, is not supported)"
    dacs = ini.parameter("Process element level", "DAC_Num", "dacs_per_subarray", note=converters)
    adcs = ini.parameter("Process element level", "ADC_Num", "adcs_per_subarray", note=converters)
    groups = ini.parameter("Process element level", "Group_Num", "group_num", zero_means=1)
    read_latency = ini.parameter("Device level", "Read_Latency", "device_read_latency_ns")
    frequency = ini.parameter("Digital module", "Digital_Frequency", "digital_frequency_mhz")
    bitwidth = ini.parameter("Architecture level", "Buffer_Bitwidth", "buffer_bitwidth",
                             zero_means=DEFAULT_BUFFER_BITWIDTH)
    try:
        params = PeripheralParams(
            xbar_rows=rows, xbar_cols=cols, subarray_size=subarray, dac_bits=dac_bits, dac_rate_gsps=dac_rate,
            adc_choice=adc_choice, adc_bits=adc_bits, adc_rate_gsps=adc_rate, device_read_latency_ns=read_latency,
            dacs_per_subarray=dacs, adcs_per_subarray=adcs, group_num=groups, digital_frequency_mhz=frequency,
            buffer_bitwidth=bitwidth)
    except ParameterError as e:   # a rule between keys (each key was checked as it was read)
        raise ConfigError(path, INI_KEYS.get(e.key, e.key), f"{e.key} {e.reason}") from None
    overridden = [key for key in ignored_overrides if tuple(key.split("/")) in ini.used]
    return params, ini.ignored() + overridden
