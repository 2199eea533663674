"""Introspection started from the inspector client goes through Ironic's inspect flow.

``ClientV1.introspect`` asks discoverd, which puts the node (inspect interface
``discoverd``) into Ironic's inspect flow: Ironic writes its PXE config and boots
it, its interface calls discoverd back (joined, not restarted), the firmware
emulation boots the discovery agent, which posts to discoverd; Ironic ends the
inspection in ``manageable``.
"""

import json

from ironic_inspector_client import ClientV1
from keystoneauth1 import session as ks_session
from keystoneauth1.noauth import NoAuth

from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.waiting import wait_for

SPEC = NodeSpec(name="client", cpus=2, memory_mb=3072, disk_gb=30)


def test_client_introspection_through_ironic_inspect_flow(tmp_path):
    with running_lab(tmp_path / "lab", [SPEC], subnet="auto") as lab:
        entries = json.loads(open(lab["instackenv"]).read())["nodes"]
        for entry in entries:  # sizes must come from introspection, not from hints
            for key in ("cpu", "memory", "disk"):
                entry.pop(key)
        bm = connect(lab["ironic_url"]).baremetal
        enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
        uuid = bm.get_node(SPEC.name).id
        client = ClientV1(inspector_url=lab["discoverd_url"], api_version=(1, 18),
                          session=ks_session.Session(auth=NoAuth()))
        client.introspect(uuid)
        try:
            result = client.wait_for_finish([uuid], retry_interval=0.5, max_retries=120)
            node = wait_for(lambda: (n := bm.get_node(uuid)).provision_state in (
                "manageable", "inspect failed") and n, 30, 0.5, what="Ironic's inspection end")
        except Exception:
            print(open(f"{lab['nodes'][0]['node_dir']}/console.log").read()[-3000:])
            print([(n.name, n.provision_state, n.last_error) for n in bm.nodes(details=True)])
            raise
        assert result[uuid]["error"] is None and result[uuid]["state"] == "finished"
        assert node.provision_state == "manageable", node.last_error
        assert node.properties["cpus"] == SPEC.cpus
        assert node.properties["memory_mb"] == SPEC.memory_mb
        assert node.properties["local_gb"] == SPEC.disk_gb - 1
        console = open(f"{lab['nodes'][0]['node_dir']}/console.log").read()
        assert "ipa-inspection-callback-url=" + lab["discoverd_url"] in console
        wait_for(lambda: bm.get_node(uuid).power_state == "power off", 20, 0.5,
                 what="power off after inspection")
