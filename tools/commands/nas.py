"""`rnc nas train|search|xpert`: once-for-all supernet training, NSGA-II search for a crossbar budget (with
peripheral genes per layer group: XPert's co-search; with --power intermittent, for harvested power:
rnc.nas.intermittent), and XPert's NetWork_custom.csv to a compilable design."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Ranges of the options (rnc's sanity limits: beyond them a run only takes longer or runs out of memory).
MAX_IMAGE_SIZE = 1024
MAX_COUNT = 10 ** 9
MAX_SEED = 2 ** 32 - 1        # torch and numpy both take it
MAX_BATCH = 65536
MAX_LR = 10.0
MAX_WORKERS = 1024
MAX_POPULATION = 10_000
MAX_LIMIT = 1e12              # mm^2, us, uJ: far beyond any chip
MAX_TOLERANCE_PCT = 1000.0
DEFAULT_COMPILE_BEST = 3      # Pareto members compiled with their reports when costs are searched


def add_arguments(p: argparse.ArgumentParser) -> None:
    from rnc.driver.limits import MAX_SAMPLES
    from rnc.hw.target import MAX_BUDGET
    from rnc.tools.option_types import int_in, number_in
    sub = p.add_subparsers(dest="nas_command", metavar="ACTION")
    _add_xpert(sub)
    for name, help_text in (("train", "sandwich-rule supernet training (and the mbv3_small baseline)"),
                            ("search", "NSGA-II search: accuracy vs speedup (or --objectives) within --xbars")):
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("--data", default="digits", choices=("digits", "cifar10"),
                        help="training data: scikit-learn's 8x8 digits (default) or CIFAR-10 (--data-dir)")
        sp.add_argument("--data-dir", help="folder with the CIFAR-10 binary batches")
        sp.add_argument("--image-size", type=int_in(1, MAX_IMAGE_SIZE), default=16, metavar="PX",
                        help="images are resized to PX x PX pixels for training and accuracy (default 16)")
        sp.add_argument("--data-limit", type=int_in(1, MAX_COUNT), metavar="N",
                        help="use only the first N examples of each split")
        sp.add_argument("--seed", type=int_in(0, MAX_SEED), default=0,
                        help="seed of the weights, the data order and the search (default 0)")
        sp.add_argument("--out", default="out/nas", help="output folder: checkpoints, CSVs, plot (default out/nas)")
        sp.add_argument("--quiet", action="store_true", help="no progress or log lines, errors only")
        if name == "train":
            sp.add_argument("--steps", type=int_in(1, MAX_COUNT), default=300,
                            help="optimizer steps of each training (default 300)")
            sp.add_argument("--batch-size", type=int_in(1, MAX_BATCH), default=64,
                            help="examples per step (default 64)")
            sp.add_argument("--lr", type=number_in(0, MAX_LR), default=2e-3,
                            help="Adam learning rate (default 0.002)")
            sp.add_argument("--no-baseline", action="store_true", help="train only the supernet")
            sp.add_argument("--threads", type=int_in(1, MAX_WORKERS), default=1,
                            help="torch threads (default 1: the small convolutions train fastest on one "
                                 "thread, and many times slower when threads compete for busy cores)")
        else:
            sp.add_argument("--supernet", help="checkpoint (default OUT/supernet.pt)")
            sp.add_argument("--pop", type=int_in(2, MAX_POPULATION), default=20,
                            help="candidates per generation (default 20)")
            sp.add_argument("--gens", type=int_in(1, MAX_POPULATION), default=10,
                            help="generations (default 10); with --resume, the total to reach")
            sp.add_argument("--xbars", type=int_in(1, MAX_BUDGET), default=211,
                            help="crossbar budget every candidate must fit (default 211, the reference's)")
            sp.add_argument("--samples", type=int_in(1, MAX_SAMPLES), default=8,
                            help="samples pipelined in each candidate's timing (default 8)")
            sp.add_argument("--hw-image-size", type=int_in(1, MAX_IMAGE_SIZE), default=64, metavar="PX",
                            help="input size for hardware evaluation (default 64: 1x3x64x64, the reference's)")
            sp.add_argument("--resume", action="store_true",
                            help="continue from OUT's checkpoint (written after every generation)")
            _add_co_search(sp)
            _add_power_arguments(sp)
            where = sp.add_mutually_exclusive_group()
            where.add_argument("--workers", type=int_in(1, MAX_WORKERS), default=1,
                               help="evaluate in K local processes")
            where.add_argument("--dask", metavar="ADDRESS", help="evaluate on a dask.distributed scheduler")


def _add_co_search(sp: argparse.ArgumentParser) -> None:
    from rnc.nas.objectives import OBJECTIVES
    from rnc.nas.spaces import SPACE_NAMES
    from rnc.tools.option_types import int_in, number_from, number_in
    sp.add_argument("--space", choices=SPACE_NAMES, default="mbv3",
                    help="mbv3: the once-for-all MobileNetV3-small space (default); vgg16: XPert's VGG16 "
                         "backbone, hardware objectives only (no supernet)")
    sp.add_argument("--target", metavar="TARGET",
                    help="hardware, as for rnc compile: a chip (isaac, rnc-reference) or a target/chip .toml "
                         "(default: the RNC reference)")
    sp.add_argument("--peripherals", action="store_true",
                    help="also search ADC type, ADC bits, columns per ADC and input bits per layer group")
    sp.add_argument("--objectives", metavar="LIST",
                    help=f"comma-separated, from {', '.join(OBJECTIVES)} (default accuracy,latency; "
                         f"accuracy,edap with --peripherals)")
    sp.add_argument("--max-area", type=number_in(0, MAX_LIMIT), metavar="MM2",
                    help="constraint: chip area of the program's tiles")
    sp.add_argument("--max-latency", type=_latency_us, metavar="US",
                    help="constraint: latency in us, or with a unit (60s, 5ms); of --samples samples (the "
                         "latency_ns column), or with --power intermittent the intermittent end-to-end latency")
    sp.add_argument("--max-energy", type=number_in(0, MAX_LIMIT), metavar="UJ",
                    help="constraint: energy per inference")
    sp.add_argument("--area-tolerance", type=number_from(0, MAX_TOLERANCE_PCT), default=0.0, metavar="PCT",
                    help="--max-area may be exceeded by this many percent (XPert's area tolerance; default 0)")
    sp.add_argument("--compile-best", type=int_in(0, MAX_POPULATION), metavar="K",
                    help=f"compile the K best Pareto members with their reports (default {DEFAULT_COMPILE_BEST} "
                         f"when energy, area or EDAP is searched, else 0); with --peripherals also simulate them "
                         f"on the validation samples (pareto.csv's simulated_accuracy)")
    sp.add_argument("--cell-bits", type=int_in(1, 8), metavar="N",
                    help="with --peripherals: bits each crossbar cell stores (default: the target's; XPert's arrays "
                         "store 1: smaller ADCs keep the accuracy, each weight takes more columns)")
    sp.add_argument("--accuracy-samples", type=int_in(1, MAX_COUNT), metavar="N",
                    help="measure accuracies on the first N validation samples only (default all; with "
                         "--peripherals each costs a run of the crossbars' arithmetic)")


def _add_xpert(sub) -> None:
    help_text = "XPert's NetWork_custom.csv -> a vgg16 design: ONNX and --layer-config file for rnc compile"
    sp = sub.add_parser("xpert", help=help_text, description=help_text)
    sp.add_argument("csv", help="NetWork_custom.csv (XPert's twelve columns, one row per conv layer)")
    sp.add_argument("--adc-column", choices=("levels", "bits"), default="levels",
                    help="what the last column holds: NeuroSim's ADC levels (default, what rnc writes) or "
                         "bits (XPert's shipped files)")
    sp.add_argument("--out", default="out/xpert", help="output folder (default out/xpert)")


def _make_folder(out: Path) -> str | None:
    """Creates the output folder; the user's error, if any."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot create the output folder '{out}': {e.strerror}"
    return None


