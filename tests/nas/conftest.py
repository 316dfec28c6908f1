import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    """The CI machine is shared: NAS tests run torch on one thread."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
