"""Sandwich-rule training runs, changes the shared weights, and checkpoints round-trip with weights_only."""
import torch

from rnc.nas import space, train
from rnc.nas.data import load_dataset
from rnc.nas.supernet import Supernet, recalibrate_bn, subnet_module


def test_sandwich_training_and_checkpoint(tmp_path):
    data = load_dataset("digits", image_size=16, limit=64)
    assert data.train_x.shape[1:] == (3, 16, 16)
    torch.manual_seed(0)
    net = Supernet()
    before = net.blocks[1].depthwise.conv.weight.detach().clone()
    config = train.TrainConfig(steps=2, batch_size=8, random_subnets=1)
    losses = train.train_supernet(net, data, config)
    assert len(losses) == 2 and all(loss > 0 for loss in losses)
    assert not torch.equal(before, net.blocks[1].depthwise.conv.weight)
    path = tmp_path / "supernet.pt"
    train.save_checkpoint(path, "supernet", net, train.config_meta(config, data, 16))
    loaded = train.load_checkpoint(path, "supernet")
    assert loaded["meta"]["image_size"] == 16
    again = Supernet()
    again.load_state_dict(loaded["state_dict"])
    sub = subnet_module(again, space.smallest_genes())
    recalibrate_bn(sub, data.calibration_batches(2, 8))
    assert 0.0 <= train.accuracy(sub, data.val_x, data.val_y) <= 1.0
