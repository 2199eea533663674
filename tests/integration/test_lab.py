"""The lab: namespaces with their MACs on a bridge, files, status, and a clean down."""

import ipaddress
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from ironic_tripleo.enroll.inventory import load_inventory
from ironic_tripleo.lab import layout, netns, process
from ironic_tripleo.lab.ironic_service import IronicStartError
from ironic_tripleo.lab.lab import Lab
from ironic_tripleo.lab.node import NodeSpec

# The lab tests only need Ironic to run, not our drivers (test_lab_ironic does that).
FAKE_IRONIC = dict(hardware_types=("fake-hardware",), power_interfaces=("fake",),
                   management_interfaces=("fake",), boot_interfaces=("fake",))
SPECS = [NodeSpec(name="small", cpus=2, memory_mb=2048, disk_gb=5),
         NodeSpec(name="big", cpus=8, memory_mb=16384, disk_gb=200),
         NodeSpec()]


@pytest.fixture
def lab(tmp_path):
    """A ``Lab`` in a fresh directory, always brought down at teardown."""
    lab = Lab(tmp_path / "lab")
    yield lab
    lab.down()


def cli(*argv):
    return subprocess.run([sys.executable, "-m", "ironic_tripleo.cli.main", *argv],
                          capture_output=True, text=True, timeout=120)


def assert_gone(state):
    namespaces = netns.list_namespaces()
    for node in state["nodes"]:
        assert node["namespace"] not in namespaces
        assert not netns.link_exists(node["veth"])
    assert not netns.link_exists(state["network"]["bridge"])
    for pid_file in (state["vbmc"]["pid_file"], state["ironic"]["pid_file"]):
        assert not process.is_alive(process.read_pid(Path(pid_file)))


def test_up_status_down(lab, tmp_path):
    state = lab.up(SPECS, subnet="auto", ironic_overrides=FAKE_IRONIC)

    saved = json.loads(lab.state_file.read_text())
    assert saved["state"] == "up" and saved["lab_id"] == state["lab_id"]
    assert lab.state_file.stat().st_mode & 0o077 == 0  # it holds BMC passwords
    net = saved["network"]
    subnet = ipaddress.IPv4Network(net["subnet"])
    assert any(subnet.subnet_of(allowed) for allowed in layout.ALLOWED_NETWORKS)
    bridge = netns.link_info(net["bridge"])
    assert bridge["operstate"] == "UP"
    assert (net["bridge"], ipaddress.IPv4Interface(f"{net['host_address']}/{subnet.prefixlen}")
            ) in netns.host_networks()
    assert requests.get(saved["ironic_url"], timeout=5).status_code == 200

    entries = load_inventory(lab.instackenv_file)  # valid for enroll
    assert [e.name for e in entries] == ["small", "big", "node-2"]
    assert [e.local_gb for e in entries] == [5, 200, 10]
    assert [e.memory_mb for e in entries] == [2048, 16384, 4096]
    macs = [node["mac"] for node in saved["nodes"]]
    assert len(set(macs)) == 3 and all(m.startswith("52:54:00:") for m in macs)
    for entry, node in zip(entries, saved["nodes"], strict=True):
        assert entry.macs == [node["mac"]] and entry.port == node["bmc"]["port"]
        assert netns.link_info("eth0", node["namespace"])["address"] == node["mac"]
        assert netns.link_info(node["veth"])["master"] == net["bridge"]
        assert process.is_alive(process.read_pid(lab.workdir / "vbmc.pid"))
        disk = Path(node["disk"])
        assert disk.stat().st_size == node["disk_gb"] * 1024**3

    out = cli("lab", "status", "--workdir", str(lab.workdir))
    assert out.returncode == 0, out.stderr
    for node in saved["nodes"]:
        line = next(line for line in out.stdout.splitlines() if line.startswith(node["name"]))
        assert line.split()[1:5] == [node["namespace"], node["mac"],
                                     str(node["bmc"]["port"]), "off"]

    # A second lab on the same subnet is refused with a clear error and leaves nothing.
    other = Lab(tmp_path / "other")
    with pytest.raises(layout.SubnetInUseError, match=net["bridge"]):
        other.up(SPECS[:1], subnet=net["subnet"], ironic_overrides=FAKE_IRONIC)
    assert_gone(other.load())

    out = cli("lab", "down", "--workdir", str(lab.workdir))
    assert out.returncode == 0, out.stderr
    assert_gone(saved)
    assert lab.load()["state"] == "down"
    assert cli("lab", "down", "--workdir", str(lab.workdir)).returncode == 0  # twice is fine
    assert_gone(saved)


def test_down_after_half_failed_up(lab):
    with pytest.raises(IronicStartError):
        lab.up(SPECS[:2], subnet="auto", keep_on_failure=True,
               ironic_overrides=dict(FAKE_IRONIC, hardware_types=("no-such-type",)))
    state = lab.load()
    assert state["state"] == "starting"
    namespaces = netns.list_namespaces()
    assert all(node["namespace"] in namespaces for node in state["nodes"])
    assert netns.link_exists(state["network"]["bridge"])
    assert lab.down()
    assert_gone(state)
    assert lab.down()


def test_failed_up_cleans_up_by_itself(lab):
    with pytest.raises(IronicStartError):
        lab.up(SPECS[:1], subnet="auto",
               ironic_overrides=dict(FAKE_IRONIC, hardware_types=("no-such-type",)))
    assert_gone(lab.load())


def test_down_without_lab_is_a_no_op(tmp_path):
    assert Lab(tmp_path / "nothing").down() is False
    out = cli("lab", "down", "--workdir", str(tmp_path / "nothing"))
    assert out.returncode == 0 and "no lab" in out.stdout
