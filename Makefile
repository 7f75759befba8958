# Every target creates or refreshes .venv itself, so each works as the first command on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test bench lint eval clean venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)  ## crawl the bundled mirror, show what was found, change it, crawl again
	$(BIN)/regwatch demo

run: $(STAMP)  ## crawl the real sites into ./var/regwatch.db
	$(BIN)/regwatch run

test: $(STAMP)  ## the whole test suite (real loopback HTTP, real SQLite files)
	$(BIN)/python -m pytest

eval: $(STAMP)  ## parser precision/recall/F1 per field on the golden corpus (tests/parsers/corpus)
	$(BIN)/python -m tests.parsers.evaluate

bench: $(STAMP)  ## crawl vs bare Scrapy and idle-run requests; parse vs bare lxml; diff stage over 10,000 versions and the as-of query
	$(BIN)/python -m benchmarks.crawl
	$(BIN)/python -m benchmarks.parse
	$(BIN)/python -m benchmarks.diff

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache .ruff_cache .mypy_cache
