"""Subcommands of the rnc umbrella CLI, one module each."""
