"""QuintupleO against a real Nova 34 (fake virt driver) with Keystone, Glance, Neutron.

The undercloud is the shared session fixture of the undercloud issue (one per test
session, stopped by pid); this module adds a fake-driver nova-compute to it, a
project's flavor, images and network, and real standalone Ironics with our
``tripleo-nova`` hardware type (both boot-device methods) and Ironic's own ``ipmi``
type in front of the virtual BMC's ``nova`` backend.

What the fake driver cannot show: no guest runs, so nothing PXE-boots; the tests
check what Nova records (power_state, task_state, status RESCUE, metadata).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys

import openstack
import openstack.config
import openstack.connection
import pytest
import yaml

from baremetal_common.cloud import connect
from ironic_tripleo.cli import enroll as enroll_cli
from ironic_tripleo.cli import quintupleo as quintupleo_cli
from tests.harness.ports import free_port
from tests.harness.silent_http import silent_http
from tests.harness.waiting import wait_for

RUNNING, SHUTDOWN = 1, 4


def run_cli(module, command, *argv):
    parser = argparse.ArgumentParser()
    module.register(parser.add_subparsers())
    args = parser.parse_args([command, *argv])
    return args.func(args)


class Env:
    """What the tests share: the cloud entry, a connection, flavor, images, network."""

    def __init__(self, clouds_file, cloud, conn, flavor, image, ipxe, network, tmp):
        self.clouds_file, self.cloud, self.conn = clouds_file, cloud, conn
        self.flavor, self.image, self.ipxe, self.network = flavor, image, ipxe, network
        self.tmp = tmp

    def server(self, server_id):
        return self.conn.compute.get_server(server_id)

    def settled(self, server_id, status=None, timeout=60):
        """The server once no task runs (and with ``status`` if given)."""
        def ready():
            server = self.server(server_id)
            if server.task_state is None and status in (None, server.status):
                return server
            return None
        return wait_for(ready, timeout=timeout, interval=0.3,
                        what=f"server {server_id} settled in {status}")

    def build(self, prefix, count, *extra):
        """``quintupleo build-nodes`` (no NIC unless ``--network`` is in ``extra``);
        returns (exit code, instackenv path)."""
        out = self.tmp / f"{prefix}.json"
        code = run_cli(quintupleo_cli, "quintupleo", "build-nodes", "--cloud", self.cloud,
                       "--clouds-file", str(self.clouds_file), "--prefix", prefix,
                       "--count", str(count), "--flavor", self.flavor.name,
                       "--image", self.image.name, "--output", str(out),
                       # one at a time: Nova on SQLite under load locks its database
                       "--batch", "1", *extra)
        return code, out

    def delete(self, prefix):
        return run_cli(quintupleo_cli, "quintupleo", "delete-nodes", "--cloud", self.cloud,
                       "--clouds-file", str(self.clouds_file), "--prefix", prefix,
                       "--timeout", "300")


@pytest.fixture(scope="module")
def nova_cloud(request):
    """The session's undercloud (issue 13's ``undercloud`` fixture: Keystone, Glance,
    Neutron, Nova with a fake-driver compute), or with QUINTUPLEO_UNDERCLOUD=WORKDIR
    one already up there (for development); only its clouds.yaml is used."""
    existing = os.environ.get("QUINTUPLEO_UNDERCLOUD")
    if existing:
        from ironic_tripleo.lab.undercloud.undercloud import Undercloud

        return Undercloud(existing)
    return request.getfixturevalue("undercloud")


@pytest.fixture(scope="module")
def quintupleo(nova_cloud, tmp_path_factory):
    """The undercloud's admin as a clouds.yaml entry, with what build-nodes needs."""
    admin = yaml.safe_load(nova_cloud.clouds_yaml.read_text())
    entry = next(iter(admin["clouds"].values()))
    tmp = tmp_path_factory.mktemp("quintupleo")
    tag = secrets.token_hex(3)
    cloud = f"qo-{tag}"
    clouds_file = tmp / "clouds.yaml"
    clouds_file.write_text(yaml.safe_dump({"clouds": {
        cloud: entry,
        # Keystone answers, Nova does not: the compute endpoint points nowhere.
        f"{cloud}-dead-nova": {
            **entry, "compute_endpoint_override": f"http://127.0.0.1:{free_port()}/v2.1"},
    }}))
    region = openstack.config.OpenStackConfig(config_files=[str(clouds_file)]).get_one(
        cloud=cloud)
    conn = openstack.connection.Connection(config=region)
    flavor = conn.compute.create_flavor(name=f"qo-{tag}", ram=128, vcpus=1, disk=1)
    disk = tmp / "disk.raw"
    disk.write_bytes(b"\0" * 1024 * 1024)
    image = conn.image.create_image(name=f"qo-disk-{tag}", filename=str(disk),
                                    disk_format="raw", container_format="bare",
                                    wait=True)
    ipxe = conn.image.create_image(name=f"qo-ipxe-{tag}", filename=str(disk),
                                   disk_format="raw", container_format="bare", wait=True)
    network = conn.network.create_network(name=f"qo-net-{tag}")
    conn.network.create_subnet(network_id=network.id, ip_version=4,
                               cidr="203.0.113.0/24", name=f"qo-sub-{tag}")
    env = Env(clouds_file, cloud, conn, flavor, image, ipxe, network, tmp)
    yield env
    for server in conn.compute.servers():
        if server.name.startswith("qo") and (server.metadata or {}).get(
                "tripleo:quintupleo", "").startswith("qo"):
            conn.compute.delete_server(server)
    conn.network.delete_network(network, ignore_missing=True)
    conn.image.delete_image(image, ignore_missing=True)
    conn.image.delete_image(ipxe, ignore_missing=True)
    conn.compute.delete_flavor(flavor, ignore_missing=True)


