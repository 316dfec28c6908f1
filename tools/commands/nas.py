"""`rnc nas train|search`: once-for-all supernet training and NSGA-II search for a crossbar budget."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="nas_command", metavar="ACTION")
    for name, help_text in (("train", "sandwich-rule supernet training (and the mbv3_small baseline)"),
                            ("search", "NSGA-II search: accuracy vs speedup within --xbars")):
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("--data", default="digits", choices=("digits", "cifar10"))
        sp.add_argument("--data-dir", help="folder with the CIFAR-10 binary batches")
        sp.add_argument("--image-size", type=int, default=16)
        sp.add_argument("--seed", type=int, default=0)
        sp.add_argument("--out", default="out/nas")
        if name == "train":
            sp.add_argument("--steps", type=int, default=300)
            sp.add_argument("--batch-size", type=int, default=64)
            sp.add_argument("--lr", type=float, default=2e-3)
            sp.add_argument("--no-baseline", action="store_true", help="train only the supernet")
        else:
            sp.add_argument("--supernet", help="checkpoint (default OUT/supernet.pt)")
            sp.add_argument("--pop", type=int, default=20)
            sp.add_argument("--gens", type=int, default=10)
            sp.add_argument("--xbars", type=int, default=211)
            sp.add_argument("--samples", type=int, default=8)
            sp.add_argument("--hw-image-size", type=int, default=64, help="input size for hardware evaluation")


def _fail(message: str) -> int:
    sys.stderr.write(f"rnc nas: error: {message}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    import torch
    from rnc.nas.data import DataError, load_dataset
    if args.nas_command not in ("train", "search"):
        return _fail("give an action: train or search")
    try:
        data = load_dataset(args.data, args.image_size, args.data_dir)
    except DataError as e:
        return _fail(str(e))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = lambda s: sys.stderr.write(f"rnc nas: {s}\n")  # noqa: E731
    return _train(args, data, out, log) if args.nas_command == "train" else _search(args, data, out, log)


def _train(args, data, out: Path, log) -> int:
    import torch
    from rnc.frontends.zoo.mbv3_small import MobileNetV3Small
    from rnc.nas import train
    from rnc.nas.supernet import Supernet
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
        log(f"baseline accuracy {acc:.4f}")
    return 0


def _search(args, data, out: Path, log) -> int:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rnc.nas import space, train
    from rnc.nas.hardware import HardwareEvaluator
    from rnc.nas.search import search, write_csv
    from rnc.nas.supernet import Supernet, subnet_module
    path = Path(args.supernet or out / "supernet.pt")
    if not path.is_file():
        return _fail(f"no supernet checkpoint '{path}': run 'rnc nas train' first")
    net = Supernet(data.num_classes)
    net.load_state_dict(train.load_checkpoint(path, "supernet")["state_dict"])
    hardware = HardwareEvaluator(args.xbars, args.samples, args.hw_image_size, data.num_classes, args.seed)
    result = search(net, data, hardware, args.pop, args.gens, args.seed)
    write_csv(out / "candidates.csv", result.candidates)
    write_csv(out / "pareto.csv", result.pareto)
    for c in result.pareto:
        genes = space.genes_from_str(c["genes"])
        hardware.onnx(genes, subnet_module(net, genes), out / "pareto" / f"{c['genes']}.onnx")
    baseline_acc = None
    if (out / "baseline.pt").is_file():
        baseline_acc = train.load_checkpoint(out / "baseline.pt", "baseline")["meta"].get("accuracy")
    fig, ax = plt.subplots(figsize=(6, 4))
    ok = [c for c in result.candidates if c["feasible"]]
    bad = [c for c in result.candidates if not c["feasible"]]
    ax.scatter([c["speedup"] for c in ok], [c["accuracy"] for c in ok], s=10, c="grey", label="feasible")
    ax.scatter([c["speedup"] for c in bad], [c["accuracy"] for c in bad], s=10, c="red", marker="x",
               label=f"infeasible (> {args.xbars} crossbars)")
    ax.plot([c["speedup"] for c in result.pareto], [c["accuracy"] for c in result.pareto], "o-", c="C0",
            label="Pareto front")
    if baseline_acc is not None:
        ax.scatter([1.0], [baseline_acc], marker="*", s=150, c="black", label="mbv3_small, ISAAC-like")
    ax.set_xlabel("speedup vs ISAAC-like mbv3_small")
    ax.set_ylabel("validation accuracy")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "pareto.png", dpi=120)
    log(f"{len(result.candidates)} candidates, {len(result.pareto)} on the Pareto front; wrote {out}")
    return 0
