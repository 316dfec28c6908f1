"""Times the reference's network latency model on the check cases of timing.md section 5 (`latency.csv`).

Prints, per case and sample count, the makespan with crossbar requests, the ideal makespan, the value
timing.md lists, the wall time of `simulate_reference` (both runs, on the event engine) and that of the same
two runs on simpy (`reference_timing_simpy`, the engine's oracle).
"""
from __future__ import annotations

import time

from rnc.sim.reference_cases import CHECK_SAMPLES, check_cases, crossbars_used
from rnc.sim.reference_timing import simulate_reference
from rnc.sim.reference_timing_simpy import makespan_simpy


def case_label(copies: int, split: int, placement: str) -> str:
    """How the table names a check case: the ISAAC-like mapping, m copies, or a layer per crossbar."""
    if placement == "layer":
        return "a layer per crossbar"
    if copies > 1:
        return f"m = {copies}"
    return "ISAAC-like" + (f", split {split}" if split > 1 else "")


def main() -> None:
    header = f"{'model':<11} {'case':<21} {'xbars':>5} {'S':>2} {'latency ns':>16} {'ideal ns':>16} " \
             f"{'timing.md':>16} {'rel err':>8} {'wall s':>7} {'simpy s':>7}"
    print(header)
    print("-" * len(header))
    for case in check_cases():
        model, label = case.model, case_label(case.copies, case.split, case.placement)
        network = case.network()
        for samples in CHECK_SAMPLES:
            listed = case.latency_ns[samples]
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
