"""Power failures injected into a layer's execution design (rnc.sim.intermittent): with the commit protocol
the outputs are bit-identical to a continuous run whatever the failure points; writing in place is not."""
import numpy as np
import pytest

from rnc.hw.intermittent.pmod import Design, LayerShape
from rnc.sim.intermittent import cycles_expected, reference_conv, run_layer, steps_without_failure

RNG = np.random.default_rng(7)


def _layer(shape: LayerShape):
    s = shape.stride
    h, w_ = s * shape.out_h + shape.kernel_h - s, s * shape.out_w + shape.kernel_w - s
    channels = shape.out_ch if shape.depthwise else shape.in_ch
    x = RNG.integers(-128, 128, size=(channels, h, w_), dtype=np.int8)
    w = RNG.integers(-128, 128, size=(shape.out_ch, 1 if shape.depthwise else shape.in_ch,
                                      shape.kernel_h, shape.kernel_w), dtype=np.int8)
    return x, w


CASES = [
    (LayerShape(4, 4, 4, 4, 3, 3), Design(2, 2, 2, 2, "output", 2)),        # partial sums along n
    (LayerShape(4, 4, 4, 4, 3, 3), Design(2, 4, 2, 1, "input", 2)),         # S along output channels
    (LayerShape(4, 4, 4, 6, 1, 1), Design(2, 2, 4, 3, "weight", 4)),        # S along pixels
    (LayerShape(3, 3, 2, 2, 3, 3, stride=2), Design(3, 1, 1, 1, "output", 1)),
    (LayerShape(4, 4, 4, 1, 3, 3, depthwise=True), Design(2, 2, 2, 1, "weight", 2)),
]


SAFE = ("double-buffer", "commit")


@pytest.mark.parametrize("protocol", SAFE)
@pytest.mark.parametrize("shape,design", CASES)
def test_a_failure_at_every_step_boundary_leaves_the_outputs_identical(shape, design, protocol):
    x, w = _layer(shape)
    expected = reference_conv(x, w, shape)
    clean, stats = run_layer(x, w, shape, design, protocol=protocol)
    assert (clean == expected).all() and stats.cycles == cycles_expected(shape, design)
    for point in range(steps_without_failure(x, w, shape, design, protocol)):
        out, stats = run_layer(x, w, shape, design, failures={point}, protocol=protocol)
        assert stats.failures == 1 and (out == expected).all(), f"failure before step {point}"


@pytest.mark.parametrize("protocol", SAFE)
@pytest.mark.parametrize("shape,design", CASES)
def test_random_failures(shape, design, protocol):
    x, w = _layer(shape)
    expected = reference_conv(x, w, shape)
    n = steps_without_failure(x, w, shape, design, protocol)
    for _ in range(20):
        points = set(RNG.choice(3 * n, size=8, replace=False).tolist())
        out, _ = run_layer(x, w, shape, design, failures=points, protocol=protocol)
        assert (out == expected).all()


def test_writing_partial_sums_in_place_can_add_them_twice():
    shape, design = CASES[0]
    x, w = _layer(shape)
    expected = reference_conv(x, w, shape)
    n = steps_without_failure(x, w, shape, design, protocol="in-place")
    wrong = [p for p in range(n) if not (run_layer(x, w, shape, design, failures={p},
                                                   protocol="in-place")[0] == expected).all()]
    assert wrong, "a failure between the partial-sum write and the index write must corrupt the outputs"
