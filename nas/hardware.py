"""Hardware evaluation of a subnet: genes -> ONNX -> the compiler's passes -> latency and speedup.

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
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.nas import space
from rnc.nas.onnx_blocks import BlockExports
from rnc.nas.supernet import SubnetNet, subnet_configs

DEFAULT_HW_IMAGE_SIZE = 64     # the reference's input, 1x3x64x64
PACK_SECONDS = 0               # see the module doc: deterministic and quick
# The reference's packing rules, as `rnc compile` applies them by default.
PACK_KNOBS = asdict(REFERENCE_PACKING)


@dataclass(frozen=True)
class HardwareResult:
    latency_ns: float          # `samples` samples, reference-compatible timing
    speedup: float             # baseline ISAAC-like latency / latency_ns
    xbars_used: int
    utilization: float         # of the crossbars used
    feasible: bool
    isaac_xbars: int           # this candidate's own ISAAC-like crossbar count (one per tile)

    def as_dict(self) -> dict:
        return asdict(self)


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


def partition(proto):
    """ONNX -> the canonicalized, tile-partitioned module (default target), as `rnc compile` builds it."""
    from rnc.frontends.onnx.importer import import_onnx
    from rnc.ir.pass_manager import parse_pipeline
    from rnc.driver.pipeline import CompileOptions, canonicalize_pipeline, configure_target
    module = import_onnx(proto)
    configure_target(module, CompileOptions())
    run_passes(module, parse_pipeline(f"{canonicalize_pipeline()},tile-partition"))
    return module


def isaac_xbars(partitioned) -> int:
    """The ISAAC-like mapping's crossbar count: one crossbar per tile, no replication."""
    from rnc.driver.timing import isaac_layers
    return sum(len(layer.copies[0]) for layer in isaac_layers(partitioned))


def place(partitioned, budget: int | None, seed: int):
    """A placed copy: replicated into `budget` crossbars, or (None) the fewest crossbars, one copy each.
    Raises CompileError when one copy of every layer does not fit the budget."""
    from rnc.passes.xbar.place import Place
    from rnc.passes.xbar.replicate import Replicate
    knobs = {"seed": seed, "time_limit": PACK_SECONDS} | PACK_KNOBS
    placed = partitioned.clone()
    run_passes(placed, [Replicate(budget=budget, **knobs) if budget else Place(min_count=True, **knobs)])
    return placed


class HardwareEvaluator:
    """Compiles candidates for a crossbar budget; identical architectures are evaluated once."""

    def __init__(self, xbars: int, samples: int = 8, image_size: int = DEFAULT_HW_IMAGE_SIZE,
                 num_classes: int = 10, seed: int = 0):
        self.xbars, self.samples, self.image_size = xbars, samples, image_size
        self.num_classes, self.seed = num_classes, seed
        self.blocks = BlockExports(image_size, num_classes)
        self.cache: dict[tuple[int, ...], HardwareResult] = {}
        self.compiles = 0
        self._baseline: dict | None = None
        self._siblings: dict[int, HardwareEvaluator] = {}
        self._plans: dict[tuple, object] = {}

    def with_budget(self, xbars: int) -> HardwareEvaluator:
        """The evaluator for another crossbar budget, sharing this one's block exports and baseline."""
        if xbars == self.xbars:
            return self
        if xbars not in self._siblings:
            sibling = HardwareEvaluator(xbars, self.samples, self.image_size, self.num_classes, self.seed)
            sibling.blocks, sibling._baseline = self.blocks, self.baseline
            self._siblings[xbars] = sibling
        return self._siblings[xbars]

    @property
    def baseline(self) -> dict:
        """The ISAAC-like mapping of mbv3_small: {'xbars', 'latency_ns'}."""
        if self._baseline is None:
            from rnc.frontends.zoo import build_model
            from rnc.driver.timing import isaac_layers, simulate
            module = partition(self.onnx(None, build_model("mbv3_small")))
            self._baseline = {"xbars": isaac_xbars(module),
                              "latency_ns": simulate(isaac_layers(module), self.samples).latency_ns}
        return self._baseline

    def onnx(self, genes, module: torch.nn.Module | None = None, path=None):
        """A whole-network export (trained weights when `module` is given), as a user would make it."""
        from rnc.frontends.torch import export_onnx
        module = module if module is not None else architecture_module(genes, self.num_classes)
        return export_onnx(module, torch.zeros(1, 3, self.image_size, self.image_size), path)

    def evaluate(self, genes) -> HardwareResult:
        key = space.canonical_genes(genes)
        if key not in self.cache:
            self.cache[key] = self._compile(key)
        return self.cache[key]

    def intermittent(self, genes, options):
        """The IntermittentPlan of `genes` under PowerOptions `options` (rnc compile --power intermittent's
        per-layer exploration of the partitioned network; the layers' shapes do not depend on placement)."""
        from rnc.driver.intermittent import plan_intermittent
        key = (space.canonical_genes(genes), options)
        if key not in self._plans:
            self._plans[key] = plan_intermittent(partition(self.blocks.model(key[0])), options)
        return self._plans[key]

    def _compile(self, genes) -> HardwareResult:
        from rnc.passes.xbar.report import placement_report
        from rnc.driver.pipeline import CompileError
        from rnc.driver.timing import reference_layers, simulate
        base = self.baseline["latency_ns"]
        partitioned = partition(self.blocks.model(genes))
        self.compiles += 1
        try:
            placed, feasible = place(partitioned, self.xbars, self.seed), True
        except CompileError:
            # Does not pack into the budget: the minimal placement says how many crossbars it would need.
            placed, feasible = place(partitioned, None, self.seed), False
        latency = simulate(reference_layers(placed), self.samples).latency_ns
        totals = placement_report(placed)["totals"]
        feasible = feasible and totals["xbars_used"] <= self.xbars
        return HardwareResult(latency, base / latency, totals["xbars_used"], totals["utilization_of_used"],
                              feasible, isaac_xbars(partitioned))
