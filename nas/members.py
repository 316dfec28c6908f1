"""What a search writes for its Pareto members: the design files, and the best ones compiled with their reports.

For each member, in `OUT/pareto/`: `<genes>.onnx` (supernet weights, or seeded ones for a space without a
supernet; in the co-search the BatchNorm-recalibrated subnet it scored), with peripheral genes `<genes>.toml`
(its per-layer periphery, the `rnc compile --layer-config` file) and for a vgg16 design `<genes>.csv`
(XPert's NetWork_custom.csv). The `best` first members (the front is sorted by its last objective) are
compiled as `rnc compile` would with `hardware.compile_options`: the same placement, lowered and simulated,
so `<genes>/report.json`'s energy, area and EDAP are the ones the search scored.

In the co-search (`MemberScoring`) the compile also gets the search's calibration images and its validation
samples (`pareto/validation/`, `--eval-data`): the ISA simulator's top-1 of the compiled program is recorded
as the member's `simulated_accuracy`, which must equal the searched `accuracy` (the fake quantization is the
program's arithmetic, bit for bit).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from rnc.nas import xpert_csv
from rnc.nas.hardware import HardwareEvaluator
from rnc.nas.peripherals import write_layer_config
from rnc.nas.spaces import VggSpace


VALIDATION_FOLDER = "validation"      # in OUT/pareto: the samples the co-search's accuracy was measured on


@dataclass
class MemberScoring:
    """How the co-search scored accuracies: the trained subnets, the calibration images and the validation
    samples (at `image_size`), so a member compiles to the program it scored and is simulated on them."""
    subnet_of: Callable            # network genes -> the BatchNorm-recalibrated SubnetNet
    calibration: list              # input lists: CompileOptions.calibration
    inputs: np.ndarray             # (N, 1, C, S, S) float32
    labels: np.ndarray             # (N,) int64
    image_size: int
    num_classes: int

    def model(self, blocks, network):
        """The scored model of `network` (chained block export with trained weights) at `blocks`' size."""
        from rnc.nas.trained_blocks import trained_model
        return trained_model(blocks, self.subnet_of(network), network)

    def compile_fields(self, folder: Path) -> dict:
        """CompileOptions fields: the calibration images and the validation samples as --eval-data (written
        to `folder/validation`)."""
        path = folder / VALIDATION_FOLDER
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "inputs.npy", self.inputs[:, 0])
        np.save(path / "labels.npy", self.labels)
        return {"calibration": self.calibration, "eval_data": str(path), "eval_samples": len(self.labels)}


def write_members(out: str | Path, pareto: list[dict], hardware: HardwareEvaluator, module_of=None,
                  scoring: MemberScoring | None = None) -> None:
    """The design files of every member; `module_of(genes)` gives its trained torch module (None: seeded),
    `scoring` the co-search's scored model instead."""
    from rnc.frontends.torch.export import write_atomically
    folder = Path(out) / "pareto"
    space = hardware.space
    for c in pareto:
        genes = space.from_str(c["genes"])
        path = folder / f"{c['genes']}.onnx"
        if scoring is not None:
            write_atomically(path, scoring.model(hardware.blocks, space.split(genes)[0]).SerializeToString())
        else:
            hardware.onnx(genes, module_of(genes) if module_of else None, path)
        if space.groups:
            write_layer_config(folder / f"{c['genes']}.toml", hardware.layer_peripherals(genes))
        if space.groups and isinstance(space, VggSpace):
            xpert_csv.write_file(folder / f"{c['genes']}.csv", genes, hardware.image_size)


def compile_members(out: str | Path, pareto: list[dict], hardware: HardwareEvaluator, best: int,
                    log=lambda s: None, scoring: MemberScoring | None = None) -> list:
    """Compiles the first `best` members' ONNX files (written by `write_members`) into `pareto/<genes>/`;
    returns their CompileResults. With `scoring`, each compiled member's row gets `simulated_accuracy`: the
    ISA simulator's top-1 on the searched validation samples (a second compile at the accuracy's image size
    when the hardware's differs)."""
    from rnc.driver import compile_model, write_outputs
    folder = Path(out) / "pareto"
    checked = scoring.compile_fields(folder) if scoring is not None and best else {}
    same_size = scoring is not None and scoring.image_size == hardware.image_size
    results = []
    for c in pareto[:best]:
        genes = hardware.space.from_str(c["genes"])
        result = compile_model(folder / f"{c['genes']}.onnx",
                               hardware.compile_options(genes, **(checked if same_size else {})), name=c["genes"])
        write_outputs(folder / c["genes"], result)
        message = f"compiled Pareto member {c['genes']}: EDAP {result.last.edap_pj_ns_mm2:.4g} pJ ns mm2"
        if scoring is not None:
            simulated = result if same_size else _compile_at_accuracy_size(scoring, hardware, genes, checked)
            c["simulated_accuracy"] = simulated.accuracy.top1_accuracy
            agree = "agrees" if c["simulated_accuracy"] == c["accuracy"] else "DIFFERS"
            message += (f"; simulated accuracy {c['simulated_accuracy']:.4f} on {len(scoring.labels)} samples "
                        f"{agree} with the searched {c['accuracy']:.4f}")
        log(message)
        results.append(result)
    return results


def _compile_at_accuracy_size(scoring: MemberScoring, hardware: HardwareEvaluator, genes, fields: dict):
    """The member compiled (not written) at the accuracy's image size, simulated on the validation samples
    (`fields`: MemberScoring.compile_fields)."""
    from rnc.driver import compile_model
    from rnc.frontends.onnx.importer import import_onnx
    from rnc.nas.onnx_blocks import BlockExports
    blocks = BlockExports(scoring.image_size, scoring.num_classes)
    proto = scoring.model(blocks, hardware.space.split(genes)[0])
    return compile_model(import_onnx(proto), hardware.compile_options(genes, **fields))
