# Every target creates or refreshes .venv itself, so each works as the first command on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test bench lint eval clean venv compiled

# The parsers compiled with mypyc (regwatch/compiled.py), rebuilt when any parser file differs
# from what was compiled. make run, make bench (all of it: it measures what make run runs) and the
# second pass of make test put the build first on the path; a build that is not of the current
# sources is never used (they run instead, with a warning).
COMPILED := build/compiled
WITH_COMPILED := PYTHONSAFEPATH=1 PYTHONPATH=$(CURDIR)/$(COMPILED):$(CURDIR)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

compiled: $(STAMP)  ## the parsers as C extensions (mypyc and a C compiler; about 40 s when a parser changed)
	$(BIN)/python -m regwatch.compiled $(COMPILED)

demo: $(STAMP)  ## crawl the bundled mirror, show what was found, change it, crawl again
	$(BIN)/regwatch demo

run: $(STAMP)  ## crawl the real sites into ./var/regwatch.db (with the compiled parsers if they build)
	@$(MAKE) --no-print-directory compiled || echo "make run: no compiled parsers (see above); the interpreted ones run" >&2
	$(WITH_COMPILED) $(BIN)/regwatch run

test: compiled  ## the whole test suite (real loopback HTTP, real SQLite files), then the parser tests on the compiled build
	$(BIN)/python -m pytest
	REGWATCH_EXPECT_COMPILED=1 $(WITH_COMPILED) $(BIN)/python -m pytest -q -p no:cacheprovider --import-mode=append tests/parsers

eval: $(STAMP)  ## parser precision/recall/F1 per field on the golden corpus (tests/parsers/corpus)
	$(BIN)/python -m tests.parsers.evaluate

bench: compiled  ## crawl vs bare Scrapy and idle-run requests; parse vs bare lxml; diff stage over 10,000 versions and the as-of query
	$(WITH_COMPILED) $(BIN)/python -m benchmarks.crawl
	$(WITH_COMPILED) $(BIN)/python -m benchmarks.parse
	$(WITH_COMPILED) $(BIN)/python -m benchmarks.diff

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache .ruff_cache .mypy_cache
