"""The discovery agent run inside a lab node (network namespace), and its payload
accepted by a real Ironic 39's built-in inspection (``POST /v1/continue_inspection``).
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from ramdisk import callback
from tests.harness.waiting import wait_for

API = {"X-OpenStack-Ironic-API-Version": "latest"}
HOOKS = ("ramdisk-error,validate-interfaces,ports,architecture,cpus,memory,root-device,"
         "boot-mode,extra-hardware")


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


def agent_command() -> list[str]:
    """The installed console script; ``python -m ramdisk.cmd`` (same ``main``) if absent."""
    script = Path(sys.executable).parent / "ironic-tripleo-ramdisk"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "ramdisk.cmd"]


@pytest.fixture
def lab_node():
    """A namespace with a veth NIC named eth0, its own MAC and a 198.51.100.0/24 address."""
    if not shutil.which("ip"):
        pytest.skip("iproute2 is not installed")
    suffix = secrets.token_hex(3)
    ns, host_end, node_end = f"rdtest-{suffix}", f"rdh{suffix}", f"rdn{suffix}"
    mac = "52:54:00:" + ":".join(secrets.token_hex(1) for _ in range(3))
    address = f"198.51.100.{secrets.randbelow(200) + 20}"
    _ip("netns", "add", ns)
    try:
        _ip("link", "add", host_end, "type", "veth", "peer", "name", node_end)
        _ip("link", "set", node_end, "netns", ns)
        _ip("-n", ns, "link", "set", node_end, "name", "eth0")
        _ip("-n", ns, "link", "set", "eth0", "address", mac)
        _ip("-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
        _ip("-n", ns, "link", "set", "eth0", "up")
        _ip("-n", ns, "link", "set", "lo", "up")
        _ip("link", "set", host_end, "up")
        yield {"ns": ns, "mac": mac, "address": address}
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30, check=False)
        subprocess.run(["ip", "link", "del", host_end], capture_output=True, timeout=30,
                       check=False)


def discover_in(node: dict, tmp_path: Path) -> dict:
    """Run the agent's dry run inside the node's namespace; return its payload."""
    cmdline = tmp_path / "cmdline"
    cmdline.write_text(f"console=ttyS0 BOOTIF=01-{node['mac'].replace(':', '-')} "
                       "ipa-inspection-callback-url=http://198.51.100.1:5050/v1/continue\n")
    result = subprocess.run(
        ["ip", "netns", "exec", node["ns"], *agent_command(), "discover", "--dry-run",
         "--cmdline", str(cmdline)],
        capture_output=True, text=True, timeout=300, check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_discovery_in_namespace_reports_its_nic(lab_node, tmp_path):
    payload = discover_in(lab_node, tmp_path)
    inventory = payload["inventory"]
    nics = {i["name"]: i for i in inventory["interfaces"]}
    assert set(nics) == {"eth0"}, nics
    assert nics["eth0"]["mac_address"] == lab_node["mac"]
    assert nics["eth0"]["ipv4_address"] == lab_node["address"]
    assert nics["eth0"]["has_carrier"] is True
    assert payload["boot_interface"] == lab_node["mac"]
    assert inventory["boot"]["pxe_interface"] == lab_node["mac"]
    assert payload["error"] is None
    assert inventory["cpu"]["count"] >= 1 and inventory["cpu"]["architecture"]
    assert inventory["memory"]["physical_mb"] > 0
    facts = payload["data"]
    assert len(facts) > 10
    assert all(len(f) == 4 and all(isinstance(v, str) for v in f) for f in facts)
    assert ["network", "eth0", "serial", lab_node["mac"]] in facts
    assert any(f[0] == "memory" for f in facts)
    assert payload["logs"]


def _node_state(url: str, uuid: str) -> dict:
    r = requests.get(f"{url}/v1/nodes/{uuid}", headers=API, timeout=10)
    r.raise_for_status()
    return r.json()


def test_payload_accepted_by_ironic_inspection(lab_node, tmp_path, ironic_factory):
    payload = discover_in(lab_node, tmp_path)
    ironic = ironic_factory(
        hardware_types=("fake-hardware",), power_interfaces=("fake",),
        management_interfaces=("fake",), boot_interfaces=("fake",),
        inspect_interfaces=("agent", "no-inspect"),
        extra={"inspector": {"require_managed_boot": "false", "hooks": HOOKS}},
    )
    url = ironic.url
    r = requests.post(f"{url}/v1/nodes", headers=API, timeout=10, json={
        "driver": "fake-hardware", "inspect_interface": "agent", "name": "rd-node"})
    assert r.status_code == 201, r.text
    uuid = r.json()["uuid"]
    r = requests.post(f"{url}/v1/ports", headers=API, timeout=10,
                      json={"node_uuid": uuid, "address": lab_node["mac"]})
    assert r.status_code == 201, r.text

    for target, state in (("manage", "manageable"), ("inspect", "inspect wait")):
        r = requests.put(f"{url}/v1/nodes/{uuid}/states/provision", headers=API, timeout=10,
                         json={"target": target})
        assert r.status_code == 202, r.text
        wait_for(lambda s=state: _node_state(url, uuid)["provision_state"] == s,
                 timeout=60, what=f"node {uuid} in {state}")

    answer = callback.post(f"{url}/v1/continue_inspection", payload,
                           callback.RetryPolicy(attempts=3, backoff=0.2, timeout=30))
    assert answer["uuid"] == uuid

    node = wait_for(lambda: (lambda n: n if n["provision_state"] != "inspect wait"
                             and n["provision_state"] != "inspecting" else None)(
                        _node_state(url, uuid)), timeout=60, what="inspection end")
    assert node["provision_state"] == "manageable", node["last_error"]
    assert node["last_error"] is None
    props = node["properties"]
    inventory = payload["inventory"]
    assert props["cpus"] == inventory["cpu"]["count"]
    assert props["memory_mb"] == inventory["memory"]["physical_mb"]
    assert props["cpu_arch"] == inventory["cpu"]["architecture"]
    expected_gb = payload["root_disk"]["size"] // 1024**3 if payload["root_disk"] else 0
    assert props["local_gb"] in (expected_gb, expected_gb - 1)
    assert "boot_mode:" in props.get("capabilities", "")

    r = requests.get(f"{url}/v1/nodes/{uuid}/inventory", headers=API, timeout=10)
    assert r.status_code == 200, r.text
    stored = r.json()
    assert stored["inventory"]["interfaces"][0]["mac_address"] == lab_node["mac"]
    assert stored["plugin_data"]["extra"]["network"]["eth0"]["serial"] == lab_node["mac"]
    ports = requests.get(f"{url}/v1/ports?node={uuid}&detail=true", headers=API,
                         timeout=10).json()["ports"]
    assert [(p["address"], p["pxe_enabled"]) for p in ports] == [(lab_node["mac"], True)]
