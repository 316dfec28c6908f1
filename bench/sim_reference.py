"""Times the reference's network latency model on the check cases of timing.md section 5.

Prints, per case and sample count, the makespan with crossbar requests, the ideal makespan, the value
timing.md lists, the wall time of `simulate_reference` (both runs, on the event engine) and that of the same
two runs on simpy (`reference_timing_simpy`, the engine's oracle).
"""
from __future__ import annotations

import time

from rnc.sim.reference_cases import crossbars_used, reference_network
from rnc.sim.reference_timing import simulate_reference
from rnc.sim.reference_timing_simpy import makespan_simpy

# (model, copies, split, placement, label) and timing.md's latency at S = 1 and S = 8.
CASES = [
    (("mbv3_small", 1, 1, "own"), "ISAAC-like", 16_525_170.468, 40_616_891.514),
    (("mbv3_small", 1, 5, "own"), "ISAAC-like, split 5", 4_975_517.268, 9_629_599.742),
    (("squeezenet", 1, 1, "own"), "ISAAC-like", 415_848.625, 1_443_553.877),
    (("resnet18", 1, 1, "own"), "ISAAC-like", 4_155_583.554, 8_535_896.472),
    (("squeezenet", 2, 1, "own"), "m = 2", 205_938.261, 719_256.181),
    (("squeezenet", 3, 1, "own"), "m = 3", 138_259.737, 480_471.684),
    (("mbv3_small", 2, 1, "own"), "m = 2", 8_264_112.966, 20_309_973.489),
    (("resnet18", 2, 1, "own"), "m = 2", 2_077_715.391, 4_267_871.849),
    (("squeezenet", 1, 1, "layer"), "a layer per crossbar", 586_649.051, 1_614_354.304),
]


def main() -> None:
    header = f"{'model':<11} {'case':<21} {'xbars':>5} {'S':>2} {'latency ns':>16} {'ideal ns':>16} " \
             f"{'timing.md':>16} {'rel err':>8} {'wall s':>7} {'simpy s':>7}"
    print(header)
    print("-" * len(header))
    for (model, copies, split, placement), label, *expected in CASES:
        network = reference_network(model, copies, split, placement)
        for samples, listed in zip((1, 8), expected):
            start = time.perf_counter()
            result = simulate_reference(network, samples)
            ideal = result.ideal_ns
            wall = time.perf_counter() - start
            start = time.perf_counter()
            simpy_runs = (makespan_simpy(network, samples, True), makespan_simpy(network, samples, False))
            simpy_wall = time.perf_counter() - start
            if simpy_runs != (result.latency_ns, ideal):
                raise RuntimeError(f"{model} {label} S={samples}: the event engine gives {result.latency_ns, ideal}, "
                                   f"simpy {simpy_runs}")
            error = abs(result.latency_ns - listed) / listed
            print(f"{model:<11} {label:<21} {crossbars_used(network):>5} {samples:>2} {result.latency_ns:>16,.3f} "
                  f"{ideal:>16,.3f} {listed:>16,.3f} {error:>8.1e} {wall:>7.3f} {simpy_wall:>7.3f}")


if __name__ == "__main__":
    main()
