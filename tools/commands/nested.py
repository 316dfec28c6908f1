"""`rnc nested solve|compile`: nested subnetworks for several crossbar budgets (REDS on crossbars)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnc.tools.option_types import int_in

ACTIONS = (("solve", "choose nested widths for each budget: levels.csv and report.txt"),
           ("compile", "solve, then place every level on a prefix of one set of crossbars: also nested.rir"),
           ("train", "solve a built-in model's levels, train them together on digits, report accuracy per level"))


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="nested_command", metavar="ACTION")
    for name, help_text in ACTIONS:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("model", help="a built-in model name (mbv3_small, squeezenet, resnet18), an .onnx file or an nn .rir file")
        sp.add_argument("--budgets", default="25%,50%,75%,100%",
                        help="comma list of level budgets: crossbars (60), a fraction of the full model's "
                             "crossbars (25%%), MACs (macs=1e6, macs=50%%), or both (50%%+macs=40%%)")
        sp.add_argument("--granularity", type=int, default=16, help="widths are multiples of this (16)")
        sp.add_argument("--solver", default="dp", choices=("dp", "milp"),
                        help="the exact dynamic program on the groups' junction tree (dp), or a HiGHS MILP")
        sp.add_argument("--importance", default="magnitude", choices=("magnitude", "taylor"),
                        help="channel order: the weights' L1 magnitude, or Taylor scores on digits with the "
                             "channels permuted (built-in models)")
        sp.add_argument("--batches", type=int, default=10, help="training batches for Taylor importance")
        sp.add_argument("--effort", type=int, help="packing effort in probes per level")
        sp.add_argument("--seed", type=int_in(0, 2**31 - 1), default=0,
                        help="seed of the packer and of training (same seed, same levels)")
        sp.add_argument("--input-shape", help="input shape for models with dynamic shapes, e.g. 1x3x64x64")
        sp.add_argument("--out", help="output folder (default out/nested/<model>)")
        sp.add_argument("--data-dir", help="training data for Taylor importance and training instead of digits: a "
                                           "folder with inputs.npy (N,C,H,W) and labels.npy (N), or CIFAR-10 binaries")
        if name == "train":
            sp.add_argument("--steps", type=int_in(1, 1 << 20), default=200,
                            help="training steps (each trains every level)")
            sp.add_argument("--batch-size", type=int_in(1, 1 << 16), default=64, help="training batch size")
            sp.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (REDS: 1e-3)")
            sp.add_argument("--batchnorm-steps", type=int_in(0, 1 << 20), default=20,
                            help="REDS's batch-norm-only fine-tune per level, in batches (0: shared batch norms)")
            sp.add_argument("--alone", action="store_true",
                            help="also train each level's widths alone from the same weights, to compare")


def _fail(message: str) -> int:
    sys.stderr.write(f"rnc nested: error: {message}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    from rnc.driver.pipeline import CompileError
    from rnc.nas.nested.outputs import write_nested_outputs
    from rnc.nas.nested.pipeline import NestedOptions, nested_levels, placed_levels, train_levels
    from rnc.nas.nested.train import NestedTrainConfig
    if args.nested_command not in dict(ACTIONS):
        return _fail("expected an action: solve, compile or train")
    try:
        shape = tuple(int(d) for d in args.input_shape.split("x")) if args.input_shape else None
    except ValueError:
        return _fail(f"--input-shape expects DxDx..., got '{args.input_shape}'")
    options = NestedOptions(budgets=[b for b in args.budgets.split(",") if b.strip()],
                            granularity=args.granularity, solver=args.solver, importance=args.importance,
                            batches=args.batches, seed=args.seed, input_shape=shape, data_dir=args.data_dir)
    if args.effort is not None:
        options.effort = args.effort
    try:
        trained = None
        if args.nested_command == "train":
            config = NestedTrainConfig(steps=args.steps, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                                       batchnorm_steps=args.batchnorm_steps, compare_alone=args.alone)
            run_, trained = train_levels(args.model, options, config)
        else:
            run_ = nested_levels(args.model, options)
        placed = placed_levels(run_) if args.nested_command == "compile" else None
        out = Path(args.out or Path("out") / "nested" / run_.name)
        write_nested_outputs(out, run_, placed, trained)
    except CompileError as e:
        return _fail(str(e))
    sys.stdout.write((out / "report.txt").read_text())
    sys.stdout.write(f"wrote {out}\n")
    return 0
