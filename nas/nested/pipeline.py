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
    first-order Taylor scores over `batches` training batches, channels permuted before import). The data
    is digits, or `data_dir`: a CIFAR-10 binary folder or inputs.npy and labels.npy (`nas.data`)."""

    budgets: list[str] = field(default_factory=lambda: [f"{f * 100:g}%" for f in DEFAULT_FRACTIONS])
    granularity: int = 16
    solver: str = "dp"
    importance: str = "magnitude"
    batches: int = 10
    effort: int = DEFAULT_EFFORT
    seed: int = 0
    input_shape: tuple[int, ...] | None = None
    data_dir: str | None = None


@dataclass
class NestedRun:
    """The partitioned module the levels were solved on, and the solution."""

    name: str
    partitioned: object
    solution: NestedSolution


def training_data(options: NestedOptions, image_size: int, classes: int):
    """Digits, or the folder `options.data_dir` (CIFAR-10 binaries or .npy arrays), at `image_size`; labels
    must be below `classes` (the model's outputs). CompileError with one line otherwise."""
    from rnc.nas.data import DataError, load_dataset
    name = "digits"
    if options.data_dir:
        name = "cifar10" if any(Path(options.data_dir).glob("data_batch_*.bin")) else "npy"
    try:
        data = load_dataset(name, image_size=image_size, data_dir=options.data_dir)
    except DataError as e:
        raise CompileError(f"--data-dir: {e}") from None
    top = int(max(data.train_y.max(), data.val_y.max()))
    if top >= classes:
        raise CompileError(f"--data-dir: label {top} is out of range: the model has {classes} outputs")
    return data


def _builtin_torch(model: str, options: NestedOptions):
    """(torch model, its input shape, the training data at its image size) for a built-in model;
    Taylor-permuted when `options.importance` says so."""
    import torch

    from rnc.frontends.zoo import BUILTIN_MODELS, build_model, get_spec
    from rnc.nas.nested.channels import channel_groups
    from rnc.nas.nested.importance import accumulated_gradients, group_scores
    from rnc.nas.nested.permute import permute_groups
    if model not in BUILTIN_MODELS:
        raise CompileError(f"--importance taylor and training need a built-in model ({', '.join(BUILTIN_MODELS)}); "
                           f"for an .onnx file permute it before export")
    spec = get_spec(model)
    shape = tuple(spec.input_shape)
    data = training_data(options, shape[-1], spec.num_classes)
    net = build_model(model, options.seed)
    if options.importance == "taylor":
        batches = data.train_batches(32, torch.Generator().manual_seed(options.seed))
        groups = channel_groups(net, torch.zeros(shape))
        grads = accumulated_gradients(net, (next(batches) for _ in range(options.batches)))
        permute_groups(groups, group_scores(groups, grads))
    return net, shape, data


def _load(model: str, options: NestedOptions):
    """An nn-dialect module from a built-in name, an .onnx file or an nn-dialect .rir file."""
    if options.importance == "taylor":
        import torch

        from rnc.frontends.torch.importer import import_torch
        net, shape, _ = _builtin_torch(model, options)
        return import_torch(net, torch.zeros(shape))
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
    _budgets(options)                      # fail fast, before a long import
    return solve_module(_load(model, options), Path(model).stem, options)


def _budgets(options: NestedOptions) -> list:
    """The parsed budgets, once the options are checked (CompileError otherwise)."""
    if options.importance not in IMPORTANCE:
        raise CompileError(f"unknown importance {options.importance!r}; expected one of {', '.join(IMPORTANCE)}")
    if options.solver not in SOLVERS:
        raise CompileError(f"unknown solver {options.solver!r}; expected one of {', '.join(SOLVERS)}")
    if options.granularity < 1:
        raise CompileError(f"--granularity must be >= 1, got {options.granularity}")
    try:
        return [parse_budget(b) for b in options.budgets]
    except NestedBudgetError as e:
        raise CompileError(str(e)) from None


def solve_module(module, name: str, options: NestedOptions) -> NestedRun:
    """Solves the nested levels of an nn-dialect module (changed in place: canonicalized and partitioned)."""
    budgets = _budgets(options)
    run_passes(module, canonicalize_pipeline())
    run_passes(module, "tile-partition")
    target = module_target(module)
    network, _ = width_network(module, options.granularity, target.xbar_rows, target.weight_cols_per_xbar)
    pack_options = PackOptions(effort=options.effort, seed=options.seed)
    try:
        solution = solve_levels(network, budgets, options.solver, pack_options)
    except NestedBudgetError as e:
        raise CompileError(str(e)) from None
    return NestedRun(name, module, solution)


def placed_levels(run: NestedRun) -> list:
    """One placed, verified xbar module per level (smallest first)."""
    return [level_module(run.partitioned, run.solution, k) for k in range(len(run.solution.levels))]


@dataclass
class TrainedLevels:
    """Validation accuracy per level (smallest first): `shared` with the batch norms nested training
    shares, `accuracy` with each level's own batch norms (REDS's fine-tune; `shared` when it is off), and
    `alone` with the level's widths trained on their own from the same initial weights (None: not run)."""

    shared: list[float]
    accuracy: list[float]
    alone: list[float] | None = None


def train_levels(model: str, options: NestedOptions, config) -> tuple[NestedRun, TrainedLevels]:
    """Solves the levels of a built-in model, trains them together on digits (`nas.nested.train`) and
    returns the run and each level's accuracy."""
    _budgets(options)
    net, shape, data = _builtin_torch(model, options)
    return train_network(net, shape, data, model, options, config)


def train_network(net, shape: tuple[int, ...], data, name: str, options: NestedOptions,
                  config) -> tuple[NestedRun, TrainedLevels]:
    """Solves the levels of torch model `net` (input `shape`) on its export, trains them together on
    `data`, fine-tunes each level's batch norms and, with `config.compare_alone`, trains each level's
    widths alone from the same initial weights."""
    import copy

    import torch

    from rnc.frontends.torch.importer import import_torch
    from rnc.nas.nested.batchnorm import fine_tune_batchnorms
    from rnc.nas.nested.channels import channel_groups
    from rnc.nas.nested.mapping import parameter_fractions, torch_level_widths
    from rnc.nas.nested.train import level_accuracy, train_nested
    run = solve_module(import_torch(net, torch.zeros(shape)), name, options)
    initial = copy.deepcopy(net)
    groups = channel_groups(net, torch.zeros(shape))
    try:
        widths = torch_level_widths(net, groups, run.solution)
    except ValueError as e:
        raise CompileError(f"{name}: {e}") from None

    def batches():
        return data.train_batches(config.batch_size, torch.Generator().manual_seed(config.seed))

    train_nested(net, groups, widths, parameter_fractions(run.solution), batches(), config)
    shared = level_accuracy(net, groups, widths, data.val_x, data.val_y)
    accuracy = shared
    if config.batchnorm_steps:
        norms = fine_tune_batchnorms(net, groups, widths, batches(), config.batchnorm_steps, config.lr)
        accuracy = level_accuracy(net, groups, widths, data.val_x, data.val_y, norms)
    alone = None
    if config.compare_alone:
        alone = []
        for level in widths:
            single = copy.deepcopy(initial)
            single_groups = channel_groups(single, torch.zeros(shape))
            train_nested(single, single_groups, [level], [1.0], batches(), config)
            alone += level_accuracy(single, single_groups, [level], data.val_x, data.val_y)
    return run, TrainedLevels(shared, accuracy, alone)
