# Everything a fresh Debian machine with Python 3.11 needs: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-install
PYTEST_ARGS ?=

.PHONY: all venv system demo demo-undercloud test test-extended unit integration lint sample-config bench clean

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(STAMP)

# Debian packages for the real parts (ipmitool, ipmi_sim, tgtd, dnsmasq, ...): idempotent.
system:
	bash scripts/install-system-packages.sh

demo: venv system
	$(BIN)/ironic-tripleo demo --workdir $(CURDIR)/work/demo

# the matched roles deployed by a real undercloud (Nova + Heat) onto the lab's nodes
demo-undercloud: venv system
	$(BIN)/ironic-tripleo demo --undercloud --workdir $(CURDIR)/work/demo-undercloud

lint: venv
	$(BIN)/ruff check .

unit: venv
	$(BIN)/pytest -q -n 2 tests/unit $(PYTEST_ARGS)

integration: venv system
	$(BIN)/pytest -q tests/integration $(PYTEST_ARGS)

# The unit tests on two workers (~1.3 min instead of ~2.2: they mostly wait), then the
# integration tests in one process (they share an undercloud, a built ramdisk, VMs per
# session). Both run; the target fails if either did. Meanwhile `.venv-undercloud` is
# built (or found ready) in the background, under its lock: the integration tests'
# first use waits for it, and names pip's failure if it failed (log in $(PREBUILD_LOG)).
PREBUILD_LOG := $(VENV)/undercloud-prebuild.log
test: venv system lint
	@rc=0; \
	$(BIN)/python -c "from ironic_tripleo.lab.undercloud import venv; venv.ensure()" \
		> $(PREBUILD_LOG) 2>&1 & prebuild=$$!; \
	$(BIN)/pytest -q -n 2 -m "not extended" tests/unit $(PYTEST_ARGS) || rc=1; \
	wait $$prebuild || echo "undercloud venv prebuild failed (the tests will say why): $(PREBUILD_LOG)"; \
	$(BIN)/pytest -q --durations=40 -m "not extended" tests/integration $(PYTEST_ARGS) || rc=1; \
	exit $$rc

# Tests of non-default configurations that each start a whole second stack (e.g. the
# undercloud on PostgreSQL, ~5 min): kept out of `make test` for its time budget.
test-extended: venv system
	$(BIN)/pytest -q -m extended tests $(PYTEST_ARGS)

# Documented options of the Ironic plugins ([tripleo_*] in ironic.conf) and of discoverd.
sample-config: venv
	$(BIN)/oslo-config-generator --namespace ironic_tripleo --output-file etc/ironic-tripleo.conf.sample
	$(BIN)/oslo-config-generator --namespace discoverd --output-file etc/discoverd.conf.sample

bench: venv system
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .venv-glance .venv-glance.lock work .pytest_cache *.egg-info
