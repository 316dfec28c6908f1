"""Damaged ONNX files, made from the tiny valid models of nn_onnx_cases with a seeded random generator.

Byte damage (truncation, flipped bytes, overwritten spans) and structural damage (an attribute of the wrong
type or an absurd value, a dangling or cyclic tensor name, an absurd input shape, a broken initializer, an
op type swapped, external data missing or short). `mutant(rng, folder)` writes one and names its damage.
"""
from __future__ import annotations

import random
from pathlib import Path

import onnx
from nn_onnx_cases import CASES
from onnx import AttributeProto, TensorProto

SEEDS = {name: build() for name, build in CASES.items()}
HOSTILE_INTS = [0, -1, -7, 3, 1 << 31, 1 << 40, (1 << 62) + 1, -(1 << 62)]
OP_TYPES = ["Conv", "Relu", "Gemm", "MaxPool", "Reshape", "Concat", "Softmax", "Pad", "Unsqueeze", "Squeeze",
            "Transpose", "Flatten", "Elu", "", "Loop", "If"]


def _bytes_truncated(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data))]


def _bytes_flipped(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _bytes_overwritten(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    i = rng.randrange(len(out))
    j = min(len(out), i + rng.randint(1, 24))
    out[i:j] = bytes(rng.randrange(256) for _ in range(j - i))
    return bytes(out)


def _nodes_with_attributes(model):
    return [n for n in model.graph.node if n.attribute]


def _attribute_wrong_type(model, rng: random.Random) -> None:
    nodes = _nodes_with_attributes(model)
    if not nodes:
        return _input_dangling(model, rng)
    attr = rng.choice(rng.choice(nodes).attribute)
    attr.type = rng.choice([t for t in AttributeProto.AttributeType.values() if t != attr.type])
    if attr.type == AttributeProto.TYPE_PROTO:
        attr.tp.tensor_type.elem_type = TensorProto.FLOAT
    elif attr.type == AttributeProto.GRAPH:
        attr.g.name = "g"


def _attribute_absurd_value(model, rng: random.Random) -> None:
    nodes = _nodes_with_attributes(model)
    if not nodes:
        return _shape_absurd(model, rng)
    attr = rng.choice(rng.choice(nodes).attribute)
    if attr.type == AttributeProto.INTS:
        del attr.ints[:]
        attr.ints.extend(rng.choice(HOSTILE_INTS) for _ in range(rng.randint(0, 5)))
    elif attr.type == AttributeProto.INT:
        attr.i = rng.choice(HOSTILE_INTS)
    elif attr.type == AttributeProto.FLOAT:
        attr.f = rng.choice([float("nan"), float("inf"), -1e38, 0.0])
    elif attr.type == AttributeProto.STRING:
        attr.s = rng.choice([b"", b"SAME_SIDEWAYS", b"\xff\xfe", b"VALID"])
    else:
        model.graph.node.remove(rng.choice(nodes))


def _attribute_dropped(model, rng: random.Random) -> None:
    nodes = _nodes_with_attributes(model)
    if nodes:
        node = rng.choice(nodes)
        node.attribute.remove(rng.choice(node.attribute))


def _input_dangling(model, rng: random.Random) -> None:
    node = rng.choice(model.graph.node)
    if node.input:
        node.input[rng.randrange(len(node.input))] = rng.choice(["ghost", "", "y"])
    else:
        node.input.append("ghost")


def _cycle(model, rng: random.Random) -> None:
    """The first node reads what the last one writes (a cycle, or a name used before it is defined)."""
    first, last = model.graph.node[0], model.graph.node[-1]
    if first.input:
        first.input[0] = last.output[0]
    else:
        first.input.append(last.output[0])


def _output_duplicated(model, rng: random.Random) -> None:
    node = rng.choice(model.graph.node)
    other = rng.choice(model.graph.node)
    if node.output and other.output:
        node.output[0] = other.output[0]


def _shape_absurd(model, rng: random.Random) -> None:
    inputs = [i for i in model.graph.input if i.type.HasField("tensor_type")]
    if not inputs:
        return
    dims = rng.choice(inputs).type.tensor_type.shape.dim
    if not dims:
        dims.add().dim_value = 1 << 40
        return
    dim = rng.choice(dims)
    choice = rng.randrange(4)
    if choice == 0:
        dim.dim_value = rng.choice([0, -3, 1 << 20, 1 << 40, 1 << 62])
    elif choice == 1:
        dim.dim_param = "N"
    elif choice == 2:
        dims.add().dim_value = 2          # one dimension too many
    else:
        del dims[-1]                      # one too few


def _initializer_broken(model, rng: random.Random) -> None:
    inits = list(model.graph.initializer)
    if not inits:
        return _input_dangling(model, rng)
    tensor = rng.choice(inits)
    choice = rng.randrange(4)
    if choice == 0:
        tensor.data_type = rng.choice([0, TensorProto.STRING, TensorProto.BFLOAT16, TensorProto.COMPLEX64, 85])
    elif choice == 1:
        tensor.dims.append(rng.choice([2, 1 << 40]))
    elif choice == 2 and tensor.HasField("raw_data"):
        tensor.raw_data = tensor.raw_data[:len(tensor.raw_data) // 2]
    else:
        model.graph.initializer.remove(tensor)


def _op_type_swapped(model, rng: random.Random) -> None:
    rng.choice(model.graph.node).op_type = rng.choice(OP_TYPES)


def _opset_odd(model, rng: random.Random) -> None:
    model.opset_import[0].version = rng.choice([0, 1, 6, 999])


STRUCTURAL = [_attribute_wrong_type, _attribute_absurd_value, _attribute_dropped, _input_dangling, _cycle,
              _output_duplicated, _shape_absurd, _initializer_broken, _op_type_swapped, _opset_odd]
BYTES = [_bytes_truncated, _bytes_flipped, _bytes_overwritten]


def _external_data(model, rng: random.Random, path: Path) -> str:
    """The model with its initializers in `path`.data, then that file deleted, cut short or emptied."""
    data = path.with_suffix(".data")
    onnx.save(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=data.name,
              size_threshold=0)
    choice = rng.randrange(3)
    if choice == 0:
        data.unlink()
        return "external data missing"
    blob = data.read_bytes()
    data.write_bytes(blob[:rng.randrange(len(blob))] if choice == 1 else b"")
    return "external data short"


def mutant(rng: random.Random, folder: Path, index: int) -> tuple[Path, str]:
    """Writes one damaged model into `folder`; returns its path and a description of the damage."""
    name = rng.choice(sorted(SEEDS))
    model = onnx.ModelProto()
    model.CopyFrom(SEEDS[name])
    path = folder / f"m{index}.onnx"
    kind = rng.randrange(10)
    if kind < 4:
        damage = rng.choice(BYTES)
        path.write_bytes(damage(model.SerializeToString(), rng))
    elif kind < 9:
        for _ in range(rng.randint(1, 2)):
            damage = rng.choice(STRUCTURAL)
            damage(model, rng)
        path.write_bytes(model.SerializeToString())
    elif model.graph.initializer:
        return path, f"{name}: {_external_data(model, rng, path)}"
    else:
        damage = _bytes_truncated
        path.write_bytes(damage(model.SerializeToString(), rng))
    return path, f"{name}: {damage.__name__.strip('_')}"
