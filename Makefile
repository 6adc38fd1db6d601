# fedwork: `make run` starts the demo, `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test install lint migrations-check clean cluster cluster-stop cluster-faults

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --once
	@echo "fedwork 运行于 http://$(HOST)/ （Ctrl-C 停止）"
	$(BIN)/python manage.py runserver $(HOST)

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

test: install migrations-check
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# A local cluster on loopback (deploy/cluster.py): PostgreSQL primary + streaming replica, pgbouncer in
# front of each, Redis, two gunicorn app servers behind haproxy on http://127.0.0.1:58000/.
# Needs Debian's haproxy, pgbouncer, redis-server and postgresql-15 (docs/operations.md).
cluster: install
	$(BIN)/python deploy/cluster.py start

cluster-stop:
	$(BIN)/python deploy/cluster.py stop

# Faults under load through haproxy (its own cluster on ports +100); fails on a lost or doubled write.
cluster-faults: install
	$(BIN)/python deploy/faults.py
