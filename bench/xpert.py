"""XPert figures (issue #17): the hardware side on VGG16 without training, then a quick co-search on digits.

1. VGG16 at a 32x32 input (XPert's backbone and baseline, nas/vgg.py), placed on the fewest crossbars of
   the RNC reference chip, one sample. Baseline: XPert's, an 8-bit SAR ADC on every column and 8-bit
   inputs (the reference chip's own periphery). Co-searched: ADC type and columns per ADC chosen per layer,
   at two precisions: the baseline's (8-bit inputs and ADCs: what the periphery alone gives) and XPert's
   shipped design's (4-bit inputs, 6-bit ADCs on layers 1-6 and 5-bit on 7-13, its NetWork_custom.csv;
   XPert reports 92.46 % CIFAR-10 accuracy there). The choice is exhaustive per layer: the 12 uniform designs
   are compiled and simulated natively, which gives each layer's time and energy under each choice (in a
   chain of layers at one sample they add up, and the placement does not change). The chip is built for the
   network, as XPert's is: each crossbar carries the ADCs, muxes and DACs of the layer it holds (rnc's
   `chip_rollup`; docs/hardware.md), so area and leakage add up over each layer's crossbars too (the few
   crossbars two layers share take the larger of each component). Coordinate descent on those sums picks the
   per-layer mix, which is then compiled and simulated: its measured EDAP and area are printed beside the
   predicted ones. The best uniform design (every conv layer alike) is printed too. Printed: EDAP, TOPS/W
   and TOPS/mm^2 ratios to the baseline beside XPert's 10.24x / 1.72x / 1.93x. `--skip-search` runs only
   this part.
2. `rnc nas search --peripherals --objectives accuracy,edap` on digits (population 16, 10 generations,
   2 workers, after a 60-step supernet training): the best EDAP improvement at no more than 1 point of
   accuracy lost, against the most accurate candidate's network with the baseline periphery, and the time
   per candidate evaluation. A candidate's accuracy is its program's under its per-layer precision (the
   crossbars' arithmetic in torch, nas/precision_eval.py) on the first `--accuracy-samples` validation
   samples, at the co-search's target values (rnc.nas.evaluate.CO_SEARCH_TARGET_VALUES); the float accuracy
   and the figure at XPert's precision floor (inputs >= 4 bits, ADCs >= 5 bits everywhere) are printed
   beside it. `--cell-bits 1 --xbars 0`: XPert's 1-bit cells, each candidate on its fewest crossbars (the
   docs/nas.md figures).

The machine's load average is printed: the machine is shared and timings scale with it.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from itertools import product
from pathlib import Path

import torch

from rnc.hw.cost import chip_rollup
from rnc.nas import peripherals as periph
from rnc.nas import vgg
from rnc.nas.hardware import HardwareEvaluator, layer_locations, native_run
from rnc.nas.spaces import VggSpace
from rnc.nas.train import quick_supernet
from rnc.sim.isa_sim.chip_map import crossbar_weights

XPERT = {"edap": 10.24, "tops_per_w": 1.72, "tops_per_mm2": 1.93}   # XPert (DAC 2023) vs its VGG16 baseline
# XPert's shipped NetWork_custom.csv: 4-bit inputs everywhere, 6-bit ADCs on layers 1-6, 5-bit on 7-13.
XPERT_PRECISION = [{"input_bits": 4, "adc_bits": 6}] * 6 + [{"input_bits": 4, "adc_bits": 5}] * 7
BASELINE_PRECISION = [{"input_bits": 8, "adc_bits": 8}] * vgg.LAYERS
CHOICES = list(product(periph.ADC_TYPES, periph.COLS_PER_ADC))
QUICK_LIMIT_SECONDS = 300
EVAL_TARGET_SECONDS = 0.5
FLOOR = {"input_bits": 4, "adc_bits": 5}
QUICK_BATCH = 32               # as bench/nas.py's quick run
ACCURACY_SAMPLES = 50          # validation samples of each precision accuracy (digits has 359)
TIMED_CANDIDATES = 8
WARMUP_CANDIDATES = 8


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


def design(precision: list[dict], choices: list[tuple[str, int]]) -> tuple[int, ...]:
    """VGG16 with each conv layer's precision and (ADC type, columns per ADC); the classifier at baseline."""
    groups = [periph.genes_of({"adc_type": t, "cols_per_adc": m, **p}) for p, (t, m) in zip(precision, choices)]
    return vgg.VGG16_GENES + sum(groups, ()) + periph.BASELINE_GENES


