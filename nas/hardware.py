"""Hardware evaluation of a subnet: genes -> ONNX -> the `rnc compile` pipeline -> latency and speedup.

Each candidate goes through exactly what a user model goes through: `export_onnx`, `import_onnx`, then
`compile_model` (canonicalize, tile-partition, replicate within the crossbar budget, place, reference-
compatible timing). Speedup is against the ISAAC-like mapping of the fixed baseline network (mbv3_small,
every tile alone on a crossbar, no replication), timed the same way over the same samples.

A candidate whose single copy does not pack into the budget is kept and marked infeasible; its figures then
come from the minimal placement (no replication) and `xbars_used` is the count that placement needs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from rnc.nas import space
from rnc.nas.supernet import SubnetNet, subnet_configs

DEFAULT_HW_IMAGE_SIZE = 64     # the reference's input, 1x3x64x64


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


class HardwareEvaluator:
    """Compiles candidates for a crossbar budget; identical architectures are evaluated once."""

    def __init__(self, xbars: int, samples: int = 8, image_size: int = DEFAULT_HW_IMAGE_SIZE,
                 num_classes: int = 10, seed: int = 0):
        self.xbars, self.samples, self.image_size = xbars, samples, image_size
        self.num_classes, self.seed = num_classes, seed
        self.cache: dict[tuple[int, ...], HardwareResult] = {}
        self.compiles = 0
        self._baseline: dict | None = None

    def _input(self) -> torch.Tensor:
        return torch.zeros(1, 3, self.image_size, self.image_size)

    def _options(self, budget: int | None):
        from rnc.tools.compile.pipeline import CompileOptions
        return CompileOptions(budgets=[budget] if budget else None, duplicate=budget is not None,
                              samples=self.samples, seed=self.seed)

    @property
    def baseline(self) -> dict:
        """The ISAAC-like mapping of mbv3_small: {'xbars', 'latency_ns', ...}."""
        if self._baseline is None:
            from rnc.frontends.onnx.importer import import_onnx
            from rnc.frontends.torch import export_onnx
            from rnc.frontends.zoo import build_model
            from rnc.tools.compile.pipeline import compile_model
            module = import_onnx(export_onnx(build_model("mbv3_small"), self._input()))
            self._baseline = compile_model("mbv3_small", module, self._options(None)).baseline
        return self._baseline

    def onnx(self, genes, module: torch.nn.Module | None = None, path=None):
        from rnc.frontends.torch import export_onnx
        module = module if module is not None else architecture_module(genes, self.num_classes)
        return export_onnx(module, self._input(), path)

    def evaluate(self, genes) -> HardwareResult:
        key = space.canonical_genes(genes)
        if key not in self.cache:
            self.cache[key] = self._compile(key)
        return self.cache[key]

    def _compile(self, genes) -> HardwareResult:
        from rnc.frontends.onnx.importer import import_onnx
        from rnc.tools.compile.pipeline import CompileError, compile_model
        proto = self.onnx(genes)
        base = self.baseline["latency_ns"]
        self.compiles += 1
        try:
            result = compile_model("candidate", import_onnx(proto), self._options(self.xbars))
            feasible = True
        except CompileError:
            # Does not pack into the budget: the minimal placement says how many crossbars it would need.
            result = compile_model("candidate", import_onnx(proto), self._options(None))
            feasible = False
        run = result.runs[0]
        totals = run.report["totals"]
        feasible = feasible and totals["xbars_used"] <= self.xbars
        return HardwareResult(run.latency_ns, base / run.latency_ns, totals["xbars_used"],
                              totals["utilization_of_used"], feasible, result.baseline["xbars"])
