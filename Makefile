# CareLedger — two commands for a new user: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format system-deps messages clean bench

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt careledger/locale/en/LC_MESSAGES/django.po
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/careledger compilemessages-babel
	touch $(STAMP)

# `make run` is for trying CareLedger on the demo school: two-factor sign-in stays off unless you set
# CARELEDGER_OTP_REQUIRED=true, and development keys are made once into var/ (secret_key,
# encryption_key, audit_key) — only `make run` and the tests make keys. A real deployment sets
# CARELEDGER_SECRET_KEY, CARELEDGER_ENCRYPTION_KEYS and CARELEDGER_AUDIT_KEYS and runs `careledger serve`
# (two-factor on by default), which refuses to start without them.
run: export CARELEDGER_DEV_KEYS = true
run: install
	@echo "make run: development keys in var/ (never for real data; production sets CARELEDGER_SECRET_KEY, CARELEDGER_ENCRYPTION_KEYS and CARELEDGER_AUDIT_KEYS)"
	$(BIN)/careledger migrate --no-input -v 0
	$(BIN)/careledger demo --if-empty
	CARELEDGER_OTP_REQUIRED=$${CARELEDGER_OTP_REQUIRED:-false} $(BIN)/careledger serve

test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

system-deps:
	@scripts/install-system-deps.sh

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

messages: install
	cd careledger && ../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete

# Every bench on a throw-away database of its own (bench/README.md); about 10 minutes on 2 cores.
bench: export CARELEDGER_DEV_KEYS = true
bench: install
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python bench/import_roster.py
	$(BIN)/python bench/overdue.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/export_ledger.py
	$(BIN)/python bench/scale.py --contacts 100000
	$(BIN)/python bench/load.py --users 25 --seconds 30
	$(BIN)/python bench/worker_crash.py
	$(BIN)/python bench/screening_import.py
	$(BIN)/python bench/case_files.py

clean:
	rm -rf $(VENV) var/
