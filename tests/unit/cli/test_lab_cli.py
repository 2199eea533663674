"""``lab up`` options: node specs from flags or a lab file, the status table; ``lab down``."""

import argparse

from ironic_tripleo.cli import lab as lab_cli
from ironic_tripleo.lab.node import NodeSpec


def parse(*argv):
    parser = argparse.ArgumentParser()
    lab_cli.register(parser.add_subparsers())
    return parser.parse_args(["lab", *argv])


def test_node_specs_from_flags_fill_up_with_defaults():
    args = parse("up", "--nodes", "3", "--node-spec", "cpus=8,name=big")
    specs, subnet = lab_cli.node_specs(args)
    assert specs == [NodeSpec(cpus=8, name="big"), NodeSpec(), NodeSpec()]
    assert subnet == "198.51.100.0/24"


def test_lab_file_gives_nodes_and_subnet(tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_text("subnet: 203.0.113.0/24\nnodes: [{disk_gb: 80}, {memory_mb: 2048}]\n")
    specs, subnet = lab_cli.node_specs(parse("up", "--lab-file", str(path)))
    assert specs == [NodeSpec(disk_gb=80), NodeSpec(memory_mb=2048)]
    assert subnet == "203.0.113.0/24"
    _, subnet = lab_cli.node_specs(parse("up", "--lab-file", str(path), "--subnet", "auto"))
    assert subnet == "auto"


def test_status_table():
    state = {"lab_id": "abc123", "state": "up", "workdir": "/w", "ironic_url": "http://x",
             "ironic_pid": 10, "vbmc_pid": None,
             "nodes": [{"name": "node-0", "namespace": "itl-abc123-n0",
                        "mac": "52:54:00:ab:c1:01", "bmc": {"port": 6230},
                        "power": "on", "pid": 42},
                       {"name": "node-1", "namespace": None, "tap": "itl-abc123-t1",
                        "mac": "52:54:00:ab:c1:02", "bmc": {"port": 6231},
                        "power": "off", "pid": None}]}
    lines = lab_cli.format_status(state).splitlines()
    assert lines[1] == "ironic http://x pid 10; vbmc pid -"
    assert lines[2].split() == ["node", "namespace/tap", "mac", "BMC", "port", "power",
                                "pid"]
    assert lines[3].split() == ["node-0", "itl-abc123-n0", "52:54:00:ab:c1:01", "6230", "on",
                                "42"]
    # A VM node has no namespace: its tap on the lab bridge is shown instead.
    assert lines[4].split() == ["node-1", "vm", "on", "itl-abc123-t1", "52:54:00:ab:c1:02",
                                "6231", "off", "-"]


def test_lab_down_goes_on_when_the_undercloud_does_not_answer(tmp_path, monkeypatch,
                                                               caplog, capsys):
    """``lab down`` takes the lab out of a running undercloud's catalog, but an
    undercloud whose Keystone does not answer does not keep the lab up."""
    downs = []

    def unreachable(self):
        raise ConnectionError("keystone: connection refused")

    monkeypatch.setattr(lab_cli.Undercloud, "lab_stopping", unreachable)
    monkeypatch.setattr(lab_cli.Lab, "down", lambda self: downs.append(self) or True)
    assert lab_cli.cmd_down(argparse.Namespace(workdir=tmp_path)) == 0
    assert len(downs) == 1
    assert "still names the lab (its Ironic compute or catalog entries): keystone: " \
           "connection refused" in caplog.text
    assert "is down" in capsys.readouterr().out