def measure(hw: HardwareEvaluator, genes) -> dict:
    """One native run: totals, each conv layer's stage time and dynamic energy, and what the area needs: the
    chip (its cost models), the weights each crossbar holds, each weight's crossbar configuration and the
    weights of each conv layer."""
    placed, _ = hw.placed(genes)
    program, timing, energy = native_run(placed, 1, 0)
    stages = {label: (end - start, cost.energy_pj) for (_, label, start, end), cost in
              zip(timing.stage_ns, timing.stage_costs)}
    weights_of = {s.label: frozenset(m.weight for m in s.mvms) for s in program.stages}
    locations = layer_locations(placed)[:vgg.LAYERS]
    chip = timing.chip
    held = crossbar_weights(program, chip.tiles * chip.xbars_per_tile)
    return {"latency": timing.latency_ns, "energy": energy.energy_per_inference_pj, "area": energy.area_mm2,
            "edap": energy.edap_pj_ns_mm2, "tops_per_w": energy.tops_per_w, "tops_per_mm2": energy.tops_per_mm2,
            "leak_mw": energy.leakage_pj / timing.latency_ns, "layers": [stages[loc] for loc in locations],
            "chip": chip, "held": held, "layer_weights": [weights_of[loc] for loc in locations],
            "configs": {w: t.crossbar_config() for w, t in chip.weight_targets.items()}}


def per_layer_search(hw: HardwareEvaluator, precision: list[dict]) -> tuple[list, dict, dict, int]:
    """The uniform designs measured, then the per-layer mix minimising the predicted EDAP: time and dynamic
    energy add up per layer (a chain at one sample); area and leakage are the chip's roll-up with each
    crossbar at the periphery of the layers it holds (per-layer sums of their crossbars; the few crossbars two
    layers share take the larger of each component). Returns (mix, its measured figures with the predicted
    EDAP and area, the best uniform design's figures, native runs)."""
    uniform = {c: measure(hw, design(precision, [c] * vgg.LAYERS)) for c in CHOICES}
    first = uniform[CHOICES[0]]
    # What the conv layers do not change: the rest of the time and energy (same in every uniform run).
    rest_t = first["latency"] - sum(t for t, _ in first["layers"])
    rest_e = first["energy"] - first["leak_mw"] * first["latency"] - sum(e for _, e in first["layers"])
    chip = first["chip"]

    def rollup(mix: list):
        configs = dict(first["configs"])          # the classifier's, at the baseline in every design
        for layer, c in zip(first["layer_weights"], mix):
            configs.update({w: uniform[c]["configs"][w] for w in layer})
        return chip_rollup(chip.model, [frozenset(configs[w] for w in ws) for ws in first["held"]], chip.model_for)

    def predicted(mix: list) -> tuple[float, float]:
        """(EDAP, area) of `mix`."""
        chip_figures = rollup(mix)
        t = rest_t + sum(uniform[c]["layers"][i][0] for i, c in enumerate(mix))
        e = rest_e + sum(uniform[c]["layers"][i][1] for i, c in enumerate(mix)) + chip_figures.leakage_mw * t
        return e * t * chip_figures.area_mm2, chip_figures.area_mm2

    best_uniform = min(uniform, key=lambda c: uniform[c]["edap"])
    mix = [best_uniform] * vgg.LAYERS
    improved = True
    while improved:
        improved = False
        for i in range(vgg.LAYERS):
            best = min(CHOICES, key=lambda c: predicted(mix[:i] + [c] + mix[i + 1:])[0])
            if predicted(mix[:i] + [best] + mix[i + 1:])[0] < predicted(mix)[0]:
                mix[i], improved = best, True
    chosen = measure(hw, design(precision, mix))
    chosen["predicted_edap"], chosen["predicted_area"] = predicted(mix)
    return mix, chosen, {"choice": best_uniform, **uniform[best_uniform]}, len(uniform) + 1


def ratios(base: dict, best: dict) -> str:
    return (f"EDAP {base['edap'] / best['edap']:.2f}x lower (XPert {XPERT['edap']}x), TOPS/W "
            f"{best['tops_per_w'] / base['tops_per_w']:.2f}x (XPert {XPERT['tops_per_w']}x), TOPS/mm2 "
            f"{best['tops_per_mm2'] / base['tops_per_mm2']:.2f}x (XPert {XPERT['tops_per_mm2']}x)")


