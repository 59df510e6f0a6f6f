# The README's commands. Everything installs into .venv on first use.
# make run HOST=0.0.0.0 PORT=8080   (defaults: 127.0.0.1, 5000)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench bench-1m index clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	$(VENV)/bin/vnsearch reindex

# serve binds the port first (a busy port: one line, exit 1), then builds the index if
# there is none, then says where the CLI is: .venv/bin is not on PATH here.
run: $(STAMP)
	@$(VENV)/bin/vnsearch serve --host $(HOST) --port $(PORT) --reindex-if-missing

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

# make bench BENCH_ARGS='--docs 10000 --quick'   (python -m bench --help)
bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# Issue 16's growth run: 10k, 100k and 1M documents (1M builds with procs=2 only), ~45 min
# on 2 cores, ~10 GB under /tmp/vnsearch-bench.
bench-1m: $(STAMP)
	$(PY) -m bench --docs 10000,100000,1000000 --budget-minutes 45 $(BENCH_ARGS)

clean:
	rm -rf index/gen-* index/CURRENT index/PREVIOUS index/.reindex.lock test-artifacts
