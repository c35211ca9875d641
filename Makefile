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
# CARELEDGER_OTP_REQUIRED=true. A real deployment runs `careledger serve` (two-factor on by default).
run: install
	$(BIN)/careledger migrate --no-input -v 0
	$(BIN)/careledger demo --if-empty
	CARELEDGER_OTP_REQUIRED=$${CARELEDGER_OTP_REQUIRED:-false} $(BIN)/careledger serve

test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

system-deps:
	@scripts/install-system-deps.sh

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

messages: install
	cd careledger && ../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete

bench: install
	$(BIN)/python bench/import_roster.py

clean:
	rm -rf $(VENV) var/