def hardware_side(samples: int) -> None:
    space = VggSpace(peripherals=True)
    hw = HardwareEvaluator(None, samples, vgg.IMAGE_SIZE, space=space, cost=True)
    t = time.perf_counter()
    base = measure(hw, space.baseline_peripherals(vgg.VGG16_GENES))
    print(f"VGG16 at 32x32, fewest crossbars of the RNC reference chip ({len(base['held'])}; the ISAAC-like mapping "
          f"takes {hw.baseline['xbars']}), one sample ({time.perf_counter() - t:.1f} s)")
    print(f"  baseline (SAR 8-bit ADC per column, 8-bit inputs): EDAP {base['edap']:.4g} pJ ns mm2, "
          f"{base['tops_per_w']:.4g} TOPS/W, {base['tops_per_mm2']:.4g} TOPS/mm2, {base['area']:.1f} mm2")
    for name, precision in (("baseline precision (8-bit inputs and ADCs)", BASELINE_PRECISION),
                            ("XPert's precision (4-bit inputs, 6/5-bit ADCs)", XPERT_PRECISION)):
        t = time.perf_counter()
        mix, best, uniform, runs = per_layer_search(hw, precision)
        print(f"  at {name}:")
        kind, cols = uniform["choice"]
        print(f"    best uniform periphery ({kind}/{cols}: every conv layer alike): {ratios(base, uniform)}, "
              f"{uniform['area']:.1f} mm2")
        print(f"    per-layer periphery (ADC type/columns per ADC): {' '.join(f'{t[0]}/{m}' for t, m in mix)}")
        print(f"      {ratios(base, best)}, {best['area']:.1f} mm2")
        off = max(abs(best[f"predicted_{k}"] / best[k] - 1) for k in ("edap", "area"))
        print(f"      predicted from the per-layer sums: EDAP {best['predicted_edap']:.6g} (measured "
              f"{best['edap']:.6g}), area {best['predicted_area']:.6g} mm2 (measured {best['area']:.6g}), {off:.1e} apart; {runs} native "
              f"runs, {time.perf_counter() - t:.0f} s")
    print(f"  ({load()})")


def meets_floor(row: dict, space) -> bool:
    network, peripheral = space.split(space.from_str(row["genes"]))
    active = space.active_groups(network)
    return all(g["input_bits"] >= FLOOR["input_bits"] and g["adc_bits"] >= FLOOR["adc_bits"]
               for i, g in enumerate(periph.decode(peripheral)) if i in active)


def co_settings(supernet: str, samples: int, accuracy_samples: int, cell_bits: int | None = None,
                xbars: int | None = 211):
    """The quick co-search's evaluation settings: 16x16 digits for accuracy and hardware; `cell_bits` as
    `rnc nas search --cell-bits` (None: the target's), `xbars` the budget (None: the fewest crossbars)."""
    from rnc.nas.evaluate import CO_SEARCH_TARGET_VALUES, EvalSettings
    values = None if cell_bits is None else tuple(sorted({**CO_SEARCH_TARGET_VALUES, "cell_bits": cell_bits}.items()))
    return EvalSettings(supernet, hw_image_size=16, samples=samples, peripherals=True, xbars=xbars,
                        accuracy_samples=accuracy_samples, target_values=values)


def co_search(workers: int, steps: int, pop: int, gens: int, samples: int, accuracy_samples: int,
              cell_bits: int | None, xbars: int | None) -> None:
    from rnc.nas.evaluate import evaluate
    from rnc.nas.executors import make_executor
    from rnc.nas.search import search
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="rnc-xpert-bench-"))
    seconds = quick_supernet(folder / "supernet.pt", steps, QUICK_BATCH)
    print(f"co-search on digits: supernet training, {steps} steps of batch {QUICK_BATCH}: {seconds:.1f} s")
    settings = co_settings(str(folder / "supernet.pt"), samples, accuracy_samples, cell_bits, xbars)
    executor = make_executor(workers)
    t = time.perf_counter()
    try:
        result = search(settings, pop, gens, 0, executor, objectives=("accuracy", "edap"))
    finally:
        executor.close()
    seconds = time.perf_counter() - t
    space = settings.search_space
    ok = [c for c in result.candidates if c["feasible"]]
    top = max(ok, key=lambda c: (c["accuracy"], -c["edap"]))
    network, _ = space.split(space.from_str(top["genes"]))
    torch.set_num_threads(1)
    reference = evaluate(settings, space.baseline_peripherals(network))
    print(f"  accuracy: the program's under each layer's precision on {accuracy_samples} validation samples, "
          f"target values {settings.target_overrides}")
    print(f"  reference: the most accurate candidate's network ({top['accuracy']:.3f}, float "
          f"{top['float_accuracy']:.3f}) with the baseline periphery: accuracy {reference['accuracy']:.3f}, "
          f"EDAP {reference['edap']:.4g} pJ ns mm2")
    for label, rows in (("any periphery", ok), ("XPert's precision floor", [c for c in ok if meets_floor(c, space)])):
        close = [c for c in rows if c["accuracy"] >= reference["accuracy"] - 0.01]
        if not close:
            print(f"  {label}: no feasible candidate within 1 point")
            continue
        best = min(close, key=lambda c: c["edap"])
        print(f"  {label}: best EDAP at <= 1 point lost: {reference['edap'] / best['edap']:.2f}x lower "
              f"(accuracy {best['accuracy']:.3f}, float {best['float_accuracy']:.3f}, "
              f"{best['peripherals'][:60]}...)")
    front = ", ".join(f"{c['accuracy']:.2f}/{reference['edap'] / c['edap']:.2f}x" for c in result.pareto)
    print(f"  Pareto front (accuracy / EDAP lower than the reference): {front}")
    lost = [c["float_accuracy"] - c["accuracy"] for c in ok]
    print(f"  what precision costs: float minus program accuracy over the feasible candidates, median "
          f"{sorted(lost)[len(lost) // 2]:.3f}, max {max(lost):.3f}")
    print(f"  search: {result.evaluations} evaluations in {seconds:.1f} s with {workers} workers = "
          f"{seconds * workers / max(1, result.evaluations):.2f} s per candidate evaluation (aim < "
          f"{EVAL_TARGET_SECONDS} s; precision accuracy, compile, lowering and native timing)")
    total = time.perf_counter() - started
    print(f"  quick co-search (pop {pop}, {gens} generations): {total:.0f} s end to end, limit "
          f"{QUICK_LIMIT_SECONDS} s; {load()}")
    evaluation_time(settings, TIMED_CANDIDATES)


