"""finish_inspection: what the periodic does with each discoverd answer."""

from unittest import mock

import pytest
from ironic.common import states
from openstack.baremetal_introspection.v1.introspection import Introspection

from ironic_tripleo.exception import DiscoverdAPIError
from ironic_tripleo.inspect import discoverd
from ironic_tripleo.inspect.discoverd_client import DiscoverdClient


@pytest.fixture
def task():
    task = mock.Mock()
    task.node.uuid = "u1"
    task.node.provision_state = states.INSPECTWAIT
    return task


@pytest.fixture
def client(mocker):
    client = mocker.create_autospec(DiscoverdClient, instance=True)
    client.url = "http://d"
    return client


@pytest.fixture
def common(mocker):
    common = mocker.patch.object(discoverd, "inspector_common", autospec=True)
    common.tear_down_managed_boot.return_value = []
    return common


def status(finished: bool, error: str | None = None) -> Introspection:
    return Introspection(id="u1", state="x", is_finished=finished, error=error)


def test_running_leaves_node_alone(task, client, common):
    client.status.return_value = status(False)
    discoverd.finish_inspection(task, client)
    task.upgrade_lock.assert_not_called()


def test_finished_cleans_up_and_finishes(task, client, common):
    client.status.return_value = status(True)
    discoverd.finish_inspection(task, client)
    task.upgrade_lock.assert_called_once_with()
    common.clean_up.assert_called_once_with(task, finish=True, always_power_off=True)


def test_error_fails_with_discoverds_message(task, client, common):
    client.status.return_value = status(True, "ramdisk said no")
    discoverd.finish_inspection(task, client)
    common.tear_down_managed_boot.assert_called_once_with(task, always_power_off=True)
    common.inspection_error_handler.assert_called_once_with(
        task, "ramdisk said no", raise_exc=False, clean_up=False)


def test_unknown_to_discoverd_fails(task, client, common):
    client.status.side_effect = DiscoverdAPIError("gone", status=404)
    discoverd.finish_inspection(task, client)
    error = common.inspection_error_handler.call_args.args[1]
    assert "http://d" in error and "no introspection" in error


def test_unreachable_retries_later(task, client, common):
    client.status.side_effect = DiscoverdAPIError("down", status=None)
    discoverd.finish_inspection(task, client)
    task.upgrade_lock.assert_not_called()


def test_node_moved_meanwhile_is_left_alone(task, client, common):
    client.status.return_value = status(True)
    task.node.provision_state = states.INSPECTFAIL
    discoverd.finish_inspection(task, client)
    common.clean_up.assert_not_called()
    common.inspection_error_handler.assert_not_called()


@pytest.mark.parametrize("status", [404, 409])
def test_abort_tolerates_nothing_to_abort(task, client, common, status):
    iface = discoverd.DiscoverdInspect()
    iface.client = client
    client.abort.side_effect = DiscoverdAPIError("x", status=status)
    iface.abort(task)
    common.clean_up.assert_called_once_with(task, finish=False, always_power_off=True)


def test_abort_unreachable_powers_off_then_raises(task, client, common):
    from ironic.common import exception as ironic_exc

    iface = discoverd.DiscoverdInspect()
    iface.client = client
    client.abort.side_effect = DiscoverdAPIError("discoverd down", status=None)
    with pytest.raises(ironic_exc.HardwareInspectionFailure, match="discoverd down"):
        iface.abort(task)
    common.clean_up.assert_called_once_with(task, finish=False, always_power_off=True)


def _inspect(task, client):
    iface = discoverd.DiscoverdInspect()
    iface.client = client
    client.callback_url = "http://d/v1/continue"
    task.node.disable_power_off = False
    return iface.inspect_hardware(task)


def test_image_cache_race_prepares_the_ramdisk_again(task, client, common, mocker):
    common.ironic_manages_boot.return_value = True
    common.prepare_managed_inspection.side_effect = [
        FileNotFoundError(2, "No such file or directory", "/tftpboot/master_images/tmpx"),
        None]
    mocker.patch.object(discoverd.cond_utils, "node_power_action", autospec=True)
    assert _inspect(task, client) == states.INSPECTWAIT
    assert common.prepare_managed_inspection.call_count == 2
    common.inspection_error_handler.assert_not_called()


def test_image_cache_failing_every_time_fails_the_inspection(task, client, common, mocker):
    common.ironic_manages_boot.return_value = True
    common.prepare_managed_inspection.side_effect = FileNotFoundError(2, "gone", "/x")
    power = mocker.patch.object(discoverd.cond_utils, "node_power_action", autospec=True)
    _inspect(task, client)
    assert common.prepare_managed_inspection.call_count == discoverd.PREPARE_ATTEMPTS
    error = common.inspection_error_handler.call_args.args[1]
    assert "unable to boot the node for inspection" in error and "/x" in error
    power.assert_not_called()
