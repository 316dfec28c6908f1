"""Latency of one crossbar matrix-vector product, as MNSIM 2.0 computes it for the RNC reference.

`PeripheralParams` holds the handful of MNSIM parameters that enter the PE latency (timing.md section 1);
its defaults are the reference's SimConfig.ini (`hw/data/SimConfig.ini`, read by `rnc.hw.sim_config`).
`pe_latency_ns` is MNSIM's `PE_latency_analysis` (section 2): an MVM on `read_rows` x `read_cols` cells with
`input_bits`-bit inputs is repeated

    multiple_time = ceil(input_bits / dac_bits) * ceil(rows / DACs per group) * ceil(cols / ADCs per subarray)

times through DAC, crossbar and ADC, plus the digital periphery (input/output registers, shift register,
input demux, output mux, adder tree). With the defaults that is 18.59664881*P*R*C + 2*R*C + 2*C ns,
152.77319048 ns for any read within one 128 x 128 crossbar at 8 input bits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from rnc.hw.cost.params import MAX_ADC_BITS, MAX_ARRAY_SIDE
from rnc.hw.parameters import ParameterError, check_parameters, integers, numbers, parameter

# MNSIM's DAC_Choice table: precision in bits (ISAAC data). Any listed choice runs at 1 GS/s.
DAC_BITS_BY_CHOICE = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 1}
DAC_CHOICE_RATE_GSPS = 1.0
# MNSIM's ADC_Choice table: (precision in bits, sample rate in GS/s); 2 is ISAAC's, 8 a sense amplifier.
ADC_BY_CHOICE = {1: (10, 1.5), 2: (8, 1.28), 3: (8, 1.1), 4: (6, 1.0), 5: (8, 1.1), 6: (6, 1.0),
                 7: (4, 1.0), 8: (1, 1.0), 9: (8, 6.0)}
ADC_CHOICE_RAMP = 9  # converts in 2**bits sample periods instead of bits + 2
# NVSim figures at 65 nm that MNSIM hard-codes: one 1:8 decoder stage, one 8:1 mux stage.
DECODER_STAGE_NS = 0.27933
MUX_STAGE_NS = 0.032744
# MNSIM overrides its SRAM cycle table with a fixed 20 ns PE input buffer cycle.
INPUT_BUFFER_CYCLE_NS = 20.0

_INI = "RNC SimConfig.ini"

# Sanity limits on the parameters (rnc's, not a device's): far beyond any array or converter built so far
# (fabricated RRAM crossbars reach 1024 x 1024), they keep every latency finite and every per-crossbar array
# of the simulators allocatable. Out of range is an error naming the key (rnc.hw.parameters). Where the cost
# model (rnc.hw.cost.params.PeripheralConfig) has a limit of its own, it is the one used here.
MAX_XBAR_SIZE = MAX_ARRAY_SIDE  # rows or columns of a crossbar (4096), rows of a subarray, crossbar groups
MAX_BITS = 32                  # input and weight bits
MAX_CELL_BITS = 8              # bits a cell stores, as the cost model's crossbar allows
MAX_DAC_BITS = 8               # input bits a DAC applies at once, as the cost model's crossbar allows
MAX_CONVERTERS = 65536         # DACs or ADCs per subarray, buffer bus bits
MAX_DELAY_NS = 1e6             # one device read, mux or buffer step: 1 ms
RATES_GSPS = numbers(1e-6, 1e6)   # converter sample rates: 1 kS/s .. 1 PS/s
DELAYS_NS = numbers(0, MAX_DELAY_NS)


@dataclass(frozen=True)
class PeripheralParams:
    """MNSIM parameters that set the PE latency; the defaults reproduce the RNC reference."""

    xbar_rows: int = parameter(128, unit="cells", source=f"{_INI} Xbar_Size",
                               doc="word lines (matrix rows) per crossbar", allowed=integers(1, MAX_XBAR_SIZE))
    xbar_cols: int = parameter(128, unit="cells", source=f"{_INI} Xbar_Size",
                               doc="bit lines per crossbar; a weight takes cells_per_weight of them",
                               allowed=integers(1, MAX_XBAR_SIZE))
    subarray_size: int = parameter(128, unit="rows", source=f"{_INI} Subarray_Size",
                                   doc="rows per subarray; xbar_rows must be a multiple",
                                   allowed=integers(1, MAX_XBAR_SIZE))
    dac_bits: int = parameter(1, unit="bits", source=f"{_INI} DAC_Choice = 1 (MNSIM's DAC table)",
                              doc="DAC precision: input bits applied per pass", allowed=integers(1, MAX_DAC_BITS))
    dac_rate_gsps: float = parameter(DAC_CHOICE_RATE_GSPS, unit="GS/s", source="MNSIM's DAC table (every choice)",
                                     doc="DAC sample rate", allowed=RATES_GSPS)
    adc_choice: int = parameter(2, unit="-", source=f"{_INI} ADC_Choice (ISAAC's ADC)",
                                doc=f"MNSIM ADC type; only {ADC_CHOICE_RAMP} (ramp) changes the latency formula",
                                allowed=integers(min(ADC_BY_CHOICE), max(ADC_BY_CHOICE), -1))
    adc_bits: int = parameter(8, unit="bits", source="MNSIM's ADC table, choice 2", doc="ADC precision",
                              allowed=integers(1, MAX_ADC_BITS))
    adc_rate_gsps: float = parameter(1.28, unit="GS/s", source="MNSIM's ADC table, choice 2",
                                     doc="ADC sample rate", allowed=RATES_GSPS)
    device_read_latency_ns: float = parameter(3.16, unit="ns", source=f"{_INI} Read_Latency",
                                              doc="cell read latency (MNSIM adds a wire term)", allowed=DELAYS_NS)
    dacs_per_subarray: int = parameter(256, unit="DACs", source=f"{_INI} DAC_Num",
                                       doc="DACs per subarray: rows driven at once",
                                       allowed=integers(1, MAX_CONVERTERS))
    adcs_per_subarray: int = parameter(128, unit="ADCs", source=f"{_INI} ADC_Num",
                                       doc="ADCs per subarray: columns converted at once",
                                       allowed=integers(1, MAX_CONVERTERS))
    group_num: int = parameter(1, unit="groups", source=f"{_INI} Group_Num",
                               doc="crossbar groups per PE (adder tree of ceil(log2) levels)",
                               allowed=integers(1, MAX_XBAR_SIZE))
    digital_frequency_mhz: float = parameter(500.0, unit="MHz", source=f"{_INI} Digital_Frequency",
                                             doc="digital clock: registers, adders, rnc's digital unit and bus",
                                             allowed=numbers(1e-3, 1e6))
    decoder_stage_ns: float = parameter(DECODER_STAGE_NS, unit="ns", source="MNSIM (NVSim, 65 nm)",
                                        doc="one 1:8 input demux stage", allowed=DELAYS_NS)
    mux_stage_ns: float = parameter(MUX_STAGE_NS, unit="ns", source="MNSIM (NVSim, 65 nm)",
                                    doc="one 8:1 output mux stage", allowed=DELAYS_NS)
    input_buffer_cycle_ns: float = parameter(INPUT_BUFFER_CYCLE_NS, unit="ns", source="MNSIM (fixed PE buffer cycle)",
                                             doc="PE input buffer access cycle",
                                             allowed=numbers(0, MAX_DELAY_NS, low_open=True))
    buffer_bitwidth: int = parameter(64, unit="bits", source=f"{_INI} Buffer_Bitwidth",
                                     doc="PE input buffer bus width", allowed=integers(1, MAX_CONVERTERS))
    input_bits: int = parameter(8, unit="bits", source="RNC reference (8-bit activations)",
                                doc="input bits per MVM, applied dac_bits at a time", allowed=integers(1, MAX_BITS))

    def __post_init__(self) -> None:
        check_parameters(self)
        if self.xbar_rows % self.subarray_size:
            raise ParameterError("subarray_size", f"must divide xbar_rows {self.xbar_rows}, got {self.subarray_size}")

    # Derived quantities, each named after the MNSIM attribute it mirrors.
    @property
    def subarray_num(self) -> int:
        return self.xbar_rows // self.subarray_size

    @property
    def dacs_per_group(self) -> int:
        """PE_group_DAC_num: input rows driven at once."""
        return self.dacs_per_subarray * self.subarray_num

    @property
    def cols_per_adc(self) -> int:
        """Columns each ADC of this (reference-compatible) model converts in turn: ceil(xbar_cols / ADCs).

        The same fact as `PeripheralConfig.cols_per_adc` of the chip, for the reference's MNSIM machine; on
        `rnc-reference` the two agree (tests/hw/test_adc_sharing.py), on other chips they differ on purpose
        (docs/hardware.md, "ADC sharing")."""
        return math.ceil(self.xbar_cols / self.adcs_per_subarray)

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
        return _mux_stages(self.cols_per_adc) * self.mux_stage_ns


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
