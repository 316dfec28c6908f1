"""What a search writes for its Pareto members: the design files, and the best ones compiled with their reports.

For each member, in `OUT/pareto/`: `<genes>.onnx` (supernet weights, or seeded ones for a space without a
supernet), with peripheral genes `<genes>.toml` (its per-layer periphery, the `rnc compile --layer-config`
file) and for a vgg16 design `<genes>.csv` (XPert's NetWork_custom.csv). The `best` first members (the
front is sorted by its last objective) are compiled as `rnc compile` would with `hardware.compile_options`:
the same placement, lowered and simulated, so `<genes>/report.json`'s energy, area and EDAP are the ones the
search scored.
"""
from __future__ import annotations

from pathlib import Path

from rnc.nas import xpert_csv
from rnc.nas.hardware import HardwareEvaluator, compile_options
from rnc.nas.peripherals import write_layer_config
from rnc.nas.spaces import VggSpace


def write_members(out: str | Path, pareto: list[dict], hardware: HardwareEvaluator, module_of=None) -> None:
    """The design files of every member; `module_of(genes)` gives its trained torch module (None: seeded)."""
    folder = Path(out) / "pareto"
    space = hardware.space
    for c in pareto:
        genes = space.from_str(c["genes"])
        module = module_of(genes) if module_of else None
        hardware.onnx(genes, module, folder / f"{c['genes']}.onnx")
        if space.groups:
            write_layer_config(folder / f"{c['genes']}.toml", hardware.layer_peripherals(genes))
        if space.groups and isinstance(space, VggSpace):
            xpert_csv.write_file(folder / f"{c['genes']}.csv", genes, hardware.image_size)


def compile_members(out: str | Path, pareto: list[dict], hardware: HardwareEvaluator, best: int,
                    log=lambda s: None) -> list:
    """Compiles the first `best` members' ONNX files (written by `write_members`) into `pareto/<genes>/`;
    returns their CompileResults."""
    from rnc.driver import compile_model, write_outputs
    folder = Path(out) / "pareto"
    results = []
    for c in pareto[:best]:
        genes = hardware.space.from_str(c["genes"])
        options = compile_options(hardware.xbars, hardware.samples, hardware.seed, hardware.layer_peripherals(genes),
                                  hardware.target)
        result = compile_model(folder / f"{c['genes']}.onnx", options, name=c["genes"])
        write_outputs(folder / c["genes"], result)
        log(f"compiled Pareto member {c['genes']}: EDAP {result.last.edap_pj_ns_mm2:.4g} pJ ns mm2")
        results.append(result)
    return results
