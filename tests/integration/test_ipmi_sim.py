"""The pyghmi interfaces and session pool against OpenIPMI's ipmi_sim.

Power and boot device are checked in the files ipmi_sim's chassis helper writes
(its boot flags always read back invalid) and with ipmitool, a client we did not
write. Faults: no BMC, refused credentials, BMC killed and restarted, slow BMC.
"""

import threading
import types
import warnings
from unittest import mock

import pytest

from ironic_tripleo import exception
from ironic_tripleo.ipmi import conductor, driver_info
from ironic_tripleo.ipmi.pyghmi_session import PyghmiTransport
from ironic_tripleo.ipmi.session_pool import SessionPool
from tests.harness.ipmi_sim import DelayProxy, IpmiSim
from tests.harness.ports import free_port

with warnings.catch_warnings():  # Ironic 39 still imports eventlet, which warns
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    from ironic.common import exception as ironic_exc
    from ironic.common import states
    from ironic.conductor import task_manager

from ironic_tripleo.ipmi.management import PyghmiManagement  # noqa: E402
from ironic_tripleo.ipmi.power import PyghmiPower  # noqa: E402

power = PyghmiPower()
mgmt = PyghmiManagement()


@pytest.fixture
def sim(tmp_path):
    bmc = IpmiSim(tmp_path / "ipmi_sim")
    bmc.start()
    yield bmc
    bmc.cleanup()


@pytest.fixture
def pool():
    """A pool of our own as the process-wide one; logged out at teardown."""
    conductor.CONF.set_override("power_state_poll_interval", 0.1, "tripleo_ipmi")
    new = SessionPool(command_timeout=8.0, command_retries=1, retry_backoff=0.2)
    previous = conductor.set_default_pool(new)
    yield new
    conductor.set_default_pool(previous)
    new.close()
    conductor.CONF.clear_override("power_state_poll_interval", "tripleo_ipmi")


def make_task(info):
    node = types.SimpleNamespace(uuid="5c1b0f8e-7d0a-4a86-9c55-0d3e1f2a9b71", name="sim-node",
                                 driver="tripleo-ipmi", driver_info=dict(info))
    task = mock.Mock(spec=task_manager.TaskManager)
    task.node, task.shared, task.context = node, False, mock.Mock()
    return task


def test_power_on_off_status(sim, pool):
    task = make_task(sim.driver_info)
    assert power.get_power_state(task) == states.POWER_OFF
    power.set_power_state(task, states.POWER_ON, timeout=10)
    assert sim.chassis("power") == "1"
    assert "Chassis Power is on" in sim.ipmitool("power", "status").stdout
    assert power.get_power_state(task) == states.POWER_ON
    power.set_power_state(task, states.POWER_OFF, timeout=10)
    assert sim.chassis("power") == "0"
    assert power.get_power_state(task) == states.POWER_OFF
    assert len(pool) == 1  # one session did all of it


def test_state_changed_by_another_client_is_seen(sim, pool):
    task = make_task(sim.driver_info)
    assert power.get_power_state(task) == states.POWER_OFF
    sim.ipmitool("power", "on")
    assert power.get_power_state(task) == states.POWER_ON


def test_reboot(sim, pool):
    task = make_task(sim.driver_info)
    power.set_power_state(task, states.POWER_ON, timeout=10)
    before = len(sim.chassis_log())
    power.reboot(task, timeout=10)
    assert sim.chassis_log()[before:] == ["set power=0", "set power=1"]
    assert power.get_power_state(task) == states.POWER_ON


def test_boot_device(sim, pool):
    task = make_task(sim.driver_info)
    mgmt.set_boot_device(task, "pxe", persistent=True)
    assert sim.chassis("boot") == "pxe"
    mgmt.set_boot_device(task, "cdrom")
    assert sim.chassis("boot") == "cdrom"
    mgmt.set_boot_device(task, "bios")
    assert sim.chassis("boot") == "bios"
    mgmt.set_boot_device(task, "disk")
    assert sim.chassis("boot") == "default"  # how ipmi_sim names the hard disk
    # ipmi_sim's boot flags always read invalid: we say unknown, never a guess.
    assert mgmt.get_boot_device(task) == {"boot_device": None, "persistent": None}


def test_sensors_call_works(sim, pool):
    # The recipe's BMC has no SDR repository: no sensors, and no error.
    assert mgmt.get_sensors_data(make_task(sim.driver_info)) == {}


