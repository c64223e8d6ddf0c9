# Two commands for a fresh Debian machine: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages the lab and tests use (installed only when running as root).
SYSTEM_PACKAGES := python3 python3-venv sudo openssh-server openssh-client sshpass nftables iproute2 util-linux procps python3-apt cron

.PHONY: demo test lint unit system-deps venv bench lab-up lab-down clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "verify needs Python 3.11 (found $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	else echo "not root: skipping apt-get install of $(SYSTEM_PACKAGES)"; fi

demo: system-deps $(STAMP)
	@$(VENV)/bin/verify baseline --inventory inventories/localhost.yml --output report.json; \
	code=$$?; \
	case $$code in \
	  0) echo "exit 0: every check passed";; \
	  1) echo "exit 1: some checks failed (see above; full report in report.json)";; \
	  3) echo "exit 3: no failures, but some checks could not be verified (report.json)";; \
	  *) echo "exit $$code: verify could not run"; exit $$code;; \
	esac

lint: $(STAMP)
	$(VENV)/bin/ruff check verifier lab tests bench playbooks
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest -m "not integration" -q

test: system-deps $(STAMP) lint
	$(PY) -m pytest -q

bench: system-deps $(STAMP)
	$(PY) bench/bench_linux.py --hosts 10 50
	$(PY) bench/bench_windows.py --hosts 10 30
	$(PY) bench/bench_network.py --devices 20 50

lab-up: system-deps $(STAMP)
	$(PY) -m lab up --inventory .lab/inventory.yml

lab-down: $(STAMP)
	$(PY) -m lab down

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache report.json *.egg-info
