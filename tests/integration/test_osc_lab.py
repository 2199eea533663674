"""``openstack overcloud node import --introspect --provide`` and ``configure`` in the lab.

The real ``openstack`` command with this project's plugin, against the lab's real
Ironic, discoverd, dnsmasq and virtual BMC: the namespace node PXE-boots the
discovery agent through our IPMI driver and its inventory comes back through
discoverd; ``configure`` then picks its root device from that inventory.
"""

import json

from baremetal_common.cloud import connect
from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.osc import openstack

SPECS = [NodeSpec(name="osc", cpus=2, memory_mb=2048, disk_gb=30)]


def test_import_introspect_provide_configure_in_the_lab(tmp_path):
    with running_lab(tmp_path / "lab", SPECS, subnet="auto") as lab:
        clouds = tmp_path / "clouds.yaml"
        clouds.write_text(json.dumps({"clouds": {"lab": {
            "auth_type": "none", "endpoint": lab["ironic_url"],
            "baremetal_endpoint_override": lab["ironic_url"],
            "baremetal_introspection_endpoint_override": lab["discoverd_url"]}}}))
        doc = json.loads(open(lab["instackenv"]).read())
        for entry in doc["nodes"]:  # sizes must come from introspection
            for key in ("cpu", "memory", "disk"):
                entry.pop(key)
        inventory = tmp_path / "instackenv.json"
        inventory.write_text(json.dumps(doc))
        result = openstack(clouds, "overcloud", "node", "import", str(inventory),
                           "--introspect", "--provide", "--no-deploy-image", "-f", "json",
                           timeout=240)
        if result.returncode != 0:
            node_dir = lab["nodes"][0]["node_dir"]
            print(open(f"{node_dir}/console.log").read()[-3000:])
        assert result.returncode == 0, (result.stdout, result.stderr)
        [row] = json.loads(result.stdout)
        assert (row["Name"], row["Action"], row["Provision State"], row["Error"]) == (
            "osc", "created", "available", None)
        node = connect(lab["ironic_url"]).baremetal.get_node(row["UUID"])
        assert node.properties["cpus"] == 2 and node.properties["memory_mb"] == 2048
        assert node.properties["local_gb"] == 29

        ramdisk_dir = tmp_path / "ramdisk"
        ramdisk_dir.mkdir()
        for name in ("ironic-tripleo.kernel", "ironic-tripleo.initramfs"):
            (ramdisk_dir / name).write_bytes(b"built by ironic-tripleo ramdisk build")
        result = openstack(clouds, "overcloud", "node", "configure", "osc",
                           "--root-device", "largest", "--ramdisk-dir", str(ramdisk_dir),
                           "-f", "json")
        assert result.returncode == 0, result.stderr
        [row] = json.loads(result.stdout)
        hint = row["Root Device"]
        assert list(hint) in (["wwn_with_extension"], ["wwn"], ["serial"]) and row["Error"] is None
        assert row["Local GB"] == 29
        node = connect(lab["ironic_url"]).baremetal.get_node("osc")
        assert node.properties["root_device"] == hint
        assert node.driver_info["deploy_kernel"] == f"file://{ramdisk_dir}/ironic-tripleo.kernel"
