"""Hardware evaluation of a candidate: genes -> ONNX -> the compiler's passes -> latency, speedup and costs.

Each candidate goes through what a user model goes through in `rnc compile`: `import_onnx`, canonicalize,
tile-partition, replicate within the crossbar budget, reference-compatible timing. Speedup is against the
ISAAC-like mapping of the fixed baseline network (mbv3_small, every tile alone on a crossbar, no
replication), timed the same way over the same samples.

Three choices differ from `rnc compile`, for a search loop that compiles hundreds of candidates:
- the ONNX comes from `BlockExports` (per-block exports chained; same graph, no re-tracing);
- the IR verifier does not run after every pass (`run_passes`);
- each pack inside `replicate` runs only its constructive passes (`PACK_SECONDS` = 0; they always run
  whole), while replication's own search is bounded by work, not time. So a candidate's figures are a
  pure function of its genes and settings, whatever the machine's load or the number of workers. Compile
  a chosen candidate with `rnc compile` for the fully searched mapping.

A candidate whose single copy does not pack into the budget is kept and marked infeasible; its figures then
come from the minimal placement (no replication) and `xbars_used` is the count that placement needs.

With `cost=True` (peripheral genes, or an energy, area or EDAP objective) the placed candidate is also
lowered to the crossbar ISA and timed by the native simulator, whose cost model charges every layer with
its own periphery (`CompileOptions.layer_peripherals`): energy per inference, area, EDAP, TOPS/W and
TOPS/mm^2 are the figures `rnc compile` reports for the same design, to the last bit (the numerics are
skipped: no calibration run, as the activation scales do not change a cost). `compile_options` gives the
options that reproduce the placement.

What a candidate shares with others is made once: the partition of its network (the last `MODEL_CACHE`
networks), the fewest-crossbars placement of its network (it packs the tiles' footprints, which no searched
key changes; replication into a budget also weighs each layer's MVM time, which the periphery changes, so
it runs per candidate) and the simulator's cost models. Python's cycle collector waits for the end of a
compile (`collector_paused`). bench/nas_eval.py prints the time per candidate.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import torch

from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.nas import vgg
from rnc.nas.onnx_blocks import BlockExports
from rnc.nas.spaces import MobileNetSpace, SearchSpace, VggSpace
from rnc.nas.supernet import SubnetNet, subnet_configs

DEFAULT_HW_IMAGE_SIZE = 64     # the reference's input, 1x3x64x64
PACK_SECONDS = 0               # see the module doc: deterministic and quick
# The reference's packing rules, as `rnc compile` applies them by default.
PACK_KNOBS = asdict(REFERENCE_PACKING)
COST_ONLY_SCALE = 1.0          # every activation scale of a program lowered for its costs only
FOOTPRINT_KEYS = {"cell_bits"}  # the per-layer peripheral keys that change a tile's cells (bit lines per weight)
MODEL_CACHE = 2                # exports and partitions kept (a periphery-only search has one network)


@dataclass(frozen=True)
class HardwareResult:
    latency_ns: float          # `samples` samples, reference-compatible timing
    speedup: float             # baseline ISAAC-like latency / latency_ns
    xbars_used: int
    utilization: float         # of the crossbars used
    feasible: bool
    isaac_xbars: int           # this candidate's own ISAAC-like crossbar count (one per tile)
    cost: Costs | None = None  # with cost=True

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Costs:
    """The native run's figures, named as in report.json (rnc.sim.isa_sim.EnergyResult)."""
    native_latency_ns: float         # one sample (of `samples` pipelined): the delay of EDAP
    energy_per_inference_pj: float
    area_mm2: float
    edap_pj_ns_mm2: float
    tops_per_w: float
    tops_per_mm2: float

    @classmethod
    def of(cls, timing, energy) -> Costs:
        return cls(timing.latency_ns, energy.energy_per_inference_pj, energy.area_mm2, energy.edap_pj_ns_mm2,
                   energy.tops_per_w, energy.tops_per_mm2)