def start_nova_ironic(workdir, env, **nova_options):
    """A real Ironic with tripleo-nova, tripleo-ipmi and ipmi enabled, [tripleo_nova]
    as given."""
    from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService

    # api_timeout: a loaded 2-core machine with the undercloud on SQLite answers a GET
    # in seconds; the unreachable-Nova test meets a closed port (refused at once)
    options = {"clouds_file": str(env.clouds_file), "poll_interval": "0.3",
               "api_timeout": "30", "state_timeout": "60", **nova_options}
    service = IronicService(IronicConfig(
        workdir=workdir, port=free_port(),
        hardware_types=("tripleo-nova", "tripleo-ipmi", "ipmi"),
        power_interfaces=("nova", "pyghmi", "ipmitool"),
        management_interfaces=("nova", "pyghmi", "ipmitool"),
        boot_interfaces=("pxe", "ipxe"), deploy_interfaces=("iscsi", "direct"),
        inspect_interfaces=("no-inspect",), vendor_interfaces=("no-vendor", "ipmitool"),
        sync_power_state_interval=3600, extra={"tripleo_nova": options}))
    service.start()
    return service


@pytest.fixture(scope="module")
def ironic(quintupleo, tmp_path_factory):
    """Ironic with [tripleo_nova] boot_method = metadata (the default), for the module."""
    service = start_nova_ironic(tmp_path_factory.mktemp("ironic"), quintupleo)
    yield service
    service.stop()


@pytest.fixture(scope="module")
def baremetal(ironic):
    return connect(ironic.url).baremetal


def enroll(ironic, path):
    assert run_cli(enroll_cli, "enroll", str(path), "--ironic-url", ironic.url,
                   "--manage") == 0


class PowerActionFailed(Exception):
    """Ironic finished a power action with an error (its last_error)."""


EXPECTED = {"power on": "power on", "rebooting": "power on", "soft rebooting": "power on",
            "power off": "power off", "soft power off": "power off"}


def power(baremetal, node, target, timeout=120):
    """Ask Ironic for ``target`` and wait until the conductor is done with it (the
    API answers at once; a reboot of a node that is on does not change power_state).

    :raises PowerActionFailed: naming Ironic's last_error.
    """
    baremetal.set_node_power_state(node, target)

    def done():
        current = baremetal.get_node(node)
        return current if current.target_power_state is None else None

    current = wait_for(done, timeout=timeout, interval=0.3, what=f"{node} {target}")
    if current.power_state != EXPECTED[target]:
        raise PowerActionFailed(current.last_error)
    return current


