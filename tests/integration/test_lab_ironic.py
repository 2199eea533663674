"""Real Ironic drives the lab's virtual nodes through our driver and virtual BMC.

Ironic 39 loads ``tripleo-ipmi`` (pyghmi power and management); a node enrolled from
the lab's instackenv.json powers on and off (its firmware process appears in and
vanishes from its namespace) and changes boot device, through the REST API; ipmitool
against the lab's virtual BMC sees the same state.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from ironic_tripleo.lab import netns
from ironic_tripleo.lab.lab import Lab
from tests.harness.waiting import wait_for

HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}


def cli(*argv, timeout=180):
    return subprocess.run([sys.executable, "-m", "ironic_tripleo.cli.main", *argv],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A 2-node lab brought up with the CLI; always brought down."""
    workdir = tmp_path_factory.mktemp("lab")
    try:
        out = cli("lab", "up", "--nodes", "2", "--workdir", str(workdir), "--subnet", "auto",
                  "--node-spec", "cpus=4,memory_mb=8192,disk_gb=40,name=ctrl-0")
        assert out.returncode == 0, out.stdout + out.stderr
        yield Lab(workdir).load()
    finally:
        Lab(workdir).down()


@pytest.fixture(scope="module")
def enrolled(lab):
    out = cli("enroll", lab["instackenv"], "--ironic-url", lab["ironic_url"], "--manage")
    assert out.returncode == 0, out.stdout + out.stderr
    return lab


def api(lab, method, path, **kwargs):
    r = requests.request(method, lab["ironic_url"] + path, headers=HEADERS, timeout=60,
                         **kwargs)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json() if r.content else None


def ipmitool(node, cipher, *command):
    bmc = node["bmc"]
    out = subprocess.run(["ipmitool", "-I", "lanplus", "-C", str(cipher),
                          "-H", bmc["address"], "-p", str(bmc["port"]),
                          "-U", bmc["username"], "-P", bmc["password"], *command],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def set_power(lab, node, target):
    api(lab, "PUT", f"/v1/nodes/{node['name']}/states/power", json={"target": target})
    wait_for(lambda: api(lab, "GET", f"/v1/nodes/{node['name']}")["power_state"] == target,
             timeout=60, what=f"{node['name']} {target}")


def firmware_pids(node):
    return netns.namespace_pids(node["namespace"])


def test_ironic_loads_tripleo_ipmi_with_our_interfaces(lab):
    names = [d["name"] for d in api(lab, "GET", "/v1/drivers")["drivers"]]
    assert "tripleo-ipmi" in names
    listed = {d["name"]: d for d in api(lab, "GET", "/v1/drivers?detail=True")["drivers"]}
    # GET /v1/drivers/<name> is always detailed (it refuses ?detail).
    detail = api(lab, "GET", "/v1/drivers/tripleo-ipmi")
    assert listed["tripleo-ipmi"]["default_power_interface"] == "pyghmi"
    assert detail["default_power_interface"] == "pyghmi"
    assert detail["default_management_interface"] == "pyghmi"
    assert "pyghmi" in detail["enabled_power_interfaces"]
    assert "pyghmi" in detail["enabled_management_interfaces"]


def test_enrolled_nodes_are_manageable_with_lab_hardware(enrolled):
    nodes = {n["name"]: n for n in api(enrolled, "GET", "/v1/nodes?detail=True")["nodes"]}
    assert set(nodes) == {"ctrl-0", "node-1"}
    ctrl = nodes["ctrl-0"]
    assert ctrl["provision_state"] == "manageable"
    assert ctrl["driver"] == "tripleo-ipmi" and ctrl["power_interface"] == "pyghmi"
    assert ctrl["properties"] == {"cpus": 4, "memory_mb": 8192, "local_gb": 40,
                                  "cpu_arch": "x86_64"}
    ports = api(enrolled, "GET", f"/v1/ports?node={ctrl['uuid']}")["ports"]
    assert [p["address"] for p in ports] == [enrolled["nodes"][0]["mac"]]


def test_power_on_off_follows_firmware_process(enrolled):
    node = enrolled["nodes"][0]
    assert firmware_pids(node) == []
    set_power(enrolled, node, "power on")
    pids = wait_for(lambda: firmware_pids(node), timeout=10, what="firmware in namespace")
    pid_file = Path(node["node_dir"]) / "firmware.pid"
    assert int(pid_file.read_text()) in pids
    for cipher in (3, 17):
        assert "Chassis Power is on" in ipmitool(node, cipher, "power", "status")
    status = cli("lab", "status", "--workdir", enrolled["workdir"]).stdout
    assert f"{node['namespace']}" in status and " on " in status

    set_power(enrolled, node, "power off")
    wait_for(lambda: firmware_pids(node) == [], timeout=10, what="firmware gone")
    for cipher in (3, 17):
        assert "Chassis Power is off" in ipmitool(node, cipher, "power", "status")
    # And the other way round: ipmitool powers on, Ironic's driver reads it.
    ipmitool(node, 3, "power", "on")
    wait_for(lambda: firmware_pids(node), timeout=10, what="firmware after ipmitool")
    set_power(enrolled, node, "power off")
    wait_for(lambda: firmware_pids(node) == [], timeout=10, what="firmware gone again")


def test_boot_device_persistent_and_one_time(enrolled):
    node = enrolled["nodes"][1]
    path = f"/v1/nodes/{node['name']}/management/boot_device"
    api(enrolled, "PUT", path, json={"boot_device": "pxe", "persistent": True})
    assert api(enrolled, "GET", path) == {"boot_device": "pxe", "persistent": True}
    assert json.loads((Path(node["node_dir"]) / "boot.json").read_text()) == {
        "persistent_device": "pxe", "next_device": None}
    out = ipmitool(node, 17, "chassis", "bootparam", "get", "5")
    assert "Force PXE" in out and "all future boots" in out

    api(enrolled, "PUT", path, json={"boot_device": "disk", "persistent": False})
    assert api(enrolled, "GET", path) == {"boot_device": "disk", "persistent": False}
    set_power(enrolled, node, "power on")
    wait_for(lambda: (Path(node["node_dir"]) / "last_boot.json").exists(), timeout=10,
             what="firmware boot record")
    last = json.loads((Path(node["node_dir"]) / "last_boot.json").read_text())
    assert last["device"] == "disk"
    assert "booting from disk" in (Path(node["node_dir"]) / "console.log").read_text()
    # The one-time device is used up: back to the persistent one.
    assert api(enrolled, "GET", path) == {"boot_device": "pxe", "persistent": True}
    assert "Force PXE" in ipmitool(node, 3, "chassis", "bootparam", "get", "5")
    set_power(enrolled, node, "power off")
    wait_for(lambda: firmware_pids(node) == [], timeout=10, what="firmware gone")