def _latency_us(text: str) -> float:
    """--max-latency: a bare number is in microseconds, else a time with its unit (60s, 5ms, 300us)."""
    from rnc.hw.power import PowerError, parse_quantity
    try:
        value = float(text) if _is_number(text) else parse_quantity(text, "s", "--max-latency") * 1e6
    except PowerError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if not 0 < value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"expects a latency > 0 and <= {MAX_LIMIT:g} us, got '{text}'")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _add_power_arguments(sp: argparse.ArgumentParser) -> None:
    """`rnc compile`'s harvested-power options, and what to minimize under them."""
    from rnc.nas.intermittent import OBJECTIVES
    from rnc.tools.compile.intermittent import add_power_arguments
    add_power_arguments(sp, max_latency=False)     # --max-latency is the search's limit (_add_co_search)
    sp.add_argument("--power-objective", choices=OBJECTIVES, default="latency",
                    help="with --power intermittent and no --objectives: minimize the intermittent end-to-end "
                         "latency (default) or energy, beside maximizing accuracy")


def _co_search_values(args) -> tuple | None:
    """EvalSettings.target_values: the co-search's defaults with --cell-bits in them (None: the defaults)."""
    from rnc.nas.evaluate import CO_SEARCH_TARGET_VALUES
    if args.cell_bits is None:
        return None
    return tuple(sorted({**CO_SEARCH_TARGET_VALUES, "cell_bits": args.cell_bits}.items()))


