"""Intermittent-power figures (issue #18): parity with the iNAS cost model, and explored designs on crossbars.

1. Parity: iNAS's single-layer point (shared/reference/intermittent.md) on the MSP430FR5994 profile.
2. For an mbv3_small-size network (the built-in model, placed by `rnc compile`'s default pipeline) and an
   iNAS-size network (five valid convolutions from iNAS's CIFAR-10 search space, filters 8/16/16/24/24,
   kernels 5/3/3/3/3, then global pooling and a 10-way FC) at 1 / 5 / 10 mF with iNAS's calibrated
   harvester resistance, on the rnc-reference crossbar chip: end-to-end latency of the explored designs
   against the intermittent-unaware designs (the continuous-power optimum among designs that complete
   when every tile is preserved) and against continuous power. The iNAS-size network also runs on the
   MSP430 profile, iNAS's own platform.
3. Failure injection at the loop level (rnc.sim.intermittent): runs with failures, outputs identical.
4. Failure injection at the ISA level (insert-checkpoints, rnc.sim.isa_sim.power) on the small programs of
   rnc.sim.isa_sim.small_programs: a failure before every instruction, then 50 runs of 8 random failures
   each; outputs identical to the continuous run; simulated against analytic (iNAS-PMod) latency.

    .venv/bin/python bench/intermittent.py            # several minutes: mbv3_small has 63 weight layers
"""
from __future__ import annotations

import math
import time

from rnc.driver import CompileOptions, compile_model
from rnc.driver.intermittent import layer_shape, plan_layers, power_options
from rnc.dialects.xbar import module_layers
from rnc.hw.intermittent.explore import explore
from rnc.hw.intermittent.msp430 import Msp430Platform
from rnc.hw.intermittent.pmod import Design, LayerShape, cycle_energies, layer_cost
from rnc.hw.power import INAS_CIFAR_OHM, Capacitor, PowerModel, ResistiveHarvester

# (kernel, filters) of the iNAS-size network: iNAS settings.py CONV_KERNEL_SIZES / CONV_NUM_FILTERS choices
INAS_NET = ((5, 8), (3, 16), (3, 16), (3, 24), (3, 24))


def inas_size_layers() -> list[tuple[int, str, LayerShape]]:
    """The iNAS-size network on a 32 x 32 x 3 image (valid padding, stride 1, as iNAS's model_fn_conv2D)."""
    layers, size, channels = [], 32, 3
    for i, (k, filters) in enumerate(INAS_NET):
        size -= k - 1
        layers.append((i, "conv", LayerShape(size, size, filters, channels, k, k)))
        channels = filters
    layers.append((len(INAS_NET), "linear", LayerShape(1, 1, 10, channels)))
    return layers


def parity() -> None:
    power = PowerModel(Capacitor(10e-3), ResistiveHarvester(22.0))
    platform = Msp430Platform(power, parity="inas")
    shape = LayerShape(28, 28, 4, 3, 5, 5)
    design = Design(4, 14, 4, 1, "output", 1)
    _, lo, hi = cycle_energies(platform, shape, design)
    cost = layer_cost(platform, power, shape, design, parity_inas=True)
    _, _, s3 = cycle_energies(platform, shape, Design(4, 14, 4, 1, "output", 3))
    print("parity with the iNAS cost model (conv 32x32x3 -> 28x28x4, k5, Tr/Tc/Tm/Tn 4/14/4/1, output-reuse, "
          "10 mF, 22 Ohm)")
    rows = [("E_pc max (mJ)", hi.energy_j * 1e3, 2.472), ("E_pc min (mJ)", lo.energy_j * 1e3, 2.449),
            ("L_pc max (s)", hi.time_s, 0.5509), ("L_pc min (s)", lo.time_s, 0.5485),
            ("power cycles", cost.cycles, 42), ("recharge (s)", cost.recharge_max_s, 0.635),
            ("end-to-end (s)", cost.latency_s, 49.81), ("E_pc at S = 3 (mJ)", s3.energy_j * 1e3, 7.14)]
    for name, ours, theirs in rows:
        print(f"  {name:<20} rnc {ours:9.4f}   iNAS {theirs:9.4f}   {100 * (ours / theirs - 1):+6.2f} %")


def _network_row(name: str, layers, farads: float) -> None:
    options = power_options(f"{farads * 1e3:g}mF")
    started = time.perf_counter()
    plan = plan_layers(layers, options)
    wall = time.perf_counter() - started
    if not plan.feasible:
        print(f"  {name:<12} {farads * 1e3:>3g} mF  does not complete: {plan.problem()}")
        return
    unaware = plan.unaware_s
    cut = ("n/a (an unaware layer cannot complete)" if math.isinf(unaware)
           else f"{100 * (1 - plan.latency_s / unaware):5.1f} %")
    print(f"  {name:<12} {farads * 1e3:>3g} mF  explored {plan.latency_s:9.3f} s  unaware {unaware:9.3f} s  "
          f"cut {cut}  continuous {plan.continuous_s:7.3f} s  ({plan.latency_s / plan.continuous_s:5.1f}x)  "
          f"cycles {plan.total('cycles'):6.0f}  [{wall:.0f} s]")


