"""A trained subnet as a chained block export: the pieces `BlockExports` exported once, their weights replaced.

Exporting a trained subnet with torch takes about 0.4 s (re-tracing), more than the rest of a candidate's
accuracy. The graph of each piece does not depend on the weights, so the pieces exported for the hardware are
reused: every Conv and Gemm node gets the trained module's weights, a Conv the BatchNorm that follows it
folded in as torch's exporter folds it (`fold_batchnorm`, the same float32 operations in the same order).
The chained model imports and compiles like `export_onnx(subnet)` (tests/nas/test_trained_blocks.py checks the
partitioned weights bit for bit), so a member's ONNX file is the model the search scored.
"""
from __future__ import annotations

import onnx
import torch
from onnx import numpy_helper
from torch import nn

from rnc.nas.onnx_blocks import BlockExports, chain, piece_modules
from rnc.nas.supernet import SubnetNet


def trained_model(blocks: BlockExports, net: SubnetNet, genes) -> onnx.ModelProto:
    """The chained export of `net` (the subnet of network `genes`, eval mode) with its own weights, at
    `blocks`' image size."""
    pieces = blocks.pieces(genes)
    modules = piece_modules(net)
    if len(pieces) != len(modules):
        raise ValueError(f"the subnet has {len(modules)} pieces, genes {genes} give {len(pieces)}")
    return chain([with_weights(p, m) for p, m in zip(pieces, modules)])


def with_weights(piece: onnx.ModelProto, module: nn.Module) -> onnx.ModelProto:
    """A copy of `piece` (exported from a module shaped like `module`) holding `module`'s weights."""
    out = onnx.ModelProto()
    out.CopyFrom(piece)
    graph = out.graph
    initializers = {}
    for node in graph.node:
        if node.op_type not in ("Conv", "Gemm"):
            continue
        layer, parent = _node_module(module, node.name)
        if node.op_type == "Conv":
            weight, bias = fold_batchnorm(layer, getattr(parent, "bn", None))
        else:
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            weight, bias = (layer.weight if trans_b else layer.weight.T), layer.bias
        names = [f"{node.name}:weight"] + ([f"{node.name}:bias"] if bias is not None else [])
        for name, value in zip(names, (weight, bias)):
            initializers[name] = numpy_helper.from_array(value.detach().contiguous().numpy(), name)
        node.input[1:] = names
    _drop_unused(graph, initializers)
    return out


def fold_batchnorm(conv: nn.Conv2d, bn: nn.BatchNorm2d | None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(weight, bias) of `conv` with the eval-mode `bn` after it folded in, bit for bit as torch's ONNX
    exporter computes them (its eval peephole pass: scale = gamma / sqrt(var + eps), W * scale per output
    channel, bias (b - mean) * scale + beta, or beta - mean * scale without a conv bias)."""
    with torch.no_grad():
        if bn is None:
            return conv.weight, conv.bias
        scale = bn.weight.div(bn.running_var.add(bn.eps).sqrt())
        weight = conv.weight.mul(scale.reshape(-1, *[1] * (conv.weight.dim() - 1)))
        if conv.bias is not None:
            bias = conv.bias.sub(bn.running_mean).mul(scale).add(bn.bias)
        else:
            bias = bn.bias.sub(bn.running_mean.mul(scale))
        return weight, bias


def _node_module(root: nn.Module, node_name: str) -> tuple[nn.Module, nn.Module]:
    """(the layer, its parent) a node named like '/1/expand/conv/Conv' or '/classifier/classifier.0/Gemm'
    came from: each scope is an attribute of the one before, or (torch names a Sequential's children so) a
    path from the root."""
    scopes = node_name.strip("/").split("/")[:-1]
    path: list[str] = []
    for scope in scopes:
        current = root.get_submodule(".".join(path))
        path = path + [scope] if _has(current, scope) else scope.split(".")
    layer = root.get_submodule(".".join(path))
    return layer, root.get_submodule(".".join(path[:-1]))


def _has(module: nn.Module, name: str) -> bool:
    try:
        module.get_submodule(name)
    except AttributeError:
        return False
    return True


def _drop_unused(graph: onnx.GraphProto, initializers: dict) -> None:
    """Replaces the graph's initializers with the used ones of the old and the new, and drops nodes whose
    outputs nothing reads any more (the Identity nodes torch adds for weights it had deduplicated)."""
    while True:
        used = {t for n in graph.node for t in n.input} | {o.name for o in graph.output}
        dead = [n for n in graph.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    old = [i for i in graph.initializer if i.name in used and i.name not in initializers]
    del graph.initializer[:]
    graph.initializer.extend(old + list(initializers.values()))
