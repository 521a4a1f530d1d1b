# The two commands: `make run` (a working till on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export POS_DATABASE_URL ?= sqlite:///var/pos.db

.PHONY: install run test test-sqlite lint bench bench-load clean

$(STAMP): pyproject.toml
	PYTHON=$(PYTHON) scripts/bootstrap.sh $(VENV)
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(BIN)/pos db upgrade
	$(BIN)/pos demo load
	@echo "Till: http://127.0.0.1:8000/till (cashier, PIN 1111)   API docs: http://127.0.0.1:8000/api/docs   health: http://127.0.0.1:8000/health"
	POS_DEVICES=embedded $(BIN)/pos serve --host 127.0.0.1 --port 8000

test: install
	scripts/test.sh

test-sqlite: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Every benchmark in bench/ (bench/profile_oneshot.py is a profiler, run it by hand);
# bench/ratio.py gives the headline figures: ours against the calibration server.
bench: install
	$(BIN)/python bench/ratio.py
	$(BIN)/python bench/catalog.py
	$(BIN)/python bench/discounts.py
	$(BIN)/python bench/discounts_http.py
	$(BIN)/python bench/discount_store.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/zreport.py
	$(BIN)/python bench/devices.py
	$(BIN)/python bench/devices_scale.py
	$(BIN)/python bench/device_isolation.py
	$(BIN)/python bench/loyalty.py
	$(BIN)/python bench/loyalty_http.py

# The locust load scenario (tills, managers, a card holder) needs the optional bench extra.
bench-load: install
	$(BIN)/pip install -e ".[bench]"
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
