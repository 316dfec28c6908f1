"""The reference's network latency (timing.md section 5) against its check values."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnc.passes.xbar_algorithms.reference import reference_layers, reference_table
from rnc.passes.xbar_algorithms.tiling import depthwise_split
from rnc.sim.reference_cases import CHECK_SAMPLES, check_cases, crossbars_used, reference_network
from rnc.sim.reference_timing import (RefLayer, RefTile, closed_form_latency_ns, pipeline_makespan_ns,
                                      simulate_reference, stage_ns, waves)

PE_NS = 152.77319048

# The values are printed to 1e-3 ns; 1e-8 relative is well inside the 0.01% asked for.
REL = 1e-8
CASES = check_cases()  # timing.md section 5 (latency.csv)

# Section 4, last paragraph: depthwise stage cycles with depth_split_factor 5.
SPLIT5_DEPTHWISE_CYCLES = {2: 3072, 7: 3584, 13: 4352, 18: 1216, 24: 3072, 29: 3072, 34: 1536, 40: 1792,
                           45: 912, 51: 1840, 56: 1840}


def _case_id(case):
    return f"{case.model}-m{case.copies}-split{case.split}-{case.placement}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_section5_check_values(case):
    network = case.network()
    assert crossbars_used(network) == case.crossbars
    for samples in CHECK_SAMPLES:
        result = simulate_reference(network, samples)
        assert result.latency_ns == pytest.approx(case.latency_ns[samples], rel=REL)
        assert result.ideal_ns == pytest.approx(case.ideal_ns[samples], rel=REL)


@pytest.mark.parametrize("model", ["mbv3_small", "resnet18", "squeezenet"])
def test_section4_tiles_stages_and_caps(model):
    network = reference_network(model)
    section4 = reference_table(f"{model}.timing")
    assert len(network) == len(section4)
    for layer, row in zip(network, section4):
        assert len(layer.copies[0]) == int(row["tiles"]), layer.name
        assert stage_ns(layer) == pytest.approx(float(row["stage_ns"]), abs=1e-3), layer.name
        assert layer.n_cap == int(row["n_cap"]), layer.name


def test_split5_tiles_and_depthwise_stage_cycles():
    layers = reference_layers("mbv3_small")
    assert [i for i, layer in enumerate(layers) if layer.depthwise] == sorted(SPLIT5_DEPTHWISE_CYCLES)
    assert sum(len(depthwise_split(layer, 5)) for layer in layers) == 249
    network = reference_network("mbv3_small", split=5)
    for index, cycles in SPLIT5_DEPTHWISE_CYCLES.items():
        assert max(tile.cycles for tile in network[index].copies[0]) == cycles
        assert stage_ns(network[index]) == pytest.approx(PE_NS * cycles, rel=1e-12)


def test_isaac_like_eight_samples_exact():
    # The two 8-sample figures the brief singles out (0.1% asked; these are exact to the printed digits).
    assert simulate_reference(reference_network("mbv3_small"), 8).latency_ns == pytest.approx(40_616_891.5, abs=0.05)
    assert simulate_reference(reference_network("squeezenet"), 8).latency_ns == pytest.approx(1_443_553.9, abs=0.05)


def test_floor_quirk():
    # Squeezenet layer 0 with two copies costs floor(961 / 2) = 480 MVMs, and a linear layer with two
    # copies costs nothing (floor(1 / 2) = 0).
    squeezenet = reference_network("squeezenet", copies=2)
    assert stage_ns(squeezenet[0]) == pytest.approx(PE_NS * 480, rel=1e-12)
    mbv3 = reference_network("mbv3_small", copies=2)
    assert stage_ns(mbv3[61]) == 0.0 and stage_ns(mbv3[62]) == 0.0


@pytest.mark.parametrize("case", [("mbv3_small", 1, 1), ("mbv3_small", 1, 5), ("squeezenet", 1, 1),
                                  ("resnet18", 1, 1), ("squeezenet", 2, 1), ("squeezenet", 3, 1)])
@pytest.mark.parametrize("samples", [1, 3, 8])
def test_closed_form_equals_simulation_without_sharing(case, samples):
    model, copies, split = case
    network = reference_network(model, copies, split)
    result = simulate_reference(network, samples)
    assert closed_form_latency_ns(network, samples) == pytest.approx(result.latency_ns, rel=1e-12)
    assert closed_form_latency_ns(network, samples, ideal=True) == pytest.approx(result.ideal_ns, rel=1e-12)


def test_closed_form_covers_waves_within_a_layer():
    network = reference_network("squeezenet", placement="layer")
    assert closed_form_latency_ns(network, 8) == pytest.approx(1_614_354.304, rel=REL)


@st.composite
def unshared_networks(draw):
    """Chains whose layers never share a crossbar, with n_cap >= copies (the closed form's domain)."""
    layers, next_xbar = [], 0
    for index in range(draw(st.integers(1, 6))):
        copies = []
        for _ in range(draw(st.integers(1, 3))):
            tiles = []
            for _ in range(draw(st.integers(1, 3))):
                # A small pool of crossbars per layer makes waves within the layer.
                xbar = next_xbar + draw(st.integers(0, 2))
                tiles.append(RefTile(draw(st.integers(0, 50)), draw(st.sampled_from([1.0, 2.5, PE_NS])), xbar))
            copies.append(tiles)
        next_xbar += 3
        layers.append(RefLayer(f"l{index}", copies, n_cap=len(copies) + draw(st.integers(0, 2))))
    return layers


@settings(max_examples=60, deadline=None)
@given(unshared_networks(), st.integers(1, 6))
def test_closed_form_equals_simulation_on_random_chains(network, samples):
    result = simulate_reference(network, samples)
    assert closed_form_latency_ns(network, samples) == pytest.approx(result.latency_ns, rel=1e-9, abs=1e-9)
    assert closed_form_latency_ns(network, samples, ideal=True) == pytest.approx(result.ideal_ns, rel=1e-9, abs=1e-9)


def test_closed_form_refuses_shared_crossbars_and_spare_copies():
    shared = [RefLayer("a", [[RefTile(4, 1.0, 0)]], 4), RefLayer("b", [[RefTile(4, 1.0, 0)]], 4)]
    with pytest.raises(ValueError, match="shared"):
        closed_form_latency_ns(shared, 2)
    spare = [RefLayer("se", [[RefTile(4, 1.0, 0)], [RefTile(4, 1.0, 1)]], n_cap=1)]
    with pytest.raises(ValueError, match="n_cap"):
        closed_form_latency_ns(spare, 2)


def test_layers_two_apart_contend_for_a_crossbar():
    # Layers 0 and 1 share crossbar 0. Sample 0 runs layer 0 on [0, 10] and layer 1 on [10, 11]; sample 1's
    # layer 0 must wait for the crossbar until 11 and its layer 1 ends at 22. Without the requests: 21.
    network = [RefLayer("a", [[RefTile(10, 1.0, 0)]], 10), RefLayer("b", [[RefTile(1, 1.0, 0)]], 1)]
    result = simulate_reference(network, 2)
    assert (result.latency_ns, result.ideal_ns) == (22.0, 21.0)
    assert result.ratio == pytest.approx(21 / 22)


def test_earlier_sample_queues_first_at_the_same_instant():
    # Layer b needs crossbars 0 and 1 in one wave; layer a uses crossbar 0. At t = 4 sample 0 enters b and
    # sample 1 enters a, both asking for crossbar 0: sample 0's request comes first (its stage process was
    # created first), so b runs on [4, 7], sample 1's a on [7, 11] and its b on [11, 14]. Ideal: 4 + 3 + 4.
    network = [
        RefLayer("a", [[RefTile(4, 1.0, 0)]], 4),
        RefLayer("b", [[RefTile(3, 1.0, 0), RefTile(3, 1.0, 1)]], 3),
    ]
    result = simulate_reference(network, 2)
    assert (result.latency_ns, result.ideal_ns) == (14.0, 11.0)


def test_waves_first_fit_by_crossbar():
    tiles = [RefTile(1, 1.0, "x"), RefTile(2, 1.0, "x"), RefTile(3, 1.0, "y"), RefTile(4, 1.0, "x")]
    assert [[t.cycles for t in wave] for wave in waves(tiles)] == [[1, 3], [2], [4]]


def test_invalid_layers_and_samples():
    with pytest.raises(ValueError, match="at least one copy"):
        RefLayer("empty", [], 1)
    with pytest.raises(ValueError, match="n_cap"):
        RefLayer("capless", [[RefTile(1, 1.0, 0)]], 0)
    with pytest.raises(ValueError, match="samples"):
        simulate_reference([], 0)

