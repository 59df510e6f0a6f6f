# The README's commands. Everything installs into .venv on first use.
# make run HOST=0.0.0.0 PORT=8080   (defaults: 127.0.0.1, 5000)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench index clean

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

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf index/gen-* index/CURRENT index/PREVIOUS index/.reindex.lock test-artifacts
