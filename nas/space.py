"""The search space: a MobileNetV3-small-style network with elastic kernel, expansion and depth.

Layout (once-for-all style, sized after mbv3_small): a stem conv 3->16 k3 s2, one fixed first bottleneck
(16, k3, s1, e16, 16, relu), four elastic stages, then mbv3_small's head (1x1 conv -> 576, pool,
linear 576 -> 1280, linear 1280 -> classes). Each stage has up to `MAX_DEPTH` bottlenecks; its first one
changes width (and stride), the others keep it.

A subnet is a vector of integer genes, each an index into its choice list:
  genes[0:N_STAGES]                          depth index per stage        -> DEPTHS
  genes[N_STAGES + 2*b], genes[N_STAGES + 2*b + 1]  kernel / expansion index of block b (stage-major)
Genes of blocks beyond a stage's depth are inactive: `canonical_genes` zeroes them, so two gene vectors
that describe the same network have the same canonical form (and share one cache entry).
"""
from __future__ import annotations

from dataclasses import dataclass

KERNELS = (3, 5, 7)
EXPANSIONS = (3, 4, 6)
DEPTHS = (2, 3, 4)
MAX_DEPTH = max(DEPTHS)

STEM_CHANNELS = 16
# The fixed first bottleneck, as in mbv3_small: (in, kernel, stride, expansion channels, out, activation).
FIRST_BLOCK = (16, 3, 1, 16, 16, "relu")
# (out channels, stride of the first block, activation) per elastic stage; mbv3_small's widths and strides.
STAGES = ((24, 2, "relu"), (40, 2, "hswish"), (48, 1, "hswish"), (96, 2, "hswish"))
N_STAGES = len(STAGES)
N_BLOCKS = N_STAGES * MAX_DEPTH
N_GENES = N_STAGES + 2 * N_BLOCKS


@dataclass(frozen=True)
class BlockConfig:
    """One bottleneck of a subnet: `index` is its position among the supernet's elastic blocks."""
    index: int
    in_channels: int
    kernel: int
    stride: int
    expansion: int          # expanded channels (ratio * in_channels)
    out_channels: int
    activation: str

    def as_tuple(self) -> tuple:
        return (self.in_channels, self.kernel, self.stride, self.expansion, self.out_channels, self.activation)


def gene_upper_bounds() -> list[int]:
    """Inclusive upper bound of each gene (lower bounds are 0)."""
    return [len(DEPTHS) - 1] * N_STAGES + [len(KERNELS) - 1, len(EXPANSIONS) - 1] * N_BLOCKS


def check_genes(genes) -> tuple[int, ...]:
    genes = tuple(int(g) for g in genes)
    if len(genes) != N_GENES:
        raise ValueError(f"expected {N_GENES} genes, got {len(genes)}")
    for i, (g, hi) in enumerate(zip(genes, gene_upper_bounds())):
        if not 0 <= g <= hi:
            raise ValueError(f"gene {i} = {g} is outside [0, {hi}]")
    return genes


def decode(genes) -> list[BlockConfig]:
    """The elastic blocks a gene vector selects, in execution order (the fixed first block excluded)."""
    genes = check_genes(genes)
    blocks, in_channels = [], FIRST_BLOCK[4]
    for s, (out_channels, stride, act) in enumerate(STAGES):
        for d in range(DEPTHS[genes[s]]):
            b = s * MAX_DEPTH + d
            k, e = genes[N_STAGES + 2 * b], genes[N_STAGES + 2 * b + 1]
            blocks.append(BlockConfig(b, in_channels, KERNELS[k], stride if d == 0 else 1,
                                      EXPANSIONS[e] * in_channels, out_channels, act))
            in_channels = out_channels
    return blocks


def canonical_genes(genes) -> tuple[int, ...]:
    """`genes` with the genes of inactive (dropped) blocks set to 0."""
    genes = list(check_genes(genes))
    for s in range(N_STAGES):
        for d in range(DEPTHS[genes[s]], MAX_DEPTH):
            b = s * MAX_DEPTH + d
            genes[N_STAGES + 2 * b] = genes[N_STAGES + 2 * b + 1] = 0
    return tuple(genes)


def largest_genes() -> tuple[int, ...]:
    return tuple(gene_upper_bounds())


def smallest_genes() -> tuple[int, ...]:
    return (0,) * N_GENES


def random_genes(rng) -> tuple[int, ...]:
    """Uniform genes from a `random.Random` or `numpy.random.Generator`-like `rng` with `integers`/`randint`."""
    highs = gene_upper_bounds()
    if hasattr(rng, "integers"):
        return tuple(int(rng.integers(0, hi + 1)) for hi in highs)
    return tuple(rng.randint(0, hi) for hi in highs)


def genes_to_str(genes) -> str:
    """Compact form for CSV files and names: the digits of the genes, e.g. '1201...'."""
    return "".join(str(int(g)) for g in genes)


def genes_from_str(text: str) -> tuple[int, ...]:
    return check_genes(int(c) for c in text.strip())


def describe(genes) -> str:
    """Human-readable: depth per stage, then kernel/expansion-ratio per block, e.g. 'd2,3,2,3 | k3e4 k5e6 ...'."""
    genes = check_genes(genes)
    depths = ",".join(str(DEPTHS[g]) for g in genes[:N_STAGES])
    blocks = " ".join(f"k{b.kernel}e{b.expansion // b.in_channels}" for b in decode(genes))
    return f"d{depths} | {blocks}"
