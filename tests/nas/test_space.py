"""Search space and supernet: gene decoding, weight sharing, exported subnets equal the supernet's forward."""
import random

import pytest
import torch

from rnc.nas import space
from rnc.nas.supernet import Supernet, subnet_module


def test_gene_bounds_and_decoding():
    assert space.N_GENES == len(space.gene_upper_bounds()) == 36
    largest = space.decode(space.largest_genes())
    assert len(largest) == 16 and {b.kernel for b in largest} == {7}
    assert [b.expansion // b.in_channels for b in largest] == [6] * 16
    smallest = space.decode(space.smallest_genes())
    assert len(smallest) == 8 and {b.kernel for b in smallest} == {3}
    # Widths and strides follow mbv3_small: 24 (s2), 40 (s2), 48 (s1), 96 (s2).
    assert [(b.out_channels, b.stride) for b in smallest[::2]] == [(24, 2), (40, 2), (48, 1), (96, 2)]
    with pytest.raises(ValueError, match="outside"):
        space.check_genes([3] + [0] * 35)
    with pytest.raises(ValueError, match="expected 36 genes"):
        space.check_genes([0])


def test_canonical_genes_ignore_dropped_blocks():
    genes = list(space.smallest_genes())
    genes[space.N_STAGES + 2 * 3] = 2          # block 3 of stage 0: beyond depth 2, inactive
    assert space.canonical_genes(genes) == space.smallest_genes()
    assert space.genes_from_str(space.genes_to_str(genes)) == tuple(genes)


def test_subnet_module_matches_supernet_forward():
    torch.manual_seed(0)
    net = Supernet().eval()
    x = torch.randn(2, 3, 16, 16)
    rng = random.Random(3)
    for genes in (space.largest_genes(), space.smallest_genes(), space.random_genes(rng)):
        sub = subnet_module(net, genes)
        assert len(sub.blocks) == 1 + len(space.decode(genes))
        torch.testing.assert_close(sub(x), net(x, genes))


def test_smaller_kernels_are_centre_crops():
    net = Supernet()
    genes = list(space.largest_genes())
    genes[space.N_STAGES] = 0                   # block 0: kernel 3
    genes[space.N_STAGES + 1] = 1               # block 0: expansion 4
    sub = subnet_module(net, genes)
    big = net.blocks[1].depthwise.conv.weight
    small = sub.blocks[1].depthwise.conv.weight
    assert small.shape == (16 * 4, 1, 3, 3)
    torch.testing.assert_close(small, big[:64, :, 2:5, 2:5])
