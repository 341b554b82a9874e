# Every target does its own set-up on a fresh machine: the virtual environment is built
# from pyproject.toml when it is missing or older than that file.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export ZONEBLANCHE_DATABASE_URL ?= sqlite:///$(CURDIR)/out/zoneblanche.db

.PHONY: run test bench samples catalog clean

$(BIN)/zoneblanche: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/zoneblanche
	$(BIN)/zoneblanche demo --out out --port $(PORT)

test: $(BIN)/zoneblanche
	$(BIN)/python -m pytest

bench: $(BIN)/zoneblanche
	$(BIN)/python -m bench

samples: $(BIN)/zoneblanche
	$(BIN)/python data/samples/make_samples.py

# Extract the message ids into the catalogs (after adding or changing user-facing text).
catalog: $(BIN)/zoneblanche
	$(BIN)/pybabel extract -F babel.cfg -o survey/locales/zoneblanche.pot survey maps api
	$(BIN)/pybabel update -i survey/locales/zoneblanche.pot -d survey/locales -D zoneblanche --no-fuzzy-matching

clean:
	rm -rf $(VENV) out