@pytest.fixture(scope="module")
def built(quintupleo):
    """Two servers made by build-nodes (pm_type tripleo-nova), deleted at the end."""
    prefix = f"qo{secrets.token_hex(3)}"
    code, path = quintupleo.build(prefix, 2)
    assert code == 0
    yield prefix, json.loads(path.read_text()), path
    assert quintupleo.delete(prefix) == 0


def test_build_nodes_writes_tripleo_instackenv(quintupleo, built):
    prefix, doc, _ = built
    assert [n["name"] for n in doc["nodes"]] == [f"{prefix}-{i}" for i in range(2)]
    for node in doc["nodes"]:
        assert node["pm_type"] == "tripleo-nova" and node["pm_addr"] == quintupleo.cloud
        server = quintupleo.server(node["pm_system_id"])
        assert server.status == "SHUTOFF" and server.power_state == SHUTDOWN
        assert server.name == node["name"] and node["ports"] == []  # built without NIC
        assert (node["cpu"], node["memory"], node["disk"], node["arch"]) == (
            1, 128, 1, "x86_64")


def test_build_nodes_with_a_network_enrolls_with_ports(quintupleo, ironic, baremetal,
                                                       capsys):
    prefix = f"qo{secrets.token_hex(3)}"
    code, path = quintupleo.build(prefix, 1, "--network", quintupleo.network.name,
                                  "--timeout", "60")
    try:
        # the lab Neutron's ml2_bind_all binds the server's port (no agent runs)
        assert code == 0, capsys.readouterr().err
        entry = json.loads(path.read_text())["nodes"][0]
        ports = list(quintupleo.conn.network.ports(device_id=entry["pm_system_id"]))
        server = quintupleo.server(entry["pm_system_id"])
        assert [(p.binding_vif_type, p.binding_host_id, p.status) for p in ports] == [
            ("other", server.compute_host, "ACTIVE")]
        macs = [p.mac_address for p in ports]
        assert macs and [p["address"] for p in entry["ports"]] == sorted(macs)
        assert entry["ports"][0]["physical_network"] == "ctlplane"
        enroll(ironic, path)
        node = baremetal.get_node(entry["name"])
        assert node.provision_state == "manageable"
        assert [p.address for p in baremetal.ports(node_id=node.id)] == sorted(macs)
    finally:
        assert quintupleo.delete(prefix) == 0


def test_build_nodes_refuses_bad_names_before_creating(quintupleo, capsys):
    prefix = f"qo{secrets.token_hex(3)}"
    before = len(list(quintupleo.conn.compute.servers()))
    out = quintupleo.tmp / "bad.json"
    code = run_cli(quintupleo_cli, "quintupleo", "build-nodes", "--cloud", quintupleo.cloud,
                   "--clouds-file", str(quintupleo.clouds_file), "--prefix", prefix,
                   "--count", "2", "--flavor", "no-such-flavor", "--image", "no-such-image",
                   "--network", "no-such-net", "--output", str(out))
    err = capsys.readouterr().err
    assert code == 2
    for name in ("flavor 'no-such-flavor'", "image 'no-such-image'",
                 "network 'no-such-net'", "nothing was created"):
        assert name in err
    code = run_cli(quintupleo_cli, "quintupleo", "build-nodes", "--cloud", "no-such-cloud",
                   "--clouds-file", str(quintupleo.clouds_file), "--count", "1",
                   "--flavor", "f", "--image", "i", "--output", str(out))
    assert code == 2 and "no-such-cloud" in capsys.readouterr().err
    assert len(list(quintupleo.conn.compute.servers())) == before and not out.exists()


@pytest.fixture(scope="module")
def enrolled(built, ironic):
    """The built nodes, enrolled and moved to manageable (power read from Nova)."""
    enroll(ironic, built[2])
    return built


def test_enroll_built_nodes_manageable(enrolled, baremetal):
    _, doc, _ = enrolled
    for entry in doc["nodes"]:
        node = baremetal.get_node(entry["name"])
        assert node.provision_state == "manageable"
        assert node.driver == "tripleo-nova" and node.power_state == "power off"
        assert node.driver_info["nova_server"] == entry["pm_system_id"]


