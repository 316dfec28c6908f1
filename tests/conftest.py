import pytest


@pytest.fixture(scope="session")
def digits_onnx(tmp_path_factory):
    """A tiny CNN (conv, ReLU, max-pool, linear) trained for seconds on 8x8 digits, as an ONNX file; and its
    validation accuracy."""
    import torch
    from torch import nn

    from rnc.nas.digits_model import export_image_model, train_on_digits
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(8 * 4 * 4, 10))
    accuracy = train_on_digits(net, 8, steps=150, lr=1e-2)
    torch.set_num_threads(previous)
    path = tmp_path_factory.mktemp("digits") / "tiny.onnx"
    export_image_model(net, 8, path)
    return path, accuracy
