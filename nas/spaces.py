"""The search spaces `rnc nas search` knows, each with optional per-group peripheral genes.

A candidate is one vector of integer genes: the network genes first, then `GENES_PER_GROUP` peripheral genes
per layer group when peripherals are searched (nas/peripherals.py). Two spaces:

- `mbv3`: the MobileNetV3-small-style once-for-all space of nas/space.py. Peripheral groups: the stem with
  the fixed first block, each of the elastic blocks, the head with the classifier.
- `vgg16`: XPert's VGG16-style backbone (nas/vgg.py), one width gene per conv layer. Peripheral groups: each
  conv layer and the classifier. No supernet exists for it, so it is searched for hardware objectives only.

`canonical` zeroes genes that do not change the design (dropped blocks and their peripherals), so the
evaluation cache holds one entry per design.
"""
from __future__ import annotations

import random
import re

from rnc.nas import peripherals as periph
from rnc.nas import space as mbv3
from rnc.nas import vgg

SPACE_NAMES = ("mbv3", "vgg16")
_PIECE = re.compile(r"^/p(\d+)/")


class SearchSpace:
    """Genes, their bounds and meaning; subclasses give the network part."""

    name = ""
    network_genes_count = 0
    network_groups = 0           # peripheral groups of the network
    has_supernet = False

    def __init__(self, peripherals: bool = False):
        self.peripherals = peripherals
        self.groups = self.network_groups if peripherals else 0
        self.n_genes = self.network_genes_count + periph.GENES_PER_GROUP * self.groups

    # ---- network part, per space --------------------------------------------------------------------------
    def network_upper_bounds(self) -> list[int]:
        raise NotImplementedError

    def canonical_network(self, genes: tuple[int, ...]) -> tuple[int, ...]:
        return genes

    def active_groups(self, network: tuple[int, ...]) -> set[int]:
        """Groups whose layers the network has."""
        return set(range(self.network_groups))

    def describe_network(self, network: tuple[int, ...]) -> str:
        raise NotImplementedError

    def layer_groups(self, network: tuple[int, ...], locations: list[str]) -> list[int]:
        """The peripheral group of each xbar layer (in layer order), from the layers' source locations."""
        raise NotImplementedError

    # ---- whole vector ---------------------------------------------------------------------------------------
    def upper_bounds(self) -> list[int]:
        """Inclusive upper bound of each gene (lower bounds are 0)."""
        return self.network_upper_bounds() + periph.upper_bounds(self.groups)

    def initial_population(self, pop: int, seed: int) -> list[tuple[int, ...]] | None:
        """The search's first generation (None: pymoo's uniform integer draws, the space without peripherals).

        With peripheral genes a uniform draw almost always gives some group 1- or 2-bit inputs or a small
        ADC, which takes the network to chance accuracy: a flat landscape the search cannot climb. So half
        the rows (rounded up) start from the baseline periphery (8-bit inputs, an 8-bit SAR ADC per column:
        the network's own accuracy), each with one group drawn at random, and the rest are uniform; the
        search then walks from accurate designs towards cheap peripheries, as XPert starts from its
        baseline. Seeded: the same rows for any number of workers."""
        if not self.groups:
            return None
        rng = random.Random(seed)
        bounds = self.upper_bounds()
        rows = []
        for i in range(pop):
            genes = [rng.randint(0, hi) for hi in bounds]
            if i < (pop + 1) // 2:
                network = genes[:self.network_genes_count]
                genes = list(self.baseline_peripherals(network))
                group = rng.randrange(self.groups)
                start = self.network_genes_count + group * periph.GENES_PER_GROUP
                for k in range(start, start + periph.GENES_PER_GROUP):
                    genes[k] = rng.randint(0, bounds[k])
            rows.append(tuple(genes))
        return rows

    def check(self, genes) -> tuple[int, ...]:
        genes = tuple(int(g) for g in genes)
        if len(genes) != self.n_genes:
            raise ValueError(f"the {self.name} space{' with peripherals' if self.groups else ''} has "
                             f"{self.n_genes} genes, got {len(genes)}")
        for i, (g, hi) in enumerate(zip(genes, self.upper_bounds())):
            if not 0 <= g <= hi:
                raise ValueError(f"gene {i} = {g} is outside [0, {hi}]")
        return genes

    def split(self, genes) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(network genes, peripheral genes)."""
        genes = self.check(genes)
        return genes[:self.network_genes_count], genes[self.network_genes_count:]

    def canonical(self, genes) -> tuple[int, ...]:
        network, peripheral = self.split(genes)
        network = self.canonical_network(network)
        if not self.groups:
            return network
        active, n = self.active_groups(network), periph.GENES_PER_GROUP
        peripheral = tuple(g if i // n in active else 0 for i, g in enumerate(peripheral))
        return network + peripheral

    def to_str(self, genes) -> str:
        """Compact form for CSV files and names: one digit a gene."""
        return "".join(str(int(g)) for g in genes)

    def from_str(self, text: str) -> tuple[int, ...]:
        return self.check(int(c) for c in text.strip())

    def describe(self, genes) -> str:
        network, _ = self.split(genes)
        return self.describe_network(network)

    def describe_peripherals(self, genes) -> str:
        """The periphery of each active group, '|'-separated ('' without peripheral genes)."""
        network, peripheral = self.split(genes)
        if not self.groups:
            return ""
        active = self.active_groups(network)
        groups = periph.decode(peripheral)
        return " | ".join(periph.describe_group(groups[g]) for g in sorted(active))

    def layer_peripherals(self, genes, locations: list[str]) -> dict[int, dict[str, object]]:
        """CompileOptions.layer_peripherals of a candidate whose xbar layers come from `locations`."""
        network, peripheral = self.split(genes)
        if not self.groups:
            return {}
        return periph.layer_peripherals(self.layer_groups(network, locations), peripheral)

    def baseline_peripherals(self, network) -> tuple[int, ...]:
        """The full vector of `network` with XPert's baseline periphery in every group."""
        return tuple(network) + periph.BASELINE_GENES * self.groups


