VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow fuzz lint bench check clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/greenscore demo

test: $(STAMP)
	$(PY) -m pytest -q -m "not slow" -n auto --dist loadfile

test-slow: $(STAMP)
	$(PY) -m pytest -q -n auto --dist loadfile

FUZZ_TALLIES := build/fuzz

# The deep fuzz run (tests/fuzz, GREENSCORE_FUZZ=deep): at least 20,000 tables and 20,000
# rubrics; then docs/reliability.md is regenerated with the run's figures.
fuzz: $(STAMP)
	rm -rf $(FUZZ_TALLIES) && mkdir -p $(FUZZ_TALLIES)
	GREENSCORE_FUZZ=deep GREENSCORE_FUZZ_SUMMARY=$(FUZZ_TALLIES) \
		$(PY) -m pytest -q -m fuzz tests/fuzz -n auto --dist load -k "not test_fuzz_cases"
	$(PY) tests/fuzz/make_reliability_doc.py --tallies $(FUZZ_TALLIES)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples
	$(VENV)/bin/mypy --strict
	$(VENV)/bin/lint-imports

check: $(STAMP)
	$(VENV)/bin/greenscore check rubrics/*.yaml

# Single-threaded BLAS, so that both numpy baselines and greenscore use one core each.
bench: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