def crossbar_networks() -> None:
    print("\nexplored vs intermittent-unaware vs continuous power, rnc-reference chip, iNAS CIFAR harvester")
    placed = compile_model("mbv3_small", CompileOptions(simulate_isa=False)).last.placed
    networks = {"mbv3_small": [(layer.layer, *layer_shape(layer)) for layer in module_layers(placed)],
                "iNAS-size": inas_size_layers()}
    for name, layers in networks.items():
        for farads in sorted(INAS_CIFAR_OHM):
            _network_row(name, layers, farads)


def msp430_inas_network() -> None:
    print("\nthe iNAS-size network on the MSP430FR5994 profile (iNAS's platform, no parity quirks)")
    for farads, ohms in sorted(INAS_CIFAR_OHM.items()):
        power = PowerModel(Capacitor(farads), ResistiveHarvester(ohms))
        platform = Msp430Platform(power)
        found = [explore(platform, power, shape) for _, _, shape in inas_size_layers()]
        if not all(f.feasible for f in found):
            print(f"  {farads * 1e3:>3g} mF  does not complete")
            continue
        ours = sum(f.best.latency_s for f in found)
        unaware = sum(f.unaware.latency_s if f.unaware else math.inf for f in found)
        cont = sum(f.continuous_s for f in found)
        print(f"  {farads * 1e3:>3g} mF  explored {ours:9.2f} s  unaware {unaware:9.2f} s  "
              f"cut {100 * (1 - ours / unaware):5.1f} %  continuous {cont:7.2f} s")


def failure_injection() -> None:
    """Small layers under every loop order, a failure before every step, then random failures."""
    import numpy as np

    from rnc.sim.intermittent import reference_conv, run_layer, steps_without_failure
    rng = np.random.default_rng(0)
    cases = [(LayerShape(4, 4, 4, 4, 3, 3), Design(2, 2, 2, 2, "output", 2)),
             (LayerShape(4, 4, 4, 4, 3, 3), Design(2, 4, 2, 1, "input", 2)),
             (LayerShape(4, 4, 4, 6, 1, 1), Design(2, 2, 4, 3, "weight", 4)),
             (LayerShape(3, 3, 2, 2, 3, 3, stride=2), Design(3, 1, 1, 1, "output", 1)),
             (LayerShape(4, 4, 4, 1, 3, 3, depthwise=True), Design(2, 2, 2, 1, "weight", 2))]
    print("\nfailure injection (rnc.sim.intermittent, loop level; the ISA-level simulator is not written yet)")
    for protocol in ("double-buffer", "commit", "in-place"):
        runs = identical = 0
        for shape, design in cases:
            s = shape.stride
            channels = shape.out_ch if shape.depthwise else shape.in_ch
            x = rng.integers(-128, 128, (channels, s * shape.out_h + shape.kernel_h - s,
                                         s * shape.out_w + shape.kernel_w - s))
            w = rng.integers(-128, 128, (shape.out_ch, 1 if shape.depthwise else shape.in_ch,
                                         shape.kernel_h, shape.kernel_w))
            expected = reference_conv(x, w, shape)
            n = steps_without_failure(x, w, shape, design, protocol)
            points = [{p} for p in range(n)] + [set(rng.choice(3 * n, 8, replace=False).tolist())
                                                for _ in range(50)]
            for failures in points:
                runs += 1
                identical += bool((run_layer(x, w, shape, design, failures=failures,
                                             protocol=protocol)[0] == expected).all())
        print(f"  {protocol:<13} {runs:5d} runs with failures, outputs identical in {identical} "
              f"({100 * identical / runs:.1f} %)")


def isa_failure_injection() -> None:
    """Power-failure-safe programs on the ISA simulator: every instruction boundary, then random failures."""
    import numpy as np

    from rnc.sim.isa_sim.power import run_intermittent
    from rnc.sim.isa_sim.small_programs import CASES, safe_case
    rng = np.random.default_rng(0)
    print("\nfailure injection on power-failure-safe ISA programs (insert-checkpoints, rnc.sim.isa_sim.power)")
    for name in CASES:
        _, safe, plan, x, expected = safe_case(name)
        clean = run_intermittent(safe, x, plan.power)
        n = clean.executed
        points = [{p} for p in range(n)] + [set(rng.choice(3 * n, 8, replace=False).tolist()) for _ in range(50)]
        same = sum(all(np.array_equal(a, b) for a, b in zip(run_intermittent(safe, x, plan.power, failures=f).outputs,
                                                             expected)) for f in points)
        analytic = sum(s.best.latency_s for s in plan.stages)
        print(f"  {name:<24} {len(points):4d} runs, outputs identical in {same} ({100 * same / len(points):.1f} %)  "
              f"cycles {clean.cycles:3d}  latency simulated {clean.latency_s * 1e3:8.3f} ms  analytic "
              f"{analytic * 1e3:8.3f} ms  ({100 * (clean.latency_s / analytic - 1):+.2f} %)")


def main() -> None:
    parity()
    failure_injection()
    isa_failure_injection()
    msp430_inas_network()
    crossbar_networks()


if __name__ == "__main__":
    main()
