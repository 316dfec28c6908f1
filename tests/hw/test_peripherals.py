"""PE latency against the reference's figures (timing.md sections 1, 2 and 4)."""
import pytest

from rnc.hw.peripherals import PeripheralParams, pe_latency_breakdown, pe_latency_ns
from rnc.passes.xbar_algorithms.reference import reference_table

DEFAULTS = PeripheralParams()
PE_ONE_XBAR_NS = 152.77319048

# Section 2, "Others": (input bits, rows, cols) -> ns.
OTHERS = [
    ((1, 1, 1), 22.596649), ((1, 128, 128), 22.596649), ((4, 1, 1), 78.386595), ((4, 128, 128), 78.386595),
    ((9, 128, 128), 171.369839), ((8, 256, 128), 152.773190), ((8, 257, 128), 303.546381),
    ((8, 128, 129), 305.546381), ((8, 576, 64), 454.319571), ((8, 128, 576), 763.865952),
    ((8, 1152, 512), 3023.463810), ((8, 128, 0), 0.0),
]



@pytest.mark.parametrize("rows", [1, 9, 16, 27, 64, 72, 128])
@pytest.mark.parametrize("cols", [1, 16, 64, 128])
def test_section2_table_every_read_within_one_crossbar(rows, cols):
    assert pe_latency_ns(DEFAULTS, rows, cols, 8) == pytest.approx(152.773190, rel=1e-5)


@pytest.mark.parametrize(("read", "expected"), OTHERS)
def test_section2_others(read, expected):
    bits, rows, cols = read
    assert pe_latency_ns(DEFAULTS, rows, cols, bits) == pytest.approx(expected, rel=1e-5, abs=1e-9)


def test_section2_steps_and_empty_reads():
    assert pe_latency_ns(DEFAULTS, 256, 128) == pytest.approx(PE_ONE_XBAR_NS, rel=1e-9)
    assert pe_latency_ns(DEFAULTS, 257, 128) > pe_latency_ns(DEFAULTS, 256, 128)
    assert pe_latency_ns(DEFAULTS, 128, 129) > pe_latency_ns(DEFAULTS, 128, 128)
    assert pe_latency_ns(DEFAULTS, 0, 128) == 0.0
    assert pe_latency_ns(DEFAULTS, 128, 0) == 0.0


def test_section2_closed_form():
    for bits, rows, cols in [(8, 300, 300), (3, 1000, 17), (8, 4608, 512)]:
        p, r, c = bits, -(-rows // 256), -(-cols // 128)
        expected = 18.59664881 * p * r * c + 2 * r * c + 2 * c
        assert pe_latency_ns(DEFAULTS, rows, cols, bits) == pytest.approx(expected, rel=1e-9)


def test_section2_intermediates():
    parts = pe_latency_breakdown(DEFAULTS, 128, 128, 8)
    expected = dict(crossbar=25.28000648, dac=24, adc=62.5, ireg=18, shift_reg=16, demux=4.46928, adder=0,
                    mux=0.523904, oreg=2, buffer_write=0, buffer_read=0)
    for name, value in expected.items():
        assert getattr(parts, name) == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert parts.computing == pytest.approx(111.78000648, rel=1e-9)
    assert parts.digital == pytest.approx(40.993184, rel=1e-9)
    assert parts.total == pytest.approx(PE_ONE_XBAR_NS, rel=1e-9)


def test_section1_constants():
    assert DEFAULTS.dac_latency_ns == 3
    assert DEFAULTS.adc_latency_ns == pytest.approx(7.8125)
    assert DEFAULTS.xbar_read_latency_ns == pytest.approx(3.16000081, rel=1e-12)
    assert DEFAULTS.decoder_latency_ns == pytest.approx(0.55866)
    assert DEFAULTS.mux_latency_ns == pytest.approx(0.065488)
    assert DEFAULTS.digital_period_ns == 2


def test_input_buffer_costs_one_cycle_per_bus_word():
    parts = pe_latency_breakdown(DEFAULTS, 128, 128, 8, input_bytes=8, read_bytes=9)
    assert (parts.buffer_write, parts.buffer_read) == (20, 40)


@pytest.mark.parametrize("model", ["mbv3_small", "resnet18", "squeezenet"])
def test_section4_raw_mvm_ns(model):
    # Section 4, raw_mvm_ns of every layer (rows and cols come from the layer tables, c = cols).
    for row in reference_table(f"{model}.timing"):
        assert pe_latency_ns(DEFAULTS, int(row["rows"]), int(row["cols"]), 8) == \
            pytest.approx(float(row["raw_mvm_ns"]), rel=1e-5), row["layer"]


def test_params_reject_impossible_values():
    with pytest.raises(ValueError, match="subarray_size"):
        PeripheralParams(xbar_rows=128, subarray_size=96)
    with pytest.raises(ValueError, match="dac_bits"):
        PeripheralParams(dac_bits=0)
