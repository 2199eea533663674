"""Fixtures for the pyghmi interfaces: a fake task and a pool of fake sessions."""

import pytest

from ironic_tripleo.ipmi import conductor
from tests.harness.fake_ipmi_sessions import fake_command, make_pool
from tests.harness.ironic_task import make_task


@pytest.fixture
def task():
    return make_task()


@pytest.fixture
def bmc_command():
    return fake_command()


@pytest.fixture
def pool(bmc_command):
    """The process-wide pool, replaced by one whose BMC is ``bmc_command``."""
    conductor.CONF.set_override("power_state_poll_interval", 0.05, "tripleo_ipmi")
    new, _ = make_pool(lambda bmc: bmc_command, command_retries=0)
    previous = conductor.set_default_pool(new)
    yield new
    conductor.set_default_pool(previous)
    conductor.CONF.clear_override("power_state_poll_interval", "tripleo_ipmi")
