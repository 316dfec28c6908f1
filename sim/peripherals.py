"""Latency of one crossbar matrix-vector product, as MNSIM 2.0 computes it for the RNC reference.

`PeripheralParams` holds the handful of MNSIM parameters that enter the PE latency (timing.md section 1);
its defaults are the reference's SimConfig.ini. `pe_latency_ns` is MNSIM's `PE_latency_analysis` (section 2):
an MVM on `read_rows` x `read_cols` cells with `input_bits`-bit inputs is repeated

    multiple_time = ceil(input_bits / dac_bits) * ceil(rows / DACs per group) * ceil(cols / ADCs per subarray)

times through DAC, crossbar and ADC, plus the digital periphery (input/output registers, shift register,
input demux, output mux, adder tree). With the defaults that is 18.59664881*P*R*C + 2*R*C + 2*C ns,
152.77319048 ns for any read within one 128 x 128 crossbar at 8 input bits.

`PeripheralParams.from_ini` reads an MNSIM/RNC-style SimConfig.ini (sample: `sim/data/SimConfig.ini`).
"""
from __future__ import annotations

import configparser
import math
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

DEFAULT_SIM_CONFIG = Path(__file__).parent / "data" / "SimConfig.ini"

USER_DEFINED_CHOICE = -1
# MNSIM's DAC_Choice table: precision in bits (ISAAC data). Any listed choice runs at 1 GS/s.
DAC_BITS_BY_CHOICE = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 1}
DAC_CHOICE_RATE_GSPS = 1.0
# MNSIM's ADC_Choice table: (precision in bits, sample rate in GS/s); 2 is ISAAC's, 8 a sense amplifier.
ADC_BY_CHOICE = {1: (10, 1.5), 2: (8, 1.28), 3: (8, 1.1), 4: (6, 1.0), 5: (8, 1.1), 6: (6, 1.0),
                 7: (4, 1.0), 8: (1, 1.0), 9: (8, 6.0)}
ADC_CHOICE_RAMP = 9  # converts in 2**bits sample periods instead of bits + 2
SENSE_AMPLIFIER_CHOICE = 8  # what a digital PIM (PIM_Type 1) forces on ADC_Choice
# NVSim figures at 65 nm that MNSIM hard-codes: one 1:8 decoder stage, one 8:1 mux stage.
DECODER_STAGE_NS = 0.27933
MUX_STAGE_NS = 0.032744
# MNSIM overrides its SRAM cycle table with a fixed 20 ns PE input buffer cycle.
INPUT_BUFFER_CYCLE_NS = 20.0
DEFAULT_BUFFER_BITWIDTH = 256  # what MNSIM reads Buffer_Bitwidth = 0 as


@dataclass(frozen=True)
class PeripheralParams:
    """MNSIM parameters that set the PE latency; the defaults reproduce the RNC reference."""

    xbar_rows: int = 128
    xbar_cols: int = 128
    subarray_size: int = 128            # rows per subarray; xbar_rows must be a multiple
    dac_bits: int = 1
    dac_rate_gsps: float = DAC_CHOICE_RATE_GSPS
    adc_choice: int = 2                 # only ADC_CHOICE_RAMP changes the ADC latency formula
    adc_bits: int = 8
    adc_rate_gsps: float = 1.28
    device_read_latency_ns: float = 3.16
    dacs_per_subarray: int = 256        # DAC_Num
    adcs_per_subarray: int = 128        # ADC_Num
    group_num: int = 1
    digital_frequency_mhz: float = 500.0
    decoder_stage_ns: float = DECODER_STAGE_NS
    mux_stage_ns: float = MUX_STAGE_NS
    input_buffer_cycle_ns: float = INPUT_BUFFER_CYCLE_NS
    buffer_bitwidth: int = 64
    input_bits: int = 8

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "adc_choice":
                continue
            if f.name == "device_read_latency_ns" or f.name.endswith("stage_ns"):
                if value < 0:
                    raise ValueError(f"{f.name} must be >= 0, got {value}")
            elif value <= 0:
                raise ValueError(f"{f.name} must be > 0, got {value}")
        if self.xbar_rows % self.subarray_size:
            raise ValueError(f"xbar_rows {self.xbar_rows} is not a multiple of subarray_size {self.subarray_size}")

    @classmethod
    def from_ini(cls, path: str | Path) -> tuple["PeripheralParams", list[str]]:
        """Reads an MNSIM-style SimConfig.ini; returns the parameters and the keys latency ignores.

        Keys missing from the file keep the reference's defaults. Ignored keys come back as
        "Section/Key" so the caller can report them; they include DAC/ADC_Precision and _Sample_Rate when a
        listed DAC/ADC_Choice overrides them. Invalid values raise `ConfigError`.
        """
        return _read_sim_config(Path(path))

    # Derived quantities, each named after the MNSIM attribute it mirrors.
    @property
    def subarray_num(self) -> int:
        return self.xbar_rows // self.subarray_size

    @property
    def dacs_per_group(self) -> int:
        """PE_group_DAC_num: input rows driven at once."""
        return self.dacs_per_subarray * self.subarray_num

    @property
    def digital_period_ns(self) -> float:
        return 1e3 / self.digital_frequency_mhz

    @property
    def dac_latency_ns(self) -> float:
        return (self.dac_bits + 2) / self.dac_rate_gsps

    @property
    def adc_latency_ns(self) -> float:
        if self.adc_bits == 1:
            return 1 / self.adc_rate_gsps
        if self.adc_choice == ADC_CHOICE_RAMP:
            return 2 ** self.adc_bits / self.adc_rate_gsps
        return (self.adc_bits + 2) / self.adc_rate_gsps

    @property
    def xbar_read_latency_ns(self) -> float:
        """Device read latency plus MNSIM's wire term, a quadratic in the array size in KB."""
        size_kb = self.xbar_rows * self.xbar_cols / 1024 / 8
        wire_ns = 0.001 * (0.0002 * size_kb ** 2 + 5e-6 * size_kb + 4e-14)
        return self.device_read_latency_ns + wire_ns

    @property
    def decoder_latency_ns(self) -> float:
        """Input demux: one 1:8 stage more than the base-8 digits of the rows each DAC serves."""
        return _mux_stages(math.ceil(self.subarray_size / self.dacs_per_subarray)) * self.decoder_stage_ns

    @property
    def mux_latency_ns(self) -> float:
        """Output mux: one 8:1 stage more than the base-8 digits of the columns each ADC serves."""
        return _mux_stages(math.ceil(self.xbar_cols / self.adcs_per_subarray)) * self.mux_stage_ns


