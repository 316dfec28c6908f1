# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
MODEL  ?= mbv3_small
XBARS  ?= 211

.PHONY: install run test lit pytest bench clean

$(STAMP): pyproject.toml setup.py constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[frontends,nas,test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/rnc compile $(MODEL) --xbars $(XBARS) --duplicate --out out/$(MODEL)

test: install
	$(VENV)/bin/lit -q tests/lit
	$(PY) -m pytest tests

bench: install
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf out build *.egg-info