def evaluation_time(settings, count: int) -> None:
    """Wall and CPU seconds of `count` fresh candidates evaluated in this process (context loaded first):
    the CPU time is what an idle core would take, whatever the machine's load. The CPU time of the precision
    accuracy (trained export, partition, calibration, the crossbars' arithmetic on the validation samples)
    is printed apart."""
    import random
    from rnc.nas.evaluate import _context, evaluate
    space = settings.search_space
    rng = random.Random(1)
    draw = lambda: tuple(rng.randint(0, hi) for hi in space.upper_bounds())   # noqa: E731
    evaluate(settings, draw())                      # loads data, supernet, baseline, first block exports
    for _ in range(WARMUP_CANDIDATES):              # most block pieces exported once, as in a search
        evaluate(settings, draw())
    precision = _context(settings).precision
    spent = [0.0]
    if precision is not None:
        measured = precision.accuracy

        def timed(*args):
            c = time.process_time()
            try:
                return measured(*args)
            finally:
                spent[0] += time.process_time() - c
        precision.accuracy = timed
    wall = cpu = 0.0
    for _ in range(count):
        genes = draw()
        w, c = time.perf_counter(), time.process_time()
        evaluate(settings, genes)
        wall, cpu = wall + time.perf_counter() - w, cpu + time.process_time() - c
    if precision is not None:
        del precision.accuracy
    print(f"  per candidate evaluation (mean of {count} after {WARMUP_CANDIDATES} warm-up): {wall / count:.2f} s wall, "
          f"{cpu / count:.2f} s CPU (aim < {EVAL_TARGET_SECONDS} s), of which the precision accuracy "
          f"{spent[0] / count:.2f} s CPU ({settings.accuracy_samples} samples); {load()}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--skip-hardware", action="store_true", help="only the co-search on digits")
    p.add_argument("--skip-search", action="store_true", help="only the VGG16 hardware side")
    p.add_argument("--timing-only", metavar="SUPERNET",
                   help="only the per-candidate evaluation time, with this supernet checkpoint")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--pop", type=int, default=16)
    p.add_argument("--gens", type=int, default=10)
    p.add_argument("--samples", type=int, default=2, help="samples pipelined in the co-search's timing")
    p.add_argument("--accuracy-samples", type=int, default=ACCURACY_SAMPLES,
                   help=f"validation samples of each precision accuracy (default {ACCURACY_SAMPLES})")
    p.add_argument("--cell-bits", type=int, help="bits per cell of the co-search (rnc nas search --cell-bits)")
    p.add_argument("--xbars", type=int, default=211, help="the co-search's crossbar budget (0: the fewest)")
    args = p.parse_args()
    torch.set_num_threads(1)
    xbars = args.xbars or None
    if args.timing_only:
        evaluation_time(co_settings(str(Path(args.timing_only).resolve()), args.samples, args.accuracy_samples,
                                    args.cell_bits, xbars), TIMED_CANDIDATES)
        return
    if not args.skip_hardware:
        hardware_side(1)
    if not args.skip_search:
        co_search(args.workers, args.steps, args.pop, args.gens, args.samples, args.accuracy_samples,
                  args.cell_bits, xbars)


if __name__ == "__main__":
    main()