def _mux_stages(lines_per_converter: int) -> int:
    stages = 1
    while lines_per_converter > 0:
        lines_per_converter //= 8
        stages += 1
    return stages


@dataclass(frozen=True)
class PeLatencyBreakdown:
    """The components of one PE latency, in ns (MNSIM's names in the comments)."""

    buffer_write: float = 0.0   # PE_buf_wlatency
    buffer_read: float = 0.0    # PE_buf_rlatency
    dac: float = 0.0            # DAC_latency
    crossbar: float = 0.0       # xbar_latency
    adc: float = 0.0            # ADC_latency
    ireg: float = 0.0           # iReg_latency (write + read)
    shift_reg: float = 0.0      # shiftreg_latency
    demux: float = 0.0          # input_demux_latency
    mux: float = 0.0            # output_mux_latency
    adder: float = 0.0          # adder_latency
    oreg: float = 0.0           # oReg_latency

    @property
    def computing(self) -> float:
        return self.dac + self.crossbar + self.adc

    @property
    def digital(self) -> float:
        return self.ireg + self.shift_reg + self.demux + self.adder + self.mux + self.oreg

    @property
    def total(self) -> float:
        return self.buffer_write + self.buffer_read + self.computing + self.digital


def pe_latency_breakdown(params: PeripheralParams, read_rows: int, read_cols: int,
                         input_bits: int | None = None, *, input_bytes: int = 0,
                         read_bytes: int = 0) -> PeLatencyBreakdown:
    """MNSIM's PE latency of one MVM on `read_rows` x `read_cols` cells, by component.

    `input_bits` defaults to `params.input_bits`. `input_bytes` / `read_bytes` are the data written to and
    read from the PE input buffer (RNC passes 0, so the buffer costs nothing). An empty read (no rows or
    no columns) costs 0, as timing.md section 2 states.
    """
    bits = params.input_bits if input_bits is None else input_bits
    if read_rows < 0 or read_cols < 0:
        raise ValueError(f"read size must be >= 0, got {read_rows} x {read_cols}")
    if bits < 1:
        raise ValueError(f"input_bits must be >= 1, got {bits}")
    if read_rows == 0 or read_cols == 0:
        return PeLatencyBreakdown()
    passes = math.ceil(bits / params.dac_bits)
    row_rounds = math.ceil(read_rows / params.dacs_per_group)
    col_rounds = math.ceil(read_cols / params.adcs_per_subarray)
    multiple_time = passes * row_rounds * col_rounds
    period = params.digital_period_ns
    bus_bytes = params.buffer_bitwidth / 8
    return PeLatencyBreakdown(
        buffer_write=math.ceil(input_bytes / bus_bytes) * params.input_buffer_cycle_ns,
        buffer_read=math.ceil(read_bytes / bus_bytes) * params.input_buffer_cycle_ns,
        dac=multiple_time * params.dac_latency_ns,
        crossbar=multiple_time * params.xbar_read_latency_ns,
        adc=multiple_time * params.adc_latency_ns,
        ireg=row_rounds * col_rounds * period + multiple_time * period,
        shift_reg=multiple_time * period,
        demux=multiple_time * params.decoder_latency_ns,
        mux=multiple_time * params.mux_latency_ns,
        adder=col_rounds * math.ceil(math.log2(params.group_num)) * period,
        oreg=col_rounds * period,
    )


@lru_cache(maxsize=1024)   # the passes and timing ask it for every tile; a model has few tile shapes
def pe_latency_ns(params: PeripheralParams, read_rows: int, read_cols: int,
                  input_bits: int | None = None) -> float:
    """MNSIM's PE latency of one MVM on `read_rows` x `read_cols` cells (timing.md section 2)."""
    return pe_latency_breakdown(params, read_rows, read_cols, input_bits).total


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


def _read_sim_config(path: Path) -> tuple[PeripheralParams, list[str]]:
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
