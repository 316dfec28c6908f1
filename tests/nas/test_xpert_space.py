"""XPert co-search pieces without compiling: peripheral genes, the two spaces, objectives and constraints,
the N-objective Pareto front, and XPert's NetWork_custom.csv round trip."""
import pytest
import torch

from rnc.nas import peripherals as periph
from rnc.nas import vgg, xpert_csv
from rnc.nas.objectives import Limits, ObjectiveError, minimised, parse_objectives
from rnc.nas.results import pareto_front
from rnc.nas.spaces import MobileNetSpace, VggSpace, make_space


def test_peripheral_genes_decode_to_the_contract_keys():
    assert periph.decode_group(periph.BASELINE_GENES) == periph.BASELINE
    genes = (1, 2, 3, 2)
    overrides = periph.decode_group(genes)
    assert overrides == {"adc_type": "flash", "adc_bits": 5, "cols_per_adc": 8, "input_bits": 4}
    assert periph.genes_of(overrides) == genes
    assert periph.describe_group(overrides) == "flash b5 m8 i4"
    with pytest.raises(ValueError, match="adc_bits = 9"):
        periph.genes_of(overrides | {"adc_bits": 9})
    layers = periph.layer_peripherals([0, 1, 1], genes + periph.BASELINE_GENES)
    assert layers == {0: overrides, 1: periph.BASELINE, 2: periph.BASELINE}
    text = periph.layer_config_toml({3: overrides})
    assert text.splitlines()[:3] == ["[layer.3]", 'adc_type = "flash"', "adc_bits = 5"]


def test_mbv3_space_with_peripherals_canonicalises_dropped_blocks():
    plain, space = MobileNetSpace(), MobileNetSpace(peripherals=True)
    assert plain.n_genes == 36 and space.groups == 18 and space.n_genes == 36 + 4 * 18
    network = (0,) * 36                                  # depth 2 everywhere: blocks 2, 3 of each stage dropped
    genes = network + (1, 1, 1, 1) * space.groups
    canonical = space.canonical(genes)
    active = space.active_groups(network)
    assert len(active) == 2 + 2 * 4
    for g in range(space.groups):
        expected = (1, 1, 1, 1) if g in active else (0, 0, 0, 0)
        assert canonical[36 + 4 * g:40 + 4 * g] == expected
    assert space.from_str(space.to_str(canonical)) == canonical
    assert space.describe_peripherals(genes).count("|") == len(active) - 1
    with pytest.raises(ValueError, match="has 108 genes"):
        space.check(network)
    # The chained export's piece j names the layers of group piece_groups[j].
    groups = space.layer_groups(network, ["/p0/0/conv/Conv", "/p1/expand/conv/Conv", "/p9/head/conv/Conv"])
    assert groups == [0, 1, space.groups - 1]


def test_vgg_space_is_xperts_backbone():
    space = make_space("vgg16", peripherals=True)
    assert space.n_genes == 13 + 4 * 14 and not space.has_supernet
    assert vgg.channels_of(vgg.VGG16_GENES) == vgg.VGG16_CHANNELS
    assert vgg.feature_sizes() == [32, 32, 16, 16, 8, 8, 8, 4, 4, 4, 2, 2, 2]
    net = vgg.VggNet(vgg.VGG16_CHANNELS)
    assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert space.describe(space.baseline_peripherals(vgg.VGG16_GENES)).startswith("c64,64,128,128,256")
    with pytest.raises(ValueError, match="unknown search space"):
        make_space("resnet")


def test_xpert_csv_round_trips_a_design():
    space = VggSpace(peripherals=True)
    network = (1, 3, 2, 0, 0, 2, 3, 0, 2, 3, 3, 1, 1)
    peripheral = tuple(g for layer in range(13) for g in (layer % 2, layer % 6, (layer + 2) % 6, layer % 4))
    genes = network + peripheral + periph.BASELINE_GENES
    text = xpert_csv.write_csv_text(genes)
    rows = [list(map(int, line.split(","))) for line in text.splitlines()]
    assert len(rows) == 13 and all(len(r) == 12 for r in rows)
    assert rows[0][:8] == [34, 34, 3, 3, 3, 128, 0, 1] and rows[1][6] == 1       # padded size, pool after layer 2
    assert rows[0][9] == 2 and rows[1][9] == 1                                     # SAR 2, flash 1
    assert rows[0][11] == 2 ** 3                                                   # levels, not bits
    assert xpert_csv.read_text(text) == genes
    assert space.check(genes) == genes