def test_power_through_ironic_follows_nova(quintupleo, enrolled, baremetal):
    _, doc, _ = enrolled
    entry = doc["nodes"][0]
    server_id = entry["pm_system_id"]
    assert power(baremetal, entry["name"], "power on").power_state == "power on"
    assert quintupleo.settled(server_id).power_state == RUNNING
    # idempotent: on again changes nothing in Nova (no new instance action)
    actions = len(list(quintupleo.conn.compute.server_actions(server_id)))
    assert power(baremetal, entry["name"], "power on").power_state == "power on"
    assert len(list(quintupleo.conn.compute.server_actions(server_id))) == actions
    assert power(baremetal, entry["name"], "rebooting").power_state == "power on"
    kinds = [a.action for a in quintupleo.conn.compute.server_actions(server_id)]
    assert "reboot" in kinds
    assert power(baremetal, entry["name"], "soft rebooting").power_state == "power on"
    assert power(baremetal, entry["name"], "power off").power_state == "power off"
    assert quintupleo.settled(server_id).power_state == SHUTDOWN
    # Nova-side change is what Ironic reads: start it behind Ironic's back
    quintupleo.conn.compute.start_server(server_id)
    quintupleo.settled(server_id, "ACTIVE")
    node = baremetal.get_node(entry["name"])
    baremetal.validate_node(node.id, required=("power",))
    assert power(baremetal, entry["name"], "power off").power_state == "power off"


def test_deleted_server_is_a_clear_error_not_a_power_state(quintupleo, ironic, baremetal):
    prefix = f"qo{secrets.token_hex(3)}"
    code, path = quintupleo.build(prefix, 1)
    assert code == 0
    entry = json.loads(path.read_text())["nodes"][0]
    enroll(ironic, path)
    power(baremetal, entry["name"], "power on")
    quintupleo.conn.compute.delete_server(entry["pm_system_id"])
    quintupleo.conn.compute.wait_for_delete(quintupleo.server(entry["pm_system_id"]),
                                            interval=0.5, wait=60)
    with pytest.raises(PowerActionFailed):
        power(baremetal, entry["name"], "power off", timeout=60)
    node = baremetal.get_node(entry["name"])
    # Nova answers 404 (does not exist) or, just after the delete, DELETED
    assert ("does not exist" in node.last_error or "is DELETED" in node.last_error)
    assert entry["name"] in node.last_error
    assert node.power_state == "power on"  # the last state Nova reported, not a guess


def test_nova_unreachable_is_a_clear_error(quintupleo, baremetal):
    node = baremetal.create_node(
        name=f"dead-{secrets.token_hex(3)}", driver="tripleo-nova",
        driver_info={"nova_cloud": f"{quintupleo.cloud}-dead-nova",
                     "nova_server": "8f0c6a2e-6d9a-4a55-9a3a-3f6f0f3b1c11"})
    # manage verifies the node, which reads its power state from Nova
    with pytest.raises(openstack.exceptions.SDKException):
        baremetal.set_node_provision_state(node, "manage", wait=True, timeout=120)
    node = baremetal.get_node(node.id)
    assert node.provision_state == "enroll" and node.power_state is None
    assert "did not answer" in node.last_error and "-dead-nova" in node.last_error


def test_nova_that_never_answers_is_an_error_by_the_state_timeout(quintupleo, tmp_path):
    """Nova takes requests and never answers (a hung API, a firewall dropping them):
    the reading ends at [tripleo_nova]state_timeout with an error saying so, not after
    api_timeout for each of its HTTP requests (version discovery twice, then the GET)."""
    with silent_http() as nova:
        entry = yaml.safe_load(quintupleo.clouds_file.read_text())["clouds"][quintupleo.cloud]
        hung = f"{quintupleo.cloud}-hung-nova"
        clouds_file = tmp_path / "hung-clouds.yaml"
        clouds_file.write_text(yaml.safe_dump({"clouds": {
            hung: {**entry, "compute_endpoint_override": f"{nova.url}/v2.1"}}}))
        ironic = start_nova_ironic(tmp_path, quintupleo, clouds_file=str(clouds_file),
                                   state_timeout="10", api_timeout="120")
        try:
            baremetal = connect(ironic.url).baremetal
            node = baremetal.create_node(
                name=f"hung-{secrets.token_hex(3)}", driver="tripleo-nova",
                driver_info={"nova_cloud": hung,
                             "nova_server": "8f0c6a2e-6d9a-4a55-9a3a-3f6f0f3b1c11"})
            with pytest.raises(openstack.exceptions.SDKException):
                baremetal.set_node_provision_state(node, "manage", wait=True, timeout=300)
            node = baremetal.get_node(node.id)
            assert node.provision_state == "enroll" and node.power_state is None
            assert "gave no answer" in node.last_error and hung in node.last_error
            assert "state_timeout" in node.last_error
            # Nova had received one request, still unanswered: its own timeout (120 s)
            # had not come when the error was raised
            assert len(nova.seen) == 1, nova.seen
        finally:
            ironic.stop()


def test_auth_fields_and_server_name_soft_off_idempotent_off_error_state(
        quintupleo, ironic, baremetal):
    """driver_info with explicit credentials (no clouds.yaml) and the server's name;
    soft power off and an idempotent power off; a server Nova puts in ERROR is a
    clear error that leaves the last power state; the password is in no Ironic log."""
    prefix = f"qo{secrets.token_hex(3)}"
    code, path = quintupleo.build(prefix, 1)
    assert code == 0
    entry = json.loads(path.read_text())["nodes"][0]
    server_id = entry["pm_system_id"]
    auth = yaml.safe_load(quintupleo.clouds_file.read_text())["clouds"][
        quintupleo.cloud]["auth"]
    try:
        node = baremetal.create_node(
            name=f"auth-{prefix}", driver="tripleo-nova", driver_info={
                "nova_server": entry["name"], "nova_auth_url": auth["auth_url"],
                "nova_username": auth["username"], "nova_password": auth["password"],
                "nova_project_name": auth["project_name"]})
        baremetal.set_node_provision_state(node, "manage", wait=True, timeout=120)
        assert baremetal.get_node(node.id).power_state == "power off"
        assert power(baremetal, node.id, "power on").power_state == "power on"
        assert quintupleo.settled(server_id).power_state == RUNNING
        assert power(baremetal, node.id, "soft power off").power_state == "power off"
        assert quintupleo.settled(server_id, "SHUTOFF").power_state == SHUTDOWN
        actions = len(list(quintupleo.conn.compute.server_actions(server_id)))
        assert power(baremetal, node.id, "power off").power_state == "power off"
        assert len(list(quintupleo.conn.compute.server_actions(server_id))) == actions

        quintupleo.conn.compute.reset_server_state(server_id, "error")
        assert quintupleo.server(server_id).status == "ERROR"
        with pytest.raises(PowerActionFailed):
            power(baremetal, node.id, "power on", timeout=60)
        node = baremetal.get_node(node.id)
        assert "is ERROR" in node.last_error and entry["name"] in node.last_error
        assert node.power_state == "power off"  # the last reading, not a guess
        assert quintupleo.server(server_id).status == "ERROR"  # nothing was started
        logs = "".join(f.read_text(errors="replace")
                       for f in ironic.workdir.glob("ironic*.log"))
        assert entry["name"] in logs and auth["password"] not in logs
    finally:
        assert quintupleo.delete(prefix) == 0


def test_a_reading_during_a_nova_task_waits_it_out(quintupleo, built):
    """Our interface (as the conductor runs it) reads a server Nova is starting or
    stopping: the reading waits for the task to end and is never the state it is
    leaving. (The second built server: the Ironic tests power only the first.)"""
    from ironic_tripleo.quintupleo.clouds import CloudRegistry, CloudSettings, CloudSpec
    from ironic_tripleo.quintupleo.power_states import Power
    from ironic_tripleo.quintupleo.server import NovaServer, ServerSettings

    server_id = built[1]["nodes"][1]["pm_system_id"]
    quintupleo.settled(server_id, "SHUTOFF")
    cloud = CloudRegistry(CloudSettings(clouds_file=str(quintupleo.clouds_file))).get(
        CloudSpec(name=quintupleo.cloud))
    node = NovaServer(cloud, server_id, ServerSettings(poll_interval=0.1,
                                                       state_timeout=60))
    node.read()  # the connection and its token ready: the next reads are quick
    seen = []
    for wanted, nova_call in ((Power.ON, quintupleo.conn.compute.start_server),
                              (Power.OFF, quintupleo.conn.compute.stop_server)):
        nova_call(server_id)
        during = node.read()  # Nova's record while (most likely) the task still runs
        if during.task_state is not None:
            seen.append(during.task_state)
            # e.g. SHUTOFF + powering-on: neither on nor off yet
            assert during.power is Power.BUSY, during.describe()
        assert node.get_power(use_cache=False) is wanted
        assert quintupleo.server(server_id).task_state is None
    # the path under test ran: Nova was still in its task when we read
    assert set(seen) & {"powering-on", "powering-off"}


def test_validate_names_missing_fields(baremetal):
    node = baremetal.create_node(driver="tripleo-nova", driver_info={
        "nova_auth_url": "http://127.0.0.1:1/v3", "nova_password": "s3cr3t-x"})
    result = baremetal.validate_node(node.id, required=())
    reason = result["power"].reason
    for field in ("nova_server", "nova_username", "nova_project_name"):
        assert field in reason
    shown = baremetal.get_node(node.id).driver_info
    assert shown["nova_password"] == "******"
    assert "s3cr3t-x" not in json.dumps(shown) and "s3cr3t-x" not in reason


@pytest.mark.parametrize("method", ["metadata", "rescue"])
def test_boot_device_visible_in_nova(quintupleo, tmp_path, method, request):
    prefix = f"qo{secrets.token_hex(3)}"
    code, path = quintupleo.build(prefix, 1)
    assert code == 0
    entry = json.loads(path.read_text())["nodes"][0]
    server_id = entry["pm_system_id"]
    if method == "metadata":
        ironic = request.getfixturevalue("ironic")
    else:
        ironic = start_nova_ironic(tmp_path, quintupleo, boot_method="rescue",
                                   rescue_image=quintupleo.ipxe.name)
        request.addfinalizer(ironic.stop)
    try:
        enroll(ironic, path)
        baremetal = connect(ironic.url).baremetal
        name = entry["name"]
        baremetal.set_node_boot_device(name, "pxe")
        assert baremetal.get_node_boot_device(name)["boot_device"] == "pxe"
        meta = quintupleo.server(server_id).metadata
        if method == "metadata":
            assert meta["libvirt:pxe-first"] == "1"
            assert power(baremetal, name, "power on").power_state == "power on"
            assert quintupleo.settled(server_id).status == "ACTIVE"
        else:
            assert meta["tripleo:boot_device"] == "pxe"
            assert power(baremetal, name, "power on").power_state == "power on"
            assert quintupleo.settled(server_id).status == "RESCUE"
            rescue = [a.action for a in quintupleo.conn.compute.server_actions(server_id)]
            assert "rescue" in rescue
        baremetal.set_node_boot_device(name, "disk", persistent=True)
        assert baremetal.get_node_boot_device(name)["boot_device"] == "disk"
        assert power(baremetal, name, "rebooting").power_state == "power on"
        server = quintupleo.settled(server_id)
        assert server.status == "ACTIVE" and server.power_state == RUNNING
        if method == "metadata":
            assert server.metadata["libvirt:pxe-first"] == ""
        else:
            assert server.metadata["tripleo:boot_device"] == "disk"
        assert power(baremetal, name, "power off").power_state == "power off"
    finally:
        assert quintupleo.delete(prefix) == 0


