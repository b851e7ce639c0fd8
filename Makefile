# cssp — the two commands of the README, and a few more.
#
#   make demo    set up .venv with cssp and the province plugins alone (no
#                development tools) and run the main job on the sample data
#   make test    set up .venv and run every check: ruff, mypy --strict, and
#                pytest: unit and property tests, docstring examples, the
#                examples, the benchmark smoke test, the docs (the Sphinx
#                HTML build with -n -W and its doctests, run by tests/test_docs.py),
#                and the HTML report in a real browser (Chromium, installed from
#                the distribution's packages by 'make browser' when run as root)
#   make browser install Chromium, its driver, CJK fonts and poppler-utils with
#                apt-get if they are missing (root only; never fails)
#   make bench   run the benchmarks (one GOAL line per performance goal)
#   make docs    build the HTML docs into docs/_build/html
#   make fuzz    run the property tests with many more examples (the fuzz
#                hypothesis profile, 5,000 a test), the readers' fuzzing first,
#                then the whole command's (30,000 command lines): each prints
#                how many inputs it tried
#   make java    a Java runtime for the Spark example's test (make test and
#                make pytest run it): Debian's default-jre-headless, installed
#                where make runs as root with apt-get; elsewhere the test is
#                skipped and says why

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.demo-installed
# The extras the checks use (the dev group adds the tools).
EXTRAS := xlsx,parquet,batch,dask,spark,tables,server
PLUGINS := $(wildcard plugins/cssp-*)

.PHONY: all venv java browser demo test test-pythons lint typecheck pytest docs docs-check bench fuzz clean

all: test

# Two steps: what the demo needs (cssp and the shipped province plugins, no
# development tools), then what the checks need (the extras and the dev group).
$(DEMO_STAMP): pyproject.toml constraints.txt $(addsuffix /pyproject.toml,$(PLUGINS))
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "cssp needs Python 3.11 or newer ($(PYTHON) is older); run: make PYTHON=python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e . $(addprefix -e ,$(PLUGINS))
	@touch $(DEMO_STAMP)

$(STAMP): $(DEMO_STAMP)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]' --group dev
	@touch $(STAMP)

venv: $(STAMP)

java:
	@if command -v java >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing a Java runtime for the Spark test (default-jre-headless)"; \
		mkdir -p /usr/share/man/man1; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends default-jre-headless >/dev/null; } \
		|| echo "could not install default-jre-headless: the Spark test will be skipped"; \
	else \
		echo "no Java runtime, and no apt-get as root to install one: the Spark test will be skipped"; \
	fi

demo: $(DEMO_STAMP)
	$(BIN)/cssp demo

browser:
	@tools/install-browser

test: $(STAMP) java browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) java browser
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/sphinx-build -n -W --keep-going -b html docs docs/_build/html

docs-check: $(STAMP)
	$(BIN)/sphinx-build -q -n -W --keep-going -b html docs docs/_build/html
	$(BIN)/sphinx-build -q -n -W --keep-going -b doctest docs docs/_build/doctest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q --hypothesis-show-statistics tests/test_fuzz_readers.py
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests/test_fuzz_command.py
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q --ignore=tests/test_fuzz_readers.py --ignore=tests/test_fuzz_command.py

clean:
	rm -rf $(VENV) docs/_build .pytest_cache .mypy_cache .ruff_cache .hypothesis

# The tests on the other Python versions the classifiers claim, each in its own
# virtual environment (.venv-3.12, .venv-3.13): an interpreter on the PATH, or
# one pyenv installed (as on cssp's CI machines); a version this machine lacks
# is skipped with a line saying so.
OTHER_PYTHONS := 3.12 3.13

test-pythons:
	@for version in $(OTHER_PYTHONS); do \
		py=; for candidate in python$$version $(HOME)/.pyenv/versions/$$version*/bin/python$$version; do \
			if $$candidate -c 'import sys' >/dev/null 2>&1; then py=$$candidate; break; fi; done; \
		if [ -z "$$py" ]; then echo "test-pythons: no Python $$version on this machine, skipped"; continue; fi; \
		v=.venv-$$version; \
		[ -f $$v/.installed ] || { $$py -m venv $$v && \
			$$v/bin/python -m pip install --quiet --upgrade 'pip>=25.1' && \
			$$v/bin/python -m pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]' --group dev \
				$(addprefix -e ,$(PLUGINS)) && touch $$v/.installed; } || exit 1; \
		echo "test-pythons: Python $$version ($$py)"; CI=true $$v/bin/python -m pytest -q -p no:cacheprovider || exit 1; \
	done
