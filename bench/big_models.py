"""Big models: time and memory of each compile step for VGG19 and ResNet-50 (issue #15 item 4).

Builds the onnx model zoo's VGG19 structure (16 3x3 convs + 3 FC, 224x224, 143.7 M weights, a 575 MB file)
and torchvision's ResNet-50 structure with random weights (torch, no download), then runs
`rnc.driver.compile_model` with the functional check at the minimum crossbar count and prints, per step,
its wall time, the process's resident memory when the step ends and the peak so far. Also the import alone
(peak over the ONNX file's size). Targets (issue #15): VGG19 under 40 s and 2 GB, ResNet-50 under 10 s,
import of the 575 MB model under 1.3 GB.

    .venv/bin/python bench/big_models.py [vgg19|resnet50 ...]

Each model runs in a fresh process, so one model's memory does not count against the next.
"""
from __future__ import annotations

import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

MODELS = ("vgg19", "resnet50")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _peak_mb() -> float:
    """The process's peak resident memory. VmHWM, not getrusage's ru_maxrss: the latter survives exec, so a
    spawned child would report its parent's peak (torch and the exported model) as its own."""
    return _status_mb("VmHWM")


def _vgg19():
    from torch import nn
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
            c = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Linear(4096, 4096),
                         nn.ReLU(), nn.Linear(4096, 1000))


def _bottleneck(nn, cin, width, stride):
    cout = width * 4

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                                      nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width),
                                      nn.ReLU(), nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout))
            self.skip = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                         if stride != 1 or cin != cout else nn.Identity())
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(self.body(x) + self.skip(x))
    return Block(), cout


def _resnet50():
    from torch import nn
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    c = 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for i in range(blocks):
            block, c = _bottleneck(nn, c, width, stride if i == 0 else 1)
            layers.append(block)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 1000))


def _export(name: str, folder: Path) -> Path:
    import torch
    model = {"vgg19": _vgg19, "resnet50": _resnet50}[name]().eval()
    path = folder / f"{name}.onnx"
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), str(path), dynamo=False)
    return path


def _import_only(path: str, queue) -> None:
    from rnc.frontends.onnx.importer import import_onnx
    start, before = time.perf_counter(), _rss_mb()
    import_onnx(path)
    queue.put((time.perf_counter() - start, before, _peak_mb()))


def _compile(path: str, queue) -> None:
    from rnc.driver import CompileOptions, compile_model
    rows, start, last = [], time.perf_counter(), [None, time.perf_counter()]

    def progress(step: str) -> None:
        now = time.perf_counter()
        if last[0] is not None:
            rows.append((last[0], now - last[1], _rss_mb(), _peak_mb()))
        last[:] = [step, now]

    compile_model(path, CompileOptions(simulate_isa=True, samples=1), progress=progress)
    progress("end")
    queue.put((time.perf_counter() - start, rows))


def _in_child(target, path: Path):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=target, args=(str(path), queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = _export(name, Path(tmp))
            size_mb = path.stat().st_size / 2**20
            seconds, before, peak = _in_child(_import_only, path)
            print(f"{name}: {size_mb:.0f} MB ONNX; import {seconds:.1f} s, peak {peak:.0f} MB "
                  f"({peak / size_mb:.2f}x the file; {before:.0f} MB before it)")
            total, rows = _in_child(_compile, path)
            print(f"{name}: compile with the functional check {total:.1f} s, peak {max(r[3] for r in rows):.0f} MB")
            for step, seconds, rss, peak in rows:
                print(f"    {step:<40} {seconds:7.2f} s   rss {rss:7.0f} MB   peak {peak:7.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:] or list(MODELS))
