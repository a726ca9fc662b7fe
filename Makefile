# Two commands on a fresh machine with Python 3.11 and make:
#   make dev   - set up .venv, seed the demo warehouse if absent, open the Dagster UI on it (`dg dev`
#                on the demo project, dq_demo, which loads dq through its component)
#   make test  - set up .venv if missing, then lint, check the layers, and run the whole suite

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dq-installed

# No phoning home: ydata-profiling and Great Expectations report usage unless told not to.
# (Dagster's telemetry is off in dagster.yaml and in every instance the tests build.)
export YDATA_PROFILING_NO_ANALYTICS := True
export GX_ANALYTICS_ENABLED := False
# The repository's .pyiceberg.yaml names the demo catalog; let it win over one in $HOME.
export PYICEBERG_HOME := $(CURDIR)

.PHONY: dev test seed lint bench bench-grid bench-goals bench-spark bench-cli clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

seed: $(STAMP)
	$(BIN)/dq demo seed

# VIRTUAL_ENV: dg compares it with the project's .venv and warns when they differ. DEV_PORT moves the
# UI off 3000 (`make dev DEV_PORT=3001`) when that port is taken.
DEV_PORT ?= 3000
dev: seed
	DAGSTER_HOME=$(CURDIR) VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg dev --port $(DEV_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium is not installed: the report-rendering test will be skipped"
	@command -v java >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; } || \
	  echo "java is not installed: the Spark tests will be skipped"
	@mariadb-admin --protocol=tcp -h 127.0.0.1 -u root ping >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  command -v mysqld_safe >/dev/null && install -d -o mysql -g mysql /run/mysqld && \
	  (setsid mysqld_safe >/dev/null 2>&1 &) && for i in $$(seq 1 30); do \
	  mariadb-admin --protocol=tcp -h 127.0.0.1 -u root ping >/dev/null 2>&1 && break; sleep 1; done; } || \
	  echo "MariaDB is not running: the MariaDB tests will be skipped"
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/profile_bench.py 1000000

# The whole grid (100k/1M/10M rows x 10/50 columns x 0/25/100 rules) takes an hour or more; pick a
# sub-grid with e.g. GRID="--rows 100000,1000000".
bench-grid: $(STAMP)
	@$(BIN)/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('soda_duckdb') is None)" || \
	  $(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	SODA_CORE_TELEMETRY_ENABLED=false $(BIN)/python bench/grid_bench.py $(GRID)

# Every performance goal measured in one run, printed as one goals table (dq against Soda, GX and
# ydata-profiling minimal). The 10M-row cells take long; GOALS="--quick" runs the 1M-row tables only.
bench-goals: $(STAMP)
	@$(BIN)/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('soda_duckdb') is None)" || \
	  $(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	SODA_CORE_TELEMETRY_ENABLED=false $(BIN)/python bench/goals_bench.py $(GOALS)

# The spark source's whole check step in Spark local mode against the local DuckDB engine on the same
# Parquet file (needs java); SPARK_ROWS sets the table's length (1M by default; 10M takes minutes).
SPARK_ROWS ?= 1000000
bench-spark: $(STAMP)
	$(BIN)/python bench/spark_bench.py $(SPARK_ROWS)

bench-drift: $(STAMP)
	$(BIN)/python bench/drift_bench.py

# `dq --help` and every reading `dq alerts` / `dq rules` command on a small project, against their
# start-up goals (0.3 s and 1 s).
bench-cli: $(STAMP)
	$(BIN)/python bench/cli_startup_bench.py

clean:
	rm -rf .dq .pytest_cache .ruff_cache
