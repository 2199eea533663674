"""The dnsmasq PXE filter: policy, hosts files, sync from the database and Ironic."""

import time

import pytest

from discoverd import exception, records
from discoverd.app import create_app, get_service
from discoverd.pxe_filter.dnsmasq import UNKNOWN_HOSTS_FILE, HostsDir, decide
from discoverd.pxe_filter.sync import FilterSyncer, PXEFilter
from discoverd.state import Event

A, B, C = "52:54:00:00:00:0a", "52:54:00:00:00:0b", "52:54:00:00:00:0c"


def test_decide_nothing_running_denies_everything():
    state = decide([A, B], [], False)
    assert state.allow == set() and state.deny == {A, B} and not state.allow_unknown


def test_decide_running_allows_introspected_and_unknown():
    state = decide([A.upper(), B], [B], True)
    assert state.allow == {B} and state.deny == {A} and state.allow_unknown


def test_decide_introspection_without_macs_still_opens_unknown():
    assert decide([A], [], True).allow_unknown


def test_decide_auto_discovery_opens_unknown_with_nothing_running():
    state = decide([A, B], [], False, discovery=True)
    assert state.allow_unknown and state.deny == {A.lower(), B.lower()}


def test_hostsdir_files_and_rewrites_only_changes(tmp_path):
    hosts = HostsDir(tmp_path / "h")
    assert hosts.apply(decide([A, B], [B], True)) == 3
    assert hosts.current() == {A: f"{A},ignore\n", B: f"{B}\n",
                               UNKNOWN_HOSTS_FILE: "*:*:*:*:*:*\n"}
    assert hosts.apply(decide([A, B], [B], True)) == 0
    # B left Ironic; nothing runs: its file stays (dnsmasq misses deletions) but denies.
    assert hosts.apply(decide([A], [], False)) == 2
    assert hosts.current() == {A: f"{A},ignore\n", B: f"{B},ignore\n",
                               UNKNOWN_HOSTS_FILE: "*:*:*:*:*:*,ignore\n"}


def test_purge(tmp_path):
    hosts = HostsDir(tmp_path)
    hosts.apply(decide([A], [], False))
    PXEFilter(hosts, purge=True)
    assert hosts.current() == {}


class Ports:
    def __init__(self, macs, fail=False):
        self.macs, self.fail = macs, fail

    def list_all_macs(self):
        if self.fail:
            raise exception.IronicError(call="ports", node="*", reason="down")
        return self.macs


def test_sync_reads_active_introspections(service, tmp_path):
    pxe = PXEFilter(HostsDir(tmp_path / "h"))
    records.start(service.db, "u1", False, {"mac": [B.upper()], "bmc_address": []})
    state = pxe.sync(service.db, Ports([A, B]))
    assert state.allow == {B} and state.allow_unknown
    records.transition(service.db, "u1", Event.error, error="x")
    state = pxe.sync(service.db, Ports([A, B]))
    assert state.allow == set() and not state.allow_unknown


def test_sync_keeps_files_when_ironic_is_down(service, tmp_path):
    pxe = PXEFilter(HostsDir(tmp_path / "h"))
    pxe.sync(service.db, Ports([A]))
    before = pxe.hostsdir.current()
    assert pxe.sync(service.db, Ports([], fail=True)) is None
    assert pxe.hostsdir.current() == before


@pytest.fixture
def filtered_app(conf, ironic, tmp_path):
    conf.set_override("driver", "dnsmasq", group="pxe_filter")
    conf.set_override("dhcp_hostsdir", str(tmp_path / "hosts"), group="pxe_filter")
    app = create_app(conf, ironic=ironic)
    yield app
    get_service(app).db.dispose()


def test_start_syncs_before_boot(filtered_app, ironic, tmp_path):
    ironic.add_node("n1", macs=(A,))
    ironic.add_node("n2", macs=(B,))
    assert filtered_app.test_client().post("/v1/introspection/n1").status_code == 202
    files = HostsDir(tmp_path / "hosts").current()
    assert files[A] == f"{A}\n" and files[B] == f"{B},ignore\n"
    calls = [c[0] for c in ironic.calls]
    assert calls.index("list_all_macs") < calls.index("set_power_state")


def test_syncer_thread_runs_and_stops(service, tmp_path):
    pxe = PXEFilter(HostsDir(tmp_path / "h"))
    syncer = FilterSyncer(pxe, service.db, Ports([A]), period=0.05)
    syncer.start()
    syncer.stop()
    assert pxe.hostsdir.current()[A] == f"{A},ignore\n"


def test_syncer_wake_syncs_before_the_period(service, tmp_path):
    pxe = PXEFilter(HostsDir(tmp_path / "h"))
    ports = Ports([A])
    syncer = FilterSyncer(pxe, service.db, ports, period=3600)
    syncer.start()
    try:
        deadline = time.monotonic() + 5
        while A not in pxe.hostsdir.current():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        ports.macs = [A, B]
        syncer.wake()
        while B not in pxe.hostsdir.current():
            assert time.monotonic() < deadline, "wake did not sync"
            time.sleep(0.02)
    finally:
        syncer.stop()
    assert not syncer._thread.is_alive()
