# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv when missing
# and installs the package with its extras from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The benchmarks also install the `bench` extra (the open peers of the accuracy benchmark).
BENCH_STAMP := $(VENV)/.installed-bench-stamp
PYTEST_WORKERS ?= 2

.PHONY: demo test quick lint format bench bench-quick model clean

$(STAMP): EXTRAS = dev
$(BENCH_STAMP): EXTRAS = dev,bench
$(STAMP) $(BENCH_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

## demo: the whole job on a synthetic population; prints where the reports are
demo: $(STAMP)
	$(BIN)/riskmodel demo --out out/demo --force

## test: lint, then the whole suite (browser, notebooks and slow tests included)
# One native (OpenMP/BLAS) thread per test worker: the workers already use every core, and
# oversubscribed OpenMP threads spin and stall each other. Tests are handed out in the order
# tests/conftest.py gives (longest first); a file with module-scoped fixtures goes to one
# worker as a whole (--dist loadgroup), so that its fixtures are built once.
# Bytecode is cached even where the environment says not to (PYTHONDONTWRITEBYTECODE): the
# suite starts many interpreters (workers, notebook kernels, command-line runs), and each would
# compile the package and rewrite the test modules' asserts again.
PYTEST_DIST := --dist loadgroup --no-loadscope-reorder
PYTEST_ENV := PYTHONDONTWRITEBYTECODE= OMP_NUM_THREADS=1
test: $(STAMP) lint
	$(PYTEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST) --durations=15

## quick: the inner loop; fast tests only
quick: $(STAMP)
	$(PYTEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST) -m "not slow and not browser" -q

lint: $(STAMP)
	$(BIN)/ruff check riskmodel tests benchmarks
	$(BIN)/ruff format --check riskmodel tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format riskmodel tests benchmarks
	$(BIN)/ruff check --fix riskmodel tests benchmarks

## bench: every benchmark, writing benchmarks/results/*.json and benchmarks/RESULTS.md
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py

## bench-quick: smoke-test sizes into benchmarks/results/quick/ (git-ignored), RESULTS.md there
bench-quick: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py --quick

## model: rebuild the committed default bundle in models/default from training/synthetic.toml
model: $(STAMP)
	$(BIN)/riskmodel synth --n-people 50000 --seed 1 --out out/synthetic-train --force
	$(BIN)/riskmodel train --data out/synthetic-train --config training/synthetic.toml \
		--out models/default --no-mlflow --force

clean:
	rm -rf out .pytest_cache