def architecture_module(genes, num_classes: int = 10) -> SubnetNet:
    """An untrained `SubnetNet` for `genes`: the hardware figures depend on shapes only."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return SubnetNet(subnet_configs(genes), num_classes).eval()


def run_passes(module, passes: list) -> None:
    """The pass manager without the verifier after each pass: about a fifth of a candidate's compile time,
    spent re-checking IR that the same passes produce on every candidate (the tests compile candidates with
    verification on). Raises CompileError."""
    from rnc.ir.diagnostics import DiagnosticError
    from rnc.ir.pass_manager import Instrumentation, PassContext, PassManager
    from rnc.driver.pipeline import CompileError
    try:
        PassManager(passes, Instrumentation(verify_each=False)).run(module, PassContext())
    except DiagnosticError as e:
        raise CompileError(e.diagnostic.message) from None


def partition(proto, target: str | None = None, target_values: dict | None = None):
    """ONNX -> the canonicalized, tile-partitioned module, as `rnc compile --target TARGET` builds it (None:
    the default target), with `target_values` set on top (CompileOptions.target_values)."""
    from rnc.frontends.onnx.importer import import_onnx
    from rnc.ir.pass_manager import parse_pipeline
    from rnc.driver.pipeline import CompileOptions, canonicalize_pipeline, configure_target
    module = import_onnx(proto)
    configure_target(module, CompileOptions(target_file=target, target_values=dict(target_values or {})))
    run_passes(module, parse_pipeline(f"{canonicalize_pipeline()},tile-partition"))
    return module


def with_peripherals(partitioned, layer_peripherals: dict):
    """A copy of a partitioned (or placed) module whose xbar layers carry their own periphery (xbar layer
    index -> overrides): the layers `rnc compile` builds when `layer-peripherals` runs before partition."""
    from rnc.passes.xbar.layer_peripherals import set_layer_overrides
    module = partitioned.clone()
    set_layer_overrides(module, layer_peripherals)
    return module


def layer_locations(partitioned) -> list[str]:
    """The source location (ONNX node name) of each xbar layer, in layer order."""
    from rnc.dialects.xbar import module_layers
    return [str(getattr(layer.location, "name", "")) for layer in module_layers(partitioned)]


def isaac_xbars(partitioned) -> int:
    """The ISAAC-like mapping's crossbar count: one crossbar per tile, no replication."""
    from rnc.driver.timing import isaac_layers
    return sum(len(layer.copies[0]) for layer in isaac_layers(partitioned))


def place(partitioned, budget: int | None, seed: int, layer_peripherals: dict | None = None):
    """A placed copy: replicated into `budget` crossbars, or (None) the fewest crossbars, one copy each.
    Its xbar layers carry their own periphery (`layer_peripherals`: xbar layer index -> overrides), as
    `rnc compile` builds them when `layer-peripherals` runs before partition (the tiling depends on no key
    the search sets: cell_bits is not searched). Raises CompileError when one copy of every layer does not
    fit the budget."""
    from rnc.passes.xbar.place import Place
    from rnc.passes.xbar.replicate import Replicate
    knobs = {"seed": seed, "time_limit": PACK_SECONDS} | PACK_KNOBS
    placed = with_peripherals(partitioned, layer_peripherals or {})
    run_passes(placed, [Replicate(budget=budget, **knobs) if budget else Place(min_count=True, **knobs)])
    return placed


def compile_options(budget: int | None, samples: int, seed: int, layer_peripherals: dict | None = None,
                    target: str | None = None, target_values: dict | None = None, **more):
    """The `CompileOptions` under which `rnc compile` places a candidate exactly as `place` did, and lowers and
    simulates it: its report's energy, area and EDAP are the searched ones. `more`: further CompileOptions
    fields (calibration, eval_data, ...)."""
    from rnc.driver import CompileOptions
    return CompileOptions(target_file=target, budgets=[budget] if budget else None, duplicate=budget is not None,
                          samples=samples,
                          seed=seed, simulate_isa=True, pack_time_limit=PACK_SECONDS,
                          layer_peripherals=dict(layer_peripherals or {}), target_values=dict(target_values or {}),
                          **more)


def native_costs(placed, samples: int, seed: int) -> Costs:
    """Energy, area and EDAP of the lowered program under the native timing model, as `rnc compile` reports
    them."""
    _, timing, energy = native_run(placed, samples, seed)
    return Costs.of(timing, energy)