def _fail(message: str) -> int:
    sys.stderr.write(f"rnc nas: error: {message}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    from rnc.nas.data import DataError, load_dataset
    if args.nas_command == "xpert":
        return _xpert(args)
    if args.nas_command not in ("train", "search"):
        return _fail("give an action: train, search or xpert")
    try:
        data = load_dataset(args.data, args.image_size, args.data_dir, args.data_limit)
    except DataError as e:
        return _fail(str(e))
    out = Path(args.out)
    problem = _make_folder(out)
    if problem:
        return _fail(problem)
    log = (lambda s: None) if args.quiet else (lambda s: sys.stderr.write(f"rnc nas: {s}\n"))
    return _train(args, data, out, log) if args.nas_command == "train" else _search(args, data, out, log)


def _train(args, data, out: Path, log) -> int:
    import torch
    from rnc.frontends.zoo.mbv3_small import MobileNetV3Small
    from rnc.nas import train
    from rnc.nas.digits_model import export_image_model
    from rnc.nas.supernet import Supernet
    if args.threads < 1:
        return _fail(f"--threads must be >= 1, got {args.threads}")
    torch.set_num_threads(args.threads)
    config = train.TrainConfig(steps=args.steps, batch_size=args.batch_size, lr=args.lr, seed=args.seed)
    meta = train.config_meta(config, data, args.image_size)
    torch.manual_seed(args.seed)
    net = Supernet(data.num_classes)
    train.train_supernet(net, data, config, lambda s: log(f"supernet {s}"))
    train.save_checkpoint(out / "supernet.pt", "supernet", net, meta)
    if not args.no_baseline:
        torch.manual_seed(args.seed)
        base = MobileNetV3Small(data.num_classes)
        train.train_baseline(base, data, config, lambda s: log(f"baseline {s}"))
        acc = train.accuracy(base, data.val_x, data.val_y)
        train.save_checkpoint(out / "baseline.pt", "baseline", base, meta | {"accuracy": acc})
        # the trained network as a model file: `rnc compile OUT/baseline.onnx --eval-data digits`
        export_image_model(base, args.image_size, out / "baseline.onnx")
        log(f"baseline accuracy {acc:.4f}")
    return 0


def _search(args, data, out: Path, log) -> int:
    from rnc.nas import train
    from rnc.nas.checkpoint import CheckpointError
    from rnc.nas.evaluate import EvalSettings, member_scoring
    from rnc.nas.executors import ExecutorError, make_executor
    from rnc.nas.hardware import HardwareEvaluator
    from rnc.nas.members import compile_members, write_members
    from rnc.nas.objectives import COST_OBJECTIVES, Limits, ObjectiveError, parse_objectives
    from rnc.nas.plot import plot_search
    from rnc.nas.progress import search_progress
    from rnc.nas.results import write_csv
    from rnc.nas.search import search
    from rnc.nas.spaces import make_space
    from rnc.nas.supernet import Supernet, subnet_module
    from rnc.hw.power import PowerError
    from rnc.nas.intermittent import options_of, power_settings
    power = power_settings(args)
    try:
        if power is not None:
            options_of(power)        # a bad option is one line before the search starts
    except (PowerError, ValueError) as e:
        return _fail(str(e))
    try:
        objectives = parse_objectives(args.objectives, args.peripherals, power and args.power_objective)
    except ObjectiveError as e:
        return _fail(str(e))
    if args.cell_bits is not None and not args.peripherals:
        return _fail("--cell-bits sets the co-search's cells: it needs --peripherals")
    space = make_space(args.space, args.peripherals)
    if "accuracy" in objectives and not space.has_supernet:
        return _fail(f"the {space.name} space has no supernet: give hardware --objectives "
                     f"(latency, energy, area, edap)")
    if args.area_tolerance and args.max_area is None:
        return _fail("--area-tolerance loosens --max-area: give --max-area too")
    limits = Limits(args.max_area, args.max_latency, args.max_energy, args.area_tolerance, power is not None)
    target = args.target
    if target is not None:
        from rnc.hw.target_files import TargetError, load_target
        try:
            load_target(target)
        except TargetError as e:
            return _fail(str(e))
        target = str(Path(target).resolve()) if Path(target).is_file() else target
    cost = args.peripherals or limits.needs_costs or any(o in COST_OBJECTIVES for o in objectives)
    net, path = None, None
    if space.has_supernet:
        path = Path(args.supernet or out / "supernet.pt")
        if not path.is_file():
            return _fail(f"no supernet checkpoint '{path}': run 'rnc nas train' first")
        net = Supernet(data.num_classes)
        try:
            net.load_state_dict(train.load_checkpoint(path, "supernet")["state_dict"])
        except Exception as e:  # noqa: BLE001 - torch raises many kinds for a damaged or foreign file
            return _fail(f"supernet checkpoint '{path}' is unreadable ({type(e).__name__}: {e})")
    settings = EvalSettings(path and str(path.resolve()), args.data,
                            args.data_dir and str(Path(args.data_dir).resolve()), args.image_size, args.data_limit,
                            args.xbars, args.samples, args.hw_image_size, args.seed, space.name, args.peripherals,
                            cost, target, power, target_values=_co_search_values(args),
                            accuracy_samples=args.accuracy_samples)
    try:
        executor = make_executor(args.workers, args.dask)
    except ExecutorError as e:
        return _fail(str(e))
    try:
        with search_progress(enabled=not args.quiet) as progress:
            result = search(settings, args.pop, args.gens, args.seed, executor, out, args.resume, progress,
                            objectives=objectives, limits=limits)
    except CheckpointError as e:
        return _fail(str(e))
    finally:
        executor.close()
    if result.resumed_after:
        log(f"resumed after generation {result.resumed_after}")
    write_csv(out / "pareto.csv", result.pareto)
    hardware = HardwareEvaluator(args.xbars, args.samples, args.hw_image_size, data.num_classes, args.seed, space,
                                 cost, target, settings.target_overrides)
    scoring = member_scoring(settings)
    write_members(out, result.pareto, hardware, net and (lambda genes: subnet_module(net, space.split(genes)[0])),
                  scoring)
    if power is not None:      # each member's execution design per layer, as rnc compile --power finds it
        from rnc.driver.intermittent import write_intermittent
        for c in result.pareto:
            plan = hardware.intermittent(space.from_str(c["genes"]), options_of(power))
            write_intermittent(out / "pareto", plan, f"{c['genes']}.intermittent.json")
    baseline_acc = None
    if (out / "baseline.pt").is_file():
        baseline_acc = train.load_checkpoint(out / "baseline.pt", "baseline")["meta"].get("accuracy")
    plot_search(out / "pareto.png", result.candidates, result.pareto, args.xbars, baseline_acc,
                _plot_axis(objectives))
    best = args.compile_best if args.compile_best is not None else (DEFAULT_COMPILE_BEST if cost else 0)
    compile_members(out, result.pareto, hardware, best, log, scoring)
    if scoring is not None and best:
        write_csv(out / "pareto.csv", result.pareto)      # with the compiled members' simulated accuracy
    log(f"{len(result.candidates)} candidates ({result.evaluations} evaluated now), {len(result.pareto)} on the "
        f"Pareto front; wrote {out}")
    return 0


def _plot_axis(objectives: tuple[str, ...]) -> str:
    """The x axis of pareto.png: the first of EDAP, an intermittent objective, else the speedup."""
    return next((o for o in objectives if o in ("edap", "intermittent_latency", "intermittent_energy")), "speedup")


def _xpert(args) -> int:
    from rnc.nas.hardware import HardwareEvaluator
    from rnc.nas.peripherals import write_layer_config
    from rnc.nas.spaces import make_space
    from rnc.nas.xpert_csv import XpertCsvError, read_file
    try:
        genes = read_file(args.csv, args.adc_column)
    except XpertCsvError as e:
        return _fail(str(e))
    out = Path(args.out)
    problem = _make_folder(out)
    if problem:
        return _fail(problem)
    space = make_space("vgg16", peripherals=True)
    hardware = HardwareEvaluator(1, image_size=32, space=space)
    hardware.onnx(genes, path=out / "design.onnx")
    write_layer_config(out / "layers.toml", hardware.layer_peripherals(genes))
    sys.stdout.write(f"genes {space.to_str(genes)}\n{space.describe(genes)}\n{space.describe_peripherals(genes)}\n"
                     f"wrote {out / 'design.onnx'} and {out / 'layers.toml'}: "
                     f"rnc compile {out / 'design.onnx'} --layer-config {out / 'layers.toml'}\n")
    return 0