class MobileNetSpace(SearchSpace):
    """nas/space.py's MobileNetV3-small-style space."""

    name = "mbv3"
    network_genes_count = mbv3.N_GENES
    network_groups = mbv3.N_BLOCKS + 2      # stem and first block, each elastic block, head and classifier
    has_supernet = True

    def network_upper_bounds(self) -> list[int]:
        return mbv3.gene_upper_bounds()

    def canonical_network(self, genes):
        return mbv3.canonical_genes(genes)

    def active_groups(self, network):
        return {0, self.network_groups - 1} | {1 + b.index for b in mbv3.decode(network)}

    def describe_network(self, network) -> str:
        return mbv3.describe(network)

    def piece_groups(self, network) -> list[int]:
        """The group of each piece of the chained block export (nas/onnx_blocks.py): stem, blocks, head."""
        return [0] + [1 + b.index for b in mbv3.decode(network)] + [self.network_groups - 1]

    def layer_groups(self, network, locations):
        pieces = self.piece_groups(network)
        groups = []
        for loc in locations:
            match = _PIECE.match(loc)
            if match is None:
                raise ValueError(f"layer location {loc!r} does not name a piece of the chained export")
            groups.append(pieces[int(match.group(1))])
        return groups


class VggSpace(SearchSpace):
    """XPert's VGG16-style backbone: a width gene per conv layer."""

    name = "vgg16"
    network_genes_count = vgg.LAYERS
    network_groups = vgg.LAYERS + 1         # each conv layer, the classifier

    def network_upper_bounds(self) -> list[int]:
        return [len(vgg.CHANNELS) - 1] * vgg.LAYERS

    def describe_network(self, network) -> str:
        return "c" + ",".join(str(c) for c in vgg.channels_of(network))

    def layer_groups(self, network, locations):
        if len(locations) != self.network_groups:
            raise ValueError(f"a VGG candidate compiles to {self.network_groups} xbar layers, got {len(locations)}")
        return list(range(self.network_groups))


def make_space(name: str = "mbv3", peripherals: bool = False) -> SearchSpace:
    """The space called `name` (ValueError naming the known ones)."""
    spaces = {"mbv3": MobileNetSpace, "vgg16": VggSpace}
    if name not in spaces:
        raise ValueError(f"unknown search space '{name}' ({' or '.join(SPACE_NAMES)})")
    return spaces[name](peripherals)
