# The two commands a newcomer needs: `make run` and `make test`. Python 3.11+ and make only.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1

.PHONY: run test test-fast lint format bench load clean catalogs translations audit screenshots

# pytest-xdist workers for `make test` (one database each); `auto` is one per core.
TEST_WORKERS ?= auto

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# The translation catalogs: the .po files are committed, the .mo files Flask-Babel reads are
# compiled from them here (only missing or stale ones; see shop/i18n_catalogs.py).
catalogs: $(VENV)/.installed
	$(BIN)/python -m shop.i18n_catalogs

# After changing translatable text: collect the messages again and merge them into the .po
# files (new or changed ones arrive empty; tests/unit/test_translations.py names them).
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--no-wrap --sort-by-file --project shop -o shop/translations/messages.pot .
	$(BIN)/pybabel update -i shop/translations/messages.pot -d shop/translations \
		--no-wrap --ignore-obsolete --no-fuzzy-matching

# One process (shop/quickstart.py): compiles stale catalogs, migrates only when behind, seeds
# only an empty catalogue, then serves; the three steps also exist as `flask --app shop
# db upgrade`, `seed-demo --if-empty` and `run`. Time it: python -m bench.startup
run: $(VENV)/.installed
	$(BIN)/flask --app shop serve --host $(HOST) --port $(PORT)

# The browser tests inject axe-core from node_modules (package.json); without npm they skip
# their accessibility checks locally. A stamp, so `npm ci` runs only when the lock changes.
NPM := $(shell command -v npm 2>/dev/null)
NODE_DEPS := $(if $(and $(NPM),$(wildcard package.json)),node_modules/.installed)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: $(VENV)/.dev-installed $(NODE_DEPS) catalogs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The unit tests (the pure rules, translations, the Stripe contract): seconds, no database.
test-fast: $(VENV)/.dev-installed catalogs
	$(BIN)/ruff check .
	$(BIN)/pytest -q tests/unit $(PYTEST_ARGS)

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The figures of bench/ (not part of `make test`), written to bench/results/. Needs wrk
# (apt-get install -y wrk) and, for the PostgreSQL figures, SHOP_TEST_DATABASE_URL or a local
# server whose user may create databases. A short run: make bench BENCH_ARGS=--quick
bench: $(VENV)/.dev-installed catalogs
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# A campaign rush (bench/load/): Locust, headless, against two gunicorn servers on a fresh
# PostgreSQL database and Redis, ramping 20 → 600 users (about 8 minutes); the figures beside
# the targets, the database checked afterwards, the plot in bench/results/ and docs/.
# Needs PostgreSQL (SHOP_TEST_DATABASE_URL or the local server) and Redis on :6379.
# A short run: make load LOAD_ARGS=--quick
load: $(VENV)/.dev-installed catalogs
	$(BIN)/python -m bench.load.run $(LOAD_ARGS)

# Lighthouse (pinned in package.json) on the demo shop's home, a category, a product, the cart
# and the checkout, phone and desktop, against the targets; reports in bench/results/lighthouse/.
# A few minutes. One page only: make audit AUDIT_ARGS="--pages product --form-factors mobile"
audit: $(VENV)/.dev-installed node_modules/.installed catalogs
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python -m bench.audit $(AUDIT_ARGS)

# The tour of the main journeys (tests/e2e/test_tour_screenshots.py) photographed in both
# languages at both sizes, then the README's few picked, shrunk into docs/screenshots/.
screenshots: $(VENV)/.dev-installed node_modules/.installed catalogs
	$(BIN)/pytest -q tests/e2e/test_tour_screenshots.py
	$(BIN)/python -m bench.screenshots

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis
