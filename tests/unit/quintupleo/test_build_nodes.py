"""build-nodes' checks: every bad name reported at once, before anything is created."""

import types

import pytest

from ironic_tripleo.quintupleo import build_nodes
from ironic_tripleo.quintupleo.clouds import CloudRegistry, CloudSpec
from ironic_tripleo.quintupleo.exception import BuildError


def cloud(flavors=(), images=(), networks=(), servers=()):
    created = []

    def find(names):
        return lambda name, ignore_missing=True: (types.SimpleNamespace(id=name, name=name)
                                                  if name in names else None)

    conn = types.SimpleNamespace(
        compute=types.SimpleNamespace(
            find_flavor=find(flavors),
            servers=lambda **q: [types.SimpleNamespace(name=n, metadata={})
                                 for n in servers],
            create_server=lambda **kw: created.append(kw)),
        image=types.SimpleNamespace(find_image=find(images)),
        network=types.SimpleNamespace(find_network=find(networks)))
    registry = CloudRegistry(connect=lambda spec, settings: conn)
    return registry.get(CloudSpec(name="qo")), created


def test_every_bad_name_at_once_and_nothing_created():
    qo, created = cloud(servers=["p-1"])
    request = build_nodes.BuildRequest(count=2, flavor="f", image="i", network="n",
                                       prefix="p", boot_method="rescue",
                                       rescue_image="ipxe")
    with pytest.raises(BuildError) as info:
        build_nodes.build(qo, request)
    text = str(info.value)
    for part in ("flavor 'f'", "image 'i'", "network 'n'", "rescue image 'ipxe'",
                 "servers named p-1 already exist", "nothing was created"):
        assert part in text
    assert created == []


def test_good_names_resolve():
    qo, _ = cloud(flavors=["f"], images=["i"], networks=["n"])
    found = build_nodes.resolve(qo, build_nodes.BuildRequest(count=1, flavor="f",
                                                             image="i", network="n"))
    assert (found.flavor.id, found.image.id, found.network.id) == ("f", "i", "n")


def test_count_and_rescue_image_checked():
    qo, _ = cloud(flavors=["f"], images=["i"])
    with pytest.raises(BuildError, match="--count 0"):
        build_nodes.resolve(qo, build_nodes.BuildRequest(count=0, flavor="f", image="i"))
    with pytest.raises(BuildError, match="needs an iPXE rescue image"):
        build_nodes.resolve(qo, build_nodes.BuildRequest(count=1, flavor="f", image="i",
                                                         boot_method="rescue"))


class DeletingCompute:
    """Nova's compute API for delete-nodes: the first ``failures`` deletes of the
    server fail (vm_state ERROR, as when Nova's database is busy), later ones work."""

    def __init__(self, failures: int) -> None:
        self.failures, self.deletes, self.present = failures, 0, True
        self.server = types.SimpleNamespace(
            id="s1", name="p-0", metadata={build_nodes.MARK_KEY: "p"}, status="SHUTOFF",
            task_state=None, fault=None)

    def servers(self, **query):
        return [self.server] if self.present else []

    def delete_server(self, server_id):
        self.deletes += 1
        if self.deletes > self.failures:
            self.present = False
        else:
            self.server.status = "ERROR"
            self.server.fault = {"message": "database is locked"}

    def get_server(self, server_id):
        if not self.present:
            import openstack.exceptions as sdk_exc

            raise sdk_exc.NotFoundException("No Server found")
        return self.server


def deleting_cloud(compute):
    conn = types.SimpleNamespace(compute=compute)
    registry = CloudRegistry(connect=lambda spec, settings: conn)
    return registry.get(CloudSpec(name="qo"))


def test_delete_asks_again_when_nova_failed_it():
    compute = DeletingCompute(failures=1)
    assert build_nodes.delete(deleting_cloud(compute), "p", timeout=20) == ["p-0"]
    assert compute.deletes == 2 and not compute.present


def test_delete_gives_up_after_three_failed_deletes_naming_the_fault():
    compute = DeletingCompute(failures=5)
    with pytest.raises(BuildError) as info:
        build_nodes.delete(deleting_cloud(compute), "p", timeout=20)
    assert "p-0" in str(info.value) and "database is locked" in str(info.value)
    assert compute.deletes == build_nodes.DELETE_ATTEMPTS