def test_xpert_csv_reads_xperts_own_layout_with_filler_rows_and_bits():
    layer_rows = xpert_csv.write_rows(VggSpace(True).baseline_peripherals(vgg.VGG16_GENES))
    text = ""
    for row in layer_rows:
        row = row[:11] + [6]                            # XPert's files give ADC bits in the levels column
        text += ", ".join(map(str, row)) + "\n" + "34, 34, 64, 3, 3, 512, 0, 1, 16, 1, 4, 6\n"
    genes = xpert_csv.read_text(text, adc_column="bits")
    groups = periph.decode(genes[13:])
    assert genes[:13] == vgg.VGG16_GENES and all(g["adc_bits"] == 6 for g in groups[:13])
    with pytest.raises(xpert_csv.XpertCsvError, match="not a power of two"):
        xpert_csv.read_text(text)


@pytest.mark.parametrize("text, message", [
    ("1, 2, 3\n", "row 1 has 3 columns"),
    ("34, 34, 3, 3, 3, 128, 0, 1, 16, 1, 4, 64\n", "1 layer rows"),
    ("34, 34, 3, 3, 3, 100, 0, 1, 16, 1, 4, 64\n" * 13, "layer 1 has 100 output channels"),
    ("34, 34, 3, 3, 3, 128, 0, 1, 16, 1, 4, 64\n" * 13, "layer 2 has 3 input channels"),
    ("34, 34, 3, 5, 5, 128, 0, 1, 16, 1, 4, 64\n" * 13, "5x5 kernel"),
    ("34, 34, 3, 3, 3, 128, 0, 1, 3, 1, 4, 64\n" * 13, "layer 1: cols_per_adc = 3"),
])
def test_xpert_csv_errors_name_the_row(text, message):
    with pytest.raises(xpert_csv.XpertCsvError, match=message):
        xpert_csv.read_text(text)


def test_objectives_and_limits():
    assert parse_objectives(None, False) == ("accuracy", "latency")
    assert parse_objectives(None, True) == ("accuracy", "edap")
    assert parse_objectives("edap, area", True) == ("edap", "area")
    for bad, message in (("speed", "unknown objective 'speed'"), ("edap,edap", "twice"), (",", "at least one")):
        with pytest.raises(ObjectiveError, match=message):
            parse_objectives(bad, True)
    record = {"accuracy": 0.9, "speedup": 2.0, "energy_pj": 3e6, "area_mm2": 6.0, "edap": 5.0,
              "xbars_used": 100, "latency_ns": 2000.0, "feasible": True}
    assert minimised(record, ("accuracy", "latency", "edap")) == [-0.9, -2.0, 5.0]
    limits = Limits(max_area_mm2=5, max_latency_us=1, max_energy_uj=10, area_tolerance_pct=10)
    assert limits.area_limit_mm2 == pytest.approx(5.5)
    assert list(limits.excesses(record, 211)) == ["xbars", "area", "latency", "energy"]
    assert limits.violations(record, 211) == "area 6 > 5.5 mm2; latency 2 > 1 us"
    assert Limits().violations(record | {"feasible": False, "xbars_used": 300}, 211) == "xbars 300 > 211"
    assert limits.excesses(record, None)["xbars"] == 0.0        # no budget: every candidate on its fewest
    assert Limits().violations(record | {"xbars_used": 300}, None) == ""


def test_pareto_front_over_any_objectives():
    rows = [{"genes": str(i), "architecture": "a", "peripherals": str(i), "feasible": f, "accuracy": acc,
             "edap": edap, "speedup": 1.0} for i, (acc, edap, f) in
            enumerate([(0.9, 10.0, True), (0.8, 5.0, True), (0.8, 6.0, True), (0.95, 1.0, False)])]
    front = pareto_front(rows, ("accuracy", "edap"))
    assert [c["genes"] for c in front] == ["1", "0"]      # sorted by EDAP; the infeasible one is not on it


def test_the_co_search_starts_half_from_the_baseline_periphery():
    """Uniform draws put a low-precision group in nearly every candidate (chance accuracy everywhere): half
    the first generation starts from the baseline periphery with one group redrawn, deterministically."""
    from rnc.nas import peripherals as periph
    space = make_space("mbv3", True)
    rows = space.initial_population(9, seed=4)
    assert rows == space.initial_population(9, seed=4) and len(rows) == 9
    bounds = space.upper_bounds()
    assert all(0 <= g <= hi for row in rows for g, hi in zip(row, bounds))
    for row in rows[:5]:
        network, peripheral = space.split(row)
        groups = [peripheral[k:k + periph.GENES_PER_GROUP] for k in range(0, len(peripheral), periph.GENES_PER_GROUP)]
        assert sum(g != periph.BASELINE_GENES for g in groups) <= 1
    assert make_space("mbv3", False).initial_population(9, seed=4) is None