@pytest.fixture
def nova_vbmc(quintupleo):
    """build-nodes in virtual BMC mode, served by one ``bmc serve`` process."""
    prefix = f"qo{secrets.token_hex(3)}"
    code, path = quintupleo.build(prefix, 2, "--bmc-address", "127.0.0.1",
                                  "--bmc-config", str(quintupleo.tmp / f"{prefix}.yaml"))
    assert code == 0
    doc = json.loads(path.read_text())
    bmc = yaml.safe_load((quintupleo.tmp / f"{prefix}.yaml").read_text())
    for node, entry in zip(doc["nodes"], bmc["nodes"], strict=True):
        node["pm_port"] = entry["port"] = free_port(socket.SOCK_DGRAM)
    # each virtual BMC its own credentials (build-nodes writes one pair for all)
    doc["nodes"][1]["pm_user"] = bmc["nodes"][1]["username"] = f"u{secrets.token_hex(3)}"
    doc["nodes"][1]["pm_password"] = bmc["nodes"][1]["password"] = secrets.token_hex(8)
    path.write_text(json.dumps(doc))
    config = quintupleo.tmp / f"{prefix}-vbmc.yaml"
    config.write_text(yaml.safe_dump(bmc))
    log = open(quintupleo.tmp / f"{prefix}-vbmc.log", "w+")  # closed at teardown
    proc = subprocess.Popen([sys.executable, "-m", "ironic_tripleo.cli.bmc", "serve",
                             "--config", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        yield doc, path, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        assert quintupleo.delete(prefix) == 0


def ipmitool(node, *args):
    return subprocess.run(
        ["ipmitool", "-I", "lanplus", "-C", "3", "-H", node["pm_addr"], "-p",
         str(node["pm_port"]), "-U", node["pm_user"], "-P", node["pm_password"],
         "-R", "2", "-N", "3", *args], capture_output=True, text=True, timeout=30)


def test_ipmitool_and_ironic_ipmi_drive_nova_through_the_vbmc(quintupleo, nova_vbmc,
                                                             ironic, baremetal):
    doc, path, _ = nova_vbmc
    first, second = doc["nodes"]
    wait_for(lambda: ipmitool(first, "power", "status").returncode == 0, timeout=30,
             what="nova vBMC answering")
    assert ipmitool(first, "power", "status").stdout.strip() == "Chassis Power is off"
    assert ipmitool(first, "power", "on").returncode == 0
    server = first["name"]
    server_id = next(s.id for s in quintupleo.conn.compute.servers(name=server)
                     if s.name == server)
    assert quintupleo.settled(server_id).power_state == RUNNING
    wait_for(lambda: ipmitool(first, "power", "status").stdout.strip()
             == "Chassis Power is on", timeout=30, what="ipmitool reading on")
    assert ipmitool(first, "chassis", "bootdev", "pxe").returncode == 0
    assert quintupleo.server(server_id).metadata["libvirt:pxe-first"] == "1"
    assert ipmitool(first, "power", "off").returncode == 0
    assert quintupleo.settled(server_id, "SHUTOFF").power_state == SHUTDOWN
    # a wrong password is refused and changes nothing
    bad = dict(first, pm_password="wrong")
    assert ipmitool(bad, "power", "on").returncode != 0
    assert quintupleo.server(server_id).status == "SHUTOFF"
    # the same process, another port and other credentials: the first's are refused
    assert ipmitool(second, "power", "status").stdout.strip() == "Chassis Power is off"
    crossed = dict(second, pm_user=first["pm_user"], pm_password=first["pm_password"])
    assert ipmitool(crossed, "power", "on").returncode != 0

    # Ironic's own ipmi hardware type, through ipmitool, on the second server
    enroll(ironic, path)  # pm_type ipmi enrolls as tripleo-ipmi (pyghmi): move it
    node = baremetal.get_node(second["name"])
    baremetal.update_node(node, driver="ipmi", power_interface="ipmitool",
                          management_interface="ipmitool", deploy_interface="direct",
                          vendor_interface="no-vendor", inspect_interface="no-inspect")
    node = baremetal.get_node(second["name"])
    assert (node.driver, node.power_interface) == ("ipmi", "ipmitool")
    assert power(baremetal, second["name"], "power on").power_state == "power on"
    second_id = next(s.id for s in quintupleo.conn.compute.servers(name=second["name"])
                     if s.name == second["name"])
    assert quintupleo.settled(second_id).power_state == RUNNING
    baremetal.set_node_boot_device(second["name"], "pxe")
    assert quintupleo.server(second_id).metadata["libvirt:pxe-first"] == "1"
    assert power(baremetal, second["name"], "power off").power_state == "power off"
    assert quintupleo.settled(second_id).power_state == SHUTDOWN
