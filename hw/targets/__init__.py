"""Named chip descriptions (TOML files read by `rnc.hw.chip.load_chip`)."""
