"""From a model to nested levels on crossbars: import, (optionally) Taylor permutation, partition, solve,
and one verified placement per level.

`nested_levels(model, NestedOptions)` returns a `NestedRun`; `write_nested_outputs` writes levels.csv, the
report and (with `placement=True`) the nested placement. Errors the user can fix raise `CompileError`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rnc.dialects.rnc import module_target
from rnc.driver.pipeline import CompileError, canonicalize_pipeline, load_model, run_passes
from rnc.passes.xbar.nested_placement import level_module
from rnc.passes.xbar.width_groups import width_network
from rnc.passes.xbar_algorithms.nested import NestedBudgetError, NestedSolution, parse_budget, solve_levels
from rnc.passes.xbar_algorithms.nested.budget import DEFAULT_FRACTIONS
from rnc.passes.xbar_algorithms.nested.levels import SOLVERS
from rnc.passes.xbar_algorithms.pack_types import DEFAULT_EFFORT, PackOptions

IMPORTANCE = ("magnitude", "taylor")


@dataclass
class NestedOptions:
    """Budgets (crossbars "60", fractions "25%", MACs "macs=50%"), the width granularity, the solver, and
    where channel order comes from: "magnitude" (the weights as they are) or "taylor" (built-in models:
    first-order Taylor scores over `batches` digits batches, channels permuted before import)."""

    budgets: list[str] = field(default_factory=lambda: [f"{f * 100:g}%" for f in DEFAULT_FRACTIONS])
    granularity: int = 16
    solver: str = "milp"
    importance: str = "magnitude"
    batches: int = 10
    effort: int = DEFAULT_EFFORT
    seed: int = 0
    input_shape: tuple[int, ...] | None = None


@dataclass
class NestedRun:
    """The partitioned module the levels were solved on, and the solution."""

    name: str
    partitioned: object
    solution: NestedSolution


def _taylor_permuted(model: str, options: NestedOptions):
    """A built-in model with every channel group sorted by Taylor importance, imported to the nn dialect."""
    import torch

    from rnc.frontends.onnx.importer import import_onnx
    from rnc.frontends.torch import export_onnx
    from rnc.frontends.zoo import BUILTIN_MODELS, build_model, get_spec
    from rnc.nas.data import load_dataset
    from rnc.nas.nested.channels import channel_groups
    from rnc.nas.nested.importance import accumulated_gradients, group_scores
    from rnc.nas.nested.permute import permute_groups
    if model not in BUILTIN_MODELS:
        raise CompileError(f"--importance taylor needs a built-in model ({', '.join(BUILTIN_MODELS)}); "
                           f"for an .onnx file permute it before export")
    spec = get_spec(model)
    net = build_model(model, options.seed)
    data = load_dataset("digits", image_size=spec.input_shape[-1])
    batches = data.train_batches(32, torch.Generator().manual_seed(options.seed))
    groups = channel_groups(net, torch.zeros(spec.input_shape))
    grads = accumulated_gradients(net, (next(batches) for _ in range(options.batches)))
    permute_groups(groups, group_scores(groups, grads))
    return import_onnx(export_onnx(net.eval(), torch.zeros(spec.input_shape)))


def _load(model: str, options: NestedOptions):
    """An nn-dialect module from a built-in name, an .onnx file or an nn-dialect .rir file."""
    if options.importance == "taylor":
        return _taylor_permuted(model, options)
    if not model.endswith(".rir"):
        return load_model(model, options.input_shape)
    from rnc.ir.diagnostics import DiagnosticError
    from rnc.ir.parser import parse_module
    try:
        return parse_module(Path(model).read_text(), model)
    except OSError as e:
        raise CompileError(f"cannot read model '{model}': {e.strerror}") from None
    except DiagnosticError as e:
        raise CompileError(str(e).splitlines()[0]) from None


def nested_levels(model: str, options: NestedOptions) -> NestedRun:
    """Solves the nested levels of `model` (a built-in name, an .onnx file or an nn-dialect .rir file)."""
    if options.importance not in IMPORTANCE:
        raise CompileError(f"unknown importance {options.importance!r}; expected one of {', '.join(IMPORTANCE)}")
    if options.solver not in SOLVERS:
        raise CompileError(f"unknown solver {options.solver!r}; expected one of {', '.join(SOLVERS)}")
    if options.granularity < 1:
        raise CompileError(f"--granularity must be >= 1, got {options.granularity}")
    try:
        budgets = [parse_budget(b) for b in options.budgets]
    except NestedBudgetError as e:
        raise CompileError(str(e)) from None
    module = _load(model, options)
    run_passes(module, canonicalize_pipeline())
    run_passes(module, "tile-partition")
    target = module_target(module)
    network, _ = width_network(module, options.granularity, target.xbar_rows, target.weight_cols_per_xbar)
    pack_options = PackOptions(effort=options.effort, seed=options.seed)
    try:
        solution = solve_levels(network, budgets, options.solver, pack_options)
    except NestedBudgetError as e:
        raise CompileError(str(e)) from None
    return NestedRun(Path(model).stem, module, solution)


def placed_levels(run: NestedRun) -> list:
    """One placed, verified xbar module per level (smallest first)."""
    return [level_module(run.partitioned, run.solution, k) for k in range(len(run.solution.levels))]