def test_no_bmc_listening_is_a_clear_quick_error():
    port = free_port(__import__("socket").SOCK_DGRAM)
    bmc = driver_info.BMC(address="127.0.0.1", port=port, username="admin",
                          password="password")
    pool = SessionPool(command_timeout=2.0, command_retries=0)
    with pytest.raises(exception.BMCUnreachable) as e:
        pool.get_power(bmc)
    assert f"No answer from BMC 127.0.0.1:{port} after 2.0s" in str(e.value)


def test_no_bmc_through_the_interface(pool):
    port = free_port(__import__("socket").SOCK_DGRAM)
    pool.command_timeout, pool.command_retries = 1.0, 0
    task = make_task({"ipmi_address": "127.0.0.1", "ipmi_port": port})
    with pytest.raises(ironic_exc.IPMIFailure, match=f"No answer from BMC 127.0.0.1:{port}"):
        power.get_power_state(task)


@pytest.mark.parametrize("field,value", [("ipmi_password", "wrong-password"),
                                         ("ipmi_username", "nobody")])
def test_wrong_credentials(sim, pool, field, value):
    info = {**sim.driver_info, field: value}
    with pytest.raises(ironic_exc.IPMIFailure, match="refused the credentials") as e:
        power.get_power_state(make_task(info))
    assert "wrong-password" not in str(e.value)
    # The right credentials still work alongside (a second session to the same BMC).
    assert power.get_power_state(make_task(sim.driver_info)) == states.POWER_OFF


def test_bmc_restarted_mid_session(sim, pool):
    task = make_task(sim.driver_info)
    power.set_power_state(task, states.POWER_ON, timeout=10)
    sim.kill()
    sim.start()
    # The old session is gone on the BMC side; the next call recovers on a new one
    # (pyghmi notices the silence after ~2.5 s; then a login: within 8 s).
    assert power.get_power_state(task) == states.POWER_ON
    power.set_power_state(task, states.POWER_OFF, timeout=10)
    assert sim.chassis("power") == "0"


def test_bmc_down_then_back(sim, pool):
    task = make_task(sim.driver_info)
    assert power.get_power_state(task) == states.POWER_OFF
    sim.kill()
    pool.command_timeout, pool.command_retries = 1.0, 0
    with pytest.raises(ironic_exc.IPMIFailure, match="127.0.0.1"):
        power.get_power_state(task)
    sim.start()
    pool.command_timeout, pool.command_retries = 8.0, 1
    assert power.get_power_state(task) == states.POWER_OFF


def test_slow_bmc_within_timeout(sim):
    sim.ipmitool("power", "on")
    proxy = DelayProxy(sim.port, delay=0.2)
    try:
        bmc = driver_info.BMC(address="127.0.0.1", port=proxy.port, username="admin",
                              password="password")
        pool = SessionPool(command_timeout=5.0, command_retries=0)
        assert pool.get_power(bmc) == "on"
        pool.close()
    finally:
        proxy.close()


def test_slow_bmc_beyond_timeout_never_reports_a_state(sim, pool):
    sim.ipmitool("power", "on")
    proxy = DelayProxy(sim.port, delay=0.05)
    try:
        task = make_task({**sim.driver_info, "ipmi_port": proxy.port})
        assert power.get_power_state(task) == states.POWER_ON
        proxy.delay = 3.0
        pool.command_timeout, pool.command_retries = 1.0, 0
        # given up at its 1 s deadline, before the proxy's late answer (3 s)
        with pytest.raises(ironic_exc.IPMIFailure,
                           match=r"did not answer 'get power' within 1\.0s"):
            power.get_power_state(task)
        proxy.delay = 0.0
        pool.command_timeout, pool.command_retries = 5.0, 1
        assert power.get_power_state(task) == states.POWER_ON
    finally:
        proxy.close()


def test_many_threads_share_one_session(sim):
    transport = PyghmiTransport()
    connect = mock.Mock(side_effect=transport.login)
    transport.login = connect
    pool = SessionPool(command_timeout=5.0, transport=transport)
    bmc = driver_info.parse(sim.driver_info)
    results = []

    def worker():
        for _ in range(5):
            results.append(pool.get_power(bmc))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == ["off"] * 40
    assert connect.call_count == 1
    pool.close()
