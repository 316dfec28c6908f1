"""Lists the packages under their rnc.* names (pyproject.toml maps folders to names)."""
import os

from setuptools import setup

ROOTS = {"rnc.ir": "rnc_ir", "rnc.hw": "hw", "rnc.dialects": "dialects", "rnc.passes": "passes",
         "rnc.frontends": "frontends", "rnc.backends": "backends", "rnc.sim": "sim",
         "rnc.driver": "driver", "rnc.nas": "nas", "rnc.tools": "tools"}


def packages() -> list[str]:
    found = []
    for name, folder in ROOTS.items():
        for path, _dirs, files in os.walk(folder):
            if "__init__.py" in files:
                rel = os.path.relpath(path, folder)
                found.append(name if rel == "." else name + "." + rel.replace(os.sep, "."))
    return found


setup(packages=packages())
