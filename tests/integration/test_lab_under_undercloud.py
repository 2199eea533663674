"""``lab up`` and ``lab down`` in the directory of a running undercloud, through the
CLI, with the production-shaped Ironic: the lab comes up behind its Keystone, in its
catalog and with a nova-compute driving its Ironic (what ``undercloud up`` over a lab
gives); the restart to noauth and back (``undercloud down`` / ``up`` over a running
lab) keeps the nodes and PostgreSQL; ``lab down`` stops the compute (its Nova service
deleted) and takes the lab out of the catalog, so no nova-compute is left polling a
gone Ironic. The all-in-one Ironic's restarts: ``test_overcloud_lab``.
"""

from __future__ import annotations

import requests

from ironic_tripleo.cli.main import main
from ironic_tripleo.lab import keystone_auth, process
from ironic_tripleo.lab.lab import Lab
from ironic_tripleo.lab.undercloud import nova

COMPUTE = nova.compute_name(nova.IRONIC_HOST)


def _computes(conn) -> list:
    return list(conn.compute.services(binary="nova-compute", host=nova.IRONIC_HOST))


def _status(lab: dict) -> int:
    return requests.get(f"{lab['ironic_url']}/v1/nodes", timeout=10).status_code


def test_lab_up_and_down_under_a_running_undercloud(undercloud):
    work = undercloud.launcher.workdir
    conn = undercloud.connection()
    assert COMPUTE not in undercloud.launcher.plan().processes
    assert main(["lab", "up", "--workdir", str(work), "--nodes", "1", "--subnet", "auto",
                 "--ironic", "production"]) == 0
    try:
        labdir = Lab(work)
        lab = labdir.load()
        record = lab["keystone"]
        assert record is not None
        assert _status(lab) == 401
        assert conn.endpoint_for("baremetal").rstrip("/") == lab["ironic_url"]
        compute = undercloud.launcher.plan().processes[COMPUTE]
        assert [s.state for s in _computes(conn)] == ["up"]
        keystone_auth.connection(lab).baremetal.create_node(driver="tripleo-ipmi",
                                                            name="kept")

        lab = labdir.set_keystone(None)
        assert _status(lab) == 200
        names = {n.name for n in keystone_auth.connection(lab).baremetal.nodes()}
        assert "kept" in names
        lab = labdir.set_keystone(record)
        assert _status(lab) == 401
        assert {n.name for n in keystone_auth.connection(lab).baremetal.nodes()} == names
    finally:
        assert main(["lab", "down", "--workdir", str(work)]) == 0
    assert COMPUTE not in undercloud.launcher.plan().processes
    assert not process.runs(compute["pid"], compute["marker"])
    assert _computes(conn) == []
    assert undercloud.launcher.plan().lab is None
    assert "baremetal" not in {s.type for s in conn.identity.services()} or \
        not [e for e in conn.identity.endpoints()
             if e.url.rstrip("/") == lab["ironic_url"]]
