"""rnc.hw.intermittent: execution under harvested power, as plain data and formulas (no IR).

- `pmod`: the iNAS-PMod cost of a power cycle (reboot, fetch, index restore, compute, preservation, index
  save) and of a layer (power cycles, recharge, end-to-end latency) for a `Design` on a `LayerShape`.
- `msp430`: the MSP430FR5994 platform iNAS measured, with its quirks behind `parity="inas"`.
- `crossbar`: the same terms for an RRAM crossbar chip (rnc.hw.cost), whose weights stay resident.
- `explore`: the per-layer search for the design with the lowest end-to-end latency.

The power supply itself (capacitor, harvester, NVM) is `rnc.hw.power`; docs/intermittent.md explains it all.
"""
