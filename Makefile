# Two commands matter: `make demo` (the credential lifecycle on a local chain) and `make test`.
# Both bootstrap what is missing: a virtualenv with the pinned Python dependencies and the
# pinned npm packages (anvil, solc, OpenZeppelin) from package-lock.json.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: bootstrap bytecode demo test test-pure lint contracts bench fuzz clean

bootstrap: $(PY_STAMP) $(NPM_STAMP)

# The package's bytecode, as `pip install` leaves it. Where PYTHONDONTWRITEBYTECODE is set (as on
# our CI machines), Python never writes it for this editable checkout, and every `registry` command
# compiles the modules it imports from source again: about a fifth of the CPU of a short command.
# compileall writes it regardless; a module edited later is recompiled (timestamps are checked).
bytecode: bootstrap
	@$(BIN)/python -m compileall -q -j 0 registry scripts

$(PY_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# `make demo KEEP=DIR` keeps the demo's files (credentials, passport, keys, the chain's state) in DIR.
demo: bytecode
	$(BIN)/python scripts/demo.py $(if $(KEEP),--keep "$(KEEP)")

lint: bootstrap
	$(BIN)/ruff check registry tests scripts
	$(BIN)/ruff format --check registry tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Two workers (each with its own anvil): the suite is I/O- and process-bound, so this halves it.
# The 15 slowest tests are listed at the end, so a run that grows shows where.
test: lint bytecode
	$(BIN)/pytest -n 2 --durations=15

# The pure tests only: no node, no service, no browser (markers set in tests/conftest.py). A -m
# given here replaces addopts' `-m 'not fuzz'`, so the expression repeats it.
test-pure: bytecode
	$(BIN)/pytest -p no:xdist -m "not fuzz and not chain and not browser"

bench: bytecode
	$(BIN)/python scripts/bench/run.py

fuzz: bootstrap
	$(BIN)/pytest -m fuzz

contracts: bootstrap
	$(BIN)/python scripts/build_contracts.py

clean:
	rm -rf $(VENV) node_modules .registry .pytest_cache .mypy_cache .ruff_cache
