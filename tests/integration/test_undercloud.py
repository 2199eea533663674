"""The undercloud against itself and against what ahc-match emits: real Keystone, Nova
34, Placement, Neutron, Glance and Heat (one undercloud per session, see
``tests.harness.undercloud``), and the launcher's failure paths."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ahc_rules.cli import match as ahc_match
from ahc_rules.synthetic import fleet
from ironic_tripleo.cli import main as cli
from ironic_tripleo.lab import process
from ironic_tripleo.lab.exception import UndercloudError
from ironic_tripleo.lab.undercloud.plan import Plan
from ironic_tripleo.lab.undercloud.undercloud import Undercloud

EXAMPLES = Path(__file__).resolve().parents[2] / "ahc_rules" / "examples"
OPENSTACK = str(Path(sys.executable).parent / "openstack")


def openstack_cli(undercloud, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([OPENSTACK, *args], env=undercloud.env(), capture_output=True,
                          text=True, timeout=120)


def emitted_flavors(tmp_path: Path) -> Path:
    """ahc-match on synthetic facts, --emit: the directory with flavors.sh."""
    facts = tmp_path / "facts"
    facts.mkdir()
    for name, data in fleet(12, seed=5).items():
        (facts / f"{name}.json").write_text(json.dumps(data))
    rules = tmp_path / "rules"
    subprocess.run(["cp", "-r", str(EXAMPLES), str(rules)], check=True)
    out = tmp_path / "emit"
    code = ahc_match.main(["--rules", str(rules), "--facts", str(facts), "--emit", str(out),
                           "--dry-run"])
    assert code in (0, 1)  # 1: some synthetic nodes match no role
    return out


def test_emitted_flavors_sh_runs_against_nova_at_default_microversion(undercloud, tmp_path):
    out = emitted_flavors(tmp_path)
    flavors = json.loads((out / "flavors.json").read_text())
    assert flavors, "ahc-match emitted no flavor"
    try:
        _check_flavors_sh(undercloud, out, flavors)
    finally:
        # the session's undercloud is shared: test_overcloud_lab emits these names too
        conn = undercloud.connection()
        for flavor in flavors:
            found = conn.compute.find_flavor(flavor["name"])
            if found is not None:
                conn.compute.delete_flavor(found)


def _check_flavors_sh(undercloud, out: Path, flavors: list[dict]) -> None:
    # the script as written, run by sh with the openstack client's defaults
    run = subprocess.run(["sh", str(out / "flavors.sh")], env=undercloud.env(),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    conn = undercloud.connection()
    for flavor in flavors:  # read back through the SDK (each CLI run costs ~3 s here)
        found = conn.compute.find_flavor(flavor["name"], ignore_missing=False)
        props = conn.compute.fetch_flavor_extra_specs(found).extra_specs
        assert props == flavor["properties"], (flavor["name"], props)
        assert props["resources:VCPU"] == "0" and any(
            key.startswith("resources:CUSTOM_BAREMETAL_") for key in props)
    # Nova validates extra specs from compute API 2.86 on: the emitted properties must
    # pass there too (the client's default is older here; another client's may not be)
    set_line = next(line for line in (out / "flavors.sh").read_text().splitlines()
                    if line.startswith("openstack flavor set "))
    strict = dict(undercloud.env(), OS_COMPUTE_API_VERSION="2.100")
    run = subprocess.run(["sh", "-c", set_line], env=strict, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, (set_line, run.stderr)


def test_custom_resource_flavor_does_not_land_on_the_fake_host(undercloud, tmp_path):
    """A role's flavor asks for the role's resource class: no fake host offers it
    (No valid host); an ordinary flavor lands on the fake-driver compute."""
    conn = undercloud.connection()
    suffix = tmp_path.name[-6:]
    plain = conn.compute.create_flavor(name=f"plain-{suffix}", vcpus=1, ram=64, disk=1)
    role = conn.compute.create_flavor(name=f"role-{suffix}", vcpus=1, ram=64, disk=1)
    conn.compute.create_flavor_extra_specs(role, {
        "resources:CUSTOM_BAREMETAL_CONTROL": "1", "resources:VCPU": "0",
        "resources:MEMORY_MB": "0", "resources:DISK_GB": "0"})
    image = conn.image.create_image(name=f"img-{suffix}", data=b"x" * 1024,
                                    disk_format="raw", container_format="bare",
                                    visibility="public")
    servers = []
    try:
        for flavor in (plain, role):
            servers.append(conn.compute.create_server(
                name=f"{flavor.name}-srv", flavor_id=flavor.id, image_id=image.id,
                networks="none"))
        ok = conn.compute.wait_for_server(servers[0], status="ACTIVE", wait=120)
        assert ok.hypervisor_hostname == undercloud.fake_host or \
            ok.compute_host == undercloud.fake_host
        failed = conn.compute.wait_for_server(servers[1], status="ERROR",
                                              failures=["ACTIVE"], wait=120)
        assert "No valid host" in (failed.fault or {}).get("message", ""), failed.fault
    finally:
        for server in servers:
            conn.compute.delete_server(server, ignore_missing=True)
        for server in servers:
            conn.compute.wait_for_delete(server, wait=120)
        conn.image.delete_image(image)
        conn.compute.delete_flavor(plain)
        conn.compute.delete_flavor(role)


def test_catalog_and_status(undercloud, capsys):
    conn = undercloud.connection()
    kinds = {s.type for s in conn.identity.services()}
    assert {"identity", "compute", "placement", "image", "network",
            "orchestration"} <= kinds
    assert list(conn.network.networks()) is not None  # neutron-server answers
    assert cli.main(["undercloud", "status", "--workdir",
                     str(undercloud.launcher.workdir)]) == 0
    out = capsys.readouterr().out
    for name in ("rabbitmq", "keystone", "placement", "glance", "neutron", "nova-api",
                 "nova-conductor", "nova-scheduler", f"nova-compute-{undercloud.fake_host}",
                 "heat-api", "heat-engine"):
        line = next(row for row in out.splitlines() if row.startswith(name + " "))
        assert "running" in line and float(line.split()[-1]) > 0, line
    stacks = openstack_cli(undercloud, "stack", "list", "-f", "json")
    assert stacks.returncode == 0, stacks.stderr


def test_port_taken_is_refused_and_nothing_runs(tmp_path, caplog):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        code = cli.main(["undercloud", "up", "--workdir", str(tmp_path),
                         "--keystone-port", str(port)])
    assert code == 1
    assert f"port {port} for keystone is already in use" in caplog.text
    assert Plan.load(tmp_path / "undercloud") is None  # nothing was started


def test_service_that_does_not_answer_stops_everything(tmp_path):
    launcher = Undercloud(tmp_path)
    with pytest.raises(UndercloudError, match="did not answer within"):
        launcher.up(timeout=0.2)
    plan = launcher.plan()
    assert plan is not None and plan.processes, "nothing was started"
    for name, entry in plan.processes.items():
        assert not process.is_alive(entry["pid"]), name
        assert not process.group_members(entry["pid"]), name
    assert all(row["state"] == "stopped" for row in launcher.status())
    assert launcher.down()  # idempotent


SERVER_TEMPLATE = """
heat_template_version: 2021-04-16
parameters:
  flavor: {type: string}
  image: {type: string}
