"""Candidate ONNX models assembled from per-block exports, for the hardware evaluation.

torch's exporter spends about 0.4 s on a whole subnet, nearly all of it re-tracing blocks it has already
seen: the search space has a few dozen distinct (block, input size) pairs. Each piece (the stem with the
fixed first block, every elastic block, the head with the classifier) is exported once with `export_onnx`
and the pieces' graphs are chained, output to input. The result imports and compiles exactly like the whole
export (tests/nas/test_onnx_blocks.py compares the compiled figures); the weights are those of a fresh,
seeded initialisation, since the hardware figures depend on shapes only.
"""
from __future__ import annotations

import onnx
import torch
from torch import nn

from rnc.nas.supernet import SubnetNet, subnet_configs

PIECE_INIT_SEED = 0


def conv_output_size(size: int, kernel: int, stride: int) -> int:
    """Spatial size after a conv with 'same'-style padding kernel // 2, as in the zoo's ConvBN."""
    return (size + 2 * (kernel // 2) - kernel) // stride + 1


class _Head(nn.Module):
    """SubnetNet's tail: head conv, pool, flatten, classifier (the same module objects)."""

    def __init__(self, net: SubnetNet):
        super().__init__()
        self.head, self.pool, self.classifier = net.head, net.pool, net.classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.head(x)), 1))


class BlockExports:
    """Exports each distinct piece once and chains the pieces of a candidate into one ModelProto."""

    def __init__(self, image_size: int, num_classes: int = 10):
        self.image_size, self.num_classes = image_size, num_classes
        self._pieces: dict[tuple, onnx.ModelProto] = {}

    def __len__(self) -> int:
        """Pieces exported so far."""
        return len(self._pieces)

    def model(self, genes) -> onnx.ModelProto:
        return chain(self.pieces(genes))

    def pieces(self, genes) -> list[onnx.ModelProto]:
        """The exported pieces of `genes`' subnet in order (`piece_modules` of its SubnetNet)."""
        configs = subnet_configs(genes)
        size = conv_output_size(self.image_size, 3, 2)               # after the stem
        size = conv_output_size(size, configs[0][1], configs[0][2])   # after the fixed first block
        pieces = [self._piece(("stem",), lambda: self._stem_and_first(configs[0]), (3, self.image_size))]
        for config in configs[1:]:
            pieces.append(self._piece(("block", config, size), lambda c=config: self._block(c), (config[0], size)))
            size = conv_output_size(size, config[1], config[2])
        last = configs[-1][4]
        pieces.append(self._piece(("head", last, size), lambda: self._head(configs), (last, size)))
        return pieces

    def _piece(self, key: tuple, build, input_cs: tuple[int, int]) -> onnx.ModelProto:
        if key not in self._pieces:
            from rnc.frontends.torch import export_onnx
            channels, size = input_cs
            with torch.random.fork_rng():
                torch.manual_seed(PIECE_INIT_SEED)
                module = build()
            self._pieces[key] = export_onnx(module, torch.zeros(1, channels, size, size))
        return self._pieces[key]

    def _net(self, configs: list[tuple]) -> SubnetNet:
        return SubnetNet(configs, self.num_classes)

    def _stem_and_first(self, first: tuple) -> nn.Module:
        return piece_modules(self._net([first]))[0]

    def _block(self, config: tuple) -> nn.Module:
        return self._net([config]).blocks[0]

    def _head(self, configs: list[tuple]) -> nn.Module:
        return piece_modules(self._net([configs[-1]]))[-1]


def piece_modules(net: SubnetNet) -> list[nn.Module]:
    """A subnet cut into the pieces `BlockExports` exports (sharing the net's module objects): the stem with
    the fixed first block, each further block, the head with the classifier."""
    return [nn.Sequential(net.stem, net.blocks[0]), *net.blocks[1:], _Head(net)]


def chain(pieces: list[onnx.ModelProto]) -> onnx.ModelProto:
    """One model running `pieces` in turn, each piece's single output feeding the next one's single input.

    Every name of piece j is prefixed with `/pj`, so names stay unique and still say where they came from."""
    graph = onnx.GraphProto(name="candidate")
    graph.input.extend(pieces[0].graph.input)
    feed = pieces[0].graph.input[0].name
    for j, piece in enumerate(pieces):
        g = piece.graph
        last = j == len(pieces) - 1
        renamed = {g.input[0].name: feed}
        renamed[g.output[0].name] = g.output[0].name if last else f"/p{j}/{g.output[0].name}"

        def name(tensor: str) -> str:
            return renamed.get(tensor, f"/p{j}/{tensor}") if tensor else tensor

        for init in g.initializer:
            copy = graph.initializer.add()
            copy.CopyFrom(init)
            copy.name = name(init.name)
        for node in g.node:
            copy = graph.node.add()
            copy.CopyFrom(node)
            copy.name = f"/p{j}{node.name}" if node.name.startswith("/") else f"/p{j}/{node.name}"
            copy.input[:] = [name(t) for t in node.input]
            copy.output[:] = [name(t) for t in node.output]
        feed = name(g.output[0].name)
    graph.output.extend(pieces[-1].graph.output)
    model = onnx.helper.make_model(graph, opset_imports=pieces[0].opset_import)
    model.ir_version = pieces[0].ir_version
    return model
