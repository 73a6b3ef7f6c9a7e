# Vendredi — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi
# Parallel test workers (pytest-xdist); 2 cores here.
WORKERS ?= auto

.PHONY: run serve test install install-test translations lint extract-messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-server: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[server]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run $(VENV)/.installed-server

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

# Compile the message catalogues (French is the source language, English the second one).
translations: $(VENV)/.installed-run
	$(BIN)/pybabel -q compile -d meeting/translations

extract-messages: $(VENV)/.installed-run
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k _ -c TRANSLATORS: \
		--project=Vendredi --copyright-holder="Le 97" -o meeting/translations/messages.pot .
	$(BIN)/pybabel -q update -N -i meeting/translations/messages.pot -d meeting/translations

# The laptop: the demo place on SQLite, served by the production server (gunicorn, gevent).
run: $(VENV)/.installed-server translations
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo ""
	@echo "  Vendredi est prêt : http://$(HOST):$(PORT)/"
	@echo "  Connexion de démonstration : admin@le97.example / vendredi"
	@echo "  (tous les comptes de démonstration ont le mot de passe « vendredi »)"
	@echo ""
	HOST=$(HOST) PORT=$(PORT) $(BIN)/vendredi-serve

# A server: the same without demo data (settings from the environment, see deploy/).
serve: $(VENV)/.installed-server translations
	$(FLASK) db upgrade
	HOST=$(HOST) PORT=$(PORT) $(BIN)/vendredi-serve

# Extra pytest arguments, e.g. `make test PYTEST_ARGS="tests/test_storage.py -x"`.
PYTEST_ARGS ?=
export PYTEST_ARGS

# The one test script, shared with .ci/run: installs (as root, with apt) and starts what the
# tests need (Chromium, PostgreSQL, Redis, nginx), then runs the whole suite on SQLite and again
# on PostgreSQL. Without root or apt it says what is missing and which tests it did not run.
test: install-test translations
	VENV_BIN='$(BIN)' WORKERS='$(WORKERS)' bash scripts/test-services

# Every benchmark of bench/ against its floor, then bench/RESULTS.md rewritten (JSON lines on
# stdout, raw files in bench/results/). `make bench BENCH_ARGS=--quick` checks that they run.
BENCH_ARGS ?=
bench: install translations
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

lint: install-test
	$(BIN)/ruff check meeting tests bench
	$(BIN)/ruff format --check meeting tests bench

clean:
	rm -rf $(VENV) instance *.egg-info
