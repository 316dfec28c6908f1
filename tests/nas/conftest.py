import pytest
import torch

from rnc.nas.evaluate import EvalSettings

# Tiny settings for every search test: 64 examples, 16x16 images for accuracy and hardware, 2 samples.
DATA_LIMIT = 64
HW_IMAGE_SIZE = 16
SAMPLES = 2
XBARS = 150


@pytest.fixture(autouse=True)
def _one_thread():
    """The CI machine is shared: NAS tests run torch on one thread."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def supernet_path(tmp_path_factory):
    """A supernet checkpoint trained for one step, shared by the whole session."""
    from rnc.nas import train
    from rnc.nas.data import load_dataset
    from rnc.nas.supernet import Supernet
    data = load_dataset("digits", image_size=16, limit=DATA_LIMIT)
    previous = torch.get_num_threads()      # session fixtures start before the per-test thread setting
    torch.set_num_threads(1)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = Supernet()
        config = train.TrainConfig(steps=1, batch_size=8, random_subnets=1)
        train.train_supernet(net, data, config)
    torch.set_num_threads(previous)
    path = tmp_path_factory.mktemp("supernet") / "supernet.pt"
    train.save_checkpoint(path, "supernet", net, train.config_meta(config, data, 16))
    return path


@pytest.fixture(scope="session")
def settings(supernet_path) -> EvalSettings:
    return EvalSettings(str(supernet_path), data_limit=DATA_LIMIT, xbars=XBARS, samples=SAMPLES,
                        hw_image_size=HW_IMAGE_SIZE)


@pytest.fixture(scope="session")
def search_flags(supernet_path):
    """`rnc nas search` flags for the same tiny settings, writing to `out`."""
    def flags(out) -> list[str]:
        return ["nas", "search", "--supernet", str(supernet_path), "--data-limit", str(DATA_LIMIT),
                "--hw-image-size", str(HW_IMAGE_SIZE), "--samples", str(SAMPLES), "--xbars", str(XBARS),
                "--pop", "4", "--out", str(out)]
    return flags