resources:
  server:
    type: OS::Nova::Server
    properties:
      flavor: {get_param: flavor}
      image: {get_param: image}
      networks: [{allocate_network: none}]
outputs:
  host:
    value: {get_attr: [server, show, "OS-EXT-SRV-ATTR:host"]}
"""


def test_heat_stack_creates_a_server_on_the_fake_host(undercloud, tmp_path):
    conn = undercloud.connection()
    suffix = tmp_path.name[-6:]
    flavor = conn.compute.create_flavor(name=f"heat-{suffix}", vcpus=1, ram=64, disk=1)
    image = conn.image.create_image(name=f"heat-{suffix}", data=b"x" * 1024,
                                    disk_format="raw", container_format="bare",
                                    visibility="public")
    template = tmp_path / "server.yaml"
    template.write_text(SERVER_TEMPLATE)
    name = f"stack-{suffix}"
    try:
        created = openstack_cli(undercloud, "stack", "create", "--wait", "-t", str(template),
                                "--parameter", f"flavor={flavor.name}", "--parameter",
                                f"image={image.id}", "-f", "json", name)
        assert created.returncode == 0, created.stderr + created.stdout
        stack = json.loads(openstack_cli(undercloud, "stack", "show", "-f", "json",
                                         name).stdout)
        assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
        host = next(o["output_value"] for o in stack["outputs"] if o["output_key"] == "host")
        assert host == undercloud.fake_host
    finally:
        deleted = openstack_cli(undercloud, "stack", "delete", "--yes", "--wait", name)
        conn.image.delete_image(image)
        conn.compute.delete_flavor(flavor)
    assert deleted.returncode == 0, deleted.stderr
