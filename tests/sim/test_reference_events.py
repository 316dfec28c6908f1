"""The event engine of the reference's network against the simpy original: equal makespans, bit for bit."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnc.sim.reference_cases import check_cases, reference_network
from rnc.sim.reference_events import makespan
from rnc.sim.reference_timing import RefLayer, RefTile, simulate_reference
from rnc.sim.reference_timing_simpy import makespan_simpy

# PE latencies a network draws its tiles' from. Few values and few cycles make durations tie and requests
# meet at the same instant; a huge latency makes later short waves end at the instant they start
# (now + duration == now).
PE_LATENCY_SETS = [(1.0,), (1.0, 2.5), (0.5, 1.0, 152.77319048), (1.0, 2.0 ** 60)]


@st.composite
def networks(draw):
    """Chains whose tiles share a few crossbars across layers and within a layer or copy."""
    crossbars = draw(st.integers(1, 6))
    pe_latencies = draw(st.sampled_from(PE_LATENCY_SETS))
    layers = []
    for index in range(draw(st.integers(1, 6))):
        copies = []
        for _ in range(draw(st.integers(1, 4))):
            copies.append([RefTile(draw(st.integers(0, 3)), draw(st.sampled_from(pe_latencies)),
                                   draw(st.integers(0, crossbars - 1)))
                           for _ in range(draw(st.integers(1, 3)))])
        layers.append(RefLayer(f"l{index}", copies, n_cap=draw(st.integers(1, 5))))
    return layers


@settings(max_examples=200, deadline=None)
@given(networks(), st.integers(1, 8))
def test_contended_run_equals_simpy(network, samples):
    assert makespan(network, samples, contended=True) == makespan_simpy(network, samples, contended=True)


@settings(max_examples=100, deadline=None)
@given(networks(), st.integers(1, 8))
def test_ideal_run_equals_simpy(network, samples):
    assert makespan(network, samples, contended=False) == makespan_simpy(network, samples, contended=False)


def _chain(*layers):
    """A network from (n_cap, copies) per layer, each tile (cycles, crossbar) at 1 ns or (cycles, PE ns, crossbar)."""
    def tile(spec):
        return RefTile(spec[0], 1.0, spec[1]) if len(spec) == 2 else RefTile(*spec)
    return [RefLayer(f"l{index}", [[tile(spec) for spec in copy] for copy in copies], n_cap)
            for index, (n_cap, copies) in enumerate(layers)]


# Networks hypothesis shrank to when one step of the engine was taken out or moved (zero-duration waves pile
# many events onto one instant); each pins the step named, which random networks hit about once in 100.
ORDERINGS = {
    "end-of-stage-event": (3, _chain(
        (1, [[(1, 1)]]), (1, [[(0, 0)]]), (1, [[(0, 0)], [(0, 0), (0, 0), (0, 0)], [(0, 0)]]),
        (4, [[(0, 0)], [(0, 0)], [(0, 0)], [(0, 0), (0, 1), (0, 1)]]),
        (1, [[(0, 0), (0, 0), (1, 0)], [(0, 0)], [(0, 0)], [(0, 0)]]), (1, [[(0, 0)]]))),
    "zero-timeout-steps": (3, _chain(
        (3, [[(0, 0)], [(0, 0)], [(0, 0)], [(0, 0)]]), (1, [[(0, 0)] * 3, [(0, 0)] * 3, [(1, 1)]]),
        (1, [[(0, 0)]]), (1, [[(0, 1)]]), (1, [[(1, 0)]]), (1, [[(0, 0)]]))),
    "last-get-event": (4, _chain(
        (1, [[(0, 0)]]), (2, [[(2, 2), (0, 5)], [(0, 1), (0, 1)]]),
        (3, [[(0, 0), (0, 0), (0, 5)], [(0, 0)] * 3, [(0, 5), (0, 0), (0, 5)], [(0, 0)]]),
        (1, [[(1, 0)]]), (1, [[(0, 0)]]))),
    "put-event-serves-get": (2, _chain(
        (2, [[(0, 0)] * 3, [(0, 0)] * 3]), (3, [[(0, 0)] * 3, [(0, 0), (0, 0), (0, 1)], [(0, 1)], [(0, 1)]]),
        (1, [[(0, 0)], [(1, 0)], [(0, 0)]]), (2, [[(0, 0)], [(0, 0)], [(0, 0)]]),
        (3, [[(0, 0)], [(0, 0)], [(0, 0), (0, 1)]]), (1, [[(1, 1)]]))),
    "duration-too-small-to-move-now": (4, _chain(
        (1, [[(0, 0)], [(0, 0)] * 3, [(0, 0)], [(1, 2.0 ** 60, 0)]]), (3, [[(0, 0)], [(0, 0)], [(0, 0)], [(0, 0)] * 2]),
        (2, [[(0, 0)] * 3, [(0, 0)], [(0, 0)], [(0, 0)]]), (2, [[(2, 0), (0, 0), (0, 0)], [(0, 1), (0, 0), (0, 1)]]),
        (1, [[(0, 0)] * 3, [(0, 0)], [(0, 0)]]), (1, [[(1, 2.0 ** 60, 1), (0, 1)], [(0, 0)], [(0, 0)]]))),
}


@pytest.mark.parametrize("name", sorted(ORDERINGS))
def test_orderings_found_by_shrinking(name):
    samples, network = ORDERINGS[name]
    assert makespan(network, samples, contended=True) == makespan_simpy(network, samples, contended=True)


@pytest.mark.parametrize("case", check_cases(),  # bench/sim_reference.py's cases
                         ids=lambda case: f"{case.model}-{case.copies}-{case.split}-{case.placement}")
@pytest.mark.parametrize("samples", [1, 8])
def test_reference_cases_equal_simpy(case, samples):
    network = case.network()
    for contended in (True, False):
        assert makespan(network, samples, contended) == makespan_simpy(network, samples, contended)


def test_simulate_reference_runs_the_engine():
    network = reference_network("squeezenet", placement="layer")
    result = simulate_reference(network, 8)
    assert result.latency_ns == makespan_simpy(network, 8, contended=True)
    assert result.ideal_ns == makespan_simpy(network, 8, contended=False)


def test_tie_goes_to_the_request_simpy_makes_first():
    # At t = 2 sample 0 enters layer b (asking for crossbars 1 then 0) while sample 1 enters layer a (crossbar
    # 0). Who gets crossbar 0 first hangs on the order of simpy's steps at that instant.
    network = [RefLayer("a", [[RefTile(2, 1.0, 0)]], 2),
               RefLayer("b", [[RefTile(3, 1.0, 1), RefTile(3, 1.0, 0)]], 3)]
    for samples in (2, 3):
        assert makespan(network, samples, contended=True) == makespan_simpy(network, samples, contended=True)


def test_empty_network():
    assert makespan([], 3, contended=True) == makespan_simpy([], 3, contended=True) == 0.0


@pytest.mark.parametrize("latency", [float("nan"), float("inf"), -1.0])
def test_non_finite_or_negative_latency_is_refused_not_looped_on(latency):
    # A NaN end time never equals `now`: the engine used to loop forever on it (issue #16).
    network = [RefLayer("l0", [[RefTile(2, latency, 0)]], n_cap=1)]
    for contended in (True, False):
        with pytest.raises(ValueError, match="must be finite and >= 0"):
            makespan(network, 4, contended)