def native_run(placed, samples: int, seed: int):
    """(program, TimingResult, EnergyResult) of `placed` lowered and timed natively over `samples` samples.
    Timing and costs do not depend on the activation scales: the program's are all `COST_ONLY_SCALE`, no
    float run calibrates them (its numerics are not meant to run). Under calibrated ADC ranges (target key
    adc_range) a layer without `adc_shifts` needs that run: then one seeded calibration input gives them."""
    from rnc.backends.isa import lower_program
    from rnc.backends.isa.adc_calibration import needs_adc_shifts
    from rnc.backends.isa.lower import calibration_inputs
    from rnc.sim.isa_sim.energy import energy_result
    from rnc.sim.isa_sim.timing import simulate_timing
    if needs_adc_shifts(placed):
        program = lower_program(placed, calibration_inputs(placed, seed, count=1))
    else:
        program = lower_program(placed, scales=defaultdict(lambda: COST_ONLY_SCALE))
    timing = simulate_timing(program, samples)
    return program, timing, energy_result(program, timing)


class HardwareEvaluator:
    """Compiles candidates of `space` for a crossbar budget (None: the fewest crossbars, no replication);
    identical designs are evaluated once."""

    def __init__(self, xbars: int | None, samples: int = 8, image_size: int = DEFAULT_HW_IMAGE_SIZE,
                 num_classes: int = 10, seed: int = 0, space: SearchSpace | None = None, cost: bool = False,
                 target: str | None = None, target_values: dict | None = None):
        self.xbars, self.samples, self.image_size = xbars, samples, image_size
        self.num_classes, self.seed = num_classes, seed
        self.space = space or MobileNetSpace()
        self.cost, self.target = cost, target
        self.target_values = dict(target_values or {})    # on top of the target, as rnc compile's options
        self.blocks = BlockExports(image_size, num_classes)
        self.cache: dict[tuple[int, ...], HardwareResult] = {}
        self.compiles = 0
        self._baseline: dict | None = None
        self._siblings: dict[int, HardwareEvaluator] = {}
        self._models: dict[tuple[int, ...], object] = {}
        self._partitions: dict[tuple[int, ...], object] = {}
        self._plans: dict[tuple, object] = {}
        self._fewest: dict[tuple[int, ...], object] = {}

    def with_budget(self, xbars: int) -> HardwareEvaluator:
        """The evaluator for another crossbar budget, sharing this one's block exports and baseline."""
        if xbars == self.xbars:
            return self
        if xbars not in self._siblings:
            sibling = HardwareEvaluator(xbars, self.samples, self.image_size, self.num_classes, self.seed,
                                        self.space, self.cost, self.target, self.target_values)
            sibling.blocks, sibling._baseline = self.blocks, self.baseline
            sibling._models, sibling._partitions, sibling._fewest = self._models, self._partitions, self._fewest
            self._siblings[xbars] = sibling
        return self._siblings[xbars]

    @property
    def baseline(self) -> dict:
        """The ISAAC-like mapping of the space's baseline network (mbv3_small, VGG16): {'xbars', 'latency_ns'}."""
        if self._baseline is None:
            from rnc.driver.timing import isaac_layers, simulate
            module = partition(self.baseline_onnx(), self.target, self.target_values)
            self._baseline = {"xbars": isaac_xbars(module),
                              "latency_ns": simulate(isaac_layers(module), self.samples).latency_ns}
        return self._baseline

    def baseline_onnx(self):
        from rnc.frontends.torch import export_onnx
        if isinstance(self.space, VggSpace):
            return self.model(self.space.baseline_peripherals(vgg.VGG16_GENES))
        from rnc.frontends.zoo import build_model
        return export_onnx(build_model("mbv3_small"), self._input())

    def _input(self) -> torch.Tensor:
        return torch.zeros(1, 3, self.image_size, self.image_size)

    def onnx(self, genes, module: torch.nn.Module | None = None, path=None):
        """A whole-network export (trained weights when `module` is given), as a user would make it."""
        from rnc.frontends.torch import export_onnx
        if module is None:
            network, _ = self.space.split(genes)
            module = (vgg_module(network, self.num_classes, self.image_size) if isinstance(self.space, VggSpace)
                      else architecture_module(network, self.num_classes))
        return export_onnx(module, self._input(), path)

    def model(self, genes):
        """The candidate's ONNX for the hardware: chained block exports (mbv3), one export per width (vgg16)."""
        network, _ = self.space.split(genes)
        if not isinstance(self.space, VggSpace):
            return self.blocks.model(network)
        return remember(self._models, network, lambda: self.onnx(genes))

    def _partitioned(self, genes):
        """The partitioned module of the candidate's network (the last few kept: a periphery-only search
        partitions its one network once)."""
        network, _ = self.space.split(genes)
        return remember(self._partitions, network,
                         lambda: partition(self.model(genes), self.target, self.target_values))

    def evaluate(self, genes) -> HardwareResult:
        key = self.space.canonical(genes)
        if key not in self.cache:
            with collector_paused():
                self.cache[key] = self._compile(key)
        return self.cache[key]

    def intermittent(self, genes, options):
        """The IntermittentPlan of `genes` under PowerOptions `options` (rnc compile --power intermittent's
        per-layer exploration of the partitioned network; the layers' shapes do not depend on placement)."""
        from rnc.driver.intermittent import plan_intermittent
        genes = self.space.canonical(genes)
        key = (self.space.split(genes)[0], options)       # the network's: peripheral genes are not explored
        if key not in self._plans:
            self._plans[key] = plan_intermittent(self._partitioned(genes), options)
        return self._plans[key]

    def layer_peripherals(self, genes) -> dict[int, dict[str, object]]:
        """CompileOptions.layer_peripherals of `genes` (xbar layer index -> overrides)."""
        if not self.space.groups:
            return {}
        return self.space.layer_peripherals(genes, layer_locations(self._partitioned(genes)))

    def compile_options(self, genes, **more):
        """`compile_options` for compiling `genes` as this evaluator placed and costed it; `more`: further
        CompileOptions fields (calibration, eval_data, ...)."""
        return compile_options(self.xbars, self.samples, self.seed, self.layer_peripherals(genes), self.target,
                               self.target_values, **more)

    def placed(self, genes):
        """(placed module, whether one copy of it packed into the budget) of a candidate, its layers carrying
        their periphery. Raises CompileError only for a model that cannot be placed at all."""
        from rnc.driver.pipeline import CompileError
        overrides = self.layer_peripherals(genes)
        if self.xbars is None:
            return self._fewest_crossbars(genes, overrides), True
        try:
            return place(self._partitioned(genes), self.xbars, self.seed, overrides), True
        except CompileError:
            # Does not pack into the budget: the minimal placement says how many crossbars it would need.
            return self._fewest_crossbars(genes, overrides), False

    def _fewest_crossbars(self, genes, overrides: dict):
        """`place(partitioned, None, seed, overrides)`: the network's fewest-crossbars placement, made once
        and given `overrides`. It packs the tiles' footprints only, which no searched key changes (only
        cell_bits would); replication, in a budget, also weighs each layer's MVM time, which they do."""
        from rnc.passes.xbar.layer_peripherals import set_layer_overrides
        if any(FOOTPRINT_KEYS & set(o) for o in overrides.values()):
            return place(self._partitioned(genes), None, self.seed, overrides)
        network, _ = self.space.split(genes)
        placed = remember(self._fewest, network, lambda: place(self._partitioned(genes), None, self.seed)).clone()
        set_layer_overrides(placed, overrides)
        return placed

    def _compile(self, genes) -> HardwareResult:
        from rnc.passes.xbar.report import placement_report
        from rnc.driver.timing import reference_layers, simulate
        base = self.baseline["latency_ns"]
        placed, feasible = self.placed(genes)
        self.compiles += 1
        latency = simulate(reference_layers(placed), self.samples).latency_ns
        totals = placement_report(placed)["totals"]
        feasible = feasible and (self.xbars is None or totals["xbars_used"] <= self.xbars)
        cost = native_costs(placed, self.samples, self.seed) if self.cost else None
        return HardwareResult(latency, base / latency, totals["xbars_used"], totals["utilization_of_used"],
                              feasible, isaac_xbars(self._partitioned(genes)), cost)


@contextmanager
def collector_paused():
    """Python's cycle collector off for a candidate's compile: its IR (ops pointing at their parents) is
    all cycles, which the collector would otherwise scan and promote again and again while it is built
    (about a tenth of the compile). Collected once, when the next collection runs after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def remember(cache: dict, key, make):
    """`cache[key]`, made first if missing; the oldest entry goes when MODEL_CACHE are kept."""
    if key not in cache:
        if len(cache) >= MODEL_CACHE:
            cache.pop(next(iter(cache)))
        cache[key] = make()
    return cache[key]


def vgg_module(network, num_classes: int = 10, image_size: int = vgg.IMAGE_SIZE) -> vgg.VggNet:
    """An untrained VGG backbone of widths `network`, seeded: the hardware figures depend on shapes only."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return vgg.VggNet(vgg.channels_of(network), num_classes, image_size).eval()
