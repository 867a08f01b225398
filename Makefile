# The two set-up commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test bench browser clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"coalition-graph needs Python 3.11 or newer; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/coalition demo $(DEMO_FLAGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_FLAGS)

bench: $(STAMP)
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.analyze
	$(BIN)/python -m bench.render
	$(BIN)/python -m bench.api

# Debian's chromium, for the browser tests (CI installs it in .ci/run)
browser:
	command -v chromium || (apt-get update -qq && apt-get install -y -qq chromium)

clean:
	-$(BIN)/coalition store stop
	rm -rf $(VENV) .coalition bench/.work .pytest_cache
